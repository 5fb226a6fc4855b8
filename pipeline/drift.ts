/**
 * Drift between a committed manifests folder and a fresh render: for GitOps CI, where a
 * hand edit or a forgotten re-render must fail the build.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../check';
import type { OutputFile } from '../lib/write';

function filesIn(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(path.join(dir, rel)).isDirectory() ? filesIn(dir, rel) : [rel];
    });
}

/** One finding per file that is missing, extra, or different from the fresh render. */
export function manifestDrift(dir: string, fresh: readonly OutputFile[]): Finding[] {
  const fix = 'run "aks-keyvault-csi synth" and commit the result; edit the environment file, not the rendered YAML';
  if (!existsSync(dir)) {
    return [{ severity: 'error', rule: 'drift', where: dir, message: 'the manifests folder does not exist', fix }];
  }
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
    findings.push({ severity: 'error', rule: 'drift', where: path.join(dir, extra), message: 'not part of the fresh render (stale or hand-added)', fix });
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
