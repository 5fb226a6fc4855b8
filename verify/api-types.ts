/**
 * The narrow, structural types verify/ works with instead of the type declarations of
 * `@kubernetes/client-node`, `@azure/identity` and `@azure/keyvault-secrets`.
 *
 * Why: those declarations are large (client-node alone is ~800 .d.ts files, identity pulls in
 * msal) and referencing them, even with `import type`, roughly doubles `tsc --noEmit` for the
 * whole project. The packages are still what runs: `cluster.ts` and `keyvault.ts` load them
 * with a dynamic import and cast the module to the interfaces below in one commented place each.
 *
 * Rules for this file:
 * - Every Kubernetes interface is a SUBSET of the API object as @kubernetes/client-node 1.x
 *   returns it (its generated `gen/models/*.d.ts`): the same camelCase field names, the same
 *   optionality (a field client-node declares required is required here too), and the same value
 *   types: timestamps are `Date` objects (client-node's ObjectSerializer turns RFC 3339 strings
 *   into Date; `V1MicroTime` is a Date subclass), maps are string records, lists are arrays.
 *   Only the fields the code reads, the fields client-node declares required, and `apiVersion`,
 *   `kind` and `metadata` (client-node's `KubernetesObject`) are declared. Add a field here, with
 *   the client-node shape, when code starts reading it.
 * - The Azure interfaces are subsets of the same names in `@azure/keyvault-secrets` /
 *   `@azure/identity` / `@azure/core-auth`, with the same rules.
 * - Client surfaces (KubeConfig, the API classes, Exec, SecretClient, credentials) declare only
 *   the members and parameters the code uses, with the package's signatures.
 *
 * A real client-node object is assignable to each interface here; the reverse does not hold
 * (fields are missing), which is intended: the code must not build API objects, only read them.
 */
import type { Readable, Writable } from 'node:stream';

/* ---------------------------------------------------------------------------------------------
 * Kubernetes API objects (subset of the API objects as @kubernetes/client-node returns them)
 * ------------------------------------------------------------------------------------------- */

/** Subset of client-node's `V1ObjectMeta`. */
export interface V1ObjectMeta {
  annotations?: { [key: string]: string };
  creationTimestamp?: Date;
  deletionTimestamp?: Date;
  labels?: { [key: string]: string };
  name?: string;
  namespace?: string;
}

/** Subset of client-node's `KubernetesObject` (types.d.ts): what every API object has. */
export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
}

/** Subset of client-node's `V1LabelSelector`. */
export interface V1LabelSelector {
  matchLabels?: { [key: string]: string };
}

/** Subset of client-node's `V1EnvVar`. */
export interface V1EnvVar {
  name: string;
  value?: string;
}

/** Subset of client-node's `V1VolumeMount`. */
export interface V1VolumeMount {
  mountPath: string;
  name: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
}

/** Subset of client-node's `V1Container`. */
export interface V1Container {
  args?: Array<string>;
  command?: Array<string>;
  env?: Array<V1EnvVar>;
  image?: string;
  name: string;
  ports?: Array<V1ContainerPort>;
  volumeMounts?: Array<V1VolumeMount>;
}

/** Subset of client-node's `V1ContainerPort`. */
export interface V1ContainerPort {
  containerPort: number;
  name?: string;
}

/** Subset of client-node's `V1CSIVolumeSource`. */
export interface V1CSIVolumeSource {
  driver: string;
  readOnly?: boolean;
  volumeAttributes?: { [key: string]: string };
}

/** Subset of client-node's `V1Volume`. */
export interface V1Volume {
  csi?: V1CSIVolumeSource;
  name: string;
}

/** Subset of client-node's `V1PodSpec`. */
export interface V1PodSpec {
  containers: Array<V1Container>;
  initContainers?: Array<V1Container>;
  serviceAccountName?: string;
  volumes?: Array<V1Volume>;
}

/** Subset of client-node's `V1PodTemplateSpec`. */
export interface V1PodTemplateSpec {
  metadata?: V1ObjectMeta;
  spec?: V1PodSpec;
}

/** Subset of client-node's `V1PodCondition`. */
export interface V1PodCondition {
  /** When the condition last changed (for Ready: when the pod became ready). */
  lastTransitionTime?: Date;
  status: string;
  type: string;
}

/** Subset of client-node's `V1ContainerStateWaiting`. */
export interface V1ContainerStateWaiting {
  message?: string;
  reason?: string;
}

/** Subset of client-node's `V1ContainerStateTerminated`. */
export interface V1ContainerStateTerminated {
  exitCode: number;
  reason?: string;
}

/** Subset of client-node's `V1ContainerStateRunning`. */
export interface V1ContainerStateRunning {
  startedAt?: Date;
}

/** Subset of client-node's `V1ContainerState`: exactly one of the three is set (`running` is declared so a running state, which has neither of the two the code reads, is one). */
export interface V1ContainerState {
  running?: V1ContainerStateRunning;
  terminated?: V1ContainerStateTerminated;
  waiting?: V1ContainerStateWaiting;
}

