/**
 * What the CLI prints passes through lib/text.ts: values from environment files and outputs
 * files reach the terminal as text. Only the reporter's own colours are escape sequences.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Reporter } from '../../cli/output';
import { runMain, tempProject } from './helpers';

/** A control character, an escape sequence or a bidi override: what must never reach a terminal raw. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let project: ReturnType<typeof tempProject>;
beforeAll(() => {
  project = tempProject();
  // The outputs file is the diagram's one source of free text (the schema refuses control
  // characters in the environment file's paths and names). JSON escapes: ESC (clear screen), an
  // OSC 8 hyperlink, a right-to-left override, in the OIDC issuer URL.
  const outputsFile = path.join(project.dir, 'environments', 'dev.outputs.json');
  const outputs = readFileSync(outputsFile, 'utf8');
  const hostile = outputs.replace(
    '"https://westeurope.oic.prod-aks.azure.com/',
    '"https://westeurope.oic.prod-aks.azure.com/\\u001b[2J\\u001b]8;;https://evil.example\\u0007click\\u001b]8;;\\u0007\\u202eatad/',
  );
  expect(hostile).not.toBe(outputs);
  writeFileSync(outputsFile, hostile);
  mkdirSync(path.join(project.dir, 'in'));
  writeFileSync(path.join(project.dir, 'in', 'dev.yaml'), readFileSync(path.join(project.dir, 'environments', 'dev.yaml'), 'utf8'));
});
afterAll(() => project?.cleanup());

test('diagram --stdout prints an issuer URL with escape sequences as text', async () => {
  const r = await runMain(['diagram', '--stdout', '--config', 'in/dev.yaml'], project.dir);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('https://westeurope.oic.prod-aks.azure.com/\\x1b[2J\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07\\u202eatad/');
  for (const line of (r.stdout + r.stderr).split('\n')) expect(line).not.toMatch(RAW);
});

test('a problem naming a file whose path holds escape sequences is one line of text', async () => {
  const dir = 'in/\u001b[2J\u202e';
  mkdirSync(path.join(project.dir, dir));
  writeFileSync(path.join(project.dir, dir, 'bad.yaml'), 'azure: [');
  const r = await runMain(['synth', '--config', `${dir}/bad.yaml`], project.dir);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('in/\\x1b[2J\\u202e/bad.yaml');
  for (const line of r.stderr.split('\n')) expect(line).not.toMatch(RAW);
  const json = await runMain(['--json', 'synth', '--config', `${dir}/bad.yaml`], project.dir);
  expect(JSON.parse(json.stdout).problems[0].file).toBe(`${dir}/bad.yaml`);
  for (const line of json.stdout.split('\n')) expect(line).not.toMatch(RAW);
});

test('on a terminal, the reporter keeps its own colours and escapes everything else', () => {
  let out = '';
  const reporter = new Reporter({ out: (t) => void (out += t), err: (t) => void (out += t), isTTY: true, env: {} }, { json: false, quiet: false });
  reporter.line(`${reporter.bold('dev')}  dist/\u001b[2Jdev\u202e`);
  expect(out).toBe('\u001b[1mdev\u001b[0m  dist/\\x1b[2Jdev\\u202e\n');
});
