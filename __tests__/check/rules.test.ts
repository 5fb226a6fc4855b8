/**
 * One failing input per rule: each test breaks one link of the hand-written fixture and asserts
 * the rule id, severity, where and message.
 */
import { checkTrustChain, RULES, type Finding, type RuleId, type SynthesizedInput } from '../../check';
import { synthesizeExample } from './real-output';
import {
  CLIENT_ID,
  DEPLOYMENT_FILE,
  IDENTITY,
  input,
  mutated,
  objectsParameter,
  OBJECTS,
  OUTPUTS_FILE,
  parts,
  SA_FILE,
  SPC_FILE,
  TF_FILE,
  type Parts,
} from './fixtures';

const run = (change: (p: Parts) => void, withOutputs = true) => checkTrustChain(mutated(change, withOutputs));
const volume = (p: Parts) => p.deploy.spec.template.spec.volumes[0];
const mount = (p: Parts) => p.deploy.spec.template.spec.containers[0].volumeMounts[0];
const container = (p: Parts) => p.deploy.spec.template.spec.containers[0];
const params = (p: Parts) => p.spc.spec.parameters;
const credential = (p: Parts) => p.tf.resource.azurerm_federated_identity_credential.credential_app;

/** The findings of `rule`, asserting there is at least one and that each has the catalogue's severity. */
function of(findings: Finding[], rule: RuleId): Finding[] {
  const hits = findings.filter((f) => f.rule === rule);
  if (hits.length === 0) throw new Error(`expected a ${rule} finding, got: ${JSON.stringify(findings, null, 2)}`);
  for (const h of hits) {
    expect(h.severity).toBe(RULES[rule].severity);
    expect(h.fix.length).toBeGreaterThan(0);
  }
  return hits;
}

describe('the fixture', () => {
  test('passes with and without an outputs file', () => {
    expect(checkTrustChain(input(parts(true)))).toEqual([]);
    expect(checkTrustChain(input(parts(false)))).toEqual([]);
  });
});

describe('inputs', () => {
  test('fails outputs-contract-invalid on an outputs file that is not the contract', () => {
    const [f] = of(
      run((p) => (p.outputs!.tenantId = 'not-a-guid')),
      'outputs-contract-invalid',
    );
    expect(f.where).toBe(`${OUTPUTS_FILE}: aks_keyvault_csi.tenantId`);
    expect(f.message).toMatch(/tenantId must be a GUID/);
  });

  test('fails outputs-keyvault-uri when keyVault.uri is another vault than keyVault.name (Key Vault DNS suffixes: learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates)', () => {
    const [f] = of(
      run((p) => (p.outputs!.keyVault.uri = 'https://kv-other.vault.azure.net/')),
      'outputs-keyvault-uri',
    );
    expect(f.where).toBe(`${OUTPUTS_FILE}: aks_keyvault_csi.keyVault.uri`);
    expect(f.message).toBe(
      `${OUTPUTS_FILE}: keyVault.uri "https://kv-other.vault.azure.net/" is not the URI of vault "kv-dev" in AzurePublicCloud (https://kv-dev.vault.azure.net/): Key Vault clients (the rotation test among them) would reach another vault`,
    );
    // Upper-case host, no trailing slash: the same vault.
    expect(run((p) => (p.outputs!.keyVault.uri = 'https://KV-DEV.vault.azure.net')).filter((x) => x.rule === 'outputs-keyvault-uri')).toEqual([]);
  });

  // A shared identity is split at Azure's 20 federated credentials per identity (lib/model.ts sharedIdentityKeys).
  test('fails outputs-identity-stale when the outputs file names another identity for a workload than the stack', () => {
    const [f] = of(
      run((p) => (p.outputs!.workloads.app.identityName = 'id-dev-shared')),
      'outputs-identity-stale',
    );
    expect(f.where).toBe(`${OUTPUTS_FILE}: aks_keyvault_csi.workloads.app.identityName`);
    expect(f.message).toBe(
      `${OUTPUTS_FILE}: workloads.app.identityName is "id-dev-shared" but ${TF_FILE} assigns workload "app" to identity "id-dev-app": the rendered client id belongs to the old identity, whose federated credential the next apply removes`,
    );
    // A Terraform reference instead of a literal name cannot be compared offline.
    expect(
      run((p) => {
        p.outputs!.workloads.app.identityName = 'id-dev-shared';
        p.tf.output.aks_keyvault_csi.value.workloads.app.identityName = `\${${IDENTITY}.name}`;
      }).filter((x) => x.rule === 'outputs-identity-stale'),
    ).toEqual([]);
  });

  test('fails output-missing without the aks_keyvault_csi output', () => {
    const [f] = of(
      run((p) => delete p.tf.output),
      'output-missing',
    );
    expect(f.message).toBe(`${TF_FILE} has no output "aks_keyvault_csi": the chart cannot learn client ids, tenant or vault`);
  });
});

