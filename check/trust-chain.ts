/**
 * The trust-chain check: from synthesized files only (Terraform JSON, rendered manifests and,
 * optionally, the outputs file) prove that each workload mounting Key Vault objects can get a
 * token (ServiceAccount ↔ federated credential ↔ identity ↔ SPC clientID), may read what it
 * mounts (role assignments), and sees rotated values (add-on rotation, mount shape).
 */
import { OUTPUT_NAME, OutputsContractSchema, type OutputsContract } from '../lib/outputs/contract';
import { mismatchedVaultUri } from '../lib/outputs/load';
import { Findings, at, type Finding } from './finding';
import type { RuleId } from './rules';
import { ManifestIndex, podSpecOf, type K8sObject } from './manifests';
import { checkMonitoring } from './monitoring';
import { analyzeSecretProviderClass, type MountedObject, type SpcInfo } from './secret-provider-class';
import { TerraformIndex, parseRef, type TfBlock } from './terraform';
import { isRecord, list, rec, show, str, type Json } from './values';
import { checkExternalSecrets } from './external-secrets';
import { checkSecretSyncs } from './secret-sync';
import { checkNetworkPath } from './network-path';
import {
  CLIENT_ID_ANNOTATION,
  keyVaultObjectScopePath,
  keyVaultScopeSegment,
  leastPrivilegeRole,
  MAX_FEDERATED_CREDENTIALS_PER_IDENTITY,
  roleAssignmentKey,
  roleReads,
  serviceAccountSubject,
  serviceAccountSubjectPrefix,
  WORKLOAD_IDENTITY_AUDIENCE,
} from '../lib/azure';
import { CSI_DRIVER } from '../lib/csi-driver';

/** What `loadSynthesized` reads; tests and other pipelines may build it in memory. */
export interface SynthesizedInput {
  readonly terraform: { readonly file: string; readonly json: unknown };
  /**
   * Rendered manifests. None (an environment not deployed yet: no outputs, so nothing rendered)
   * checks the Terraform side alone: no workload can be matched, so credentials are not
   * reported unused and rotation is checked on every cluster.
   */
  readonly manifests: readonly { readonly file: string; readonly objects: readonly unknown[] }[];
  /** The outputs contract (already unwrapped from the cdktf or `terraform output -json` envelope). */
  readonly outputs?: { readonly file: string; readonly contract: unknown };
}

/** Key of the shared secrets' entry among the output entries (never a workload name: those are DNS labels). */
const SHARED_SECRETS_KEY = 'sharedSecrets';

const T = {
  identity: 'azurerm_user_assigned_identity',
  credential: 'azurerm_federated_identity_credential',
  roleAssignment: 'azurerm_role_assignment',
  cluster: 'azurerm_kubernetes_cluster',
  vault: 'azurerm_key_vault',
} as const;

export interface Credential {
  readonly block: TfBlock;
  readonly subject: string | undefined;
  /** Address of the identity (`azurerm_user_assigned_identity.x`) when parent_id references its id. */
  readonly identity: string | undefined;
  /** Address of the cluster whose `oidc_issuer_url` the issuer references. */
  readonly cluster: string | undefined;
}

/** The outputs file, read and accepted as this stack's. */
export interface ReadOutputs {
  readonly file: string;
  readonly contract: OutputsContract;
}

/** What every link's check reads: the two indexes, the findings, and what the stack declares. */
export interface Chain {
  readonly tf: TerraformIndex;
  readonly mf: ManifestIndex;
  readonly out: Findings;
  /** The outputs file, when one was given and it is this stack's. */
  readonly outputs: ReadOutputs | undefined;
  /** Path of the contract output in the Terraform JSON, when the stack has it. */
  readonly outputPath: string | undefined;
  /** `workloads` of the contract output (Terraform references). */
  readonly outputWorkloads: Json;
  /** `sharedSecrets` of the contract output (Terraform references), when the stack has shared secrets. */
  readonly outputSharedSecrets: Json | undefined;
  readonly vaults: readonly TfBlock[];
  readonly credentials: readonly Credential[];
  readonly roleAssignments: readonly TfBlock[];
  /** Each SecretProviderClass's reading, analyzed (and reported) once. */
  readonly analyze: (spc: K8sObject) => SpcInfo;
}

