/**
 * The background writer's thread (`lib/background-writer.ts`): a module of its own, compiled by
 * scripts/build.cjs into `write-worker.js` beside the command's bundle. It writes each job it is
 * sent with `writeFilesInto`, the loop the in-process path runs too, then posts the result and
 * wakes the main thread, which waits with `Atomics.wait`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { writeFilesInto } from './write-files';

interface WorkerData {
  readonly signal: SharedArrayBuffer;
  readonly results: MessagePort;
}

interface Job {
  readonly id: number;
  readonly root: string;
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

const { signal: buffer, results } = workerData as WorkerData;
const signal = new Int32Array(buffer);

/** Slot 0 counts finished jobs; slot 1 says the thread is gone, so waits stop at once. */
function wake(): void {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

process.on('exit', () => {
  Atomics.store(signal, 1, 1);
  wake();
});

parentPort?.on('message', ({ id, root, files }: Job) => {
  try {
    writeFilesInto({ fs, path }, root, files);
    results.postMessage({ id });
  } catch (e) {
    const { message, code, path: file } = e as NodeJS.ErrnoException;
    results.postMessage({
      id,
      error: { message: String(message), ...(typeof code === 'string' ? { code } : {}), ...(typeof file === 'string' ? { path: file } : {}) },
    });
  }
  wake();
});
