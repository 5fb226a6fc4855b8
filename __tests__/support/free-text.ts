/**
 * Every free-text field of the environment schema, found by walking the generated JSON Schema
 * (so a field added to lib/config/schema.ts is covered without touching the tests), and
 * complete environment documents to put hostile text into one field at a time.
 *
 * Also what the tests know of Terraform's template syntax: scanning the template sequences of a
 * string, and decoding a string to the text Terraform reads from it.
 */
import fc from 'fast-check';
import { environmentJsonSchema } from '../../lib/config/json-schema';

/** One step of a path: a property, array element 0, or a record's key (`KEY`) or value (`VALUE`). */
export type Step = string | 0 | typeof KEY | typeof VALUE;
export const KEY = Symbol('record key');
export const VALUE = Symbol('record value');

export interface StringField {
  readonly path: readonly Step[];
  /** Discriminators the field's branch needs: `cluster.mode` → `existing`. */
  readonly branch: Readonly<Record<string, string>>;
  /** The field has a JSON Schema `pattern` (the schema restricts it). */
  readonly patterned: boolean;
}

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
};

export function formatSteps(path: readonly Step[]): string {
  return path
    .map((s) => (s === KEY ? '<key>' : s === VALUE ? '<value>' : s === 0 ? '[0]' : `.${s}`))
    .join('')
    .replace(/^\./, '');
}

/** Every string field (not an enum or a constant) of the environment schema, with the union branch it lives in. */
export function environmentStringFields(): StringField[] {
  const schema = JSON.parse(environmentJsonSchema()) as JsonSchema;
  const out: StringField[] = [];
  const walk = (s: JsonSchema, path: Step[], branch: Record<string, string>): void => {
    for (const option of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) {
      const discriminators = Object.entries(option.properties ?? {}).filter(([, p]) => typeof p.const === 'string');
      const own = Object.fromEntries(discriminators.map(([k, p]) => [formatSteps([...path, k]), p.const as string]));
      walk(option, path, { ...branch, ...own });
    }
    if (s.type === 'string' && s.enum === undefined && s.const === undefined) {
      const patterned = s.pattern !== undefined || (s.allOf ?? []).some((a) => a.pattern !== undefined);
      out.push({ path, branch, patterned });
      return;
    }
    if (s.type === 'object') {
      for (const [k, p] of Object.entries(s.properties ?? {})) walk(p, [...path, k], branch);
      if (typeof s.additionalProperties === 'object') {
        walk(s.propertyNames ?? { type: 'string' }, [...path, KEY], branch);
        walk(s.additionalProperties, [...path, VALUE], branch);
      }
    }
    if (s.type === 'array' && s.items) walk(s.items, [...path, 0], branch);
  };
  walk(schema, [], {});
  return out;
}

/**
 * Complete environments, between them in every union branch and with every optional field
 * set to a valid value, so that replacing one field changes only that field.
 */
