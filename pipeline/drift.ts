/**
 * Drift between a committed manifests folder and a fresh render: for GitOps CI, where a
 * hand edit or a forgotten re-render must fail the build. A changed file is shown as a unified
 * diff (committed → fresh render), so the reader sees what differs without a second tool.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { checkFinding, type Finding } from '../check/finding';
import { LOCK_FILE } from '../lib/lock';
import { OWNERSHIP_FILE, readRecord } from '../lib/ownership';
import type { OutputFile } from '../lib/write';

/** Lines of context around each change in a drift diff (as `diff -u`). */
const DIFF_CONTEXT = 3;
/** A diff longer than this is cut (a rewritten file would otherwise flood the CI log). */
const DIFF_MAX_LINES = 80;

export interface DriftOptions {
  /**
   * The command that renders the folder again, for the fix.
   * @default "aks-keyvault-csi synth"
   */
  readonly synthCommand?: string;
}

/** Files below `dir`, hidden folders (`.git`, this tool's scratch folders) and this tool's own files left out. */
function filesIn(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      if (name === OWNERSHIP_FILE || name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`)) return [];
      if (statSync(path.join(dir, rel)).isDirectory()) return name.startsWith('.') ? [] : filesIn(dir, rel);
      return [rel];
    });
}

/**
 * One finding per file that is missing or different from the fresh render, and per file this
 * tool owns there (its ownership record says so) that the fresh render no longer has. A folder
 * may hold other files (a GitOps checkout's other apps, a README): they are not compared, and
 * other YAML files are reported as warnings so a stray manifest is still seen.
 */
export function manifestDrift(dir: string, fresh: readonly OutputFile[], options: DriftOptions = {}): Finding[] {
  const fix = `run "${options.synthCommand ?? 'aks-keyvault-csi synth'}" and commit the result; edit the environment file, not the rendered YAML`;
  if (!existsSync(dir)) {
    return [checkFinding('drift', dir, 'the manifests folder does not exist', fix)];
  }
  const owned = readRecord(dir);
  const committed = new Set(filesIn(dir));
  const findings: Finding[] = [];
  for (const f of [...fresh].sort((a, b) => a.path.localeCompare(b.path))) {
    const file = path.join(dir, f.path);
    if (!committed.has(f.path)) {
      findings.push(checkFinding('drift', file, 'missing: the fresh render has this file', fix));
    } else {
      const text = readFileSync(file, 'utf8');
      if (text !== f.content) {
        const line = firstDifferentLine(text, f.content);
        findings.push(
          checkFinding(
            'drift',
            `${file}:${line}`,
            `differs from the fresh render from line ${line} (- committed, + fresh render)`,
            fix,
            unifiedDiff(f.path, text, f.content),
          ),
        );
      }
    }
    committed.delete(f.path);
  }
  for (const extra of [...committed].sort()) {
    if (owned?.has(extra) === true) {
      findings.push(
        checkFinding(
          'drift',
          path.join(dir, extra),
          `written by this tool (listed in ${OWNERSHIP_FILE}) and no longer part of the fresh render: synth would delete it`,
          fix,
        ),
      );
    } else if (/\.ya?ml$/.test(extra)) {
      findings.push(
        checkFinding(
          'drift-unowned-file',
          path.join(dir, extra),
          `not written by this tool (not in ${OWNERSHIP_FILE}), so not compared: another app's manifest, or a stale or hand-added file`,
          'nothing to do if it belongs to something else; otherwise delete it',
        ),
      );
    }
  }
  return findings;
}

/** `diff -u` of the committed file against the fresh render (without jsdiff's `===` banner), cut at DIFF_MAX_LINES. */
export function unifiedDiff(file: string, committed: string, fresh: string): string {
  const patch = createTwoFilesPatch(`${file} (committed)`, `${file} (fresh render)`, committed, fresh, undefined, undefined, { context: DIFF_CONTEXT });
  const lines = patch
    .trimEnd()
    .split('\n')
    .filter((l) => !/^=+$/.test(l));
  if (lines.length <= DIFF_MAX_LINES) return lines.join('\n');
  return [...lines.slice(0, DIFF_MAX_LINES), `... ${lines.length - DIFF_MAX_LINES} more diff lines: render the folder again and compare with git diff`].join(
    '\n',
  );
}

function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return i + 1;
  }
  return 1;
}