export function checkTrustChain(input: SynthesizedInput): Finding[] {
  const out = new Findings();
  const tf = new TerraformIndex(input.terraform.file, input.terraform.json);
  const mf = new ManifestIndex(input.manifests);
  const tfOutput = tf.output(OUTPUT_NAME);
  const outputs = checkStackOutput(tf, readOutputs(input.outputs, out), out);
  const vaults = tf.ofType(T.vault);
  const credentials = tf.ofType(T.credential, { data: false }).map((b) => checkCredential(tf, b, out));
  checkCredentialsPerIdentity(tf, credentials, out);
  const roleAssignments = tf.ofType(T.roleAssignment, { data: false });
  for (const ra of roleAssignments) checkRoleAssignment(tf, ra, out);
  checkDuplicateRoleAssignments(tf, roleAssignments, out);
  checkNetworkPath(tf, out);

  if (outputs && tfOutput) checkOutputIdentities(tf, { path: tfOutput.path, value: tfOutput.value }, outputs, out);

  const spcContext = { vaultNames: literalVaultNames(vaults), vaultTenants: literalVaultTenants(vaults), outputs };
  const analyze = memoize((spc: K8sObject) => analyzeSecretProviderClass(spc, spcContext, out));
  const chain: Chain = {
    tf,
    mf,
    out,
    outputs,
    outputPath: tfOutput?.path,
    outputWorkloads: rec(rec(tfOutput?.value)['workloads']),
    outputSharedSecrets: isRecord(rec(tfOutput?.value)['sharedSecrets']) ? rec(rec(tfOutput?.value)['sharedSecrets']) : undefined,
    vaults,
    credentials,
    roleAssignments,
    analyze,
  };

  checkMonitoring(mf, out);
  const usedSubjects = new Set<string>();
  const clusters = new Set<string>();
  const chains = [
    ...mf.objects.map((workload) => checkWorkload(chain, workload)),
    // The engines that write Secrets: their chain starts at the object that reads Key Vault.
    ...checkSecretSyncs(chain),
    ...checkExternalSecrets(chain),
  ];
  for (const trusted of chains) {
    if (trusted === undefined) continue;
    usedSubjects.add(trusted.subject);
    for (const c of trusted.clusters) clusters.add(c);
  }

  const terraformOnly = input.manifests.length === 0;
  for (const c of terraformOnly ? [] : credentials) {
    if (c.subject !== undefined && !usedSubjects.has(c.subject)) {
      out.add(
        'federated-credential-unused',
        tf.where(`${c.block.path}.subject`),
        `federated credential ${c.block.address} trusts "${c.subject}", but no workload in the manifests mounts a secrets-store volume as that ServiceAccount, and no SecretSync or External Secrets store reads Key Vault as it`,
        'remove the credential, or fix its subject to system:serviceaccount:<namespace>:<serviceaccount> of the workload it is for',
      );
    }
  }

  // Rotation: the clusters the workloads' credentials trust, else every cluster in the stack.
  const checked =
    clusters.size > 0
      ? [...clusters]
          .sort()
          .map((a) => tf.get(a))
          .filter((b): b is TfBlock => b !== undefined)
      : usedSubjects.size > 0 || terraformOnly
        ? tf.ofType(T.cluster)
        : [];
  for (const cluster of checked) {
    checkClusterIdentity(tf, cluster, out);
    checkRotation(tf, cluster, out);
  }

  return out.sorted();
}

/**
 * The outputs file, unless the stack is another environment's (reported); reports a stack
 * without the contract output.
 */
function checkStackOutput(tf: TerraformIndex, outputs: ReadOutputs | undefined, out: Findings): ReadOutputs | undefined {
  const tfOutput = tf.output(OUTPUT_NAME);
  const stackEnvironment = str(rec(tfOutput?.value)['environment']);
  let accepted = outputs;
  if (outputs && stackEnvironment !== undefined && !stackEnvironment.includes('${') && outputs.contract.environment !== stackEnvironment) {
    out.add(
      'outputs-contract-invalid',
      at(outputs.file, `${OUTPUT_NAME}.environment`),
      `${outputs.file} holds the outputs of environment "${outputs.contract.environment}", but ${tf.file} is environment "${stackEnvironment}"; client id, tenant and vault cannot be compared against it`,
      `pass the outputs file of environment "${stackEnvironment}"`,
    );
    accepted = undefined;
  }
  if (!tfOutput) {
    out.add(
      'output-missing',
      tf.where('output'),
      `${tf.file} has no output "${OUTPUT_NAME}": the chart cannot learn client ids, tenant or vault`,
      `synthesize the stack with this project's version, which writes output "${OUTPUT_NAME}"`,
    );
  }
  return accepted;
}

/**
 * Each workload of the outputs file uses the identity the stack assigns it. The stack writes the
 * identity name of each workload as literal text; an outputs file exported before a workload
 * moved to another identity (a shared identity split at 20 federated credentials, then a workload
 * removed or reordered) still carries the old identity's client id, which the chart would render.
 */
function checkOutputIdentities(tf: TerraformIndex, tfOutput: { path: string; value: unknown }, outputs: ReadOutputs, out: Findings): void {
  const stackWorkloads = rec(rec(tfOutput.value)['workloads']);
  for (const [key, entry] of Object.entries(outputs.contract.workloads).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const assigned = str(rec(stackWorkloads[key])['identityName']);
    if (assigned === undefined || assigned.includes('${') || assigned === entry.identityName) continue;
    out.add(
      'outputs-identity-stale',
      at(outputs.file, `${OUTPUT_NAME}.workloads.${key}.identityName`),
      `${outputs.file}: workloads.${key}.identityName is "${entry.identityName}" but ${tf.file} assigns workload "${key}" to identity "${assigned}": the rendered client id belongs to the old identity, whose federated credential the next apply removes`,
      `deploy the stack and export its outputs again ("cdktf deploy --outputs-file" or "terraform output -json"), then render`,
    );
  }
}

/** Names of the stack's vaults that are literal text (not Terraform references). */
function literalVaultNames(vaults: readonly TfBlock[]): string[] {
  return vaults.map((v) => str(v.body['name'])).filter((n): n is string => n !== undefined && !n.includes('${'));
}

/** Literal `tenant_id` of each vault with a literal name, by lower-case name. */
function literalVaultTenants(vaults: readonly TfBlock[]): Map<string, string> {
  const tenants = new Map<string, string>();
  for (const v of vaults) {
    const name = str(v.body['name']);
    const tenant = str(v.body['tenant_id']);
    if (name && tenant && !name.includes('${') && !tenant.includes('${')) tenants.set(name.toLowerCase(), tenant);
  }
  return tenants;
}

function memoize<K, V>(f: (key: K) => V): (key: K) => V {
  const done = new Map<K, V>();
  return (key) => {
    if (!done.has(key)) done.set(key, f(key));
    return done.get(key)!;
  };
}

/**
 * A workload that mounts a secrets-store volume, for the checks of its links; the engine checks
 * (check/secret-sync.ts, check/external-secrets.ts) use it for the object that reads Key Vault
 * as a ServiceAccount (a SecretSync, a store), with no containers.
 */
