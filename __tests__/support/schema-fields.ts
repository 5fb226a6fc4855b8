/**
 * Shared test helper: every field of a JSON Schema (of the environment file), with a path that
 * names the alternative of a union (`cluster{mode=existing}.resourceGroup`) and list items
 * (`workloads[].name`), in the schema's order.
 */
import { alternativesOf, discriminatorOf, fieldsOf, type JsonSchema } from '../../lib/config/json-schema';

export interface FieldAt {
  readonly path: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

export function schemaFields(root: JsonSchema): FieldAt[] {
  const out: FieldAt[] = [];
  const visit = (node: JsonSchema, prefix: string): void => {
    const discriminator = discriminatorOf(node);
    alternativesOf(node).forEach((alternative, i) => {
      const at = discriminator ? `${prefix}{${discriminator.name}=${String(discriminator.values[i])}}` : prefix;
      for (const field of fieldsOf(alternative)) {
        const path = at === '' ? field.name : `${at}.${field.name}`;
        out.push({ path, schema: field.schema, required: field.required });
        visit(field.schema, path);
      }
      if (alternative.items !== undefined) visit(alternative.items, `${at}[]`);
    });
  };
  visit(root, '');
  return out;
}

/** The field at `path` (as `schemaFields` names it); throws when there is none. */
export function fieldAt(root: JsonSchema, path: string): FieldAt {
  const found = schemaFields(root).find((f) => f.path === path);
  if (found === undefined) throw new Error(`no field ${path} in the JSON Schema`);
  return found;
}
