/**
 * Reads a SecretProviderClass the way the Azure provider does (parameters are case-sensitive and
 * whitespace-trimmed; `objects` is YAML `{array: [<YAML doc>, ...]}`) and reports what the
 * provider would silently ignore or reject.
 */
import { filesWritten, KNOWN_OBJECT_KEYS, mountPathProblem, OBJECT_TYPES, SECRET_OBJECT_FILE_RULE, SPC_API_VERSION, type ObjectType } from '../lib/csi-driver';
import { missingSecretKeys, SECRET_KEY_RULE } from '../lib/kubernetes';
import { parseYaml } from '../lib/yaml-fast';
import type { OutputsContract } from '../lib/outputs/contract';
import type { Findings } from './finding';
import type { K8sObject } from './manifests';
import { isRecord, list, rec, show, str, truthy } from './values';

export interface MountedObject {
  readonly name: string;
  readonly type: ObjectType;
  /** Alias when set, else the object name. */
  readonly fileName: string;
  /** `spec.parameters.objects` element path for messages. */
  readonly path: string;
}

export interface SpcInfo {
  readonly object: K8sObject;
  readonly keyvaultName: string | undefined;
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  /** Objects with a valid name and type (the ones a role must cover). */
  readonly objects: readonly MountedObject[];
  /** Every mounted file name (alias or name; the folder of a version history). */
  readonly files: ReadonlySet<string>;
  /** Every file the provider writes: the file name, or `<file>/0` ... for a version history above 1. */
  readonly written: ReadonlySet<string>;
  /** `secretName`s of `secretObjects`. */
  readonly syncedSecrets: ReadonlySet<string>;
}

export interface SpcContext {
  /** Literal names of the vaults in the Terraform JSON (resources and data sources). */
  readonly vaultNames: readonly string[];
  /** Literal `tenant_id` of a vault by lower-case name, when the Terraform JSON has one (not a reference). */
  readonly vaultTenants: ReadonlyMap<string, string>;
  readonly outputs?: { readonly file: string; readonly contract: OutputsContract } | undefined;
}

const param = (params: Record<string, unknown>, key: string): string | undefined => {
  const v = params[key];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
};

export function analyzeSecretProviderClass(spc: K8sObject, ctx: SpcContext, out: Findings): SpcInfo {
  const spec = rec(spc.body['spec']);
  const link: SpcLink = { spc, params: rec(spec['parameters']), ctx, out };
  checkKind(link, spec);
  const keyvaultName = checkVault(link);
  const tenant = checkTenant(link, keyvaultName);
  const clientId = checkIdentity(link);
  checkCloud(link);
  const { objects, files, written, histories } = analyzeObjects(link);
  const syncedSecrets = analyzeSecretObjects(link, spec['secretObjects'], { written, histories });
  return { object: spc, keyvaultName, tenantId: tenant, clientId, objects, files, written, syncedSecrets };
}

/** One SecretProviderClass as the checks of its links read it. */
interface SpcLink {
  readonly spc: K8sObject;
  readonly params: Record<string, unknown>;
  readonly ctx: SpcContext;
  readonly out: Findings;
}

/** `spec.parameters.<key>`, for findings. */
const paramPath = (key: string) => `spec.parameters.${key}`;

/** The API version and provider the driver serves. */
function checkKind({ spc, out }: SpcLink, spec: Record<string, unknown>): void {
  if (spc.apiVersion !== SPC_API_VERSION) {
    out.add(
      'spc-api-version',
      spc.where('apiVersion'),
      `${spc.ref} uses apiVersion "${spc.apiVersion}"; v1alpha1 is deprecated`,
      `set apiVersion: ${SPC_API_VERSION}`,
    );
  }
  if (str(spec['provider']) !== 'azure') {
    out.add(
      'spc-provider',
      spc.where('spec.provider'),
      `${spc.ref} has provider ${show(spec['provider'])}: the Azure Key Vault provider only serves "azure"`,
      'set spec.provider: azure',
    );
  }
}

