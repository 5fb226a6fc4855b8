/**
 * Several vaults (`additionalVaults`, `objects[].vault`): which vault an object is in, and the
 * rules that span the vault list and the workloads that read it. Registered in
 * `lib/config/rules.ts`; the single-field rules (the vault name) are in the schema.
 */
import { MOUNT_PATHS_APART_RULE } from '../kubernetes';
import { defaultAdditionalVaultMountPath, secretProviderClassName } from '../naming';
import type { AdditionalVaultConfig, EnvironmentConfig } from './schema';
// Type-only: rules.ts registers these rules, so a value import would be a cycle.
import type { RuleViolation } from './rules';

type WorkloadInput = EnvironmentConfig['workloads'][number];

/** The declared vaults: the environment's own first, then `additionalVaults` in file order. */
export function declaredVaultNames(env: Pick<EnvironmentConfig, 'keyVault' | 'additionalVaults'>): string[] {
  return [env.keyVault.name, ...(env.additionalVaults ?? []).map((v) => v.name)];
}

/**
 * The declared name of the vault an object is in: `keyVault.name` when `vault` is unset, else the
 * declared vault it names (vault names are case-insensitive), else undefined (an unknown vault:
 * a rule below reports it).
 */
export function vaultOfObject(env: Pick<EnvironmentConfig, 'keyVault' | 'additionalVaults'>, o: { readonly vault?: string | undefined }): string | undefined {
  if (o.vault === undefined) return env.keyVault.name;
  const lower = o.vault.toLowerCase();
  return declaredVaultNames(env).find((n) => n.toLowerCase() === lower);
}

/** The additional vault of a declared name, or undefined for the environment's own. */
export function additionalVault(env: Pick<EnvironmentConfig, 'additionalVaults'>, name: string): AdditionalVaultConfig | undefined {
  return (env.additionalVaults ?? []).find((v) => v.name.toLowerCase() === name.toLowerCase());
}

/** Where a workload mounts an additional vault: its `mountPath`, else `/mnt/secrets-store-<name>`. */
export function additionalVaultMountPath(v: Pick<AdditionalVaultConfig, 'name' | 'mountPath'>): string {
  return v.mountPath ?? defaultAdditionalVaultMountPath(v.name);
}

/** The additional vaults a workload reads, in `additionalVaults` order (declared names). */
export function additionalVaultsRead(env: Pick<EnvironmentConfig, 'keyVault' | 'additionalVaults'>, w: Pick<WorkloadInput, 'objects'>): string[] {
  const read = new Set(w.objects.map((o) => vaultOfObject(env, o)));
  return (env.additionalVaults ?? []).map((v) => v.name).filter((n) => read.has(n));
}

/** The additional SecretProviderClass names of a workload, for the rendered-file rule. */
export function additionalSecretProviderClasses(env: EnvironmentConfig, w: WorkloadInput): string[] {
  return additionalVaultsRead(env, w).map((v) => `${secretProviderClassName(w.name)}-${v.toLowerCase()}`);
}

/** Every rule on several vaults, in the order their violations are reported. */
export function vaultRules(env: EnvironmentConfig): RuleViolation[] {
  return [
    ...vaultNamesDistinct(env),
    ...additionalVaultReachable(env),
    ...objectVaultsDeclared(env),
    ...severalVaultsCsiOnly(env),
    ...environmentVaultRead(env),
    ...mountPathsApart(env),
    ...syncedSecretOneVault(env),
  ];
}

/** Vault names are global DNS names, case-insensitive: each declared once. */
function vaultNamesDistinct(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const seen = new Map<string, string>([[env.keyVault.name.toLowerCase(), 'keyVault.name']]);
  (env.additionalVaults ?? []).forEach((v, k) => {
    const first = seen.get(v.name.toLowerCase());
    if (first !== undefined) {
      out.push({
        path: ['additionalVaults', k, 'name'],
        received: v.name,
        message: `vault "${v.name}" is already declared by ${first} (vault names are case-insensitive): declare each vault once and point objects at it with objects[].vault`,
      });
    } else {
      seen.set(v.name.toLowerCase(), `additionalVaults[${k}].name`);
    }
  });
  return out;
}

/**
 * A created additional vault keeps its public endpoint: only the environment's vault has a
 * private endpoint (keyVault.privateEndpoint), so without public access nothing reaches it.
 */
function additionalVaultReachable(env: EnvironmentConfig): RuleViolation[] {
  return (env.additionalVaults ?? []).flatMap((v, k): RuleViolation[] =>
    v.mode === 'create' && !v.publicNetworkAccess
      ? [
          {
            path: ['additionalVaults', k, 'publicNetworkAccess'],
            received: false,
            message: `vault "${v.name}" would have no way in: additional vaults get no private endpoint yet (only keyVault.privateEndpoint), so keep publicNetworkAccess: true and close the firewall with networkAcls (defaultAction: Deny; the node subnet is let in)`,
          },
        ]
      : [],
  );
}

