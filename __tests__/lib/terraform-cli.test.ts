/**
 * Reading Terraform's `-json` diagnostics (recorded from Terraform 1.11.4: support/fixtures/terraform/)
 * and running it on a scratch copy of a stack folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, inScratchCopy, parseDiagnostics, relocateDiagnostic } from '../../lib/terraform-cli';
import { TERRAFORM_FIXTURES } from '../support/fake-tools';
import { tempFolders } from '../support/temp';

const recorded = (file: string) => readFileSync(path.join(TERRAFORM_FIXTURES, file), 'utf8');

describe('parseDiagnostics', () => {
  test("init streams JSON lines: the configuration error and init's closing summary", () => {
    const ds = [...parseDiagnostics(recorded('init-config-error.jsonl'))];
    expect(ds.map((d) => [d.summary.split('\n')[0], d.where, d.context])).toStrictEqual([
      ['Invalid expression', 'cdk.tf.json:6:22', 'output.aks_keyvault_csi.depends_on'],
      ['Terraform encountered problems during initialisation, including problems', undefined, undefined],
    ]);
  });

  test('validate prints one document', () => {
    expect([...parseDiagnostics(recorded('validate-error.json'))]).toStrictEqual([
      {
        severity: 'error',
        summary: 'Extraneous JSON object property',
        detail: 'No argument or block type is named "triggers_replace_typo".',
        where: 'cdk.tf.json:6:9',
        context: 'resource.terraform_data.wait',
      },
    ]);
    expect([...parseDiagnostics(recorded('validate-ok.json'))]).toStrictEqual([]);
    expect([...parseDiagnostics(recorded('init-ok.jsonl'))]).toStrictEqual([]);
  });
});

test('relocateDiagnostic shows the file under the stack folder Terraform ran a copy of', () => {
  const [d] = [...parseDiagnostics(recorded('validate-error.json'))];
  expect(formatDiagnostic(relocateDiagnostic(d, path.join('cdktf.out', 'stacks', 'dev')))).toBe(
    `${path.join('cdktf.out', 'stacks', 'dev', 'cdk.tf.json')}:6:9: Extraneous JSON object property (resource.terraform_data.wait): No argument or block type is named "triggers_replace_typo".`,
  );
  const noRange = { severity: 'error' as const, summary: 's', detail: '' };
  expect(relocateDiagnostic(noRange, 'x')).toBe(noRange);
});

describe('inScratchCopy', () => {
  const tempFolder = tempFolders('akscsi-scratch-');
  let dir: string;
  beforeAll(() => {
    dir = tempFolder();
    const stack = path.join(dir, 'stacks', 'dev');
    mkdirSync(path.join(stack, '.terraform', 'providers'), { recursive: true });
    writeFileSync(path.join(stack, 'cdk.tf.json'), '{}');
    writeFileSync(path.join(stack, '.terraform.lock.hcl'), 'lock');
    writeFileSync(path.join(stack, 'terraform.tfstate'), '{}');
  });

  test("copies the stack without Terraform's working files, and removes the copy afterwards", () => {
    const stack = path.join(dir, 'stacks', 'dev');
    let seen = '';
    const files = inScratchCopy(stack, (copy) => {
      seen = copy;
      writeFileSync(path.join(copy, '.terraform.lock.hcl'), 'written by init');
      return ['cdk.tf.json', '.terraform', '.terraform.lock.hcl', 'terraform.tfstate'].filter((f) => existsSync(path.join(copy, f)));
    });
    expect(path.basename(seen)).toBe('dev');
    expect(seen.startsWith(dir)).toBe(false);
    expect(files).toStrictEqual(['cdk.tf.json', '.terraform.lock.hcl']);
    expect(existsSync(seen)).toBe(false);
    expect(readFileSync(path.join(stack, '.terraform.lock.hcl'), 'utf8')).toBe('lock');
  });

  test('removes the copy when the work throws', () => {
    let seen = '';
    expect(() =>
      inScratchCopy(path.join(dir, 'stacks', 'dev'), (copy) => {
        seen = copy;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(existsSync(seen)).toBe(false);
  });
});
