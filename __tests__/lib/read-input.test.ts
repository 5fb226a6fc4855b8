/**
 * The one reader of input files: regular files only (checked with fstat before reading, opened
 * without blocking), a size limit, a nesting limit, and file faults as bad input.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkNesting, MAX_NESTING, readInput, type ReadInputOptions } from '../../lib/read-input';
import { injectFault } from '../support/faults';
import { userErrorOf } from '../support/user-error';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'akscsi-read-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const OPTIONS: ReadInputOptions = { what: 'outputs file', fix: 'pass the file "terraform output -json" writes' };
const messageOf = (file: string, options: Partial<ReadInputOptions> = {}) => userErrorOf(() => readInput(file, { ...OPTIONS, ...options })).problems[0].message;

test('reads a regular file as UTF-8 without its byte order mark', () => {
  const file = path.join(root, 'a.json');
  writeFileSync(file, '\ufeff{"a": "é"}');
  expect(readInput(file, OPTIONS)).toBe('{"a": "é"}');
});

test('a missing file: the caller\'s message, or "no such <what>"', () => {
  const file = path.join(root, 'missing.json');
  expect(messageOf(file)).toBe('no such outputs file: pass the file "terraform output -json" writes');
  expect(messageOf(file, { missing: 'deploy first' })).toBe('deploy first');
});

const mkfifo = (file: string): boolean => {
  try {
    execFileSync('mkfifo', [file]);
    return true;
  } catch (e) {
    console.log(`mkfifo is not available (${(e as Error).message.split('\n')[0]}): the FIFO case is not run here; the e2e suite's FIFO case needs it too`);
    return false;
  }
};

test('a FIFO is refused at once, without waiting for a writer', () => {
  const fifo = path.join(root, 'outputs.json');
  if (!mkfifo(fifo)) return;
  expect(messageOf(fifo)).toBe('is a named pipe (FIFO), not a regular file: pass the file "terraform output -json" writes');
});

test.each([
  ['/dev/zero', 'a character device'],
  ['/dev/null', 'a character device'],
])('%s is refused without reading a byte (it would never end)', (device, kind) => {
  expect(messageOf(device)).toBe(`is ${kind}, not a regular file: pass the file "terraform output -json" writes`);
});

test('a folder is refused', () => {
  mkdirSync(path.join(root, 'dir.json'));
  expect(messageOf(path.join(root, 'dir.json'))).toBe('is a folder, not a regular file: pass the file "terraform output -json" writes');
});

test('a file larger than the limit is refused before it is read', () => {
  const file = path.join(root, 'big.json');
  writeFileSync(file, 'x'.repeat(2048));
  expect(messageOf(file, { maxBytes: 1024 })).toBe('is larger than 1 KB, the limit for an input file: pass the file "terraform output -json" writes');
  expect(readInput(file, { ...OPTIONS, maxBytes: 2048 })).toHaveLength(2048);
});

test('the default limit is 10 MB', () => {
  const file = path.join(root, 'big.json');
  writeFileSync(file, Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
  expect(messageOf(file)).toBe('is larger than 10 MB, the limit for an input file: pass the file "terraform output -json" writes');
});

test.each(['EACCES', 'EPERM', 'ENAMETOOLONG', 'ELOOP', 'EIO'])('%s on open is bad input naming the file and a fix', (code) => {
  const file = path.join(root, 'a.json');
  writeFileSync(file, '{}');
  injectFault('openSync', code);
  const e = userErrorOf(() => readInput(file, OPTIONS));
  expect(e.problems[0].file).toBe(file);
  expect(e.problems[0].message).toMatch(new RegExp(`\\(${code} while opening the outputs file\\): \\S`));
});

describe('nesting', () => {
  const deepJson = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  test(`JSON nested ${MAX_NESTING} deep is read; one more level is refused with its line and column`, () => {
    const file = path.join(root, 'deep.json');
    writeFileSync(file, deepJson(MAX_NESTING));
    expect(readInput(file, { ...OPTIONS, syntax: 'json' })).toHaveLength(2 * MAX_NESTING);
    writeFileSync(file, `{"a":\n ${deepJson(MAX_NESTING + 1)}}`);
    const e = userErrorOf(() => readInput(file, { ...OPTIONS, syntax: 'json' }));
    expect(e.problems[0]).toEqual({
      file,
      path: '',
      position: `2:${MAX_NESTING + 1}`,
      message: `nested more than ${MAX_NESTING} levels deep: no real file is; check what wrote it`,
    });
  });

  test('a 100,000-deep JSON document is refused (it used to overflow the stack)', () => {
    const file = path.join(root, 'deep.json');
    writeFileSync(file, deepJson(100_000));
    expect(messageOf(file, { syntax: 'json' })).toMatch(/^nested more than 1000 levels deep/);
  });

  test('brackets inside JSON strings do not count', () => {
    expect(() => checkNesting(JSON.stringify({ a: '['.repeat(5000), b: '\\"[[' }), 'f.json', 'json')).not.toThrow();
  });

  test.each([
    ['flow sequences', (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`],
    ['compact block sequences', (n: number) => `a:\n${'- '.repeat(n)}x\n`],
    ['indented mappings', (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n'],
  ])('YAML %s deeper than the limit are refused; at the limit they are read', (_, yaml) => {
    expect(() => checkNesting(yaml(MAX_NESTING - 2), 'f.yaml', 'yaml')).not.toThrow();
    expect(() => checkNesting(yaml(MAX_NESTING + 2), 'f.yaml', 'yaml')).toThrow(/nested more than 1000 levels deep/);
  });

  test('brackets in YAML quoted scalars and comments do not count; plain scalars with apostrophes do not hide them', () => {
    const many = '['.repeat(2000);
    expect(() => checkNesting(`a: "${many}"\nb: '${many}'\n# ${many}\nc: x # ${many}\n`, 'f.yaml', 'yaml')).not.toThrow();
    expect(() => checkNesting(`a: don't ${many}\n`, 'f.yaml', 'yaml')).toThrow(/nested more than/);
  });
});
