/**
 * The commented environment file that `init NAME` writes, generated from the environment
 * schema (through its JSON Schema) so it cannot drift from it: every field in the schema's
 * order; required fields with a placeholder value, optional ones as commented lines with their
 * default (or an example, when the default is derived) and the first sentence of their
 * description. Uncommenting a line, or a whole commented block, gives valid YAML at the right
 * indentation. Of a union (`cluster.mode`, `state.backend`, `output.gitops.tool`), the first
 * alternative is shown; the description of its discriminator names the others.
 */
import { firstSentence, parseDoc } from '../lib/config/field-doc';
import { alternativesOf, environmentJsonSchemaDocument, fieldsOf, hasFields, type JsonSchema, type SchemaField } from '../lib/config/json-schema';
import { toYaml } from '../lib/yaml-emit';

/** Column where a line's note (`# description`) starts, when the line is shorter. */
const NOTE_COLUMN = 40;

/**
 * Fields the template leaves out, by path (`[]` for a list item): the modeline on the first line
 * does the job of `$schema`; JSON `properties` work with delivery engine `external-secrets` only
 * (the template shows `csi`), and the objects of `sharedSecrets` refuse several object fields
 * the template shows (docs/CONFIGURATION.md and environments/engines.yaml show both).
 */
export const SCAFFOLD_LEFT_OUT: ReadonlySet<string> = new Set(['$schema', 'sharedSecrets', 'workloads[].objects[].properties']);

/** A valid starting point for environment `name`; `schemaRef` is the JSON Schema path relative to the file. */
export function scaffoldEnvironment(name: string, schemaRef: string): string {
  const header = `# yaml-language-server: $schema=${schemaRef}
#
# Environment "${name}". Required fields hold placeholders: replace them. Optional fields are
# commented out with their default (or an example, where the default is derived): uncomment a
# line to change it. Every field is checked when you run "aks-keyvault-csi synth".
# Reference: docs/CONFIGURATION.md (every field, its type, default and description).
`;
  const lines = fieldsOf(environmentJsonSchemaDocument())
    .filter((f) => !SCAFFOLD_LEFT_OUT.has(f.name))
    .flatMap((field) => ['', ...fieldLines(field, field.name, { indent: 0 }, placeholders(name))]);
  return `${header}${lines.join('\n')}\n`;
}

/**
 * Values that depend on the environment name, by field path (`[]` for a list item): the names
 * of what the stack creates, so two scaffolded environments do not claim the same ones.
 */
function placeholders(name: string): ReadonlyMap<string, unknown> {
  // Vault names are global, 3-24 characters, without "--": a visible reminder to choose one.
  const vault = `kv-${name}-change-me`.replace(/-{2,}/g, '-').slice(0, 24).replace(/-+$/, '');
  return new Map<string, unknown>([
    ['azure.resourceGroup.name', `rg-${name}`],
    ['cluster.name', `aks-${name}`],
    ['keyVault.name', vault],
    // The environment's own vault: uncommented, the object stays where it is (additionalVaults' example names another).
    ['workloads[].objects[].vault', vault],
  ]);
}

/** Where a line goes: its indentation, and the column of its `#` when it is commented out. */
interface At {
  readonly indent: number;
  readonly comment?: number;
}

function fieldLines(field: SchemaField, path: string, at: At, values: ReadonlyMap<string, unknown>): string[] {
  const schema = field.schema;
  // A field inside a commented block stays commented; an optional one starts a block of its own.
  const here: At = at.comment !== undefined || field.required ? at : { indent: at.indent, comment: at.indent };
  const shape = alternativesOf(schema)[0];
  const inner: At = { ...here, indent: here.indent + 2 };
  if (hasFields(shape)) {
    return [line(here, `${field.name}:`, note(schema, false)), ...objectLines(shape, path, inner, values)];
  }
  if (field.required && shape.items !== undefined && hasFields(shape.items)) {
    const item = objectLines(shape.items, `${path}[]`, { ...inner, indent: inner.indent + 2 }, values);
    return [line(here, `${field.name}:`, note(schema, false)), ...item.map((l, i) => (i === 0 ? listItem(l, inner) : l))];
  }
  const value = valueOf(field, path, values);
  return [line(here, `${field.name}: ${yamlValue(value)}`, note(schema, schema.default === undefined && !field.required))];
}

function objectLines(node: JsonSchema, path: string, at: At, values: ReadonlyMap<string, unknown>): string[] {
  return fieldsOf(node)
    .filter((f) => f.schema.deprecated !== true && !SCAFFOLD_LEFT_OUT.has(`${path}.${f.name}`))
    .flatMap((f) => fieldLines(f, `${path}.${f.name}`, at, values));
}

/** The first line of a list item's fields, with the `- ` at the list's indentation. */
function listItem(first: string, list: At): string {
  const column = list.comment === undefined ? list.indent : list.comment + 2 + (list.indent - list.comment);
  return `${first.slice(0, column)}- ${first.slice(column + 2)}`;
}

/** The value a line shows: the name-dependent placeholder, else the default, else an example. */
function valueOf(field: SchemaField, path: string, values: ReadonlyMap<string, unknown>): unknown {
  const s = field.schema;
  const value = values.get(path) ?? s.default ?? s.examples?.[0] ?? s.const ?? s.enum?.[0];
  if (value === undefined)
    throw new Error(`${path}: no default, example, const or enum value to show in the init template: give it an example in lib/config/schema.ts`);
  return value;
}

/** A value on one line: a scalar as the YAML emitter quotes it, a collection in flow style with JSON strings. */
function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    return entries.length > 0 ? `{ ${entries.join(', ')} }` : '{}';
  }
  return toYaml(value).trimEnd();
}

/** The first sentence of the description, and what happens when unset for a field without a default value. */
function note(schema: JsonSchema, withUnset: boolean): string {
  const { text, unset } = parseDoc(schema.description ?? '');
  return `${firstSentence(text)}${withUnset && unset !== undefined ? ` Default: ${unset}.` : ''}`;
}

function line(at: At, text: string, comment: string): string {
  const prefix = at.comment === undefined ? ' '.repeat(at.indent) : `${' '.repeat(at.comment)}# ${' '.repeat(at.indent - at.comment)}`;
  const body = `${prefix}${text}`;
  return `${body.padEnd(NOTE_COLUMN - 1)} # ${comment}`;
}
