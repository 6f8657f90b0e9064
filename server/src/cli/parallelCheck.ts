/**
 * A cold check of a large workspace on two cores: this thread and two worker threads running this same bundle.
 *
 * What crosses threads is chosen by cost; structured clone of many small objects is several times slower than
 * building them with the fast reader, so YNode trees never cross:
 *
 * 1. Read and scan. Both workers read, decode and pre-scan files, taking batches from a shared counter so that a
 *    large CRD never leaves one idle. Most bytes are documents no check reads, so only small data comes back: each
 *    file's scan and, when it has documents to read, its text (a string, copied cheaply). Meanwhile this thread
 *    builds the trees of what arrives.
 * 2. Analyse. One worker is sent the texts of the files holding resources, builds the same trees and index, and
 *    then it and this thread analyse those files, again taking chunks from a shared counter; the worker sends back
 *    findings only. The other worker stops. Analysis is the largest part of a cold check, and the worker's tree
 *    building overlaps with this thread's first chunks.
 *
 * Analysing the same index gives the same findings in either thread, so the report equals a one-thread check.
 */
import { Worker } from 'node:worker_threads';
import { Analyzer } from '../core/analyze';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import type { AnalysisOptions, Finding } from '../core/model';
import { readScanned, type ParsedFile } from '../core/parse/parseFile';
import { allChecks } from '../core/rules';
import { FileReadError, readAndScan, type ScannedFile, type ScanOptions } from '../host/scan';

/** Files per batch of reading, and per chunk of analysis: small enough to balance, large enough that messages cost nothing. */
const batchSize = 16;

interface CheckWorkerData {
  routeDoctorCheckWorker: {
    files: string[];
    options: ScanOptions;
    /** One Int32 shared by the workers: the index of the next batch of files to read. */
    nextBatch: SharedArrayBuffer;
  };
}

/** Sent by the main thread to a worker once reading is over. */
type Instruction =
  | { kind: 'stop' }
  | {
    kind: 'analyze';
    /** The files holding resources, in workspace order, with their scans and texts. */
    sources: { scan: ScannedFile['scan']; text: string }[];
    options: AnalysisOptions;
    /** One Int32 shared with the main thread: the index of the next chunk of `sources` to analyse. */
    nextChunk: SharedArrayBuffer;
  };

/** Sent by a worker. */
type Report =
  | { kind: 'batch'; start: number; results: ScannedFile[] }
  | { kind: 'read-error'; file: string; message: string }
  | { kind: 'read-done' }
  | { kind: 'findings'; entries: [number, Finding[]][] }
  | { kind: 'analysis-done' };

export function isCheckWorkerData(data: unknown): data is CheckWorkerData {
  return typeof data === 'object' && data !== null && 'routeDoctorCheckWorker' in data;
}

/** The body of a worker: reads its share of files, then analyses or stops as the main thread says. */
export function serveCheckWorker(data: CheckWorkerData, port: { postMessage(m: Report): void; once(event: 'message', listener: (m: Instruction) => void): void }): void {
  const { files, options, nextBatch } = data.routeDoctorCheckWorker;
  const counter = new Int32Array(nextBatch);
  for (;;) {
    const start = Atomics.add(counter, 0, 1) * batchSize;
    if (start >= files.length) break;
    const results: ScannedFile[] = [];
    for (let i = start; i < Math.min(files.length, start + batchSize); i++) {
      try {
        results.push(readAndScan(files[i]!, options));
      } catch (e) {
        if (!(e instanceof FileReadError)) throw e;
        port.postMessage({ kind: 'read-error', file: e.file, message: e.message });
        return;
      }
    }
    port.postMessage({ kind: 'batch', start, results });
  }
  console.error('worker read done', performance.now().toFixed(0));
  port.postMessage({ kind: 'read-done' });
  port.once('message', (instruction) => {
    if (instruction.kind === 'stop') return;
    const index = new WorkspaceIndex();
    for (const source of instruction.sources) index.setFile(readScanned(source.scan, source.text));
    const analyzer = new Analyzer(index, instruction.options, allChecks);
    console.error('analyst parsed', performance.now().toFixed(0));
    forEachChunk(instruction.nextChunk, instruction.sources.length, (from, to) => {
      const entries: [number, Finding[]][] = [];
      for (let i = from; i < to; i++) entries.push([i, analyzer.analyzeFile(instruction.sources[i]!.scan.file)]);
      port.postMessage({ kind: 'findings', entries });
    });
    port.postMessage({ kind: 'analysis-done' });
  });
}

