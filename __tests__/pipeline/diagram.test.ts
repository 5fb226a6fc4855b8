/** pipeline/diagram.ts: the TRUST.md Mermaid diagram, checked against the model it draws. */
import { deriveEnvironment } from '../../lib/model';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { EnvironmentSchema } from '../../lib/config/schema';
import type { EnvironmentModel } from '../../lib/model';
import type { OutputsContract } from '../../lib/outputs/contract';
import { hasInvisible } from '../../lib/text';
import { trustDiagram } from '../../pipeline/diagram';
import { baseDocuments, environmentStringFields, formatSteps, hasParent, hostileText, setAt } from '../support/free-text';
import { exampleModel, exampleOutputs, modelFromYaml } from '../support/models';

function example(env: string) {
  return { model: exampleModel(env), outputs: exampleOutputs(env) };
}

/** Node definitions: `id[...]`, `id([...])`, `id[(...)]`, `id{{...}}`, `id[/.../]` at the start of a line. */
function nodeDefinitions(markdown: string): Map<string, string> {
  const defs = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const m = /^\s+(\w+)(\[\(|\(\[|\{\{|\[\/|\[)"(.*?)"/.exec(line);
    if (m && !line.includes('-->') && !line.includes('-.->')) defs.set(m[1], m[3]);
    const edge = /-->(?:\|[^|]*\|)? (\w+)(\[\/|\[)"(.*?)"/.exec(line);
    if (edge) defs.set(edge[1], edge[3]);
  }
  return defs;
}

describe.each(['dev', 'prod'])('%s', (env) => {
  const { model, outputs } = example(env);
  const md = trustDiagram(model, outputs);

  test('draws every link of every workload: ServiceAccount, subject, identity with client id, roles, objects', () => {
    for (const w of model.workloads) {
      expect(md).toContain(`ServiceAccount ${w.serviceAccount}`);
      expect(md).toContain(`subject ${w.subject}`);
      expect(md).toContain(`SecretProviderClass ${w.secretProviderClass}`);
      expect(md).toContain(`client id ${outputs.workloads[w.name].clientId}`);
      for (const o of w.mainObjects) expect(md).toContain(`${o.type} ${o.name}<br/>file ${o.fileName}`);
      // Another vault's objects: under that vault's own mount path, through its own SecretProviderClass.
      for (const m of w.additionalMounts) {
        expect(md).toContain(`SecretProviderClass ${m.secretProviderClass}<br/>vault ${m.vault}`);
        for (const o of m.objects) expect(md).toContain(`${o.type} ${o.name}<br/>file ${m.mountPath}/${o.fileName}`);
      }
    }
    for (const identity of model.identities) {
      expect(md).toContain(`Managed identity ${identity.name}`);
      for (const g of identity.roles) expect(md).toContain(g.role);
    }
    expect(md).toContain(outputs.oidcIssuerUrl);
  });

  test('every node id is defined once and every edge joins defined nodes', () => {
    const defs = nodeDefinitions(md);
    const labels = [...defs.values()];
    expect(new Set(labels).size).toBe(labels.length);
    for (const line of md.split('\n').filter((l) => /-\.?->/.test(l))) {
      const ends = [...line.matchAll(/(?:^\s+|-->(?:\|[^|]*\|)? |-\.->(?:\|[^|]*\|)? )(\w+)/g)].map((m) => m[1]);
      for (const end of ends) expect(defs.has(end) || ['issuer', 'kv', 'addon'].includes(end)).toBe(true);
    }
  });

  test('is deterministic', () => {
    expect(trustDiagram(model, outputs)).toBe(md);
  });
});

describe("engines: TRUST.md follows each workload's delivery engine and shows the shared secrets (issue 16)", () => {
  const { model, outputs } = example('engines');
  const md = trustDiagram(model, outputs);
  const byEngine = (engine: string) => model.workloads.find((w) => w.delivery.engine === engine)!;

  test('csi: the pod mounts the SecretProviderClass and the driver reads it; objects are files', () => {
    const w = byEngine('csi');
    expect(md).toContain(`SecretProviderClass ${w.secretProviderClass}`);
    expect(md).toContain(`| ${w.namespace}/${w.deployment} | CSI mount (SecretProviderClass ${w.secretProviderClass}) |`);
    for (const o of w.objects) expect(md).toContain(`${o.type} ${o.name}<br/>file ${o.fileName}`);
  });

  test("secret-sync: a SecretSync reads through the SecretProviderClass with the ServiceAccount's token and writes the Secret the pod mounts", () => {
    const w = byEngine('secret-sync');
    const secret = w.deliveredSecret!.name;
    const defs = nodeDefinitions(md);
    const node = (label: string) => [...defs.entries()].find(([, l]) => l.startsWith(label))?.[0];
    const [sync, spc, sa, target, pod] = [
      node(`SecretSync ${secret}`),
      node(`SecretProviderClass ${w.secretProviderClass}`),
      node(`ServiceAccount ${w.serviceAccount}`),
      node(`Secret ${secret}`),
      node(`Deployment ${w.deployment}`),
    ];
    expect([sync, spc, sa, target, pod].every((n) => n !== undefined)).toBe(true);
    expect(md).toContain(`${sync} -->|reads through| ${spc}`);
    expect(md).toContain(`${sync} -->|token of| ${sa}`);
    expect(md).toContain(`${sync} -->|writes| ${target}`);
    expect(md).toContain(`${pod} -->|mounts| ${target}`);
    expect(md).not.toContain(`addon -.-> ${spc}`);
    for (const o of w.objects) expect(md).toContain(`${o.type} ${o.name}<br/>key ${o.fileName}`);
    expect(md).toContain(`| SecretSync → Secret ${secret} |`);
  });

  test('external-secrets: an ExternalSecret uses the SecretStore, which presents the ServiceAccount whose annotation names the client id', () => {
    const w = byEngine('external-secrets');
    const secret = w.deliveredSecret!.name;
    const defs = nodeDefinitions(md);
    const node = (label: string) => [...defs.entries()].find(([, l]) => l.startsWith(label))?.[0];
    const [es, store, sa, identity] = [
      node(`ExternalSecret ${secret}`),
      node(`SecretStore ${w.secretStore}`),
      node(`ServiceAccount ${w.serviceAccount}`),
      node(`Managed identity ${model.identities.find((i) => i.key === w.identityKey)!.name}`),
    ];
    expect([es, store, sa, identity].every((n) => n !== undefined)).toBe(true);
    expect(md).toContain(`${es} -->|store| ${store}`);
    expect(md).toContain(`${store} -->|token of| ${sa}`);
    expect(md).toContain(`${sa} -.->|client-id annotation| ${identity}`);
    expect(md).toContain(`refresh every ${w.delivery.engine === 'external-secrets' ? w.delivery.refreshInterval : ''}`);
  });

  test('shared secrets: their identity with its client id, each Secret with its namespaces, and who can read them', () => {
    const shared = model.sharedSecrets!;
    expect(md).toContain(`client id ${outputs.sharedSecrets!.clientId}`);
    expect(md).toContain('## Shared secrets');
    for (const x of shared.secrets) {
      expect(md).toContain(`Secret ${x.name} (${x.type})<br/>in ${x.namespaces.join(', ')}`);
      for (const k of x.keys) expect(md).toContain(`${k.object.type} ${k.object.name}<br/>key ${k.key}`);
    }
    expect(md).toMatch(/Whoever can create pods or ServiceAccount tokens in namespace \S+/);
  });

  test('every node id is defined once and every edge joins defined nodes', () => {
    const defs = nodeDefinitions(md);
    for (const line of md.split('\n').filter((l) => /-\.?->/.test(l))) {
      const ends = [...line.matchAll(/(?:^\s+|-->(?:\|[^|]*\|)? |-\.->(?:\|[^|]*\|)? )(\w+)/g)].map((m) => m[1]);
      for (const end of ends) expect({ line, end, defined: defs.has(end) || ['issuer', 'kv', 'addon'].includes(end) }).toEqual({ line, end, defined: true });
    }
  });
});

test('objects whose names differ only in "-" and "_" get their own nodes; a pinned version is marked', () => {
  const source = `
azure: { location: westeurope, resourceGroup: { name: rg } }
cluster: { name: aks }
keyVault: { name: kv-diagram }
workloads:
  - name: app
    namespace: apps
    objects:
      - { name: db-password, type: secret, alias: db-password }
      - { name: db-password2, type: secret, alias: db_password, version: 0123456789abcdef0123456789abcdef }
    deployment: { image: app:1 }
`;
  const model = modelFromYaml('diagram', source);
  const md = trustDiagram(model);
  expect(md).toContain('secret db-password<br/>file db-password"');
  expect(md).toContain('secret db-password2<br/>file db_password (pinned: not rotated)"');
  const objectNodes = [...nodeDefinitions(md).entries()].filter(([, label]) => label.startsWith('secret '));
  expect(objectNodes).toHaveLength(2);
  expect(new Set(objectNodes.map(([id]) => id)).size).toBe(2);
  expect(md).toContain('client id: after deploy');
});

// ---------------------------------------------------------------------------------------------
// Text from the environment and the outputs file cannot change the document's structure.

const markdownIt = new MarkdownIt({ html: true });

/**
 * The document's structure: Markdown block and inline tokens (text apart), and the Mermaid
 * lines with every quoted label blanked. Two renderings with the same structure differ only in
 * the text of labels, cells and the heading.
 */
function structure(markdown: string): string[] {
  const out: string[] = [];
  for (const t of markdownIt.parse(markdown, {})) {
    if (t.type === 'fence') {
      out.push(`fence ${t.info}`, ...t.content.split('\n').map((line) => line.replace(/"[^"]*"/g, '""')));
      continue;
    }
    out.push(t.type);
    for (const c of t.children ?? []) if (c.type !== 'text') out.push(`  ${c.type} ${c.type === 'html_inline' || c.type === 'code_inline' ? c.content : ''}`);
  }
  return out;
}

/** Duration fields feed arithmetic (rotation load), not text: they stay valid. */
const NOT_TEXT = ['cluster.secretsProvider.rotation.interval', 'identity.propagationWait', 'output.gitops.interval'];
const TEXT_FIELDS = environmentStringFields().filter(
  (f) =>
    !NOT_TEXT.includes(formatSteps(f.path)) &&
    Object.values(f.branch).every((v) => ['create', 'local', 'argocd'].includes(v)) &&
    hasParent(baseDocuments()[0], f.path),
);

/** The model and outputs of the base environment with `texts[i]` in text field i (past the schema), the issuer and the client id. */
function modelWith(texts: readonly string[]): { model: EnvironmentModel; outputs: OutputsContract } {
  const config = EnvironmentSchema.parse(baseDocuments()[0]);
  TEXT_FIELDS.forEach((f, i) => setAt(config, f.path, texts[i]));
  const model = deriveEnvironment(texts[TEXT_FIELDS.length], 'environments/x.yaml', config);
  const outputs = {
    oidcIssuerUrl: texts[TEXT_FIELDS.length + 1],
    workloads: Object.fromEntries(model.workloads.map((w) => [w.name, { clientId: texts[TEXT_FIELDS.length + 2] }])),
  } as unknown as OutputsContract;
  return { model, outputs };
}

test('property: any text in every free-text field, the issuer and the client id leaves TRUST.md one Mermaid block and one table of the same shape, with no HTML but <br/>', () => {
  const count = TEXT_FIELDS.length + 3;
  fc.assert(
    fc.property(fc.array(hostileText, { minLength: count, maxLength: count }), (texts) => {
      // The same model with each distinct text replaced by a plain word: the shape to keep.
      const words = new Map<string, string>();
      const plain = texts.map((t) => words.get(t) ?? (words.set(t, `w${words.size}`), `w${words.size - 1}`));
      const hostile = modelWith(texts);
      const md = trustDiagram(hostile.model, hostile.outputs);
      const benign = modelWith(plain);
      expect(structure(md)).toEqual(structure(trustDiagram(benign.model, benign.outputs)));
      expect(md.split('\n').filter((l) => l.startsWith('```'))).toEqual(['```mermaid', '```']);
      expect(md.replaceAll('<br/>', '')).not.toContain('<');
      expect(md.split('\n').some(hasInvisible)).toBe(false);
    }),
    { numRuns: 150 },
  );
});

describe('values that used to break TRUST.md', () => {
  /** The base environment with `text` in one field (others plain), and this issuer. */
  const withText = (field: string, text: string, issuer = 'https://issuer.example/') =>
    modelWith([...TEXT_FIELDS.map((f): string => (formatSteps(f.path) === field ? text : 'x')), 'dev', issuer, 'client-id']);
  const tokens = (md: string) => markdownIt.parse(md, {});
  /** The rendered text of each cell of each table row (a cell beyond the header's count is dropped by GFM). */
  const cells = (md: string) => {
    const rows: string[][] = [];
    const all = tokens(md);
    all.forEach((t, i) => {
      if (t.type === 'tr_open') rows.push([]);
      if (t.type === 'inline' && ['td_open', 'th_open'].includes(all[i - 1]?.type ?? ''))
        rows[rows.length - 1].push((t.children ?? []).map((c) => c.content).join(''));
    });
    return rows;
  };

  test('a mount path with a line break and a fence cannot close the Mermaid block or add HTML', () => {
    const { model, outputs } = withText('workloads[0].deployment.mountPath', '/mnt/x\n```\n<img src=x onerror=alert(1)>\n```mermaid');
    const md = trustDiagram(model, outputs);
    expect(tokens(md).filter((t) => t.type === 'fence')).toHaveLength(1);
    expect(
      tokens(md)
        .filter((t) => t.type === 'html_block' || t.type === 'html_inline')
        .map((t) => t.content),
    ).toEqual([]);
    expect(md).toContain('mount /mnt/x\\n#96;#96;#96;\\n#60;img src=x onerror=alert(1)#62;');
  });

  test('an alias with "|" and backticks keeps every table row at seven cells', () => {
    const { model, outputs } = withText('workloads[0].objects[0].alias', 'x`|`y|z');
    const [header, row] = cells(trustDiagram(model, outputs));
    expect(header).toHaveLength(7);
    expect(row).toHaveLength(7);
    expect(row[6]).toBe('secret x → x`|`y|z');
  });

  test('an issuer URL with a line break cannot add a Mermaid node', () => {
    const { model, outputs } = withText('', '', 'https://issuer.example/\n  evil[pwned] --> kv');
    const md = trustDiagram(model, outputs);
    expect(md).not.toMatch(/^\s+evil\[/m);
    expect(md).toContain('https://issuer.example/\\n  evil[pwned] --#62; kv');
  });
});

test("prod's TRUST.md says the platform vault (existing) is its owner's, and must let the node subnet in", () => {
  const md = trustDiagram(exampleModel('prod'), exampleOutputs('prod'));
  expect(md).toContain(
    "- kv-platform-shared.vault.azure.net (existing): not managed by this stack, which only grants roles on it. Its firewall and permission model are its owner's: it must use Azure RBAC and let node subnet aks-nodes of VNet vnet-prod (existing) in, or the mounts fail with 403.",
  );
});

describe('the Key Vault request budget section (lib/request-budget.ts; limits: learn.microsoft.com/azure/key-vault/general/service-limits)', () => {
  test("prod: one row per vault it reads, with the pods' requests per second, the 400/s limit, the share and each workload's part", () => {
    const md = trustDiagram(exampleModel('prod'), exampleOutputs('prod'));
    const section = md.slice(md.indexOf('## Key Vault request budget'));
    // payments-api: 3 replicas × 3 secrets every 2m = 0.075/s; web-frontend: 2 × (cert + 2 secrets) every 2m = 0.05/s.
    // The platform vault (additionalVaults): payments-api's 3 replicas × 1 secret every 2m = 0.025/s, a row of its own.
    expect(section.split('\n').filter((l) => l.startsWith('| kv-'))).toEqual([
      '| kv-akscsi-prod-example | secret and certificate reads | 0.125 | 400 | 0.03% | payments-api 0.075/s (60%), web-frontend 0.05/s (40%) |',
      '| kv-platform-shared | secret and certificate reads | 0.025 | 400 | 0.01% | payments-api 0.025/s (100%) |',
    ]);
  });

  test('a key row appears when a workload mounts a key, against the HSM limit of a premium vault', () => {
    const model = modelFromYaml(
      'dev',
      `azure:
  location: westeurope
  resourceGroup:
    name: rg-app
cluster:
  name: aks-app
  secretsProvider:
    rotation:
      interval: 10s
keyVault:
  name: kv-app
  sku: premium
workloads:
  - name: app
    namespace: apps
    objects:
      - name: signing
        type: key
    deployment:
      image: ghcr.io/example/app:1.0.0
      replicas: 1000
`,
    );
    const rows = trustDiagram(model)
      .split('\n')
      .filter((l) => l.startsWith('| kv-'));
    expect(rows).toEqual([
      '| kv-app | secret and certificate reads | 0 | 400 | 0.00% | none: rotation is off |',
      '| kv-app | key reads | 100 | 200 | 50.00% (warning) | app 100/s (100%) |',
    ]);
  });
});

describe('the network path (issue 14 item 6; lib/network-model.ts vaultNetworkPath; Private Link zones: learn.microsoft.com/azure/private-link/private-endpoint-dns)', () => {
  const section = (md: string) => md.slice(md.indexOf('## Network path'), md.indexOf('## Key Vault request budget'));

  test('private: the flowchart goes nodes → private endpoint (sub-resource vault) → vault, the zone resolving the name to the endpoint', () => {
    const { model, outputs } = example('private');
    const md = trustDiagram(model, outputs);
    const defs = nodeDefinitions(md);
    expect(defs.get('netnodes')).toBe('node subnet snet-aks-nodes of VNet vnet-aks-akscsi-private (created)<br/>Key Vault requests leave from the nodes');
    expect(defs.get('netpe')).toBe('Private endpoint pe-kv-akscsi-private-ex<br/>sub-resource vault<br/>subnet snet-private-endpoints');
    expect(defs.get('netzone')).toBe(
      'Private DNS zone privatelink.vaultcore.azure.net<br/>created<br/>linked to VNet vnet-aks-akscsi-private (link-vnet-aks-akscsi-private)',
    );
    expect(md).toContain('  addon -.->|runs on| netnodes');
    expect(md).toContain('  netnodes -->|private address| netpe');
    expect(md).toContain('  netpe -->|Private Link| kv');
    expect(md).toContain('  netzone -.->|resolves the vault name to| netpe');
  });

  test('private: the section names the endpoint, its subnet, the zone and its link, and says public access is off', () => {
    const { model, outputs } = example('private');
    const s = section(trustDiagram(model, outputs));
    expect(s).toContain('through private endpoint pe-kv-akscsi-private-ex');
    expect(s).toContain('Public network access is off: the private endpoint is the only way in.');
    expect(s.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| hop') && !l.startsWith('| ---'))).toEqual([
      '| nodes | node subnet snet-aks-nodes of VNet vnet-aks-akscsi-private (created) |',
      '| private endpoint | pe-kv-akscsi-private-ex (sub-resource vault) in subnet snet-private-endpoints |',
      '| private DNS zone | privatelink.vaultcore.azure.net, created; linked to VNet vnet-aks-akscsi-private as link-vnet-aks-akscsi-private |',
      '| vault | kv-akscsi-private-ex.vault.azure.net |',
    ]);
  });

  test('prod: public endpoint behind the firewall (Deny), its rules counted, the node subnet allowed; no endpoint or zone in the flowchart', () => {
    const { model, outputs } = example('prod');
    const md = trustDiagram(model, outputs);
    const s = section(md);
    expect(s).toContain(
      "over its public endpoint, behind the vault's firewall (default action Deny): 1 allowed subnet(s), the node subnet among them, 1 allowed IP range(s), trusted Azure services let through.",
    );
    expect(s).toContain('| nodes | node subnet aks-nodes of VNet vnet-prod (existing) |');
    expect(s).toContain('| vault firewall | default action Deny; 1 subnet rule(s), 1 IP rule(s); bypass AzureServices |');
    expect(md).not.toContain('netpe');
    expect(md).not.toContain('netzone');
  });

  test('dev: public endpoint with no firewall, from the VNet AKS manages', () => {
    const { model, outputs } = example('dev');
    const s = section(trustDiagram(model, outputs));
    expect(s).toContain("leave from the cluster's nodes (in the VNet AKS manages)");
    expect(s).toContain('| vault firewall | none (default action Allow) |');
  });

  test('an existing hub zone not linked by the stack says so, with its resource group', () => {
    const model = modelFromYaml(
      'hub',
      `azure: { location: westeurope, resourceGroup: { name: rg } }
cluster:
  name: aks
  network:
    mode: existing
    nodeSubnetId: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/nodes
keyVault:
  name: kv-hub-zone
  publicNetworkAccess: false
  networkAcls: { defaultAction: Deny, bypass: None }
  privateEndpoint:
    dnsZone:
      mode: existing
      id: /subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net
      linkVirtualNetwork: false
workloads:
  - name: app
    namespace: apps
    objects: [{ name: s, type: secret }]
    deployment: { image: app:1 }
`,
    );
    const md = trustDiagram(model);
    expect(nodeDefinitions(md).get('netzone')).toBe(
      'Private DNS zone privatelink.vaultcore.azure.net<br/>existing, resource group rg-hub-dns<br/>linked by its owner (not by this stack)',
    );
    expect(section(md)).toContain('| private endpoint | pe-kv-hub-zone (sub-resource vault) in subnet nodes |');
  });
});