describe('workload objects', () => {
  test('fails service-account-missing when serviceAccountName names no ServiceAccount of the namespace', () => {
    const findings = run((p) => (p.deploy.spec.template.spec.serviceAccountName = 'ghost'));
    const [f] = of(findings, 'service-account-missing');
    expect(f.where).toBe(`${DEPLOYMENT_FILE}: spec.template.spec.serviceAccountName`);
    expect(f.message).toBe('Deployment demo/app runs as ServiceAccount "ghost", which is not in namespace "demo"; ServiceAccounts in "demo": app');
    // …and the subject no longer matches any credential.
    expect(of(findings, 'federated-credential-missing')[0].message).toMatch(/subject "system:serviceaccount:demo:ghost"/);
  });

  test('fails service-account-missing when the ServiceAccount is in another namespace', () => {
    const [f] = of(
      run((p) => (p.sa.metadata.namespace = 'other')),
      'service-account-missing',
    );
    expect(f.message).toMatch(/not in namespace "demo" \(found in other\)/);
  });

  test('fails secret-provider-class-missing when the mounted SecretProviderClass is absent', () => {
    const [f] = of(
      run((p) => (volume(p).csi.volumeAttributes.secretProviderClass = 'nope')),
      'secret-provider-class-missing',
    );
    expect(f.where).toBe(`${DEPLOYMENT_FILE}: spec.template.spec.volumes[0].csi.volumeAttributes.secretProviderClass`);
    expect(f.message).toBe('Deployment demo/app: SecretProviderClass "nope" is not in namespace "demo"; pods fail with FailedMount');
  });

  test('fails secret-provider-class-missing when the SecretProviderClass is in another namespace', () => {
    const [f] = of(
      run((p) => (p.spc.metadata.namespace = 'other')),
      'secret-provider-class-missing',
    );
    expect(f.message).toMatch(/found in other; it must be in the pod's namespace/);
  });

  test('fails secret-provider-class-missing when the volume names none', () => {
    const [f] = of(
      run((p) => delete volume(p).csi.volumeAttributes),
      'secret-provider-class-missing',
    );
    expect(f.message).toBe('Deployment demo/app: CSI volume "secrets-store" names no secretProviderClass');
  });

  test('warns service-account-client-id-missing without the client-id annotation', () => {
    const [f] = of(
      run((p) => delete p.sa.metadata.annotations),
      'service-account-client-id-missing',
    );
    expect(f.where).toBe(`${SA_FILE}: metadata.annotations["azure.workload.identity/client-id"]`);
    expect(f.message).toMatch(/the mount works \(the provider uses the SPC clientID\)/);
  });
});

describe('CSI volume and mount', () => {
  test('fails csi-volume-not-read-only', () => {
    const [f] = of(
      run((p) => (volume(p).csi.readOnly = false)),
      'csi-volume-not-read-only',
    );
    expect(f.where).toBe(`${DEPLOYMENT_FILE}: spec.template.spec.volumes[0].csi.readOnly`);
    expect(f.message).toBe(
      'Deployment demo/app: CSI volume "secrets-store" has readOnly false; the driver rejects the mount ("Readonly is not true in request")',
    );
  });

  test('fails csi-mount-not-read-only', () => {
    const [f] = of(
      run((p) => delete mount(p).readOnly),
      'csi-mount-not-read-only',
    );
    expect(f.where).toBe(`${DEPLOYMENT_FILE}: spec.template.spec.containers[0].volumeMounts[0].readOnly`);
    expect(f.message).toBe('Deployment demo/app: container "main" mounts CSI volume "secrets-store" without readOnly: true');
  });

  test('fails csi-mount-sub-path for subPath and subPathExpr', () => {
    const findings = of(
      run((p) => {
        mount(p).subPath = 'DB_PASSWORD';
        container(p).volumeMounts.push({ name: 'secrets-store', mountPath: '/x', readOnly: true, subPathExpr: '$(POD)' });
      }),
      'csi-mount-sub-path',
    );
    expect(findings.map((f) => f.where)).toEqual([
      `${DEPLOYMENT_FILE}: spec.template.spec.containers[0].volumeMounts[0].subPath`,
      `${DEPLOYMENT_FILE}: spec.template.spec.containers[0].volumeMounts[1].subPathExpr`,
    ]);
    expect(findings[0].message).toMatch(/a subPath mount is never rotated/);
  });

  test('fails csi-volume-rotation-poll-interval', () => {
    const [f] = of(
      run((p) => (volume(p).csi.volumeAttributes.rotationPollInterval = '30s')),
      'csi-volume-rotation-poll-interval',
    );
    expect(f.where).toBe(`${DEPLOYMENT_FILE}: spec.template.spec.volumes[0].csi.volumeAttributes.rotationPollInterval`);
    expect(f.message).toMatch(/not a volume attribute and does nothing/);
  });

  test('warns csi-volume-extra-attribute for other attributes', () => {
    const [f] = of(
      run((p) => (volume(p).csi.volumeAttributes.keyvaultName = 'kv-other')),
      'csi-volume-extra-attribute',
    );
    expect(f.message).toBe(
      'Deployment demo/app: volume attribute "keyvaultName" is forwarded to the provider and overrides the SecretProviderClass parameter of the same name',
    );
  });

  test('warns csi-volume-not-mounted', () => {
    const [f] = of(
      run((p) => delete container(p).volumeMounts),
      'csi-volume-not-mounted',
    );
    expect(f.message).toBe('Deployment demo/app: no container mounts CSI volume "secrets-store"');
  });

  test('warns env-from-synced-secret, unless the workload has a Reloader annotation', () => {
    const addEnv = (p: Parts) => {
      container(p).env = [{ name: 'CERT', valueFrom: { secretKeyRef: { name: 'app-tls', key: 'cert' } } }];
      container(p).envFrom = [{ secretRef: { name: 'app-tls' } }];
    };
    const findings = of(run(addEnv), 'env-from-synced-secret');
    expect(findings.map((f) => f.where)).toEqual([
      `${DEPLOYMENT_FILE}: spec.template.spec.containers[0].envFrom[0].secretRef`,
      `${DEPLOYMENT_FILE}: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef`,
    ]);
    expect(findings.find((f) => f.where.includes('env[0]'))!.message).toBe(
      'Deployment demo/app: container "main" reads CERT from synced Secret "app-tls"; environment variables do not change on rotation until the pod restarts',
    );
    const reloaded = run((p) => {
      addEnv(p);
      p.deploy.metadata.annotations = { 'secretproviderclass.reloader.stakater.com/reload': 'app-keyvault' };
    });
    expect(reloaded).toEqual([]);
  });
});

describe('SecretProviderClass', () => {
  test('warns spc-api-version for v1alpha1', () => {
    const [f] = of(
      run((p) => (p.spc.apiVersion = 'secrets-store.csi.x-k8s.io/v1alpha1')),
      'spc-api-version',
    );
    expect(f.where).toBe(`${SPC_FILE}: apiVersion`);
  });

  test('fails spc-provider for another provider', () => {
    const [f] = of(
      run((p) => (p.spc.spec.provider = 'vault')),
      'spc-provider',
    );
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault has provider "vault": the Azure Key Vault provider only serves "azure"');
  });

  test("fails spc-keyvault-name for another vault than the stack's and the outputs'", () => {
    const findings = of(
      run((p) => (params(p).keyvaultName = 'kv-other')),
      'spc-keyvault-name',
    );
    expect(findings.map((f) => f.message)).toEqual([
      `SecretProviderClass demo/app-keyvault reads vault "kv-other" but ${OUTPUTS_FILE} says keyVault.name is "kv-dev"`,
      `SecretProviderClass demo/app-keyvault reads vault "kv-other" but the stack's vault is "kv-dev"`,
    ]);
  });

  test('fails spc-keyvault-name when missing', () => {
    const [f] = of(
      run((p) => delete params(p).keyvaultName),
      'spc-keyvault-name',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.parameters.keyvaultName`);
    expect(f.message).toMatch(/has no keyvaultName/);
  });

  test("fails spc-tenant-id for another tenant than the outputs'", () => {
    const [f] = of(
      run((p) => (params(p).tenantID = '33333333-3333-3333-3333-333333333333')),
      'spc-tenant-id',
    );
    expect(f.message).toBe(
      `SecretProviderClass demo/app-keyvault has tenantID "33333333-3333-3333-3333-333333333333" but ${OUTPUTS_FILE} says tenantId is "22222222-2222-2222-2222-222222222222"`,
    );
  });

  test('fails spc-tenant-id when missing', () => {
    const [f] = of(
      run((p) => delete params(p).tenantID),
      'spc-tenant-id',
    );
    expect(f.message).toMatch(/has no tenantID/);
  });

  test('warns spc-tenant-id-spelling for tenantId, alone or beside tenantID', () => {
    const alone = run((p) => {
      params(p).tenantId = params(p).tenantID;
      delete params(p).tenantID;
    });
    expect(of(alone, 'spc-tenant-id-spelling')[0].message).toMatch(/deprecated spelling tenantId/);
    expect(alone.filter((f) => f.severity === 'error')).toEqual([]);
    const both = run((p) => (params(p).tenantId = params(p).tenantID));
    expect(of(both, 'spc-tenant-id-spelling')[0].message).toMatch(/tenantId is ignored/);
  });

  test('fails spc-client-id-missing', () => {
    const [f] = of(
      run((p) => delete params(p).clientID),
      'spc-client-id-missing',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.parameters.clientID`);
  });

  test('fails spc-identity-mode for useVMManagedIdentity', () => {
    const [f] = of(
      run((p) => (params(p).useVMManagedIdentity = 'true')),
      'spc-identity-mode',
    );
    expect(f.message).toMatch(/sets useVMManagedIdentity: "true", so the provider ignores the workload identity/);
  });

  test("fails spc-cloud-name for another cloud than the outputs'", () => {
    const [f] = of(
      run((p) => (params(p).cloudName = 'AzureChinaCloud')),
      'spc-cloud-name',
    );
    expect(f.message).toMatch(/targets cloud "AzureChinaCloud" but .* says cloudName is "AzurePublicCloud"/);
  });

  test('fails spc-objects-malformed for missing, non-YAML or array-less objects', () => {
    expect(
      of(
        run((p) => delete params(p).objects),
        'spc-objects-malformed',
      )[0].message,
    ).toMatch(/objects is missing/);
    expect(
      of(
        run((p) => (params(p).objects = 'array: [')),
        'spc-objects-malformed',
      )[0].message,
    ).toMatch(/objects is not valid YAML/);
    expect(
      of(
        run((p) => (params(p).objects = 'objects:\n  - a')),
        'spc-objects-malformed',
      )[0].message,
    ).toMatch(/objects has no "array:" list/);
    expect(
      of(
        run((p) => (params(p).objects = 'array:\n  - objectName: a\n')),
        'spc-objects-malformed',
      )[0].message,
    ).toMatch(/not a "- \|" block string/);
  });

  test('fails spc-object-unknown-key for a typo the provider ignores', () => {
    const [f] = of(
      run((p) => (params(p).objects = objectsParameter(['objectName: db-password\nobjectType: secret\nobjectAliass: DB_PASSWORD']))),
      'spc-object-unknown-key',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.parameters.objects array[0]`);
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault: object key "objectAliass" is unknown; the provider silently ignores it');
    const [g] = of(
      run((p) => (params(p).objects = objectsParameter(['objectname: db-password\nobjectName: db-password\nobjectType: secret']))),
      'spc-object-unknown-key',
    );
    expect(g.fix).toBe('rename "objectname" to "objectName" (keys are case-sensitive)');
  });

  test('fails spc-object-type for a wrong case', () => {
    const [f] = of(
      run((p) => (params(p).objects = objectsParameter(['objectName: db-password\nobjectType: Secret']))),
      'spc-object-type',
    );
    expect(f.message).toMatch(/has objectType "Secret"; the provider accepts only secret, key or cert \(case-sensitive\)/);
    expect(f.fix).toBe('write objectType: secret');
  });

  test('fails spc-object-name-missing', () => {
    const [f] = of(
      run((p) => (params(p).objects = objectsParameter(['objectType: secret\nobjectAlias: x']))),
      'spc-object-name-missing',
    );
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault: array[0] has no objectName');
  });

  test('warns spc-object-version-pinned', () => {
    const [f] = of(
      run((p) => (params(p).objects = objectsParameter([`${OBJECTS[0]}objectVersion: abc123`, OBJECTS[1]]))),
      'spc-object-version-pinned',
    );
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault: object "db-password" is pinned to version "abc123" and is never rotated');
  });

  // Azure/secrets-store-csi-driver-provider-azure pkg/provider/validate.go (validateFileName) and
  // kubernetes-sigs/secrets-store-csi-driver pkg/util/fileutil/atomic_writer.go (validatePath):
  // the same rules (lib/csi-driver.ts MOUNT_PATH_RULES) the schema and the chart use.
  test.each([
    ['../etc/passwd', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['db..password', 'must not contain ".." anywhere (the provider refuses "db..password" too)'],
    ['/etc/passwd', 'must be a relative path (no leading "/")'],
    [`dir/${'a'.repeat(256)}`, 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)'],
    [`dir/${'é'.repeat(128)}`, 'must have path elements of at most 255 bytes (UTF-8; "é" counts 2)'],
  ])('fails spc-file-name-invalid for %s', (alias, problem) => {
    const [f] = of(
      run((p) => (params(p).objects = objectsParameter([`objectName: db-password\nobjectType: secret\nobjectAlias: "${alias}"`]))),
      'spc-file-name-invalid',
    );
    expect(f.message).toBe(`SecretProviderClass demo/app-keyvault: mounted file name "${alias}" ${problem}; the provider fails the mount`);
    expect(f.fix).toBe('set objectAlias to a relative name without ".." and with elements of at most 255 bytes');
  });

  test('fails spc-file-name-duplicate', () => {
    const [f] = of(
      run((p) => (params(p).objects = objectsParameter([...OBJECTS, 'objectName: other\nobjectType: secret\nobjectAlias: DB_PASSWORD']))),
      'spc-file-name-duplicate',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.parameters.objects array[2]`);
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault: array[2] mounts file "DB_PASSWORD", already mounted by array[0]; one overwrites the other');
  });

  test('fails secret-object-malformed', () => {
    const findings = of(
      run((p) => (p.spc.spec.secretObjects = [{ type: 'Opaque', data: [{ objectName: 'tls.crt' }] }])),
      'secret-object-malformed',
    );
    expect(findings.map((f) => f.message)).toEqual([
      'SecretProviderClass demo/app-keyvault: secretObjects[0] data[0] needs both objectName and key',
      'SecretProviderClass demo/app-keyvault: secretObjects[0] has no secretName',
    ]);
  });

  test('fails secret-object-type-missing', () => {
    const [f] = of(
      run((p) => delete p.spc.spec.secretObjects[0].type),
      'secret-object-type-missing',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.secretObjects[0].type`);
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault: secretObjects "app-tls" has no type; the driver silently skips it and no Secret is created');
  });

  test('fails secret-object-unknown-file when objectName is not the alias', () => {
    const [f] = of(
      run((p) => (p.spc.spec.secretObjects[0].data[0].objectName = 'web-tls')),
      'secret-object-unknown-file',
    );
    expect(f.message).toBe(
      'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" data[0] syncs "web-tls", which is not a mounted file name (mounted: DB_PASSWORD, tls.crt)',
    );
  });

  // Azure provider getLatestNKeyVaultObjects: objectVersionHistory > 1 writes <alias>/0 ... and no <alias>.
  test('fails secret-object-versioned-file when objectName is the alias of an object with a version history', () => {
    const findings = run((p) => {
      params(p).objects = objectsParameter([OBJECTS[0], `${OBJECTS[1]}objectVersionHistory: 3\n`]);
    });
    const [f] = of(findings, 'secret-object-versioned-file');
    expect(f.where).toBe(`${SPC_FILE}: spec.secretObjects[0].data[0].objectName`);
    expect(f.message).toBe(
      'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" data[0] syncs "tls.crt", but objectVersionHistory 3 makes the provider write "tls.crt/0" to "tls.crt/2" and no "tls.crt" file; the Secret never syncs',
    );
    expect(f.fix).toBe('set objectName: tls.crt/0 (the current version)');
    expect(findings.filter((x) => x.rule === 'secret-object-unknown-file')).toEqual([]);
  });

  // kubernetes-sigs/secrets-store-csi-driver pkg/util/fileutil/filesystem.go (GetMountedFiles walks nested files).
  test('accepts "<alias>/0" of a version history as a synced objectName', () => {
    const findings = run((p) => {
      params(p).objects = objectsParameter([OBJECTS[0], `${OBJECTS[1]}objectVersionHistory: 3\n`]);
      p.spc.spec.secretObjects[0].data[0].objectName = 'tls.crt/0';
    });
    expect(findings).toEqual([]);
  });

  // kubernetes/apimachinery IsConfigMapKey (ValidateSecret).
  test('fails secret-object-key-invalid', () => {
    const [f] = of(
      run((p) => (p.spc.spec.secretObjects[0].data[0].key = '..cert')),
      'secret-object-key-invalid',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.secretObjects[0].data[0].key`);
    expect(f.message).toBe('SecretProviderClass demo/app-keyvault: secretObjects "app-tls" data[0] has key "..cert", which the API server refuses in a Secret');
    expect(f.fix).toBe('use at most 253 letters, digits, "-", "_" or "." for a Secret key, not "." and not starting with ".."');
  });

  // kubernetes/kubernetes pkg/apis/core/validation ValidateSecret: required keys per type.
  test('fails secret-object-required-keys', () => {
    const [f] = of(
      run((p) => (p.spc.spec.secretObjects[0].type = 'kubernetes.io/dockerconfigjson')),
      'secret-object-required-keys',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.secretObjects[0].data`);
    expect(f.message).toBe(
      'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" is kubernetes.io/dockerconfigjson with keys [cert]; the API server refuses it without the key ".dockerconfigjson" (holding the JSON of a Docker config), so the sync fails',
    );
  });

  test('fails secret-object-tls-keys', () => {
    const [f] = of(
      run((p) => (p.spc.spec.secretObjects[0].type = 'kubernetes.io/tls')),
      'secret-object-tls-keys',
    );
    expect(f.message).toBe(
      'SecretProviderClass demo/app-keyvault: secretObjects "app-tls" is kubernetes.io/tls with keys [cert]; a TLS Secret needs exactly tls.crt and tls.key',
    );
  });
});

describe('federated credentials', () => {
  test('fails federated-credential-missing when no subject matches', () => {
    const [f] = of(
      run((p) => (credential(p).subject = 'system:serviceaccount:demo:app2')),
      'federated-credential-missing',
    );
    expect(f.where).toBe(`${SA_FILE}: metadata.name`);
    expect(f.message).toBe(
      `no federated credential in ${TF_FILE} has subject "system:serviceaccount:demo:app", so Deployment demo/app cannot get an Azure token (AADSTS70021); credentials for namespace "demo": "system:serviceaccount:demo:app2"`,
    );
  });

  test('fails federated-credential-issuer for a literal issuer', () => {
    const [f] = of(
      run((p) => (credential(p).issuer = 'https://westeurope.oic.prod-aks.azure.com/t/c')),
      'federated-credential-issuer',
    );
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_federated_identity_credential.credential_app.issuer`);
    expect(f.message).toMatch(/has the literal issuer "https:\/\/westeurope.*a missing trailing slash/);
  });

  test("fails federated-credential-issuer for a reference to something else than the cluster's issuer", () => {
    const [f] = of(
      run((p) => (credential(p).issuer = '${azurerm_kubernetes_cluster.cluster.id}')),
      'federated-credential-issuer',
    );
    expect(f.message).toMatch(/which is not a reference to a cluster's oidc_issuer_url/);
  });

  test('accepts the data-source cluster issuer', () => {
    const findings = run((p) => {
      credential(p).issuer = '${data.azurerm_kubernetes_cluster.cluster.oidc_issuer_url}';
      p.tf.data.azurerm_kubernetes_cluster = { cluster: { name: 'aks', resource_group_name: 'rg' } };
      delete p.tf.resource.azurerm_kubernetes_cluster;
    });
    expect(findings.map((f) => f.rule)).toEqual(['rotation-unverifiable']);
  });

  test('fails federated-credential-audience', () => {
    const [f] = of(
      run((p) => (credential(p).audience = ['api://AKSIdentityBinding'])),
      'federated-credential-audience',
    );
    expect(f.message).toBe(
      'azurerm_federated_identity_credential.credential_app has audience ["api://AKSIdentityBinding"]; workload identity tokens carry exactly "api://AzureADTokenExchange"',
    );
  });

  test('fails federated-credential-parent', () => {
    const [f] = of(
      run((p) => (credential(p).parent_id = '/subscriptions/x/identity')),
      'federated-credential-parent',
    );
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_federated_identity_credential.credential_app.parent_id`);
  });

  test('warns federated-credential-unused for a credential no workload matches', () => {
    const findings = run(
      (p) =>
        (p.tf.resource.azurerm_federated_identity_credential.stale = {
          ...credential(p),
          subject: 'system:serviceaccount:demo:old',
          depends_on: ['azurerm_federated_identity_credential.credential_app'],
        }),
    );
    const [f] = of(findings, 'federated-credential-unused');
    expect(f.message).toMatch(/trusts "system:serviceaccount:demo:old", but no workload in the manifests mounts/);
    expect(findings.filter((x) => x.severity === 'error')).toEqual([]);
  });

  test('fails federated-credential-limit above 20 credentials on one identity', () => {
    const findings = run((p) => {
      const creds = p.tf.resource.azurerm_federated_identity_credential;
      let previous = 'credential_app';
      for (let i = 0; i < 20; i++) {
        creds[`c${i}`] = { ...credential(p), subject: `system:serviceaccount:demo:sa${i}`, depends_on: [`azurerm_federated_identity_credential.${previous}`] };
        previous = `c${i}`;
      }
    });
    const [f] = of(findings, 'federated-credential-limit');
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_user_assigned_identity.identity_app`);
    expect(f.message).toBe(`${IDENTITY} holds 21 federated credentials; Azure allows at most 20 per identity`);
    expect(findings.some((x) => x.rule === 'federated-credentials-not-serialized')).toBe(false);
  });

  test('warns federated-credentials-not-serialized without depends_on between credentials of one identity', () => {
    const [f] = of(
      run((p) => (p.tf.resource.azurerm_federated_identity_credential.second = { ...credential(p), subject: 'system:serviceaccount:demo:b' })),
      'federated-credentials-not-serialized',
    );
    expect(f.message).toMatch(/may create in parallel .* 409/);
  });
});

describe('client id', () => {
  test('fails output-client-id when the output entry references another identity', () => {
    const [f] = of(
      run((p) => (p.tf.output.aks_keyvault_csi.value.workloads.app.clientId = '${azurerm_user_assigned_identity.other.client_id}')),
      'output-client-id',
    );
    expect(f.where).toBe(`${TF_FILE}: output.aks_keyvault_csi.value.workloads.app.clientId`);
    expect(f.message).toMatch(
      /has clientId "\$\{azurerm_user_assigned_identity.other.client_id\}", but the identity trusted for that ServiceAccount is azurerm_user_assigned_identity.identity_app/,
    );
  });

  test('fails output-client-id when no output entry references the identity', () => {
    const [f] = of(
      run((p) => (p.tf.output.aks_keyvault_csi.value.workloads = {})),
      'output-client-id',
    );
    expect(f.message).toMatch(
      /no workload entry of output "aks_keyvault_csi" has a clientId referencing azurerm_user_assigned_identity.identity_app.client_id/,
    );
  });

  test('fails client-id-mismatch when the SPC clientID differs from the outputs', () => {
    const [f] = of(
      run((p) => (params(p).clientID = '99999999-9999-9999-9999-999999999999')),
      'client-id-mismatch',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.parameters.clientID`);
    expect(f.message).toBe(
      `SecretProviderClass demo/app-keyvault has clientID 99999999-9999-9999-9999-999999999999, but the identity's client id is ${CLIENT_ID} per ${OUTPUTS_FILE} (workloads.app.clientId); the token exchange fails`,
    );
  });

  test('fails client-id-mismatch when the annotation differs from the outputs', () => {
    const [f] = of(
      run((p) => (p.sa.metadata.annotations['azure.workload.identity/client-id'] = '99999999-9999-9999-9999-999999999999')),
      'client-id-mismatch',
    );
    expect(f.where).toBe(`${SA_FILE}: metadata.annotations["azure.workload.identity/client-id"]`);
  });

  test('fails client-id-mismatch without outputs when annotation and SPC disagree', () => {
    const [f] = of(
      run((p) => (params(p).clientID = '99999999-9999-9999-9999-999999999999'), false),
      'client-id-mismatch',
    );
    expect(f.message).toBe(
      `SecretProviderClass demo/app-keyvault has clientID 99999999-9999-9999-9999-999999999999, but ServiceAccount demo/app is annotated with ${CLIENT_ID}; the provider uses the SPC's`,
    );
  });

  test('fails client-id-mismatch when the outputs file lacks the workload', () => {
    const [f] = of(
      run((p) => (p.outputs!.workloads = {})),
      'client-id-mismatch',
    );
    expect(f.message).toMatch(/has no workload entry for demo\/app \(looked for app\)/);
  });
});

describe('role assignments', () => {
  const roles = (p: Parts) => p.tf.resource.azurerm_role_assignment;

  test('fails role-assignment-client-id for principal_id = client_id', () => {
    const findings = run((p) => (roles(p).role_secrets.principal_id = `\${${IDENTITY}.client_id}`));
    const [f] = of(findings, 'role-assignment-client-id');
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_role_assignment.role_secrets.principal_id`);
    expect(f.message).toMatch(/principal_id must be the identity's principal_id \(object id\)/);
    expect(f.fix).toBe(`set principal_id to "\${${IDENTITY}.principal_id}"`);
    expect(of(findings, 'role-assignment-missing')[0].message).toMatch(/read secret "db-password"/);
  });

  test('fails role-assignment-missing when the role does not allow the object type', () => {
    const [f] = of(
      run((p) => delete roles(p).role_cert),
      'role-assignment-missing',
    );
    expect(f.where).toBe(`${SPC_FILE}: spec.parameters.objects array[1]`);
    expect(f.message).toBe(
      `${IDENTITY} has no role assignment in ${TF_FILE} that lets it read cert "web-tls" (mounted by SecretProviderClass demo/app-keyvault); the mount fails with 403`,
    );
    expect(f.fix).toMatch(/assign "Key Vault Certificate User"/);
  });

  test('fails role-assignment-missing when scoped to another object', () => {
    const [f] = of(
      run((p) => (roles(p).role_secrets.scope = '${azurerm_key_vault.kv.id}/secrets/other')),
      'role-assignment-missing',
    );
    expect(f.message).toMatch(/read secret "db-password"/);
  });

  test('warns role-assignment-principal-type', () => {
    const [f] = of(
      run((p) => delete roles(p).role_cert.principal_type),
      'role-assignment-principal-type',
    );
    // A missing value reads "(not set)", never "undefined".
    expect(f.message).toMatch(/has principal_type \(not set\); a managed identity is a ServicePrincipal/);
  });

  test('warns role-administrator, which still allows every object', () => {
    const findings = run((p) => {
      delete roles(p).role_cert;
      roles(p).role_secrets.role_definition_name = 'Key Vault Administrator';
    });
    expect(findings.map((f) => f.rule)).toEqual(['role-administrator']);
    expect(findings[0].message).toMatch(/grants Key Vault Administrator: every data-plane operation/);
  });
});

// Azure refuses a second assignment of one role to one principal at one scope with 409
// RoleAssignmentExists (learn.microsoft.com/azure/role-based-access-control/troubleshooting);
// Key Vault object names in the scope are case-insensitive.
describe('duplicate role assignments', () => {
  const roles = (p: Parts) => p.tf.resource.azurerm_role_assignment;

  test('fails role-assignment-duplicate for one object scope written in two cases', () => {
    const findings = run((p) => (roles(p).role_cert_again = { ...roles(p).role_cert, scope: `\${azurerm_key_vault.kv.id}/certificates/WEB-TLS` }));
    expect(findings.map((f) => f.rule)).toEqual(['role-assignment-duplicate']);
    const [f] = of(findings, 'role-assignment-duplicate');
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_role_assignment.role_cert_again.scope`);
    expect(f.message).toBe(
      'azurerm_role_assignment.role_cert_again assigns "Key Vault Certificate User" to the same principal at the same scope as azurerm_role_assignment.role_cert (Key Vault object names compare case-insensitively); Azure refuses the second with 409 RoleAssignmentExists and the apply stops',
    );
    expect(f.fix).toBe('remove azurerm_role_assignment.role_cert_again: one assignment per principal, role and scope');
  });

  test('passes one object name at two scope segments (a cert and a key of one name) and two roles at one scope', () => {
    expect(run((p) => (roles(p).role_key = { ...roles(p).role_cert, scope: `\${azurerm_key_vault.kv.id}/keys/web-tls` }))).toEqual([]);
    expect(run((p) => (roles(p).role_officer = { ...roles(p).role_secrets, role_definition_name: 'Key Vault Secrets Officer' }))).toEqual([]);
  });
});

// azurerm v4.55.0 internal/services/containers/kubernetes_cluster_resource.go: workload_identity_enabled
// defaults to false and oidc_issuer_enabled has no default; either off breaks every token exchange.
describe('cluster identity', () => {
  const cluster = (p: Parts) => p.tf.resource.azurerm_kubernetes_cluster.cluster;

  test('fails cluster-workload-identity-disabled for workload_identity_enabled = false', () => {
    const findings = run((p) => (cluster(p).workload_identity_enabled = false));
    expect(findings.map((f) => f.rule)).toEqual(['cluster-workload-identity-disabled']);
    const [f] = of(findings, 'cluster-workload-identity-disabled');
    expect(f.severity).toBe('error');
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_kubernetes_cluster.cluster.workload_identity_enabled`);
    expect(f.message).toBe(
      'azurerm_kubernetes_cluster.cluster has workload_identity_enabled false: Workload Identity is off, so pods get no projected token for Entra ID; every token exchange fails (AADSTS70021) and no mount gets a secret',
    );
    expect(f.fix).toBe('set workload_identity_enabled = true (cluster.workloadIdentity: true)');
  });

  test('fails cluster-oidc-issuer-disabled for oidc_issuer_enabled = false', () => {
    const findings = run((p) => (cluster(p).oidc_issuer_enabled = false));
    expect(findings.map((f) => f.rule)).toEqual(['cluster-oidc-issuer-disabled']);
    const [f] = of(findings, 'cluster-oidc-issuer-disabled');
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_kubernetes_cluster.cluster.oidc_issuer_enabled`);
    expect(f.message).toMatch(/^azurerm_kubernetes_cluster\.cluster has oidc_issuer_enabled false: the OIDC issuer is off/);
    expect(f.fix).toBe('set oidc_issuer_enabled = true (cluster.oidcIssuer: true)');
  });

  test('fails both when the attributes are missing (azurerm defaults)', () => {
    const findings = run((p) => {
      delete cluster(p).workload_identity_enabled;
      delete cluster(p).oidc_issuer_enabled;
    });
    expect(findings.map((f) => f.rule).sort()).toEqual(['cluster-oidc-issuer-disabled', 'cluster-workload-identity-disabled']);
    expect(findings.map((f) => f.message.split(':')[0]).sort()).toEqual([
      'azurerm_kubernetes_cluster.cluster has no oidc_issuer_enabled (so it is off)',
      'azurerm_kubernetes_cluster.cluster has no workload_identity_enabled (so it is off)',
    ]);
  });

  test('leaves rotation-disabled a warning beside them', () => {
    const findings = run((p) => (cluster(p).key_vault_secrets_provider.secret_rotation_enabled = false));
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['rotation-disabled', 'warning']]);
  });

  test('does not judge a data-source cluster (its postconditions do, at plan time)', () => {
    const findings = run((p) => {
      p.tf.data.azurerm_kubernetes_cluster = { existing: { name: 'aks', oidc_issuer_enabled: false } };
      delete p.tf.resource.azurerm_kubernetes_cluster;
      credential(p).issuer = '${data.azurerm_kubernetes_cluster.existing.oidc_issuer_url}';
    });
    expect(findings.map((f) => f.rule)).toEqual(['rotation-unverifiable']);
  });
});

