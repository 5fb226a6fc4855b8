/**
 * `npm run schema`: regenerates what is generated from lib/config/schema.ts and committed, the
 * JSON Schema (environments/environment.schema.json) and the reference (docs/CONFIGURATION.md).
 * Tests fail while either is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { environmentJsonSchema, JSON_SCHEMA_FILE } from '../lib/config/json-schema';
import { configurationReference, CONFIGURATION_REFERENCE_FILE } from '../lib/config/reference';

for (const [file, text] of [
  [JSON_SCHEMA_FILE, environmentJsonSchema()],
  [CONFIGURATION_REFERENCE_FILE, configurationReference()],
] as const) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
