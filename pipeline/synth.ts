/**
 * The main job, in one process: Terraform JSON and rendered manifests for a set of environments,
 * the trust-chain check over both, and only then the move into place.
 *
 * Nothing is written until every environment has synthesized and passed the check: output is
 * built in a temporary folder and renamed into place, so a failed run leaves `cdktf.out/` and
 * the manifests folders exactly as they were.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { checkTrustChain, type Finding } from '../check';
import { UserError } from '../lib/errors';
import type { EnvironmentModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import { defaultOutputsFile, loadOutputs } from '../lib/outputs/load';
import { BackgroundWriter } from '../lib/background-writer';
import { makeScratchDir, stageFolder, type OutputFile, type StagedFolder } from '../lib/write';
import { synthTerraform } from '../stacks';
import { manifestsDirOf, TERRAFORM_OUT, terraformFileOf } from '../lib/paths';
import { renderManifests } from './manifests';
import { refuseStateIn } from '../lib/config/state-path';

/** From this many manifest files on, a second thread writes them (below, its start-up costs more than it saves). */
export const BACKGROUND_WRITE_MIN_FILES = 100;

export interface SynthOptions {
  /** Outputs file for the (single) environment. @default - environments/<env>.outputs.json */
  readonly outputsFile?: string;
  /** Folder for the (single) environment's manifests. @default - dist/<env> */
  readonly manifestsDir?: string;
  /** Folder of the Terraform output. @default cdktf.out */
  readonly terraformOut?: string;
  /** Run the trust-chain check and refuse to write on errors. @default true */
  readonly check?: boolean;
  /** Path of the (single) environment's folder in the GitOps repository. @default - see `gitopsPlacement` */
  readonly gitopsPath?: string;
  /** Told as each step of each environment finishes, so a long run shows progress. */
  readonly onProgress?: (event: SynthProgress) => void;
}

/**
 * A finished step. Manifests render one environment at a time; Terraform synthesizes every
 * stack in one cdktf app (so the stacks finish together); then each environment is checked.
 */
export type SynthProgress =
  | { readonly step: 'rendered'; readonly environment: string; readonly files: number }
  | { readonly step: 'terraform'; readonly environments: number }
  | { readonly step: 'checked'; readonly result: EnvironmentSynth };

export interface EnvironmentSynth {
  readonly model: EnvironmentModel;
  /** `cdktf.out/stacks/<env>/cdk.tf.json` */
  readonly terraformFile: string;
  readonly terraformJson: unknown;
  /** Folder the manifests go to; undefined when no outputs file exists yet. */
  readonly manifestsDir?: string;
  readonly manifests?: readonly OutputFile[];
  readonly outputsFile?: string;
  readonly outputs?: OutputsContract;
  /** Why manifests were not rendered, when they were not. */
  readonly skipped?: string;
  readonly findings: readonly Finding[];
}

export interface SynthRun {
  readonly environments: readonly EnvironmentSynth[];
  /** True when something was written (no check errors). */
  readonly written: boolean;
}