describe('rotation', () => {
  const cluster = (p: Parts) => p.tf.resource.azurerm_kubernetes_cluster.cluster;

  test('fails secrets-provider-addon-missing', () => {
    const [f] = of(
      run((p) => delete cluster(p).key_vault_secrets_provider),
      'secrets-provider-addon-missing',
    );
    expect(f.where).toBe(`${TF_FILE}: resource.azurerm_kubernetes_cluster.cluster.key_vault_secrets_provider`);
  });

  test('warns rotation-disabled', () => {
    const [f] = of(
      run((p) => (cluster(p).key_vault_secrets_provider.secret_rotation_enabled = false)),
      'rotation-disabled',
    );
    expect(f.message).toMatch(/has secret_rotation_enabled false: mounted files keep the version read at pod start/);
  });

  test('warns rotation-unverifiable for a data-source cluster', () => {
    const [f] = of(
      run((p) => {
        p.tf.data.azurerm_kubernetes_cluster = { existing: { name: 'aks' } };
        delete p.tf.resource.azurerm_kubernetes_cluster;
        credential(p).issuer = '${data.azurerm_kubernetes_cluster.existing.oidc_issuer_url}';
      }),
      'rotation-unverifiable',
    );
    expect(f.message).toMatch(/cannot be verified offline/);
  });
});