/** Subset of client-node's `V1ContainerStatus`. */
export interface V1ContainerStatus {
  image: string;
  imageID: string;
  name: string;
  ready: boolean;
  restartCount: number;
  state?: V1ContainerState;
}

/** Subset of client-node's `V1PodStatus`. */
export interface V1PodStatus {
  conditions?: Array<V1PodCondition>;
  containerStatuses?: Array<V1ContainerStatus>;
  phase?: string;
}

/** Subset of client-node's `V1Pod`. */
export interface V1Pod extends KubernetesObject {
  spec?: V1PodSpec;
  status?: V1PodStatus;
}

/** Subset of client-node's `V1DaemonSetSpec`. */
export interface V1DaemonSetSpec {
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
}

/** Subset of client-node's `V1DaemonSetStatus`. */
export interface V1DaemonSetStatus {
  currentNumberScheduled: number;
  desiredNumberScheduled: number;
  numberAvailable?: number;
  numberMisscheduled: number;
  numberReady: number;
  numberUnavailable?: number;
  updatedNumberScheduled?: number;
}

/** Subset of client-node's `V1DaemonSet`. */
export interface V1DaemonSet extends KubernetesObject {
  spec?: V1DaemonSetSpec;
  status?: V1DaemonSetStatus;
}

/** Subset of client-node's `V1DeploymentSpec`. */
export interface V1DeploymentSpec {
  replicas?: number;
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
}

/** Subset of client-node's `V1DeploymentCondition`. */
export interface V1DeploymentCondition {
  message?: string;
  reason?: string;
  status: string;
  type: string;
}

/** Subset of client-node's `V1DeploymentStatus`. */
export interface V1DeploymentStatus {
  conditions?: Array<V1DeploymentCondition>;
  readyReplicas?: number;
}

/** Subset of client-node's `V1Deployment`. */
export interface V1Deployment extends KubernetesObject {
  spec?: V1DeploymentSpec;
  status?: V1DeploymentStatus;
}

/** Subset of client-node's `V1NamespaceStatus`. */
export interface V1NamespaceStatus {
  phase?: string;
}

/** Subset of client-node's `V1Namespace`. */
export interface V1Namespace extends KubernetesObject {
  status?: V1NamespaceStatus;
}

/** Subset of client-node's `V1ServiceAccount` (only its metadata is read). */
export type V1ServiceAccount = KubernetesObject;

