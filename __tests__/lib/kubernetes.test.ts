/**
 * The Kubernetes rules of lib/kubernetes.ts, one `fails ...` test per rule with the upstream
 * function named, and property tests where the input space is large (quantities, names).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-28';
import fc from 'fast-check';
import {
  ANNOTATION_KEY_RULE,
  ANNOTATIONS_SIZE_RULE,
  argoCdDestination,
  ARGOCD_CLUSTER_RULE,
  ARGOCD_PROJECT_RULE,
  CAPABILITY_RULE,
  CONTAINER_MOUNT_PATH_RULE,
  CPU_QUANTITY_RULE,
  DNS1123_LABEL_RULE,
  DNS1123_SUBDOMAIN_RULE,
  ENV_VAR_NAME_RULE,
  ENV_VAR_NAMES_UNIQUE_RULE,
  FLUX_DURATION_RULE,
  GITOPS_PATH_RULE,
  LABEL_KEY_RULE,
  LABEL_VALUE_RULE,
  LINUX_CAPABILITIES,
  MEMORY_QUANTITY_RULE,
  missingSecretKeys,
  POD_SECURITY_CHECKS,
  podSecurityLabelsFor,
  podSecurityOf,
  PORT_NAME_RULE,
  PORT_NAMES_UNIQUE_RULE,
  PORT_NUMBERS_UNIQUE_RULE,
  QUANTITY_RULE,
  quantityNanos,
  REQUEST_WITHIN_LIMIT_RULE,
  SECRET_KEY_RULE,
  SECRET_TYPE_KEYS_RULE,
  TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
  weakestLevel,
  type PodSpecView,
} from '../../lib/kubernetes';
import * as kubernetes from '../../lib/kubernetes';
import type { Rule } from '../../lib/rule';

const NANO = 1_000_000_000n;

describe('every rule names its upstream source', () => {
  const rules = Object.entries(kubernetes).filter(
    (e): e is [string, Rule<unknown>] => typeof e[1] === 'object' && e[1] !== null && !(e[1] instanceof RegExp) && 'test' in e[1] && 'source' in e[1],
  );
  test.each(rules.map(([name, rule]) => [name, rule]))('%s', (_name, rule) => {
    expect(rule.source).toMatch(/^(kubernetes|argoproj|fluxcd|helm|man7)[^ ]*[ /]/);
    expect(rule.fix.length).toBeGreaterThan(10);
  });
});

describe('names: kubernetes/apimachinery pkg/util/validation/validation.go', () => {
  test('fails a DNS-1123 label over 63 and a subdomain over 253 (IsDNS1123Label, IsDNS1123Subdomain)', () => {
    expect(DNS1123_LABEL_RULE.test('a'.repeat(63))).toBe(true);
    expect(DNS1123_LABEL_RULE.test('a'.repeat(64))).toBe(false);
    expect(DNS1123_SUBDOMAIN_RULE.test(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`)).toBe(true);
    expect(DNS1123_SUBDOMAIN_RULE.test(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`)).toBe(false);
  });
});

describe('labels and annotations: kubernetes/apimachinery content/kube.go (IsLabelKey, IsLabelValue), objectmeta.go (ValidateAnnotations)', () => {
  test.each([
    ['app.kubernetes.io/name', true],
    ['example.com/MyName', true],
    ['MyName', true],
    ['my.name-1_x', true],
    ['a', true],
    ['', false],
    ['/name', false],
    ['example.com/', false],
    ['Example.com/name', false],
    ['a/b/c', false],
    ['-name', false],
    ['name-', false],
    ['with space', false],
    [`example.com/${'n'.repeat(63)}`, true],
    [`example.com/${'n'.repeat(64)}`, false],
    [`${'p'.repeat(254)}/name`, false],
  ])('label key %j: %s', (key, ok) => {
    expect(LABEL_KEY_RULE.test(key)).toBe(ok);
  });

  test('fails label values over 63, with "/" or spaces, not starting/ending alphanumeric; accepts empty', () => {
    expect(LABEL_VALUE_RULE.test('')).toBe(true);
    expect(LABEL_VALUE_RULE.test('v'.repeat(63))).toBe(true);
    for (const bad of ['v'.repeat(64), 'a/b', 'a b', '-a', 'a.', 'é']) expect(LABEL_VALUE_RULE.test(bad)).toBe(false);
  });

  test('fails annotation keys that are not qualified names, compared in lower case', () => {
    expect(ANNOTATION_KEY_RULE.test('Example.COM/Owner')).toBe(true);
    expect(LABEL_KEY_RULE.test('Example.COM/Owner')).toBe(false);
    for (const bad of ['a b', 'x/y/z', '/x', 'x/']) expect(ANNOTATION_KEY_RULE.test(bad)).toBe(false);
  });

  test('fails annotations over 256 KiB, counting UTF-8 bytes of keys and values (TotalAnnotationSizeLimitB)', () => {
    const key = 'example.com/k';
    expect(ANNOTATIONS_SIZE_RULE.test({ [key]: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES - key.length) })).toBe(true);
    expect(ANNOTATIONS_SIZE_RULE.test({ [key]: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES - key.length + 1) })).toBe(false);
    // "é" is one character and two bytes.
    expect(ANNOTATIONS_SIZE_RULE.test({ [key]: 'é'.repeat((TOTAL_ANNOTATION_SIZE_LIMIT_BYTES - key.length) / 2 + 1) })).toBe(false);
  });
});

describe('containers', () => {
  // The JSON Schema pattern editors use for port names must say what the rule says.
  const schema = JSON.parse(readFileSync(path.join(__dirname, '../../environments/environment.schema.json'), 'utf8')) as unknown;
  const find = (node: unknown, key: string): Record<string, unknown>[] => {
    if (node === null || typeof node !== 'object') return [];
    const o = node as Record<string, unknown>;
    return [...(key in o && typeof o[key] === 'object' ? [o[key] as Record<string, unknown>] : []), ...Object.values(o).flatMap((v) => find(v, key))];
  };
  const portNamePattern = new RegExp(
    String(find(schema, 'ports').map((p) => (p['items'] as { properties: { name: { pattern: string } } }).properties.name.pattern)[0]),
  );

  test('fails port names IsValidPortName refuses; the JSON Schema pattern agrees with the rule', () => {
    for (const bad of ['', 'http-management1', '8080', 'http--alt', '-http', 'http-', 'HTTP', 'h_t']) expect(PORT_NAME_RULE.test(bad)).toBe(false);
    for (const ok of ['http', 'h', 'a1', 'grpc-web', 'x'.repeat(15), '8080a']) expect(PORT_NAME_RULE.test(ok)).toBe(true);
    fc.assert(fc.property(fc.stringMatching(/^[-a-z0-9A-Z_]{0,17}$/), (v) => PORT_NAME_RULE.test(v) === portNamePattern.test(v)));
  });

  test('fails repeated port names (validateContainerPorts) and repeated containerPort/protocol (pod warnings, SSA list map key)', () => {
    expect(
      PORT_NAMES_UNIQUE_RULE.test([
        { containerPort: 1, name: 'a' },
        { containerPort: 2, name: 'a' },
      ]),
    ).toBe(false);
    expect(PORT_NAMES_UNIQUE_RULE.test([{ containerPort: 1 }, { containerPort: 2 }])).toBe(true);
    expect(PORT_NUMBERS_UNIQUE_RULE.test([{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }])).toBe(false);
    expect(PORT_NUMBERS_UNIQUE_RULE.test([{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }])).toBe(true);
  });

  test('fails env var names IsEnvVarName refuses, accepts what it accepts', () => {
    for (const bad of ['', '1X', 'A B', 'A=B', '.', '..', '..X', 'é']) expect(ENV_VAR_NAME_RULE.test(bad)).toBe(false);
    for (const ok of ['X', '_x', 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1', '.x', '-x']) expect(ENV_VAR_NAME_RULE.test(ok)).toBe(true);
  });

  test('fails an env list with a repeated name (pod warnings: "hides previous definition")', () => {
    expect(ENV_VAR_NAMES_UNIQUE_RULE.test([{ name: 'A' }, { name: 'B' }, { name: 'A' }])).toBe(false);
    expect(ENV_VAR_NAMES_UNIQUE_RULE.test([{ name: 'A' }, { name: 'a' }])).toBe(true);
  });

  test('fails a relative mount path, one with ".." or ":"', () => {
    for (const bad of ['mnt', '/mnt/../etc', '/a:b', '']) expect(CONTAINER_MOUNT_PATH_RULE.test(bad)).toBe(false);
    expect(CONTAINER_MOUNT_PATH_RULE.test('/mnt/secrets-store')).toBe(true);
  });

  test('fails capability names that are not Linux capabilities; the list is cdk8s-plus-28 Capability', () => {
    expect([...LINUX_CAPABILITIES].sort()).toStrictEqual([...new Set(Object.values(kplus.Capability) as string[])].sort());
    for (const bad of ['all', 'CAP_NET_RAW', 'NET-RAW', '']) expect(CAPABILITY_RULE.test(bad)).toBe(false);
  });
});

describe('quantities: kubernetes/apimachinery pkg/api/resource/quantity.go (ParseQuantity)', () => {
  test.each([
    ['0', 0n],
    ['1', NANO],
    ['100m', 100_000_000n],
    ['0.1', 100_000_000n],
    ['.5', 500_000_000n],
    ['5.', 5n * NANO],
    ['1k', 1000n * NANO],
    ['1Ki', 1024n * NANO],
    ['1.5Gi', 1_610_612_736n * NANO],
    ['129e6', 129_000_000n * NANO],
    ['129M', 129_000_000n * NANO],
    ['1E', 10n ** 18n * NANO],
    ['1E3', 1000n * NANO],
    ['1e-3', 1_000_000n],
    ['+1Mi', 1_048_576n * NANO],
    ['-1', -NANO],
    ['1n', 1n],
    ['1u', 1000n],
    // The API server keeps nine decimals and rounds a non-zero remainder up.
    ['0.0000000001', 1n],
    ['1.0000000001', NANO + 1n],
  ])('%s is %d nano-units', (q, nanos) => {
    expect(quantityNanos(q)).toBe(nanos);
    expect(QUANTITY_RULE.test(q)).toBe(true);
  });

  test.each([['Mi'], [''], ['1.5.5'], ['1e'], ['1Ki2'], [' 1'], ['1 Mi'], ['e3'], ['1KI'], ['1mi'], ['1MB'], ['0x10'], ['1e1000']])('fails %j', (q) => {
    expect(quantityNanos(q)).toBeUndefined();
    expect(QUANTITY_RULE.test(q)).toBe(false);
  });

  const suffixes: [string, bigint][] = [
    ['', 1n],
    ['k', 1000n],
    ['M', 10n ** 6n],
    ['G', 10n ** 9n],
    ['T', 10n ** 12n],
    ['Ki', 1024n],
    ['Mi', 1024n ** 2n],
    ['Gi', 1024n ** 3n],
    ['Ti', 1024n ** 4n],
  ];

  test('a whole number with a suffix is the number times the suffix', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.constantFrom(...suffixes),
        (n, [suffix, factor]) => quantityNanos(`${n}${suffix}`) === n * factor * NANO,
      ),
    );
  });

  test('a decimal exponent and the matching decimal suffix are the same quantity', () => {
    const pairs: [string, number][] = [
      ['m', -3],
      ['k', 3],
      ['M', 6],
      ['G', 9],
      ['T', 12],
      ['P', 15],
      ['E', 18],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 999 }), fc.constantFrom(...pairs), (whole, frac, [suffix, e]) => {
        const number = `${whole}.${String(frac).padStart(3, '0')}`;
        return quantityNanos(`${number}${suffix}`) === quantityNanos(`${number}e${e}`);
      }),
    );
  });

  test('comparison agrees with the numeric value (request within limit iff request ≤ limit)', () => {
    const quantity = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('', 'm', 'k', 'Ki', 'Mi', 'M')).map(([n, s]) => `${n}${s}`);
    const value = (q: string) => Number(quantityNanos(q)!) / 1e9;
    fc.assert(fc.property(quantity, quantity, (request, limit) => REQUEST_WITHIN_LIMIT_RULE.test({ request, limit }) === value(request) <= value(limit)));
  });

  test('fails a request above its limit compared by value (ValidateResourceRequirements), not by text', () => {
    expect(REQUEST_WITHIN_LIMIT_RULE.test({ request: '1Gi', limit: '1000Mi' })).toBe(false);
    expect(REQUEST_WITHIN_LIMIT_RULE.test({ request: '1G', limit: '1Gi' })).toBe(true);
    expect(REQUEST_WITHIN_LIMIT_RULE.test({ request: '0.5', limit: '500m' })).toBe(true);
    expect(REQUEST_WITHIN_LIMIT_RULE.test({ request: '501m', limit: '0.5' })).toBe(false);
  });

  test('fails negative CPU (ValidateResourceQuantityValue) and memory in fractional bytes (pod warnings)', () => {
    expect(CPU_QUANTITY_RULE.test('-1')).toBe(false);
    expect(CPU_QUANTITY_RULE.test('0.001')).toBe(true);
    for (const bad of ['128m', '0.5', '-1Mi', '1.0000000001']) expect(MEMORY_QUANTITY_RULE.test(bad)).toBe(false);
    for (const ok of ['64Mi', '0.5Gi', '1e3', '1000m', '1.5Ki']) expect(MEMORY_QUANTITY_RULE.test(ok)).toBe(true);
  });
});

describe('Secrets: kubernetes/kubernetes pkg/apis/core/validation/validation.go (ValidateSecret)', () => {
  test('fails data keys IsConfigMapKey refuses', () => {
    for (const bad of ['', '.', '..', '..data', 'a/b', 'a b', 'k'.repeat(254), 'é']) expect(SECRET_KEY_RULE.test(bad)).toBe(false);
    for (const ok of ['.dockerconfigjson', 'tls.crt', 'a..b', 'KEY_NAME', 'key-name', 'k'.repeat(253)]) expect(SECRET_KEY_RULE.test(ok)).toBe(true);
  });

  test('fails a typed Secret without the keys its type requires', () => {
    expect(missingSecretKeys('kubernetes.io/tls', ['tls.crt'])).toStrictEqual(['"tls.key"']);
    expect(missingSecretKeys('kubernetes.io/basic-auth', ['token'])).toStrictEqual(['"username" or "password"']);
    expect(missingSecretKeys('kubernetes.io/basic-auth', ['username'])).toStrictEqual([]);
    expect(missingSecretKeys('kubernetes.io/ssh-auth', [])).toStrictEqual(['"ssh-privatekey"']);
    expect(missingSecretKeys('kubernetes.io/dockerconfigjson', ['config.json'])).toStrictEqual(['".dockerconfigjson" (holding the JSON of a Docker config)']);
    expect(missingSecretKeys('Opaque', [])).toStrictEqual([]);
    expect(SECRET_TYPE_KEYS_RULE.test({ type: 'kubernetes.io/ssh-auth', keys: ['id_rsa'] })).toBe(false);
  });
});

describe('Pod Security Standards: kubernetes/pod-security-admission policy/check_*.go', () => {
  /** The pod a SecretsStoreDeployment renders with its defaults: meets restricted. */
  const restricted: PodSpecView = {
    securityContext: { runAsNonRoot: true, runAsUser: 10001 },
    containers: [
      {
        name: 'app',
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 10001,
          privileged: false,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        ports: [{}],
      },
    ],
    volumes: [{ name: 'secrets-store', csi: {} }],
  };
  const withContainer = (sc: NonNullable<PodSpecView['containers'][number]['securityContext']>): PodSpecView => ({
    ...restricted,
    containers: [{ ...restricted.containers[0], securityContext: { ...restricted.containers[0].securityContext, ...sc } }],
  });

  test('the default pod meets restricted', () => {
    expect(podSecurityOf(restricted)).toStrictEqual({ level: 'restricted', failed: [] });
  });

  test.each<[string, PodSpecView, 'baseline' | 'privileged']>([
    ['privileged', withContainer({ privileged: true }), 'privileged'],
    ['hostNamespaces', { ...restricted, hostNetwork: true }, 'privileged'],
    ['hostPorts', { ...restricted, containers: [{ ...restricted.containers[0], ports: [{ hostPort: 80 }] }] }, 'privileged'],
    ['hostPathVolumes', { ...restricted, volumes: [{ name: 'h', hostPath: { path: '/' } }] }, 'privileged'],
    ['capabilities_baseline', withContainer({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }), 'privileged'],
    ['seccompProfile_baseline', withContainer({ seccompProfile: { type: 'Unconfined' } }), 'privileged'],
    ['restrictedVolumes', { ...restricted, volumes: [{ name: 'n', nfs: {} }] }, 'baseline'],
    ['allowPrivilegeEscalation', withContainer({ allowPrivilegeEscalation: true }), 'baseline'],
    ['runAsNonRoot', { ...withContainer({ runAsNonRoot: false }), securityContext: { runAsUser: 10001 } }, 'baseline'],
    ['runAsUser', { ...withContainer({ runAsUser: 0, runAsNonRoot: false }), securityContext: { runAsNonRoot: false, runAsUser: 0 } }, 'baseline'],
    ['capabilities_restricted', withContainer({ capabilities: { drop: ['NET_RAW'] } }), 'baseline'],
  ])('fails check %s', (id, pod, level) => {
    const result = podSecurityOf(pod);
    expect(result.failed.map((c) => c.subject)).toContain(`Pod Security check ${id}`);
    expect(result.failed.find((c) => c.subject === `Pod Security check ${id}`)!.source).toBe(`kubernetes/pod-security-admission policy/check_${id}.go`);
    expect(result.level).toBe(level);
  });

  test('seccomp: RuntimeDefault or Localhost at pod level covers containers that set none; a container-level Unconfined fails', () => {
    const podLevel: PodSpecView = {
      ...withContainer({ seccompProfile: undefined }),
      securityContext: { ...restricted.securityContext, seccompProfile: { type: 'Localhost' } },
    };
    expect(podSecurityOf(podLevel).level).toBe('restricted');
    expect(podSecurityOf({ ...withContainer({ seccompProfile: undefined }) }).failed.map((c) => c.subject)).toStrictEqual([
      'Pod Security check seccompProfile_restricted',
    ]);
  });

  test('restricted allows adding NET_BIND_SERVICE only; runAsNonRoot at pod level covers containers that do not say', () => {
    expect(podSecurityOf(withContainer({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })).level).toBe('restricted');
    expect(podSecurityOf(withContainer({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } })).level).toBe('baseline');
    expect(podSecurityOf(withContainer({ runAsNonRoot: undefined })).level).toBe('restricted');
  });

  test('namespace labels enforce the weakest level and keep warn/audit at restricted', () => {
    expect(weakestLevel([])).toBe('restricted');
    expect(weakestLevel(['restricted', 'baseline'])).toBe('baseline');
    expect(weakestLevel(['baseline', 'privileged', 'restricted'])).toBe('privileged');
    expect(podSecurityLabelsFor('baseline')).toStrictEqual({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('every check has one test above', () => {
    expect(POD_SECURITY_CHECKS.map((c) => c.subject.replace('Pod Security check ', '')).sort()).toStrictEqual(
      [
        'allowPrivilegeEscalation',
        'capabilities_baseline',
        'capabilities_restricted',
        'hostNamespaces',
        'hostPathVolumes',
        'hostPorts',
        'privileged',
        'restrictedVolumes',
        'runAsNonRoot',
        'runAsUser',
        'seccompProfile_baseline',
        'seccompProfile_restricted',
      ].sort(),
    );
  });
});

describe('GitOps tools', () => {
  test('fails Flux intervals the Kustomization CRD pattern refuses (fluxcd/kustomize-controller api/v1 kustomization_types.go)', () => {
    for (const bad of ['10 min', '500us', '1ns', '.5m', '1d', '-1m', '', '1.m']) expect(FLUX_DURATION_RULE.test(bad)).toBe(false);
    for (const ok of ['10m', '1h30m', '1.5h', '500ms', '0s']) expect(FLUX_DURATION_RULE.test(ok)).toBe(true);
  });

  test('fails Argo CD clusters that are neither an http(s) server URL nor a name (argoproj/argo-cd ApplicationDestination)', () => {
    for (const bad of ['', 'aks prod', 'ftp://aks', 'https://', 'tab\tname']) expect(ARGOCD_CLUSTER_RULE.test(bad)).toBe(false);
    for (const ok of ['in-cluster', 'aks-prod', 'https://kubernetes.default.svc', 'https://10.0.0.1:6443', 'http://k'])
      expect(ARGOCD_CLUSTER_RULE.test(ok)).toBe(true);
  });

  // argoproj/argo-cd util/argo/argo.go GetDestinationServer: server or name, never both.
  test('an Argo CD destination is a server for a URL, a name otherwise, the cluster Argo CD runs in by default', () => {
    expect(argoCdDestination(undefined)).toEqual({ server: 'https://kubernetes.default.svc' });
    expect(argoCdDestination('https://aks.example:443')).toEqual({ server: 'https://aks.example:443' });
    expect(argoCdDestination('aks-prod')).toEqual({ name: 'aks-prod' });
  });

  test('fails Argo CD projects no AppProject can be named (argoproj/argo-cd ApplicationSpec.Project)', () => {
    for (const bad of ['Team', 'a_b', '', 'x'.repeat(254)]) expect(ARGOCD_PROJECT_RULE.test(bad)).toBe(false);
    expect(ARGOCD_PROJECT_RULE.test('default')).toBe(true);
  });

  test('fails repository paths that are absolute or climb out (argoproj/argo-cd util/app/path Path)', () => {
    for (const bad of ['/dist', '../x', 'a/../../b', '..', '', ' ']) expect(GITOPS_PATH_RULE.test(bad)).toBe(false);
    for (const ok of ['dist/prod', './dist/prod', 'a..b']) expect(GITOPS_PATH_RULE.test(ok)).toBe(true);
  });
});
