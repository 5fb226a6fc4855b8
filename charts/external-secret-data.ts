/**
 * What an ExternalSecret (or the ExternalSecret a ClusterExternalSecret stamps into each
 * namespace) holds for Key Vault objects, validated once for both kinds: the Secret it writes,
 * its keys and where each comes from. The typed constructs map it to their generated classes.
 */
import { KEY_VAULT_OBJECT_NAME } from '../lib/azure';
import { OBJECT_TYPES, SYNCED_SECRET_TYPES, TLS_SECRET_KEY_RULE, type ObjectType, type SyncedSecretType } from '../lib/csi-driver';
import { isGoDuration } from '../lib/config/duration';
import { ESO_PROPERTY_RULE, ESO_PROPERTY_TYPE_RULE, ESO_TLS_TEMPLATE, remoteKeyOf } from '../lib/external-secrets';
import { DNS1123_SUBDOMAIN_RULE, LABEL_KEY_RULE, LABEL_VALUE_RULE, missingSecretKeys, SECRET_KEY_RULE, ANNOTATION_KEY_RULE } from '../lib/kubernetes';

/** One key of the Secret: one Key Vault object, or one JSON field of it. */
export interface ExternalSecretKey {
  /** Key in the Kubernetes Secret (`spec.data[].secretKey`). */
  readonly secretKey: string;
  /** The Key Vault object: read as `<type>/<name>` (`remoteRef.key`). */
  readonly objectType: ObjectType;
  readonly objectName: string;
  /**
   * A JSON field of the value (`remoteRef.property`); not for `cert`.
   * @default - the whole value
   */
  readonly property?: string;
  /**
   * A pinned version (`remoteRef.version`), never rotated.
   * @default - the latest version
   */
  readonly version?: string;
  /**
   * `Base64` when the value is stored base64-encoded (the CSI provider's `objectEncoding: base64`).
   * @default - none: the value as stored
   */
  readonly decodingStrategy?: 'Base64';
}

/** The Secret an ExternalSecret writes. */
export interface ExternalSecretContent {
  /** Name of the target Secret. */
  readonly secretName: string;
  /** @default Opaque */
  readonly type?: SyncedSecretType;
  /** A Go duration; `0s` reads once. */
  readonly refreshInterval: string;
  readonly keys: readonly ExternalSecretKey[];
  /** @default - none */
  readonly secretLabels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly secretAnnotations?: Readonly<Record<string, string>>;
}

/** The store an ExternalSecret reads through. */
export interface StoreRef {
  readonly kind: 'SecretStore' | 'ClusterSecretStore';
  readonly name: string;
}

/** The spec, in the CRD's shape, with plain strings where the generated classes have enums. */
export interface ExternalSecretSpecJson {
  readonly refreshInterval: string;
  readonly secretStoreRef: StoreRef;
  readonly target: {
    readonly name: string;
    readonly creationPolicy: 'Owner';
    readonly template?: {
      readonly type: string;
      readonly engineVersion?: 'v2';
      readonly data?: Record<string, string>;
      readonly metadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    };
  };
  readonly data: readonly {
    readonly secretKey: string;
    readonly remoteRef: { readonly key: string; readonly property?: string; readonly version?: string; readonly decodingStrategy?: 'Base64' };
  }[];
}

type Fail = (path: string, received: unknown, message: string) => Error;

/**
 * The spec of an ExternalSecret writing `content` through `store`, after checking every rule
 * the operator would enforce only when it syncs. A `kubernetes.io/tls` Secret gets a template
 * that cuts the PEM of the certificate's secret into `tls.crt` and `tls.key` (ESO's `filterPEM`).
 */
export function externalSecretSpec(content: ExternalSecretContent, store: StoreRef, fail: Fail): ExternalSecretSpecJson {
  validate(content, fail);
  const type = content.type ?? 'Opaque';
  const tls = type === 'kubernetes.io/tls';
  const metadata = {
    ...(content.secretLabels ? { labels: { ...content.secretLabels } } : {}),
    ...(content.secretAnnotations ? { annotations: { ...content.secretAnnotations } } : {}),
  };
  const templated = type !== 'Opaque' || Object.keys(metadata).length > 0;
  return {
    refreshInterval: content.refreshInterval,
    secretStoreRef: { kind: store.kind, name: store.name },
    target: {
      name: content.secretName,
      creationPolicy: 'Owner',
      ...(templated
        ? {
            template: {
              type,
              ...(tls ? { engineVersion: 'v2' as const, data: tlsTemplate(content.keys) } : {}),
              ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
            },
          }
        : {}),
    },
    data: content.keys.map((k) => ({
      secretKey: k.secretKey,
      remoteRef: {
        key: remoteKeyOf({ type: k.objectType, name: k.objectName }),
        ...(k.property !== undefined ? { property: k.property } : {}),
        ...(k.version !== undefined ? { version: k.version } : {}),
        ...(k.decodingStrategy !== undefined ? { decodingStrategy: k.decodingStrategy } : {}),
      },
    })),
  };
}

