/**
 * The standard CLIs, as the README runs them (`npm run cdktf -- synth`, `npm run cdk8s -- synth`),
 * in a copy of the project with a clean environment: none of CHECKPOINT_DISABLE, CI and
 * CDK8S_CHECK_UPGRADE, which only .ci/run sets. Bare, cdktf-cli posts telemetry to
 * checkpoint-api.hashicorp.com (ENOTFOUND offline; @cdktf/commons checkpoint.ts ReportRequest)
 * and cdk8s-cli asks the npm registry for a newer version (a stack trace offline; cdk8s-cli
 * src/cli/index.ts `check-upgrade`, src/upgrades.ts getLatestVersion). One run each: cdktf
 * synth alone takes several seconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { projectCopy, ROOT } from './helpers';

const PROJECT = projectCopy();
afterAll(() => PROJECT.cleanup());

/** The environment of a new user's shell: what this process has, less the variables only CI sets. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['CHECKPOINT_DISABLE', 'CI', 'CDK8S_CHECK_UPGRADE']) delete env[k];
  return env;
}

/** The README's `npm run <tool> -- synth` line. */
function readmeScript(tool: 'cdktf' | 'cdk8s'): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const command = `npm run ${tool} -- synth`;
  expect(readme).toContain(`\`${command}\``);
  return command.split(' ').slice(1);
}

const STACK_LINE = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m;

test.each([
  ['cdk8s', path.join('dist', 'dev', 'kustomization.yaml')],
  ['cdktf', path.join('cdktf.out', 'stacks', 'dev', 'cdk.tf.json')],
] as const)(
  'npm run %s -- synth works offline in a clean environment: no stack trace, no ENOTFOUND, no upgrade notice',
  (tool, product) => {
    const r = spawnSync('npm', readmeScript(tool), { cwd: PROJECT.dir, encoding: 'utf8', env: cleanEnv(), timeout: 240_000 });
    const output = `${r.stdout}\n${r.stderr}`;
    expect({ status: r.status, error: r.error?.message }).toEqual({ status: 0, error: undefined });
    expect(output).not.toMatch(STACK_LINE);
    expect(output).not.toContain('ENOTFOUND');
    expect(output).not.toContain('checkpoint-api.hashicorp.com');
    expect(output).not.toContain('A new version');
    expect(existsSync(path.join(PROJECT.dir, product))).toBe(true);
  },
  300_000,
);
