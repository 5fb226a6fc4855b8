/**
 * Runs in every test file: after its tests, Terraform checks every stack the file synthesized
 * and recorded (see support/terraform.ts). Files that synthesize nothing pay nothing. The cdktf
 * test apps' output folders are removed (support/cdktf.ts).
 */
import fc from 'fast-check';
import { removeTestingApps } from './support/cdktf';
import { takeRecordedStacks, TERRAFORM, terraformRejections } from './support/terraform';

// Property tests draw from one fixed seed, so a CI run cannot fail on a draw the previous run
// never made (a flaky test blocks everyone). Explore new draws with FC_SEED=random (or a number);
// a failure prints its seed and path, which reproduce it.
const FC_SEED = process.env.FC_SEED ?? '20261130';
if (FC_SEED !== 'random') fc.configureGlobal({ seed: Number(FC_SEED) });

afterAll(() => {
  removeTestingApps();
  const stacks = takeRecordedStacks();
  if (stacks.length === 0 || !TERRAFORM.available) return;
  const errors = terraformRejections(stacks);
  if (errors.length > 0) {
    throw new Error(`terraform init -backend=false rejects ${errors.length === 1 ? 'a stack' : 'stacks'} this file synthesized:\n${errors.join('\n')}`);
  }
});