export interface WorkloadLink {
  readonly chain: Chain;
  readonly workload: K8sObject;
  /** Path of the pod spec in the workload. */
  readonly podPath: string;
  readonly ns: string;
  /** The ServiceAccount the pods run as, and where the pod spec names it. */
  readonly saName: string;
  readonly saPath: string;
  readonly sa: K8sObject | undefined;
  readonly containers: readonly Container[];
}

interface Container {
  readonly c: Json;
  /** `<pod path>.containers[i]` (or `initContainers[i]`). */
  readonly path: string;
}

/**
 * The trust chain of one workload: ServiceAccount, volumes and their SecretProviderClasses,
 * then subject → credential → identity → client id → roles. Returns the subject it runs as and
 * the clusters its credentials trust, or undefined when it mounts no secrets-store volume.
 */
function checkWorkload(chain: Chain, workload: K8sObject): { subject: string; clusters: string[] } | undefined {
  const pod = podSpecOf(workload);
  if (!pod) return undefined;
  const volumes = list(pod.spec['volumes'])
    .map((v, i) => ({ v: rec(v), i }))
    .filter(({ v }) => rec(v['csi'])['driver'] === CSI_DRIVER);
  if (volumes.length === 0) return undefined;

  const saName = str(pod.spec['serviceAccountName']) ?? str(pod.spec['serviceAccount']) ?? 'default';
  const saPath = `${pod.path}.serviceAccountName`;
  const containers = [
    ...list(pod.spec['initContainers']).map((c, i) => ({ c: rec(c), path: `${pod.path}.initContainers[${i}]` })),
    ...list(pod.spec['containers']).map((c, i) => ({ c: rec(c), path: `${pod.path}.containers[${i}]` })),
  ];
  const link: WorkloadLink = {
    chain,
    workload,
    podPath: pod.path,
    ns: workload.namespace,
    saName,
    saPath,
    sa: findServiceAccount(chain, { workload, saName, saPath }),
    containers,
  };

  const mounted: SpcInfo[] = [];
  for (const { v, i } of volumes) {
    const spc = checkVolume(link, v, i);
    if (spc) mounted.push(chain.analyze(spc));
  }
  checkEnvFromSyncedSecrets(link);

  // Trust chain: subject → credential → identity → client id → roles.
  const subject = serviceAccountSubject(link.ns, saName);
  const matched = checkFederation(link, subject);
  const identities = [...new Set(matched.map((c) => c.identity).filter((a): a is string => a !== undefined))].sort();
  const annotation = checkClientIdAnnotation(link);
  const expected = checkOutputChain(link, identities);
  checkClientIds({ sa: link.sa, annotation, spcs: mounted, expected }, chain.out);
  if (identities.length > 0) checkRoles(chain, identities, mounted);
  return { subject, clusters: matched.flatMap((c) => (c.cluster ? [c.cluster] : [])) };
}

/** The ServiceAccount the pods run as, in their namespace; reported when it is not rendered. */
export function findServiceAccount(
  { mf, out }: Chain,
  {
    workload,
    saName,
    saPath,
    namespace,
    verb = 'runs as',
  }: {
    workload: K8sObject;
    saName: string;
    saPath: string;
    /** Where the ServiceAccount must be. @default - the workload's namespace */
    namespace?: string;
    /** How the object uses it, for the message. @default 'runs as' */
    verb?: string;
  },
): K8sObject | undefined {
  const ns = namespace ?? workload.namespace;
  const sa = mf.find('ServiceAccount', ns, saName);
  if (!sa) {
    const elsewhere = mf
      .ofKind('ServiceAccount')
      .filter((s) => s.name === saName)
      .map((s) => s.namespace);
    const inNs = mf
      .ofKind('ServiceAccount')
      .filter((s) => s.namespace === ns)
      .map((s) => s.name);
    out.add(
      'service-account-missing',
      workload.where(saPath),
      `${workload.ref} ${verb} ServiceAccount "${saName}", which is not in namespace "${ns}"${elsewhere.length ? ` (found in ${elsewhere.join(', ')})` : ''}${inNs.length ? `; ServiceAccounts in "${ns}": ${inNs.join(', ')}` : ''}`,
      `set ${saPath} to the workload's ServiceAccount, or render ServiceAccount "${saName}" in namespace "${ns}"`,
    );
  }
  return sa;
}

/** The federated credentials whose subject is the workload's; reported when there is none. */
export function checkFederation({ chain, workload, ns, sa, saPath }: WorkloadLink, subject: string): Credential[] {
  const { tf, credentials, out } = chain;
  const matched = credentials.filter((c) => c.subject === subject);
  if (matched.length === 0) {
    const sameNs = credentials.map((c) => c.subject).filter((s): s is string => s?.startsWith(serviceAccountSubjectPrefix(ns)) ?? false);
    out.add(
      'federated-credential-missing',
      sa ? sa.where('metadata.name') : workload.where(saPath),
      `no federated credential in ${tf.file} has subject "${subject}", so ${workload.ref} cannot get an Azure token (AADSTS70021)${sameNs.length ? `; credentials for namespace "${ns}": ${sameNs.map((s) => `"${s}"`).join(', ')}` : ''}`,
      `make the ServiceAccount name and the credential subject agree (re-synthesize both from one config, or fix ${saPath})`,
    );
  }
  return matched;
}

/** The ServiceAccount's client-id annotation; reported when the ServiceAccount has none. */
export function checkClientIdAnnotation({ chain, sa }: WorkloadLink, delivery = 'mount'): string | undefined {
  const annotation = sa ? str(rec(rec(sa.body['metadata'])['annotations'])[CLIENT_ID_ANNOTATION])?.trim() : undefined;
  if (sa && !annotation) {
    chain.out.add(
      'service-account-client-id-missing',
      sa.where(`metadata.annotations["${CLIENT_ID_ANNOTATION}"]`),
      `${sa.ref} has no ${CLIENT_ID_ANNOTATION} annotation: the ${delivery} works (the provider uses the SPC clientID) but the app's own Azure SDK calls will not`,
      `annotate the ServiceAccount with ${CLIENT_ID_ANNOTATION}: <the identity's client id>`,
    );
  }
  return annotation;
}

