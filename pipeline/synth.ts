/**
 * The main job, in one process: Terraform JSON and rendered manifests for a set of environments,
 * the trust-chain check over both, and only then the commit.
 *
 * Every output folder is locked for the run and written through `lib/write.ts`: nothing changes
 * until every environment has synthesized, passed the check and been staged; then only files
 * this tool owns are replaced or deleted (a GitOps checkout's `.git`, README and other apps stay
 * untouched).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { checkTrustChain, type Finding } from '../check';
import { UserError } from '../lib/errors';
import { fileFault } from '../lib/file-faults';
import type { EnvironmentModel } from '../lib/model';
import type { OutputsContract } from '../lib/outputs/contract';
import { defaultOutputsFile, loadOutputs } from '../lib/outputs/load';
import { BackgroundWriter, workerFile } from '../lib/background-writer';
import { OutputTransaction, type FolderReport, type OutputFile, type OutputOptions } from '../lib/write';
import { synthTerraform } from '../stacks';
import { ENVIRONMENTS_DIR, manifestsDirOf, TERRAFORM_OUT, terraformFileOf } from '../lib/paths';
import { fleetsOf, retiredFleetDirs } from './fleet';
import { renderFleetFolder } from './fleet-folder';
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
  /** Take ownership of the files the render writes in a manifests folder that has no ownership record. @default false */
  readonly adopt?: boolean;
  /** How long to wait for another run that holds a folder's lock. @default 60_000 */
  readonly lockTimeoutMs?: number;
  /** Told when this run waits for another one's lock. */
  readonly onWait?: OutputOptions['onWait'];
  /** Told what is worth saying about the folders (stale lock removed, interrupted write undone). */
  readonly onNote?: OutputOptions['onNote'];
  /** Path of the (single) environment's folder in the GitOps repository. @default - see `gitopsPlacement` */
  readonly gitopsPath?: string;
  /** Told as each step of each environment finishes, so a long run shows progress. */
  readonly onProgress?: (event: SynthProgress) => void;
  /**
   * The models are every environment file, so a fleet folder (`dist/fleet/<tool>/`) is replaced:
   * a member no longer among them is removed. Otherwise its members' files are only added or
   * updated. @default false
   */
  readonly allEnvironments?: boolean;
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
  /** True when the outputs were committed (no check errors). */
  readonly written: boolean;
  /** What the commit did in each folder (empty when nothing was written). */
  readonly folders: readonly FolderReport[];
  /** The fleets rendered (`output.gitops.fleet`): each tool's folder and its files. */
  readonly fleets: readonly { readonly tool: string; readonly dir: string; readonly files: readonly OutputFile[] }[];
}