export function baseDocuments(): Record<string, unknown>[] {
  const workload = (name: string, namespace: string) => ({
    name,
    namespace,
    serviceAccount: `${name}-sa`,
    objects: [
      {
        name: 'db-password',
        type: 'secret',
        alias: 'db_password',
        version: '0123456789abcdef0123456789abcdef',
        format: 'pem',
        encoding: 'utf-8',
        filePermission: '0440',
        versionHistory: 1,
      },
    ],
    secretObjects: [
      { secretName: 'db', type: 'Opaque', data: [{ objectName: 'db_password', key: 'password' }], labels: { team: 'a' }, annotations: { note: 'x' } },
    ],
    deployment: {
      image: 'ghcr.io/example/app:1.0.0',
      command: ['/app'],
      args: ['--serve'],
      ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
      env: [{ name: 'GREETING', value: 'hello' }],
      envFromSyncedSecret: [{ name: 'DB_PASSWORD', secretName: 'db', key: 'password' }],
      reloaderAnnotation: true,
      replicas: 1,
      mountPath: '/mnt/secrets-store',
      workloadIdentityLabel: true,
      resources: { cpuRequest: '50m', cpuLimit: '1', memoryRequest: '64Mi', memoryLimit: '128Mi' },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        dropCapabilities: ['ALL'],
        seccompProfile: 'RuntimeDefault',
      },
      labels: { team: 'a' },
      annotations: { note: 'x' },
      livenessProbe: { port: 'http', path: '/healthz', initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 },
      networkPolicy: {
        enabled: true,
        reason: 'kept with the policy on, to carry a reason',
        allowFromNamespaces: ['ingress'],
        allowFromPodLabels: { role: 'frontend' },
      },
      podDisruptionBudget: { maxUnavailable: 1 },
      spreadAcrossZones: true,
      readinessProbe: { port: 8080, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 2 },
    },
  });
  const subnet = (name: string) =>
    `/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/${name}`;
  const hubZone =
    '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net';
  const workspace =
    '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-platform';
  const monitorWorkspace = '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-monitoring/providers/Microsoft.Monitor/accounts/amw-platform';
  const actionGroup = '/subscriptions/00000000-0000-0000-0000-0000000000b0/resourceGroups/rg-monitoring/providers/Microsoft.Insights/actionGroups/ag-platform';
  const reason = 'kept with the default on, to carry a reason';
  const hardening = {
    networkPlugin: 'azure-overlay',
    networkPolicy: { engine: 'cilium', reason },
    entraId: { azureRbac: true, adminGroupObjectIds: ['00000000-0000-0000-0000-0000000ad001'], reason },
    localAccounts: { enabled: false, reason },
    apiServer: { authorizedIpRanges: ['203.0.113.0/24'], private: false },
    upgrades: { automatic: 'patch', nodeOs: 'NodeImage', reason },
    skuTier: 'Standard',
    containerInsights: true,
    defender: true,
  };
  const common = {
    $schema: './environment.schema.json',
    azure: {
      location: 'westeurope',
      resourceGroup: { name: 'rg-free-text', create: true },
      subscriptionId: '00000000-0000-0000-0000-00000000cafe',
      cloud: 'public',
      tags: { owner: 'platform' },
    },
    identity: { mode: 'per-workload', roleScope: 'object', role: 'least-privilege', propagationWait: '30s' },
    workloads: [workload('app', 'apps')],
  };
  // A workload that also reads one object of an additional vault (its own SecretProviderClass and mount).
  const readsExtra = (vault: string) => [
    { ...workload('app', 'apps'), objects: [...workload('app', 'apps').objects, { name: 'extra-token', type: 'secret', alias: 'extra_token', vault }] },
  ];
  const createBase = (over: Record<string, unknown>): Record<string, unknown> => ({
    ...common,
    ...over,
    cluster: {
      mode: 'create',
      name: 'aks-free-text',
      kubernetesVersion: '1.32',
      dnsPrefix: 'aksfree',
      systemNodePool: { vmSize: 'Standard_D2s_v5', nodeCount: 1 },
      networkPlugin: 'azure',
      networkPolicy: { engine: 'azure' },
      oidcIssuer: true,
      workloadIdentity: true,
      secretsProvider: { rotation: { enabled: true, interval: '2m' } },
    },
    keyVault: { mode: 'create', name: 'kv-free-text' },
    state: { backend: 'local', path: 'state/free-text.tfstate' },
  });
  const sharedObject = { name: 'shared-token', type: 'secret', alias: 'token', version: '0123456789abcdef0123456789abcdef', encoding: 'base64' };
  // The delivery engines that write a Secret: objects[0] splits a JSON secret (external-secrets
  // only, and without alias, format or versionHistory, which that engine refuses).
  const engines = [
    createBase({
      workloads: [
        {
          ...workload('app', 'apps'),
          delivery: { engine: 'external-secrets', refreshInterval: '1h' },
          objects: [{ name: 'db', type: 'secret', version: '0123456789abcdef0123456789abcdef', properties: [{ property: 'password', key: 'db_password' }] }],
        },
      ],
      sharedSecrets: {
        engine: 'external-secrets',
        namespace: 'shared',
        serviceAccount: 'shared-sa',
        refreshInterval: '1h',
        secrets: [
          {
            secretName: 'shared',
            type: 'Opaque',
            namespaces: ['apps'],
            objects: [{ name: 'shared-json', type: 'secret', properties: [{ property: 'token', key: 'token' }] }],
          },
        ],
      },
    }),
    createBase({
      workloads: [{ ...workload('app', 'apps'), delivery: { engine: 'secret-sync' } }],
      sharedSecrets: {
        engine: 'secret-sync',
        serviceAccount: 'shared-sa',
        secrets: [{ secretName: 'shared', type: 'Opaque', namespaces: ['apps'], objects: [sharedObject] }],
      },
      engines: { secretSync: { rotationPollInterval: '12h' } },
      monitoring: { prometheus: 'azure-managed', workspace: { mode: 'create', name: 'amw-free-text' } },
    }),
  ];
  return [
    {
      ...common,
      cluster: {
        mode: 'create',
        name: 'aks-free-text',
        kubernetesVersion: '1.32',
        dnsPrefix: 'aksfree',
        systemNodePool: { vmSize: 'Standard_D2s_v5', nodeCount: 1, zones: ['1', '2', '3'] },
        network: { mode: 'create', addressSpace: '10.224.0.0/16', nodeSubnet: '10.224.0.0/20', privateEndpointSubnet: '10.224.16.0/28' },
        ...hardening,
        oidcIssuer: true,
        workloadIdentity: true,
        secretsProvider: { rotation: { enabled: true, interval: '2m' } },
      },
      keyVault: {
        mode: 'create',
        name: 'kv-free-text',
        sku: 'standard',
        purgeProtection: true,
        softDeleteRetentionDays: 90,
        publicNetworkAccess: true,
        networkAcls: {
          defaultAction: 'Deny',
          bypass: 'AzureServices',
          ipRules: ['203.0.113.0/24'],
          virtualNetworkSubnetIds: [subnet('aks-nodes')],
        },
        privateEndpoint: { subnetId: subnet('private-endpoints'), dnsZone: { mode: 'create' } },
        auditLogs: true,
      },
      logAnalytics: { mode: 'create', name: 'log-free-text', retentionDays: 30 },
      state: { backend: 'local', path: 'state/free-text.tfstate' },
      output: {
        namespaces: true,
        gitops: {
          tool: 'argocd',
          repoURL: 'https://example.com/gitops.git',
          path: 'clusters/free-text',
          targetRevision: 'main',
          namespace: 'argocd',
          project: 'default',
        },
        reloader: { namespace: 'reloader', chartVersion: '2.2.16' },
      },
      monitoring: {
        prometheus: 'operator',
        selectorLabels: { release: 'kube-prometheus-stack' },
        scrapeInterval: '30s',
        alertFor: '5m',
        keyVaultLatencySeconds: 2,
        keyVaultThrottlingAlert: true,
        actionGroupId: actionGroup,
      },
    },
    {
      ...common,
      cluster: {
        mode: 'create',
        name: 'aks-free-text',
        kubernetesVersion: '1.32',
        dnsPrefix: 'aksfree',
        systemNodePool: { vmSize: 'Standard_D2s_v5', nodeCount: 1 },
        network: { mode: 'existing', nodeSubnetId: subnet('aks-nodes'), privateEndpointSubnetId: subnet('private-endpoints') },
        ...hardening,
        oidcIssuer: true,
        workloadIdentity: true,
        secretsProvider: { rotation: { enabled: true, interval: '2m' } },
      },
      keyVault: {
        mode: 'create',
        name: 'kv-free-text',
        sku: 'standard',
        purgeProtection: true,
        softDeleteRetentionDays: 90,
        publicNetworkAccess: false,
        networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [], virtualNetworkSubnetIds: [] },
        privateEndpoint: { subnetId: subnet('private-endpoints'), dnsZone: { mode: 'existing', id: hubZone, linkVirtualNetwork: true } },
        auditLogs: true,
      },
      additionalVaults: [
        {
          mode: 'create',
          name: 'kv-free-extra',
          sku: 'standard',
          purgeProtection: true,
          softDeleteRetentionDays: 90,
          publicNetworkAccess: true,
          // Allow: a Deny firewall here would add the node subnet's service-endpoint postcondition, which this base (public access off on keyVault) never had.
          networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: ['203.0.113.0/24'], virtualNetworkSubnetIds: [subnet('aks-nodes')] },
          auditLogs: true,
          mountPath: '/mnt/secrets-extra',
        },
      ],
      workloads: readsExtra('kv-free-extra'),
      logAnalytics: { mode: 'existing', id: workspace },
      state: { backend: 'azurerm', resourceGroup: 'rg-tfstate', storageAccount: 'sttfstate', container: 'tfstate', key: 'free-text.tfstate' },
      output: {
        namespaces: true,
        gitops: { tool: 'flux', sourceRef: 'gitops', path: 'clusters/free-text', namespace: 'flux-system', interval: '10m' },
        reloader: { namespace: 'reloader', chartVersion: '2.2.16' },
      },
      monitoring: {
        prometheus: 'azure-managed',
        workspace: { mode: 'existing', id: monitorWorkspace },
        scrapeInterval: '30s',
        alertFor: '5m',
        actionGroupId: actionGroup,
      },
    },
    {
      ...common,
      cluster: {
        mode: 'existing',
        name: 'aks-free-text',
        resourceGroup: 'rg-aks',
        oidcIssuer: true,
        workloadIdentity: true,
        secretsProvider: { rotation: { enabled: true, interval: '2m' } },
        network: { mode: 'existing', nodeSubnetId: subnet('aks-nodes'), privateEndpointSubnetId: subnet('private-endpoints') },
      },
      keyVault: {
        mode: 'existing',
        name: 'kv-free-text',
        resourceGroup: 'rg-kv',
        subscriptionId: '00000000-0000-0000-0000-0000000000c0',
        privateEndpoint: { subnetId: subnet('private-endpoints'), dnsZone: { mode: 'existing', id: hubZone, linkVirtualNetwork: true } },
      },
      additionalVaults: [
        {
          mode: 'existing',
          name: 'kv-free-shared',
          resourceGroup: 'rg-shared',
          subscriptionId: '00000000-0000-0000-0000-0000000000c1',
          mountPath: '/mnt/secrets-shared',
        },
      ],
      workloads: readsExtra('kv-free-shared'),
      logAnalytics: { mode: 'existing', id: workspace },
      state: { backend: 'azurerm', resourceGroup: 'rg-tfstate', storageAccount: 'sttfstate', container: 'tfstate', key: 'free-text.tfstate' },
      output: {
        namespaces: true,
        gitops: { tool: 'flux', sourceRef: 'gitops', path: 'clusters/free-text', namespace: 'flux-system', interval: '10m' },
        reloader: { namespace: 'reloader', chartVersion: '2.2.16' },
      },
    },
    ...engines,
  ];
}