/** `tls.crt` and `tls.key`, each the PEM blocks of its kind taken from the value fetched under that key. */
function tlsTemplate(keys: readonly ExternalSecretKey[]): Record<string, string> {
  return Object.fromEntries(
    keys.map((k) => [
      k.secretKey,
      `{{ index . ${JSON.stringify(k.secretKey)} | filterPEM ${JSON.stringify(ESO_TLS_TEMPLATE[k.secretKey as keyof typeof ESO_TLS_TEMPLATE])} }}`,
    ]),
  );
}

function validate(content: ExternalSecretContent, fail: Fail): void {
  if (!DNS1123_SUBDOMAIN_RULE.test(content.secretName)) throw fail('secretName', content.secretName, DNS1123_SUBDOMAIN_RULE.fix);
  const type = content.type ?? 'Opaque';
  if (!(SYNCED_SECRET_TYPES as readonly string[]).includes(type)) throw fail('type', type, `use one of ${SYNCED_SECRET_TYPES.join(', ')}`);
  if (!isGoDuration(content.refreshInterval)) throw fail('refreshInterval', content.refreshInterval, 'use a Go duration such as "1h" ("0s" reads once)');
  if (content.keys.length === 0) throw fail('keys', [], 'list at least one key');
  const seen = new Set<string>();
  content.keys.forEach((k, i) => {
    const at = `keys[${i}]`;
    if (!SECRET_KEY_RULE.test(k.secretKey)) throw fail(`${at}.secretKey`, k.secretKey, SECRET_KEY_RULE.fix);
    if (seen.has(k.secretKey)) throw fail(`${at}.secretKey`, k.secretKey, 'key already used in this Secret: use distinct keys');
    seen.add(k.secretKey);
    if (!(OBJECT_TYPES as readonly string[]).includes(k.objectType)) throw fail(`${at}.objectType`, k.objectType, 'use "secret", "key" or "cert"');
    if (!KEY_VAULT_OBJECT_NAME.test(k.objectName)) throw fail(`${at}.objectName`, k.objectName, 'use 1-127 letters, digits or hyphens');
    if (k.property !== undefined && !ESO_PROPERTY_TYPE_RULE.test(k.objectType)) throw fail(`${at}.property`, k.property, ESO_PROPERTY_TYPE_RULE.fix);
    if (k.property !== undefined && !ESO_PROPERTY_RULE.test(k.property)) throw fail(`${at}.property`, k.property, ESO_PROPERTY_RULE.fix);
    if (k.version !== undefined && !/^[0-9a-fA-F]{32}$/.test(k.version))
      throw fail(`${at}.version`, k.version, 'use a 32-character hexadecimal Key Vault version id');
    if (type === 'kubernetes.io/tls') {
      if (!TLS_SECRET_KEY_RULE.test(k.secretKey)) throw fail(`${at}.secretKey`, k.secretKey, TLS_SECRET_KEY_RULE.fix);
      if (k.objectType === 'cert')
        throw fail(`${at}.objectType`, k.objectType, "ESO reads a cert as DER and a TLS Secret holds PEM: read the certificate's secret (type secret)");
    }
  });
  const missing = missingSecretKeys(type, seen);
  if (missing.length > 0) throw fail('keys', [...seen], `a ${type} Secret needs the key ${missing.join(' and ')} (the API server refuses it otherwise)`);
  for (const [key, value] of Object.entries(content.secretLabels ?? {})) {
    if (!LABEL_KEY_RULE.test(key)) throw fail('secretLabels', key, LABEL_KEY_RULE.fix);
    if (!LABEL_VALUE_RULE.test(value)) throw fail(`secretLabels.${key}`, value, LABEL_VALUE_RULE.fix);
  }
  for (const key of Object.keys(content.secretAnnotations ?? {})) {
    if (!ANNOTATION_KEY_RULE.test(key)) throw fail('secretAnnotations', key, ANNOTATION_KEY_RULE.fix);
  }
}
