/**
 * Property-based hardening (fast-check): random VALID environments, with a matching outputs
 * contract, go through the whole pipeline (environment file → loadEnvironments →
 * synthEnvironments into a temporary folder → trust-chain check, in memory and from disk) and
 * come out checked and byte-identical on a second run. Random single MUTATIONS of a valid
 * environment either stay valid or fail with a clean `UserError`, never another exception, and
 * a failed run leaves the output folders exactly as they were.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { checkTrustChain, loadSynthesized } from '../../check';
import { UserError } from '../../lib/errors';
import { CLOUDS, keyVaultUri, type CloudName } from '../../lib/azure';
import { loadEnvironments } from '../../pipeline/environments';
import { synthEnvironments } from '../../pipeline/synth';
import { snapshotTree } from './support';
import { recordStack } from '../support/terraform';

// Created in beforeAll (not at collection time) so a filtered run leaves no temp folder behind.
let ROOT = '';
beforeAll(() => {
  ROOT = realpathSync(mkdtempSync(path.join(tmpdir(), 'akscsi-hardening-props-')));
});
afterAll(() => {
  if (ROOT) rmSync(ROOT, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Generators of valid input

const label = (max: number) => fc.stringMatching(new RegExp(`^[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
const vaultName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{1,20}[a-zA-Z0-9]$/).filter((n) => !n.includes('--'));
const guid = fc.uuid();

const keyVaultObject = fc.record(
  {
    name: fc.stringMatching(/^[a-zA-Z0-9-]{1,30}$/),
    type: fc.constantFrom('secret', 'key', 'cert'),
    // A file name: no "/", never "." or "..".
    // The Azure provider refuses ".." anywhere in a file name (validateFileName).
    alias: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,30}$/).filter((a) => !a.includes('..')),
    filePermission: fc.constantFrom('0440', '0644', '600'),
  },
  { requiredKeys: ['name', 'type'] },
);
const fileNameOf = (o: { name: string; alias?: string }) => o.alias ?? o.name;

const workload = fc.record({
  name: label(24),
  namespace: fc.oneof(fc.constantFrom('apps', 'team-a', 'default', 'payments'), label(20)),
  explicitServiceAccount: fc.boolean(),
  // Unique files, and no two names of one type that differ only in case: Key Vault names are
  // case-insensitive, so those are one object written two ways (refused by caseOnlyObjectNames).
  objects: fc
    .uniqueArray(keyVaultObject, { minLength: 1, maxLength: 4, selector: fileNameOf })
    .filter((objects) =>
      objects.every((o, i) => objects.every((p, j) => j >= i || p.type !== o.type || p.name.toLowerCase() !== o.name.toLowerCase() || p.name === o.name)),
    ),
  syncFirstObject: fc.boolean(),
  replicas: fc.integer({ min: 0, max: 3 }),
  // Unique names: a repeated variable is refused (the later one would silently win).
  env: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/), value: fc.string({ maxLength: 20 }) }), {
    maxLength: 2,
    selector: (e) => e.name,
  }),
});

const environment = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
  cloud: fc.constantFrom<CloudName>('public', 'usgovernment', 'china'),
  clusterMode: fc.constantFrom('create', 'existing'),
  vaultMode: fc.constantFrom('create', 'existing'),
  vaultName,
  interval: fc.constantFrom('30s', '2m', '1h', '90s', '1m30s'),
  rotation: fc.boolean(),
  identityMode: fc.constantFrom('per-workload', 'shared'),
  roleScope: fc.constantFrom('vault', 'object'),
  gitops: fc.constantFrom('none', 'argocd', 'flux'),
  tags: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
  workloads: fc.uniqueArray(workload, { minLength: 1, maxLength: 4, selector: (w) => w.name }),
  tenantId: guid,
  clientIds: fc.array(guid, { minLength: 4, maxLength: 4 }),
});

type Env = typeof environment extends fc.Arbitrary<infer T> ? T : never;

/** The environment file a user would write. */
function toDocument(e: Env): Record<string, unknown> {
  return {
    azure: { location: 'westeurope', resourceGroup: { name: `rg-${e.name}` }, cloud: e.cloud, tags: e.tags },
    cluster:
      e.clusterMode === 'create'
        ? { name: `aks-${e.name}`, secretsProvider: { rotation: { enabled: e.rotation, interval: e.interval } } }
        : {
            mode: 'existing',
            name: `aks-${e.name}`,
            oidcIssuer: true,
            workloadIdentity: true,
            secretsProvider: { rotation: { enabled: e.rotation, interval: e.interval } },
          },
    keyVault: e.vaultMode === 'create' ? { name: e.vaultName } : { mode: 'existing', name: e.vaultName, resourceGroup: 'rg-shared-vaults' },
    identity: { mode: e.identityMode, roleScope: e.roleScope },
    workloads: e.workloads.map((w) => ({
      name: w.name,
      namespace: w.namespace,
      // Workload names are labels (no "."), so "<name>.sa" never equals another workload's ServiceAccount.
      ...(w.explicitServiceAccount ? { serviceAccount: `${w.name}.sa` } : {}),
      objects: w.objects,
      ...(w.syncFirstObject
        ? { secretObjects: [{ secretName: `${w.name}-synced`, type: 'Opaque', data: [{ objectName: fileNameOf(w.objects[0]), key: 'value' }] }] }
        : {}),
      deployment: { image: 'ghcr.io/example/app:1.0.0', replicas: w.replicas, env: uniqueBy(w.env, (v) => v.name) },
    })),
    ...(e.gitops === 'argocd' ? { output: { gitops: { tool: 'argocd', repoURL: 'https://github.com/example/gitops.git' } } } : {}),
    ...(e.gitops === 'flux' ? { output: { gitops: { tool: 'flux', sourceRef: 'gitops' } } } : {}),
  };
}

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(key(x)) && seen.add(key(x)) !== undefined);
}