/** Whether every step but the last of `path` exists in `doc` (so `setAt` can put a text there). */
export function hasParent(doc: unknown, path: readonly Step[]): boolean {
  let cur = doc;
  for (const step of path.slice(0, -1)) {
    if (step === KEY || step === VALUE) return false;
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur !== null && typeof cur === 'object';
}

/** The value at a dotted path (as `formatSteps` writes it, without record steps) in `doc`. */
export function valueAtPath(doc: unknown, dotted: string): unknown {
  return dotted
    .replace(/\[0\]/g, '.0')
    .split('.')
    .reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), doc);
}

/** The base document in `field`'s union branch (a fresh copy). */
export function baseFor(field: StringField): Record<string, unknown> {
  const base = baseDocuments().find((b) => Object.entries(field.branch).every(([p, v]) => valueAtPath(b, p) === v) && hasParent(b, field.path));
  if (base === undefined) throw new Error(`no base document in branch ${JSON.stringify(field.branch)} for ${formatSteps(field.path)}`);
  return base;
}

/** The base document of `field`'s branch, with `text` put into the field. */
export function documentWith(field: StringField, text: string): Record<string, unknown> {
  const doc = baseFor(field);
  setAt(doc, field.path, text);
  return doc;
}

/**
 * Puts `text` at `path` inside `target` (a document or a parsed config): into the field,
 * element 0 of an array, or a record as a new key (`KEY`) or as every value (`VALUE`).
 * Throws when the field's parent does not exist, so the harness never builds a half object.
 */
