/**
 * docs/CONFIGURATION.md: regenerated (equal to what lib/config/reference.ts produces from the
 * schema), one table row per field of the JSON Schema with its default, and tables that a GFM
 * parser (markdown-it) reads as four cells per row.
 */
import MarkdownIt from 'markdown-it';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { environmentJsonSchemaDocument, hasFields } from '../../../lib/config/json-schema';
import { CONFIGURATION_REFERENCE_FILE, configurationReference } from '../../../lib/config/reference';
import { schemaFields } from '../../support/schema-fields';
import { ROOT } from '../../support/config';

const committed = readFileSync(path.join(ROOT, CONFIGURATION_REFERENCE_FILE), 'utf8');

/** The body rows of every table, as the inline source of their cells. */
function tableRows(markdown: string): string[][] {
  const rows: string[][] = [];
  let row: string[] | undefined;
  let inBody = false;
  for (const t of new MarkdownIt().parse(markdown, {})) {
    if (t.type === 'tbody_open') inBody = true;
    else if (t.type === 'tbody_close') inBody = false;
    else if (inBody && t.type === 'tr_open') row = [];
    else if (inBody && t.type === 'tr_close' && row) {
      rows.push(row);
      row = undefined;
    } else if (row && t.type === 'inline') row.push(t.content);
  }
  return rows;
}

describe(CONFIGURATION_REFERENCE_FILE, () => {
  test('is up to date: run "npm run schema" after changing lib/config/schema.ts', () => {
    expect(committed).toBe(configurationReference());
  });

  const rows = tableRows(committed);
  const fields = schemaFields(environmentJsonSchemaDocument());
  /** A schema path as the reference writes it: the alternative of a union is its section's title. */
  const shown = (p: string) => p.replace(/\{[^}]*\}/g, '');

  test('every row has four cells: field, type, default, description (no description breaks the table)', () => {
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.filter((r) => r.length !== 4)).toStrictEqual([]);
  });

  test('has one row per field of the JSON Schema', () => {
    const documented = rows.map((r) => r[0].replace(/^`|`$/g, ''));
    expect([...documented].sort()).toStrictEqual(fields.map((f) => shown(f.path)).sort());
  });

  test('shows each value default, "required", or what happens when unset', () => {
    const byPath = new Map<string, string[]>();
    for (const r of rows) byPath.set(r[0], [...(byPath.get(r[0]) ?? []), r[2]]);
    for (const f of fields) {
      const cells = byPath.get(`\`${shown(f.path)}\``) ?? [];
      const value = f.schema.default;
      const expected =
        value !== undefined && !hasFields(f.schema)
          ? `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``
          : f.required
            ? '**required**'
            : undefined;
      if (expected !== undefined) expect([f.path, cells]).toStrictEqual([f.path, expect.arrayContaining([expected])]);
      else expect([f.path, cells.every((c) => c.length > 0)]).toStrictEqual([f.path, true]);
    }
  });
});
