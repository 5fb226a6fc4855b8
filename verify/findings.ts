/**
 * Findings: the one result shape of every verify and rotation-test check.
 *
 * Pure: no IO. The command layer prints them (text or JSON) and turns them into an exit code.
 */
import { EXIT_FINDINGS, EXIT_OK } from '../lib/errors';
import { terminalText } from '../lib/text';

export type FindingStatus = 'pass' | 'fail' | 'warn';

export interface Finding {
  readonly status: FindingStatus;
  /** Stable check id, e.g. `addon-daemonset`, `spc-drift`, `mount-event`. */
  readonly check: string;
  /** What the finding is about, e.g. `kube-system/aks-secrets-store-csi-driver` or `demo/demo-app-keyvault`. */
  readonly subject: string;
  readonly message: string;
  /** What to do about it (fail and warn findings). */
  readonly fix?: string;
}

export function pass(check: string, subject: string, message: string): Finding {
  return { status: 'pass', check, subject, message };
}

export function fail(check: string, subject: string, message: string, fix?: string): Finding {
  return fix === undefined ? { status: 'fail', check, subject, message } : { status: 'fail', check, subject, message, fix };
}

export function warn(check: string, subject: string, message: string, fix?: string): Finding {
  return fix === undefined ? { status: 'warn', check, subject, message } : { status: 'warn', check, subject, message, fix };
}

export interface Summary {
  readonly pass: number;
  readonly fail: number;
  readonly warn: number;
}

export function summarize(findings: readonly Finding[]): Summary {
  return {
    pass: findings.filter((f) => f.status === 'pass').length,
    fail: findings.filter((f) => f.status === 'fail').length,
    warn: findings.filter((f) => f.status === 'warn').length,
  };
}

/** 1 when any finding failed, else 0 (warnings do not fail a run). */
export function exitCodeOf(findings: readonly Finding[]): number {
  return findings.some((f) => f.status === 'fail') ? EXIT_FINDINGS : EXIT_OK;
}

const LABEL: Record<FindingStatus, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN' };

/**
 * Human-readable report: one line per finding, the fix indented under it, a summary line last.
 * Subjects and messages quote the cluster (event messages, names): each is shown on its line
 * with control characters escaped (lib/text.ts), never followed.
 */
export function formatFindings(findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${LABEL[f.status]}  ${terminalText(f.check)}  ${terminalText(f.subject)}: ${terminalText(f.message)}`);
    if (f.fix !== undefined && f.status !== 'pass') lines.push(`      fix: ${terminalText(f.fix)}`);
  }
  const s = summarize(findings);
  lines.push(`${s.pass} passed, ${s.fail} failed, ${s.warn} warnings`);
  return `${lines.join('\n')}\n`;
}

/** Shortens a message from the cluster for display (event messages can be kilobytes long). */
export function clip(text: string, max = 240): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 3)}...` : oneLine;
}
