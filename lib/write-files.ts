/**
 * The loop that writes rendered files into a staging folder: the one implementation, run
 * in-process by `lib/write.ts` and on a second thread by `lib/write-worker.ts`.
 */

/** The two file system calls the loop makes (Node's `fs` fits). */
export interface FileWriter {
  mkdirSync(dir: string, options: { recursive: true }): unknown;
  writeFileSync(file: string, content: string, encoding: 'utf8'): void;
}

/** The two path functions the loop uses (Node's `path` fits). */
export interface PathJoiner {
  join(...parts: string[]): string;
  dirname(p: string): string;
}

/** Writes each file below `root` (which exists), creating folders as needed; paths use `/`. */
export function writeFilesInto(
  { fs, path }: { readonly fs: FileWriter; readonly path: PathJoiner },
  root: string,
  files: readonly { readonly path: string; readonly content: string }[],
): void {
  const made = new Set<string>();
  for (const f of files) {
    const file = path.join(root, ...f.path.split('/'));
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(file, f.content, 'utf8');
  }
}