export function setAt(target: unknown, path: readonly Step[], text: string): void {
  let cur = target as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i];
    if (step === KEY || step === VALUE) throw new Error(`record step inside ${formatSteps(path)}`);
    const next = cur[step];
    if (next === null || typeof next !== 'object') throw new Error(`${formatSteps(path.slice(0, i + 1))} is not set in the base document`);
    cur = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (last === KEY) cur[text] = 'value';
  else if (last === VALUE) for (const k of Object.keys(cur)) cur[k] = text;
  else cur[last] = text;
}

// ---------------------------------------------------------------------------------------------
// Terraform template syntax

export interface TemplateSequence {
  readonly kind: 'interpolation' | 'directive';
  /** The text between `${` (or `%{`) and the matching `}`. */
  readonly expression: string;
}

/** Walks a Terraform template: literal text (escapes resolved) and sequences, in order. */
function scan(s: string, literal: (text: string) => void, sequence: (seq: TemplateSequence) => void): void {
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i) || s.startsWith('%%{', i)) {
      literal(`${s[i]}{`);
      i += 3;
    } else if (s.startsWith('${', i) || s.startsWith('%{', i)) {
      let j = i + 2;
      let depth = 1;
      let quoted = false;
      while (j < s.length && depth > 0) {
        const c = s[j];
        if (quoted) {
          if (c === '\\') j++;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === '{') depth++;
        else if (c === '}') depth--;
        j++;
      }
      sequence({ kind: s[i] === '$' ? 'interpolation' : 'directive', expression: s.slice(i + 2, j - 1) });
      i = j;
    } else {
      literal(s[i]);
      i++;
    }
  }
}

