/**
 * Property-based tests (fast-check) where the input space is large: names, object lists,
 * durations. Configs go through the real boundary: JS object → YAML text → parseEnvironment.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { durationSeconds, isGoDuration } from '../../../lib/config/duration';
import { KEY_VAULT_NAME } from '../../../lib/azure';
import { deriveEnvironment } from '../../../lib/model';
import { ROLES } from '../../../lib/azure';
import { exampleDoc, FILE, load, problemsOf } from '../../support/config';

const RUNS = { numRuns: 40 };

const dnsLabel = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
const objectName = fc.stringMatching(/^[a-zA-Z0-9-]{1,127}$/);
const alias = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/).filter((a) => !a.includes('..')); // the Azure provider refuses ".." anywhere
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

const keyVaultObject = fc.record(
  { name: objectName, type: fc.constantFrom('secret', 'key', 'cert'), alias, version: hex32 },
  { requiredKeys: ['name', 'type'] },
);
const fileName = (o: { name: string; alias?: string }) => o.alias ?? o.name;
const objectList = fc.uniqueArray(keyVaultObject, { minLength: 1, maxLength: 6, selector: fileName });

const workload = fc
  .record({
    name: dnsLabel(40),
    namespace: fc.oneof(fc.constantFrom('apps', 'team-a', 'default'), dnsLabel(63)),
    explicitServiceAccount: fc.boolean(),
    objects: objectList,
    replicas: fc.integer({ min: 0, max: 5 }),
  })
  // Workload names are unique labels (no "."), so "<name>.sa" never collides with another
  // workload's ServiceAccount, defaulted or explicit.
  .map(({ explicitServiceAccount, ...w }) => ({ ...w, serviceAccount: explicitServiceAccount ? `${w.name}.sa` : undefined }));

const environment = fc.record({
  workloads: fc.uniqueArray(workload, { minLength: 1, maxLength: 4, selector: (w) => w.name }),
  identityMode: fc.constantFrom('per-workload', 'shared'),
  roleScope: fc.constantFrom('vault', 'object'),
  interval: fc.constantFrom('30s', '2m', '1h30m', '500ms', '1.5h'),
});

type Env = typeof environment extends fc.Arbitrary<infer T> ? T : never;

function toYaml(e: Env): string {
  const doc = exampleDoc('dev');
  doc.identity = { mode: e.identityMode, roleScope: e.roleScope };
  doc.cluster.secretsProvider.rotation.interval = e.interval;
  doc.workloads = e.workloads.map((w) => ({
    name: w.name,
    namespace: w.namespace,
    ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
    objects: w.objects,
    deployment: { image: 'nginx:1.27', replicas: w.replicas },
  }));
  return stringify(doc);
}

describe('random valid environments', () => {
  test('are accepted and derive consistent subjects, file names and roles', () => {
    fc.assert(
      fc.property(environment, (e) => {
        const config = load(toYaml(e));
        const model = deriveEnvironment('dev', FILE, config);
        model.workloads.forEach((w, i) => {
          const input = e.workloads[i];
          const sa = input.serviceAccount ?? input.name;
          expect(w.serviceAccount).toBe(sa);
          expect(w.subject).toBe(`system:serviceaccount:${input.namespace}:${sa}`);
          const files = w.objects.map((o) => o.fileName);
          expect(files).toStrictEqual(input.objects.map(fileName));
          expect(new Set(files).size).toBe(files.length);
          const identity = model.identities.find((id) => id.key === w.identityKey)!;
          expect(identity.credentials.find((c) => c.workload === w.name)!.subject).toBe(w.subject);
        });
        expect(model.identities).toHaveLength(e.identityMode === 'shared' ? 1 : e.workloads.length);
        for (const identity of model.identities) {
          const objects = model.workloads.filter((w) => identity.workloads.includes(w.name)).flatMap((w) => w.objects);
          const needed = new Set(objects.map((o) => (o.type === 'secret' ? ROLES.secretsUser : ROLES.certificateUser)));
          expect(new Set(identity.roles.map((r) => r.role))).toStrictEqual(needed);
          if (e.roleScope === 'vault') expect(identity.roles.every((r) => r.scope === 'vault')).toBe(true);
          else
            expect(identity.roles.map((r) => r.scope)).toStrictEqual([
              ...new Map(objects.map((o) => [`${o.type}/${o.name}`, { type: o.type, name: o.name }])).values(),
            ]);
        }
      }),
      RUNS,
    );
  });

  test('derive deterministic models: deriving twice, or from a fresh parse, gives deep-equal results', () => {
    fc.assert(
      fc.property(environment, (e) => {
        const source = toYaml(e);
        const config = load(source);
        const first = deriveEnvironment('dev', FILE, config);
        expect(deriveEnvironment('dev', FILE, config)).toStrictEqual(first);
        expect(deriveEnvironment('dev', FILE, load(source))).toStrictEqual(first);
      }),
      { numRuns: 20 },
    );
  });
});

describe('random invalid vault names', () => {
  const VAULT = 'use 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"';
  const valid = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{1,20}[a-zA-Z0-9]$/);
  const broken = fc.oneof(
    valid.map((v) => `${v.length % 10}${v}`),
    valid.map((v) => `${v}-`),
    valid.map((v) => `${v.slice(0, 1)}--${v.slice(1)}`),
    valid.map((v) => `${v.slice(0, 1)}_${v.slice(1)}`),
    valid.map((v) => v.padEnd(25, 'x')),
    valid.map((v) => v.slice(0, 2)),
    fc.string({ unit: fc.constantFrom(...'aZ09-_. é'.split('')), maxLength: 30 }),
  );

  test('are rejected with the vault-name message', () => {
    fc.assert(
      fc.property(
        broken.filter((n) => !KEY_VAULT_NAME.test(n)),
        (name) => {
          const doc = exampleDoc('dev');
          doc.keyVault.name = name;
          const problems = problemsOf(stringify(doc));
          expect(problems.map((p) => [p.path, p.message])).toStrictEqual([['keyVault.name', VAULT]]);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('the generator does produce each kind of invalid name', () => {
    // A property over an empty set cannot fail: make sure the filter keeps most samples.
    const samples = fc.sample(broken, { numRuns: 300, seed: 42 });
    expect(samples.filter((n) => !KEY_VAULT_NAME.test(n)).length).toBeGreaterThan(250);
  });
});

describe('Go durations', () => {
  const UNIT_NS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
  const segment = fc.record({
    whole: fc.integer({ min: 0, max: 100_000 }),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    unit: fc.constantFrom(...Object.keys(UNIT_NS)),
  });
  const duration = fc.array(segment, { minLength: 1, maxLength: 4 });
  const text = (segs: { whole: number; fraction?: string; unit: string }[]) =>
    segs.map((s) => `${s.whole}${s.fraction !== undefined ? `.${s.fraction}` : ''}${s.unit}`).join('');

  /** Go's time.ParseDuration arithmetic: integer nanoseconds, fractions truncated per segment. */
  function referenceNanoseconds(segs: { whole: number; fraction?: string; unit: string }[]): bigint {
    let total = 0n;
    for (const s of segs) {
      const unit = UNIT_NS[s.unit];
      total += BigInt(s.whole) * unit;
      if (s.fraction !== undefined) total += (BigInt(s.fraction) * unit) / 10n ** BigInt(s.fraction.length);
    }
    return total;
  }

  test('durationSeconds agrees with the reference computation', () => {
    fc.assert(
      fc.property(duration, (segs) => {
        const value = text(segs);
        expect(isGoDuration(value)).toBe(true);
        const expected = Number(referenceNanoseconds(segs)) / 1e9;
        const tolerance = segs.length * 1e-9 + Math.abs(expected) * 1e-12;
        expect(Math.abs(durationSeconds(value) - expected)).toBeLessThanOrEqual(tolerance);
      }),
      { numRuns: 300 },
    );
  });

  test('known values', () => {
    expect(durationSeconds('2m')).toBe(120);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('1.5h')).toBe(5400);
    expect(durationSeconds('500ms')).toBe(0.5);
    expect(durationSeconds('0s')).toBe(0);
  });

  test('signs, spaces, missing units and unknown units are rejected', () => {
    fc.assert(
      fc.property(duration, fc.constantFrom('-', '+', ' ', 'x'), fc.integer({ min: 0, max: 2 }), (segs, junk, where) => {
        const value = text(segs);
        const bad = where === 0 ? `${junk}${value}` : where === 1 ? `${value}${junk}` : value.replace(/[a-zµ]+$/, '');
        expect(isGoDuration(bad)).toBe(false);
        expect(() => durationSeconds(bad)).toThrow(`not a Go duration: ${JSON.stringify(bad)}`);
      }),
      RUNS,
    );
    for (const bad of ['', '2', '2 m', '2min', '1d', 'm', '1h-30m']) expect(isGoDuration(bad)).toBe(false);
  });
});
