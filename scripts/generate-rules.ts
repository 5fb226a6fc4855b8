/**
 * `npm run docs` (with `npm run schema`): regenerates check/RULES.md from the rule catalogues
 * (check/rules.ts, verify/rules.ts). Tests fail while it is stale.
 */
import { writeFileSync } from 'node:fs';
import { rulesReference, RULES_REFERENCE_FILE } from '../check/rules-reference';

writeFileSync(RULES_REFERENCE_FILE, rulesReference());
console.log(`wrote ${RULES_REFERENCE_FILE}`);
