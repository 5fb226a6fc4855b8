// Builds the bundle (.build/) once before the workers start, so tests that spawn the bin never
// race to rebuild it; probes the external tools once for the whole run.
import { spawnSync } from 'node:child_process';
import { terraformVersion } from '../lib/terraform-cli';

const { build, isFresh } = require('../scripts/build.cjs') as { build: () => void; isFresh: () => boolean };

export default function globalSetup(): void {
  if (!isFresh()) build();
  // Handed to the workers (they inherit this process's environment): support/terraform.ts reads
  // it instead of running `terraform version` again in every test file.
  const terraform = terraformVersion();
  process.env.AKSCSI_TEST_TERRAFORM_VERSION = JSON.stringify(terraform);
  // Said once per run: the tests that need these tools skip without them.
  if (!terraform.available) console.log(`\nterraform is not available (${terraform.detail}): the tests that run it are skipped and say so`);
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.error !== undefined || kubectl.status !== 0) {
    console.log(`\nkubectl is not available (${kubectl.error?.message ?? kubectl.stderr.trim()}): the tests that run it are skipped and say so`);
  }
}
