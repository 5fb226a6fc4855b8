/**
 * The defaults the loader resolves are the ones the JSON Schema publishes, so editors,
 * docs/CONFIGURATION.md and the `init` template (all generated from it) show what the tool does.
 * Walking the schema, every `default` is compared with what the loader returns for a file that
 * leaves the field out; no default value is repeated here. The security-relevant defaults are
 * product promises, so they are also asserted by value.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { alternativesOf, discriminatorOf, environmentJsonSchemaDocument, fieldsOf, hasFields, type JsonSchema } from '../../../lib/config/json-schema';
import type { EnvironmentConfig } from '../../../lib/config/schema';
import { schemaFields, fieldAt } from '../../support/schema-fields';
import { load, MINIMAL, minimalVariant, ROOT, type Doc } from '../../support/config';

const SCHEMA = environmentJsonSchemaDocument();
const defaultOf = (p: string): unknown => fieldAt(SCHEMA, p).schema.default;

/** One field the file left out: the schema's default, and what the loader resolved. */
interface Resolved {
  readonly path: string;
  readonly schemaDefault: unknown;
  readonly resolved: unknown;
}

/**
 * The fields `written` leaves out, walked along the schema and the loader's result (paths as
 * `schemaFields` names them). A field without a default must stay unset, unless the default of
 * an enclosing object (`inherited`, such as `state`'s) sets it.
 */
function leftOut(node: JsonSchema, written: Doc, resolved: Doc, prefix: string, inherited?: Doc): Resolved[] {
  const discriminator = discriminatorOf(node);
  const index = discriminator ? discriminator.values.indexOf(resolved?.[discriminator.name]) : 0;
  const alternative = alternativesOf(node)[index];
  const at = discriminator ? `${prefix}{${discriminator.name}=${String(discriminator.values[index])}}` : prefix;
  const out: Resolved[] = [];
  for (const field of fieldsOf(alternative)) {
    const p = at === '' ? field.name : `${at}.${field.name}`;
    const w = written?.[field.name];
    const r = resolved?.[field.name];
    const expected = field.schema.default ?? inherited?.[field.name];
    if (w === undefined) out.push({ path: p, schemaDefault: expected, resolved: r });
    if (r === undefined) continue;
    if (hasFields(alternativesOf(field.schema)[0])) out.push(...leftOut(field.schema, w, r, p, w === undefined ? expected : undefined));
    const items = field.schema.items;
    // A list of objects, or of alternatives (additionalVaults: mode create or existing).
    if (items !== undefined && (hasFields(items) || discriminatorOf(items) !== undefined))
      (r as Doc[]).forEach((item, i) => out.push(...leftOut(items, w?.[i], item, `${p}[]`)));
  }
  return out;
}

const HUB_ZONE =
  '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net';
const NODE_SUBNET =
  '/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/aks-nodes';