/** Each `objects[].vault` names a declared vault. */
function objectVaultsDeclared(env: EnvironmentConfig): RuleViolation[] {
  const known = declaredVaultNames(env)
    .map((n) => JSON.stringify(n))
    .join(', ');
  const out: RuleViolation[] = [];
  env.workloads.forEach((w, i) =>
    w.objects.forEach((o, j) => {
      if (o.vault !== undefined && vaultOfObject(env, o) === undefined) {
        out.push({
          path: ['workloads', i, 'objects', j, 'vault'],
          received: o.vault,
          message: `no vault "${o.vault}" is declared: use one of ${known} (keyVault.name or additionalVaults[].name), or add it to additionalVaults`,
        });
      }
    }),
  );
  return out;
}

/**
 * Several vaults are rendered as one SecretProviderClass and CSI volume per vault: the engines
 * that write a Secret (one SecretStore or SecretProviderClass per workload) read the
 * environment's vault only, for now. So do the shared secrets.
 */
function severalVaultsCsiOnly(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const main = env.keyVault.name;
  env.workloads.forEach((w, i) => {
    if (w.delivery.engine === 'csi') return;
    w.objects.forEach((o, j) => {
      const vault = vaultOfObject(env, o);
      if (vault !== undefined && vault !== main) {
        out.push({
          path: ['workloads', i, 'objects', j, 'vault'],
          received: o.vault,
          message: `objects[].vault is for delivery engine "csi" only for now (one SecretProviderClass and CSI volume per vault); engine "${w.delivery.engine}" reads keyVault "${main}" only: remove vault, or set delivery.engine: csi`,
        });
      }
    });
  });
  env.sharedSecrets?.secrets.forEach((x, j) =>
    x.objects.forEach((o, k) => {
      if (o.vault !== undefined && o.vault.toLowerCase() !== main.toLowerCase()) {
        out.push({
          path: ['sharedSecrets', 'secrets', j, 'objects', k, 'vault'],
          received: o.vault,
          message: `shared secrets read keyVault "${main}" only for now (objects[].vault is for workloads with delivery engine "csi"): remove vault`,
        });
      }
    }),
  );
  return out;
}

/**
 * A workload reads at least one object of the environment's vault: its SecretProviderClass
 * (`<workload>-keyvault`, at deployment.mountPath) is the one every other link names (Reloader,
 * the check, verify). A workload that reads only other vaults is not supported yet.
 */
function environmentVaultRead(env: EnvironmentConfig): RuleViolation[] {
  const main = env.keyVault.name;
  const out: RuleViolation[] = [];
  env.workloads.forEach((w, i) => {
    const vaults = w.objects.map((o) => vaultOfObject(env, o));
    if (vaults.length === 0 || vaults.some((v) => v === undefined) || vaults.includes(main)) return;
    out.push({
      path: ['workloads', i, 'objects'],
      message: `workload "${w.name}" reads no object of keyVault "${main}": a workload mounts the environment's vault at deployment.mountPath and other vaults beside it; move one object to keyVault (remove its vault), or make the vault it reads the environment's keyVault`,
    });
  });
  return out;
}

/**
 * The mounts of one pod apart: each vault a workload reads at a path of its own, none inside
 * another (the kubelet would mount one volume over the other's files).
 */
function mountPathsApart(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const reported = new Set<string>();
  env.workloads.forEach((w) => {
    const mounts = [
      { what: 'deployment.mountPath', path: w.deployment.mountPath, k: -1 },
      ...additionalVaultsRead(env, w).map((name) => {
        const k = (env.additionalVaults ?? []).findIndex((v) => v.name === name);
        return { what: `the mount of vault "${name}"`, path: additionalVaultMountPath(env.additionalVaults![k]), k };
      }),
    ];
    mounts.forEach((m, a) => {
      if (m.k < 0) return;
      const clash = mounts.slice(0, a).find((o) => !MOUNT_PATHS_APART_RULE.test({ a: o.path, b: m.path }));
      if (clash === undefined || reported.has(`${m.k}/${clash.path}`)) return;
      reported.add(`${m.k}/${clash.path}`);
      out.push({
        path: ['additionalVaults', m.k, 'mountPath'],
        received: m.path,
        message: `workload "${w.name}" would mount this vault at ${m.path}, ${m.path === clash.path ? 'the path of' : 'nested with'} ${clash.what} ${clash.path}: ${MOUNT_PATHS_APART_RULE.fix}`,
      });
    });
  });
  return out;
}

/** A synced Secret comes from one SecretProviderClass, so from the files of one vault. */
function syncedSecretOneVault(env: EnvironmentConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  env.workloads.forEach((w, i) => {
    if (w.delivery.engine !== 'csi' || additionalVaultsRead(env, w).length === 0) return;
    const vaultOfFile = (file: string) => {
      const top = file.replace(/\/[0-9]+$/, '');
      const o = w.objects.find((x) => (x.alias ?? x.name) === top);
      return o !== undefined ? vaultOfObject(env, o) : undefined;
    };
    w.secretObjects.forEach((s, j) => {
      const first = s.data.map((d) => vaultOfFile(d.objectName)).find((v) => v !== undefined);
      s.data.forEach((d, k) => {
        const vault = vaultOfFile(d.objectName);
        if (vault === undefined || first === undefined || vault === first) return;
        out.push({
          path: ['workloads', i, 'secretObjects', j, 'data', k, 'objectName'],
          received: d.objectName,
          message: `"${d.objectName}" is in vault "${vault}" but this Secret's first key comes from vault "${first}": a synced Secret comes from one SecretProviderClass (one vault); split it into one secretObjects entry per vault`,
        });
      });
    });
  });
  return out;
}
