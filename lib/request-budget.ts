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
import type { EnvironmentConfig, KeyVaultObjectConfig } from './config/schema';
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

/** Transactions per 10 s the pods of one environment cause in each budget of its vault (0 with rotation off). */
export function environmentLoad(config: EnvironmentConfig): BudgetLoads {
  const load: BudgetLoads = { vault: 0, keys: 0 };
  const rotation = config.cluster.secretsProvider.rotation;
  if (!rotation.enabled) return load;
  const perWindow = KEY_VAULT_LIMITS.windowSeconds / durationSeconds(rotation.interval);
  for (const w of config.workloads) {
    for (const o of w.objects) load[keyVaultBudgetOf(o.type)] += w.deployment.replicas * fetchCost(o) * perWindow;
  }
  return load;
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
}

function sharesOf(loads: readonly BudgetLoads[], limit: (b: KeyVaultBudget) => number): BudgetShare[] {
  return BUDGETS.map((budget) => {
    const load = loads.reduce((n, l) => n + l[budget], 0);
    const max = limit(budget);
    return { budget, load, limit: max, share: load / max };
  });
}

/** The SKU of a shared vault: known when one of the environments creates it. */
function skuOf(models: readonly EnvironmentModel[]): 'standard' | 'premium' | undefined {
  for (const m of models) if (m.config.keyVault.mode === 'create') return m.config.keyVault.sku;
  return undefined;
}

function groupBy<K>(models: readonly EnvironmentModel[], key: (m: EnvironmentModel) => K): EnvironmentModel[][] {
  const groups = new Map<K, EnvironmentModel[]>();
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) groups.set(key(m), [...(groups.get(key(m)) ?? []), m]);
  return [...groups.values()];
}

/** The load on each vault (environments grouped by vault name, case-insensitively) and on each subscription. */
export function sharedLoads(models: readonly EnvironmentModel[]): SharedLoad[] {
  const vaults = groupBy(models, (m) => m.config.keyVault.name.toLowerCase()).map((group): SharedLoad => {
    const sku = skuOf(group);
    return {
      scope: 'vault',
      name: group[0].config.keyVault.name,
      environments: group,
      shares: sharesOf(
        group.map((m) => environmentLoad(m.config)),
        (b) => keyVaultLimit(b, sku),
      ),
    };
  });
  const subscriptions = groupBy(models, (m) => m.config.azure.subscriptionId?.toLowerCase() ?? '').map((group): SharedLoad => {
    const skus = groupBy(group, (m) => m.config.keyVault.name.toLowerCase()).map(skuOf);
    const sku = skus.every((s) => s === 'standard') ? 'standard' : undefined;
    return {
      scope: 'subscription',
      name:
        group[0].config.azure.subscriptionId !== undefined ? `subscription ${group[0].config.azure.subscriptionId}` : "the Azure CLI's current subscription",
      environments: group,
      shares: sharesOf(
        group.map((m) => environmentLoad(m.config)),
        (b) => keyVaultLimit(b, sku) * KEY_VAULT_LIMITS.subscriptionFactor,
      ),
    };
  });
  return [...vaults, ...subscriptions];
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
  return `${who} would make about ${thousands(s.load)} ${BUDGET_TITLE[s.budget]} per 10 s from ${where}: ${percent(s.share)} of the ${thousands(s.limit)} Key Vault allows ${limit} (assuming ${LOAD_ASSUMPTION})`;
}

/** The rotation interval at which the load falls below the warning share, for each environment (every interval scaled alike). */
function fixOf(load: SharedLoad, share: number): string {
  const factor = share / BUDGET_WARN_SHARE;
  const intervals = load.environments
    .filter((m) => m.config.cluster.secretsProvider.rotation.enabled)
    .map((m) => `${load.environments.length > 1 ? `${m.name} ` : ''}${formatDuration(Math.floor(m.rotationIntervalSeconds * factor) + 1)}`);
  const split =
    load.environments.length > 1 && load.scope === 'vault' ? ', or give each environment its own vault' : ', or spread the objects over more vaults';
  return `lengthen ${INTERVAL_PATH} to ${intervals.join(', ')} or more, or mount fewer objects or replicas${split} (Key Vault answers HTTP 429 beyond its limit: mounts and rotations fail)`;
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
