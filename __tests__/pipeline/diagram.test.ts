/** pipeline/diagram.ts: the TRUST.md Mermaid diagram, checked against the model it draws. */
import { loadEnvironment, parseEnvironment } from '../../lib/config/load';
import { deriveEnvironment } from '../../lib/model';
import { defaultOutputsFile, loadOutputs } from '../../lib/outputs/load';
import { trustDiagram } from '../../pipeline/diagram';

function example(env: string) {
  const e = loadEnvironment(`environments/${env}.yaml`);
  const model = deriveEnvironment(e.name, e.file, e.config);
  return { model, outputs: loadOutputs(defaultOutputsFile(env), model) };
}

/** Node definitions: `id[...]`, `id([...])`, `id[(...)]`, `id{{...}}`, `id[/.../]` at the start of a line. */
function nodeDefinitions(markdown: string): Map<string, string> {
  const defs = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const m = /^\s+(\w+)(\[\(|\(\[|\{\{|\[\/|\[)"(.*?)"/.exec(line);
    if (m && !line.includes('-->') && !line.includes('-.->')) defs.set(m[1]!, m[3]!);
    const edge = /-->(?:\|[^|]*\|)? (\w+)(\[\/|\[)"(.*?)"/.exec(line);
    if (edge) defs.set(edge[1]!, edge[3]!);
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
      expect(md).toContain(`client id ${outputs.workloads[w.name]!.clientId}`);
      for (const o of w.objects) expect(md).toContain(`${o.type} ${o.name}<br/>file ${o.fileName}`);
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
      const ends = [...line.matchAll(/(?:^\s+|-->(?:\|[^|]*\|)? |-\.->(?:\|[^|]*\|)? )(\w+)/g)].map((m) => m[1]!);
      for (const end of ends) expect(defs.has(end) || ['issuer', 'kv', 'addon'].includes(end)).toBe(true);
    }
  });

  test('is deterministic', () => {
    expect(trustDiagram(model, outputs)).toBe(md);
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
  const model = deriveEnvironment('diagram', 'environments/diagram.yaml', parseEnvironment(source, 'environments/diagram.yaml'));
  const md = trustDiagram(model);
  expect(md).toContain('secret db-password<br/>file db-password"');
  expect(md).toContain('secret db-password2<br/>file db_password (pinned: not rotated)"');
  const objectNodes = [...nodeDefinitions(md).entries()].filter(([, label]) => label.startsWith('secret '));
  expect(objectNodes).toHaveLength(2);
  expect(new Set(objectNodes.map(([id]) => id)).size).toBe(2);
  expect(md).toContain('client id: after deploy');
});
