/**
 * Rules for the local state file's path (`state.path`). The state holds the cluster's admin
 * credentials: it stays inside the project, in a place of its own.
 */
import { UserError } from '../errors';
import { anyCase, patternRule } from '../rule';
import { GENERATED_DIRS, isInside } from '../paths';
import type { StateConfig } from './schema';

/** Relative to the project root: no leading "/" or "\", no drive letter. */
export const STATE_PATH_RELATIVE_RULE = patternRule(
  'local state path',
  /^(?![/\\])(?![A-Za-z]:)[\s\S]+$/,
  'use a relative path (no machine-specific absolute paths)',
  'this project: the path is written into cdk.tf.json, which must not depend on the machine',
);

/**
 * Normalised, so it cannot leave the project root: "/" between folders, no "." or ".."
 * element, no empty element or trailing "/", no "\" (a folder separator on Windows only) and
 * no control characters.
 */
export const STATE_PATH_NORMAL_RULE = patternRule(
  'local state path',
  /^(?!(?:[\s\S]*\/)?\.\.?(?:\/|$))(?![\s\S]*\/\/)(?![\s\S]*\/$)[^\\\u0000-\u001f\u007f-\u009f]+$/,
  'use "/" between folders and no "." or ".." element (the state must stay inside the project), e.g. "state/dev.tfstate"',
  'this project: Terraform resolves the path from cdktf.out/stacks/<env>/, so ".." would reach outside the project',
);

/** Not inside a folder the tool generates (compared in any letter case, as case-insensitive file systems do). */
export const STATE_PATH_OUTSIDE_OUTPUTS_RULE = patternRule(
  'local state path',
  new RegExp(`^(?!(?:${GENERATED_DIRS.map(anyCase).join('|')})(?:/|$))`),
  `keep the state out of ${GENERATED_DIRS.map((d) => `${d}/`).join(' and ')}: the tool replaces those folders, and manifests get committed to GitOps repositories while the state holds the cluster's admin credentials`,
  'this project: lib/paths.ts GENERATED_DIRS',
);

export const STATE_PATH_RULES = [STATE_PATH_RELATIVE_RULE, STATE_PATH_NORMAL_RULE, STATE_PATH_OUTSIDE_OUTPUTS_RULE] as const;

/** The local state file of an environment, relative to the project root; undefined with the azurerm backend. */
export function localStatePath(environment: string, state: StateConfig): string | undefined {
  return state.backend === 'local' ? (state.path ?? `terraform.${environment}.tfstate`) : undefined;
}

/**
 * Refuses to render manifests into `dir` (`synth --out`, e.g. a GitOps checkout) when an
 * environment's local state file lies inside it: the state would be committed with them.
 */
export function refuseStateIn(
  dir: string,
  environments: readonly { readonly name: string; readonly file: string; readonly config: { readonly state: StateConfig } }[],
  flag = '--out',
): void {
  for (const e of environments) {
    const state = localStatePath(e.name, e.config.state);
    if (state !== undefined && isInside(state, dir)) {
      throw UserError.of(
        'command line',
        flag,
        `the manifests folder holds ${state}, the Terraform state of ${e.file} (the cluster's admin credentials): render into another folder, or move the state (state.path) out of it`,
        dir,
      );
    }
  }
}
