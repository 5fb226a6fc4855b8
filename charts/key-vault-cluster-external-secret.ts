/**
 * A ClusterExternalSecret: the External Secrets Operator stamps the same ExternalSecret into
 * each selected namespace, each writing the same Kubernetes Secret there.
 */
import { Construct } from 'constructs';
import {
  ClusterExternalSecret,
  ClusterExternalSecretSpecExternalSecretSpecDataRemoteRefDecodingStrategy,
  ClusterExternalSecretSpecExternalSecretSpecSecretStoreRefKind,
  ClusterExternalSecretSpecExternalSecretSpecTargetCreationPolicy,
  ClusterExternalSecretSpecExternalSecretSpecTargetTemplateEngineVersion,
} from '../imports/clusterexternalsecrets-external-secrets.io';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN_RULE, NAMESPACE_NAME_LABEL } from '../lib/kubernetes';
import { constructError } from './construct-error';
import { externalSecretSpec, type ExternalSecretContent, type ExternalSecretSpecJson } from './external-secret-data';
import type { KeyVaultSecretStore } from './key-vault-secret-store';

export interface KeyVaultClusterExternalSecretProps extends ExternalSecretContent {
  /** Name of the ClusterExternalSecret (cluster-scoped); the ExternalSecrets it creates are named `secretName`. */
  readonly name: string;
  /** The namespaces that get the Secret, selected by their `kubernetes.io/metadata.name` label. */
  readonly namespaces: readonly string[];
  /** A ClusterSecretStore whose conditions admit every one of `namespaces`. */
  readonly store: KeyVaultSecretStore;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `external-secrets.io/v1` ClusterExternalSecret. Namespaces are selected with
 * `namespaceSelectors` (the `namespaces` list is deprecated), by name.
 * @see https://external-secrets.io/latest/api/clusterexternalsecret/
 */
export class KeyVaultClusterExternalSecret extends Construct {
  readonly name: string;
  readonly secretName: string;
  readonly namespaces: readonly string[];
  readonly spec: ExternalSecretSpecJson;
  readonly apiObject: ClusterExternalSecret;

  constructor(scope: Construct, id: string, props: KeyVaultClusterExternalSecretProps) {
    super(scope, id);
    const fail = (path: string, received: unknown, message: string) => constructError(`ClusterExternalSecret ${props.name}`, path, received, message);
    if (!DNS1123_SUBDOMAIN_RULE.test(props.name)) throw fail('name', props.name, DNS1123_SUBDOMAIN_RULE.fix);
    const store = props.store;
    if (store.ref.kind !== 'ClusterSecretStore') throw fail('store', store.name, 'an ExternalSecret in several namespaces reads through a ClusterSecretStore');
    if (props.namespaces.length === 0) throw fail('namespaces', [], 'list at least one namespace');
    const bad = props.namespaces.find((n) => !DNS1123_LABEL.test(n));
    if (bad !== undefined) throw fail('namespaces', bad, 'use DNS-1123 labels');
    const spec = externalSecretSpec(props, store.ref, fail);
    this.name = props.name;
    this.secretName = props.secretName;
    this.namespaces = [...props.namespaces].sort();
    this.spec = spec;
    this.apiObject = new ClusterExternalSecret(this, 'Resource', {
      metadata: { name: props.name, ...(props.annotations ? { annotations: { ...props.annotations } } : {}) },
      spec: {
        externalSecretName: props.secretName,
        namespaceSelectors: [{ matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...this.namespaces] }] }],
        externalSecretSpec: {
          refreshInterval: spec.refreshInterval,
          secretStoreRef: { kind: ClusterExternalSecretSpecExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: spec.secretStoreRef.name },
          target: {
            name: spec.target.name,
            creationPolicy: ClusterExternalSecretSpecExternalSecretSpecTargetCreationPolicy.OWNER,
            ...(spec.target.template !== undefined
              ? {
                  template: {
                    type: spec.target.template.type,
                    ...(spec.target.template.engineVersion !== undefined
                      ? { engineVersion: ClusterExternalSecretSpecExternalSecretSpecTargetTemplateEngineVersion.V2 }
                      : {}),
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
              ...(d.remoteRef.decodingStrategy !== undefined
                ? { decodingStrategy: ClusterExternalSecretSpecExternalSecretSpecDataRemoteRefDecodingStrategy.BASE64 }
                : {}),
            },
          })),
        },
      },
    });
  }
}
