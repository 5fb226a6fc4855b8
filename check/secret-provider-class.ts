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
  const params = rec(spec['parameters']);
  const p = (key: string) => `spec.parameters.${key}`;

  if (spc.apiVersion !== SPC_API_VERSION) {
    out.add('spc-api-version', spc.where('apiVersion'), `${spc.ref} uses apiVersion "${spc.apiVersion}"; v1alpha1 is deprecated`, `set apiVersion: ${SPC_API_VERSION}`);
  }
  if (str(spec['provider']) !== 'azure') {
    out.add('spc-provider', spc.where('spec.provider'), `${spc.ref} has provider ${show(spec['provider'])}: the Azure Key Vault provider only serves "azure"`, 'set spec.provider: azure');
  }

  // Vault
  const keyvaultName = param(params, 'keyvaultName');
  if (keyvaultName === undefined) {
    out.add('spc-keyvault-name', spc.where(p('keyvaultName')), `${spc.ref} has no keyvaultName: the provider cannot know which vault to read`, 'set spec.parameters.keyvaultName to the vault name from the Terraform outputs');
  } else {
    const lower = keyvaultName.toLowerCase();
    if (ctx.vaultNames.length > 0 && !ctx.vaultNames.some((n) => n.toLowerCase() === lower)) {
      out.add(
        'spc-keyvault-name',
        spc.where(p('keyvaultName')),
        `${spc.ref} reads vault "${keyvaultName}" but the stack's vault is ${ctx.vaultNames.map((n) => `"${n}"`).join(' or ')}`,
        `set spec.parameters.keyvaultName: ${ctx.vaultNames[0]}`,
      );
    }
    const o = ctx.outputs;
    if (o && o.contract.keyVault.name.toLowerCase() !== lower) {
      out.add(
        'spc-keyvault-name',
        spc.where(p('keyvaultName')),
        `${spc.ref} reads vault "${keyvaultName}" but ${o.file} says keyVault.name is "${o.contract.keyVault.name}"`,
        `set spec.parameters.keyvaultName: ${o.contract.keyVault.name}, or re-render from the current outputs`,
      );
    }
  }

  // Tenant
  const tenantID = param(params, 'tenantID');
  const tenantIdOld = param(params, 'tenantId');
  if (tenantIdOld !== undefined) {
    out.add(
      'spc-tenant-id-spelling',
      spc.where(p('tenantId')),
      tenantID !== undefined
        ? `${spc.ref} sets both tenantID and the deprecated tenantId; tenantId is ignored`
        : `${spc.ref} uses the deprecated spelling tenantId (read only while tenantID is absent)`,
      tenantID !== undefined ? 'remove spec.parameters.tenantId' : 'rename spec.parameters.tenantId to tenantID',
    );
  }
  const tenant = tenantID ?? tenantIdOld;
  if (tenant === undefined) {
    out.add('spc-tenant-id', spc.where(p('tenantID')), `${spc.ref} has no tenantID: the provider cannot get a token`, 'set spec.parameters.tenantID to the tenant id from the Terraform outputs');
  } else {
    const stackTenant = keyvaultName !== undefined ? ctx.vaultTenants.get(keyvaultName.toLowerCase()) : undefined;
    if (stackTenant !== undefined && stackTenant.toLowerCase() !== tenant.toLowerCase()) {
      out.add(
        'spc-tenant-id',
        spc.where(p(tenantID !== undefined ? 'tenantID' : 'tenantId')),
        `${spc.ref} has tenantID "${tenant}" but the stack's vault "${keyvaultName}" is in tenant "${stackTenant}"`,
        `set spec.parameters.tenantID: ${stackTenant}`,
      );
    }
  }
  if (tenant !== undefined && ctx.outputs && ctx.outputs.contract.tenantId.toLowerCase() !== tenant.toLowerCase()) {
    out.add(
      'spc-tenant-id',
      spc.where(p(tenantID !== undefined ? 'tenantID' : 'tenantId')),
      `${spc.ref} has tenantID "${tenant}" but ${ctx.outputs.file} says tenantId is "${ctx.outputs.contract.tenantId}"`,
      `set spec.parameters.tenantID: ${ctx.outputs.contract.tenantId}`,
    );
  }

  // Identity
  const clientId = param(params, 'clientID');
  for (const mode of ['usePodIdentity', 'useVMManagedIdentity'] as const) {
    if (truthy(params[mode])) {
      out.add(
        'spc-identity-mode',
        spc.where(p(mode)),
        `${spc.ref} sets ${mode}: "true", so the provider ignores the workload identity (clientID) and the federated credential`,
        `remove spec.parameters.${mode} and set clientID to the workload identity's client id`,
      );
    }
  }
  if (clientId === undefined) {
    out.add(
      'spc-client-id-missing',
      spc.where(p('clientID')),
      `${spc.ref} has no clientID: with workload identity the provider uses the SPC clientID, not the ServiceAccount annotation`,
      "set spec.parameters.clientID to the workload identity's client id from the Terraform outputs",
    );
  }
  if (ctx.outputs) {
    const cloud = param(params, 'cloudName') ?? 'AzurePublicCloud';
    if (cloud.toLowerCase() !== ctx.outputs.contract.cloudName.toLowerCase()) {
      out.add(
        'spc-cloud-name',
        spc.where(p('cloudName')),
        `${spc.ref} targets cloud "${cloud}" but ${ctx.outputs.file} says cloudName is "${ctx.outputs.contract.cloudName}"`,
        `set spec.parameters.cloudName: ${ctx.outputs.contract.cloudName}`,
      );
    }
  }

  const { objects, files, written, histories } = analyzeObjects(spc, params['objects'], out);
  const syncedSecrets = analyzeSecretObjects(spc, spec['secretObjects'], { written, histories }, out);
  return { object: spc, keyvaultName, tenantId: tenant, clientId, objects, files, written, syncedSecrets };
}

