/** Shared test helper: a folder's files as data, for "exactly these bytes" assertions. */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** Every regular file below `dir` with its text, keyed by relative path with `/` separators, in name order. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(dir, child));
      if (st.isDirectory()) walk(child);
      // Only regular files: reading a FIFO would block.
      else if (st.isFile()) out[child] = readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return out;
}

/**
 * Every entry below `dir` (hidden ones included; folders as `<path>/`), each file with the
 * sha256 of its bytes. Equal snapshots mean byte-identical trees, with no extra files or
 * leftover staging folders. A missing `dir` snapshots as `{}`.
 */
export function snapshotTree(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      if (skip(child)) continue;
      const st = lstatSync(path.join(dir, child));
      if (st.isDirectory()) {
        out[`${child}/`] = 'dir';
        walk(child);
      } else if (st.isFile()) {
        out[child] = createHash('sha256')
          .update(readFileSync(path.join(dir, child)))
          .digest('hex');
      } else {
        // A FIFO or socket would block or fail a read: its kind and mode are what can change.
        out[child] = st.isSymbolicLink() ? `link ${readlinkSync(path.join(dir, child))}` : `special ${st.mode}`;
      }
    }
  };
  walk('');
  return out;
}
