/**
 * An ExternalSecret: the External Secrets Operator writes a Kubernetes Secret from Key Vault
 * objects read through a store, and reads them again every refresh interval.
 */
import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecDataRemoteRefDecodingStrategy,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
} from '../imports/externalsecrets-external-secrets.io';
import { constructError } from './construct-error';
import { externalSecretSpec, type ExternalSecretContent, type ExternalSecretSpecJson } from './external-secret-data';
import type { KeyVaultSecretStore } from './key-vault-secret-store';

export interface KeyVaultExternalSecretProps extends ExternalSecretContent {
  /** Namespace of the ExternalSecret and of the Secret it writes. */
  readonly namespace: string;
  /** The store it reads through: a SecretStore of the same namespace, or a ClusterSecretStore. */
  readonly store: KeyVaultSecretStore;
  /** Annotations of the ExternalSecret object. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `external-secrets.io/v1` ExternalSecret named after the Secret it writes (`target.name`), owned
 * by it (`creationPolicy: Owner`): deleting the ExternalSecret deletes the Secret.
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
export class KeyVaultExternalSecret extends Construct {
  readonly secretName: string;
  readonly namespace: string;
  readonly keys: ReadonlySet<string>;
  readonly spec: ExternalSecretSpecJson;
  readonly apiObject: ExternalSecret;

  constructor(scope: Construct, id: string, props: KeyVaultExternalSecretProps) {
    super(scope, id);
    const fail = (path: string, received: unknown, message: string) =>
      constructError(`ExternalSecret ${props.namespace}/${props.secretName}`, path, received, message);
    const store = props.store;
    if (store.namespace !== undefined && store.namespace !== props.namespace) {
      throw fail(
        'store',
        `${store.namespace}/${store.name}`,
        `an ExternalSecret reads only a SecretStore of its own namespace "${props.namespace}" (or a ClusterSecretStore)`,
      );
    }
    const spec = externalSecretSpec(props, store.ref, fail);
    this.secretName = props.secretName;
    this.namespace = props.namespace;
    this.keys = new Set(spec.data.map((d) => d.secretKey));
    this.spec = spec;
    this.apiObject = new ExternalSecret(this, 'Resource', {
      metadata: {
        name: props.secretName,
        namespace: props.namespace,
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        refreshInterval: spec.refreshInterval,
        secretStoreRef: {
          kind:
            spec.secretStoreRef.kind === 'SecretStore'
              ? ExternalSecretSpecSecretStoreRefKind.SECRET_STORE
              : ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE,
          name: spec.secretStoreRef.name,
        },
        target: {
          name: spec.target.name,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          ...(spec.target.template !== undefined
            ? {
                template: {
                  type: spec.target.template.type,
                  ...(spec.target.template.engineVersion !== undefined ? { engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2 } : {}),
                  ...(spec.target.template.data !== undefined ? { data: { ...spec.target.template.data } } : {}),
                  ...(spec.target.template.metadata !== undefined ? { metadata: { ...spec.target.template.metadata } } : {}),
                },
              }
            : {}),
        },
        data: spec.data.map((d) => ({
          secretKey: d.secretKey,
          remoteRef: {
            key: d.remoteRef.key,
            ...(d.remoteRef.property !== undefined ? { property: d.remoteRef.property } : {}),
            ...(d.remoteRef.version !== undefined ? { version: d.remoteRef.version } : {}),
            ...(d.remoteRef.decodingStrategy !== undefined ? { decodingStrategy: ExternalSecretSpecDataRemoteRefDecodingStrategy.BASE64 } : {}),
          },
        })),
      },
    });
  }
}
