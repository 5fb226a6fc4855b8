/**
 * The one way input files are read: environment files, Terraform outputs, synthesized Terraform
 * JSON and manifests. Every reader goes through `readInput`, so each of them refuses the same
 * things the same way (exit 2, the path and a fix):
 * - anything that is not a regular file: a FIFO would block for ever, `/dev/zero` would never
 *   end, a folder or a socket cannot be read. The file is opened without blocking and checked
 *   with fstat before a byte is read;
 * - a file larger than `MAX_INPUT_BYTES`;
 * - JSON or YAML nested deeper than `MAX_NESTING`: the parsers and validators recurse, and a
 *   deep enough document would overflow the stack (a crash, not a message);
 * - file system faults (permissions, a path through a file, ...) through `lib/file-faults.ts`.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { UserError } from './errors';
import { fileFault } from './file-faults';

/** The largest input file read: far above any real environment, outputs or manifest file. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** The deepest nesting accepted in JSON or YAML input; real files stay below 20. */
export const MAX_NESTING = 1000;

export interface ReadInputOptions {
  /** What the file is, for messages: "environment file", "outputs file", ... */
  readonly what: string;
  /** What to do instead, e.g. `pass the file written by "terraform output -json"`. */
  readonly fix: string;
  /** The whole message when the file does not exist. @default - "no such <what>: <fix>" */
  readonly missing?: string;
  /** Check the nesting depth for this syntax. @default - not checked */
  readonly syntax?: 'json' | 'yaml';
  /** @default MAX_INPUT_BYTES */
  readonly maxBytes?: number;
}

/** The file's text (UTF-8, without a byte order mark). Throws `UserError` for every refusal above. */
export function readInput(file: string, options: ReadInputOptions): string {
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw openError(e, file, options);
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw UserError.of(file, '', `is ${kindOf(stat)}, not a regular file: ${options.fix}`);
    if (stat.size > maxBytes) throw tooLarge(file, maxBytes, options);
    text = readAll(fd, file, maxBytes, options);
  } catch (e) {
    throw fileFault(e, file, `reading the ${options.what}`) ?? e;
  } finally {
    closeSync(fd);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (options.syntax !== undefined) checkNesting(text, file, options.syntax);
  return text;
}

function openError(e: unknown, file: string, options: ReadInputOptions): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return UserError.of(file, '', options.missing ?? `no such ${options.what}: ${options.fix}`);
  return fileFault(e, file, `opening the ${options.what}`) ?? e;
}

/** Reads to the end; a file that grows past the limit while being read is refused too. */
function readAll(fd: number, file: string, maxBytes: number, options: ReadInputOptions): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total) || 1);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooLarge(file, maxBytes, options);
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function tooLarge(file: string, maxBytes: number, options: ReadInputOptions): UserError {
  const limit = maxBytes >= 1024 * 1024 ? `${+(maxBytes / (1024 * 1024)).toFixed(1)} MB` : `${+(maxBytes / 1024).toFixed(1)} KB`;
  return UserError.of(file, '', `is larger than ${limit}, the limit for an input file: ${options.fix}`);
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** Refuses text nested deeper than `MAX_NESTING`, naming the line and column where it gets too deep. */
export function checkNesting(text: string, file: string, syntax: 'json' | 'yaml'): void {
  if (cannotBeTooDeep(text, syntax)) return;
  const offset = syntax === 'json' ? jsonTooDeepAt(text, MAX_NESTING) : yamlTooDeepAt(text, MAX_NESTING);
  if (offset === undefined) return;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  throw new UserError([
    { file, path: '', position: `${line}:${column}`, message: `nested more than ${MAX_NESTING} levels deep: no real file is; check what wrote it` },
  ]);
}

/**
 * A quick bound that spares the character-by-character scan for ordinary files: JSON is no
 * deeper than its number of opening brackets; YAML no deeper than that plus its longest line
 * (the block nesting of a line is at most its length).
 */
function cannotBeTooDeep(text: string, syntax: 'json' | 'yaml'): boolean {
  let brackets = 0;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) brackets++;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) brackets++;
  if (syntax === 'json') return brackets <= MAX_NESTING;
  let longest = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    longest = Math.max(longest, end - start);
    start = end + 1;
  }
  return brackets + longest <= MAX_NESTING;
}

const OPEN = new Set(['[', '{']);
const CLOSE = new Set([']', '}']);

/** Offset of the bracket that opens level `max + 1` in JSON, outside strings. */
function jsonTooDeepAt(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (OPEN.has(c)) {
      if (++depth > max) return i;
    } else if (CLOSE.has(c)) depth--;
  }
  return undefined;
}

/**
 * An upper bound of YAML nesting: per line, the block nesting is at most its indentation plus
 * the indicators that follow it (`  - - ? `: each level takes a column or an indicator), plus
 * the flow brackets open at that point (quoted scalars and comments skipped).
 * Over-estimates only for text no one writes (hundreds of unclosed brackets inside a block
 * scalar); returns the offset where the bound first passes `max`.
 */
function yamlTooDeepAt(text: string, max: number): number | undefined {
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end === -1) end = text.length;
    let i = lineStart;
    let block = 0;
    if (quote === undefined) {
      // Indentation, then indicators ("- ", "? ", ": "): each level costs a column or an indicator.
      while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
      block = i - lineStart;
      while (i < end && '-?:'.includes(text[i]) && (i + 1 === end || text[i + 1] === ' ' || text[i + 1] === '\t')) {
        block++;
        i++;
        while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
      }
    }
    if (block + flow > max) return i;
    let previous = i > lineStart ? text[i - 1] : ' ';
    for (; i < end; i++) {
      const c = text[i];
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = undefined;
      } else if (quote === "'") {
        if (c === "'") quote = undefined;
      } else if (c === '#' && (previous === ' ' || previous === '\t')) {
        break;
      } else if ((c === '"' || c === "'") && ' \t[{,:-?'.includes(previous)) {
        quote = c;
      } else if (OPEN.has(c)) {
        if (block + ++flow > max) return i;
      } else if (CLOSE.has(c)) {
        flow = Math.max(0, flow - 1);
      }
      previous = c;
    }
    lineStart = end + 1;
  }
  return undefined;
}
