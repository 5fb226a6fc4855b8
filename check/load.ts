/**
 * Reads what synth wrote (or what a GitOps repo holds) for the check: the Terraform JSON, every
 * Kubernetes object under the manifests folder, and optionally the outputs file. Bad input stops
 * here with a `UserError` naming the file, position and fix; the check itself never throws on
 * content.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { UserError } from '../lib/errors';
import { readInput } from '../lib/read-input';
import { OUTPUT_NAME } from '../lib/outputs/contract';

/** cdktf's camelCase spelling of the output name in an outputs file. */
const OUTPUT_NAME_CAMEL = OUTPUT_NAME.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
import type { SynthesizedInput } from './trust-chain';
import { isRecord } from './values';

export interface LoadSynthesizedOptions {
  /**
   * Folder of rendered manifests, e.g. `dist/dev`; read recursively, `*.yaml` and `*.yml`.
   * Undefined for an environment whose manifests were not rendered yet: the Terraform side alone.
   */
  readonly manifestsDir: string | undefined;
  /** Synthesized Terraform JSON, e.g. `cdktf.out/stacks/dev/cdk.tf.json`. */
  readonly terraformFile: string;
  /** `cdktf deploy --outputs-file` or `terraform output -json` file, or the bare contract. */
  readonly outputsFile?: string;
}

export function loadSynthesized(options: LoadSynthesizedOptions): SynthesizedInput {
  const terraform = {
    file: options.terraformFile,
    json: readJson(options.terraformFile, 'run synth first (the Terraform JSON is cdktf.out/stacks/<env>/cdk.tf.json)'),
  };
  const manifests = options.manifestsDir === undefined ? [] : readManifests(options.manifestsDir);
  if (options.outputsFile === undefined) return { terraform, manifests };
  const json = readJson(options.outputsFile, 'pass the file written by "cdktf deploy --outputs-file" or "terraform output -json"');
  const contract = unwrapContract(json, options.outputsFile, path.basename(path.dirname(options.terraformFile)));
  return { terraform, manifests, outputs: { file: options.outputsFile, contract } };
}

function readJson(file: string, fix: string): unknown {
  const text = readInput(file, { what: 'JSON file', fix, missing: `file not found: ${fix}`, syntax: 'json' });
  try {
    return JSON.parse(text);
  } catch (e) {
    // JSON.parse rarely says where; the YAML parser (JSON is YAML) usually can.
    const doc = parseDocument(text, { prettyErrors: true });
    const pos = doc.errors[0]?.linePos?.[0];
    const reason = (e as Error).message.split('\n')[0];
    throw new UserError([
      { file, path: '', ...(pos ? { position: `${pos.line}:${pos.col}` } : {}), message: `malformed JSON (${reason}): re-run synth or fix the file` },
    ]);
  }
}

function readManifests(dir: string): SynthesizedInput['manifests'] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UserError([
      { file: dir, path: '', message: 'folder not found: run synth first, or pass the folder holding the rendered manifests (dist/<env>)' },
    ]);
  }
  if (!stat.isDirectory()) {
    throw new UserError([{ file: dir, path: '', message: 'is a file, not a folder: pass the folder holding the rendered manifests (dist/<env>)' }]);
  }
  const manifests: { file: string; objects: unknown[] }[] = [];
  for (const file of yamlFiles(dir)) {
    const text = readInput(file, { what: 'manifest', fix: 'pass the folder holding the rendered manifests', syntax: 'yaml' });
    const docs = parseAllDocuments(text, { prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const objects: unknown[] = [];
    for (const doc of list) {
      const err = doc.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        throw new UserError([
          {
            file,
            path: '',
            ...(pos ? { position: `${pos.line}:${pos.col}` } : {}),
            message: `malformed YAML (${err.message.split('\n')[0]}): fix the file or re-render it`,
          },
        ]);
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (e) {
        throw new UserError([
          {
            file,
            path: '',
            message: `too many YAML alias references (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): write the values out instead of using anchors and aliases`,
          },
        ]);
      }
      if (!isRecord(value) || typeof value['apiVersion'] !== 'string' || typeof value['kind'] !== 'string') continue;
      if (value['kind'] === 'List' && Array.isArray(value['items'])) objects.push(...(value['items'] as unknown[]));
      else objects.push(value);
    }
    if (objects.length > 0) manifests.push({ file, objects });
  }
  if (manifests.length === 0) {
    throw new UserError([
      {
        file: dir,
        path: '',
        message: 'holds no Kubernetes objects (*.yaml with apiVersion and kind): run synth first, or pass the folder holding the rendered manifests',
      },
    ]);
  }
  return manifests;
}

/** `*.yaml`/`*.yml` below `dir`, hidden folders skipped, in a stable order. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(full));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out;
}

/**
 * The contract inside an outputs file. Accepted shapes:
 * - `cdktf deploy --outputs-file`: `{ "<stack>": { "aks_keyvault_csi": {...} } }`
 * - `terraform output -json`: `{ "aks_keyvault_csi": { "value": {...}, "type": ..., "sensitive": false } }`
 * - the bare contract `{ "contractVersion": 1, ... }` (written by hand or another pipeline)
 */
export function unwrapContract(json: unknown, file: string, stackHint: string): unknown {
  if (!isRecord(json)) throw new UserError([{ file, path: '', message: 'expected a JSON object of Terraform outputs' }]);
  if ('contractVersion' in json) return json;
  const direct = json[OUTPUT_NAME];
  if (isRecord(direct) && 'value' in direct) return direct['value'];
  const stacks = Object.entries(json).filter(([, v]) => isRecord(v) && findContract(v) !== undefined);
  const chosen = stacks.length === 1 ? stacks[0] : stacks.find(([k]) => k === stackHint);
  if (chosen) return findContract(chosen[1] as Record<string, unknown>);
  const message =
    stacks.length > 1
      ? `holds outputs of several stacks (${stacks.map(([k]) => k).join(', ')}) and none is named "${stackHint}": pass the outputs of one environment`
      : `has no "${OUTPUT_NAME}" output: pass the file written by "cdktf deploy --outputs-file" or "terraform output -json" for this stack`;
  throw new UserError([{ file, path: '', message }]);
}

/** The `aks_keyvault_csi` output of one stack's outputs (keyed by output name or construct id). */
function findContract(stack: Record<string, unknown>): unknown {
  if (OUTPUT_NAME in stack) return stack[OUTPUT_NAME];
  if (OUTPUT_NAME_CAMEL in stack) return stack[OUTPUT_NAME_CAMEL];
  return Object.values(stack).find((v) => isRecord(v) && 'contractVersion' in v);
}
