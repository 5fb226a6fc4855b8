/**
 * The Azure provider's `objects` parameter, generated from typed input only.
 *
 * The provider parses the string in two steps: the whole string as YAML into `{ array: string[] }`,
 * then each element as its own YAML document into an object. Unknown keys are silently ignored
 * there, so a typo would be invisible at deploy time: this module is the only place that spells
 * the field names.
 *
 * @see https://azure.github.io/secrets-store-csi-driver-provider-azure/docs/getting-started/usage/
 */
import { toYaml } from '../lib/yaml-emit';
import type { ObjectType } from '../lib/csi-driver';
import type { MountedObject } from '../lib/model';

/** One Key Vault object as the Azure provider reads it (field names are the provider's). */
export interface CsiObject {
  /** Name of the secret, key or certificate in Key Vault. */
  readonly objectName: string;
  /** `secret`, `key` or `cert` (case-sensitive). */
  readonly objectType: ObjectType;
  /**
   * File name in the mount.
   * @default - the object name
   */
  readonly objectAlias?: string;
  /**
   * A pinned version (never rotated).
   * @default - the latest version, rotated
   */
  readonly objectVersion?: string;
  /**
   * `pem` or `pfx` (pfx only for type secret).
   * @default - pem
   */
  readonly objectFormat?: 'pem' | 'pfx';
  /**
   * `utf-8`, `hex` or `base64` (only for type secret).
   * @default - utf-8
   */
  readonly objectEncoding?: 'utf-8' | 'hex' | 'base64';
  /**
   * Octal file mode as a string, e.g. `"0440"`.
   * @default - 0644
   */
  readonly filePermission?: string;
  /**
   * Number of versions to mount as `<alias>/<n>` files.
   * @default - 1
   */
  readonly objectVersionHistory?: number;
}

/** Field order of each rendered document: stable, so re-renders are byte-identical. */
const FIELDS = [
  'objectName',
  'objectType',
  'objectAlias',
  'objectVersion',
  'objectFormat',
  'objectEncoding',
  'filePermission',
  'objectVersionHistory',
] as const;

/** The provider's typed view of a mounted object from the model. */
export function csiObjectOf(o: MountedObject): CsiObject {
  const c = o.config;
  return {
    objectName: o.name,
    objectType: o.type,
    ...(c.alias !== undefined ? { objectAlias: c.alias } : {}),
    ...(c.version !== undefined ? { objectVersion: c.version } : {}),
    ...(c.format !== undefined ? { objectFormat: c.format } : {}),
    ...(c.encoding !== undefined ? { objectEncoding: c.encoding } : {}),
    ...(c.filePermission !== undefined ? { filePermission: c.filePermission } : {}),
    ...(c.versionHistory !== undefined ? { objectVersionHistory: c.versionHistory } : {}),
  };
}

/** The file (or, with a version history above 1, folder) name an object gets in the mount. */
export function csiFileName(o: CsiObject): string {
  return o.objectAlias ?? o.objectName;
}

/**
 * Renders the `objects` parameter: a YAML document `array:` whose elements are `- |` blocks,
 * each a YAML document holding one object. Only fields that are set are written.
 */
export function renderObjectsParameter(objects: readonly CsiObject[]): string {
  const docs = objects.map((o) => {
    const doc: Record<string, string | number> = {};
    for (const field of FIELDS) {
      const value = o[field];
      if (value !== undefined) doc[field] = value;
    }
    return toYaml(doc);
  });
  return toYaml({ array: docs });
}
