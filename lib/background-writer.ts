/**
 * Writes files on a second thread while the main thread goes on computing.
 *
 * Creating a file costs the kernel far more than writing its bytes (0.05-1 ms per file on the
 * machines we measured, and very noisy), and a full-size synth creates well over a thousand
 * manifests. Done on a worker thread, that cost runs on another core while the main thread
 * synthesizes Terraform and runs the trust-chain check.
 *
 * The interface stays synchronous: `write` hands files over and returns at once; `wait` blocks
 * (Atomics.wait, allowed on Node's main thread) until that job is written and throws its error,
 * with the error's `code` (ENOSPC, EACCES, ...), as `writeFileSync` would have.
 *
 * The thread runs `lib/write-worker.ts`, compiled by scripts/build.cjs into `write-worker.js`
 * beside the command's bundle. Where there is no compiled worker (the sources run through tsx
 * without a build), `workerFile()` says so and callers write in-process.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** The compiled worker's file name, beside the bundle (scripts/build.cjs). */
export const WORKER_FILE = 'write-worker.js';

/**
 * The compiled worker: beside this code when it runs from the bundle, otherwise the current
 * build's (`.build/BUILD.json`, as under jest, whose global setup builds it); undefined when
 * there is no build.
 */
export function workerFile(): string | undefined {
  const beside = path.join(__dirname, WORKER_FILE);
  if (existsSync(beside)) return beside;
  try {
    const build = path.join(__dirname, '..', '.build');
    const { id } = JSON.parse(readFileSync(path.join(build, 'BUILD.json'), 'utf8')) as { id: string };
    const file = path.join(build, id, WORKER_FILE);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Files to write under `root` (which exists); paths are relative, with `/` separators. */
export interface WriteJob {
  readonly root: string;
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

interface JobResult {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string; readonly path?: string };
}

/** How long `wait` blocks for one job before it gives up (a stuck file system, a dead worker). */
const WAIT_LIMIT_MS = 10 * 60 * 1000;

export class BackgroundWriter {
  private readonly worker: Worker;
  private readonly results: MessagePort;
  /**
   * Slot 0 counts finished jobs (the worker bumps it and notifies after posting each result);
   * slot 1 is set when the worker thread has exited.
   */
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private readonly finished = new Map<number, JobResult>();
  /** Jobs already reported by `wait`: a second wait would block until the time limit. */
  private readonly reported = new Set<number>();
  private nextId = 0;
  private closed = false;

  /** Starts the thread from the compiled worker `file` (see `workerFile`). */
  constructor(file: string) {
    const channel = new MessageChannel();
    this.results = channel.port1;
    this.worker = new Worker(file, { workerData: { signal: this.signal.buffer, results: channel.port2 }, transferList: [channel.port2] });
    // An uncaught error ends the thread; `wait` reports that through the exit flag, so the
    // event itself (which would otherwise crash the process later) is only noted.
    this.worker.on('error', () => undefined);
    // Neither keeps the process alive: `wait` never needs the event loop.
    this.worker.unref();
    this.results.unref();
  }

  /** Hands the files over; returns the job's id for `wait`. */
  write(job: WriteJob): number {
    if (this.closed) throw new Error('BackgroundWriter: write after close');
    const id = this.nextId++;
    // Only path and content cross the thread: callers pass OutputFiles, whose rendered objects
    // would otherwise be cloned too.
    this.worker.postMessage({ id, root: job.root, files: job.files.map((f) => ({ path: f.path, content: f.content })) });
    return id;
  }

  /** Blocks until job `id` is written; throws its error (with `code`) when it failed. */
  wait(id: number): void {
    if (this.closed) throw new Error(`BackgroundWriter: job ${id} was not waited for before close`);
    if (this.reported.has(id)) throw new Error(`BackgroundWriter: job ${id} was already waited for`);
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      for (let m = receiveMessageOnPort(this.results); m !== undefined; m = receiveMessageOnPort(this.results)) {
        const result = m.message as JobResult;
        this.finished.set(result.id, result);
      }
      const result = this.finished.get(id);
      if (result !== undefined) {
        this.finished.delete(id);
        this.reported.add(id);
        if (result.error !== undefined) {
          const { message, ...fields } = result.error;
          throw Object.assign(new Error(message), fields);
        }
        return;
      }
      if (Atomics.load(this.signal, 1) === 1) {
        // Drain once more: the last result may have been posted just before the thread ended.
        const last = receiveMessageOnPort(this.results)?.message as JobResult | undefined;
        if (last !== undefined) {
          this.finished.set(last.id, last);
          continue;
        }
        throw new Error(`BackgroundWriter: job ${id} was not written: the writer thread stopped unexpectedly`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`BackgroundWriter: job ${id} not written after ${WAIT_LIMIT_MS / 1000} s`);
      // Returns at once when a result was posted after `seen` was read.
      Atomics.wait(this.signal, 0, seen, Math.min(left, 1000));
    }
  }

  /** Stops the worker; jobs not waited for may be cut short. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.results.close();
    void this.worker.terminate();
  }
}