describe('other workload kinds and layouts', () => {
  test('checks a StatefulSet and a namespace from a Kustomization', () => {
    const p = parts();
    p.deploy.kind = 'StatefulSet';
    delete p.deploy.metadata.namespace;
    mount(p).subPath = 'x';
    const i = input(p);
    const findings = checkTrustChain({
      ...i,
      manifests: [
        ...i.manifests,
        { file: 'dist/dev/kustomization.yaml', objects: [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: 'demo' }] },
      ],
    });
    expect(findings.map((f) => f.rule)).toEqual(['csi-mount-sub-path']);
    expect(findings[0].message).toMatch(/^StatefulSet demo\/app/);
  });

  test('names the object when a file holds several', () => {
    const p = parts();
    volume(p).csi.readOnly = false;
    const findings = checkTrustChain({ ...input(p), manifests: [{ file: 'all.yaml', objects: [p.sa, p.spc, p.deploy] }] });
    expect(findings.map((f) => f.where)).toEqual(['all.yaml (Deployment demo/app): spec.template.spec.volumes[0].csi.readOnly']);
  });

  test('ignores pods without a secrets-store volume', () => {
    const p = parts();
    p.extra.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'plain', namespace: 'demo' },
      spec: { template: { spec: { containers: [{ name: 'c' }] } } },
    });
    expect(checkTrustChain(input(p))).toEqual([]);
  });
});

