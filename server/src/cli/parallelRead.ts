/**
 * Reading a large workspace on worker threads, while this thread builds the trees.
 *
 * What crosses threads is chosen by cost. Most bytes of a real repository are documents no check reads (CRD
 * schemas), so reading, decoding and pre-scanning — the work proportional to all bytes — runs in the workers, which
 * take batches of files from a shared counter so that a large CRD never leaves one idle. Only small data comes back:
 * each file's scan and, when it has documents to read, its text (a string, copied cheaply). The YNode trees are
 * built here: structured clone of many small objects is several times slower than building them with the fast
 * reader, so sending trees would cost more than it saves. This thread reads batches too, between building the trees
 * of the batches the workers have sent (at first, while the workers load their script, it reads alone).
 *
 * This thread is the one the check waits for (it builds every tree, then analyses), so the workers leave it a core of
 * its own: one worker on two cores, two beyond. Measured on 10,000 files and two cores, a second worker made the
 * cold check about 270 ms slower (median of 8 alternating runs), since three busy threads share the two cores.
 *
 * The analysis needs the whole index, so it stays on this thread. Sharing it would need a second copy of every tree,
 * in a second thread: measured on 10,000 files, that took the peak RSS over 450 MB. One part of it needs nothing but
 * a rule's text, though: parsing the routes' match rules, about 200 ms of the analysis of 10,000 files. A worker
 * keeps ahead of this thread while they read, so it has time to spare for that: it reads the routes of the
 * IngressRoutes of each batch and parses their rules, and sends with the batch the keys of the rules that parse
 * without problems (short strings: what would their results cost to send, with their trees, is what parsing them
 * costs). The rule checks skip those rules (primeRulesWithoutProblems); the others, with problems to report, are
 * parsed again here.
 *
 * The workers run a script of their own, server/out/readWorker.js (readWorker.ts), which holds only the reading,
 * pre-scanning and rule code: loading the whole CLI bundle added about 90 ms of CPU to each worker's start.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { readScanned, type ParsedFile } from '../core/parse/parseFile';
import { rulesWithoutProblems, type TraefikVersion } from '../core/rulelang/parser';
import { scannedRuleRequests } from '../core/rules/ruleLanguageChecks';
import { FileReadError, readAndScan, type ScannedFile, type ScanOptions } from '../host/scan';

/** The workers' script, built beside the CLI bundle (esbuild.mjs): the path holds only in the bundles of server/out. */
export const readWorkerScript = join(__dirname, 'readWorker.js');

/** Files per batch: small enough to balance the load, large enough that messages cost nothing. */
const batchSize = 16;

interface ReadWorkerData {
  routeDoctorReadWorker: {
    files: string[];
    options: ScanOptions;
    /** The Traefik version the rules are parsed for. */
    traefik: TraefikVersion;
    /** One Int32 shared by the workers and the main thread: the index of the next batch of files to read. */
    nextBatch: SharedArrayBuffer;
    /** Where the worker sends its reports. */
    port: MessagePort;
  };
}

/** Sent by a worker. */
type Report =
  | { kind: 'batch'; start: number; results: ScannedFile[]; rulesWithoutProblems: string[] }
  | { kind: 'read-error'; file: string; message: string }
  | { kind: 'done' };

export function isReadWorkerData(data: unknown): data is ReadWorkerData {
  return typeof data === 'object' && data !== null && 'routeDoctorReadWorker' in data;
}

/** The body of a worker: reads and scans batches of files until none are left, then closes its port. */
export function serveReadWorker(data: ReadWorkerData): void {
  const { files, options, traefik, nextBatch, port } = data.routeDoctorReadWorker;
  const send = (report: Report): void => port.postMessage(report);
  try {
    forEachBatch(nextBatch, files, options, (start, results) => {
      const requests = results.flatMap((r) => (r.text !== undefined ? scannedRuleRequests(r.scan, r.text, traefik) : []));
      send({ kind: 'batch', start, results, rulesWithoutProblems: rulesWithoutProblems(requests) });
    });
    send({ kind: 'done' });
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    send({ kind: 'read-error', file: e.file, message: e.message });
  } finally {
    port.close();
  }
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
  /** Keys of rules the workers found to parse without problems (for primeRulesWithoutProblems). */
  rulesWithoutProblems?: Set<string>;
}