/** The outputs file `cdktf deploy --outputs-file` would write for this environment. */
function toOutputs(e: Env): unknown {
  const shared = e.identityMode === 'shared';
  return {
    [e.name]: {
      aks_keyvault_csi: {
        contractVersion: 1,
        environment: e.name,
        tenantId: e.tenantId,
        cloudName: CLOUDS[e.cloud].csiCloudName,
        keyVault: { name: e.vaultName, uri: keyVaultUri(e.vaultName, CLOUDS[e.cloud]) },
        oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/',
        workloads: Object.fromEntries(
          e.workloads.map((w, i) => [
            w.name,
            {
              clientId: shared ? e.clientIds[0] : e.clientIds[i],
              identityName: `id-${e.name}-${shared ? 'shared' : w.name}`,
              namespace: w.namespace,
              serviceAccount: w.explicitServiceAccount ? `${w.name}.sa` : w.name,
            },
          ]),
        ),
      },
    },
  };
}

/** A fresh folder holding `<name>.yaml` and `<name>.outputs.json`. */
function writeInputs(dir: string, name: string, document: unknown, outputs: unknown): { configFile: string; outputsFile: string } {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, `${name}.yaml`);
  const outputsFile = path.join(dir, `${name}.outputs.json`);
  writeFileSync(configFile, stringify(document));
  writeFileSync(outputsFile, `${JSON.stringify(outputs, null, 2)}\n`);
  return { configFile, outputsFile };
}

let counter = 0;
const freshDir = (what: string) => path.join(ROOT, `${what}-${++counter}`);

// ---------------------------------------------------------------------------------------------