/** Subset of client-node's `V1ObjectReference`. */
export interface V1ObjectReference {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Subset of client-node's `CoreV1EventSeries` (`lastObservedTime` is a `V1MicroTime`, a Date subclass). */
export interface CoreV1EventSeries {
  count?: number;
  lastObservedTime?: Date;
}

/** Subset of client-node's `CoreV1Event` (`eventTime` is a `V1MicroTime`, a Date subclass). */
export interface CoreV1Event extends KubernetesObject {
  count?: number;
  eventTime?: Date;
  firstTimestamp?: Date;
  involvedObject: V1ObjectReference;
  lastTimestamp?: Date;
  message?: string;
  metadata: V1ObjectMeta;
  reason?: string;
  series?: CoreV1EventSeries;
  type?: string;
}

/** Subset of client-node's `V1Status` (what the exec status callback receives). */
export interface V1Status {
  message?: string;
  reason?: string;
  status?: string;
}

/** The `items` of a client-node list response (`V1PodList`, `V1DaemonSetList`, `CoreV1EventList`). */
export interface ListResponse<T> {
  items: Array<T>;
}

/* ---------------------------------------------------------------------------------------------
 * @kubernetes/client-node client surface used by cluster.ts
 * ------------------------------------------------------------------------------------------- */

/** Subset of client-node's `Context` (config_types.d.ts). */
export interface KubeContext {
  readonly name: string;
}

/** Subset of client-node's `Cluster` (config_types.d.ts). */
export interface KubeCluster {
  readonly name: string;
  readonly server: string;
}

/** Subset of client-node's `KubeConfig` class. */
export interface KubeConfig {
  loadFromCluster(pathPrefix?: string): void;
  loadFromFile(file: string): void;
  mergeConfig(config: KubeConfig, preserveContext?: boolean): void;
  getContexts(): KubeContext[];
  getCurrentContext(): string;
  setCurrentContext(context: string): void;
  getCurrentCluster(): KubeCluster | null;
}

/** Subset of client-node's `RequestContext` (gen/http/http.d.ts). */
export interface RequestContext {
  setSignal(signal: AbortSignal): void;
}

/** Subset of client-node's `ResponseContext` (gen/http/http.d.ts). */
export interface ResponseContext {
  httpStatusCode: number;
}

/** client-node's `Middleware` (PromiseMiddleware in gen/middleware.d.ts). */
export interface PromiseMiddleware {
  pre(context: RequestContext): Promise<RequestContext>;
  post(context: ResponseContext): Promise<ResponseContext>;
}

/** Subset of client-node's `ServerConfiguration` class (gen/servers.d.ts). */
export interface ServerConfiguration {
  getConfiguration(): { [key: string]: string };
}

/** Subset of client-node's `Configuration` (gen/configuration.d.ts): only passed from createConfiguration to the API constructors. */
export interface Configuration {
  readonly baseServer: unknown;
  readonly authMethods: unknown;
}

/** The `ConfigurationParameters` cluster.ts passes to `createConfiguration`. */
export interface ConfigurationParameters {
  baseServer?: ServerConfiguration;
  authMethods?: { default?: KubeConfig };
  promiseMiddleware?: PromiseMiddleware[];
}

/** Subset of client-node's `CoreV1Api` (ObjectCoreV1Api: one parameter object per call). */
export interface CoreV1Api {
  readNamespace(param: { name: string }): Promise<V1Namespace>;
  readNamespacedServiceAccount(param: { name: string; namespace: string }): Promise<V1ServiceAccount>;
  listNamespacedPod(param: { namespace: string; labelSelector?: string }): Promise<ListResponse<V1Pod>>;
  listNamespacedEvent(param: { namespace: string; fieldSelector?: string; limit?: number }): Promise<ListResponse<CoreV1Event>>;
}

/** Subset of client-node's `AppsV1Api`. */
export interface AppsV1Api {
  listNamespacedDaemonSet(param: { namespace: string }): Promise<ListResponse<V1DaemonSet>>;
  readNamespacedDeployment(param: { name: string; namespace: string }): Promise<V1Deployment>;
  listDeploymentForAllNamespaces(param: { labelSelector?: string }): Promise<ListResponse<V1Deployment>>;
}

/** Subset of client-node's `CustomObjectsApi`: the objects are untyped JSON (client-node says `any`). */
export interface CustomObjectsApi {
  getNamespacedCustomObject(param: { group: string; version: string; namespace: string; plural: string; name: string }): Promise<unknown>;
  listNamespacedCustomObject(param: { group: string; version: string; namespace: string; plural: string }): Promise<unknown>;
}

/** Subset of client-node's `VersionApi` (the answer, a `VersionInfo`, is not read). */
export interface VersionApi {
  getCode(): Promise<unknown>;
}

/** Subset of client-node's `Exec` class (the promise resolves to the WebSocket, only closed here). */
export interface Exec {
  exec(
    namespace: string,
    podName: string,
    containerName: string,
    command: string | string[],
    stdout: Writable | null,
    stderr: Writable | null,
    stdin: Readable | null,
    tty: boolean,
    statusCallback?: (status: V1Status) => void,
  ): Promise<{ close(): void }>;
}

/** The exports of `@kubernetes/client-node` cluster.ts uses. */
export interface KubernetesClientModule {
  KubeConfig: new () => KubeConfig;
  ServerConfiguration: new (url: string, variableConfiguration: { [key: string]: string }) => ServerConfiguration;
  createConfiguration(conf?: ConfigurationParameters): Configuration;
  CoreV1Api: new (configuration: Configuration) => CoreV1Api;
  AppsV1Api: new (configuration: Configuration) => AppsV1Api;
  CustomObjectsApi: new (configuration: Configuration) => CustomObjectsApi;
  VersionApi: new (configuration: Configuration) => VersionApi;
  Exec: new (config: KubeConfig) => Exec;
}

/* ---------------------------------------------------------------------------------------------
 * Azure (subsets of @azure/core-auth, @azure/identity and @azure/keyvault-secrets)
 * ------------------------------------------------------------------------------------------- */

/** Subset of @azure/core-auth's `AccessToken`. */
export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

/** Subset of @azure/core-auth's `TokenCredential` (what DefaultAzureCredential and the other credentials implement). */
export interface TokenCredential {
  getToken(scopes: string | string[]): Promise<AccessToken | null>;
}

/** The exports of `@azure/identity` the code and its tests use. */
export interface AzureIdentityModule {
  DefaultAzureCredential: new (options?: { tenantId?: string; authorityHost?: string }) => TokenCredential;
  EnvironmentCredential: new () => TokenCredential;
  CredentialUnavailableError: new (message?: string) => Error;
}

/** Subset of @azure/keyvault-secrets' `SecretProperties` (dates are Date objects). */
export interface SecretProperties {
  vaultUrl: string;
  version?: string;
  name: string;
  id?: string;
  enabled?: boolean;
  readonly notBefore?: Date;
  readonly expiresOn?: Date;
}

/** Subset of @azure/keyvault-secrets' `KeyVaultSecret` (the value is never read). */
export interface KeyVaultSecret {
  properties: SecretProperties;
  name: string;
}

/** Subset of @azure/keyvault-secrets' `SecretClient`. */
export interface SecretClient {
  setSecret(secretName: string, value: string, options?: { tags?: { [propertyName: string]: string } }): Promise<KeyVaultSecret>;
}

/** The exports of `@azure/keyvault-secrets` keyvault.ts uses. */
export interface KeyVaultSecretsModule {
  SecretClient: new (vaultUrl: string, credential: TokenCredential) => SecretClient;
}
