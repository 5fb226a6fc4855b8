/**
 * Provider packages are imported by deep path only (`@cdktf/provider-azurerm/lib/<resource>`):
 * the package root loads every resource (~1 s and ~400 MB per process).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SKIP = new Set(['node_modules', 'imports', 'cdktf.out', 'dist', '.git', '.gen']);
const PACKAGES = ['azurerm', 'time'];

/** Import or require of a provider package root (or its `lib` index), in any module syntax. */
const ROOT_IMPORT = new RegExp(
  String.raw`(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"\x60])@cdktf/provider-(?:${PACKAGES.join('|')})(?:/lib(?:/(?:index|lazy-index)(?:\.js)?)?)?/?\1`,
  'g',
);

function rootImports(source: string): string[] {
  return [...source.matchAll(ROOT_IMPORT)].map((m) => m[0]);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : tsFiles(path.join(dir, e.name));
    return e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [];
  });
}

test('the scanner catches every form of root import (control)', () => {
  const pkg = '@cdktf/' + 'provider-azurerm';
  const time = '@cdktf/' + 'provider-time';
  const bad = [
    `import { KeyVault } from '${pkg}';`,
    `import * as azurerm from "${pkg}/lib";`,
    `const t = require('${time}');`,
    `const a = await import('${pkg}/lib/index');`,
    `import '${time}';`,
    `export * from '${pkg}';`,
  ];
  for (const b of bad) expect({ b, found: rootImports(b).length }).toEqual({ b, found: 1 });
  const good = [`import { KeyVault } from '${pkg}/lib/key-vault';`, `import { Sleep } from '${time}/lib/sleep';`];
  for (const g of good) expect(rootImports(g)).toEqual([]);
});

test('no .ts file of the project imports a provider package root', () => {
  const files = tsFiles(ROOT);
  expect(files.length).toBeGreaterThan(10);
  const offenders = files.flatMap((f) => rootImports(readFileSync(f, 'utf8')).map((m) => `${path.relative(ROOT, f)}: ${m}`));
  expect(offenders).toEqual([]);
});
