/**
 * Reading a large workspace on worker threads, while this thread builds the trees.
 *
 * What crosses threads is chosen by cost. Most bytes of a real repository are documents no check reads (CRD
 * schemas), so reading, decoding and pre-scanning — the work proportional to all bytes — runs in the workers, which
 * take batches of files from a shared counter so that a large CRD never leaves one idle. Only small data comes back:
 * each file's scan and, when it has documents to read, its text (a string, copied cheaply). The YNode trees are
 * built here: structured clone of many small objects is several times slower than building them with the fast
 * reader, so sending trees would cost more than it saves. Until the first worker has started (each loads its script,
 * which takes a while), this thread reads batches itself, so that it never sits idle waiting for them.
 *
 * The workers run a script of their own, server/out/readWorker.js (readWorker.ts), which holds only the reading and
 * pre-scanning code: loading the whole CLI bundle added about 90 ms of CPU to each worker's start, this script next
 * to nothing.
 *
 * This thread is the one the check waits for (it builds every tree, then analyses), so the workers leave it a core of
 * its own: one worker on two cores, two beyond. Measured on 10,000 files and two cores, a second worker made the
 * cold check about 270 ms slower (median of 8 alternating runs), since three busy threads share the two cores.
 *
 * Analysis stays on this thread. Sharing it would need the whole index, so a second copy of every tree, in a second
 * thread: measured on 10,000 files, that took the peak RSS over 450 MB.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readScanned, type ParsedFile } from '../core/parse/parseFile';
import { FileReadError, readAndScan, type ScannedFile, type ScanOptions } from '../host/scan';

/** The workers' script, built beside the CLI bundle (esbuild.mjs): the path holds only in the bundles of server/out. */
export const readWorkerScript = join(__dirname, 'readWorker.js');

/** Files per batch: small enough to balance the load, large enough that messages cost nothing. */
const batchSize = 16;

interface ReadWorkerData {
  routeDoctorReadWorker: {
    files: string[];
    options: ScanOptions;
    /** One Int32 shared by the workers and the main thread: the index of the next batch of files to read. */
    nextBatch: SharedArrayBuffer;
    /** One Int32: how many workers have started. */
    started: SharedArrayBuffer;
  };
}

/** Sent by a worker. */
type Report =
  | { kind: 'batch'; start: number; results: ScannedFile[] }
  | { kind: 'read-error'; file: string; message: string }
  | { kind: 'done' };

export function isReadWorkerData(data: unknown): data is ReadWorkerData {
  return typeof data === 'object' && data !== null && 'routeDoctorReadWorker' in data;
}

/** The body of a worker: reads and scans batches of files until none are left. */
export function serveReadWorker(data: ReadWorkerData, port: { postMessage(message: Report): void }): void {
  const { files, options, nextBatch, started } = data.routeDoctorReadWorker;
  Atomics.add(new Int32Array(started), 0, 1);
  try {
    forEachBatch(nextBatch, files, options, (start, results) => port.postMessage({ kind: 'batch', start, results }));
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    port.postMessage({ kind: 'read-error', file: e.file, message: e.message });
    return;
  }
  port.postMessage({ kind: 'done' });
}

/**
 * Reads and scans batches taken from the shared counter, while `more()` allows and batches are left; calls `take`
 * with each batch's results. Throws a FileReadError for a file that cannot be read.
 */
function forEachBatch(nextBatch: SharedArrayBuffer, files: readonly string[], options: ScanOptions, take: (start: number, results: ScannedFile[]) => void, more = () => true): void {
  const counter = new Int32Array(nextBatch);
  while (more()) {
    const start = Atomics.add(counter, 0, 1) * batchSize;
    if (start >= files.length) return;
    const results: ScannedFile[] = [];
    for (let i = start; i < Math.min(files.length, start + batchSize); i++) results.push(readAndScan(files[i]!, options));
    take(start, results);
  }
}

export interface ReadResult {
  /** Every file's parse, in the files' order. */
  parsed: ParsedFile[];
  /** The texts of the files that had documents to read. */
  texts: Map<string, string>;
}

/**
 * Reads and parses `files` with workers running `workerScript` (readWorkerScript, or a script that calls
 * serveReadWorker likewise). Rejects with a FileReadError when a file cannot be read, and with the worker's
 * error when a worker fails.
 */
export function readInWorkers(files: readonly string[], options: ScanOptions, workerScript: string): Promise<ReadResult> {
  const parsed: ParsedFile[] = new Array(files.length);
  const texts = new Map<string, string>();
  const accept = (start: number, results: ScannedFile[]): void => {
    results.forEach((scanned, i) => {
      const at = start + i;
      parsed[at] = readScanned(scanned.scan, scanned.text ?? '');
      if (scanned.text !== undefined) texts.set(files[at]!, scanned.text);
    });
  };
  const started = new SharedArrayBuffer(4);
  const workerData: ReadWorkerData = { routeDoctorReadWorker: { files: [...files], options, nextBatch: new SharedArrayBuffer(4), started } };
  // The workers' allocations are short-lived (file buffers, texts sent away): a small young generation collects
  // them as cheaply and keeps their memory low.
  const count = Math.min(2, Math.max(1, availableParallelism() - 1));
  const workers = Array.from({ length: count }, () => new Worker(workerScript, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } }));
  try {
    const startedCount = new Int32Array(started);
    forEachBatch(workerData.routeDoctorReadWorker.nextBatch, files, options, accept, () => Atomics.load(startedCount, 0) === 0);
  } catch (e) {
    for (const w of workers) void w.terminate();
    return Promise.reject(e);
  }
  return new Promise<ReadResult>((resolve, reject) => {
    let running = workers.length;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(error);
    };
    for (const worker of workers) {
      let done = false;
      worker.on('message', (message: Report) => {
        if (failed) return;
        if (message.kind === 'batch') {
          try {
            accept(message.start, message.results);
          } catch (e) {
            fail(e as Error);
          }
        } else if (message.kind === 'read-error') {
          fail(new FileReadError(message.file, message.message));
        } else {
          done = true;
          if (--running === 0) resolve({ parsed, texts });
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!done) fail(new Error(`a read worker stopped early (exit code ${code})`));
      });
    }
  });
}