function readOutputs(o: SynthesizedInput['outputs'], out: Findings): ReadOutputs | undefined {
  if (!o) return undefined;
  const parsed = OutputsContractSchema.safeParse(o.contract);
  if (parsed.success) {
    const expectedUri = mismatchedVaultUri(parsed.data);
    if (expectedUri !== undefined) {
      const { name, uri } = parsed.data.keyVault;
      out.add(
        'outputs-keyvault-uri',
        at(o.file, `${OUTPUT_NAME}.keyVault.uri`),
        `${o.file}: keyVault.uri ${JSON.stringify(uri)} is not the URI of vault "${name}" in ${parsed.data.cloudName} (${expectedUri}): Key Vault clients (the rotation test among them) would reach another vault`,
        'pass the outputs file written for this stack ("cdktf deploy --outputs-file" or "terraform output -json"), or fix keyVault.uri or keyVault.name so they name one vault',
      );
    }
    return { file: o.file, contract: parsed.data };
  }
  for (const issue of parsed.error.issues.slice(0, 10)) {
    const path = issue.path
      .map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`))
      .join('')
      .replace(/^\./, '');
    out.add(
      'outputs-contract-invalid',
      at(o.file, `${OUTPUT_NAME}${path ? `.${path}` : ''}`),
      `${o.file}: ${issue.message}; client id, tenant and vault cannot be compared against it`,
      'pass the file written by "cdktf deploy --outputs-file" or "terraform output -json" for this environment',
    );
  }
  return undefined;
}

function checkCredential(tf: TerraformIndex, b: TfBlock, out: Findings): Credential {
  const issuer = b.body['issuer'];
  const issuerRef = parseRef(issuer);
  let cluster: string | undefined;
  if (issuerRef && issuerRef.type === T.cluster && issuerRef.attr === 'oidc_issuer_url' && issuerRef.suffix === '') {
    cluster = issuerRef.address;
  } else if (typeof issuer === 'string' && !issuer.includes('${')) {
    out.add(
      'federated-credential-issuer',
      tf.where(`${b.path}.issuer`),
      `${b.address} has the literal issuer "${issuer}"; a literal drifts from the cluster's issuer (a missing trailing slash is enough to fail every token exchange with AADSTS70021)`,
      `set issuer to the cluster's oidc_issuer_url: "\${${T.cluster}.<cluster>.oidc_issuer_url}" (or the data source's)`,
    );
  } else {
    out.add(
      'federated-credential-issuer',
      tf.where(`${b.path}.issuer`),
      `${b.address} has issuer ${show(issuer)}, which is not a reference to a cluster's oidc_issuer_url`,
      `set issuer to "\${${T.cluster}.<cluster>.oidc_issuer_url}" (or the data source's)`,
    );
  }

  const audience = b.body['audience'];
  if (!Array.isArray(audience) || audience.length !== 1 || audience[0] !== WORKLOAD_IDENTITY_AUDIENCE) {
    out.add(
      'federated-credential-audience',
      tf.where(`${b.path}.audience`),
      `${b.address} has audience ${show(audience)}; workload identity tokens carry exactly "${WORKLOAD_IDENTITY_AUDIENCE}"`,
      `set audience to ["${WORKLOAD_IDENTITY_AUDIENCE}"]`,
    );
  }

  const parentRef = parseRef(b.body['parent_id']);
  let identity: string | undefined;
  if (parentRef && parentRef.type === T.identity && parentRef.attr === 'id' && parentRef.suffix === '') {
    identity = parentRef.address;
  } else {
    out.add(
      'federated-credential-parent',
      tf.where(`${b.path}.parent_id`),
      `${b.address} has parent_id ${show(b.body['parent_id'])}, not a reference to a user-assigned identity's id; the check cannot tell which client id it trusts`,
      `set parent_id to "\${${T.identity}.<identity>.id}"`,
    );
  }
  return { block: b, subject: str(b.body['subject']), identity, cluster };
}

function checkCredentialsPerIdentity(tf: TerraformIndex, credentials: readonly Credential[], out: Findings): void {
  const byIdentity = new Map<string, Credential[]>();
  for (const c of credentials) {
    if (!c.identity) continue;
    byIdentity.set(c.identity, [...(byIdentity.get(c.identity) ?? []), c]);
  }
  for (const [identity, creds] of [...byIdentity].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const where = tf.get(identity) ? tf.where(tf.get(identity)!.path) : tf.where(`${creds[0].block.path}.parent_id`);
    if (creds.length > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
      out.add(
        'federated-credential-limit',
        where,
        `${identity} holds ${creds.length} federated credentials; Azure allows at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity`,
        'give workloads their own identities (identity.mode: per-workload) or split them across identities',
      );
    }
    const unordered = creds.length > 1 ? firstUnorderedPair(creds) : undefined;
    if (unordered !== undefined) {
      const [a, b] = unordered;
      out.add(
        'federated-credentials-not-serialized',
        where,
        `${identity} has ${creds.length} federated credentials that Terraform may create in parallel (e.g. ${a} and ${b}); Azure rejects concurrent credential writes on one identity with 409`,
        'chain the credentials of one identity with depends_on, each on the previous one',
      );
    }
  }
}