/** The template sequences Terraform evaluates in `s`. */
export function templateSequences(s: string): TemplateSequence[] {
  const out: TemplateSequence[] = [];
  scan(
    s,
    () => undefined,
    (seq) => out.push(seq),
  );
  return out;
}

/** The text Terraform reads from `s` where it holds no reference: escapes resolved, `${"T"}` read as `T`, references as `«ref»`. */
export function decodeTemplate(s: string): string {
  let out = '';
  scan(
    s,
    (t) => (out += t),
    (seq) => (out += seq.kind === 'interpolation' && /^"[^"\\]*"$/.test(seq.expression) ? seq.expression.slice(1, -1) : '«ref»'),
  );
  return out;
}

/**
 * Expressions the stacks write themselves: references to our resources and data sources,
 * `self` in postconditions, `join`/`length`/`try` calls, and the constant `"T"` that breaks up a
 * cdktf token marker in literal text (stacks/terraform-literal.ts).
 */
const OWN_EXPRESSION = /^(?:(?:data\.)?(?:azurerm|time)_[a-z_]+\.[A-Za-z0-9_-]+(?:\.[a-z_]+)+|self\.[\s\S]+|(?:join|length|try)\([\s\S]*\)[\s\S]*|"T")$/;

/** Every string of a synthesized stack (keys included), with where it is; backend settings apart. */
export function terraformStrings(json: unknown): { where: string; text: string; backend: boolean }[] {
  const out: { where: string; text: string; backend: boolean }[] = [];
  const walk = (v: unknown, where: string, backend: boolean): void => {
    if (typeof v === 'string') out.push({ where, text: v, backend });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`, backend));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const at = where ? `${where}.${k}` : k;
        out.push({ where: `${at} (key)`, text: k, backend });
        walk(x, at, backend || at === 'terraform.backend');
      }
    }
  };
  walk(json, '', false);
  return out;
}

/**
 * What is wrong with how `hostile` reached a synthesized stack: a sequence Terraform would
 * evaluate that we did not write, a place that does not read back as the whole text, or the
 * text in a backend setting (read literally, so never allowed there). Empty when all is well.
 */
export function literalProblems(json: unknown, hostile: string, sentinel: string): string[] {
  const problems: string[] = [];
  for (const { where, text, backend } of terraformStrings(json)) {
    if (backend) {
      if (text.includes(sentinel)) problems.push(`${where}: user text in a backend setting: ${JSON.stringify(text)}`);
      continue;
    }
    for (const seq of templateSequences(text)) {
      if (seq.kind === 'directive' || !OWN_EXPRESSION.test(seq.expression) || seq.expression.includes(sentinel)) {
        problems.push(`${where}: Terraform would evaluate ${seq.kind === 'directive' ? '%' : '$'}{${seq.expression}} in ${JSON.stringify(text)}`);
      }
    }
    // Derived names may spell the text differently, never partly evaluated: federated credential
    // names write "." as "_" (lib/model.ts federatedCredentialName), vault URIs are lower case.
    const readBack = decodeTemplate(text).toLowerCase();
    const spellings = [hostile, hostile.replace(/\./g, '_')].map((h) => h.toLowerCase());
    if (text.toLowerCase().includes(sentinel.toLowerCase()) && !spellings.some((h) => readBack.includes(h))) {
      problems.push(`${where}: reads back as ${JSON.stringify(decodeTemplate(text))}, which does not hold the text as written`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Text that means something to a terminal, Markdown, HTML or Mermaid

/** Pieces that mean something to a terminal, Markdown, HTML or Mermaid. */
const HOSTILE_UNITS = [
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001b',
  '\u001b[31m',
  '\u001b[2J',
  '\u001b]8;;https://evil.example\u0007',
  '\u009b',
  '\u007f',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\ud800',
  '`',
  '```',
  '|',
  '<',
  '>',
  '&',
  '"',
  "'",
  '#',
  ';',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '*',
  '_',
  '~',
  '$',
  '\\',
  '!',
  '%%',
  '-->',
  'end',
  '<br/>',
  '<script>',
  '#quot;',
  '&lt;',
  ' ',
  'a',
  'é',
  '🙂',
];
export const hostileText = fc.string({ unit: fc.constantFrom(...HOSTILE_UNITS), maxLength: 16 });