describe('random valid environments', () => {
  test('synthesize into a temp folder, pass the trust-chain check (in memory and from disk), and re-synthesize byte-identically', () => {
    fc.assert(
      fc.property(environment, (e) => {
        const dir = freshDir('valid');
        const { configFile, outputsFile } = writeInputs(path.join(dir, 'in'), e.name, toDocument(e), toOutputs(e));
        const out = { outputsFile, manifestsDir: path.join(dir, 'dist', e.name), terraformOut: path.join(dir, 'cdktf.out') };

        const models = loadEnvironments({ configFile });
        const run = synthEnvironments(models, out);
        const findings = run.environments.flatMap((r) => r.findings);
        expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
        expect(run.written).toBe(true);

        const terraformFile = path.join(out.terraformOut, 'stacks', e.name, 'cdk.tf.json');
        recordStack(readFileSync(terraformFile, 'utf8'));
        const fromDisk = loadSynthesized({ manifestsDir: out.manifestsDir, terraformFile, outputsFile });
        expect(checkTrustChain(fromDisk).filter((f) => f.severity === 'error')).toEqual([]);
        // Every workload rendered its ServiceAccount, SecretProviderClass and Deployment.
        const kinds = fromDisk.manifests.flatMap((m) => m.objects as { kind: string }[]).map((o) => o.kind);
        for (const kind of ['ServiceAccount', 'SecretProviderClass', 'Deployment']) expect(kinds.filter((k) => k === kind)).toHaveLength(e.workloads.length);

        const first = snapshotTree(dir, (rel) => rel.startsWith('in/'));
        synthEnvironments(loadEnvironments({ configFile }), out);
        expect(snapshotTree(dir, (rel) => rel.startsWith('in/'))).toEqual(first);
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 15 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Single mutations

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Segment = string | number;

/** Every path in a JSON document (the root excluded), depth-first. */
function pathsOf(value: Json, at: Segment[] = []): Segment[][] {
  const out: Segment[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...at, i], ...pathsOf(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...at, k], ...pathsOf(v, [...at, k]));
  return out;
}

const MUTATIONS = ['drop', 'retype', 'unknown-key', 'corrupt-name', 'null', 'empty'] as const;
type Mutation = (typeof MUTATIONS)[number];

/** A different type for the same slot: what a user gets by forgetting quotes or indentation. */
function retyped(v: Json): Json {
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : 42;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return 'yes';
  if (Array.isArray(v)) return { item: v[0] ?? null };
  if (v !== null && typeof v === 'object') return [v];
  return 'null';
}

const CORRUPTIONS = [
  (s: string) => `${s}_X`,
  (s: string) => s.toUpperCase() + 'A',
  (s: string) => `${s}--`,
  (s: string) => `-${s}`,
  (s: string) => s.padEnd(300, 'x'),
  (s: string) => `${s}/..`,
  (s: string) => `${s} `,
];

/** Applies one mutation at one path; returns a description for the failure report. */
function mutate(doc: Json, at: Segment[], kind: Mutation, pick: number): string {
  const parent = at.slice(0, -1).reduce<Json>((v, s) => (v as Record<Segment, Json>)[s]!, doc) as Record<Segment, Json> | Json[];
  const key = at[at.length - 1];
  const old = (parent as Record<Segment, Json>)[key]!;
  switch (kind) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'retype':
      (parent as Record<Segment, Json>)[key] = retyped(old);
      break;
    case 'unknown-key':
      if (old !== null && typeof old === 'object' && !Array.isArray(old)) old[['nmae', 'aliass', 'replica', 'tenantId', 'extra'][pick % 5]] = 'x';
      else if (!Array.isArray(parent)) parent['unknownField'] = old;
      break;
    case 'corrupt-name':
      (parent as Record<Segment, Json>)[key] = typeof old === 'string' ? CORRUPTIONS[pick % CORRUPTIONS.length](old) : retyped(old);
      break;
    case 'null':
      (parent as Record<Segment, Json>)[key] = null;
      break;
    case 'empty':
      (parent as Record<Segment, Json>)[key] = typeof old === 'string' ? '' : Array.isArray(old) ? [] : {};
      break;
  }
  return `${kind} at ${at.join('.')} (was ${JSON.stringify(old)?.slice(0, 60)})`;
}

describe('random single mutations of a valid environment', () => {
  const NAME = 'mutant';
  let dir = '';
  let out = { manifestsDir: '', terraformOut: '' };
  // Output folders and the staging folders synth creates next to them; the inputs are rewritten each run.
  const outputTree = () => snapshotTree(dir, (rel) => rel.startsWith('in/'));
  const outcomes = { valid: 0, findings: 0, userError: 0 };

  beforeAll(() => {
    dir = path.join(ROOT, 'mutations');
    out = { manifestsDir: path.join(dir, 'dist', NAME), terraformOut: path.join(dir, 'cdktf.out') };
    // A previous good render, so "unchanged after a failure" is a real claim.
    const e = fc.sample(environment, { numRuns: 1, seed: 7 })[0];
    const named = { ...e, name: NAME };
    const { configFile, outputsFile } = writeInputs(path.join(dir, 'in'), NAME, toDocument(named), toOutputs(named));
    expect(synthEnvironments(loadEnvironments({ configFile }), { ...out, outputsFile }).written).toBe(true);
  });

  test('stay valid or fail with a UserError (never another exception), and a failure writes nothing', () => {
    fc.assert(
      fc.property(environment, fc.nat(), fc.constantFrom(...MUTATIONS), fc.nat(), (e, where, kind, pick) => {
        const named = { ...e, name: NAME };
        const doc = toDocument(named) as Json;
        const paths = pathsOf(doc);
        const what = mutate(doc, paths[where % paths.length], kind, pick);
        const { configFile, outputsFile } = writeInputs(path.join(dir, 'in'), NAME, doc, toOutputs(named));

        const before = outputTree();
        let error: unknown;
        try {
          const run = synthEnvironments(loadEnvironments({ configFile }), { ...out, outputsFile });
          if (run.written) {
            outcomes.valid++;
            return;
          }
          // Trust-chain findings (exit 1) are a clean refusal too: nothing may have been written.
          outcomes.findings++;
          expect(outputTree()).toEqual(before);
          return;
        } catch (e) {
          error = e;
        }
        // Anything but a UserError reaches the user as a stack trace.
        expect({ what, error: error instanceof UserError ? 'UserError' : String((error as Error).stack ?? error) }).toEqual({ what, error: 'UserError' });
        outcomes.userError++;
        expect((error as UserError).problems.length).toBeGreaterThan(0);
        for (const p of (error as UserError).problems) {
          expect(p.file).not.toBe('');
          expect(p.message).not.toMatch(/^Invalid input/);
        }
        expect(outputTree()).toEqual(before);
      }),
      { numRuns: 40 },
    );
    // A property whose every sample stayed valid (or every sample failed) would prove little.
    expect(outcomes.userError).toBeGreaterThan(8);
    expect(outcomes.valid).toBeGreaterThan(0);
  });
});
