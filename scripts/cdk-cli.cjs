#!/usr/bin/env node
'use strict';
/**
 * `npm run cdktf -- <args>` and `npm run cdk8s -- <args>`: the project's pinned cdktf and cdk8s
 * CLIs, offline by default. Run bare (`npx cdktf synth`, `npx cdk8s synth`), both phone home on
 * every run: cdktf-cli posts telemetry to checkpoint-api.hashicorp.com (an ENOTFOUND error
 * offline), and cdk8s-cli asks registry.npmjs.org for a newer version (a stack trace offline).
 *
 * Neither reads a setting for this from its project file: cdktf-cli only skips the telemetry
 * when the environment variable CHECKPOINT_DISABLE is set (`ReportRequest` in @cdktf/commons
 * checkpoint.ts; cdktf.json's `sendCrashReports` is about crash reports, not telemetry), and
 * cdk8s-cli only skips the check with `--check-upgrade=false` or CDK8S_CHECK_UPGRADE=false
 * (its yargs option `check-upgrade`, read from argv and `.env('CDK8S')`; cdk8s.yaml is not
 * consulted). So this sets both variables, unless the caller set them, and runs the CLI.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** Each package's `bin` (cdk8s-cli's `exports` hide it from require.resolve). */
const CLIS = { cdktf: 'cdktf-cli/bundle/bin/cdktf', cdk8s: 'cdk8s-cli/bin/cdk8s' };
const [tool, ...args] = process.argv.slice(2);
if (!(tool in CLIS)) {
  console.error(`usage: node scripts/cdk-cli.cjs ${Object.keys(CLIS).join('|')} [args...]`);
  process.exit(2);
}
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1',
  CDK8S_CHECK_UPGRADE: process.env.CDK8S_CHECK_UPGRADE ?? 'false',
};
const bin = path.join(__dirname, '..', 'node_modules', ...CLIS[tool].split('/'));
const result = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit', env });
if (result.error) {
  console.error(`cannot run ${tool} (${result.error.code ?? result.error.message}): run "npm ci" in the project first`);
  process.exit(2);
}
process.exitCode = result.status ?? 1;
