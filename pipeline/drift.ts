/**
 * Drift between a committed manifests folder and a fresh render: for GitOps CI, where a
 * hand edit or a forgotten re-render must fail the build.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../check';
import { LOCK_FILE } from '../lib/lock';
import { OWNERSHIP_FILE, readRecord } from '../lib/ownership';
import type { OutputFile } from '../lib/write';

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
export function manifestDrift(dir: string, fresh: readonly OutputFile[]): Finding[] {
  const fix = 'run "aks-keyvault-csi synth" and commit the result; edit the environment file, not the rendered YAML';
  if (!existsSync(dir)) {
    return [{ severity: 'error', rule: 'drift', where: dir, message: 'the manifests folder does not exist', fix }];
  }
  const owned = readRecord(dir);
  const committed = new Set(filesIn(dir));
  const findings: Finding[] = [];
  for (const f of [...fresh].sort((a, b) => a.path.localeCompare(b.path))) {
    const file = path.join(dir, f.path);
    if (!committed.has(f.path)) {
      findings.push({ severity: 'error', rule: 'drift', where: file, message: 'missing: the fresh render has this file', fix });
    } else if (readFileSync(file, 'utf8') !== f.content) {
      const line = firstDifferentLine(readFileSync(file, 'utf8'), f.content);
      findings.push({ severity: 'error', rule: 'drift', where: `${file}:${line}`, message: `differs from the fresh render from line ${line}`, fix });
    }
    committed.delete(f.path);
  }
  for (const extra of [...committed].sort()) {
    if (owned?.has(extra) === true) {
      findings.push({ severity: 'error', rule: 'drift', where: path.join(dir, extra), message: `written by this tool (listed in ${OWNERSHIP_FILE}) and no longer part of the fresh render: synth would delete it`, fix });
    } else if (/\.ya?ml$/.test(extra)) {
      findings.push({
        severity: 'warning',
        rule: 'drift',
        where: path.join(dir, extra),
        message: `not written by this tool (not in ${OWNERSHIP_FILE}), so not compared: another app's manifest, or a stale or hand-added file`,
        fix: 'nothing to do if it belongs to something else; otherwise delete it',
      });
    }
  }
  return findings;
}

function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return i + 1;
  }
  return 1;
}
