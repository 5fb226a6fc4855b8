/**
 * Shapes of the custom resources the verifier reads, exactly as the API server returns them
 * (`secrets-store.csi.x-k8s.io/v1`). Built-in objects use the
 * client-node-shaped subsets in `api-types.ts`.
 */

export const SECRETS_STORE_GROUP = 'secrets-store.csi.x-k8s.io';
export const SECRETS_STORE_VERSION = 'v1';
export const SPC_PLURAL = 'secretproviderclasses';
export const SPCPS_PLURAL = 'secretproviderclasspodstatuses';

export interface ObjectMetaLike {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly creationTimestamp?: Date | string;
}

export interface SecretObjectData {
  readonly objectName?: string;
  readonly key?: string;
}

export interface SecretObject {
  readonly secretName?: string;
  readonly type?: string;
  readonly data?: readonly SecretObjectData[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface SecretProviderClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMetaLike;
  readonly spec?: {
    readonly provider?: string;
    readonly parameters?: Readonly<Record<string, string>>;
    readonly secretObjects?: readonly SecretObject[];
  };
}

/** One mounted object as the driver records it: `id` is `<objectType>/<objectName>` for the Azure provider. */
export interface SecretProviderClassObject {
  readonly id?: string;
  readonly version?: string;
}

export interface SecretProviderClassPodStatus {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMetaLike;
  readonly status?: {
    readonly mounted?: boolean;
    readonly podName?: string;
    readonly secretProviderClassName?: string;
    readonly targetPath?: string;
    readonly objects?: readonly SecretProviderClassObject[];
  };
}

/** A file the chart renders (`renderEnvironment` in charts/render.ts). */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}
