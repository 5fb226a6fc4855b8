/**
 * A SecretProviderClass for the Azure Key Vault provider, authenticated by Workload Identity.
 */
import { Construct } from 'constructs';
import { SecretProviderClass } from '../imports/secrets-store.csi.x-k8s.io';
import { CSI_CLOUD_NAMES, DEFAULT_CSI_CLOUD_NAME, GUID, KEY_VAULT_NAME, KEY_VAULT_OBJECT_NAME, type CsiCloudName } from '../lib/azure';
import {
  DRIVER_MANAGED_LABEL,
  filesWritten,
  MOUNT_FILE_NAME_RULES,
  mountPathProblem,
  OBJECT_TYPES,
  SECRET_OBJECT_FILE_RULE,
  SYNCED_SECRET_TYPES,
  TLS_SECRET_KEY_RULE,
  type SyncedSecretType,
} from '../lib/csi-driver';
import {
  ANNOTATION_KEY_RULE,
  ANNOTATIONS_SIZE_RULE,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  DNS1123_SUBDOMAIN_RULE,
  LABEL_KEY_RULE,
  LABEL_VALUE_RULE,
  missingSecretKeys,
  SECRET_KEY_RULE,
} from '../lib/kubernetes';
import { constructError } from './construct-error';
import { csiFileName, renderObjectsParameter, type CsiObject } from './objects-parameter';

/** The provider's API group and version. */
export const SECRET_PROVIDER_CLASS_API_VERSION = SecretProviderClass.GVK.apiVersion;

/** One key of a synced Secret, filled from one mounted file. */
export interface SyncedSecretData {
  /** The mounted file name (the object's alias when set, else its name). */
  readonly objectName: string;
  /** Key in the Kubernetes Secret. */
  readonly key: string;
}

/**
 * A Kubernetes Secret the driver keeps in sync with mounted files (`spec.secretObjects[]`).
 * It exists only while some pod mounts the volume; environment variables read from it change
 * only on pod restart.
 * @see https://secrets-store-csi-driver.sigs.k8s.io/topics/sync-as-kubernetes-secret
 */