/** Takes chunks of [0, length) from a shared counter until none are left. */
function forEachChunk(next: SharedArrayBuffer, length: number, body: (from: number, to: number) => void): void {
  const counter = new Int32Array(next);
  for (;;) {
    const from = Atomics.add(counter, 0, 1) * batchSize;
    if (from >= length) return;
    body(from, Math.min(length, from + batchSize));
  }
}

export interface ParallelResult {
  parsed: ParsedFile[];
  /** Findings of every file, in the files' order. */
  findings: Finding[][];
  resources: number;
  /** The texts of the files that had documents to read. */
  texts: Map<string, string>;
}

/**
 * Checks `files` with two workers running `workerScript` (which must call serveCheckWorker when
 * isCheckWorkerData(workerData)). Rejects with a FileReadError when a file cannot be read.
 */
export async function parallelCheck(files: readonly string[], scanOptions: ScanOptions, options: AnalysisOptions, workerScript: string): Promise<ParallelResult> {
  const parsed: ParsedFile[] = new Array(files.length);
  const scans: ScannedFile['scan'][] = new Array(files.length);
  const texts = new Map<string, string>();
  const workerData: CheckWorkerData = { routeDoctorCheckWorker: { files: [...files], options: scanOptions, nextBatch: new SharedArrayBuffer(4) } };
  const workers = [new Worker(workerScript, { workerData }), new Worker(workerScript, { workerData })];
  const [analyst, other] = workers as [Worker, Worker];
  const sourceFindings: Finding[][] = [];
  try {
    // Phase 1: the workers read and scan; this thread builds trees as batches arrive.
    await new Promise<void>((resolve, reject) => {
      let reading = workers.length;
      for (const worker of workers) {
        listen(worker, reject, (message) => {
          if (message.kind === 'batch') {
            message.results.forEach((scanned, i) => {
              const at = message.start + i;
              parsed[at] = readScanned(scanned.scan, scanned.text ?? '');
              scans[at] = scanned.scan;
              if (scanned.text !== undefined) texts.set(files[at]!, scanned.text);
            });
          } else if (message.kind === 'read-error') {
            reject(new FileReadError(message.file, message.message));
          } else if (message.kind === 'read-done' && --reading === 0) {
            resolve();
          }
        });
      }
    });
    console.error('phase1 done', performance.now().toFixed(0), JSON.stringify(process.cpuUsage()));
    other.postMessage({ kind: 'stop' } satisfies Instruction);

    // Phase 2: the analyst worker and this thread share the analysis of the files holding resources.
    const index = new WorkspaceIndex();
    for (const p of parsed) index.setFile(p);
    const sources: { scan: ScannedFile['scan']; text: string }[] = [];
    parsed.forEach((p, i) => {
      if (p.resources.length > 0) sources.push({ scan: scans[i]!, text: texts.get(p.file)! });
    });
    const nextChunk = new SharedArrayBuffer(4);
    const analysed = new Promise<void>((resolve, reject) => {
      listen(analyst, reject, (message) => {
        if (message.kind === 'findings') for (const [i, findings] of message.entries) sourceFindings[i] = findings;
        else if (message.kind === 'analysis-done') resolve();
      });
    });
    analyst.postMessage({ kind: 'analyze', sources, options, nextChunk } satisfies Instruction);
    const analyzer = new Analyzer(index, options, allChecks);
    forEachChunk(nextChunk, sources.length, (from, to) => {
      for (let i = from; i < to; i++) sourceFindings[i] = analyzer.analyzeFile(sources[i]!.scan.file);
    });
    console.error('main analysis done', performance.now().toFixed(0));
    const byFile = new Map<string, Finding[]>();
    for (const p of parsed) if (p.resources.length === 0) byFile.set(p.file, analyzer.analyzeFile(p.file));
    await analysed;
    console.error('analyst done', performance.now().toFixed(0));
    sources.forEach((s, i) => byFile.set(s.scan.file, sourceFindings[i]!));
    return { parsed, findings: files.map((f) => byFile.get(f) ?? []), resources: index.resourceCount, texts };
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

/**
 * Routes a worker's messages to `onMessage`, and its failure to `reject`: an exception, or an exit while the phase
 * still waits for it (an exit after the phase settled rejects nothing).
 */
function listen(worker: Worker, reject: (e: Error) => void, onMessage: (message: Report) => void): void {
  worker.removeAllListeners();
  worker.on('message', (message: Report) => {
    try {
      onMessage(message);
    } catch (e) {
      reject(e as Error);
    }
  });
  worker.on('error', reject);
  worker.on('exit', (code) => reject(new Error(`a check worker stopped early (exit code ${code})`)));
}
