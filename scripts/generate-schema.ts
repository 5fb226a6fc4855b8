/** Regenerates environments/environment.schema.json from lib/config/schema.ts. */
import { writeFileSync } from 'node:fs';
import { environmentJsonSchema, JSON_SCHEMA_FILE } from '../lib/config/json-schema';

writeFileSync(JSON_SCHEMA_FILE, environmentJsonSchema());
console.log(`wrote ${JSON_SCHEMA_FILE}`);
