/**
 * Stand-ins for `terraform` and `kubectl`: small POSIX shell scripts in a temporary folder, put
 * on PATH instead of the real tools. Each answers one subcommand (its first argument) with
 * recorded output and an exit code, and logs its working folder and arguments, so a test can
 * check what the command ran and where. The scripts use shell builtins only, so PATH may hold
 * nothing but their folder (which is how "tool missing" is tested).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Recorded `terraform -json` output (see fixtures/terraform/README.md). */
export const TERRAFORM_FIXTURES = path.join(__dirname, 'fixtures', 'terraform');

export interface FakeAnswer {
  /** Printed on stdout: literal text. */
  readonly stdout?: string;
  /** Printed on stdout: a file's bytes, line by line (e.g. a recorded `-json` output). */
  readonly stdoutFile?: string;
  readonly stderr?: string;
  /** @default 0 */
  readonly exit?: number;
  /** Files created (empty) in the working folder, like the real tool's working files. */
  readonly creates?: readonly string[];
}

/** Answers by subcommand (`version`, `init`, `validate`, `apply`); any other subcommand exits 1. */
export type FakeTool = Readonly<Record<string, FakeAnswer>>;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function script(name: string, tool: FakeTool, log: string): string {
  const cases = Object.entries(tool).map(([sub, a]) => {
    const lines = [
      ...(a.creates ?? []).map((f) => `: > ${quote(f)}`),
      ...(a.stdoutFile !== undefined ? [`while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < ${quote(a.stdoutFile)}`] : []),
      ...(a.stdout !== undefined ? [`printf '%s' ${quote(a.stdout)}`] : []),
      ...(a.stderr !== undefined ? [`printf '%s' ${quote(a.stderr)} >&2`] : []),
      `exit ${a.exit ?? 0}`,
    ];
    return `  ${sub})\n    ${lines.join('\n    ')}\n    ;;`;
  });
  return `#!/bin/sh\nprintf '%s\\t%s\\t%s\\n' ${quote(name)} "$PWD" "$*" >> ${quote(log)}\ncase "$1" in\n${cases.join('\n')}\nesac\nexit 1\n`;
}

export interface FakeTools {
  /** Put this folder (alone) on PATH. */
  readonly dir: string;
  /** Every call: tool, working folder, arguments. */
  calls(): { tool: string; cwd: string; args: string }[];
  cleanup(): void;
}

export function fakeTools(tools: Readonly<Record<string, FakeTool>>): FakeTools {
  const dir = mkdtempSync(path.join(tmpdir(), 'akscsi-fake-tools-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const [name, tool] of Object.entries(tools)) {
    const file = path.join(dir, name);
    writeFileSync(file, script(name, tool, log));
    chmodSync(file, 0o755);
  }
  return {
    dir,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [tool, cwd, args] = l.split('\t');
          return { tool: tool, cwd: cwd, args: args ?? '' };
        }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fake `terraform` whose init and validate replay recorded output. */
export function fakeTerraform(init: string, validate = 'validate-ok.json'): FakeTool {
  const exit = (file: string) => (/error|no-network/.test(file) ? 1 : 0);
  return {
    version: { stdout: 'Terraform v1.11.4\non linux_amd64\n' },
    init: { stdoutFile: path.join(TERRAFORM_FIXTURES, init), exit: exit(init), creates: ['.terraform.lock.hcl'] },
    validate: { stdoutFile: path.join(TERRAFORM_FIXTURES, validate), exit: exit(validate) },
  };
}
