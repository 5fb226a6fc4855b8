/**
 * Vendors Argo CD's ApplicationSet and Application CRDs (argoproj/argo-cd
 * manifests/crds/applicationset-crd.yaml and application-crd.yaml) into imports/crds/, cut to
 * what this project renders, for the tests to validate the fleet's ApplicationSet and the
 * bootstrap Applications against:
 *
 *   npx tsx scripts/vendor-argocd-crds.ts <argo-cd checkout> <commit or tag>
 *
 * Cut: every `description` (the ApplicationSet CRD is 1.4 MB, mostly repeated descriptions), and
 * every ApplicationSet generator but `git` (the only one rendered; `matrix` and `merge` nest all
 * the others again). Nothing else changes: the schema of every field kept is upstream's.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';

type Json = Record<string, unknown>;

const OUT = path.join(__dirname, '..', 'imports', 'crds');
const GENERATOR = 'git';

function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Json)
      .filter(([k, v]) => !(k === 'description' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}

function onlyGitGenerator(crd: Json): Json {
  for (const v of (crd.spec as { versions: { schema: { openAPIV3Schema: Json } }[] }).versions) {
    const spec = ((v.schema.openAPIV3Schema.properties as Json).spec as Json).properties as Json;
    const generators = ((spec.generators as Json).items as Json).properties as Json;
    if (!(GENERATOR in generators)) throw new Error(`ApplicationSet CRD: no ${GENERATOR} generator`);
    for (const name of Object.keys(generators)) if (name !== GENERATOR) delete generators[name];
  }
  return crd;
}

const [checkout, revision] = process.argv.slice(2);
if (checkout === undefined || revision === undefined) throw new Error('usage: vendor-argocd-crds.ts <argo-cd checkout> <commit or tag>');
const show = (file: string) => execFileSync('git', ['-C', checkout, 'show', `${revision}:${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const commit = execFileSync('git', ['-C', checkout, 'rev-parse', revision], { encoding: 'utf8' }).trim();

for (const [file, out, cut, prune] of [
  ['manifests/crds/applicationset-crd.yaml', 'argoproj.io_applicationsets.yaml', `descriptions, generators other than ${GENERATOR}`, onlyGitGenerator],
  ['manifests/crds/application-crd.yaml', 'argoproj.io_applications.yaml', 'descriptions', (crd: Json) => crd],
] as const) {
  const crd = prune(withoutDescriptions(parse(show(file))) as Json);
  const header = `# Vendored by scripts/vendor-argocd-crds.ts from argoproj/argo-cd ${file} at ${commit} (cut: ${cut}). Do not edit.\n`;
  writeFileSync(path.join(OUT, out), header + stringify(crd, { lineWidth: 0 }));
  console.log(`wrote ${path.relative(process.cwd(), path.join(OUT, out))}`);
}
