/**
 * The app as the cdktf CLI sees it: files on disk, their paths, the manifest, determinism.
 */
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OUTPUT_NAME } from '../../lib/outputs/contract';
import { buildTerraformApp, DEFAULT_TERRAFORM_OUTDIR } from '../../stacks/build-terraform-app';
import { synthTerraform } from '../../stacks/synth-terraform';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { TerraformStack } from 'cdktf';
import { EXAMPLES, exampleConfig, exampleModel, modelOf, type TfJson } from './support';
import { readTree as tree } from '../support/tree';
import { tempFolders } from '../support/temp';

const models = EXAMPLES.map(exampleModel);
const tempFolder = tempFolders('stacks-test-');

function synthTo(): string {
  const dir = tempFolder();
  const outdir = path.join(dir, 'cdktf.out');
  buildTerraformApp(models, { outdir }).synth();
  return outdir;
}

let first: string;
let files: Record<string, string>;

beforeAll(() => {
  first = synthTo();
  files = tree(first);
});

test('one stack folder per environment, named after it', () => {
  expect(Object.keys(files).sort()).toEqual(['manifest.json', 'stacks/dev/cdk.tf.json', 'stacks/engines/cdk.tf.json', 'stacks/prod/cdk.tf.json']);
});

test('synthesizing twice gives byte-identical files', () => {
  const second = tree(synthTo());
  expect(second).toEqual(files);
});

test('no absolute paths, temp folders or dates in anything written', () => {
  for (const [file, content] of Object.entries(files)) {
    expect({ file, hasOutdir: content.includes(first) }).toEqual({ file, hasOutdir: false });
    expect({ file, hasCwd: content.includes(process.cwd()) }).toEqual({ file, hasCwd: false });
    expect({ file, hasTmp: content.includes(tmpdir()) }).toEqual({ file, hasTmp: false });
    expect({ file, hasDate: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(content) }).toEqual({ file, hasDate: false });
  }
});

test('the manifest points at relative stack paths', () => {
  const manifest = JSON.parse(files['manifest.json']) as TfJson;
  expect(Object.keys(manifest.stacks)).toEqual(['dev', 'engines', 'prod']);
  expect(manifest.stacks.prod).toMatchObject({ name: 'prod', synthesizedStackPath: 'stacks/prod/cdk.tf.json', workingDirectory: 'stacks/prod' });
});

test.each(EXAMPLES)(`%s: the outputs map keys the contract as <stack>.${OUTPUT_NAME} (what cdktf deploy --outputs-file writes)`, (env) => {
  const json = JSON.parse(files[`stacks/${env}/cdk.tf.json`]) as TfJson;
  expect(json['//'].outputs).toEqual({ [env]: { [OUTPUT_NAME]: OUTPUT_NAME } });
  expect(json['//'].metadata).toEqual({ backend: env === 'prod' ? 'azurerm' : 'local', stackName: env, version: '0.21.0' });
});

test.each(EXAMPLES)('%s: full cdk.tf.json snapshot (change detector)', (env) => {
  expect(files[`stacks/${env}/cdk.tf.json`]).toMatchSnapshot();
});

test('the outdir defaults to CDKTF_OUTDIR (set by `cdktf synth --output`), then cdktf.out', () => {
  const dir = tempFolder();
  const saved = process.env.CDKTF_OUTDIR;
  const cwd = process.cwd();
  try {
    process.env.CDKTF_OUTDIR = path.join(dir, 'from-env');
    expect(buildTerraformApp(models).outdir).toBe(path.join(dir, 'from-env'));
    delete process.env.CDKTF_OUTDIR;
    // App creates its outdir on construction: do it inside the temp folder.
    process.chdir(dir);
    expect(buildTerraformApp(models).outdir).toBe(DEFAULT_TERRAFORM_OUTDIR);
    expect(DEFAULT_TERRAFORM_OUTDIR).toBe('cdktf.out');
  } finally {
    process.chdir(cwd);
    if (saved === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved;
  }
});

test('fails when two environments would share a stack', () => {
  expect(() => buildTerraformApp([models[0], models[0]], { outdir: path.join(tmpdir(), 'never-created') })).toThrow(
    'two environments would synthesize to the same stack "dev": give each environment file its own name',
  );
});

describe('synthTerraform (no per-token stack traces)', () => {
  test('writes exactly the files buildTerraformApp(...).synth() writes', () => {
    const dir = tempFolder();
    const outdir = path.join(dir, 'cdktf.out');
    synthTerraform(models, { outdir });
    expect(tree(outdir)).toEqual(tree(synthTo()));
  });

  test('restores Error.captureStackTrace, also when synthesis throws, and keeps real stacks', () => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
    const before = Error.captureStackTrace;
    expect(() => synthTerraform([...models, models[0]], { outdir: path.join(tempFolder(), 'out') })).toThrow(
      'two environments would synthesize to the same stack',
    );
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
    expect(Error.captureStackTrace).toBe(before);
    let stack = '';
    try {
      synthTerraform([...models, models[0]], { outdir: path.join(tempFolder(), 'out') });
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    expect(stack).toMatch(/^Error: two environments would synthesize to the same stack/);
    expect(stack).toMatch(/\n {4}at /);
  });
});

test("EnvironmentStack's prepareStack (backend check only) synthesizes the same bytes as cdktf's full preparing resolve", () => {
  // The examples plus variants with data sources and one identity for several workloads.
  const prod = exampleConfig('prod');
  const variants = [
    ...models,
    modelOf({ ...prod, identity: { ...prod.identity, mode: 'shared', roleScope: 'vault' } }, 'shared'),
    modelOf(
      {
        ...prod,
        azure: { ...prod.azure, resourceGroup: { name: 'rg-given', create: false } },
        cluster: { mode: 'existing', name: 'aks-given', oidcIssuer: true, workloadIdentity: true, secretsProvider: prod.cluster.secretsProvider },
        keyVault: { mode: 'existing', name: 'kv-given' },
      },
      'existing',
    ),
  ];
  const synth = () => {
    const dir = path.join(tempFolder(), 'cdktf.out');
    buildTerraformApp(variants, { outdir: dir }).synth();
    return tree(dir);
  };
  const ours = synth();
  // Methods swapped on the prototype and back: called with their own `this` by cdktf.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const patched = EnvironmentStack.prototype.prepareStack;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  EnvironmentStack.prototype.prepareStack = TerraformStack.prototype.prepareStack;
  try {
    expect(synth()).toEqual(ours);
  } finally {
    EnvironmentStack.prototype.prepareStack = patched;
  }
  expect(Object.keys(ours).filter((f) => f.endsWith('cdk.tf.json'))).toHaveLength(5);
});
