/**
 * How much of Key Vault's throttling budget the mounted pods use, per vault and per subscription,
 * across every environment synthesized together.
 *
 * Each mounted pod fetches every object of its SecretProviderClass once per refresh. The refresh
 * period depends on the driver version (lib/csi-driver.ts): every rotation interval on driver
 * ≤ 1.5, never more often than max(interval, 60 s) on driver ≥ 1.6. The driver version is not
 * known at synth time, so the estimate takes the busier one: once per interval.
 *
 * reads per 10 s = Σ over workloads of replicas × Σ over objects of cost × 10 / interval,
 * cost = 1 GET, or for versionHistory n > 1: one version listing + up to n + 1 GETs.
 *
 * Environments that name the same vault (case-insensitively) share its budget; all vaults of one
 * subscription share five times that. At half a limit synth warns; at the limit it refuses.
 */
import { durationSeconds, formatDuration } from './config/duration';
import { deliveredKeys, mountedFileName } from './config/rules';
import type { EnvironmentConfig, KeyVaultObjectConfig } from './config/schema';
import type { ObjectType } from './csi-driver';
import { additionalVault, declaredVaultNames, vaultOfObject } from './config/vault-rules';
import { KEY_VAULT_LIMITS, keyVaultBudgetOf, keyVaultLimit, type KeyVaultBudget } from './azure';
import { REPUBLISH_PERIOD_SECONDS } from './csi-driver';
import type { InputProblem } from './errors';
import type { ConfigWarning, EnvironmentModel } from './model';

/** Share of a limit at which synth warns. */
export const BUDGET_WARN_SHARE = 0.5;
/** Share of a limit at which synth refuses (Key Vault answers 429 beyond it). */
export const BUDGET_ERROR_SHARE = 1;

/** The assumption behind every estimate, said in each message. */
export const LOAD_ASSUMPTION = `every pod fetches every object once per rotation interval, as driver ≤ 1.5 does; driver ≥ 1.6 fetches at most once per max(interval, ${REPUBLISH_PERIOD_SECONDS.min} s)`;

/** What the estimate assumes for the engines that write Secrets, said when an environment uses one. */
export const ENGINE_LOAD_ASSUMPTION =
  'each SecretSync fetches every object of its SecretProviderClass once per engines.secretSync.rotationPollInterval, and each ExternalSecret reads each key once per refreshInterval, whatever the replicas';

const BUDGET_TITLE: Record<KeyVaultBudget, string> = { vault: 'secret and certificate reads', keys: 'key reads' };
const BUDGETS: readonly KeyVaultBudget[] = ['vault', 'keys'];

/**
 * Key Vault transactions one fetch of an object costs. With `versionHistory` n > 1 the Azure
 * provider lists the versions (every page: at least one request) and fetches up to n + 1 of them
 * (its loop stops after appending the (n+1)th).
 * @see Azure/secrets-store-csi-driver-provider-azure pkg/provider/provider.go (resolveObjectVersions, getLatestNKeyVaultObjects)
 * @see Azure/secrets-store-csi-driver-provider-azure pkg/provider/keyvault.go (GetSecretVersions: NewListSecretVersionsPager)
 */
export function fetchCost(o: Pick<KeyVaultObjectConfig, 'versionHistory'>): number {
  const n = o.versionHistory ?? 1;
  return n <= 1 ? 1 : 1 + (n + 1);
}

export type BudgetLoads = Record<KeyVaultBudget, number>;

/** What one workload's pods cost one budget of one vault, per 10 s. */
export interface Contribution {
  readonly environment: EnvironmentModel;
  /** The workload, or `sharedSecrets` for the environment's shared secrets. */
  readonly workload: string;
  /** The vault's name, as the environment writes it. */
  readonly vault: string;
  /** The vault's SKU when the environment creates it; undefined for an existing vault. */
  readonly sku: 'standard' | 'premium' | undefined;
  readonly budget: KeyVaultBudget;
  /** Transactions per 10 s (0 with rotation off). */
  readonly load: number;
}

/** The contributor name of an environment's shared secrets in the table. */
export const SHARED_SECRETS_CONTRIBUTOR = 'sharedSecrets';