interface AnalyzedObjects {
  objects: MountedObject[];
  files: Set<string>;
  written: Set<string>;
  /** objectVersionHistory above 1, by file name. */
  histories: Map<string, number>;
}

function analyzeObjects(spc: K8sObject, raw: unknown, out: Findings): AnalyzedObjects {
  const objects: MountedObject[] = [];
  const files = new Set<string>();
  const written = new Set<string>();
  const histories = new Map<string, number>();
  const where = spc.where('spec.parameters.objects');
  const malformed = (message: string) =>
    out.add('spc-objects-malformed', where, `${spc.ref}: ${message}`, 'write objects as "array:" followed by one "- |" block per object, each a YAML mapping with objectName and objectType');

  if (typeof raw !== 'string' || raw.trim() === '') {
    malformed('spec.parameters.objects is missing: nothing would be mounted');
    return { objects, files, written, histories };
  }
  let doc: unknown;
  try {
    doc = parseYaml(raw);
  } catch (e) {
    malformed(`objects is not valid YAML (${firstLine(e)})`);
    return { objects, files, written, histories };
  }
  const array = rec(doc)['array'];
  if (!Array.isArray(array)) {
    malformed('objects has no "array:" list');
    return { objects, files, written, histories };
  }

  const firstByFile = new Map<string, number>();
  array.forEach((element, i) => {
    const path = `spec.parameters.objects array[${i}]`;
    const w = spc.where(path);
    let o: unknown;
    if (typeof element !== 'string') {
      malformed(`array[${i}] is ${show(element)}, not a "- |" block string`);
      return;
    }
    try {
      o = parseYaml(element);
    } catch (e) {
      malformed(`array[${i}] is not valid YAML (${firstLine(e)})`);
      return;
    }
    if (!isRecord(o)) {
      malformed(`array[${i}] is ${show(o)}, not a mapping`);
      return;
    }
    for (const key of Object.keys(o).sort()) {
      if (!(KNOWN_OBJECT_KEYS as readonly string[]).includes(key)) {
        const near = KNOWN_OBJECT_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
        out.add(
          'spc-object-unknown-key',
          w,
          `${spc.ref}: object key "${key}" is unknown; the provider silently ignores it`,
          near ? `rename "${key}" to "${near}" (keys are case-sensitive)` : `remove "${key}"; known keys: ${KNOWN_OBJECT_KEYS.join(', ')}`,
        );
      }
    }
    const name = scalar(o['objectName']);
    if (name === undefined) {
      out.add('spc-object-name-missing', w, `${spc.ref}: array[${i}] has no objectName`, 'set objectName to the Key Vault object name');
    }
    const typeRaw = scalar(o['objectType']);
    const type = (OBJECT_TYPES as readonly string[]).includes(typeRaw ?? '') ? (typeRaw as ObjectType) : undefined;
    if (type === undefined) {
      const lower = typeRaw?.toLowerCase();
      out.add(
        'spc-object-type',
        w,
        `${spc.ref}: array[${i}] has objectType ${show(o['objectType'])}; the provider accepts only secret, key or cert (case-sensitive)`,
        lower && (OBJECT_TYPES as readonly string[]).includes(lower) ? `write objectType: ${lower}` : 'set objectType to secret, key or cert',
      );
    }
    const version = scalar(o['objectVersion']);
    if (version !== undefined) {
      out.add(
        'spc-object-version-pinned',
        w,
        `${spc.ref}: object "${name ?? '?'}" is pinned to version "${version}" and is never rotated`,
        'remove objectVersion to follow the latest version',
      );
    }
    const alias = scalar(o['objectAlias']);
    const file = alias ?? name;
    if (file === undefined) return;
    const problem = fileNameProblem(file);
    if (problem) {
      out.add('spc-file-name-invalid', w, `${spc.ref}: mounted file name "${file}" ${problem}; the provider fails the mount`, `set ${alias !== undefined ? 'objectAlias' : 'objectAlias (the file name)'} to a relative name without ".." and with elements of at most 255 bytes`);
    }
    const first = firstByFile.get(file);
    if (first !== undefined) {
      out.add('spc-file-name-duplicate', w, `${spc.ref}: array[${i}] mounts file "${file}", already mounted by array[${first}]; one overwrites the other`, 'give each object a distinct objectAlias');
    } else {
      firstByFile.set(file, i);
    }
    files.add(file);
    const history = Number(scalar(o['objectVersionHistory']) ?? 1);
    if (Number.isInteger(history) && history > 1) histories.set(file, history);
    for (const f of filesWritten(file, histories.get(file))) written.add(f);
    if (name !== undefined && type !== undefined) objects.push({ name, type, fileName: file, path });
  });
  return { objects, files, written, histories };
}

