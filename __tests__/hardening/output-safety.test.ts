/**
 * What synthesized output must never carry.
 *
 * Determinism: the example environments synthesized in two temporary projects (different
 * absolute paths) give byte-identical Terraform JSON and manifests, with no machine path, user
 * name, host name, date, time or epoch-like number in them.
 *
 * Secret safety: values handed to the process (environment variables such as DB_PASSWORD) never
 * reach Terraform JSON, YAML, or the output of `synth`, `synth --json` and `check`; values pasted
 * into the config go only where the config puts them by design; the Terraform side holds no
 * secret resources, no sensitive attributes, and only ids and names in its output.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { inDir, readTree, runMain, tempProject } from './support';

const EXAMPLES = ['dev', 'prod'];

/** Whole-word occurrence (a word here may contain "-" and "_"), so "vm" does not match "vm_size". */
const word = (w: string) => new RegExp(`(?<![\\w-])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);

/** Dates, times and epoch-like numbers: anything that would change from one run to the next. */
const TIME_PATTERNS: readonly [string, RegExp][] = [
  ['ISO date', /(?<!\d)(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)/],
  ['time of day', /(?<!\d)([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(?!\d)/],
  ['epoch seconds or milliseconds', /(?<![\w.-])1[5-9]\d{8}(\d{3})?(?![\w.-])/],
];

describe('determinism', () => {
  // Created in beforeAll (not at collection time) so a filtered run leaves no temp folders behind.
  let a: ReturnType<typeof tempProject>;
  let b: ReturnType<typeof tempProject>;
  let bDeep: string;
  let treeA: Record<string, string>;
  let treeB: Record<string, string>;

  beforeAll(async () => {
    a = tempProject('akscsi-hardening-det-a-');
    b = tempProject('akscsi-hardening-det-b-');
    // A deeper, longer path for the second project, so path-length effects show too.
    bDeep = path.join(b.dir, 'nested', 'checkout with space');
    mkdirSync(bDeep, { recursive: true });
    cpSync(path.join(b.dir, 'environments'), path.join(bDeep, 'environments'), { recursive: true });
    for (const dir of [a.dir, bDeep]) {
      const r = await inDir(dir, () => runMain(['synth']));
      expect(r.crash).toBeUndefined();
      expect(r.code).toBe(0);
    }
    const outputs = (dir: string) => ({
      ...prefixed('cdktf.out', readTree(path.join(dir, 'cdktf.out'))),
      ...prefixed('dist', readTree(path.join(dir, 'dist'))),
    });
    treeA = outputs(a.dir);
    treeB = outputs(bDeep);
  }, 60_000);

  afterAll(() => {
    a?.cleanup();
    b?.cleanup();
  });

  test('two projects at different absolute paths synthesize byte-identical Terraform JSON and YAML', () => {
    for (const env of EXAMPLES) {
      expect(Object.keys(treeA)).toContain(`cdktf.out/stacks/${env}/cdk.tf.json`);
      expect(Object.keys(treeA).filter((f) => f.startsWith(`dist/${env}/`) && f.endsWith('.yaml')).length).toBeGreaterThan(3);
    }
    expect(treeB).toEqual(treeA);
  });

  test('no output file contains the project path, the temp folder, the user name or the host name', () => {
    const needles = [a.dir, bDeep, path.basename(a.dir), os.tmpdir(), os.homedir()];
    const names = [os.userInfo().username, os.hostname()];
    for (const [file, content] of Object.entries({ ...treeA, ...treeB })) {
      for (const n of needles) expect({ file, found: content.includes(n) ? n : undefined }).toEqual({ file, found: undefined });
      for (const n of names) expect({ file, found: word(n).test(content) ? n : undefined }).toEqual({ file, found: undefined });
    }
  });

  test('no output file contains a date, a time of day or an epoch-like number', () => {
    for (const [file, content] of Object.entries(treeA)) {
      for (const [what, re] of TIME_PATTERNS) expect({ file, what, match: re.exec(content)?.[0] }).toEqual({ file, what, match: undefined });
    }
  });

  test('the time patterns do catch what they are meant to', () => {
    // Guard against patterns that can never match (and tests that can never fail).
    const now = new Date();
    const samples = [now.toISOString(), String(Math.floor(now.getTime() / 1000)), String(now.getTime()), now.toTimeString()];
    for (const s of samples) expect(TIME_PATTERNS.some(([, re]) => re.test(s))).toBe(true);
    expect(word('vm').test('"vm_size": "Standard_D2s_v5"')).toBe(false);
  });
});

describe('secret safety', () => {
  const marker = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
  /** Secrets a CI job or a developer shell typically holds. */
  const PROCESS_SECRETS: Record<string, string> = {
    DB_PASSWORD: marker('dbpassword'),
    ARM_CLIENT_SECRET: marker('armclientsecret'),
    AZURE_CLIENT_SECRET: marker('azureclientsecret'),
    ARM_ACCESS_KEY: marker('armaccesskey'),
    TF_VAR_db_password: marker('tfvar'),
    KUBECONFIG_DATA: marker('kubeconfig'),
  };
  /** Pasted into the config where a user might put one: rendered there by design, and nowhere else. */
  const ENV_VALUE = marker('envvalue');
  const TAG_VALUE = marker('tagvalue');

  let project: ReturnType<typeof tempProject>;
  const saved: Record<string, string | undefined> = {};
  const runs: { argv: string[]; out: string; err: string; code: number | undefined }[] = [];
  let tree: Record<string, string>;

  beforeAll(async () => {
    project = tempProject('akscsi-hardening-secrets-');
    // The config: one env value and one tag value with markers.
    const dev = path.join(project.dir, 'environments', 'dev.yaml');
    const source = readFileSync(dev, 'utf8')
      .replace('    owner: platform-team\n', `    owner: platform-team\n    note: ${TAG_VALUE}\n`)
      .replace('      replicas: 1\n', `      replicas: 1\n      env:\n        - name: GREETING\n          value: ${ENV_VALUE}\n`);
    expect(source).toContain(ENV_VALUE);
    expect(source).toContain(TAG_VALUE);
    writeFileSync(dev, source);

    // The process: secrets in process.env (code reading process.env directly) and in io.env.
    for (const [k, v] of Object.entries(PROCESS_SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const argvs = [
      ['synth'],
      ['--json', 'synth'],
      ['check'],
      ['--json', 'check'],
      ['check', '--dir', 'dist/dev', '--terraform', 'cdktf.out/stacks/dev/cdk.tf.json', '--outputs', 'environments/dev.outputs.json'],
      // A failing run prints problems: they must not carry process secrets either.
      ['synth', '--config', 'environments/dev.yaml', '--outputs', 'environments/prod.outputs.json'],
      ['--json', 'synth', '--config', 'environments/dev.yaml', '--outputs', 'environments/prod.outputs.json'],
    ];
    await inDir(project.dir, async () => {
      for (const argv of argvs) {
        const r = await runMain(argv, PROCESS_SECRETS);
        expect(r.crash).toBeUndefined();
        runs.push({ argv, out: r.out, err: r.err, code: r.code });
      }
    });
    tree = { ...prefixed('cdktf.out', readTree(path.join(project.dir, 'cdktf.out'))), ...prefixed('dist', readTree(path.join(project.dir, 'dist'))) };
  }, 60_000);

  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    project?.cleanup();
  });

  test('the runs did what they should (so the absence checks below mean something)', () => {
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 2, 2]);
    expect(JSON.parse(runs[1].out)).toMatchObject({ ok: true });
    expect(JSON.parse(runs[6].out)).toMatchObject({ ok: false, exitCode: 2 });
    expect(Object.keys(tree)).toEqual(expect.arrayContaining(['cdktf.out/stacks/dev/cdk.tf.json', 'dist/dev/deployment-demo-demo-app.yaml']));
  });

  test('process environment secrets appear in no Terraform JSON, no YAML, and no stdout or stderr', () => {
    for (const [name, value] of Object.entries(PROCESS_SECRETS)) {
      for (const [file, content] of Object.entries(tree)) expect({ name, file, leaked: content.includes(value) }).toEqual({ name, file, leaked: false });
      for (const r of runs)
        expect({ name, argv: r.argv.join(' '), leaked: (r.out + r.err).includes(value) }).toEqual({ name, argv: r.argv.join(' '), leaked: false });
    }
  });

  test('a config env value is rendered into the Deployment only (by design), never into Terraform JSON or any log', () => {
    const deployment = parse(tree['dist/dev/deployment-demo-demo-app.yaml']) as {
      spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'GREETING', value: ENV_VALUE });
    const elsewhere = Object.entries(tree).filter(([file, content]) => content.includes(ENV_VALUE) && file !== 'dist/dev/deployment-demo-demo-app.yaml');
    expect(elsewhere.map(([file]) => file)).toEqual([]);
    for (const r of runs) expect({ argv: r.argv.join(' '), leaked: (r.out + r.err).includes(ENV_VALUE) }).toEqual({ argv: r.argv.join(' '), leaked: false });
  });

  test('a config tag value goes to Azure tags only (by design), never into manifests or any log', () => {
    const tf = JSON.parse(tree['cdktf.out/stacks/dev/cdk.tf.json']) as { resource: Record<string, Record<string, { tags?: Record<string, string> }>> };
    const tagged = Object.values(tf.resource)
      .flatMap((byName) => Object.values(byName))
      .filter((r) => r.tags?.['note'] === TAG_VALUE);
    expect(tagged.length).toBeGreaterThan(0);
    const manifests = Object.entries(tree).filter(([file, content]) => file.startsWith('dist/') && content.includes(TAG_VALUE));
    expect(manifests.map(([file]) => file)).toEqual([]);
    for (const r of runs) expect({ argv: r.argv.join(' '), leaked: (r.out + r.err).includes(TAG_VALUE) }).toEqual({ argv: r.argv.join(' '), leaked: false });
  });

  describe.each(EXAMPLES)('Terraform JSON of %s', (env) => {
    let json: TerraformJson;
    beforeAll(() => {
      json = JSON.parse(tree[`cdktf.out/stacks/${env}/cdk.tf.json`]) as TerraformJson;
    });

    test('declares no resource or data source that holds secret material', () => {
      const SECRET_BEARING =
        /^(azurerm_key_vault_(secret|key|certificate)|random_password|random_string|tls_private_key|azurerm_storage_account_sas|azuread_(application|service_principal)_password)$/;
      const types = [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {})];
      expect(types.length).toBeGreaterThan(3);
      expect(types.filter((t) => SECRET_BEARING.test(t))).toEqual([]);
    });

    test('references no sensitive attribute anywhere (kube config, keys, passwords, secret values)', () => {
      const refs = [...JSON.stringify(json).matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(5);
      const SENSITIVE =
        /\.(kube_(admin_)?config(_raw)?|client_key|client_certificate|cluster_ca_certificate|password|primary_access_key|secondary_access_key|\w*connection_string|access_key|sas_token|client_secret|value)\b/;
      expect(refs.filter((r) => SENSITIVE.test(r))).toEqual([]);
    });

    test('outputs are not sensitive and carry only ids, names, URIs and literals', () => {
      const outputs = Object.entries(json.output ?? {});
      expect(outputs.length).toBeGreaterThan(0);
      const ALLOWED_ATTRIBUTES = new Set(['id', 'name', 'client_id', 'principal_id', 'tenant_id', 'vault_uri', 'oidc_issuer_url']);
      for (const [name, o] of outputs) {
        expect({ name, sensitive: o.sensitive ?? false }).toEqual({ name, sensitive: false });
        const attributes = [...JSON.stringify(o.value).matchAll(/\$\{[^}]*\.(\w+)\}/g)].map((m) => m[1]);
        expect(attributes.length).toBeGreaterThan(0);
        expect(attributes.filter((a) => !ALLOWED_ATTRIBUTES.has(a))).toEqual([]);
      }
    });

    test('the provider and backend blocks carry no credentials', () => {
      const CREDENTIAL_KEYS = /^(client_secret|client_certificate(_password)?|access_key|sas_token|password|use_msi_secret)$/;
      const keys = (v: unknown): string[] =>
        v === null || typeof v !== 'object' ? [] : Array.isArray(v) ? v.flatMap(keys) : Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]);
      const all = [...keys(json.provider), ...keys(json.terraform?.backend)];
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter((k) => CREDENTIAL_KEYS.test(k))).toEqual([]);
    });
  });
});

describe('config text in Terraform JSON', () => {
  // Terraform reads every JSON string (object keys included) as a template: "${...}" and "%{...}"
  // in a tag would be evaluated at plan time, e.g. file() reading the deploying machine's files
  // into Azure tags. Literal text must be escaped ("$${", "%%{") or refused at the boundary.
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    project = tempProject('akscsi-hardening-template-');
  });
  afterAll(() => project?.cleanup());

  test('a tag holding Terraform template syntax is written as literal text or refused as bad input', async () => {
    const value = '${file("/etc/hostname")} %{ if true }x%{ endif }';
    const source = readFileSync(path.join(project.dir, 'environments', 'dev.yaml'), 'utf8').replace(
      '    owner: platform-team\n',
      `    owner: platform-team\n    note: ${JSON.stringify(value)}\n`,
    );
    expect(source).toContain('note: ');
    mkdirSync(path.join(project.dir, 'in'));
    writeFileSync(path.join(project.dir, 'in', 'tpl.yaml'), source);

    const run = await inDir(project.dir, () => runMain(['synth', '--config', 'in/tpl.yaml']));
    expect(run.crash).toBeUndefined();
    if (run.code === 2) {
      expect(run.err).toContain('in/tpl.yaml');
      expect(run.err).toContain('azure.tags.note');
      return;
    }
    expect(run.code).toBe(0);
    const tf = JSON.parse(readFileSync(path.join(project.dir, 'cdktf.out', 'stacks', 'tpl', 'cdk.tf.json'), 'utf8')) as {
      resource: Record<string, Record<string, { tags?: Record<string, string> }>>;
    };
    const notes = Object.values(tf.resource)
      .flatMap((byName) => Object.values(byName))
      .flatMap((r) => (r.tags?.['note'] !== undefined ? [r.tags['note']] : []));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) expect(n).toBe('$${file("/etc/hostname")} %%{ if true }x%%{ endif }');
  });
});

interface TerraformJson {
  resource?: Record<string, unknown>;
  data?: Record<string, unknown>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  provider?: unknown;
  terraform?: { backend?: unknown };
}

function prefixed(prefix: string, tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [`${prefix}/${k}`, v]));
}