describe('determinism', () => {
  test('the same findings whatever the order of the manifests', () => {
    const p = parts();
    volume(p).csi.readOnly = false;
    delete p.sa.metadata.annotations;
    params(p).objects = objectsParameter([`${OBJECTS[0]}objectVersion: v1\nfoo: bar`]);
    const i = input(p);
    const a = checkTrustChain(i);
    const b = checkTrustChain({ ...i, manifests: [...i.manifests].reverse() });
    expect(b).toEqual(a);
    expect(a.map((f) => f.severity)).toEqual([...a.map((f) => f.severity)].sort());
  });
});

describe('stack values', () => {
  test('fails outputs-contract-invalid for the outputs of another environment, and compares nothing against them', () => {
    const findings = run((p) => {
      p.outputs!.environment = 'prod';
      p.outputs!.tenantId = '33333333-3333-3333-3333-333333333333';
    });
    expect(findings.map((f) => f.rule)).toEqual(['outputs-contract-invalid']);
    expect(findings[0].message).toBe(
      `${OUTPUTS_FILE} holds the outputs of environment "prod", but ${TF_FILE} is environment "dev"; client id, tenant and vault cannot be compared against it`,
    );
  });

  test("fails spc-tenant-id for another tenant than a literal tenant_id of the stack's vault", () => {
    const [f] = of(
      run((p) => (p.tf.resource.azurerm_key_vault.kv.tenant_id = '44444444-4444-4444-4444-444444444444'), false),
      'spc-tenant-id',
    );
    expect(f.message).toBe(
      `SecretProviderClass demo/app-keyvault has tenantID "22222222-2222-2222-2222-222222222222" but the stack's vault "kv-dev" is in tenant "44444444-4444-4444-4444-444444444444"`,
    );
  });
});

