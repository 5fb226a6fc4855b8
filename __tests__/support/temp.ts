/** Shared test helper: temporary folders, removed after the tests of the file (or describe block) that asked for them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A maker of fresh folders under the system's temporary folder (`<prefix>XXXXXX`). Call it at the
 * top of a test file or describe block: every folder it makes is removed in that scope's `afterAll`.
 */
export function tempFolders(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
