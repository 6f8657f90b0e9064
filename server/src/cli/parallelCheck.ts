/**
 * A cold check of a large workspace on two cores: this thread and two worker threads running this same bundle.
 *
 * What crosses threads is chosen by cost; structured clone of many small objects is several times slower than
 * building them with the fast reader, so YNode trees never cross:
 *
 * 1. Read and parse. Both workers read, decode and pre-scan files, taking batches from a shared counter so that a
 *    large CRD never leaves one idle. Most bytes are documents no check reads, so only small data comes back: each
 *    file's scan and, when it has documents to read, its text (a string, copied cheaply). This thread builds the
 *    trees of what arrives and forwards the texts of files holding resources to one worker, the analyst, which
 *    builds the same trees once its reading is done: reading is quick, so the second core would idle otherwise.
 * 2. Analyse. The other worker stops. The analyst and this thread analyse the files holding resources, taking
 *    chunks from a shared counter; the analyst sends back findings only. Analysis is the largest part of a cold
 *    check, so sharing it is where the second core pays most.
 *
 * Analysing the same index gives the same findings in either thread, so the report equals a one-thread check.
 */
import { Worker } from 'node:worker_threads';
import { Analyzer } from '../core/analyze';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import type { AnalysisOptions, Finding } from '../core/model';
import { readScanned, type FileScan, type ParsedFile } from '../core/parse/parseFile';
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

/** Sent by the main thread to a worker. */
type Instruction =
  /** Files holding resources, for the analyst to build trees of: [index in the workspace's files, scan, text]. */
  | { kind: 'sources'; entries: [number, FileScan, string][] }
  | { kind: 'stop' }
  | {
    kind: 'analyze';
    /** The files holding resources, in workspace order: the ones to analyse. */
    files: string[];
    options: AnalysisOptions;
    /** One Int32 shared with the main thread: the index of the next chunk of `files` to analyse. */
    nextChunk: SharedArrayBuffer;
  };

/** Sent by a worker. */
type Report =
  | { kind: 'batch'; start: number; results: ScannedFile[] }
  | { kind: 'read-error'; file: string; message: string }
  | { kind: 'read-done' }
  | { kind: 'findings'; entries: [number, Finding[]][] }
  | { kind: 'analysis-done' };

interface Port {
  postMessage(message: Report): void;
  on(event: 'message', listener: (message: Instruction) => void): void;
  close(): void;
}

export function isCheckWorkerData(data: unknown): data is CheckWorkerData {
  return typeof data === 'object' && data !== null && 'routeDoctorCheckWorker' in data;
}

/** The body of a worker: reads its share of files, then builds trees and analyses, or stops, as it is told. */
export function serveCheckWorker(data: CheckWorkerData, port: Port): void {
  const { files, options, nextBatch } = data.routeDoctorCheckWorker;
  const parsed = new Map<number, ParsedFile>();
  // Listening first: instructions sent while this thread still reads wait in its queue until reading is done.
  port.on('message', (instruction) => {
    if (instruction.kind === 'sources') {
      for (const [at, scan, text] of instruction.entries) parsed.set(at, readScanned(scan, text));
    } else if (instruction.kind === 'stop') {
      port.close();
    } else {
      analyze(parsed, instruction, port);
      port.close();
    }
  });
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
  port.postMessage({ kind: 'read-done' });
}

function analyze(parsed: Map<number, ParsedFile>, instruction: Extract<Instruction, { kind: 'analyze' }>, port: Port): void {
  // The index is filled in workspace order, as the main thread fills its own, so that lookups list objects alike.
  const index = new WorkspaceIndex();
  for (const at of [...parsed.keys()].sort((a, b) => a - b)) index.setFile(parsed.get(at)!);
  const analyzer = new Analyzer(index, instruction.options, allChecks, { trackDependencies: false });
  forEachChunk(instruction.nextChunk, instruction.files.length, (from, to) => {
    const entries: [number, Finding[]][] = [];
    for (let i = from; i < to; i++) entries.push([i, analyzer.analyzeFile(instruction.files[i]!)]);
    port.postMessage({ kind: 'findings', entries });
  });
  port.postMessage({ kind: 'analysis-done' });
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
  const texts = new Map<string, string>();
  const workerData: CheckWorkerData = { routeDoctorCheckWorker: { files: [...files], options: scanOptions, nextBatch: new SharedArrayBuffer(4) } };
  // A young generation smaller than the default keeps the peak RSS of three heaps in check (about 30 MB less for
  // 10,000 files); the workers' short-lived allocations (file buffers, texts) are cheap to collect either way.
  const spawn = (): Worker => new Worker(workerScript, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  const workers = [spawn(), spawn()];
  const [analyst, other] = workers as [Worker, Worker];
  try {
    // Phase 1: the workers read and scan; this thread builds trees as batches arrive and forwards to the analyst
    // the files that hold resources.
    await new Promise<void>((resolve, reject) => {
      let reading = workers.length;
      for (const worker of workers) {
        listen(worker, reject, (message) => {
          if (message.kind === 'batch') {
            const sources: [number, FileScan, string][] = [];
            message.results.forEach((scanned, i) => {
              const at = message.start + i;
              const p = readScanned(scanned.scan, scanned.text ?? '');
              parsed[at] = p;
              if (scanned.text === undefined) return;
              texts.set(files[at]!, scanned.text);
              if (p.resources.length > 0) sources.push([at, scanned.scan, scanned.text]);
            });
            if (sources.length > 0) analyst.postMessage({ kind: 'sources', entries: sources } satisfies Instruction);
          } else if (message.kind === 'read-error') {
            reject(new FileReadError(message.file, message.message));
          } else if (message.kind === 'read-done' && --reading === 0) {
            resolve();
          }
        });
      }
    });
    other.postMessage({ kind: 'stop' } satisfies Instruction);

    // Phase 2: the analyst and this thread share the analysis of the files holding resources.
    const index = new WorkspaceIndex();
    for (const p of parsed) index.setFile(p);
    const toAnalyze = parsed.filter((p) => p.resources.length > 0).map((p) => p.file);
    const findings = new Map<string, Finding[]>();
    const nextChunk = new SharedArrayBuffer(4);
    const analysed = new Promise<void>((resolve, reject) => {
      listen(analyst, reject, (message) => {
        if (message.kind === 'findings') for (const [i, list] of message.entries) findings.set(toAnalyze[i]!, list);
        else if (message.kind === 'analysis-done') resolve();
      });
    });
    analyst.postMessage({ kind: 'analyze', files: toAnalyze, options, nextChunk } satisfies Instruction);
    const analyzer = new Analyzer(index, options, allChecks, { trackDependencies: false });
    forEachChunk(nextChunk, toAnalyze.length, (from, to) => {
      for (let i = from; i < to; i++) findings.set(toAnalyze[i]!, analyzer.analyzeFile(toAnalyze[i]!));
    });
    // Files without resources can still have findings: their problems (unreadable documents, skipped files).
    for (const p of parsed) if (p.resources.length === 0 && p.problems.length > 0) findings.set(p.file, analyzer.analyzeFile(p.file));
    await analysed;
    return { findings: files.map((f) => findings.get(f) ?? []), resources: index.resourceCount, texts };
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
