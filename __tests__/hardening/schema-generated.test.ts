/**
 * Every environment the schema accepts either synthesizes or is refused as bad input: never a
 * crash (exit 70), and never output that our own trust-chain check rejects.
 *
 * The environments are generated from the published JSON Schema itself
 * (environments/environment.schema.json, by json-schema-faker), not by a hand-written generator
 * that only makes valid ones: most documents break a cross-field rule and must be refused
 * cleanly; the rest go through the whole pipeline (load → Terraform + manifests → check →
 * write) into a temporary folder, and Terraform checks every stack they produced
 * (__tests__/setup-after-env.ts).
 *
 * The CLI maps a `UserError` to exit 2 and anything else to exit 70 (bin/aks-keyvault-csi.cjs);
 * these tests call the same functions the `synth` command calls, so "no exception but
 * UserError" is "no exit 70". `SCHEMA_PROPERTY_RUNS` raises the number of documents.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { generateSync } from 'json-schema-faker';
import { stringify } from 'yaml';
import { UserError, formatProblem } from '../../lib/errors';
import { loadEnvironments } from '../../pipeline/environments';
import { synthEnvironments } from '../../pipeline/synth';
import { outputsFor } from '../support/outputs';
import { recordStack } from '../support/terraform';

const SCHEMA = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'environments', 'environment.schema.json'), 'utf8')) as object;
const RUNS = Number(process.env.SCHEMA_PROPERTY_RUNS ?? 100);

/** One generated environment file; optional fields appear with a seed-dependent probability. */
function generated(seed: number): unknown {
  return generateSync(SCHEMA as Parameters<typeof generateSync>[0], {
    seed,
    maxDepth: 20,
    maxItems: 4,
    optionalsProbability: [0.05, 0.2, 0.5][seed % 3],
  });
}

type Outcome = 'refused' | 'synthesized';

let ROOT = '';
beforeAll(() => {
  ROOT = realpathSync(mkdtempSync(path.join(tmpdir(), 'akscsi-schema-gen-')));
});
afterAll(() => {
  if (ROOT) rmSync(ROOT, { recursive: true, force: true });
});

/** What `synth --config FILE --outputs FILE --out DIR` would do with the document; throws on a bug. */
function synthesize(seed: number, document: unknown): Outcome {
  const dir = path.join(ROOT, String(seed));
  mkdirSync(dir, { recursive: true });
  try {
    const configFile = path.join(dir, 'gen.yaml');
    writeFileSync(configFile, stringify(document));
    const models = loadEnvironments({ configFile });
    const outputsFile = path.join(dir, 'gen.outputs.json');
    writeFileSync(outputsFile, JSON.stringify({ gen: { aks_keyvault_csi: outputsFor(models[0]) } }));
    const run = synthEnvironments(models, { outputsFile, manifestsDir: path.join(dir, 'dist'), terraformOut: path.join(dir, 'cdktf.out') });
    const errors = run.environments.flatMap((e) => e.findings).filter((f) => f.severity === 'error');
    // A schema-valid environment must never produce output our own check rejects (exit 1).
    expect(errors).toEqual([]);
    expect(run.written).toBe(true);
    recordStack(readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'gen', 'cdk.tf.json'), 'utf8'));
    return 'synthesized';
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    for (const p of e.problems) {
      // A refusal names what to fix; it never shows raw JavaScript.
      expect(formatProblem(p)).not.toMatch(/\bundefined\b|\[object Object\]/);
      expect(p.message.length).toBeGreaterThan(10);
    }
    return 'refused';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`${RUNS} environments generated from the JSON Schema: each synthesizes or is refused with a UserError (exit 2), never a crash`, () => {
  const outcomes: Record<Outcome, number> = { refused: 0, synthesized: 0 };
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      outcomes[synthesize(seed, generated(seed))]++;
    }),
    { numRuns: RUNS, seed: 20261130, endOnFailure: true },
  );
  // Not vacuous: both paths were taken, and a fair share of documents went all the way through.
  expect(outcomes.refused).toBeGreaterThan(0);
  expect(outcomes.synthesized).toBeGreaterThanOrEqual(Math.ceil(RUNS * 0.03));
  console.log(`schema-generated environments: ${outcomes.synthesized} synthesized, ${outcomes.refused} refused (of ${RUNS})`);
});