/** Synthesizes, checks and (when the check passes) writes the given environments. */
export function synthEnvironments(models: readonly EnvironmentModel[], options: SynthOptions = {}): SynthRun {
  if (models.length > 1 && (options.outputsFile !== undefined || options.manifestsDir !== undefined)) {
    throw UserError.of(
      'command line',
      options.outputsFile !== undefined ? '--outputs' : '--out',
      'applies to one environment: name it with --env NAME or --config FILE',
    );
  }
  const terraformOut = options.terraformOut ?? TERRAFORM_OUT;

  // Outputs first: they are user input, and bad input must stop the run before any work.
  const inputs = models.map((model) => {
    const explicit = options.outputsFile !== undefined;
    const outputsFile = options.outputsFile ?? defaultOutputsFile(model.name);
    if (!explicit && !existsSync(outputsFile)) {
      return {
        model,
        outputsFile: undefined,
        outputs: undefined,
        skipped: `no outputs file ${outputsFile} yet: run "aks-keyvault-csi deploy ${model.name}" (or write it by hand) to render manifests`,
      };
    }
    return { model, outputsFile, outputs: loadOutputs(outputsFile, model), skipped: undefined };
  });

  const fleets = fleetsOf(models);
  // Every environment is here: a fleet none of them joins any more loses its files.
  const retired = options.allEnvironments === true ? retiredFleetDirs(models) : [];
  const targets = inputs.map(({ model, outputs }) => (outputs === undefined ? undefined : (options.manifestsDir ?? manifestsDirOf(model.name))));
  // Refuses a folder that must not be written, and locks them all, before any work.
  const tx = OutputTransaction.open(
    [
      { dir: terraformOut, ownership: { kind: 'paths', paths: ['manifest.json', ...models.map((m) => `stacks/${m.stackName}`)] } },
      ...targets.filter((t): t is string => t !== undefined).map((dir) => ({ dir })),
      ...[...fleets.map((f) => f.dir), ...retired].map((dir) => ({ dir })),
    ],
    {
      command: 'synth',
      adopt: options.adopt === true,
      ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
      project: { root: '.', environmentsDir: ENVIRONMENTS_DIR, terraformOut },
      ...(options.onWait ? { onWait: options.onWait } : {}),
      ...(options.onNote ? { onNote: options.onNote } : {}),
    },
  );

  // Render and stage each environment's manifests first. Once there are many files, a second
  // thread writes them while the next environments render, Terraform synthesizes and the check
  // runs (creating files is the largest and noisiest cost at scale). They land in scratch
  // folders: nothing is replaced until every environment has passed the check and every file
  // is written.
  const rendered: (OutputFile[] | undefined)[] = [];
  let writer: BackgroundWriter | undefined;
  let fileCount = 0;
  let cdktfDir: string | undefined;
  try {
    // After the project's own folders are refused (opening the transaction): a state file in the folder.
    if (options.manifestsDir !== undefined) refuseStateIn(options.manifestsDir, models);
    inputs.forEach(({ model, outputs }, i) => {
      const dir = targets[i];
      if (outputs === undefined || dir === undefined) {
        rendered.push(undefined);
        return;
      }
      const manifests = renderManifests(model, outputs, options.gitopsPath !== undefined ? { gitopsPath: options.gitopsPath } : {});
      options.onProgress?.({ step: 'rendered', environment: model.name, files: manifests.length });
      rendered.push(manifests);
      fileCount += manifests.length;
      if (writer === undefined && fileCount >= BACKGROUND_WRITE_MIN_FILES) {
        const file = workerFile();
        if (file !== undefined) writer = new BackgroundWriter(file);
      }
      tx.stage(dir, manifests, writer ? { writer } : {});
    });
    // Each fleet's folder: the members' settings only, so environments without outputs yet count too.
    const memberPaths = new Map(options.gitopsPath !== undefined && models.length === 1 ? [[models[0].name, options.gitopsPath]] : []);
    const fleetFiles = fleets.map((fleet) => ({ tool: fleet.tool, dir: fleet.dir, files: renderFleetFolder(fleet, memberPaths) }));
    for (const f of fleetFiles) tx.stage(f.dir, f.files, { mode: options.allEnvironments === true ? 'replace' : 'add' });
    for (const dir of retired) tx.stage(dir, []);
    cdktfDir = scratchForCdktf();
    synthTerraform(models, { outdir: cdktfDir });
    options.onProgress?.({ step: 'terraform', environments: models.length });
    const results: EnvironmentSynth[] = inputs.map(({ model, outputsFile, outputs, skipped }, i) => {
      const terraformFile = terraformFileOf(model.stackName, terraformOut);
      const terraformJson: unknown = JSON.parse(readFileSync(path.join(cdktfDir!, 'stacks', model.stackName, 'cdk.tf.json'), 'utf8'));
      const manifests = rendered[i];
      const manifestsDir = targets[i];
      if (outputs === undefined || outputsFile === undefined || manifests === undefined || manifestsDir === undefined) {
        // Not deployed yet: nothing to render, but the Terraform side is checked all the same.
        const findings = options.check === false ? [] : checkTrustChain({ terraform: { file: terraformFile, json: terraformJson }, manifests: [] });
        const result: EnvironmentSynth = { model, terraformFile, terraformJson, findings, ...(skipped ? { skipped } : {}) };
        options.onProgress?.({ step: 'checked', result });
        return result;
      }
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
      return { environments: results, written: false, folders: [], fleets: fleetFiles };
    }
    tx.stage(terraformOut, terraformFiles(cdktfDir, terraformOut, models));
    const folders = tx.commit();
    return { environments: results, written: true, folders, fleets: fleetFiles };
  } finally {
    tx.close();
    if (cdktfDir !== undefined) rmSync(cdktfDir, { recursive: true, force: true });
    writer?.close();
  }
}

/** A private folder for cdktf to synthesize into; what it writes is read back and committed like any output. */
function scratchForCdktf(): string {
  try {
    return mkdtempSync(path.join(os.tmpdir(), 'aks-keyvault-csi-cdktf-'));
  } catch (e) {
    const fix = 'creating a temporary folder for cdktf (set TMPDIR to a writable folder)';
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw UserError.of(os.tmpdir(), '', `the temporary folder does not exist: set TMPDIR to a writable folder`);
    throw fileFault(e, os.tmpdir(), fix) ?? e;
  }
}

/** The files of `cdktf.out` for these stacks: each stack's folder, and `manifest.json` listing them with the stacks already there. */
function terraformFiles(cdktfDir: string, terraformOut: string, models: readonly EnvironmentModel[]): OutputFile[] {
  const files: OutputFile[] = [];
  for (const m of models) {
    const stackDir = path.join(cdktfDir, 'stacks', m.stackName);
    for (const rel of filesBelow(stackDir))
      files.push({ path: `stacks/${m.stackName}/${rel}`, content: readFileSync(path.join(stackDir, ...rel.split('/')), 'utf8') });
  }
  files.push({ path: 'manifest.json', content: mergedManifest(cdktfDir, terraformOut) });
  return files;
}

function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(path.join(dir, rel)).isDirectory() ? filesBelow(dir, rel) : [rel];
    });
}

interface CdktfManifest {
  version: string;
  stacks: Record<string, unknown>;
  [key: string]: unknown;
}

/** The new `manifest.json`, merged into the existing one so synthesizing one environment keeps the others listed. */
function mergedManifest(cdktfDir: string, terraformOut: string): string {
  const staged = JSON.parse(readFileSync(path.join(cdktfDir, 'manifest.json'), 'utf8')) as CdktfManifest;
  let stacks: Record<string, unknown> = {};
  try {
    stacks = (JSON.parse(readFileSync(path.join(terraformOut, 'manifest.json'), 'utf8')) as CdktfManifest).stacks ?? {};
  } catch {
    // None yet, or unreadable: it is ours, and rewritten from the stacks of this run.
  }
  const merged = { ...staged, stacks: Object.fromEntries(Object.entries({ ...stacks, ...staged.stacks }).sort(([a], [b]) => a.localeCompare(b))) };
  return `${JSON.stringify(merged, null, 2)}\n`;
}