/** The vault: named, and the one of the stack and of the outputs file. Returns its name. */
function checkVault({ spc, params, ctx, out }: SpcLink): string | undefined {
  const keyvaultName = param(params, 'keyvaultName');
  if (keyvaultName === undefined) {
    out.add(
      'spc-keyvault-name',
      spc.where(paramPath('keyvaultName')),
      `${spc.ref} has no keyvaultName: the provider cannot know which vault to read`,
      'set spec.parameters.keyvaultName to the vault name from the Terraform outputs',
    );
    return keyvaultName;
  }
  const lower = keyvaultName.toLowerCase();
  if (ctx.vaultNames.length > 0 && !ctx.vaultNames.some((n) => n.toLowerCase() === lower)) {
    out.add(
      'spc-keyvault-name',
      spc.where(paramPath('keyvaultName')),
      `${spc.ref} reads vault "${keyvaultName}" but the stack's vault is ${ctx.vaultNames.map((n) => `"${n}"`).join(' or ')}`,
      `set spec.parameters.keyvaultName: ${ctx.vaultNames[0]}`,
    );
  }
  const o = ctx.outputs;
  // The outputs declare the environment's vault and, since several vaults, additionalVaults: any of them.
  const declared = o ? [o.contract.keyVault.name, ...(o.contract.additionalVaults ?? []).map((v) => v.name)] : [];
  if (o && !declared.some((n) => n.toLowerCase() === lower)) {
    const says =
      declared.length === 1
        ? `keyVault.name is "${declared[0]}"`
        : `the vaults are ${declared.map((n) => `"${n}"`).join(', ')} (keyVault.name and additionalVaults)`;
    out.add(
      'spc-keyvault-name',
      spc.where(paramPath('keyvaultName')),
      `${spc.ref} reads vault "${keyvaultName}" but ${o.file} says ${says}`,
      `set spec.parameters.keyvaultName: ${o.contract.keyVault.name}${declared.length > 1 ? ' (or another declared vault)' : ''}, or re-render from the current outputs`,
    );
  }
  return keyvaultName;
}

/** The tenant: spelled tenantID, set, and the vault's and the outputs file's. Returns it. */
function checkTenant({ spc, params, ctx, out }: SpcLink, keyvaultName: string | undefined): string | undefined {
  const tenantID = param(params, 'tenantID');
  const tenantIdOld = param(params, 'tenantId');
  if (tenantIdOld !== undefined) {
    out.add(
      'spc-tenant-id-spelling',
      spc.where(paramPath('tenantId')),
      tenantID !== undefined
        ? `${spc.ref} sets both tenantID and the deprecated tenantId; tenantId is ignored`
        : `${spc.ref} uses the deprecated spelling tenantId (read only while tenantID is absent)`,
      tenantID !== undefined ? 'remove spec.parameters.tenantId' : 'rename spec.parameters.tenantId to tenantID',
    );
  }
  const tenant = tenantID ?? tenantIdOld;
  const where = spc.where(paramPath(tenantID !== undefined ? 'tenantID' : 'tenantId'));
  if (tenant === undefined) {
    out.add(
      'spc-tenant-id',
      spc.where(paramPath('tenantID')),
      `${spc.ref} has no tenantID: the provider cannot get a token`,
      'set spec.parameters.tenantID to the tenant id from the Terraform outputs',
    );
    return tenant;
  }
  const stackTenant = keyvaultName !== undefined ? ctx.vaultTenants.get(keyvaultName.toLowerCase()) : undefined;
  if (stackTenant !== undefined && stackTenant.toLowerCase() !== tenant.toLowerCase()) {
    out.add(
      'spc-tenant-id',
      where,
      `${spc.ref} has tenantID "${tenant}" but the stack's vault "${keyvaultName}" is in tenant "${stackTenant}"`,
      `set spec.parameters.tenantID: ${stackTenant}`,
    );
  }
  if (ctx.outputs && ctx.outputs.contract.tenantId.toLowerCase() !== tenant.toLowerCase()) {
    out.add(
      'spc-tenant-id',
      where,
      `${spc.ref} has tenantID "${tenant}" but ${ctx.outputs.file} says tenantId is "${ctx.outputs.contract.tenantId}"`,
      `set spec.parameters.tenantID: ${ctx.outputs.contract.tenantId}`,
    );
  }
  return tenant;
}

/** The identity: workload identity through clientID, no other mode. Returns the client id. */
function checkIdentity({ spc, params, out }: SpcLink): string | undefined {
  const clientId = param(params, 'clientID');
  for (const mode of ['usePodIdentity', 'useVMManagedIdentity'] as const) {
    if (truthy(params[mode])) {
      out.add(
        'spc-identity-mode',
        spc.where(paramPath(mode)),
        `${spc.ref} sets ${mode}: "true", so the provider ignores the workload identity (clientID) and the federated credential`,
        `remove spec.parameters.${mode} and set clientID to the workload identity's client id`,
      );
    }
  }
  if (clientId === undefined) {
    out.add(
      'spc-client-id-missing',
      spc.where(paramPath('clientID')),
      `${spc.ref} has no clientID: with workload identity the provider uses the SPC clientID, not the ServiceAccount annotation`,
      "set spec.parameters.clientID to the workload identity's client id from the Terraform outputs",
    );
  }
  return clientId;
}