/** Files that together reach every default: the minimal one, and variants for the alternatives and list items. */
const FILES: readonly (readonly [string, string])[] = [
  ['the minimal file', MINIMAL],
  [
    'partial sections',
    minimalVariant((d) => {
      d.cluster.secretsProvider = { rotation: { interval: '5m' } };
      d.keyVault.networkAcls = { defaultAction: 'Deny' };
      d.identity = { roleScope: 'object' };
      d.workloads[0].deployment.resources = { cpuLimit: '1' };
      d.workloads[0].deployment.securityContext = { runAsUser: 1000 };
      d.workloads[0].deployment.ports = [{ containerPort: 53 }];
      d.output = { gitops: { tool: 'argocd', repoURL: 'https://example.com/r.git' } };
    }),
  ],
  ['Flux, with Reloader', minimalVariant((d) => (d.output = { gitops: { tool: 'flux', sourceRef: 'flux-system' }, reloader: {} }))],
  [
    'an existing cluster and vault',
    minimalVariant((d) => {
      d.cluster = { mode: 'existing', name: 'aks-shared', oidcIssuer: true, workloadIdentity: true };
      d.keyVault = { mode: 'existing', name: 'kv-shared' };
    }),
  ],
  [
    'the external-secrets engine and shared secrets',
    minimalVariant((d) => {
      d.workloads[0].delivery = { engine: 'external-secrets' };
      d.sharedSecrets = { engine: 'external-secrets', secrets: [{ secretName: 'shared', namespaces: ['apps'], objects: [{ name: 'token', type: 'secret' }] }] };
    }),
  ],
  [
    'shared secrets through the Secrets Store Sync Controller',
    minimalVariant(
      (d) =>
        (d.sharedSecrets = { engine: 'secret-sync', secrets: [{ secretName: 'shared', namespaces: ['apps'], objects: [{ name: 'token', type: 'secret' }] }] }),
    ),
  ],
  [
    'a private vault in a created network, with a workspace',
    minimalVariant((d) => {
      d.cluster.network = { mode: 'create' };
      d.keyVault.privateEndpoint = {};
      d.logAnalytics = { mode: 'create', name: 'log-app' };
      d.workloads[0].deployment.livenessProbe = { port: 8080 };
      d.workloads[0].deployment.readinessProbe = { port: 8080, path: '/ready' };
    }),
  ],
  [
    'a private vault registered in an existing (hub) zone',
    minimalVariant((d) => {
      d.cluster.network = { mode: 'create' };
      d.keyVault.privateEndpoint = { dnsZone: { mode: 'existing', id: HUB_ZONE } };
    }),
  ],
  [
    'an existing cluster in existing subnets, an existing vault behind a private endpoint',
    minimalVariant((d) => {
      d.cluster = { mode: 'existing', name: 'aks-shared', oidcIssuer: true, workloadIdentity: true, network: { mode: 'existing', nodeSubnetId: NODE_SUBNET } };
      d.keyVault = { mode: 'existing', name: 'kv-shared', privateEndpoint: {} };
    }),
  ],
  [
    'an existing vault registered in an existing (hub) zone',
    minimalVariant((d) => {
      d.cluster = { mode: 'existing', name: 'aks-shared', oidcIssuer: true, workloadIdentity: true, network: { mode: 'existing', nodeSubnetId: NODE_SUBNET } };
      d.keyVault = { mode: 'existing', name: 'kv-shared', privateEndpoint: { dnsZone: { mode: 'existing', id: HUB_ZONE } } };
    }),
  ],
  ['monitoring on the Prometheus operator', minimalVariant((d) => (d.monitoring = { prometheus: 'operator' }))],
  ['monitoring on managed Prometheus', minimalVariant((d) => (d.monitoring = { prometheus: 'azure-managed', workspace: { mode: 'create', name: 'amw-app' } }))],
  [
    'a created additional vault and an existing one (additionalVaults), each read by an object',
    minimalVariant((d) => {
      d.additionalVaults = [{ name: 'kv-extra' }, { mode: 'existing', name: 'kv-platform' }];
      d.workloads[0].objects.push({ name: 'extra-key', type: 'secret', vault: 'kv-extra' }, { name: 'platform-key', type: 'secret', vault: 'kv-platform' });
    }),
  ],
  [
    'the azurerm backend',
    minimalVariant((d) => (d.state = { backend: 'azurerm', resourceGroup: 'rg-state', storageAccount: 'ststate', container: 'tfstate' })),
  ],
];

const walked = FILES.map(([name, source]) => [name, leftOut(SCHEMA, parse(source), load(source), '')] as const);

describe('defaults: what the loader resolves is what the JSON Schema publishes', () => {
  test.each(walked)('%s: every field left out gets its schema default, or stays unset', (_name, fields) => {
    expect(fields.length).toBeGreaterThan(5);
    const differ = fields.filter((f) => JSON.stringify(f.resolved) !== JSON.stringify(f.schemaDefault));
    expect(differ).toStrictEqual([]);
  });

  test('the files reach every default in the schema', () => {
    const reached = new Set(walked.flatMap(([, fields]) => fields.filter((f) => f.schemaDefault !== undefined).map((f) => f.path)));
    const all = schemaFields(SCHEMA).filter((f) => f.schema.default !== undefined);
    expect(all.length).toBeGreaterThan(45);
    expect(all.map((f) => f.path).filter((p) => !reached.has(p))).toStrictEqual([]);
  });

  test("an object default is its fields' defaults: each value is written once, on its field", () => {
    const composite = schemaFields(SCHEMA).filter((f) => f.schema.default !== undefined && hasFields(f.schema));
    expect(composite.map((f) => f.path)).toContain('workloads[].deployment.securityContext');
    for (const f of composite) {
      const fromFields = Object.fromEntries(fieldsOf(f.schema).flatMap((c) => (c.schema.default !== undefined ? [[c.name, c.schema.default]] : [])));
      expect([f.path, f.schema.default]).toStrictEqual([f.path, fromFields]);
    }
  });

  test('the walk can fail: a default the loader does not apply is reported', () => {
    const config = load(MINIMAL) as Doc;
    config.workloads[0].deployment.replicas = 3;
    const differ = leftOut(SCHEMA, parse(MINIMAL), config, '').filter((f) => JSON.stringify(f.resolved) !== JSON.stringify(f.schemaDefault));
    expect(differ).toStrictEqual([{ path: 'workloads[].deployment.replicas', schemaDefault: defaultOf('workloads[].deployment.replicas'), resolved: 3 }]);
  });

  test('defaults are documented only in the schema (no @default comment in lib/config/schema.ts to drift)', () => {
    const source = readFileSync(path.join(ROOT, 'lib', 'config', 'schema.ts'), 'utf8');
    expect(source.match(/@default\b.*/g) ?? []).toStrictEqual([]);
  });
});

