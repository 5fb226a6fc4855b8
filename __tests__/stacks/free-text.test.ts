/**
 * Escaping by construction: Terraform template syntax (and cdktf's own token markers) put into
 * EVERY string field of the environment schema, one field at a time, never reaches Terraform as
 * something it would evaluate. The fields are found by walking the generated JSON Schema, so a
 * field added later is covered without touching this test, and a pattern relaxed later (to allow
 * "$" in a name, say) is caught by the second half, which bypasses the schema.
 *
 * For each field:
 * - through the schema: the environment file is refused with a problem at that field, or it
 *   synthesizes and the text reaches Terraform only as literal text;
 * - past the schema (the value put straight into the validated config): a construct refuses it
 *   eagerly, naming the value, or it synthesizes and the text reaches Terraform only as literal
 *   text (stacks/terraform-literal.ts).
 * Every stack synthesized here is also checked by Terraform after the file (setup-after-env.ts).
 */
import { EnvironmentSchema, type EnvironmentConfig } from '../../lib/config/schema';
import { deriveEnvironment } from '../../lib/model';
import {
  baseDocuments,
  baseFor,
  hasParent,
  valueAtPath,
  documentWith,
  environmentStringFields,
  formatSteps,
  KEY,
  literalProblems,
  setAt,
  VALUE,
  type Step,
  type StringField,
} from '../support/free-text';
import { synthModel } from './support';

const SENTINEL = 'SENTINEL';
/** Interpolation, directive, an escape already written, and cdktf's string and list token markers. */
const HOSTILE = `${SENTINEL}-\${file("/etc/hostname")}-%{ if true }x%{ endif }-$\${done}-\${TfToken[TOKEN.0]}-#{TfToken[TOKEN.1]}`;

/**
 * Fields no valid document can hold: the Secrets Store Sync Controller copies provider files
 * whole, so shared secrets of engine secret-sync refuse JSON properties (lib/delivery.ts).
 */
const UNREACHABLE = ['sharedSecrets.secrets[0].objects[0].properties[0].property', 'sharedSecrets.secrets[0].objects[0].properties[0].key'];
const isUnreachable = (f: StringField) => f.branch['sharedSecrets.engine'] === 'secret-sync' && UNREACHABLE.includes(formatSteps(f.path));
const FIELDS = environmentStringFields().filter((f) => !isUnreachable(f));
const cases = FIELDS.map((f) => [`${formatSteps(f.path)}${Object.keys(f.branch).length ? ` (${Object.values(f.branch).join(', ')})` : ''}`, f] as const);

function synthesize(config: EnvironmentConfig): unknown {
  return synthModel(deriveEnvironment('freetext', 'environments/freetext.yaml', config)).json;
}

/** Whether a zod issue path points at the field (record steps match any key). */
function pointsAt(issue: readonly PropertyKey[], field: readonly Step[]): boolean {
  if (issue.length < field.length - (field[field.length - 1] === KEY ? 1 : 0)) return false;
  return field.every((step, i) => step === KEY || step === VALUE || (step === 0 ? issue[i] === 0 : issue[i] === step));
}

const reached = new Set<string>();

test("the walk finds the schema's free-text fields (tags, env values, args, mountPath, state.path, subnet ids)", () => {
  const names = FIELDS.map((f) => formatSteps(f.path));
  for (const n of [
    'azure.tags<key>',
    'azure.tags<value>',
    'workloads[0].deployment.env[0].value',
    'workloads[0].deployment.args[0]',
    'workloads[0].deployment.mountPath',
    'state.path',
    'state.key',
    'keyVault.networkAcls.virtualNetworkSubnetIds[0]',
    'cluster.name',
  ]) {
    expect(names).toContain(n);
  }
  expect(FIELDS.length).toBeGreaterThanOrEqual(60);
});

test('every field but the unreachable ones has a base document to put text into', () => {
  expect(environmentStringFields().filter(isUnreachable).length).toBe(UNREACHABLE.length);
  expect(
    FIELDS.filter((f) => !baseDocuments().some((b) => hasParent(b, f.path) && Object.entries(f.branch).every(([p, v]) => valueAtPath(b, p) === v))).map((f) =>
      formatSteps(f.path),
    ),
  ).toEqual([]);
});

test('each base document is valid as it is (a refusal below is caused by the one field changed)', () => {
  for (const doc of baseDocuments()) expect(EnvironmentSchema.safeParse(doc).error?.issues ?? []).toEqual([]);
});

describe('through the schema', () => {
  test.each(cases)('%s: refused at the field, or written as literal text', (_name, field: StringField) => {
    const parsed = EnvironmentSchema.safeParse(documentWith(field, HOSTILE));
    if (!parsed.success) {
      const paths = parsed.error.issues.map((i) => i.path);
      expect({ field: formatSteps(field.path), refusedHere: paths.some((p) => pointsAt(p, field.path)) }).toEqual({
        field: formatSteps(field.path),
        refusedHere: true,
      });
      return;
    }
    expect(literalProblems(synthesize(parsed.data), HOSTILE, SENTINEL)).toEqual([]);
  });
});

describe('past the schema', () => {
  test.each(cases)('%s: refused eagerly naming the value, or written as literal text', (_name, field: StringField) => {
    const config = EnvironmentSchema.parse(baseFor(field));
    setAt(config, field.path, HOSTILE);
    let json: unknown;
    try {
      json = synthesize(config);
    } catch (e) {
      // An eager check in the model or a construct: it must be ours, naming the value.
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toContain(SENTINEL);
      return;
    }
    expect(literalProblems(json, HOSTILE, SENTINEL)).toEqual([]);
    if (JSON.stringify(json).includes(SENTINEL)) reached.add(formatSteps(field.path));
  });

  test('the text did reach Terraform from many fields (so the checks above are not vacuous)', () => {
    // Names that Azure rules constrain (location, cluster, namespace, ServiceAccount) are refused
    // eagerly by the constructs; these reach Terraform as text.
    for (const f of [
      'azure.tags<key>',
      'azure.tags<value>',
      'azure.subscriptionId',
      'cluster.kubernetesVersion',
      'cluster.resourceGroup',
      'keyVault.resourceGroup',
      'keyVault.networkAcls.virtualNetworkSubnetIds[0]',
    ]) {
      expect(reached).toContain(f);
    }
  });
});

describe('fails (each a rule on a field that reaches Terraform)', () => {
  test('fails a subnet id with Terraform template syntax in a segment (Azure naming rules for Microsoft.Network)', () => {
    const field = FIELDS.find((f) => formatSteps(f.path) === 'keyVault.networkAcls.virtualNetworkSubnetIds[0]')!;
    const doc = documentWith(
      field,
      '/subscriptions/00000000-0000-0000-0000-00000000cafe/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/${file("/etc/hostname")}/subnets/aks-nodes',
    );
    const issues = EnvironmentSchema.safeParse(doc).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'keyVault.networkAcls.virtualNetworkSubnetIds.0',
        'use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
      ],
    ]);
  });
});