/** Synthesizes, checks and (when the check passes) writes the given environments. */
export function synthEnvironments(models: readonly EnvironmentModel[], options: SynthOptions = {}): SynthRun {
  if (models.length > 1 && (options.outputsFile !== undefined || options.manifestsDir !== undefined)) {
    throw UserError.of('command line', options.outputsFile !== undefined ? '--outputs' : '--out', 'applies to one environment: name it with --env NAME or --config FILE');
  }
  if (options.manifestsDir !== undefined) refuseStateIn(options.manifestsDir, models);
  const terraformOut = options.terraformOut ?? TERRAFORM_OUT;

  // Outputs first: they are user input, and bad input must stop the run before any work.
  const inputs = models.map((model) => {
    const explicit = options.outputsFile !== undefined;
    const outputsFile = options.outputsFile ?? defaultOutputsFile(model.name);
    if (!explicit && !existsSync(outputsFile)) {
      return { model, outputsFile: undefined, outputs: undefined, skipped: `no outputs file ${outputsFile} yet: run "aks-keyvault-csi deploy ${model.name}" (or write it by hand) to render manifests` };
    }
    return { model, outputsFile, outputs: loadOutputs(outputsFile, model), skipped: undefined };
  });

  // Render and stage each environment's manifests first. Once there are many files, a second
  // thread writes them while the next environments render, Terraform synthesizes and the check
  // runs (creating files is the largest and noisiest cost at scale). They land in staging
  // folders: nothing is replaced until every environment has passed the check and every file
  // is written.
  const rendered: ({ manifestsDir: string; manifests: OutputFile[] } | undefined)[] = [];
  const staged: StagedFolder[] = [];
  let writer: BackgroundWriter | undefined;
  let fileCount = 0;
  let staging: string | undefined;
  try {
    for (const { model, outputs } of inputs) {
      if (outputs === undefined) {
        rendered.push(undefined);
        continue;
      }
      const manifestsDir = options.manifestsDir ?? manifestsDirOf(model.name);
      const manifests = renderManifests(model, outputs, options.gitopsPath !== undefined ? { gitopsPath: options.gitopsPath } : {});
      options.onProgress?.({ step: 'rendered', environment: model.name, files: manifests.length });
      rendered.push({ manifestsDir, manifests });
      fileCount += manifests.length;
      if (writer === undefined && fileCount >= BACKGROUND_WRITE_MIN_FILES) writer = new BackgroundWriter();
      staged.push(stageFolder(manifestsDir, manifests, writer));
    }
    const outdir = (staging = stagingDir(terraformOut));
    synthTerraform(models, { outdir });
    options.onProgress?.({ step: 'terraform', environments: models.length });
    const results: EnvironmentSynth[] = inputs.map(({ model, outputsFile, outputs, skipped }, i) => {
      const terraformFile = terraformFileOf(model.stackName, terraformOut);
      const terraformJson: unknown = JSON.parse(readFileSync(path.join(outdir, 'stacks', model.stackName, 'cdk.tf.json'), 'utf8'));
      const r = rendered[i];
      if (outputs === undefined || outputsFile === undefined || r === undefined) {
        // Not deployed yet: nothing to render, but the Terraform side is checked all the same.
        const findings = options.check === false ? [] : checkTrustChain({ terraform: { file: terraformFile, json: terraformJson }, manifests: [] });
        const result: EnvironmentSynth = { model, terraformFile, terraformJson, findings, ...(skipped ? { skipped } : {}) };
        options.onProgress?.({ step: 'checked', result });
        return result;
      }
      const { manifestsDir, manifests } = r;
      // The check reads each file's object as rendered; the chart tests prove that parsing the
      // written YAML gives back exactly that object, so this is what a GitOps repository receives.
      const findings =
        options.check === false
          ? []
          : checkTrustChain({
              terraform: { file: terraformFile, json: terraformJson },
              manifests: manifests
                .filter((f) => f.path.endsWith('.yaml'))
                .map((f) => ({ file: path.join(manifestsDir, f.path), objects: [f.object ?? (parse(f.content) as unknown)] })),
              outputs: { file: outputsFile, contract: outputs },
            });
      const result: EnvironmentSynth = { model, terraformFile, terraformJson, manifestsDir, manifests, outputsFile, outputs, findings };
      options.onProgress?.({ step: 'checked', result });
      return result;
    });

    if (results.some((r) => r.findings.some((f) => f.severity === 'error'))) {
      return { environments: results, written: false };
    }
    // What can fail on bad input (a full disk, no permission) fails here, before anything is replaced.
    for (const s of staged) s.ready();
    for (const r of results) {
      moveStackIntoPlace(outdir, terraformOut, r.model.stackName);
    }
    writeManifest(outdir, terraformOut);
    for (const s of staged) s.commit();
    return { environments: results, written: true };
  } finally {
    // No-ops for the folders already committed.
    for (const s of staged) s.discard();
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
    writer?.close();
  }
}

function stagingDir(terraformOut: string): string {
  // A sibling of the output folder, so the final renames stay on one file system.
  const parent = path.dirname(path.resolve(terraformOut));
  mkdirSync(parent, { recursive: true });
  return makeScratchDir(parent, `.${path.basename(terraformOut)}-staging-`);
}

/** Replaces `cdktf.out/stacks/<stack>` with the staged one by renames. */
function moveStackIntoPlace(staging: string, terraformOut: string, stack: string): void {
  const target = path.join(terraformOut, 'stacks', stack);
  mkdirSync(path.dirname(target), { recursive: true });
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(path.join(staging, 'stacks', stack), target);
  rmSync(old, { recursive: true, force: true });
}

interface CdktfManifest {
  version: string;
  stacks: Record<string, unknown>;
  [key: string]: unknown;
}

/** Merges the staged `manifest.json` into the existing one, so synthesizing one environment keeps the others listed. */
function writeManifest(staging: string, terraformOut: string): void {
  const staged = JSON.parse(readFileSync(path.join(staging, 'manifest.json'), 'utf8')) as CdktfManifest;
  const target = path.join(terraformOut, 'manifest.json');
  let stacks: Record<string, unknown> = {};
  if (existsSync(target)) {
    try {
      stacks = (JSON.parse(readFileSync(target, 'utf8')) as CdktfManifest).stacks ?? {};
    } catch {
      stacks = {};
    }
  }
  const merged = { ...staged, stacks: Object.fromEntries(Object.entries({ ...stacks, ...staged.stacks }).sort(([a], [b]) => a.localeCompare(b))) };
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(tmp, target);
}