type AddLoad = (type: ObjectType, reads: number, intervalSeconds: number) => void;

/** The loads `each` adds, per budget: `reads` per `intervalSeconds` (0 = never) as transactions per 10 s. */
function loadsOf(each: (add: AddLoad) => void): Partial<BudgetLoads> {
  const loads: Partial<BudgetLoads> = {};
  each((type, reads, intervalSeconds) => {
    const budget = keyVaultBudgetOf(type);
    loads[budget] = (loads[budget] ?? 0) + (intervalSeconds > 0 ? (reads * KEY_VAULT_LIMITS.windowSeconds) / intervalSeconds : 0);
  });
  return loads;
}

/**
 * Transactions per 10 s each workload (and the shared secrets) cause, per budget drawn on, by engine:
 * - `csi`: every mounted pod fetches every object once per rotation interval (0 with rotation off);
 * - `secret-sync`: every SecretSync fetches every object of its SecretProviderClass once per the
 *   controller's `--rotation-poll-interval` (`engines.secretSync.rotationPollInterval`; 0 = never),
 *   whatever the replicas;
 * - `external-secrets`: every ExternalSecret reads each of its keys (one GET each, even two JSON
 *   properties of one secret) once per `refreshInterval` (0 = once); a ClusterExternalSecret is one
 *   ExternalSecret per namespace.
 * Changes to the objects (a rollout, a new SecretSync) fetch once more on top.
 * @see kubernetes-sigs/secrets-store-sync-controller internal/controller/secretsync_controller.go (fetchSecretsFromProvider: one MountContent of the whole class)
 * @see external-secrets/external-secrets pkg/controllers/externalsecret/externalsecret_controller_secret.go (getProviderSecretData: GetSecret per spec.data entry)
 */
function workloadLoads(config: EnvironmentConfig): { readonly workload: string; readonly vault: string; readonly loads: Partial<BudgetLoads> }[] {
  const rotation = config.cluster.secretsProvider.rotation;
  const csiInterval = rotation.enabled ? durationSeconds(rotation.interval) : 0;
  const syncInterval = durationSeconds(config.engines.secretSync.rotationPollInterval);
  const main = config.keyVault.name;
  // Several vaults (CSI only): each pod fetches the objects of each vault from that vault, so one entry per vault read.
  const csiByVault = (w: EnvironmentConfig['workloads'][number]) =>
    declaredVaultNames(config)
      .map((vault) => ({ vault, objects: w.objects.filter((o) => (vaultOfObject(config, o) ?? main) === vault) }))
      .filter((x) => x.objects.length > 0)
      .map(({ vault, objects }) => ({
        workload: w.name,
        vault,
        loads: loadsOf((add) => {
          for (const o of objects) add(o.type, w.deployment.replicas * fetchCost(o), csiInterval);
        }),
      }));
  const out = config.workloads.flatMap((w) =>
    w.delivery.engine === 'csi'
      ? csiByVault(w)
      : [
          {
            workload: w.name,
            vault: main,
            loads: loadsOf((add) => {
              const delivery = w.delivery;
              if (delivery.engine === 'secret-sync') {
                // The Secret holding every object, and one SecretSync per secretObjects entry.
                const syncs = 1 + w.secretObjects.length;
                for (const o of w.objects) add(o.type, syncs * fetchCost(o), syncInterval);
              } else if (delivery.engine === 'external-secrets') {
                const interval = durationSeconds(delivery.refreshInterval);
                const byKey = new Map(w.objects.flatMap((o) => deliveredKeys(o).map((k) => [k, o] as const)));
                for (const o of w.objects) add(o.type, deliveredKeys(o).length, interval);
                for (const x of w.secretObjects) for (const d of x.data) add(byKey.get(d.objectName)?.type ?? 'secret', 1, interval);
              }
            }),
          },
        ],
  );
  const shared = config.sharedSecrets;
  if (shared !== undefined) {
    out.push({
      workload: SHARED_SECRETS_CONTRIBUTOR,
      vault: main,
      loads: loadsOf((add) => {
        if (shared.engine === 'external-secrets') {
          const interval = durationSeconds(shared.refreshInterval);
          for (const x of shared.secrets) for (const o of x.objects) add(o.type, x.namespaces.length * deliveredKeys(o).length, interval);
          return;
        }
        // Per namespace, each SecretSync fetches every object of that namespace's class.
        for (const ns of new Set(shared.secrets.flatMap((x) => x.namespaces))) {
          const here = shared.secrets.filter((x) => x.namespaces.includes(ns));
          const objects = new Map(here.flatMap((x) => x.objects.map((o) => [mountedFileName(o), o] as const)));
          for (const o of objects.values()) add(o.type, here.length * fetchCost(o), syncInterval);
        }
      }),
    });
  }
  return out;
}

