/**
 * Where the rendered folder sits in the GitOps repository: the path the bootstrap object (Argo
 * CD `Application` or Flux `Kustomization`) points at. It must be the folder the manifests are
 * actually committed in, or the GitOps tool syncs nothing (or something else).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { defaultGitopsPath } from '../charts/environment-chart';
import type { EnvironmentModel } from '../lib/model';
import { manifestsDirOf } from '../lib/paths';

export interface GitopsPlacement {
  /** The repository-relative path for the bootstrap object; undefined when GitOps is not configured. */
  readonly path?: string;
  /** Why the path may be wrong, and the fix. */
  readonly warning?: string;
}

/**
 * The bootstrap path for `model` rendered into `outDir` (`--out`; undefined for `dist/<env>`):
 * `output.gitops.path` when set (with a warning when `outDir` is inside a git checkout at
 * another path), else `outDir`'s path relative to the root of the git checkout holding it, else
 * `dist/<env>` with a warning that it cannot be known.
 */
export function gitopsPlacement(model: EnvironmentModel, outDir?: string): GitopsPlacement {
  const gitops = model.config.output.gitops;
  if (gitops === undefined) return {};
  const object = gitops.tool === 'argocd' ? 'Argo CD Application' : 'Flux Kustomization';
  const field = `${model.file}: output.gitops.path`;
  // dist/<env> is a staging area to copy from: its place in this project's own checkout says nothing.
  const inRepository = outDir === undefined ? undefined : repositoryPathOf(outDir);
  if (gitops.path !== undefined) {
    if (inRepository !== undefined && trimSlashes(inRepository.path) !== trimSlashes(gitops.path)) {
      return {
        path: gitops.path,
        warning: `${field} is "${gitops.path}", but ${outDir} is "${inRepository.path}" in the git checkout ${inRepository.root}: the ${object} syncs "${gitops.path}", not the folder written; set output.gitops.path to "${inRepository.path}", or render with --out into "${gitops.path}" of that checkout`,
      };
    }
    return { path: gitops.path };
  }
  if (inRepository !== undefined) return { path: inRepository.path };
  const fallback = defaultGitopsPath(model.name);
  const where = outDir === undefined ? `the manifests are rendered into ${manifestsDirOf(model.name)}` : `${outDir} is not inside a git checkout`;
  return {
    path: fallback,
    warning: `${field} is not set and ${where}, so the path of the folder in the GitOps repository is unknown: the ${object} points at "${fallback}"; set output.gitops.path to the folder's path in the GitOps repository, or render with --out into a clone of it`,
  };
}

/** `dir`'s path (with "/") relative to the root of the git checkout (work tree) holding it, if any. */
export function repositoryPathOf(dir: string): { root: string; path: string } | undefined {
  const absolute = path.resolve(dir);
  // A worktree or submodule has a `.git` file instead of a folder: either marks the root.
  for (let cur = absolute; ; cur = path.dirname(cur)) {
    if (existsSync(path.join(cur, '.git'))) {
      const rel = path.relative(cur, absolute).split(path.sep).join('/');
      return { root: cur, path: rel === '' ? '.' : rel };
    }
    if (path.dirname(cur) === cur) return undefined;
  }
}

function trimSlashes(p: string): string {
  return p.replace(/^\.\//, '').replace(/\/+$/, '');
}