/** The first two credentials (by address, in order) neither of which depends on the other through depends_on. */
function firstUnorderedPair(creds: readonly Credential[]): readonly [string, string] | undefined {
  const deps = new Map(creds.map((c) => [c.block.address, TerraformIndex.dependsOn(c.block.body)]));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const cur = stack.pop()!;
      for (const d of deps.get(cur) ?? []) {
        if (d === to) return true;
        if (!seen.has(d)) {
          seen.add(d);
          stack.push(d);
        }
      }
    }
    return false;
  };
  const addrs = creds.map((c) => c.block.address);
  for (const [i, a] of addrs.entries()) {
    const b = addrs.slice(i + 1).find((x) => !reaches(a, x) && !reaches(x, a));
    if (b !== undefined) return [a, b];
  }
  return undefined;
}

function checkRoleAssignment(tf: TerraformIndex, ra: TfBlock, out: Findings): void {
  const ref = parseRef(ra.body['principal_id']);
  if (ref && ref.type === T.identity && ref.attr === 'client_id') {
    out.add(
      'role-assignment-client-id',
      tf.where(`${ra.path}.principal_id`),
      `${ra.address} assigns the role to ${ref.address}.client_id; principal_id must be the identity's principal_id (object id), so this grants nothing to the identity and mounts fail with 403`,
      `set principal_id to "\${${ref.address}.principal_id}"`,
    );
  }
  if (ref && ref.type === T.identity && ra.body['principal_type'] !== 'ServicePrincipal') {
    out.add(
      'role-assignment-principal-type',
      tf.where(`${ra.path}.principal_type`),
      `${ra.address} has principal_type ${show(ra.body['principal_type'])}; a managed identity is a ServicePrincipal, and without it a fresh identity can fail with PrincipalNotFound`,
      'set principal_type = "ServicePrincipal"',
    );
  }
  if (ra.body['role_definition_name'] === 'Key Vault Administrator') {
    out.add(
      'role-administrator',
      tf.where(`${ra.path}.role_definition_name`),
      `${ra.address} grants Key Vault Administrator: every data-plane operation (write, delete, purge), where the CSI mount needs only read`,
      'grant Key Vault Secrets User for secret objects and Key Vault Certificate User for cert and key objects',
    );
  }
}

/**
 * Two assignments of one role to one principal at one scope are one assignment for Azure, which
 * refuses the second with 409 RoleAssignmentExists; Key Vault object names in the scope compare
 * case-insensitively.
 */
function checkDuplicateRoleAssignments(tf: TerraformIndex, roleAssignments: readonly TfBlock[], out: Findings): void {
  const seen = new Map<string, TfBlock>();
  for (const ra of roleAssignments) {
    const principal = str(ra.body['principal_id']);
    const role = str(ra.body['role_definition_name']) ?? str(ra.body['role_definition_id']);
    const scope = str(ra.body['scope']);
    if (principal === undefined || role === undefined || scope === undefined) continue;
    const ref = parseRef(scope);
    // A reference names a resource exactly; a literal id (GUID) compares case-insensitively.
    const key = roleAssignmentKey({
      principal: parseRef(principal) ? principal : principal.toLowerCase(),
      role,
      scopeBase: ref ? `\${${ref.address}.${ref.attr}}` : '',
      scopePath: ref ? ref.suffix : scope,
    });
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, ra);
      continue;
    }
    out.add(
      'role-assignment-duplicate',
      tf.where(`${ra.path}.scope`),
      `${ra.address} assigns "${role}" to the same principal at the same scope as ${first.address} (Key Vault object names compare case-insensitively); Azure refuses the second with 409 RoleAssignmentExists and the apply stops`,
      `remove ${ra.address}: one assignment per principal, role and scope`,
    );
  }
}

/**
 * Volume attributes that are not a SecretProviderClass parameter but look like a setting, by
 * name, with why they do not work and how to fix it; any other attribute is forwarded to the
 * provider and overrides the SecretProviderClass parameter of the same name.
 */
const MISPLACED_VOLUME_ATTRIBUTES: Readonly<Record<string, { readonly rule: RuleId; readonly why: string; readonly fix: string }>> = {
  rotationPollInterval: {
    rule: 'csi-volume-rotation-poll-interval',
    why: "rotationPollInterval is not a volume attribute and does nothing; the poll interval is the add-on's setting",
    fix: 'remove it and set secret_rotation_interval on the cluster (cluster.secretsProvider.rotation.interval)',
  },
};

/** One secrets-store volume: read-only, its attributes, its mounts. Returns its SecretProviderClass when rendered. */
function checkVolume(link: WorkloadLink, v: Json, i: number): K8sObject | undefined {
  const { workload, chain } = link;
  const out = chain.out;
  const vpath = `${link.podPath}.volumes[${i}]`;
  const name = str(v['name']) ?? '';
  const csi = rec(v['csi']);
  if (csi['readOnly'] !== true) {
    out.add(
      'csi-volume-not-read-only',
      workload.where(`${vpath}.csi.readOnly`),
      `${workload.ref}: CSI volume "${name}" has readOnly ${show(csi['readOnly'])}; the driver rejects the mount ("Readonly is not true in request")`,
      `set ${vpath}.csi.readOnly: true`,
    );
  }
  const attrs = rec(csi['volumeAttributes']);
  checkVolumeAttributes(link, vpath, attrs);
  checkVolumeMounts(link, vpath, name);
  return volumeSecretProviderClass(link, { vpath, name, spcName: str(attrs['secretProviderClass']) });
}

