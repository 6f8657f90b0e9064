/**
 * Reading and pre-scanning files, in this thread or on worker threads for cold checks of large workspaces.
 *
 * What crosses threads is chosen by cost. Most bytes of a real repository are documents no check reads (CRD
 * schemas), so reading, decoding and pre-scanning — the work proportional to all bytes — runs in the workers, and
 * only small plain data comes back: each file's scan and, when it holds documents to read, its text (a string,
 * which is copied cheaply). The YNode trees are built by the receiving thread: sending trees would cost more than
 * building them, because structured clone of many small objects is several times slower than the fast reader.
 *
 * Workers take batches of files from a shared counter, so a slow file (a large CRD) never leaves another worker idle
 * and the receiving thread, busy building trees, never has to hand out work.
 */
import { Worker } from 'node:worker_threads';
import { scanFile, skippedFileScan, type FileScan } from '../core/parse/parseFile';
import { readYamlFile } from './files';

export interface ScannedFile {
  scan: FileScan;
  /** The file's text: present only when some document needs reading. */
  text?: string;
}

export interface ScanOptions {
  /** Files longer than this many characters are skipped with a `file-skipped` problem. */
  maxFileLength: number;
}

/** A file that could not be read at all (it vanished, or permissions): the caller decides what that means. */
export class FileReadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads, decodes and pre-scans one file. */
export function readAndScan(file: string, options: ScanOptions): ScannedFile {
  let decoded;
  try {
    // A byte limit is applied before decoding, so that a huge file is never decoded; the exact limit, in
    // characters, is applied by the scan. Twice the character limit leaves room for multi-byte characters.
    decoded = readYamlFile(file, options.maxFileLength * 2);
  } catch (e) {
    throw new FileReadError(file, (e as Error).message);
  }
  if (!decoded.ok) return { scan: skippedFileScan(file, decoded.reason) };
  const scan = scanFile(file, decoded.text, options);
  return scan.toRead.length > 0 ? { scan, text: decoded.text } : { scan };
}

/** The data a scan worker starts with. Its presence in workerData is what makes a thread a scan worker. */
interface ScanWorkerData {
  routeDoctorScanWorker: {
    files: string[];
    options: ScanOptions;
    /** One Int32 shared by all workers: the index of the next batch to take. */
    next: SharedArrayBuffer;
    batchSize: number;
  };
}

type WorkerMessage =
  | { kind: 'batch'; start: number; results: ScannedFile[] }
  | { kind: 'read-error'; file: string; message: string }
  | { kind: 'done' };

export function isScanWorkerData(data: unknown): data is ScanWorkerData {
  return typeof data === 'object' && data !== null && 'routeDoctorScanWorker' in data;
}

/** The body of a scan worker: takes batches until none are left, posting each batch's results. */
export function serveScanWorker(data: ScanWorkerData, post: (message: WorkerMessage) => void): void {
  const { files, options, next, batchSize } = data.routeDoctorScanWorker;
  const counter = new Int32Array(next);
  for (;;) {
    const start = Atomics.add(counter, 0, 1) * batchSize;
    if (start >= files.length) break;
    const results: ScannedFile[] = [];
    for (let i = start; i < Math.min(files.length, start + batchSize); i++) {
      try {
        results.push(readAndScan(files[i]!, options));
      } catch (e) {
        if (!(e instanceof FileReadError)) throw e;
        post({ kind: 'read-error', file: e.file, message: e.message });
        return;
      }
    }
    post({ kind: 'batch', start, results });
  }
  post({ kind: 'done' });
}

export interface PoolOptions extends ScanOptions {
  /** The script each worker runs; it must call serveScanWorker when isScanWorkerData(workerData). */
  workerScript: string;
  threads: number;
}

/**
 * Reads and scans `files` on `threads` workers, calling `onFile` (in this thread, in arrival order) for each one.
 * Rejects with a FileReadError when a file cannot be read, and with the worker's error if a worker fails.
 */
export function scanInWorkers(files: readonly string[], options: PoolOptions, onFile: (index: number, scanned: ScannedFile) => void): Promise<void> {
  // Small batches balance the load; 16 files keep the per-message cost negligible against the reading.
  const batchSize = 16;
  const next = new SharedArrayBuffer(4);
  const workerData: ScanWorkerData = {
    routeDoctorScanWorker: { files: [...files], options: { maxFileLength: options.maxFileLength }, next, batchSize },
  };
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let running = options.threads;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(error);
    };
    for (let t = 0; t < options.threads; t++) {
      const worker = new Worker(options.workerScript, { workerData });
      workers.push(worker);
      let done = false;
      worker.on('message', (message: WorkerMessage) => {
        if (failed) return;
        if (message.kind === 'batch') {
          try {
            message.results.forEach((scanned, i) => onFile(message.start + i, scanned));
          } catch (e) {
            fail(e as Error);
          }
        } else if (message.kind === 'read-error') {
          fail(new FileReadError(message.file, message.message));
        } else {
          done = true;
          if (--running === 0) resolve();
        }
      });
      worker.on('error', (e) => fail(e));
      worker.on('exit', (code) => {
        if (!done) fail(new Error(`a scan worker stopped early (exit code ${code})`));
      });
    }
  });
}
