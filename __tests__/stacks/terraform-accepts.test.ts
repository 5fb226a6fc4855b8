/**
 * Terraform's own configuration check (`terraform init -backend=false`, offline) on the
 * examples as `synth` writes them, each as a root module. Every other stack the tests
 * synthesize is checked after its test file (see __tests__/setup-after-env.ts).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, terraformInit } from '../../lib/terraform-cli';
import { loadEnvironments } from '../../pipeline/environments';
import { synthTerraform } from '../../stacks/synth-terraform';
import { tempFolders } from '../support/temp';
import { TERRAFORM, TERRAFORM_SKIP_REASON, terraformRejections } from '../support/terraform';

const run = TERRAFORM.available ? describe : describe.skip;
if (!TERRAFORM.available) console.log(`skipping ${path.basename(__filename)}: ${TERRAFORM_SKIP_REASON}`);

run(`Terraform accepts the examples (${TERRAFORM.detail})`, () => {
  const tempFolder = tempFolders('akscsi-tf-examples-');
  let out = '';
  beforeAll(() => {
    out = tempFolder();
    synthTerraform(loadEnvironments(), { outdir: out });
  });

  test.each(['dev', 'prod'])('%s: init fails only on the provider download', (env) => {
    const result = terraformInit(path.join(out, 'stacks', env), { offline: true });
    expect(result.errors.map(formatDiagnostic)).toEqual([]);
    // The configuration was read in full: Terraform got as far as looking for the providers.
    expect(result.providerDownload.length).toBeGreaterThan(0);
  });

  test('the check is not vacuous: an interpolated depends_on (the old output) is rejected', () => {
    const json = JSON.parse(readFileSync(path.join(out, 'stacks', 'dev', 'cdk.tf.json'), 'utf8')) as {
      output: Record<string, { depends_on?: string[] }>;
    };
    const output = Object.values(json.output)[0];
    output.depends_on = (output.depends_on ?? []).map((d) => `\${${d}}`);
    const errors = terraformRejections([JSON.stringify(json)]);
    expect(errors.join('\n')).toMatch(/A single static variable reference is required/);
  });
});
