/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by module group and by function, and
 * inclusive time of chosen functions (time with the function anywhere on the stack).
 */
import * as path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  /** Profiled wall time, ms. */
  readonly totalMs: number;
  readonly byGroup: readonly { readonly group: string; readonly selfMs: number }[];
  readonly byFunction: readonly { readonly fn: string; readonly group: string; readonly selfMs: number }[];
  readonly inclusive: readonly { readonly label: string; readonly ms: number }[];
}

/** Where a frame's code lives: an npm package, a project folder, Node's module loader, or V8. */
export function groupOf(url: string, repo: string): string {
  if (url === '') return '(v8/native)';
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/vm')) return 'node: module loading';
  if (url.startsWith('node:')) return 'node: other internals';
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const rel = path.relative(repo, file);
  if (!rel.startsWith('..')) return `project: ${rel.split(path.sep)[0]}`;
  return 'other';
}

/** Frames a phase is made of; a sample counts for it when at least `atLeast` (default 1) frames of its stack match. */
export type PhaseMatcher = ((f: CallFrame) => boolean) | { readonly frame: (f: CallFrame) => boolean; readonly atLeast: number };

/**
 * `inclusiveOf` maps a label to a matcher; a sample counts once per label when its stack
 * matches.
 */
export function summarise(profile: CpuProfile, repo: string, inclusiveOf: Readonly<Record<string, PhaseMatcher>>, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const groupSelf = new Map<string, number>();
  const fnSelf = new Map<string, { group: string; ms: number }>();
  const incl = new Map<string, number>(Object.keys(inclusiveOf).map((k) => [k, 0]));
  const groupCache = new Map<number, string>();
  const group = (n: ProfileNode) => {
    let g = groupCache.get(n.id);
    if (g === undefined) {
      const name = n.callFrame.functionName;
      g =
        name === '(garbage collector)'
          ? '(garbage collector)'
          : name === '(program)' || name === '(idle)' || name === '(root)'
            ? `(${name.replace(/[()]/g, '')})`
            : groupOf(n.callFrame.url, repo);
      groupCache.set(n.id, g);
    }
    return g;
  };

  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample; charge it to this sample.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const node = byId.get(profile.samples[i])!;
    const g = group(node);
    groupSelf.set(g, (groupSelf.get(g) ?? 0) + ms);
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${shortUrl(f.url, repo)}:${f.lineNumber + 1}` : ''}`.trim();
    const entry = fnSelf.get(key) ?? { group: g, ms: 0 };
    entry.ms += ms;
    fnSelf.set(key, entry);

    const hits = new Map<string, number>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      for (const [label, m] of Object.entries(inclusiveOf)) if ((typeof m === 'function' ? m : m.frame)(frame)) hits.set(label, (hits.get(label) ?? 0) + 1);
    }
    for (const [label, n] of hits) {
      const m = inclusiveOf[label];
      if (n >= (typeof m === 'function' ? 1 : m.atLeast)) incl.set(label, incl.get(label)! + ms);
    }
  }

  return {
    totalMs: total,
    byGroup: [...groupSelf].map(([g, ms]) => ({ group: g, selfMs: ms })).sort((a, b) => b.selfMs - a.selfMs),
    byFunction: [...fnSelf]
      .map(([fn, e]) => ({ fn, group: e.group, selfMs: e.ms }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top),
    inclusive: [...incl].map(([label, ms]) => ({ label, ms })),
  };
}

function shortUrl(url: string, repo: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) return file.slice(nm + '/node_modules/'.length);
  const rel = path.relative(repo, file);
  return rel.startsWith('..') ? file : rel;
}
