/**
 * A SecretSync: the Secrets Store Sync Controller writes a Kubernetes Secret from the objects of
 * a SecretProviderClass, as a ServiceAccount, with no pod mounting anything.
 */
import { Construct } from 'constructs';
import { SecretSync } from '../imports/secret-sync.x-k8s.io';
import { SECRET_OBJECT_FILE_RULE, SYNCED_SECRET_TYPES, TLS_SECRET_KEY_RULE, type SyncedSecretType } from '../lib/csi-driver';
import { DNS1123_SUBDOMAIN_RULE, missingSecretKeys, SECRET_KEY_RULE } from '../lib/kubernetes';
import { SECRET_SYNC_KEY_RULE, SECRET_SYNC_RESERVED_PREFIX } from '../lib/secret-sync';
import { constructError } from './construct-error';
import type { KeyVaultSecretProviderClass } from './key-vault-secret-provider-class';
import type { WorkloadServiceAccount } from './workload-service-account';

/** One key of the Secret, filled from one file the provider returns. */
export interface SecretSyncData {
  /** The provider's file: the object's alias, else its name. */
  readonly sourcePath: string;
  /** Key in the Kubernetes Secret. */
  readonly targetKey: string;
}

export interface KeyVaultSecretSyncProps {
  /** The SecretSync's name, which is the Secret's name too. */
  readonly secretName: string;
  /** The ServiceAccount the controller requests a token for (`spec.serviceAccountName`): the federated credential's subject. */
  readonly serviceAccount: WorkloadServiceAccount;
  /** The SecretProviderClass the controller reads, in the same namespace. */
  readonly secretProviderClass: KeyVaultSecretProviderClass;
  /**
   * Type of the Secret. For `kubernetes.io/tls` the controller takes the certificate or the key
   * out of the PEM file by key name (`tls.crt`, `tls.key`).
   * @default Opaque
   */
  readonly type?: SyncedSecretType;
  readonly data: readonly SecretSyncData[];
  /** Labels of the Secret (`secretObject.labels`). @default - none */
  readonly secretLabels?: Readonly<Record<string, string>>;
  /** Annotations of the Secret (`secretObject.annotations`). @default - none */
  readonly secretAnnotations?: Readonly<Record<string, string>>;
  /** Annotations of the SecretSync object. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `secret-sync.x-k8s.io/v1alpha1` SecretSync. The controller fetches every object of the
 * SecretProviderClass on each reconcile (on change, and every `--rotation-poll-interval`, 12 h
 * by default) and keeps the listed files; each rule it would enforce only at sync time is
 * checked here.
 * @see https://github.com/kubernetes-sigs/secrets-store-sync-controller
 */
export class KeyVaultSecretSync extends Construct {
  readonly secretName: string;
  readonly namespace: string;
  readonly type: SyncedSecretType;
  /** The Secret's keys. */
  readonly keys: ReadonlySet<string>;
  readonly apiObject: SecretSync;

  constructor(scope: Construct, id: string, props: KeyVaultSecretSyncProps) {
    super(scope, id);
    const sa = props.serviceAccount;
    const spc = props.secretProviderClass;
    const fail = (path: string, received: unknown, message: string) =>
      constructError(`SecretSync ${sa.namespace}/${props.secretName}`, path, received, message);

    if (!DNS1123_SUBDOMAIN_RULE.test(props.secretName)) throw fail('secretName', props.secretName, DNS1123_SUBDOMAIN_RULE.fix);
    if (spc.namespace !== sa.namespace) {
      throw fail(
        'secretProviderClass',
        `${spc.namespace}/${spc.name}`,
        `the controller reads a SecretProviderClass of the SecretSync's own namespace "${sa.namespace}"`,
      );
    }
    const type = props.type ?? 'Opaque';
    if (!(SYNCED_SECRET_TYPES as readonly string[]).includes(type)) throw fail('type', type, `use one of ${SYNCED_SECRET_TYPES.join(', ')}`);
    if (props.data.length === 0) throw fail('data', [], 'list at least one { sourcePath, targetKey }');
    const keys = new Set<string>();
    props.data.forEach((d, i) => {
      if (!SECRET_OBJECT_FILE_RULE.test({ objectName: d.sourcePath, files: spc.filesWritten })) {
        throw fail(
          `data[${i}].sourcePath`,
          d.sourcePath,
          `name a file of SecretProviderClass ${spc.name}: one of ${[...spc.filesWritten].map((f) => JSON.stringify(f)).join(', ')}`,
        );
      }
      for (const [field, value] of [
        ['sourcePath', d.sourcePath],
        ['targetKey', d.targetKey],
      ] as const) {
        if (!SECRET_SYNC_KEY_RULE.test(value)) throw fail(`data[${i}].${field}`, value, SECRET_SYNC_KEY_RULE.fix);
      }
      if (!SECRET_KEY_RULE.test(d.targetKey)) throw fail(`data[${i}].targetKey`, d.targetKey, SECRET_KEY_RULE.fix);
      if (type === 'kubernetes.io/tls' && !TLS_SECRET_KEY_RULE.test(d.targetKey)) throw fail(`data[${i}].targetKey`, d.targetKey, TLS_SECRET_KEY_RULE.fix);
      if (keys.has(d.targetKey)) throw fail(`data[${i}].targetKey`, d.targetKey, 'key already used in this Secret: use distinct keys');
      keys.add(d.targetKey);
    });
    const missing = missingSecretKeys(type, keys);
    if (missing.length > 0) throw fail('data', [...keys], `a ${type} Secret needs the key ${missing.join(' and ')} (the API server refuses it otherwise)`);
    for (const [field, map] of [
      ['secretLabels', props.secretLabels],
      ['secretAnnotations', props.secretAnnotations],
    ] as const) {
      for (const key of Object.keys(map ?? {})) {
        if (key.startsWith(SECRET_SYNC_RESERVED_PREFIX))
          throw fail(field, key, `the controller reserves the prefix ${SECRET_SYNC_RESERVED_PREFIX}: use another key`);
      }
    }

    this.secretName = props.secretName;
    this.namespace = sa.namespace;
    this.type = type;
    this.keys = keys;
    this.apiObject = new SecretSync(this, 'Resource', {
      metadata: {
        name: props.secretName,
        namespace: sa.namespace,
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        serviceAccountName: sa.name,
        secretProviderClassName: spc.name,
        secretObject: {
          type,
          data: props.data.map((d) => ({ sourcePath: d.sourcePath, targetKey: d.targetKey })),
          ...(props.secretLabels ? { labels: { ...props.secretLabels } } : {}),
          ...(props.secretAnnotations ? { annotations: { ...props.secretAnnotations } } : {}),
        },
      },
    });
  }
}
