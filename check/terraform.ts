/**
 * An index of a synthesized Terraform JSON file (cdktf `cdk.tf.json`): blocks by type and the
 * `${...}` references between them. The check follows references; it never evaluates Terraform.
 */
import { at } from './finding';
import { isRecord, rec, str, type Json } from './values';

/** A resource or data block: `resource.<type>.<name>` or `data.<type>.<name>`. */
export interface TfBlock {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  /** Terraform address: `<type>.<name>` or `data.<type>.<name>`. */
  readonly address: string;
  readonly body: Json;
  /** JSON path of the block, e.g. `resource.azurerm_key_vault.kv`. */
  readonly path: string;
}

/** A whole-string reference `${[data.]<type>.<name>.<attr>}<suffix>`. */
export interface TfRef {
  /** Address of the referenced block. */
  readonly address: string;
  readonly data: boolean;
  readonly type: string;
  readonly attr: string;
  /** Literal text after the closing brace, e.g. `/secrets/db-password`. */
  readonly suffix: string;
}

const REF = /^\$\{(data\.)?([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.[\]]+)\}(.*)$/s;

/** Parses a reference, or returns undefined for a literal or any other expression. */
export function parseRef(v: unknown): TfRef | undefined {
  if (typeof v !== 'string') return undefined;
  const m = REF.exec(v);
  if (!m) return undefined;
  const data = m[1] !== undefined;
  const type = m[2];
  return { address: `${data ? 'data.' : ''}${type}.${m[3]}`, data, type, attr: m[4], suffix: m[5] };
}

export class TerraformIndex {
  readonly blocks: readonly TfBlock[];
  private readonly byAddress = new Map<string, TfBlock>();

  constructor(
    readonly file: string,
    readonly json: unknown,
  ) {
    const root = rec(json);
    const blocks: TfBlock[] = [];
    for (const [section, data] of [
      ['resource', false],
      ['data', true],
    ] as const) {
      for (const [type, byName] of Object.entries(rec(root[section]))) {
        if (type.startsWith('//')) continue;
        for (const [name, body] of Object.entries(rec(byName))) {
          if (name.startsWith('//') || !isRecord(body)) continue;
          const address = `${data ? 'data.' : ''}${type}.${name}`;
          const block = { data, type, name, address, body, path: `${section}.${type}.${name}` };
          blocks.push(block);
          this.byAddress.set(address, block);
        }
      }
    }
    this.blocks = blocks;
  }

  /** Blocks of a type, resources first, each group in file order. */
  ofType(type: string, opts: { data?: boolean } = {}): TfBlock[] {
    return this.blocks.filter((b) => b.type === type && (opts.data === undefined || b.data === opts.data));
  }

  get(address: string): TfBlock | undefined {
    return this.byAddress.get(address);
  }

  /** The value of output `name`, or undefined when there is no such output. */
  output(name: string): { value: unknown; path: string } | undefined {
    const outputs = rec(rec(this.json)['output']);
    if (!(name in outputs)) return undefined;
    return { value: rec(outputs[name])['value'], path: `output.${name}.value` };
  }

  where(path: string): string {
    return at(this.file, path);
  }

  /** The first-level block `name` of a body: cdktf writes single blocks as objects, HCL-JSON may use one-element arrays. */
  static nested(body: Json, name: string): Json | undefined {
    const v = body[name];
    if (Array.isArray(v)) return isRecord(v[0]) ? v[0] : undefined;
    return isRecord(v) ? v : undefined;
  }

  /** `depends_on` entries as addresses (`azurerm_x.y`, `${azurerm_x.y}` and `data.` forms accepted). */
  static dependsOn(body: Json): string[] {
    const v = body['depends_on'];
    if (!Array.isArray(v)) return [];
    return v
      .map((d) => str(d))
      .filter((d): d is string => d !== undefined)
      .map((d) => d.replace(/^\$\{(.*)\}$/s, '$1'));
  }
}