describe('secure defaults (product promises, asserted by value)', () => {
  const config: EnvironmentConfig = load(MINIMAL);
  const deployment = config.workloads[0].deployment;

  test('Key Vault purge protection on', () => {
    expect(config.keyVault.mode === 'create' && config.keyVault.purgeProtection).toBe(true);
  });

  test('least-privilege roles, one identity per workload', () => {
    expect(config.identity).toMatchObject({ role: 'least-privilege', mode: 'per-workload' });
  });

  test('rotation on; OIDC issuer and Workload Identity on', () => {
    expect(config.cluster.secretsProvider.rotation.enabled).toBe(true);
    expect(config.cluster).toMatchObject({ oidcIssuer: true, workloadIdentity: true });
  });

  test('the restricted Pod Security Standard: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(deployment.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      dropCapabilities: ['ALL'],
      seccompProfile: 'RuntimeDefault',
    });
    expect(deployment.securityContext.runAsUser).toBeGreaterThan(0);
  });

  test('hardened workloads: a NetworkPolicy from pods of the cluster, a budget of one pod down, zone and node spreading', () => {
    expect(deployment.networkPolicy).toStrictEqual({ enabled: true, allowFromNamespaces: [], allowFromPodLabels: {} });
    expect(deployment.podDisruptionBudget).toStrictEqual({ maxUnavailable: 1 });
    expect(deployment.spreadAcrossZones).toBe(true);
  });

  test('hardened AKS: Azure CNI Overlay with Cilium, Entra ID with Azure RBAC, no local accounts, patch and NodeImage upgrade channels', () => {
    expect(config.cluster).toMatchObject({
      networkPlugin: 'azure-overlay',
      networkPolicy: { engine: 'cilium' },
      entraId: { azureRbac: true, adminGroupObjectIds: [] },
      localAccounts: { enabled: false },
      apiServer: { authorizedIpRanges: [], private: false },
      upgrades: { automatic: 'patch', nodeOs: 'NodeImage' },
      skuTier: 'Free',
    });
  });

  test('the vault audit log and Container Insights are on whenever a workspace is given', () => {
    expect(config.keyVault.mode === 'create' && config.keyVault.auditLogs).toBe(true);
    expect(config.cluster.mode === 'create' && config.cluster.containerInsights).toBe(true);
  });

  test('nothing synced to Kubernetes Secrets, no environment variables from them', () => {
    expect(config.workloads[0].secretObjects).toStrictEqual([]);
    expect(deployment.envFromSyncedSecret).toStrictEqual([]);
  });
});

describe('overrides', () => {
  test('every default can be overridden, including the secure ones', () => {
    const open = load(
      minimalVariant((d) => {
        d.keyVault.purgeProtection = false;
        d.keyVault.publicNetworkAccess = false;
        // Public access off needs a private endpoint (lib/config/posture-rules.ts privateVaultReachable).
        d.keyVault.privateEndpoint = {};
        d.cluster.network = { mode: 'create' };
        d.cluster.localAccounts = { enabled: true, reason: 'break-glass access while Entra ID is rolled out' };
        d.cluster.entraId = { azureRbac: false, reason: 'Kubernetes RoleBindings of Entra ID groups are managed by the platform team' };
        d.cluster.networkPolicy = { engine: 'none', reason: 'the service mesh enforces who may call whom' };
        d.cluster.upgrades = { automatic: 'none', nodeOs: 'Unmanaged', reason: 'upgrades follow the change calendar' };
        d.cluster.secretsProvider = { rotation: { enabled: false } };
        d.identity = { propagationWait: '0s' };
        d.workloads[0].deployment.workloadIdentityLabel = false;
        d.workloads[0].deployment.replicas = 0;
      }),
    );
    expect(open.keyVault).toMatchObject({ purgeProtection: false, publicNetworkAccess: false });
    expect(open.cluster).toMatchObject({
      localAccounts: { enabled: true },
      entraId: { azureRbac: false },
      networkPolicy: { engine: 'none' },
      upgrades: { automatic: 'none', nodeOs: 'Unmanaged' },
    });
    expect(open.cluster.secretsProvider.rotation).toStrictEqual({
      enabled: false,
      interval: defaultOf('cluster{mode=create}.secretsProvider.rotation.interval'),
    });
    expect(open.identity.propagationWait).toBe('0s');
    expect(open.workloads[0].deployment).toMatchObject({ workloadIdentityLabel: false, replicas: 0 });
  });

  test('a resolved default is a fresh value per file: changing one config does not change the next', () => {
    const first = load(MINIMAL);
    first.workloads[0].deployment.securityContext.dropCapabilities.push('NET_RAW');
    (first.keyVault.mode === 'create' ? first.keyVault.networkAcls.ipRules : []).push('1.2.3.4');
    const second = load(MINIMAL);
    expect(second.workloads[0].deployment.securityContext.dropCapabilities).toStrictEqual(defaultOf('workloads[].deployment.securityContext.dropCapabilities'));
    expect(second.keyVault.mode === 'create' && second.keyVault.networkAcls.ipRules).toStrictEqual([]);
  });
});
