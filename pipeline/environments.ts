/**
 * Finding and loading environments: the one place that maps "which environments" (all, named,
 * or a file from anywhere) to validated models. Every entry point (main.ts for the cdktf and
 * cdk8s CLIs, and our own CLI) goes through here, so they cannot disagree.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { NAME_SCOPES, type NamedResourceKind } from '../lib/azure';
import { ENVIRONMENTS_DIR, loadEnvironment, positionInFile } from '../lib/config/load';
import { display, formatPath, UserError, type InputProblem } from '../lib/errors';
import { createdNames, deriveEnvironment, type EnvironmentModel, type NameClaim } from '../lib/model';
import { requestBudget } from '../lib/request-budget';
import { fleetProblems } from './fleet';

export interface EnvironmentSelection {
  /** Environment names to load from `environments/<name>.yaml`. @default - every environment file */
  readonly names?: readonly string[];
  /** One environment file from any path (its base name is the environment name). */
  readonly configFile?: string;
  /** Folder of environment files. @default environments */
  readonly dir?: string;
}

/** Environment files in `dir`: `<name>.yaml`, sorted by name. */
export function environmentFiles(dir: string = ENVIRONMENTS_DIR): string[] {
  if (!existsSync(dir)) {
    throw UserError.of(dir, '', 'no environments folder: run from the project root, or create one with "aks-keyvault-csi init NAME"');
  }
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Loads and validates every selected environment before anything is written, collecting the
 * problems of all files into one error so a user sees everything at once. Environments loaded
 * together are also checked together against Key Vault's request limits.
 */
export function loadEnvironments(selection: EnvironmentSelection = {}): EnvironmentModel[] {
  const dir = selection.dir ?? ENVIRONMENTS_DIR;
  let files: string[];
  if (selection.configFile !== undefined) {
    if (selection.names !== undefined && selection.names.length > 0) {
      throw UserError.of('command line', '--config', 'use either --config FILE or --env NAME, not both');
    }
    files = [selection.configFile];
  } else if (selection.names !== undefined && selection.names.length > 0) {
    const available = environmentFiles(dir);
    files = [...new Set(selection.names)].map((name) => {
      const file = available.find((f) => path.basename(f).replace(/\.ya?ml$/, '') === name);
      if (file === undefined) {
        const known = available.map((f) => path.basename(f).replace(/\.ya?ml$/, '')).join(', ');
        throw UserError.of(
          'command line',
          '--env',
          `no environment "${name}" in ${dir}/: use one of ${known || '(none)'}, or create it with "aks-keyvault-csi init ${name}"`,
          name,
        );
      }
      return file;
    });
  } else {
    files = environmentFiles(dir);
    if (files.length === 0) {
      throw UserError.of(dir, '', 'no environment files (<name>.yaml): create one with "aks-keyvault-csi init NAME"');
    }
  }

  const problems: InputProblem[] = [];
  const models: EnvironmentModel[] = [];
  for (const file of files) {
    try {
      const env = loadEnvironment(file);
      models.push(deriveEnvironment(env.name, env.file, env.config));
    } catch (e) {
      if (e instanceof UserError) problems.push(...e.problems);
      else throw e;
    }
  }
  problems.push(...sharedNameProblems(models));
  problems.push(...fleetProblems(models));
  if (problems.length > 0) throw new UserError(problems);
  return withinRequestBudget(models);
}

/**
 * Key Vault's throttling limits across the environments loaded together (lib/request-budget.ts):
 * at half a limit each environment concerned gets a warning; at the limit nothing is synthesized.
 */
function withinRequestBudget(models: readonly EnvironmentModel[]): EnvironmentModel[] {
  const verdict = requestBudget(models);
  if (verdict.problems.length > 0) throw new UserError(verdict.problems);
  return models.map((m) => {
    const extra = verdict.warnings.get(m.name);
    return extra === undefined ? m : { ...m, warnings: [...m.warnings, ...extra] };
  });
}

/** Why two claims of one name collide, by where Azure needs the name to be unique. */
const SCOPE_WORDING: Record<(typeof NAME_SCOPES)[NamedResourceKind], (c: NameClaim) => string> = {
  cloud: () => 'names are global',
  subscription: () => 'names are unique per subscription',
  'resource group': (c) => `names are unique per resource group ("${c.resourceGroup ?? ''}")`,
};

/** Both in one subscription, as far as the files tell: unless both name a subscription and they differ. */
function sameSubscription(a: NameClaim, b: NameClaim): boolean {
  return a.subscriptionId === undefined || b.subscriptionId === undefined || a.subscriptionId.toLowerCase() === b.subscriptionId.toLowerCase();
}

function collide(a: NameClaim, b: NameClaim): boolean {
  if (a.kind !== b.kind || a.cloud !== b.cloud || a.name.toLowerCase() !== b.name.toLowerCase()) return false;
  const scope = NAME_SCOPES[a.kind];
  if (scope === 'cloud') return true;
  if (!sameSubscription(a, b)) return false;
  return scope === 'subscription' || (a.resourceGroup ?? '').toLowerCase() === (b.resourceGroup ?? '').toLowerCase();
}

/**
 * Environments synthesized together must not create the same Azure resource: a second
 * environment would take over (or fail to create) the first one's vault, group, cluster or
 * identity. Names compare case-insensitively, as Azure compares them. What an environment only
 * reads (an existing vault, cluster or group) may be shared.
 */
export function sharedNameProblems(models: readonly EnvironmentModel[]): InputProblem[] {
  const earlier: { model: EnvironmentModel; claim: NameClaim }[] = [];
  const problems = new Map<string, InputProblem>();
  for (const model of models) {
    const claims = createdNames(model);
    for (const claim of claims) {
      const first = earlier.find((e) => collide(e.claim, claim));
      const path = formatPath(claim.path);
      const key = `${model.file}\u0000${path}`;
      if (first === undefined || problems.has(key)) continue;
      const unsure =
        NAME_SCOPES[claim.kind] !== 'cloud' && (claim.subscriptionId === undefined || first.claim.subscriptionId === undefined)
          ? ' (azure.subscriptionId does not tell them apart)'
          : '';
      const position = positionInFile(model.file, claim.path);
      problems.set(key, {
        file: model.file,
        path,
        ...(position !== undefined ? { position } : {}),
        received: display(claim.name),
        message: `environment "${first.model.name}" (${first.model.file}, ${formatPath(first.claim.path)}) creates ${claim.kind} "${first.claim.name}" too, and ${claim.kind} ${SCOPE_WORDING[NAME_SCOPES[claim.kind]](claim)}${unsure}: ${claim.fix}`,
      });
    }
    earlier.push(...claims.map((claim) => ({ model, claim })));
  }
  return [...problems.values()];
}
