/**
 * Reads what synth wrote (or what a GitOps repo holds) for the check: the Terraform JSON, every
 * Kubernetes object under the manifests folder, and optionally the outputs file. Bad input stops
 * here with a `UserError` naming the file, position and fix; the check itself never throws on
 * content.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../lib/errors';
import { readInput } from '../lib/read-input';
import { locateContract, parseJson, type Json } from '../lib/outputs/read';
import type { SynthesizedInput } from './trust-chain';
import { isRecord } from './values';

export interface LoadSynthesizedOptions {
  /**
   * Folder of rendered manifests, e.g. `dist/dev`; read recursively, `*.yaml` and `*.yml`.
   * Undefined for an environment whose manifests were not rendered yet: the Terraform side alone.
   */
  readonly manifestsDir: string | undefined;
  /** Synthesized Terraform JSON, e.g. `cdktf.out/stacks/dev/cdk.tf.json`. */
  readonly terraformFile: string;
  /** `cdktf deploy --outputs-file` or `terraform output -json` file, or the bare contract. */
  readonly outputsFile?: string;
}

export function loadSynthesized(options: LoadSynthesizedOptions): SynthesizedInput {
  const terraform = {
    file: options.terraformFile,
    json: readJson(options.terraformFile, 'run synth first (the Terraform JSON is cdktf.out/stacks/<env>/cdk.tf.json)'),
  };
  const manifests = options.manifestsDir === undefined ? [] : readManifests(options.manifestsDir);
  if (options.outputsFile === undefined) return { terraform, manifests };
  const json = readJson(options.outputsFile, 'pass the file written by "cdktf deploy --outputs-file" or "terraform output -json"');
  const contract = unwrapContract(json, options.outputsFile, path.basename(path.dirname(options.terraformFile)));
  return { terraform, manifests, outputs: { file: options.outputsFile, contract } };
}

function readJson(file: string, fix: string): Json {
  return parseJson(readInput(file, { what: 'JSON file', fix, missing: `file not found: ${fix}`, syntax: 'json' }), file, fix);
}

function readManifests(dir: string): SynthesizedInput['manifests'] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UserError([
      { file: dir, path: '', message: 'folder not found: run synth first, or pass the folder holding the rendered manifests (dist/<env>)' },
    ]);
  }
  if (!stat.isDirectory()) {
    throw new UserError([{ file: dir, path: '', message: 'is a file, not a folder: pass the folder holding the rendered manifests (dist/<env>)' }]);
  }
  const manifests: { file: string; objects: unknown[] }[] = [];
  for (const file of yamlFiles(dir)) {
    const text = readInput(file, { what: 'manifest', fix: 'pass the folder holding the rendered manifests', syntax: 'yaml' });
    const docs = parseAllDocuments(text, { prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const objects: unknown[] = [];
    for (const doc of list) {
      const err = doc.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        throw new UserError([
          {
            file,
            path: '',
            ...(pos ? { position: `${pos.line}:${pos.col}` } : {}),
            message: `malformed YAML (${err.message.split('\n')[0]}): fix the file or re-render it`,
          },
        ]);
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (e) {
        throw new UserError([
          {
            file,
            path: '',
            message: `too many YAML alias references (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): write the values out instead of using anchors and aliases`,
          },
        ]);
      }
      if (!isRecord(value) || typeof value['apiVersion'] !== 'string' || typeof value['kind'] !== 'string') continue;
      if (value['kind'] === 'List' && Array.isArray(value['items'])) objects.push(...(value['items'] as unknown[]));
      else objects.push(value);
    }
    if (objects.length > 0) manifests.push({ file, objects });
  }
  if (manifests.length === 0) {
    throw new UserError([
      {
        file: dir,
        path: '',
        message: 'holds no Kubernetes objects (*.yaml with apiVersion and kind): run synth first, or pass the folder holding the rendered manifests',
      },
    ]);
  }
  return manifests;
}

/** `*.yaml`/`*.yml` below `dir`, hidden folders skipped, in a stable order. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(full));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out;
}

/**
 * The contract inside an outputs file, in any shape `locateContract` (lib/outputs/read.ts)
 * accepts. The check takes the outputs of the one stack a file holds even when its name differs
 * from the Terraform file's folder (a GitOps repository keeps it elsewhere): it compares the ids.
 */
export function unwrapContract(json: Json, file: string, stackHint: string): Json {
  return locateContract(json, file, { stackName: stackHint, anyOneStack: true }).value;
}
