/**
 * The check against what stacks/ and charts/ really synthesize: the examples pass, and breaking
 * one link in the real output gives the specific finding.
 */
import { checkTrustChain, type Finding, type SynthesizedInput } from '../../check';
import { modelFromYaml } from '../support/models';
import { outputsFor } from '../support/outputs';
import { synthesize, synthesizeExample } from './real-output';

const errors = (f: Finding[]) => f.filter((x) => x.severity === 'error');
const rules = (f: Finding[]) => [...new Set(f.map((x) => x.rule))].sort();

/** A deep copy to mutate. */
const copy = (i: SynthesizedInput): SynthesizedInput => structuredClone<SynthesizedInput>(i);

type Obj = Record<string, any>;
function object(i: SynthesizedInput, kind: string, namespace: string, name?: string): Obj {
  for (const m of i.manifests)
    for (const o of m.objects as Obj[])
      if (o.kind === kind && o.metadata?.namespace === namespace && (name === undefined || o.metadata?.name === name)) return o;
  throw new Error(`no ${kind} in ${namespace}`);
}
function block(i: SynthesizedInput, type: string, match: (body: Obj) => boolean): [string, Obj] {
  const byName = (i.terraform.json as Obj).resource[type] as Obj;
  const hit = Object.entries(byName).find(([, b]) => match(b as Obj));
  if (!hit) throw new Error(`no ${type} matches`);
  return hit as [string, Obj];
}

