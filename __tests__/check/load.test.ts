import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSynthesized, unwrapContract } from '../../check';
import { tempFolders } from '../support/temp';
import { userErrorOf } from '../support/user-error';

const tempFolder = tempFolders('check-load-');
let dir: string;
beforeEach(() => {
  dir = tempFolder();
});

function write(rel: string, content: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

const userError = userErrorOf;

const TF = '{"resource": {}}';
const SA = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: n\n';

describe('loadSynthesized', () => {
  test('reads every YAML object, multi-document files and Lists included, in file-name order', () => {
    const tf = write('cdk.tf.json', TF);
    write(
      'm/b.yaml',
      `${SA}---\n# a comment-only document\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Namespace, metadata: {name: n}}\n`,
    );
    write('m/a.yml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [b.yaml]\n');
    write('m/values.yaml', 'replicas: 3\n');
    write('m/sub/c.yaml', SA);
    write('m/.hidden/d.yaml', SA);
    const input = loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf });
    expect(input.manifests.map((m) => [path.relative(dir, m.file), m.objects.map((o) => (o as { kind: string }).kind)])).toEqual([
      ['m/a.yml', ['Kustomization']],
      ['m/b.yaml', ['ServiceAccount', 'Namespace']],
      ['m/sub/c.yaml', ['ServiceAccount']],
    ]);
    expect(input.terraform.json).toEqual({ resource: {} });
    expect(input.outputs).toBeUndefined();
  });

  test('fails on a missing Terraform file, naming it and the fix', () => {
    write('m/a.yaml', SA);
    const e = userError(() => loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: path.join(dir, 'nope.json') }));
    expect(e.problems[0]).toMatchObject({ file: path.join(dir, 'nope.json') });
    expect(e.message).toMatch(/nope.json: file not found: run synth first/);
  });

  test('fails on malformed JSON with its position', () => {
    const tf = write('cdk.tf.json', '{\n  "resource": {,\n}');
    write('m/a.yaml', SA);
    const e = userError(() => loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf }));
    expect(e.problems[0].position).toBe('2:16');
    expect(e.message).toMatch(/cdk.tf.json:2:16: invalid JSON \(unexpected ",", expected a property name in double quotes \(a trailing comma\?\)\)/);
  });

  test('fails on malformed YAML with its position', () => {
    const tf = write('cdk.tf.json', TF);
    write('m/a.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [a\n');
    const e = userError(() => loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf }));
    expect(e.problems[0].file).toBe(path.join(dir, 'm/a.yaml'));
    expect(e.problems[0].position).toMatch(/^\d+:\d+$/);
    expect(e.message).toMatch(/malformed YAML/);
  });

  test('fails on a missing or empty manifests folder', () => {
    const tf = write('cdk.tf.json', TF);
    expect(userError(() => loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf })).message).toMatch(/m: folder not found: run synth first/);
    write('m/values.yaml', 'a: 1\n');
    expect(userError(() => loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf })).message).toMatch(/holds no Kubernetes objects/);
  });

  test('reads the contract from a cdktf outputs file, using the stack folder name when several stacks are present', () => {
    const tf = write('cdktf.out/stacks/prod/cdk.tf.json', TF);
    write('m/a.yaml', SA);
    const outputs = write(
      'out.json',
      JSON.stringify({ dev: { aks_keyvault_csi: { environment: 'dev' } }, prod: { aksKeyvaultCsi: { contractVersion: 1, environment: 'prod' } } }),
    );
    const input = loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf, outputsFile: outputs });
    expect(input.outputs).toEqual({ file: outputs, contract: { contractVersion: 1, environment: 'prod' } });
  });

  test('fails on a missing outputs file', () => {
    const tf = write('cdk.tf.json', TF);
    write('m/a.yaml', SA);
    expect(userError(() => loadSynthesized({ manifestsDir: path.join(dir, 'm'), terraformFile: tf, outputsFile: path.join(dir, 'o.json') })).message).toMatch(
      /o.json: file not found/,
    );
  });
});

describe('unwrapContract', () => {
  const contract = { contractVersion: 1, environment: 'dev' };
  test.each([
    ['terraform output -json', { aks_keyvault_csi: { sensitive: false, type: ['object', {}], value: contract } }],
    ['cdktf --outputs-file', { dev: { aks_keyvault_csi: contract } }],
    ['cdktf --outputs-file, camelCase', { dev: { aksKeyvaultCsi: contract } }],
    ['the bare contract', contract],
  ])('accepts %s', (_, json) => {
    expect(unwrapContract(json, 'o.json', 'dev')).toEqual(contract);
  });

  test('fails when several stacks match and none is the hint', () => {
    expect(() => unwrapContract({ a: { aks_keyvault_csi: contract }, b: { aks_keyvault_csi: contract } }, 'o.json', 'dev')).toThrow(
      /o.json: \["a","b"\]: holds the outputs of stack "a", "b", not of stack "dev"/,
    );
  });

  test('fails without the output', () => {
    expect(() => unwrapContract({ dev: { other: 1 } }, 'o.json', 'dev')).toThrow(
      /o.json: dev: stack "dev" has no "aks_keyvault_csi" \(or "aksKeyvaultCsi"\) output/,
    );
    expect(() => unwrapContract([1], 'o.json', 'dev')).toThrow(/o.json: \[1\]: expected the file "cdktf deploy dev --outputs-file o.json" writes/);
  });
});
