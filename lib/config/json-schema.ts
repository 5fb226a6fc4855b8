/**
 * JSON Schema of the environment file, generated from the zod schema so editors complete and
 * check the same rules the loader enforces (cross-field rules are enforced by the loader only),
 * and show each field's description and default on hover. The `init` template and
 * docs/CONFIGURATION.md are generated from the same document.
 */
import { z } from 'zod';
import { EnvironmentShape } from './schema';

/** Where the committed JSON Schema lives; example files reference it by relative path. */
export const JSON_SCHEMA_FILE = 'environments/environment.schema.json';

/** The keywords of a JSON Schema node that z.toJSONSchema emits for the environment schema. */
export interface JsonSchema {
  readonly $schema?: string;
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly deprecated?: boolean;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** The environment file's JSON Schema as an object. */
export function environmentJsonSchemaDocument(): JsonSchema {
  const schema = z.toJSONSchema(EnvironmentShape, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return {
    ...schema,
    $id: 'https://aks-keyvault-csi.local/environment.schema.json',
    title: 'aks-keyvault-csi environment',
    description:
      'One environment: Azure resources (cdktf) and the workloads whose manifests are rendered (cdk8s). Generated from lib/config/schema.ts: do not edit.',
  } as JsonSchema;
}

/** The committed file's text. */
export function environmentJsonSchema(): string {
  return `${JSON.stringify(environmentJsonSchemaDocument(), null, 2)}\n`;
}

/** One field of an object schema, in the schema's order. */
export interface SchemaField {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

export function fieldsOf(node: JsonSchema): SchemaField[] {
  return Object.entries(node.properties ?? {}).map(([name, schema]) => ({ name, schema, required: node.required?.includes(name) ?? false }));
}

/** The alternatives of a union (`oneOf`/`anyOf`), or the node itself. */
export function alternativesOf(node: JsonSchema): readonly JsonSchema[] {
  return node.oneOf ?? node.anyOf ?? [node];
}

/** Whether a node is an object with named fields (not a map such as `tags`). */
export function hasFields(node: JsonSchema): boolean {
  return node.properties !== undefined;
}

/**
 * The field that tells the alternatives of a union apart (`mode`, `backend`, `tool`) and its
 * value in each, or undefined when the node is not a union of such objects.
 */
export function discriminatorOf(node: JsonSchema): { readonly name: string; readonly values: readonly unknown[] } | undefined {
  const alternatives = node.oneOf ?? node.anyOf;
  if (alternatives === undefined) return undefined;
  const name = Object.keys(alternatives[0]?.properties ?? {}).find((key) => alternatives.every((a) => a.properties?.[key]?.const !== undefined));
  return name === undefined ? undefined : { name, values: alternatives.map((a) => a.properties![name].const) };
}
