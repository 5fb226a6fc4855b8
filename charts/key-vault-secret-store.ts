/**
 * An External Secrets Operator store for Azure Key Vault that authenticates with Workload
 * Identity as one ServiceAccount: a SecretStore in that ServiceAccount's namespace, or a
 * ClusterSecretStore limited to some namespaces.
 */
import { Construct } from 'constructs';
import {
  ClusterSecretStore,
  ClusterSecretStoreSpecProviderAzurekvAuthType,
  type ClusterSecretStoreSpecProviderAzurekvEnvironmentType,
} from '../imports/clustersecretstores-external-secrets.io';
import {
  SecretStore,
  SecretStoreSpecProviderAzurekvAuthType,
  type SecretStoreSpecProviderAzurekvEnvironmentType,
} from '../imports/secretstores-external-secrets.io';
import { CSI_CLOUD_NAMES, DEFAULT_CSI_CLOUD_NAME, GUID, type CsiCloudName } from '../lib/azure';
import { ESO_ENVIRONMENT_TYPES } from '../lib/external-secrets';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN_RULE } from '../lib/kubernetes';
import { constructError } from './construct-error';
import type { StoreRef } from './external-secret-data';
import type { WorkloadServiceAccount } from './workload-service-account';

export interface KeyVaultSecretStoreProps {
  readonly name: string;
  /**
   * The ServiceAccount the provider requests a token for (`serviceAccountRef`): the federated
   * credential's subject. The provider reads the client id from its
   * `azure.workload.identity/client-id` annotation.
   */
  readonly serviceAccount: WorkloadServiceAccount;
  /** The vault's URI (`vaultUrl`), from the outputs contract. */
  readonly vaultUri: string;
  /** The tenant (`tenantId`): set on the store, so the ServiceAccount must not carry a tenant-id annotation too. */
  readonly tenantId: string;
  /**
   * Azure cloud of the vault.
   * @default AzurePublicCloud - the CRD's default environmentType, not written
   */
  readonly cloudName?: CsiCloudName;
  /**
   * A ClusterSecretStore that only these namespaces may use (`spec.conditions`); the
   * ServiceAccount is then named with its namespace.
   * @default - a SecretStore in the ServiceAccount's namespace, usable from that namespace only
   */
  readonly clusterWide?: { readonly namespaces: readonly string[] };
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `external-secrets.io/v1` SecretStore or ClusterSecretStore with provider `azurekv`,
 * `authType: WorkloadIdentity` and `serviceAccountRef`.
 * @see https://external-secrets.io/latest/provider/azure-key-vault/#workload-identity
 */
export class KeyVaultSecretStore extends Construct {
  readonly name: string;
  /** The store's namespace; undefined for a ClusterSecretStore. */
  readonly namespace: string | undefined;
  readonly serviceAccount: WorkloadServiceAccount;
  readonly ref: StoreRef;
  readonly apiObject: SecretStore | ClusterSecretStore;

  constructor(scope: Construct, id: string, props: KeyVaultSecretStoreProps) {
    super(scope, id);
    const sa = props.serviceAccount;
    const cluster = props.clusterWide;
    const subject = cluster ? `ClusterSecretStore ${props.name}` : `SecretStore ${sa.namespace}/${props.name}`;
    const fail = (path: string, received: unknown, message: string) => constructError(subject, path, received, message);
    if (!DNS1123_SUBDOMAIN_RULE.test(props.name)) throw fail('name', props.name, DNS1123_SUBDOMAIN_RULE.fix);
    if (!/^https:\/\/[^/\s]+\/?$/.test(props.vaultUri))
      throw fail('vaultUri', props.vaultUri, 'use the https URI of the vault, such as https://kv-example.vault.azure.net/');
    if (!GUID.test(props.tenantId)) throw fail('tenantId', props.tenantId, 'use the tenant GUID');
    const cloudName = props.cloudName ?? DEFAULT_CSI_CLOUD_NAME;
    if (!(CSI_CLOUD_NAMES as readonly string[]).includes(cloudName)) throw fail('cloudName', cloudName, `use one of ${CSI_CLOUD_NAMES.join(', ')}`);
    if (cluster) {
      if (cluster.namespaces.length === 0) throw fail('clusterWide.namespaces', [], 'list the namespaces that may use the store');
      const bad = cluster.namespaces.find((n) => !DNS1123_LABEL.test(n));
      if (bad !== undefined) throw fail('clusterWide.namespaces', bad, 'use DNS-1123 labels');
    }

    this.name = props.name;
    this.namespace = cluster ? undefined : sa.namespace;
    this.serviceAccount = sa;
    this.ref = { kind: cluster ? 'ClusterSecretStore' : 'SecretStore', name: props.name };
    const environment = cloudName !== DEFAULT_CSI_CLOUD_NAME ? ESO_ENVIRONMENT_TYPES[cloudName] : undefined;
    const metadata = {
      name: props.name,
      ...(cluster ? {} : { namespace: sa.namespace }),
      ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
    };
    if (cluster) {
      this.apiObject = new ClusterSecretStore(this, 'Resource', {
        metadata,
        spec: {
          conditions: [{ namespaces: [...cluster.namespaces].sort() }],
          provider: {
            azurekv: {
              authType: ClusterSecretStoreSpecProviderAzurekvAuthType.WORKLOAD_IDENTITY,
              vaultUrl: props.vaultUri,
              tenantId: props.tenantId,
              serviceAccountRef: { name: sa.name, namespace: sa.namespace },
              ...(environment !== undefined ? { environmentType: environment as ClusterSecretStoreSpecProviderAzurekvEnvironmentType } : {}),
            },
          },
        },
      });
    } else {
      this.apiObject = new SecretStore(this, 'Resource', {
        metadata,
        spec: {
          provider: {
            azurekv: {
              authType: SecretStoreSpecProviderAzurekvAuthType.WORKLOAD_IDENTITY,
              vaultUrl: props.vaultUri,
              tenantId: props.tenantId,
              serviceAccountRef: { name: sa.name },
              ...(environment !== undefined ? { environmentType: environment as SecretStoreSpecProviderAzurekvEnvironmentType } : {}),
            },
          },
        },
      });
    }
  }
}