function checkVolumeAttributes({ workload, chain }: WorkloadLink, vpath: string, attrs: Json): void {
  for (const key of Object.keys(attrs).sort()) {
    if (key === 'secretProviderClass') continue;
    const misplaced = Object.hasOwn(MISPLACED_VOLUME_ATTRIBUTES, key) ? MISPLACED_VOLUME_ATTRIBUTES[key] : undefined;
    if (misplaced) {
      chain.out.add(misplaced.rule, workload.where(`${vpath}.csi.volumeAttributes.${key}`), `${workload.ref}: ${misplaced.why}`, misplaced.fix);
    } else {
      chain.out.add(
        'csi-volume-extra-attribute',
        workload.where(`${vpath}.csi.volumeAttributes.${key}`),
        `${workload.ref}: volume attribute "${key}" is forwarded to the provider and overrides the SecretProviderClass parameter of the same name`,
        `remove volumeAttributes.${key} and set it in the SecretProviderClass`,
      );
    }
  }
}

/** Every container mount of the volume read-only and whole (a subPath mount is never rotated); at least one. */
function checkVolumeMounts({ workload, chain, containers }: WorkloadLink, vpath: string, name: string): void {
  const out = chain.out;
  let mountCount = 0;
  for (const { c, path } of containers) {
    list(c['volumeMounts']).forEach((m, j) => {
      const mount = rec(m);
      if (mount['name'] !== name) return;
      mountCount++;
      const mpath = `${path}.volumeMounts[${j}]`;
      const container = str(c['name']) ?? path;
      if (mount['readOnly'] !== true) {
        out.add(
          'csi-mount-not-read-only',
          workload.where(`${mpath}.readOnly`),
          `${workload.ref}: container "${container}" mounts CSI volume "${name}" without readOnly: true`,
          `set ${mpath}.readOnly: true`,
        );
      }
      for (const key of ['subPath', 'subPathExpr'] as const) {
        if (mount[key] !== undefined && mount[key] !== '') {
          out.add(
            'csi-mount-sub-path',
            workload.where(`${mpath}.${key}`),
            `${workload.ref}: container "${container}" mounts CSI volume "${name}" with ${key}; a subPath mount is never rotated`,
            `remove ${key}: mount the whole volume and read the file inside it`,
          );
        }
      }
    });
  }
  if (mountCount === 0) {
    out.add(
      'csi-volume-not-mounted',
      workload.where(vpath),
      `${workload.ref}: no container mounts CSI volume "${name}"`,
      'add a read-only volumeMount of it to the container that reads the secrets, or remove the volume',
    );
  }
}

