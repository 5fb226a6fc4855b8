/** Shared test helper: a folder's files as data, for "exactly these bytes" assertions. */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Every file below `dir` with its text, keyed by relative path with `/` separators, in name order. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      if (lstatSync(path.join(dir, child)).isDirectory()) walk(child);
      else out[child] = readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return out;
}
