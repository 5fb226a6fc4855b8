/**
 * cdktf test apps whose output folders are removed after each test file: `Testing.app()`
 * creates a `cdktf.outdir.*` folder in the system temp folder per app and never removes it
 * (thousands per run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing, type App } from 'cdktf';

let root: string | undefined;

/** `Testing.app()` with its output folder under this file's temp folder. */
export function testingApp(): App {
  root ??= mkdtempSync(path.join(tmpdir(), 'akscsi-cdktf-'));
  return Testing.app({ outdir: mkdtempSync(path.join(root, 'app-')) });
}

/** Removes every app folder made so far (run after each test file, __tests__/setup-after-env.ts). */
export function removeTestingApps(): void {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
}