/** The cloud: the outputs file's. */
function checkCloud({ spc, params, ctx, out }: SpcLink): void {
  if (!ctx.outputs) return;
  const cloud = param(params, 'cloudName') ?? 'AzurePublicCloud';
  if (cloud.toLowerCase() !== ctx.outputs.contract.cloudName.toLowerCase()) {
    out.add(
      'spc-cloud-name',
      spc.where(paramPath('cloudName')),
      `${spc.ref} targets cloud "${cloud}" but ${ctx.outputs.file} says cloudName is "${ctx.outputs.contract.cloudName}"`,
      `set spec.parameters.cloudName: ${ctx.outputs.contract.cloudName}`,
    );
  }
}

interface AnalyzedObjects {
  objects: MountedObject[];
  files: Set<string>;
  written: Set<string>;
  /** objectVersionHistory above 1, by file name. */
  histories: Map<string, number>;
}

/** Reports a malformed `objects` parameter (the message after the SPC's name). */
type Malformed = (message: string) => void;

function analyzeObjects({ spc, params, out }: SpcLink): AnalyzedObjects {
  const analyzed: AnalyzedObjects = { objects: [], files: new Set(), written: new Set(), histories: new Map() };
  const malformed: Malformed = (message) =>
    out.add(
      'spc-objects-malformed',
      spc.where('spec.parameters.objects'),
      `${spc.ref}: ${message}`,
      'write objects as "array:" followed by one "- |" block per object, each a YAML mapping with objectName and objectType',
    );
  const array = objectsArray(params['objects'], malformed);
  const firstByFile = new Map<string, number>();
  array?.forEach((element, i) => {
    const o = objectElement(element, i, malformed);
    if (o === undefined) return;
    const path = `spec.parameters.objects array[${i}]`;
    const at: ObjectAt = { spc, where: spc.where(path), i, out };
    checkObjectKeys(at, o);
    const { name, type } = checkObjectFields(at, o);
    const alias = scalar(o['objectAlias']);
    const file = alias ?? name;
    if (file === undefined) return;
    checkMountedFile(at, { file, alias, firstByFile });
    analyzed.files.add(file);
    const history = Number(scalar(o['objectVersionHistory']) ?? 1);
    if (Number.isInteger(history) && history > 1) analyzed.histories.set(file, history);
    for (const f of filesWritten(file, analyzed.histories.get(file))) analyzed.written.add(f);
    if (name !== undefined && type !== undefined) analyzed.objects.push({ name, type, fileName: file, path });
  });
  return analyzed;
}

/** The `array:` list of the `objects` parameter, or undefined (reported) when there is none. */
function objectsArray(raw: unknown, malformed: Malformed): unknown[] | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') {
    malformed('spec.parameters.objects is missing: nothing would be mounted');
    return undefined;
  }
  const doc = yamlOrReport(raw, 'objects', malformed);
  if (doc === undefined) return undefined;
  const array = rec(doc.value)['array'];
  if (!Array.isArray(array)) {
    malformed('objects has no "array:" list');
    return undefined;
  }
  return array as unknown[];
}

/** One `- |` block of the list as a mapping, or undefined (reported) when it is not one. */
function objectElement(element: unknown, i: number, malformed: Malformed): Record<string, unknown> | undefined {
  if (typeof element !== 'string') {
    malformed(`array[${i}] is ${show(element)}, not a "- |" block string`);
    return undefined;
  }
  const o = yamlOrReport(element, `array[${i}]`, malformed);
  if (o === undefined) return undefined;
  if (!isRecord(o.value)) {
    malformed(`array[${i}] is ${show(o.value)}, not a mapping`);
    return undefined;
  }
  return o.value;
}

/** `text` read as YAML, or undefined (reported as "`what` is not valid YAML"). */
function yamlOrReport(text: string, what: string, malformed: Malformed): { value: unknown } | undefined {
  try {
    return { value: parseYaml(text) };
  } catch (e) {
    malformed(`${what} is not valid YAML (${firstLine(e)})`);
    return undefined;
  }
}

/** One element of the objects list, for findings. */
interface ObjectAt {
  readonly spc: K8sObject;
  readonly where: string;
  readonly i: number;
  readonly out: Findings;
}