/** The loads of each workload of an environment, per vault and budget it draws on (0 with rotation off). */
export function contributionsOf(model: EnvironmentModel): Contribution[] {
  const { keyVault } = model.config;
  const skuOfVault = (vault: string): 'standard' | 'premium' | undefined => {
    const v = vault === keyVault.name ? keyVault : additionalVault(model.config, vault);
    return v?.mode === 'create' ? v.sku : undefined;
  };
  return workloadLoads(model.config).flatMap(({ workload, vault, loads }) =>
    BUDGETS.flatMap((budget) => {
      const load = loads[budget];
      return load === undefined ? [] : [{ environment: model, workload, vault, sku: skuOfVault(vault), budget, load }];
    }),
  );
}

/** Transactions per 10 s one environment causes in each budget of its vault. */
export function environmentLoad(config: EnvironmentConfig): BudgetLoads {
  const total: BudgetLoads = { vault: 0, keys: 0 };
  for (const { loads } of workloadLoads(config)) for (const budget of BUDGETS) total[budget] += loads[budget] ?? 0;
  return total;
}

/** Whether an environment uses an engine other than the CSI mount, whose intervals the fix must name too. */
function usesSecretEngines(config: EnvironmentConfig): boolean {
  return config.sharedSecrets !== undefined || config.workloads.some((w) => w.delivery.engine !== 'csi');
}

export interface BudgetShare {
  readonly budget: KeyVaultBudget;
  /** Transactions per 10 s. */
  readonly load: number;
  /** Transactions per 10 s Key Vault allows. */
  readonly limit: number;
  readonly share: number;
}

export interface SharedLoad {
  /** `vault` (one vault, per region) or `subscription` (all its vaults). */
  readonly scope: 'vault' | 'subscription';
  /** The vault name (as the first environment writes it), or `subscription <id>`. */
  readonly name: string;
  /** The environments drawing on it, by name. */
  readonly environments: readonly EnvironmentModel[];
  readonly shares: readonly BudgetShare[];
  /** What each workload adds, per budget. */
  readonly contributions: readonly Contribution[];
}

function sharesOf(contributions: readonly Contribution[], limit: (b: KeyVaultBudget) => number): BudgetShare[] {
  return BUDGETS.map((budget) => {
    const load = contributions.filter((c) => c.budget === budget).reduce((n, c) => n + c.load, 0);
    const max = limit(budget);
    return { budget, load, limit: max, share: load / max };
  });
}