describe('the example environments', () => {
  const examples: Record<string, SynthesizedInput> = {};
  beforeAll(() => {
    examples.dev = synthesizeExample('dev');
    examples.prod = synthesizeExample('prod');
  });

  test.each(['dev', 'prod'])('%s passes with its sample outputs: no errors, no warnings', (env) => {
    const findings = checkTrustChain(examples[env]);
    expect(errors(findings)).toEqual([]);
    expect(findings).toEqual([]);
  });

  test.each(['dev', 'prod'])('%s passes without an outputs file', (env) => {
    const { outputs: _, ...input } = examples[env];
    expect(checkTrustChain(input)).toEqual([]);
  });

  describe('mutations of the real prod output', () => {
    const prod = () => copy(examples.prod);

    // Several vaults: prod's payments-api reads kv-platform-shared (additionalVaults) through a class of its own.
    describe('spc-keyvault-name accepts exactly the vaults the stack declares', () => {
      const platformClass = (i: SynthesizedInput) => object(i, 'SecretProviderClass', 'payments', 'payments-api-keyvault-kv-platform-shared');

      test('the second vault, declared by the stack and the outputs, passes (and its role is found on that vault)', () => {
        const i = prod();
        expect(platformClass(i).spec.parameters.keyvaultName).toBe('kv-platform-shared');
        expect(rules(checkTrustChain(i))).toEqual([]);
      });

      test('a vault the stack does not declare is an error, naming the declared ones', () => {
        const i = prod();
        platformClass(i).spec.parameters.keyvaultName = 'kv-undeclared';
        const findings = checkTrustChain(i).filter((f) => f.rule === 'spc-keyvault-name');
        expect(findings.map((f) => f.message)).toEqual([
          expect.stringContaining('says the vaults are "kv-akscsi-prod-example", "kv-platform-shared" (keyVault.name and additionalVaults)'),
          'SecretProviderClass payments/payments-api-keyvault-kv-platform-shared reads vault "kv-undeclared" but the stack\'s vault is "kv-akscsi-prod-example" or "kv-platform-shared"',
        ]);
      });

      test("the environment's vault in the second class still passes the name rule, but its role is missing there (403)", () => {
        const i = prod();
        platformClass(i).spec.parameters.keyvaultName = 'kv-akscsi-prod-example';
        expect(rules(checkTrustChain(i))).toEqual(['role-assignment-missing']);
      });
    });

    test('a renamed ServiceAccount no longer matches the Deployment', () => {
      const i = prod();
      object(i, 'ServiceAccount', 'web').metadata.name = 'web-frontend-v2';
      const findings = checkTrustChain(i);
      expect(rules(findings)).toEqual(['service-account-missing']);
      expect(findings.find((f) => f.rule === 'service-account-missing')!.message).toBe(
        'Deployment web/web-frontend runs as ServiceAccount "web-frontend", which is not in namespace "web"; ServiceAccounts in "web": web-frontend-v2',
      );
      expect(findings.find((f) => f.rule === 'service-account-missing')!.where).toBe(
        'dist/prod/deployment-web-web-frontend.yaml: spec.template.spec.serviceAccountName',
      );
    });

    test('a Deployment running as another ServiceAccount has no federated credential', () => {
      const i = prod();
      const sa = object(i, 'ServiceAccount', 'web');
      sa.metadata.name = 'other';
      object(i, 'Deployment', 'web').spec.template.spec.serviceAccountName = 'other';
      const findings = checkTrustChain(i);
      expect(rules(findings)).toEqual(['federated-credential-missing', 'federated-credential-unused']);
      expect(findings[0].message).toMatch(/^no federated credential in cdktf.out\/stacks\/prod\/cdk.tf.json has subject "system:serviceaccount:web:other"/);
    });

    test('subPath on the CSI mount', () => {
      const i = prod();
      object(i, 'Deployment', 'payments').spec.template.spec.containers[0].volumeMounts[0].subPath = 'db-password';
      const findings = checkTrustChain(i);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        rule: 'csi-mount-sub-path',
        severity: 'error',
        where: 'dist/prod/deployment-payments-payments-api.yaml: spec.template.spec.containers[0].volumeMounts[0].subPath',
      });
    });

    test('rotationPollInterval in volumeAttributes', () => {
      const i = prod();
      object(i, 'Deployment', 'web').spec.template.spec.volumes[0].csi.volumeAttributes.rotationPollInterval = '2m';
      expect(rules(checkTrustChain(i))).toEqual(['csi-volume-rotation-poll-interval']);
    });

    test('principal_id swapped to client_id', () => {
      const i = prod();
      const [name, ra] = block(i, 'azurerm_role_assignment', (b) => String(b.scope).endsWith('/certificates/web-tls'));
      ra.principal_id = ra.principal_id.replace('.principal_id}', '.client_id}');
      const findings = checkTrustChain(i);
      expect(rules(findings)).toEqual(['role-assignment-client-id', 'role-assignment-missing']);
      expect(findings.find((f) => f.rule === 'role-assignment-client-id')!.where).toBe(
        `cdktf.out/stacks/prod/cdk.tf.json: resource.azurerm_role_assignment.${name}.principal_id`,
      );
      expect(findings.find((f) => f.rule === 'role-assignment-missing')!.message).toMatch(/read cert "web-tls"/);
    });

    test('a literal issuer', () => {
      const i = prod();
      const [name, fc] = block(i, 'azurerm_federated_identity_credential', (b) => b.subject === 'system:serviceaccount:payments:payments-api');
      fc.issuer = i.outputs!.contract && (i.outputs!.contract as Obj).oidcIssuerUrl.replace(/\/$/, '');
      const findings = checkTrustChain(i);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        rule: 'federated-credential-issuer',
        where: `cdktf.out/stacks/prod/cdk.tf.json: resource.azurerm_federated_identity_credential.${name}.issuer`,
      });
      expect(findings[0].message).toMatch(/has the literal issuer "https:\/\/.*"; a literal drifts/);
    });

    test('a stale SPC clientID', () => {
      const i = prod();
      object(i, 'SecretProviderClass', 'web').spec.parameters.clientID = '00000000-0000-0000-0000-00000000dead';
      const findings = checkTrustChain(i);
      expect(rules(findings)).toEqual(['client-id-mismatch']);
      expect(findings[0].message).toMatch(
        /has clientID 00000000-0000-0000-0000-00000000dead, but the identity's client id is 00000000-0000-0000-0000-00000000f002 per environments\/prod.outputs.json/,
      );
    });

    test('outputs of another tenant', () => {
      const i = prod();
      (i.outputs!.contract as Obj).tenantId = '00000000-0000-0000-0000-00000000bbbb';
      expect(rules(checkTrustChain(i))).toEqual(['spc-tenant-id']);
    });

    test('rotation turned off on the add-on', () => {
      const i = prod();
      const [, cluster] = block(i, 'azurerm_kubernetes_cluster', () => true);
      cluster.key_vault_secrets_provider.secret_rotation_enabled = false;
      expect(rules(checkTrustChain(i))).toEqual(['rotation-disabled']);
    });

    test('a typo in an objects element', () => {
      const i = prod();
      const spc = object(i, 'SecretProviderClass', 'payments', 'payments-api-keyvault');
      spc.spec.parameters.objects = spc.spec.parameters.objects.replace('objectAlias: db-password', 'objectAlais: db-password');
      const findings = checkTrustChain(i);
      expect(rules(findings)).toEqual(['spc-object-unknown-key']);
    });
  });
});