export interface SyncedSecret {
  readonly secretName: string;
  /** Required: the driver silently skips an entry without a type. */
  readonly type: SyncedSecretType;
  readonly data: readonly SyncedSecretData[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface KeyVaultSecretProviderClassProps {
  /** Object name (DNS-1123 subdomain). */
  readonly name: string;
  /** Namespace of the workload that mounts it (a SecretProviderClass is namespaced). */
  readonly namespace: string;
  /** Key Vault name (`keyvaultName`). */
  readonly keyVaultName: string;
  /** Tenant of the vault (rendered as `tenantID`, the spelling the provider reads first). */
  readonly tenantId: string;
  /** Client id of the user-assigned identity the provider exchanges the ServiceAccount token for (`clientID`). */
  readonly clientId: string;
  /**
   * Azure cloud of the vault.
   * @default AzurePublicCloud - the provider's default; `cloudName` is written only for other clouds
   */
  readonly cloudName?: CsiCloudName;
  /** Key Vault objects to mount, at least one. */
  readonly objects: readonly CsiObject[];
  /**
   * Secrets to sync from mounted files. Opt-in: syncing is on its way out of the CSI path.
   * @default [] - nothing synced
   */
  readonly secretObjects?: readonly SyncedSecret[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `secrets-store.csi.x-k8s.io/v1` SecretProviderClass with provider `azure` and Workload
 * Identity (`clientID`, `usePodIdentity: "false"`). The `objects` string is generated from
 * typed input, and every rule the driver or provider would only enforce silently at mount time
 * is checked here.
 *
 * @see https://azure.github.io/secrets-store-csi-driver-provider-azure/docs/configurations/identity-access-modes/workload-identity-mode/
 */
export class KeyVaultSecretProviderClass extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** Names of the files in the mount, in object order (the folder name of a version history). */
  readonly fileNames: readonly string[];
  /** Every file the provider writes: `<file>`, or `<file>/0` ... for a version history above 1. */
  readonly filesWritten: ReadonlySet<string>;
  /** Synced Secrets by name, each with its keys. */
  readonly syncedSecrets: ReadonlyMap<string, ReadonlySet<string>>;
  /** The rendered `objects` parameter. */
  readonly objectsParameter: string;
  readonly apiObject: SecretProviderClass;

  constructor(scope: Construct, id: string, props: KeyVaultSecretProviderClassProps) {
    super(scope, id);
    const subject = `SecretProviderClass ${props.namespace}/${props.name}`;
    const fail = (path: string, received: unknown, message: string) => constructError(subject, path, received, message);

    if (!DNS1123_SUBDOMAIN.test(props.name)) throw fail('name', props.name, 'use a DNS-1123 name: lower-case letters, digits, "-" and "."');
    if (!DNS1123_LABEL.test(props.namespace)) throw fail('namespace', props.namespace, 'use a DNS-1123 label: lower-case letters, digits and "-"');
    if (!KEY_VAULT_NAME.test(props.keyVaultName))
      throw fail(
        'keyVaultName',
        props.keyVaultName,
        'use 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, without "--"',
      );
    if (!GUID.test(props.tenantId)) throw fail('tenantId', props.tenantId, 'use the tenant GUID');
    if (!GUID.test(props.clientId)) throw fail('clientId', props.clientId, "use the client id (a GUID) of the workload's user-assigned identity");
    const cloudName = props.cloudName ?? DEFAULT_CSI_CLOUD_NAME;
    if (!(CSI_CLOUD_NAMES as readonly string[]).includes(cloudName)) throw fail('cloudName', cloudName, `use one of ${CSI_CLOUD_NAMES.join(', ')}`);

    this.fileNames = validateObjects(props.objects, fail);
    this.filesWritten = new Set(props.objects.flatMap((o) => filesWritten(csiFileName(o), o.objectVersionHistory)));
    this.syncedSecrets = validateSecretObjects(props.secretObjects ?? [], this.filesWritten, fail);
    this.name = props.name;
    this.namespace = props.namespace;
    this.objectsParameter = renderObjectsParameter(props.objects);

    const parameters: Record<string, string> = {
      usePodIdentity: 'false',
      clientID: props.clientId,
      keyvaultName: props.keyVaultName,
      tenantID: props.tenantId,
      ...(cloudName !== DEFAULT_CSI_CLOUD_NAME ? { cloudName } : {}),
      objects: this.objectsParameter,
    };

    this.apiObject = new SecretProviderClass(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.labels ? { labels: { ...props.labels } } : {}),
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        provider: 'azure',
        parameters,
        ...((props.secretObjects ?? []).length > 0
          ? {
              secretObjects: (props.secretObjects ?? []).map((s) => ({
                secretName: s.secretName,
                type: s.type,
                data: s.data.map((d) => ({ objectName: d.objectName, key: d.key })),
                ...(s.labels ? { labels: { ...s.labels } } : {}),
                ...(s.annotations ? { annotations: { ...s.annotations } } : {}),
              })),
            }
          : {}),
      },
    });
  }
}

type Fail = (path: string, received: unknown, message: string) => Error;

function validateObjects(objects: readonly CsiObject[], fail: Fail): string[] {
  if (objects.length === 0) throw fail('objects', [], 'list at least one Key Vault object to mount');
  const seen = new Map<string, number>();
  objects.forEach((o, i) => {
    const at = `objects[${i}]`;
    if (!KEY_VAULT_OBJECT_NAME.test(o.objectName))
      throw fail(`${at}.objectName`, o.objectName, 'use 1-127 letters, digits or hyphens (map to another file name with objectAlias)');
    if (!(OBJECT_TYPES as readonly string[]).includes(o.objectType)) throw fail(`${at}.objectType`, o.objectType, 'use "secret", "key" or "cert" (lower case)');
    const fileProblem = o.objectAlias !== undefined ? mountPathProblem(o.objectAlias, MOUNT_FILE_NAME_RULES) : undefined;
    if (fileProblem) throw fail(`${at}.objectAlias`, o.objectAlias, fileProblem.fix);
    if (o.objectVersion !== undefined && !/^[0-9a-fA-F]{32}$/.test(o.objectVersion))
      throw fail(`${at}.objectVersion`, o.objectVersion, 'use a 32-character hexadecimal Key Vault version id, or leave it unset to follow the latest');
    if (o.objectFormat === 'pfx' && o.objectType !== 'secret')
      throw fail(`${at}.objectFormat`, o.objectFormat, 'format "pfx" is only for objectType "secret" (the certificate with its private key)');
    if (o.objectEncoding !== undefined && o.objectType !== 'secret')
      throw fail(`${at}.objectEncoding`, o.objectEncoding, 'encoding applies only to objectType "secret"; remove it');
    if (o.filePermission !== undefined && !/^0?[0-7]{3}$/.test(o.filePermission))
      throw fail(`${at}.filePermission`, o.filePermission, 'use an octal mode such as "0440"');
    if (o.objectVersionHistory !== undefined && (!Number.isInteger(o.objectVersionHistory) || o.objectVersionHistory < 1))
      throw fail(`${at}.objectVersionHistory`, o.objectVersionHistory, 'use a whole number of 1 or more');
    const file = csiFileName(o);
    const first = seen.get(file);
    if (first !== undefined)
      throw fail(
        `${at}.${o.objectAlias !== undefined ? 'objectAlias' : 'objectName'}`,
        file,
        `file name already mounted by objects[${first}]: set a distinct objectAlias`,
      );
    seen.set(file, i);
  });
  return [...seen.keys()];
}