/** Keys the provider does not know, which it silently ignores. */
function checkObjectKeys({ spc, where, out }: ObjectAt, o: Record<string, unknown>): void {
  for (const key of Object.keys(o).sort()) {
    if ((KNOWN_OBJECT_KEYS as readonly string[]).includes(key)) continue;
    const near = KNOWN_OBJECT_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    out.add(
      'spc-object-unknown-key',
      where,
      `${spc.ref}: object key "${key}" is unknown; the provider silently ignores it`,
      near ? `rename "${key}" to "${near}" (keys are case-sensitive)` : `remove "${key}"; known keys: ${KNOWN_OBJECT_KEYS.join(', ')}`,
    );
  }
}

/** Name and type set and valid, and no pinned version. Returns the valid name and type. */
function checkObjectFields({ spc, where, i, out }: ObjectAt, o: Record<string, unknown>): { name: string | undefined; type: ObjectType | undefined } {
  const name = scalar(o['objectName']);
  if (name === undefined) {
    out.add('spc-object-name-missing', where, `${spc.ref}: array[${i}] has no objectName`, 'set objectName to the Key Vault object name');
  }
  const typeRaw = scalar(o['objectType']);
  const type = (OBJECT_TYPES as readonly string[]).includes(typeRaw ?? '') ? (typeRaw as ObjectType) : undefined;
  if (type === undefined) {
    const lower = typeRaw?.toLowerCase();
    out.add(
      'spc-object-type',
      where,
      `${spc.ref}: array[${i}] has objectType ${show(o['objectType'])}; the provider accepts only secret, key or cert (case-sensitive)`,
      lower && (OBJECT_TYPES as readonly string[]).includes(lower) ? `write objectType: ${lower}` : 'set objectType to secret, key or cert',
    );
  }
  const version = scalar(o['objectVersion']);
  if (version !== undefined) {
    out.add(
      'spc-object-version-pinned',
      where,
      `${spc.ref}: object "${name ?? '?'}" is pinned to version "${version}" and is never rotated`,
      'remove objectVersion to follow the latest version',
    );
  }
  return { name, type };
}

/** The mounted file name: one the provider accepts, and not mounted by an earlier element. */
function checkMountedFile(
  { spc, where, i, out }: ObjectAt,
  { file, alias, firstByFile }: { file: string; alias: string | undefined; firstByFile: Map<string, number> },
): void {
  const problem = fileNameProblem(file);
  if (problem) {
    out.add(
      'spc-file-name-invalid',
      where,
      `${spc.ref}: mounted file name "${file}" ${problem}; the provider fails the mount`,
      `set ${alias !== undefined ? 'objectAlias' : 'objectAlias (the file name)'} to a relative name without ".." and with elements of at most 255 bytes`,
    );
  }
  const first = firstByFile.get(file);
  if (first !== undefined) {
    out.add(
      'spc-file-name-duplicate',
      where,
      `${spc.ref}: array[${i}] mounts file "${file}", already mounted by array[${first}]; one overwrites the other`,
      'give each object a distinct objectAlias',
    );
  } else {
    firstByFile.set(file, i);
  }
}

/** What the mount holds, for the synced Secrets' `objectName`s. */
type MountFiles = Pick<AnalyzedObjects, 'written' | 'histories'>;

/** One `secretObjects` entry, for findings. */
interface SecretObjectAt {
  readonly spc: K8sObject;
  /** `spec.secretObjects[i]` */
  readonly path: string;
  /** `secretObjects "name"`, or `secretObjects[i]` without a name. */
  readonly label: string;
  /** What the mount holds, for the data items' `objectName`s. */
  readonly mount: MountFiles;
  readonly out: Findings;
}

function analyzeSecretObjects({ spc, out }: SpcLink, raw: unknown, mount: MountFiles): Set<string> {
  const secrets = new Set<string>();
  list(raw).forEach((entry, i) => {
    const e = rec(entry);
    const secretName = str(e['secretName']);
    if (secretName) secrets.add(secretName);
    const at: SecretObjectAt = {
      spc,
      path: `spec.secretObjects[${i}]`,
      label: secretName ? `secretObjects "${secretName}"` : `secretObjects[${i}]`,
      mount,
      out,
    };
    checkSecretObject(at, e);
  });
  return secrets;
}