/**
 * The delivery engines of issue 16, on what synth really writes for the `engines` example: one
 * link of a SecretSync's or an ExternalSecret's chain broken at a time. Each engine's chain runs
 * through the same federation, client id and role links as a CSI mount, so a broken shared link
 * is caught for every engine.
 * Sync Controller: kubernetes-sigs/secrets-store-sync-controller api/v1alpha1/secretsync_types.go;
 * ESO: external-secrets/external-secrets providers/v1/azure/keyvault/keyvault.go, apis/externalsecrets/v1.
 */
describe('delivery engines (issue 16): the engines example with one link broken', () => {
  let base: SynthesizedInput;
  beforeAll(() => {
    base = synthesizeExample('engines');
  });

  /** The check of the example after `change`, which edits objects found by kind and name, or the Terraform JSON. */
  function runEngines(change: (find: (kind: string, name: string, namespace?: string) => any, tf: any) => void): Finding[] {
    const copy = structuredClone(base);
    const find = (kind: string, name: string, namespace?: string) => {
      const o = copy.manifests
        .flatMap((m) => m.objects as any[])
        .find((x) => x.kind === kind && x.metadata?.name === name && (namespace === undefined || x.metadata?.namespace === namespace));
      if (o === undefined) throw new Error(`no ${kind} ${name} in the engines example`);
      return o;
    };
    change(find, copy.terraform.json);
    return checkTrustChain(copy);
  }

  test('the example passes the check as rendered', () => {
    expect(checkTrustChain(base)).toEqual([]);
  });

  describe('Secrets Store Sync Controller (workload ledger)', () => {
    test('fails secret-sync-api-version for another version than v1alpha1', () => {
      const [f] = of(
        runEngines((find) => (find('SecretSync', 'ledger-keyvault').apiVersion = 'secret-sync.x-k8s.io/v1')),
        'secret-sync-api-version',
      );
      expect(f.message).toContain('SecretSync ledger/ledger-keyvault');
      expect(f.message).toContain('secret-sync.x-k8s.io/v1alpha1');
    });

    test('fails secret-sync-source-path for a sourcePath that is no file of the SecretProviderClass', () => {
      const [f] = of(
        runEngines((find) => (find('SecretSync', 'ledger-keyvault').spec.secretObject.data[0].sourcePath = 'db-pass')),
        'secret-sync-source-path',
      );
      expect(f.message).toBe(
        'SecretSync ledger/ledger-keyvault: spec.secretObject.data[0].sourcePath "db-pass" is not a file of SecretProviderClass ledger/ledger-keyvault (files: db-password, api-token); the sync fails',
      );
    });

    test('fails target-secret-key-invalid for a targetKey the API server refuses', () => {
      const [f] = of(
        runEngines((find) => (find('SecretSync', 'ledger-keyvault').spec.secretObject.data[0].targetKey = 'db password')),
        'target-secret-key-invalid',
      );
      expect(f.message).toContain('"db password"');
    });

    test('fails secret-sync-reserved-metadata for a label with the prefix the controller reserves', () => {
      const [f] = of(
        runEngines((find) => (find('SecretSync', 'ledger-keyvault').spec.secretObject.labels = { 'secrets-store.sync.x-k8s.io/owner': 'me' })),
        'secret-sync-reserved-metadata',
      );
      expect(f.message).toContain('secrets-store.sync.x-k8s.io/owner');
    });

    test('a broken chain: a SecretSync reading as a ServiceAccount without federated credential fails the federation', () => {
      const findings = runEngines((find) => (find('SecretSync', 'ledger-keyvault').spec.serviceAccountName = 'default'));
      expect(findings.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
      expect(findings.map((f) => f.rule)).toContain('service-account-missing');
    });

    test('a broken chain: the SecretProviderClass clientID of another identity fails client-id-mismatch', () => {
      const [f] = of(
        runEngines((find) => (find('SecretProviderClass', 'ledger-keyvault').spec.parameters.clientID = '00000000-0000-0000-0000-00000000e101')),
        'client-id-mismatch',
      );
      expect(f.message).toContain('ledger');
    });
  });

  describe('External Secrets Operator (workload payouts, shared wildcard-tls)', () => {
    test('fails external-secrets-api-version for v1beta1 (no longer served since ESO v0.17)', () => {
      const [f] = of(
        runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').apiVersion = 'external-secrets.io/v1beta1')),
        'external-secrets-api-version',
      );
      expect(f.message).toContain('external-secrets.io/v1beta1');
    });

    test('fails secret-store-missing when the ExternalSecret names no store', () => {
      const [f] = of(
        runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').spec.secretStoreRef.name = 'nope')),
        'secret-store-missing',
      );
      expect(f.message).toContain('"nope"');
    });

    test('fails secret-store-provider for a store of another provider', () => {
      const [f] = of(
        runEngines((find) => (find('SecretStore', 'payouts-keyvault').spec.provider = { aws: { service: 'SecretsManager', region: 'eu-west-1' } })),
        'secret-store-provider',
      );
      expect(f.message).toContain('SecretStore payouts/payouts-keyvault');
    });

    test('fails secret-store-auth-type for another authType than WorkloadIdentity', () => {
      const [f] = of(
        runEngines((find) => (find('SecretStore', 'payouts-keyvault').spec.provider.azurekv.authType = 'ManagedIdentity')),
        'secret-store-auth-type',
      );
      expect(f.message).toContain('"ManagedIdentity"');
    });

    test('fails secret-store-service-account-ref without serviceAccountRef', () => {
      const [f] = of(
        runEngines((find) => delete find('SecretStore', 'payouts-keyvault').spec.provider.azurekv.serviceAccountRef),
        'secret-store-service-account-ref',
      );
      expect(f.message).toContain('SecretStore payouts/payouts-keyvault');
    });

    test('fails secret-store-vault-url for another vault', () => {
      const [f] = of(
        runEngines((find) => (find('SecretStore', 'payouts-keyvault').spec.provider.azurekv.vaultUrl = 'https://kv-other.vault.azure.net/')),
        'secret-store-vault-url',
      );
      expect(f.message).toContain('kv-other');
    });

    test('fails secret-store-tenant-id for another tenant', () => {
      const [f] = of(
        runEngines((find) => (find('ClusterSecretStore', 'engines-shared-secrets').spec.provider.azurekv.tenantId = '00000000-0000-0000-0000-00000000bbbb')),
        'secret-store-tenant-id',
      );
      expect(f.message).toContain('00000000-0000-0000-0000-00000000bbbb');
    });

    test("fails secret-store-client-id-missing when the store's ServiceAccount lacks the client-id annotation", () => {
      const [f] = of(
        runEngines((find) => delete find('ServiceAccount', 'payouts', 'payouts').metadata.annotations['azure.workload.identity/client-id']),
        'secret-store-client-id-missing',
      );
      expect(f.message).toContain('payouts');
    });

    test('a broken chain: the store ServiceAccount annotated with another identity fails client-id-mismatch', () => {
      const [f] = of(
        runEngines(
          (find) =>
            (find('ServiceAccount', 'keyvault-shared-secrets', 'keyvault-shared-secrets').metadata.annotations['azure.workload.identity/client-id'] =
              '00000000-0000-0000-0000-00000000e101'),
        ),
        'client-id-mismatch',
      );
      expect(f.message).toContain('keyvault-shared-secrets');
    });

    test('a broken chain: a remote key the identity has no role on fails role-assignment-missing', () => {
      const findings = runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').spec.data[2].remoteRef.key = 'secret/checkout-db-password'));
      expect(of(findings, 'role-assignment-missing')[0].message).toContain('checkout-db-password');
    });

    test('fails external-secret-remote-key for a key that is not <type>/<name>', () => {
      const [f] = of(
        runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').spec.data[2].remoteRef.key = 'secrets/payouts-mtls')),
        'external-secret-remote-key',
      );
      expect(f.message).toContain('"secrets/payouts-mtls"');
    });

    test('fails external-secret-property-cert for a JSON property of a cert', () => {
      const [f] = of(
        runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').spec.data[0].remoteRef.key = 'cert/payouts-db')),
        'external-secret-property-cert',
      );
      expect(f.message).toContain('cert/payouts-db');
    });

    test('fails external-secret-tls-der for a TLS Secret read from a cert (DER, not PEM)', () => {
      const [f] = of(
        runEngines(
          (find) => (find('ClusterExternalSecret', 'engines-wildcard-tls').spec.externalSecretSpec.data[0].remoteRef.key = 'cert/wildcard-example-com'),
        ),
        'external-secret-tls-der',
      );
      expect(f.message).toBe(
        'ClusterExternalSecret engines-wildcard-tls fills "tls.crt" of its kubernetes.io/tls Secret from cert/wildcard-example-com, which the provider returns as DER; TLS Secrets hold PEM',
      );
    });

    test('fails target-secret-type-keys for a TLS Secret without tls.key', () => {
      const [f] = of(
        runEngines((find) => {
          const spec = find('ExternalSecret', 'payouts-mtls').spec;
          spec.data = spec.data.filter((d: any) => d.secretKey !== 'tls.key');
          delete spec.target.template.data['tls.key'];
        }),
        'target-secret-type-keys',
      );
      expect(f.message).toContain('tls.key');
    });

    test('fails external-secret-refresh-invalid for a refreshInterval that is no Go duration', () => {
      const [f] = of(
        runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').spec.refreshInterval = '15 minutes')),
        'external-secret-refresh-invalid',
      );
      expect(f.message).toContain('"15 minutes"');
    });

    test('warns external-secret-refresh-disabled for refreshInterval 0s (read once, never rotated)', () => {
      const [f] = of(
        runEngines((find) => (find('ExternalSecret', 'payouts-keyvault').spec.refreshInterval = '0s')),
        'external-secret-refresh-disabled',
      );
      expect(f.message).toContain('payouts-keyvault');
    });

    test('fails cluster-secret-store-conditions when a target namespace is outside the store conditions', () => {
      const [f] = of(
        runEngines((find) => (find('ClusterSecretStore', 'engines-shared-secrets').spec.conditions = [{ namespaces: ['checkout', 'ledger'] }])),
        'cluster-secret-store-conditions',
      );
      expect(f.message).toContain('payouts');
    });
  });
});

/**
 * The network path (issue 14 item 6): the private example's synthesized Terraform JSON with one
 * link broken. Sub-resource and zones: learn.microsoft.com/azure/private-link/private-endpoint-dns
 * (Azure Private Endpoint DNS configuration, Key Vault), lib/azure.ts KEY_VAULT_PRIVATE_LINK.
 */
describe('network path: the private example with one link broken', () => {
  let base: SynthesizedInput;
  beforeAll(() => {
    base = synthesizeExample('private');
  });
  const ENDPOINT = 'resource.azurerm_private_endpoint.key_vault';

  function runPrivate(change: (tf: any) => void): Finding[] {
    const copy = structuredClone(base);
    change(copy.terraform.json);
    return checkTrustChain(copy);
  }
  const endpoint = (tf: any) => tf.resource.azurerm_private_endpoint.key_vault;

  test('the example passes the check as rendered', () => {
    expect(checkTrustChain(base)).toEqual([]);
  });

  test('fails keyvault-private-endpoint-subresource for a sub-resource other than vault', () => {
    const [f] = of(
      runPrivate((tf) => (endpoint(tf).private_service_connection.subresource_names = ['vaults'])),
      'keyvault-private-endpoint-subresource',
    );
    expect(f.where).toBe(`${base.terraform.file}: ${ENDPOINT}.private_service_connection.subresource_names`);
    expect(f.message).toBe(
      'azurerm_private_endpoint.key_vault connects to azurerm_key_vault.this with subresource_names ["vaults"]; a Key Vault private endpoint serves only sub-resource "vault", so Azure refuses the connection and the nodes never reach the vault privately',
    );
    expect(f.fix).toBe('set subresource_names = ["vault"]');
  });

  test('fails keyvault-private-dns-zone when the zone group names another zone than privatelink.vaultcore.azure.net', () => {
    const [f] = of(
      runPrivate((tf) => (tf.resource.azurerm_private_dns_zone.key_vault.name = 'privatelink.blob.core.windows.net')),
      'keyvault-private-dns-zone',
    );
    expect(f.where).toBe(`${base.terraform.file}: ${ENDPOINT}.private_dns_zone_group.private_dns_zone_ids`);
    expect(f.message).toBe(
      'azurerm_private_endpoint.key_vault registers the vault in zone(s) "privatelink.blob.core.windows.net", not in privatelink.vaultcore.azure.net, so the vault\'s name keeps resolving to its public address inside the VNet and the nodes never use the endpoint',
    );
  });

  test("fails keyvault-private-dns-zone for another cloud's zone (the provider's environment decides), and for no zone group", () => {
    const china = of(
      runPrivate((tf) => (tf.resource.azurerm_private_dns_zone.key_vault.name = 'privatelink.vaultcore.azure.cn')),
      'keyvault-private-dns-zone',
    );
    expect(china[0].message).toContain('"privatelink.vaultcore.azure.cn", not in privatelink.vaultcore.azure.net');
    // The same zone in a China stack (azurerm environment "china") is the right one.
    const inChina = runPrivate((tf) => {
      tf.resource.azurerm_private_dns_zone.key_vault.name = 'privatelink.vaultcore.azure.cn';
      tf.provider.azurerm[0].environment = 'china';
    });
    expect(inChina.map((x) => x.rule)).not.toContain('keyvault-private-dns-zone');
    const [none] = of(
      runPrivate((tf) => delete endpoint(tf).private_dns_zone_group),
      'keyvault-private-dns-zone',
    );
    expect(none.where).toBe(`${base.terraform.file}: ${ENDPOINT}.private_dns_zone_group`);
    expect(none.message).toContain('has no private_dns_zone_group: no A record for the vault is written in privatelink.vaultcore.azure.net');
  });

  test('an existing zone given by its literal id passes when it is the Key Vault zone, and fails when it is not', () => {
    const id = (zone: string) =>
      `/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/${zone}`;
    const rulesOf = (findings: Finding[]) => findings.map((x) => x.rule);
    expect(rulesOf(runPrivate((tf) => (endpoint(tf).private_dns_zone_group.private_dns_zone_ids = [id('privatelink.vaultcore.azure.net')])))).not.toContain(
      'keyvault-private-dns-zone',
    );
    const [f] = of(
      runPrivate((tf) => (endpoint(tf).private_dns_zone_group.private_dns_zone_ids = [id('privatelink.database.windows.net')])),
      'keyvault-private-dns-zone',
    );
    expect(f.message).toContain('"privatelink.database.windows.net"');
  });

  test('fails keyvault-private-dns-zone-link when the zone the stack creates is linked to no VNet', () => {
    const [f] = of(
      runPrivate((tf) => delete tf.resource.azurerm_private_dns_zone_virtual_network_link),
      'keyvault-private-dns-zone-link',
    );
    expect(f.where).toBe(`${base.terraform.file}: resource.azurerm_private_dns_zone.key_vault`);
    expect(f.message).toBe(
      "azurerm_private_dns_zone.key_vault, the zone azurerm_private_endpoint.key_vault registers the vault in, has no azurerm_private_dns_zone_virtual_network_link: no VNet resolves through it, so the nodes keep resolving the vault's public address and never use the endpoint",
    );
    // A link naming the zone literally counts too.
    const literal = runPrivate(
      (tf) => (tf.resource.azurerm_private_dns_zone_virtual_network_link.key_vault.private_dns_zone_name = 'privatelink.vaultcore.azure.net'),
    );
    expect(literal.map((x) => x.rule)).not.toContain('keyvault-private-dns-zone-link');
  });

  test('fails keyvault-public-access-without-path when public access is off and no private endpoint connects to the vault', () => {
    const [f] = of(
      runPrivate((tf) => delete tf.resource.azurerm_private_endpoint),
      'keyvault-public-access-without-path',
    );
    expect(f.where).toBe(`${base.terraform.file}: resource.azurerm_key_vault.this.public_network_access_enabled`);
    expect(f.message).toBe(
      `azurerm_key_vault.this has public_network_access_enabled false and no private endpoint in ${base.terraform.file} connects to it: Key Vault refuses every request that does not come through a private endpoint, so no mount gets a secret`,
    );
    // An endpoint connected to something else is no path to the vault.
    const other = runPrivate((tf) => (endpoint(tf).private_service_connection.private_connection_resource_id = '${azurerm_storage_account.x.id}'));
    expect(of(other, 'keyvault-public-access-without-path')).toHaveLength(1);
  });
});

/**
 * Monitoring objects (issue 15): the prod example's PodMonitors (azmonitoring.coreos.com), and a
 * hand-written PrometheusRule beside them.
 * kubernetes-sigs/secrets-store-csi-driver pkg/secrets-store/stats_reporter.go (NewStatsReporter);
 * Azure/secrets-store-csi-driver-provider-azure pkg/metrics/stats_reporter.go; the driver's
 * cmd main.go (--metrics-addr :8095) and the provider's (--prometheus-port 8898).
 */
describe('monitoring (issue 15): the prod example with one object changed', () => {
  let base: SynthesizedInput;
  beforeAll(() => {
    base = synthesizeExample('prod');
  });
  const podMonitor = (input: SynthesizedInput, name: string): any =>
    input.manifests.flatMap((m) => m.objects as any[]).find((o) => o.kind === 'PodMonitor' && o.metadata.name === name);
  const withRule = (expr: string): SynthesizedInput => {
    const copy = structuredClone(base);
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'csi', namespace: 'monitoring' },
      spec: { groups: [{ name: 'csi', rules: [{ alert: 'Hand', expr }] }] },
    };
    return { ...copy, manifests: [...copy.manifests, { file: 'prometheusrule-monitoring-csi.yaml', objects: [rule] }] };
  };

  test('the example passes as rendered, and a correct hand-written rule passes too', () => {
    expect(checkTrustChain(base)).toEqual([]);
    expect(checkTrustChain(withRule('sum(rate(node_publish_error_total{job="secrets-store-csi-driver"}[5m])) > 0'))).toEqual([]);
  });

  test('fails pod-monitor-port when the driver PodMonitor scrapes the provider port', () => {
    const copy = structuredClone(base);
    podMonitor(copy, 'secrets-store-csi-driver-metrics').spec.podMetricsEndpoints[0].portNumber = 8898;
    const [f] = of(checkTrustChain(copy), 'pod-monitor-port');
    expect(f.message).toBe(
      'PodMonitor kube-system/secrets-store-csi-driver-metrics scrapes port 8898 of the Secrets Store CSI driver pods (app=secrets-store-csi-driver), which serve metrics on 8095',
    );
    expect(f.fix).toBe('set portNumber: 8095');
  });

  test("fails prometheus-rule-series for an old docs' total_* name, naming the wire name", () => {
    const [f] = of(checkTrustChain(withRule('increase(total_node_publish_error{job="kube-system/csi"}[5m]) > 0')), 'prometheus-rule-series');
    expect(f.message).toBe(
      'PrometheusRule monitoring/csi: "total_node_publish_error" is not a series the Secrets Store CSI driver or its Azure provider exports: the rule never fires',
    );
    expect(f.fix).toBe('use node_publish_error_total (the OpenTelemetry exporter appends _total to counters)');
  });

  test('fails prometheus-rule-series for an unknown series under an add-on job (keyvault_request_seconds: the histogram has no unit)', () => {
    const [f] = of(
      checkTrustChain(withRule('histogram_quantile(0.9, rate(keyvault_request_seconds_bucket{job="secrets-store-provider-azure"}[5m])) > 1')),
      'prometheus-rule-series',
    );
    expect(f.message).toContain('"keyvault_request_seconds_bucket" is not a series');
  });
});