function validateSecretObjects(secrets: readonly SyncedSecret[], files: ReadonlySet<string>, fail: Fail): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  secrets.forEach((s, i) => {
    const at = `secretObjects[${i}]`;
    if (!DNS1123_SUBDOMAIN_RULE.test(s.secretName)) throw fail(`${at}.secretName`, s.secretName, DNS1123_SUBDOMAIN_RULE.fix);
    if (out.has(s.secretName))
      throw fail(`${at}.secretName`, s.secretName, 'Secret already synced by another entry: merge the entries or use another secretName');
    if (!(SYNCED_SECRET_TYPES as readonly string[]).includes(s.type))
      throw fail(`${at}.type`, s.type, `use one of ${SYNCED_SECRET_TYPES.join(', ')} (required: the driver silently skips an entry without a type)`);
    if (s.data.length === 0) throw fail(`${at}.data`, [], 'list at least one { objectName, key }');
    const keys = new Set<string>();
    s.data.forEach((d, j) => {
      if (!SECRET_OBJECT_FILE_RULE.test({ objectName: d.objectName, files })) {
        throw fail(
          `${at}.data[${j}].objectName`,
          d.objectName,
          `${SECRET_OBJECT_FILE_RULE.fix}: one of ${[...files].map((f) => JSON.stringify(f)).join(', ')}`,
        );
      }
      if (!SECRET_KEY_RULE.test(d.key)) throw fail(`${at}.data[${j}].key`, d.key, SECRET_KEY_RULE.fix);
      if (s.type === 'kubernetes.io/tls' && !TLS_SECRET_KEY_RULE.test(d.key)) throw fail(`${at}.data[${j}].key`, d.key, TLS_SECRET_KEY_RULE.fix);
      if (keys.has(d.key)) throw fail(`${at}.data[${j}].key`, d.key, 'key already used in this Secret: use distinct keys');
      keys.add(d.key);
    });
    const missing = missingSecretKeys(s.type, keys);
    if (missing.length > 0)
      throw fail(`${at}.data`, [...keys], `a ${s.type} Secret needs the key ${missing.join(' and ')} (the API server refuses it otherwise)`);
    for (const [key, value] of Object.entries(s.labels ?? {})) {
      if (!LABEL_KEY_RULE.test(key)) throw fail(`${at}.labels`, key, LABEL_KEY_RULE.fix);
      if (!LABEL_VALUE_RULE.test(value)) throw fail(`${at}.labels.${key}`, value, LABEL_VALUE_RULE.fix);
      if (key === DRIVER_MANAGED_LABEL) throw fail(`${at}.labels`, key, 'the driver sets this label on every Secret it syncs: remove it');
    }
    for (const key of Object.keys(s.annotations ?? {})) {
      if (!ANNOTATION_KEY_RULE.test(key)) throw fail(`${at}.annotations`, key, ANNOTATION_KEY_RULE.fix);
    }
    if (!ANNOTATIONS_SIZE_RULE.test(s.annotations ?? {})) throw fail(`${at}.annotations`, undefined, ANNOTATIONS_SIZE_RULE.fix);
    out.set(s.secretName, keys);
  });
  return out;
}