function analyzeSecretObjects(spc: K8sObject, raw: unknown, mount: Pick<AnalyzedObjects, 'written' | 'histories'>, out: Findings): Set<string> {
  const secrets = new Set<string>();
  list(raw).forEach((entry, i) => {
    const path = `spec.secretObjects[${i}]`;
    const e = rec(entry);
    const secretName = str(e['secretName']);
    if (secretName) secrets.add(secretName);
    const label = secretName ? `secretObjects "${secretName}"` : `secretObjects[${i}]`;
    if (!secretName) {
      out.add('secret-object-malformed', spc.where(`${path}.secretName`), `${spc.ref}: ${label} has no secretName`, 'set secretName to the name of the Kubernetes Secret to create');
    }
    const type = str(e['type']);
    if (!type) {
      out.add('secret-object-type-missing', spc.where(`${path}.type`), `${spc.ref}: ${label} has no type; the driver silently skips it and no Secret is created`, 'set type, e.g. Opaque or kubernetes.io/tls');
    }
    const data = e['data'];
    if (!Array.isArray(data) || data.length === 0) {
      out.add('secret-object-malformed', spc.where(`${path}.data`), `${spc.ref}: ${label} has no data items`, 'add data items of {objectName, key}');
      return;
    }
    const keys: string[] = [];
    data.forEach((item, j) => {
      const d = rec(item);
      const objectName = str(d['objectName']);
      const key = str(d['key']);
      const dw = spc.where(`${path}.data[${j}]`);
      if (!objectName || !key) {
        out.add('secret-object-malformed', dw, `${spc.ref}: ${label} data[${j}] needs both objectName and key`, 'set objectName (a mounted file name) and key (the Secret key)');
      }
      if (key) keys.push(key);
      if (key && !SECRET_KEY_RULE.test(key)) {
        out.add('secret-object-key-invalid', spc.where(`${path}.data[${j}].key`), `${spc.ref}: ${label} data[${j}] has key "${key}", which the API server refuses in a Secret`, SECRET_KEY_RULE.fix);
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
    });
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
  });
  return secrets;
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
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