/** One synced Secret: named, typed, with data items from mounted files under the keys its type needs. */
function checkSecretObject(at: SecretObjectAt, e: Record<string, unknown>): void {
  const { spc, path, label, out } = at;
  if (!str(e['secretName'])) {
    out.add(
      'secret-object-malformed',
      spc.where(`${path}.secretName`),
      `${spc.ref}: ${label} has no secretName`,
      'set secretName to the name of the Kubernetes Secret to create',
    );
  }
  const type = str(e['type']);
  if (!type) {
    out.add(
      'secret-object-type-missing',
      spc.where(`${path}.type`),
      `${spc.ref}: ${label} has no type; the driver silently skips it and no Secret is created`,
      'set type, e.g. Opaque or kubernetes.io/tls',
    );
  }
  const data = e['data'];
  if (!Array.isArray(data) || data.length === 0) {
    out.add('secret-object-malformed', spc.where(`${path}.data`), `${spc.ref}: ${label} has no data items`, 'add data items of {objectName, key}');
    return;
  }
  const keys = data.flatMap((item, j) => checkSecretData(at, rec(item), j));
  checkSecretKeys(at, type, keys);
}

/** One data item: objectName a file the mount holds, key one the API server accepts. Returns its key. */
function checkSecretData({ spc, path, label, mount, out }: SecretObjectAt, d: Record<string, unknown>, j: number): string[] {
  const objectName = str(d['objectName']);
  const key = str(d['key']);
  if (!objectName || !key) {
    out.add(
      'secret-object-malformed',
      spc.where(`${path}.data[${j}]`),
      `${spc.ref}: ${label} data[${j}] needs both objectName and key`,
      'set objectName (a mounted file name) and key (the Secret key)',
    );
  }
  if (key && !SECRET_KEY_RULE.test(key)) {
    out.add(
      'secret-object-key-invalid',
      spc.where(`${path}.data[${j}].key`),
      `${spc.ref}: ${label} data[${j}] has key "${key}", which the API server refuses in a Secret`,
      SECRET_KEY_RULE.fix,
    );
  }
  const history = objectName ? mount.histories.get(objectName) : undefined;
  if (objectName && history !== undefined) {
    out.add(
      'secret-object-versioned-file',
      spc.where(`${path}.data[${j}].objectName`),
      `${spc.ref}: ${label} data[${j}] syncs "${objectName}", but objectVersionHistory ${history} makes the provider write "${objectName}/0" to "${objectName}/${history - 1}" and no "${objectName}" file; the Secret never syncs`,
      `set objectName: ${objectName}/0 (the current version)`,
    );
  } else if (objectName && !SECRET_OBJECT_FILE_RULE.test({ objectName, files: mount.written })) {
    out.add(
      'secret-object-unknown-file',
      spc.where(`${path}.data[${j}].objectName`),
      `${spc.ref}: ${label} data[${j}] syncs "${objectName}", which is not a mounted file name (mounted: ${[...mount.written].sort().join(', ') || 'none'})`,
      'use the objectAlias of the object when it has one, else its objectName',
    );
  }
  return key ? [key] : [];
}

/** The keys the Secret's type requires: tls.crt and tls.key exactly for a TLS Secret. */
function checkSecretKeys({ spc, path, label, out }: SecretObjectAt, type: string | undefined, keys: readonly string[]): void {
  const missing = type && type !== 'kubernetes.io/tls' ? missingSecretKeys(type, keys) : [];
  if (missing.length > 0) {
    out.add(
      'secret-object-required-keys',
      spc.where(`${path}.data`),
      `${spc.ref}: ${label} is ${type} with keys [${keys.join(', ')}]; the API server refuses it without the key ${missing.join(' and ')}, so the sync fails`,
      `map a mounted file to key ${missing.join(' and ')}`,
    );
  }
  if (type === 'kubernetes.io/tls') {
    const sorted = [...keys].sort();
    if (sorted.length !== 2 || sorted[0] !== 'tls.crt' || sorted[1] !== 'tls.key') {
      out.add(
        'secret-object-tls-keys',
        spc.where(`${path}.data`),
        `${spc.ref}: ${label} is kubernetes.io/tls with keys [${keys.join(', ')}]; a TLS Secret needs exactly tls.crt and tls.key`,
        'map the certificate to key tls.crt and the private key to key tls.key',
      );
    }
  }
}

/** A non-empty scalar as the provider would read it, trimmed. */
function scalar(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** Why the provider or the driver refuses a mounted file name (the broken rule's text), or undefined. */
export function fileNameProblem(file: string): string | undefined {
  return mountPathProblem(file)?.fix;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