/** The SKU of a shared vault: known when one of the environments creates it. */
function skuOf(contributions: readonly Contribution[]): 'standard' | 'premium' | undefined {
  return contributions.find((c) => c.sku !== undefined)?.sku;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): T[][] {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

/** The environments of some contributions, once each, by name. */
function environmentsOf(contributions: readonly Contribution[]): EnvironmentModel[] {
  return [...new Set(contributions.map((c) => c.environment))].sort((a, b) => a.name.localeCompare(b.name));
}

/** The load on each vault (environments grouped by vault name, case-insensitively) and on each subscription. */
export function sharedLoads(models: readonly EnvironmentModel[]): SharedLoad[] {
  const all = [...models].sort((a, b) => a.name.localeCompare(b.name)).flatMap(contributionsOf);
  const vaults = groupBy(all, (c) => c.vault.toLowerCase()).map((group): SharedLoad => {
    const sku = skuOf(group);
    return {
      scope: 'vault',
      name: group[0].vault,
      environments: environmentsOf(group),
      shares: sharesOf(group, (b) => keyVaultLimit(b, sku)),
      contributions: group,
    };
  });
  const subscriptions = groupBy(all, (c) => c.environment.config.azure.subscriptionId?.toLowerCase() ?? '').map((group): SharedLoad => {
    const skus = groupBy(group, (c) => c.vault.toLowerCase()).map(skuOf);
    const sku = skus.every((s) => s === 'standard') ? 'standard' : undefined;
    const subscriptionId = group[0].environment.config.azure.subscriptionId;
    return {
      scope: 'subscription',
      name: subscriptionId !== undefined ? `subscription ${subscriptionId}` : "the Azure CLI's current subscription",
      environments: environmentsOf(group),
      shares: sharesOf(group, (b) => keyVaultLimit(b, sku) * KEY_VAULT_LIMITS.subscriptionFactor),
      contributions: group,
    };
  });
  return [...vaults, ...subscriptions];
}

/** How many contributors a row of the budget table names. */
export const TOP_CONTRIBUTORS = 3;

/** A workload's part of a row's load. */
export interface BudgetContributor {
  readonly environment: string;
  readonly workload: string;
  readonly requestsPerSecond: number;
  /** Share of the row's load (not of the limit). */
  readonly shareOfLoad: number;
}

/** One row of the budget table: one budget of one vault (or of a subscription's vaults). */
export interface BudgetRow {
  readonly scope: 'vault' | 'subscription';
  /** The vault name, or `subscription <id>`. */
  readonly name: string;
  readonly environments: readonly string[];
  readonly budget: KeyVaultBudget;
  /** `secret and certificate reads` or `key reads`. */
  readonly title: string;
  /** Estimated requests per second (the load per 10 s window / 10). */
  readonly requestsPerSecond: number;
  /** Key Vault's documented limit, per second (the 10 s limit / 10). */
  readonly limitPerSecond: number;
  /** requestsPerSecond / limitPerSecond. */
  readonly share: number;
  /** `ok` below half the limit, `warning` from half (synth warns), `error` at the limit (synth refuses). */
  readonly level: 'ok' | 'warning' | 'error';
  /** The largest contributors, largest first. */
  readonly top: readonly BudgetContributor[];
}

/** Rounded for JSON and tables (requests per second to 3 decimals, shares to 4), so output stays short and stable. */
function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/** The largest contributors to one budget of a shared load, largest first (ties by environment and workload). */
function topContributors(load: SharedLoad, s: BudgetShare): BudgetContributor[] {
  const window = KEY_VAULT_LIMITS.windowSeconds;
  const byWorkload = groupBy(
    load.contributions.filter((c) => c.budget === s.budget && c.load > 0),
    (c) => `${c.environment.name}\u0000${c.workload}`,
  ).map((g) => ({ environment: g[0].environment.name, workload: g[0].workload, load: g.reduce((n, c) => n + c.load, 0) }));
  return byWorkload
    .sort((a, b) => b.load - a.load || a.environment.localeCompare(b.environment) || a.workload.localeCompare(b.workload))
    .slice(0, TOP_CONTRIBUTORS)
    .map((c) => ({ environment: c.environment, workload: c.workload, requestsPerSecond: round(c.load / window, 3), shareOfLoad: round(c.load / s.load, 4) }));
}

/**
 * The request budget as a table: for each vault (and each subscription's vaults together) and
 * each budget drawn on, the estimated requests per second, the documented limit, the share and
 * the top contributors. The secret and certificate row is always there; the key row only when
 * a workload mounts a key.
 */
export function budgetTable(models: readonly EnvironmentModel[]): BudgetRow[] {
  const window = KEY_VAULT_LIMITS.windowSeconds;
  return sharedLoads(models).flatMap((load) =>
    load.shares
      .filter((s) => s.budget === 'vault' || load.contributions.some((c) => c.budget === s.budget))
      .map((s): BudgetRow => ({
        scope: load.scope,
        name: load.name,
        environments: load.environments.map((m) => m.name),
        budget: s.budget,
        title: BUDGET_TITLE[s.budget],
        requestsPerSecond: round(s.load / window, 3),
        limitPerSecond: s.limit / window,
        share: round(s.share, 4),
        level: s.share >= BUDGET_ERROR_SHARE ? 'error' : s.share >= BUDGET_WARN_SHARE ? 'warning' : 'ok',
        top: topContributors(load, s),
      })),
  );
}

export interface BudgetVerdict {
  /** Warnings to add to each environment, by environment name. */
  readonly warnings: ReadonlyMap<string, readonly ConfigWarning[]>;
  /** Loads at or over a limit: synth refuses (exit 2). */
  readonly problems: readonly InputProblem[];
}

const INTERVAL_PATH = 'cluster.secretsProvider.rotation.interval';

function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function describe(load: SharedLoad, s: BudgetShare): string {
  const who =
    load.environments.length === 1
      ? `the pods of environment ${load.environments[0].name}`
      : `the pods of environments ${load.environments.map((m) => m.name).join(', ')} together`;
  const where = load.scope === 'vault' ? `Key Vault "${load.name}"` : `the vaults of ${load.name}`;
  const limit = load.scope === 'vault' ? 'per vault and region' : `per subscription (${KEY_VAULT_LIMITS.subscriptionFactor} × the per-vault limit)`;
  const engines = load.environments.some((m) => usesSecretEngines(m.config)) ? `; ${ENGINE_LOAD_ASSUMPTION}` : '';
  return `${who} would make about ${thousands(s.load)} ${BUDGET_TITLE[s.budget]} per 10 s from ${where}: ${percent(s.share)} of the ${thousands(s.limit)} Key Vault allows ${limit} (assuming ${LOAD_ASSUMPTION}${engines})`;
}

/** The rotation interval at which the load falls below the warning share, for each environment (every interval scaled alike). */
function fixOf(load: SharedLoad, share: number): string {
  const factor = share / BUDGET_WARN_SHARE;
  const intervals = load.environments
    .filter((m) => m.config.cluster.secretsProvider.rotation.enabled)
    .map((m) => `${load.environments.length > 1 ? `${m.name} ` : ''}${formatDuration(Math.floor(m.rotationIntervalSeconds * factor) + 1)}`);
  const split =
    load.environments.length > 1 && load.scope === 'vault' ? ', or give each environment its own vault' : ', or spread the objects over more vaults';
  const engines = load.environments.some((m) => usesSecretEngines(m.config))
    ? ', or lengthen the refreshInterval of the external-secrets engine and engines.secretSync.rotationPollInterval'
    : '';
  return `lengthen ${INTERVAL_PATH} to ${intervals.join(', ')} or more, or mount fewer objects or replicas${engines}${split} (Key Vault answers HTTP 429 beyond its limit: mounts and rotations fail)`;
}

/** Warnings at half a limit and refusals at the limit, for every vault and subscription the models use. */
export function requestBudget(models: readonly EnvironmentModel[]): BudgetVerdict {
  const warnings = new Map<string, ConfigWarning[]>();
  const problems: InputProblem[] = [];
  for (const load of sharedLoads(models)) {
    const worst = [...load.shares].sort((a, b) => b.share - a.share)[0];
    if (worst.share >= BUDGET_ERROR_SHARE) {
      const files = load.environments.map((m) => m.file).join(', ');
      const single = load.environments.length === 1 ? load.environments[0].config.cluster.secretsProvider.rotation.interval : undefined;
      problems.push({
        file: files,
        path: INTERVAL_PATH,
        ...(single !== undefined ? { received: JSON.stringify(single) } : {}),
        message: `${describe(load, worst)}: ${fixOf(load, worst.share)}`,
      });
    } else if (worst.share >= BUDGET_WARN_SHARE) {
      for (const m of load.environments) {
        const warning: ConfigWarning = { code: 'polling-load', path: INTERVAL_PATH, message: `${describe(load, worst)}: ${fixOf(load, worst.share)}` };
        warnings.set(m.name, [...(warnings.get(m.name) ?? []), warning]);
      }
    }
  }
  return { warnings, problems };
}
