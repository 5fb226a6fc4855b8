/**
 * docs/CONFIGURATION.md: every field of the environment file with its type, default and
 * description, generated from the JSON Schema (itself generated from lib/config/schema.ts) by
 * `npm run schema`. The descriptions are ours, written as Markdown in the schema; only `|` needs
 * escaping inside a table cell.
 */
import { parseDoc } from './field-doc';
import { alternativesOf, discriminatorOf, environmentJsonSchemaDocument, fieldsOf, hasFields, JSON_SCHEMA_FILE, type JsonSchema } from './json-schema';

export const CONFIGURATION_REFERENCE_FILE = 'docs/CONFIGURATION.md';

interface Row {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

interface Section {
  readonly title: string;
  readonly description: string;
  readonly rows: Row[];
}

/** The reference as Markdown. */
export function configurationReference(): string {
  const root = environmentJsonSchemaDocument();
  const top: Section = { title: 'Top level', description: 'The sections of the file; each has a table of its own below.', rows: [] };
  const sections: Section[] = [top];
  for (const field of fieldsOf(root)) {
    top.rows.push(rowOf(field.name, field.schema, field.required));
    addSections(sections, field.name, field.schema, field.required);
  }
  const body = sections.map(renderSection).join('\n');
  return `# Environment file reference

<!-- Generated from lib/config/schema.ts by "npm run schema": do not edit. -->

One YAML file per environment, \`environments/<name>.yaml\`; \`aks-keyvault-csi init <name>\` writes a
commented starting point. Editors that read the file's first line,
\`# yaml-language-server: $schema=./environment.schema.json\`, complete and check every field
as you type and show these descriptions on hover (the JSON Schema is \`${JSON_SCHEMA_FILE}\`).
The loader checks the same rules, and the rules that span several fields, when you run
\`aks-keyvault-csi synth\` or \`validate\`.

**Default** is the value the loader fills in when a field is left out, or what happens instead
when the value is derived. A field marked **required** must be written.

${body}`;
}

/**
 * A section for an object or a list of objects, or one for each alternative of a union; other
 * fields have only their row.
 */
function addSections(sections: Section[], path: string, schema: JsonSchema, required: boolean): void {
  if (schema.items !== undefined && hasFields(schema.items)) {
    const section: Section = { title: `\`${path}[]\``, description: describe(schema, required), rows: [] };
    sections.push(section);
    addRows(sections, section, `${path}[]`, schema.items);
    return;
  }
  // A list of alternatives (additionalVaults: mode create or existing): a section per alternative.
  if (schema.items !== undefined && discriminatorOf(schema.items) !== undefined) {
    addSections(sections, `${path}[]`, schema.items, required);
    return;
  }
  if (!hasFields(schema) && discriminatorOf(schema) === undefined) return;
  const discriminator = discriminatorOf(schema);
  const alternatives = alternativesOf(schema);
  alternatives.forEach((alternative, i) => {
    const which = discriminator ? ` (\`${discriminator.name}: ${String(discriminator.values[i])}\`)` : '';
    const section: Section = { title: `\`${path}\`${which}`, description: describe(schema, required), rows: [] };
    sections.push(section);
    addRows(sections, section, path, alternative);
  });
}

function addRows(sections: Section[], section: Section, prefix: string, node: JsonSchema): void {
  for (const field of fieldsOf(node)) {
    const path = `${prefix}.${field.name}`;
    const schema = field.schema;
    section.rows.push(rowOf(path, schema, field.required));
    if (hasFields(schema)) addRows(sections, section, path, schema);
    else addSections(sections, path, schema, field.required);
  }
}

function rowOf(path: string, schema: JsonSchema, required: boolean): Row {
  return { path, type: typeOf(schema), default: defaultOf(schema, required), description: cell(describe(schema)) };
}

function renderSection(section: Section): string {
  const rows = section.rows.map((r) => `| \`${r.path}\` | ${r.type} | ${r.default} | ${r.description} |`);
  return `## ${section.title}

${section.description}

${rows.length > 0 ? ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n') : ''}
`;
}

/** The description, with its link written as a Markdown link (the default has a column of its own). */
function describe(schema: JsonSchema, required?: boolean): string {
  const { text, see } = parseDoc(schema.description ?? '');
  return `${text}${required === true ? ' Required.' : ''}${see !== undefined ? ` [Docs](${see})` : ''}`;
}

function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function typeOf(schema: JsonSchema): string {
  const discriminator = discriminatorOf(schema);
  if (discriminator) return `one of: ${discriminator.values.map((v) => `\`${discriminator.name}: ${String(v)}\``).join(', ')}`;
  if (schema.const !== undefined) return code(schema.const);
  if (schema.enum !== undefined) return schema.enum.map(code).join(', ');
  switch (schema.type) {
    case 'array':
      return `list of ${schema.items && hasFields(schema.items) ? 'objects' : typeOf(schema.items ?? {})}${schema.minItems ? `, at least ${schema.minItems}` : ''}`;
    case 'object':
      return hasFields(schema) ? 'object' : `map of ${typeOf(typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {})}`;
    case 'integer':
    case 'number':
      return `${schema.type}${schema.minimum !== undefined && schema.maximum !== undefined ? `, ${schema.minimum} to ${schema.maximum}` : ''}`;
    default:
      return schema.type ?? 'any';
  }
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if (schema.default !== undefined) {
    // An object whose fields all have defaults: the table lists them field by field.
    return hasFields(schema) ? "each field's default" : code(schema.default);
  }
  if (required) return '**required**';
  if (schema.deprecated === true) return 'never allowed';
  return cell(parseDoc(schema.description ?? '').unset ?? 'unset');
}
