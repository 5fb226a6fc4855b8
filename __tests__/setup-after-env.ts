/**
 * Runs in every test file: after its tests, Terraform checks every stack the file synthesized
 * and recorded (see support/terraform.ts). Files that synthesize nothing pay nothing. The cdktf
 * test apps' output folders are removed (support/cdktf.ts).
 */
import { removeTestingApps } from './support/cdktf';
import { takeRecordedStacks, TERRAFORM, terraformRejections } from './support/terraform';

afterAll(() => {
  removeTestingApps();
  const stacks = takeRecordedStacks();
  if (stacks.length === 0 || !TERRAFORM.available) return;
  const errors = terraformRejections(stacks);
  if (errors.length > 0) {
    throw new Error(`terraform init -backend=false rejects ${errors.length === 1 ? 'a stack' : 'stacks'} this file synthesized:\n${errors.join('\n')}`);
  }
});