/** The SecretProviderClass the volume names, in the pod's namespace; reported when it is not there. */
function volumeSecretProviderClass(
  { workload, chain }: WorkloadLink,
  { vpath, name, spcName }: { vpath: string; name: string; spcName: string | undefined },
): K8sObject | undefined {
  const { mf, out } = chain;
  if (!spcName) {
    out.add(
      'secret-provider-class-missing',
      workload.where(`${vpath}.csi.volumeAttributes.secretProviderClass`),
      `${workload.ref}: CSI volume "${name}" names no secretProviderClass`,
      'set volumeAttributes.secretProviderClass to the SecretProviderClass name',
    );
    return undefined;
  }
  const spc = mf.find('SecretProviderClass', workload.namespace, spcName);
  if (!spc) {
    const elsewhere = mf
      .ofKind('SecretProviderClass')
      .filter((s) => s.name === spcName)
      .map((s) => s.namespace);
    out.add(
      'secret-provider-class-missing',
      workload.where(`${vpath}.csi.volumeAttributes.secretProviderClass`),
      `${workload.ref}: SecretProviderClass "${spcName}" is not in namespace "${workload.namespace}"${elsewhere.length ? ` (found in ${elsewhere.join(', ')}; it must be in the pod's namespace)` : ''}; pods fail with FailedMount`,
      `render SecretProviderClass "${spcName}" in namespace "${workload.namespace}", or fix volumeAttributes.secretProviderClass`,
    );
  }
  return spc;
}

/** Environment variables read from a synced Secret, which do not change on rotation (unless Reloader restarts the pods). */
function checkEnvFromSyncedSecrets({ workload, containers, chain }: WorkloadLink): void {
  const { mf, out } = chain;
  const synced = new Set(
    mf
      .ofKind('SecretProviderClass')
      .filter((s) => s.namespace === workload.namespace)
      .flatMap((s) => list(rec(s.body['spec'])['secretObjects']).map((e) => str(rec(e)['secretName'])))
      .filter((n): n is string => n !== undefined),
  );
  if (synced.size === 0) return;
  const annotations = rec(rec(workload.body['metadata'])['annotations']);
  const reloader = Object.entries(annotations).some(
    ([k, v]) => k.endsWith('reloader.stakater.com/reload') || (k.endsWith('reloader.stakater.com/auto') && String(v) === 'true'),
  );
  if (reloader) return;
  const warn = (path: string, container: string, what: string, secret: string) =>
    out.add(
      'env-from-synced-secret',
      workload.where(path),
      `${workload.ref}: container "${container}" ${what} synced Secret "${secret}"; environment variables do not change on rotation until the pod restarts`,
      `read the mounted file instead, or annotate the workload with secretproviderclass.reloader.stakater.com/reload (Stakater Reloader restarts it on change)`,
    );
  for (const { c, path } of containers) {
    const container = str(c['name']) ?? path;
    list(c['env']).forEach((e, j) => {
      const name = str(rec(rec(rec(e)['valueFrom'])['secretKeyRef'])['name']);
      if (name && synced.has(name)) warn(`${path}.env[${j}].valueFrom.secretKeyRef`, container, `reads ${str(rec(e)['name']) ?? 'a variable'} from`, name);
    });
    list(c['envFrom']).forEach((e, j) => {
      const name = str(rec(rec(e)['secretRef'])['name']);
      if (name && synced.has(name)) warn(`${path}.envFrom[${j}].secretRef`, container, 'loads environment variables from', name);
    });
  }
}

/**
 * Follows identity → Terraform output entry → outputs-file value. Returns the client id the
 * ServiceAccount and SPC must carry when the outputs file says so.
 */
export function checkOutputChain(
  { chain, workload, ns, saName: sa }: WorkloadLink,
  identities: readonly string[],
): { value: string; source: string } | undefined {
  const { tf, outputPath, outputWorkloads: tfWorkloads, outputs, out } = chain;
  // Without a trusted identity (already reported) there is nothing to trace.
  if (identities.length === 0) return undefined;
  const entries = [
    ...Object.entries(tfWorkloads).map(([key, e]) => ({ key, e: rec(e), ref: parseRef(rec(e)['clientId']), namespaces: [rec(e)['namespace']] })),
    // The shared secrets' identity: one entry, its ServiceAccount federated in several namespaces.
    ...(chain.outputSharedSecrets !== undefined
      ? [
          {
            key: SHARED_SECRETS_KEY,
            e: chain.outputSharedSecrets,
            ref: parseRef(chain.outputSharedSecrets['clientId']),
            namespaces: list(chain.outputSharedSecrets['namespaces']),
          },
        ]
      : []),
  ];
  const forIdentity = entries.filter((x) => x.ref && x.ref.attr === 'client_id' && x.ref.suffix === '' && identities.includes(x.ref.address));
  const forWorkload = entries.find((x) => x.namespaces.includes(ns) && x.e['serviceAccount'] === sa);

  if (outputPath) {
    if (forWorkload && !forIdentity.includes(forWorkload)) {
      out.add(
        'output-client-id',
        tf.where(`${outputPath}.${forWorkload.key === SHARED_SECRETS_KEY ? SHARED_SECRETS_KEY : `workloads.${forWorkload.key}`}.clientId`),
        `output ${forWorkload.key === SHARED_SECRETS_KEY ? 'entry' : 'workload'} "${forWorkload.key}" (${ns}/${sa}) has clientId ${show(forWorkload.e['clientId'])}, but the identity trusted for that ServiceAccount is ${identities.join(', ')}`,
        `set clientId to "\${${identities[0]}.client_id}"`,
      );
    } else if (forIdentity.length === 0) {
      out.add(
        'output-client-id',
        tf.where(`${outputPath}.workloads`),
        `no workload entry of output "${OUTPUT_NAME}" has a clientId referencing ${identities.map((a) => `${a}.client_id`).join(' or ')}, the identity ${workload.ref} federates with`,
        `add a workloads entry for ${ns}/${sa} with clientId "\${${identities[0]}.client_id}"`,
      );
    }
  }
  if (!outputs) return undefined;

  const keys = forWorkload && forIdentity.includes(forWorkload) ? [forWorkload.key] : forIdentity.map((x) => x.key);
  const shared = outputs.contract.sharedSecrets;
  for (const key of keys) {
    if (key === SHARED_SECRETS_KEY && shared) return { value: shared.clientId, source: `${outputs.file} (sharedSecrets.clientId)` };
    const w = Object.hasOwn(outputs.contract.workloads, key) ? outputs.contract.workloads[key] : undefined;
    if (w) return { value: w.clientId, source: `${outputs.file} (workloads.${key}.clientId)` };
  }
  const byName = Object.entries(outputs.contract.workloads).find(([, w]) => w.namespace === ns && w.serviceAccount === sa);
  if (byName) return { value: byName[1].clientId, source: `${outputs.file} (workloads.${byName[0]}.clientId)` };
  if (shared && shared.serviceAccount === sa && shared.namespaces.includes(ns))
    return { value: shared.clientId, source: `${outputs.file} (sharedSecrets.clientId)` };
  out.add(
    'client-id-mismatch',
    at(outputs.file, `${OUTPUT_NAME}.workloads`),
    `${outputs.file} has no workload entry for ${ns}/${sa}${keys.length ? ` (looked for ${keys.join(', ')})` : ''}: the outputs file is from another deployment or stale`,
    'deploy again and pass the outputs file it writes',
  );
  return undefined;
}

/** The client ids a workload's ServiceAccount and SecretProviderClasses carry, and the one they should. */
export interface ClientIds {
  readonly sa: K8sObject | undefined;
  /** The ServiceAccount's client-id annotation. */
  readonly annotation: string | undefined;
  readonly spcs: readonly SpcInfo[];
  /** The identity's client id per the outputs file, when known. */
  readonly expected: { value: string; source: string } | undefined;
}

export function checkClientIds({ sa, annotation, spcs, expected }: ClientIds, out: Findings): void {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (expected) {
    if (sa && annotation && !same(annotation, expected.value)) {
      out.add(
        'client-id-mismatch',
        sa.where(`metadata.annotations["${CLIENT_ID_ANNOTATION}"]`),
        `${sa.ref} is annotated with client id ${annotation}, but the identity's client id is ${expected.value} per ${expected.source}`,
        `set the annotation to ${expected.value} (re-render with the current outputs)`,
      );
    }
    for (const spc of spcs) {
      if (spc.clientId && !same(spc.clientId, expected.value)) {
        out.add(
          'client-id-mismatch',
          spc.object.where('spec.parameters.clientID'),
          `${spc.object.ref} has clientID ${spc.clientId}, but the identity's client id is ${expected.value} per ${expected.source}; the token exchange fails`,
          `set spec.parameters.clientID: ${expected.value} (re-render with the current outputs)`,
        );
      }
    }
    return;
  }
  if (!sa || !annotation) return;
  for (const spc of spcs) {
    if (spc.clientId && !same(spc.clientId, annotation)) {
      out.add(
        'client-id-mismatch',
        spc.object.where('spec.parameters.clientID'),
        `${spc.object.ref} has clientID ${spc.clientId}, but ${sa.ref} is annotated with ${annotation}; the provider uses the SPC's`,
        'render both from the same Terraform output (pass the outputs file to the check to know which is right)',
      );
    }
  }
}

/** Each mounted object readable by a role assignment of the workload's identities on its vault. */
/**
 * What reads Key Vault objects with an identity: a SecretProviderClass (mounted, or synced by a
 * SecretSync), or an ExternalSecret through its store. `use` says how, for the message.
 */
export interface KeyVaultReader extends Pick<SpcInfo, 'object' | 'keyvaultName'> {
  readonly objects: readonly Pick<MountedObject, 'name' | 'type' | 'path'>[];
  /** @default 'mounted by' */
  readonly use?: string;
}

export function checkRoles({ tf, roleAssignments, vaults, out }: Chain, identities: readonly string[], spcs: readonly KeyVaultReader[]): void {
  for (const spc of spcs) {
    const named = vaults.filter(
      (v) => typeof v.body['name'] === 'string' && spc.keyvaultName !== undefined && v.body['name'].toLowerCase() === spc.keyvaultName.toLowerCase(),
    );
    const vaultAddresses = new Set((named.length > 0 ? named : vaults).map((v) => v.address));
    const grants = roleAssignments
      .map((ra) => ({ ra, principal: parseRef(ra.body['principal_id']), scope: parseRef(ra.body['scope']), role: str(ra.body['role_definition_name']) }))
      .filter((g) => g.principal && g.principal.attr === 'principal_id' && g.principal.suffix === '' && identities.includes(g.principal.address))
      .filter((g) => g.scope && g.scope.attr === 'id' && vaultAddresses.has(g.scope.address));
    const seen = new Set<string>();
    for (const o of spc.objects) {
      const key = `${o.type}/${o.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!grants.some((g) => covers(g.role, g.scope!.suffix, o))) {
        const vault = [...vaultAddresses][0] ?? `${T.vault}.<vault>`;
        out.add(
          'role-assignment-missing',
          spc.object.where(o.path),
          `${identities.join(', ')} has no role assignment in ${tf.file} that lets it read ${o.type} "${o.name}" (${spc.use ?? 'mounted by'} ${spc.object.ref}); ${spc.use === undefined ? 'the mount fails' : 'Key Vault answers'} with 403`,
          `assign "${leastPrivilegeRole(o.type)}" to "\${${identities[0]}.principal_id}" at scope "\${${vault}.id}" or "\${${vault}.id}/${keyVaultScopeSegment(o.type)}/${o.name}"`,
        );
      }
    }
  }
}

function covers(role: string | undefined, scopeSuffix: string, o: Pick<MountedObject, 'name' | 'type'>): boolean {
  if (!role || !roleReads(role, o.type)) return false;
  if (scopeSuffix === '') return true;
  return scopeSuffix.toLowerCase() === keyVaultObjectScopePath(o).toLowerCase();
}

/**
 * A created cluster with Workload Identity or the OIDC issuer off cannot issue tokens that Entra
 * ID federates: every token exchange fails (AADSTS70021) and no mount gets a secret. azurerm
 * 4.55 defaults `workload_identity_enabled` to false and leaves `oidc_issuer_enabled` unset, so
 * only `true` counts.
 */
function checkClusterIdentity(tf: TerraformIndex, cluster: TfBlock, out: Findings): void {
  if (cluster.data) return;
  const checks = [
    [
      'oidc_issuer_enabled',
      'cluster-oidc-issuer-disabled',
      'the OIDC issuer is off, so the cluster publishes no issuer that Entra ID can verify service-account tokens against',
      'cluster.oidcIssuer: true',
    ],
    [
      'workload_identity_enabled',
      'cluster-workload-identity-disabled',
      'Workload Identity is off, so pods get no projected token for Entra ID',
      'cluster.workloadIdentity: true',
    ],
  ] as const;
  for (const [attribute, rule, why, field] of checks) {
    const value = cluster.body[attribute];
    if (value === true) continue;
    const state = value === undefined ? `no ${attribute} (so it is off)` : `${attribute} ${show(value)}`;
    out.add(
      rule,
      tf.where(`${cluster.path}.${attribute}`),
      `${cluster.address} has ${state}: ${why}; every token exchange fails (AADSTS70021) and no mount gets a secret`,
      `set ${attribute} = true (${field})`,
    );
  }
}

function checkRotation(tf: TerraformIndex, cluster: TfBlock, out: Findings): void {
  if (cluster.data) {
    out.add(
      'rotation-unverifiable',
      tf.where(cluster.path),
      `${cluster.address} is an existing cluster read from a data source: whether its Key Vault secrets provider rotates cannot be verified offline`,
      `check with "az aks show -n <cluster> -g <group> --query addonProfiles.azureKeyvaultSecretsProvider.config" that enableSecretRotation is "true"`,
    );
    return;
  }
  const addon = TerraformIndex.nested(cluster.body, 'key_vault_secrets_provider');
  if (!addon) {
    out.add(
      'secrets-provider-addon-missing',
      tf.where(`${cluster.path}.key_vault_secrets_provider`),
      `${cluster.address} has no key_vault_secrets_provider block: the Secrets Store CSI driver is not installed and every mount fails`,
      'enable the add-on: key_vault_secrets_provider { secret_rotation_enabled = true }',
    );
    return;
  }
  if (addon['secret_rotation_enabled'] !== true) {
    out.add(
      'rotation-disabled',
      tf.where(`${cluster.path}.key_vault_secrets_provider.secret_rotation_enabled`),
      `${cluster.address} has secret_rotation_enabled ${show(addon['secret_rotation_enabled'])}: mounted files keep the version read at pod start until the pod restarts`,
      'set secret_rotation_enabled = true (cluster.secretsProvider.rotation.enabled: true)',
    );
  }
}
