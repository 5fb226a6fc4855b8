/**
 * A minimal, hand-written synthesized environment that passes the check: one workload `app` in
 * namespace `demo` mounting one secret and one certificate. Tests clone it and break one link.
 */
import type { SynthesizedInput } from '../../check';

export const CLIENT_ID = '11111111-1111-1111-1111-111111111111';
export const TENANT_ID = '22222222-2222-2222-2222-222222222222';
export const TF_FILE = 'cdktf.out/stacks/dev/cdk.tf.json';
export const OUTPUTS_FILE = 'environments/dev.outputs.json';
export const DEPLOYMENT_FILE = 'dist/dev/deployment-demo-app.yaml';
export const SA_FILE = 'dist/dev/serviceaccount-demo-app.yaml';
export const SPC_FILE = 'dist/dev/secretproviderclass-demo-app-keyvault.yaml';

export const IDENTITY = 'azurerm_user_assigned_identity.identity_app';
export const CLUSTER = 'azurerm_kubernetes_cluster.cluster';
export const VAULT = 'azurerm_key_vault.kv';

export function terraform(): Record<string, any> {
  return {
    '//': { metadata: { stackName: 'dev' } },
    data: { azurerm_client_config: { current: {} } },
    output: {
      aks_keyvault_csi: {
        value: {
          contractVersion: 1,
          environment: 'dev',
          tenantId: '${data.azurerm_client_config.current.tenant_id}',
          cloudName: 'AzurePublicCloud',
          keyVault: { name: `\${${VAULT}.name}`, uri: `\${${VAULT}.vault_uri}` },
          oidcIssuerUrl: `\${${CLUSTER}.oidc_issuer_url}`,
          workloads: {
            app: { clientId: `\${${IDENTITY}.client_id}`, identityName: 'id-dev-app', namespace: 'demo', serviceAccount: 'app' },
          },
        },
      },
    },
    resource: {
      azurerm_kubernetes_cluster: {
        cluster: {
          name: 'aks-dev',
          oidc_issuer_enabled: true,
          workload_identity_enabled: true,
          key_vault_secrets_provider: { secret_rotation_enabled: true, secret_rotation_interval: '30s' },
        },
      },
      azurerm_key_vault: { kv: { name: 'kv-dev', rbac_authorization_enabled: true, tenant_id: '${data.azurerm_client_config.current.tenant_id}' } },
      azurerm_user_assigned_identity: { identity_app: { name: 'id-dev-app' } },
      azurerm_federated_identity_credential: {
        credential_app: {
          name: 'fc-demo-app',
          parent_id: `\${${IDENTITY}.id}`,
          issuer: `\${${CLUSTER}.oidc_issuer_url}`,
          subject: 'system:serviceaccount:demo:app',
          audience: ['api://AzureADTokenExchange'],
        },
      },
      azurerm_role_assignment: {
        role_secrets: {
          principal_id: `\${${IDENTITY}.principal_id}`,
          principal_type: 'ServicePrincipal',
          role_definition_name: 'Key Vault Secrets User',
          scope: `\${${VAULT}.id}`,
        },
        role_cert: {
          principal_id: `\${${IDENTITY}.principal_id}`,
          principal_type: 'ServicePrincipal',
          role_definition_name: 'Key Vault Certificate User',
          scope: `\${${VAULT}.id}/certificates/web-tls`,
        },
      },
    },
  };
}

export const OBJECTS = [
  'objectName: db-password\nobjectType: secret\nobjectAlias: DB_PASSWORD\n',
  'objectName: web-tls\nobjectType: cert\nobjectAlias: tls.crt\n',
];

/** The `objects` parameter as the chart writes it: `array:` of `- |` blocks. */
export function objectsParameter(elements: readonly string[]): string {
  return `array:\n${elements
    .map(
      (e) =>
        `  - |\n${e
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n`,
    )
    .join('')}`;
}

export function serviceAccount(): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'app', namespace: 'demo', annotations: { 'azure.workload.identity/client-id': CLIENT_ID } },
  };
}

export function secretProviderClass(): Record<string, any> {
  return {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name: 'app-keyvault', namespace: 'demo' },
    spec: {
      provider: 'azure',
      parameters: { keyvaultName: 'kv-dev', tenantID: TENANT_ID, clientID: CLIENT_ID, cloudName: 'AzurePublicCloud', objects: objectsParameter(OBJECTS) },
      secretObjects: [{ secretName: 'app-tls', type: 'Opaque', data: [{ objectName: 'tls.crt', key: 'cert' }] }],
    },
  };
}

export function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'demo' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'app' } },
      template: {
        metadata: { labels: { app: 'app' } },
        spec: {
          serviceAccountName: 'app',
          containers: [
            {
              name: 'main',
              image: 'nginx',
              volumeMounts: [{ name: 'secrets-store', mountPath: '/mnt/secrets-store', readOnly: true }],
            },
          ],
          volumes: [
            { name: 'secrets-store', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'app-keyvault' } } },
          ],
        },
      },
    },
  };
}

export function outputsContract(): Record<string, any> {
  return {
    contractVersion: 1,
    environment: 'dev',
    tenantId: TENANT_ID,
    cloudName: 'AzurePublicCloud',
    keyVault: { name: 'kv-dev', uri: 'https://kv-dev.vault.azure.net/' },
    oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/',
    workloads: { app: { clientId: CLIENT_ID, identityName: 'id-dev-app', namespace: 'demo', serviceAccount: 'app' } },
  };
}

export interface Parts {
  tf: Record<string, any>;
  sa: Record<string, any>;
  spc: Record<string, any>;
  deploy: Record<string, any>;
  outputs: Record<string, any> | undefined;
  extra: Record<string, any>[];
}

export function parts(withOutputs = true): Parts {
  return {
    tf: terraform(),
    sa: serviceAccount(),
    spc: secretProviderClass(),
    deploy: deployment(),
    outputs: withOutputs ? outputsContract() : undefined,
    extra: [],
  };
}

export function input(p: Parts): SynthesizedInput {
  return {
    terraform: { file: TF_FILE, json: p.tf },
    manifests: [
      { file: 'dist/dev/namespace-demo.yaml', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }] },
      { file: SA_FILE, objects: [p.sa] },
      { file: SPC_FILE, objects: [p.spc] },
      { file: DEPLOYMENT_FILE, objects: [p.deploy] },
      ...p.extra.map((o, i) => ({ file: `dist/dev/extra-${i}.yaml`, objects: [o] })),
    ],
    ...(p.outputs ? { outputs: { file: OUTPUTS_FILE, contract: p.outputs } } : {}),
  };
}

/** The fixture with one change applied. */
export function mutated(change: (p: Parts) => void, withOutputs = true): SynthesizedInput {
  const p = parts(withOutputs);
  change(p);
  return input(p);
}
