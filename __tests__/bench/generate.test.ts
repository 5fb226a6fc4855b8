/**
 * The benchmark's large configurations are valid input: every generated environment passes the
 * project's loader, every outputs file passes the contract schema and matches its environment,
 * and the generator is deterministic. (No timing here: timing lives in `npm run bench`.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateLargeConfig, LARGE_SIZES, type GeneratedFile } from '../../bench/generate';
import { loadEnvironment, parseEnvironment } from '../../lib/config/load';
import { deriveEnvironment } from '../../lib/model';
import { OutputsContractSchema, OUTPUT_NAME } from '../../lib/outputs/contract';
import { loadOutputs } from '../../lib/outputs/load';
import { tempFolders } from '../support/temp';

const full = generateLargeConfig({ environments: 20 });
const yamlFiles = (files: readonly GeneratedFile[]) => files.filter((f) => f.path.endsWith('.yaml'));
const outputsFiles = (files: readonly GeneratedFile[]) => files.filter((f) => f.path.endsWith('.outputs.json'));

describe('generateLargeConfig', () => {
  const tempFolder = tempFolders('bench-generate-');
  let dir: string;
  beforeAll(() => {
    dir = tempFolder();
    for (const f of full) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
  });

  it('writes one environment file and one outputs file per environment', () => {
    expect(yamlFiles(full).map((f) => f.path)).toEqual(Array.from({ length: 20 }, (_, i) => `environments/bench-${String(i + 1).padStart(2, '0')}.yaml`));
    expect(outputsFiles(full).map((f) => f.path)).toEqual(
      Array.from({ length: 20 }, (_, i) => `environments/bench-${String(i + 1).padStart(2, '0')}.outputs.json`),
    );
  });

  it('generates environments the loader accepts, with 25 workloads × 4 objects each', () => {
    for (const f of yamlFiles(full)) {
      const env = loadEnvironment(path.join(dir, f.path));
      expect(env.config.workloads).toHaveLength(25);
      for (const w of env.config.workloads) expect(w.objects).toHaveLength(4);
      // The same text through the parser alone, as a file name users would pass.
      expect(parseEnvironment(f.content, f.path)).toEqual(env.config);
    }
  });

  it('generates outputs that validate against the contract and match their environment', () => {
    for (const f of outputsFiles(full)) {
      const name = path.basename(f.path, '.outputs.json');
      const contract = (JSON.parse(f.content) as Record<string, Record<string, unknown>>)[name][OUTPUT_NAME];
      const parsed = OutputsContractSchema.safeParse(contract);
      expect(parsed.error?.issues).toBeUndefined();
      const env = loadEnvironment(path.join(dir, 'environments', `${name}.yaml`));
      const model = deriveEnvironment(env.name, env.file, env.config);
      // loadOutputs also cross-checks the contract against the environment (vault, namespaces, ServiceAccounts).
      expect(Object.keys(loadOutputs(path.join(dir, f.path), model).workloads)).toHaveLength(25);
    }
  });

  it('generates no warnings that would make the benchmark measure the reporting of problems', () => {
    for (const f of yamlFiles(full)) {
      const name = path.basename(f.path, '.yaml');
      expect(deriveEnvironment(name, f.path, parseEnvironment(f.content, f.path)).warnings).toEqual([]);
    }
  });

  it('is deterministic, and a smaller size is a prefix of a larger one', () => {
    expect(generateLargeConfig({ environments: 20 })).toEqual(full);
    for (const size of LARGE_SIZES) {
      expect(generateLargeConfig({ environments: size.environments })).toEqual(full.slice(0, size.environments * 2));
    }
  });

  it('honours smaller workload and object counts', () => {
    const files = generateLargeConfig({ environments: 1, workloadsPerEnvironment: 3, objectsPerWorkload: 1 });
    const config = parseEnvironment(files[0].content, files[0].path);
    expect(config.workloads.map((w) => w.objects.length)).toEqual([1, 1, 1]);
    expect(config.workloads.every((w) => w.secretObjects.length === 0)).toBe(true);
  });

  it.each([0, 1.5, 100])('fails on %p environments', (n) => {
    expect(() => generateLargeConfig({ environments: n })).toThrow(`environments: use a whole number from 1 to 99, got ${n}`);
  });
});
