/**
 * The three engines that deliver a workload's Key Vault objects, and what each can do with the
 * fields of one object. The environment rules refuse a field an engine would ignore or reject;
 * the facts behind each answer live in the engine's own module (lib/csi-driver.ts,
 * lib/secret-sync.ts, lib/external-secrets.ts).
 *
 * - `csi`: the Secrets Store CSI driver mounts the objects as files (the AKS add-on).
 * - `secret-sync`: the Secrets Store Sync Controller writes a Kubernetes Secret from the same
 *   SecretProviderClass, with no pod mount (installed separately; experimental).
 * - `external-secrets`: the External Secrets Operator writes a Kubernetes Secret through a
 *   SecretStore of its Azure Key Vault provider (installed separately).
 */

export const DELIVERY_ENGINES = ['csi', 'secret-sync', 'external-secrets'] as const;
export type DeliveryEngine = (typeof DELIVERY_ENGINES)[number];
/** Engines that write a Kubernetes Secret (what shared secrets can use). */
export const SECRET_ENGINES = ['secret-sync', 'external-secrets'] as const;
export type SecretEngine = (typeof SECRET_ENGINES)[number];

/** Object fields whose support differs by engine. */
export type EngineField = 'versionHistory' | 'format' | 'encoding' | 'properties';

/**
 * Why an engine cannot honour a field of an object (with how to fix it), or undefined when it can.
 * `encoding` takes the value, because ESO has a counterpart for `base64` only.
 */
export function unsupportedField(engine: DeliveryEngine, field: EngineField, value?: unknown): string | undefined {
  const reason = UNSUPPORTED[engine][field];
  if (typeof reason === 'function') return reason(value);
  return reason;
}

type Reason = string | undefined | ((value: unknown) => string | undefined);

const UNSUPPORTED: Readonly<Record<DeliveryEngine, Readonly<Record<EngineField, Reason>>>> = {
  csi: {
    versionHistory: undefined,
    format: undefined,
    encoding: undefined,
    properties:
      'the CSI driver mounts a secret whole and cannot split its JSON: use delivery.engine "external-secrets", or store each value as a secret of its own',
  },
  'secret-sync': {
    versionHistory: (value) =>
      value === 1
        ? undefined
        : 'a Kubernetes Secret holds one version per key (the provider would write "<alias>/0" ... files, which are no Secret keys): remove versionHistory, or use delivery.engine "csi"',
    format: undefined,
    encoding: undefined,
    properties:
      'the Secrets Store Sync Controller copies provider files whole and cannot split a JSON secret: use delivery.engine "external-secrets", or store each value as a secret of its own',
  },
  'external-secrets': {
    versionHistory: (value) =>
      value === 1
        ? undefined
        : 'an ExternalSecret reads one version per key: remove versionHistory (pin one with version), or use delivery.engine "csi" for older versions as files',
    format:
      'the External Secrets Operator returns a certificate\'s secret as Key Vault stores it (PEM or PKCS#12, by its content type) and has no "format": remove format, or use delivery.engine "csi" or "secret-sync"',
    encoding: (value) =>
      value === 'hex'
        ? 'the External Secrets Operator cannot decode hex (its decodingStrategy knows base64): store the value as base64, or use delivery.engine "csi" or "secret-sync"'
        : undefined,
    properties: undefined,
  },
};