/**
 * Reads and parses `files` with workers running `workerScript` (readWorkerScript, or a script that calls
 * serveReadWorker likewise), which also parse the rules for Traefik `traefik`. Rejects with a FileReadError when a
 * file cannot be read, and with the worker's error when a worker fails.
 *
 * This thread takes part in the reading: it builds the trees of every batch the workers have sent, then reads one
 * batch itself, and so on (the workers' reports are taken synchronously, with receiveMessageOnPort, so that this
 * loop never yields). Neither side then waits for the other, however the work divides between them; measured on
 * 10,000 files, this thread read 40 to 110 of the 625 batches. Reading only when no report waits made no measurable
 * difference (8 alternating runs).
 */
export function readInWorkers(files: readonly string[], options: ScanOptions, traefik: TraefikVersion, workerScript: string): Promise<ReadResult> {
  const parsed: ParsedFile[] = new Array(files.length);
  const texts = new Map<string, string>();
  const withoutProblems = new Set<string>();
  const accept = (start: number, results: ScannedFile[]): void => {
    results.forEach((scanned, i) => {
      const at = start + i;
      parsed[at] = readScanned(scanned.scan, scanned.text ?? '');
      if (scanned.text !== undefined) texts.set(files[at]!, scanned.text);
    });
  };
  const nextBatch = new SharedArrayBuffer(4);
  // The workers' allocations are short-lived (file buffers, texts sent away): a small young generation collects
  // them as cheaply and keeps their memory low.
  const count = Math.min(2, Math.max(1, availableParallelism() - 1));
  const workers = Array.from({ length: count }, () => {
    const { port1, port2 } = new MessageChannel();
    const workerData: ReadWorkerData = { routeDoctorReadWorker: { files: [...files], options, traefik, nextBatch, port: port2 } };
    const thread = new Worker(workerScript, { workerData, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    return { port: port1, thread, done: false };
  });
  let failure: Error | undefined;
  const handle = (worker: (typeof workers)[number], report: Report): void => {
    if (failure) return;
    if (report.kind === 'batch') {
      accept(report.start, report.results);
      for (const key of report.rulesWithoutProblems) withoutProblems.add(key);
    } else if (report.kind === 'read-error') {
      failure = new FileReadError(report.file, report.message);
    } else {
      worker.done = true;
    }
  };
  const drain = (): void => {
    for (const worker of workers) {
      for (let received = receiveMessageOnPort(worker.port); received && !failure; received = receiveMessageOnPort(worker.port)) handle(worker, received.message as Report);
    }
  };
  const stop = (): void => {
    for (const worker of workers) {
      worker.port.close();
      void worker.thread.terminate();
    }
  };
  try {
    forEachBatch(nextBatch, files, options, accept, () => {
      drain();
      return failure === undefined;
    });
    drain();
  } catch (e) {
    failure ??= e as Error;
  }
  if (failure) {
    stop();
    return Promise.reject(failure);
  }
  // Every batch is taken: what is left is the workers' last batches and their "done".
  return new Promise<ReadResult>((resolve, reject) => {
    const settle = (): void => {
      if (failure) {
        stop();
        reject(failure);
      } else if (workers.every((w) => w.done)) {
        for (const worker of workers) worker.port.close();
        resolve({ parsed, texts, rulesWithoutProblems: withoutProblems });
      }
    };
    for (const worker of workers) {
      worker.port.on('message', (report: Report) => {
        try {
          handle(worker, report);
        } catch (e) {
          failure ??= e as Error;
        }
        settle();
      });
      worker.thread.on('error', (e) => {
        failure ??= e;
        settle();
      });
      worker.thread.on('exit', (code) => {
        // Reports a worker sent just before it ended may still wait on its port.
        drain();
        if (!worker.done) failure ??= new Error(`a read worker stopped early (exit code ${code})`);
        settle();
      });
    }
    settle();
  });
}