describe('configuration variants synthesize to a clean trust chain', () => {
  const CLUSTER = 'cluster:\n  name: aks-variant';
  const VAULT = 'keyVault:\n  name: kv-variant-example';
  const source = (v: { cluster?: string; keyVault?: string; identity?: string }) => `
azure:
  location: westeurope
  resourceGroup:
    name: rg-variant
${v.cluster ?? CLUSTER}
${v.keyVault ?? VAULT}
${v.identity ?? ''}
workloads:
  - name: alpha
    namespace: apps
    objects:
      - name: alpha-secret
        type: secret
      - name: alpha-cert
        type: cert
      - name: alpha-key
        type: key
    deployment:
      image: example/alpha:1
  - name: beta
    namespace: apps
    objects:
      - name: beta-secret
        type: secret
    deployment:
      image: example/beta:1
`;

  test.each([
    ['per-workload identities, vault scope', {}, []],
    ['shared identity, object scope', { identity: 'identity:\n  mode: shared\n  roleScope: object' }, []],
    ['administrator role', { identity: 'identity:\n  role: administrator' }, ['role-administrator']],
    ['rotation off', { cluster: `${CLUSTER}\n  secretsProvider:\n    rotation:\n      enabled: false\n      interval: 2m` }, ['rotation-disabled']],
    ['existing cluster', { cluster: `${CLUSTER}\n  mode: existing\n  oidcIssuer: true\n  workloadIdentity: true` }, ['rotation-unverifiable']],
    ['existing vault', { keyVault: `${VAULT}\n  mode: existing` }, []],
  ])('%s', (_, variant, expected) => {
    const model = modelFromYaml('variant', source(variant));
    const findings = checkTrustChain(synthesize(model, outputsFor(model)));
    expect(errors(findings)).toEqual([]);
    expect(rules(findings)).toEqual(expected);
  });

  test('a shared identity split at 20 credentials: every link holds, and workloads past the 20th carry the second identity', () => {
    const workloads = Array.from(
      { length: 25 },
      (_, i) =>
        `  - name: svc-${i + 1}\n    namespace: apps\n    objects:\n      - name: svc-${i + 1}-secret\n        type: secret\n    deployment:\n      image: example/svc:1`,
    );
    const yaml = source({ identity: 'identity:\n  mode: shared' }).replace(/workloads:[\s\S]*$/, `workloads:\n${workloads.join('\n')}\n`);
    const model = modelFromYaml('variant', yaml);
    const outputs = outputsFor(model);
    expect(new Set(Object.values(outputs.workloads).map((w) => w.clientId)).size).toBe(2);
    const input = synthesize(model, outputs);
    expect(errors(checkTrustChain(input))).toEqual([]);
    const sa = (name: string) => input.manifests.find((m) => m.file.endsWith(`serviceaccount-apps-${name}.yaml`))!.objects[0] as Record<string, any>;
    const clientIdOf = (name: string) => sa(name).metadata.annotations['azure.workload.identity/client-id'] as string;
    expect(clientIdOf('svc-20')).toBe(outputs.workloads['svc-20'].clientId);
    expect(clientIdOf('svc-21')).toBe(outputs.workloads['svc-21'].clientId);
    expect(clientIdOf('svc-21')).not.toBe(clientIdOf('svc-20'));
  });
});
