/**
 * The in-process half of the benchmark: loads a workspace into a live Analyzer the way the language server does,
 * then times re-diagnosis after single edits. run.mjs bundles this file and runs it in its own process, so the peak
 * RSS it reports is the one of a language server holding that workspace.
 *
 * Usage (after bundling): node --expose-gc edits.cjs DIR [EDITS] [SEED]; prints one JSON object.
 */
import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import { Analyzer } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { makeAnalysisOptions } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { allChecks } from '../../server/src/core/rules';
import { readYamlFile, walkYamlFiles } from '../../server/src/host/files';

interface EditKind {
  name: string;
  /** Which files the edit applies to. */
  matches(path: string, text: string): boolean;
  /** The edited text, different from `text`. */
  apply(text: string, n: number): string;
}

/** Edits a developer makes while fixing a route: pod labels, a Service's name, an IngressRoute's backend. */
const editKinds: EditKind[] = [
  {
    name: 'deployment-labels',
    matches: (_p, t) => /^kind: Deployment$/m.test(t) && /^ {8}version: /m.test(t),
    apply: (t, n) => t.replace(/^( {8}version: ).*$/m, `$1edited-${n}`),
  },
  {
    name: 'deployment-app-label',
    matches: (_p, t) => /^kind: Deployment$/m.test(t) && /^ {8}app: /m.test(t),
    apply: (t, n) => t.replace(/^( {8}app: )(.*)$/m, `$1$2-x${n}`),
  },
  {
    name: 'service-name',
    matches: (p, t) => p.endsWith('service.yaml') && /^kind: Service$/m.test(t),
    apply: (t, n) => t.replace(/^( {2}name: )(.*)$/m, `$1$2-renamed-${n}`),
  },
  {
    name: 'ingressroute-backend',
    matches: (_p, t) => /^kind: IngressRoute$/m.test(t) && /^ {10}port: 80$/m.test(t),
    apply: (t, n) => t.replace(/^( {10}port: )80$/m, `$1${8000 + n}`),
  },
  {
    name: 'ingressroute-service-name',
    matches: (_p, t) => /^kind: IngressRoute$/m.test(t) && /^ {8}- name: /m.test(t),
    apply: (t, n) => t.replace(/^( {8}- name: )(.*)$/m, `$1$2-typo${n}`),
  },
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: edits.cjs DIR [EDITS] [SEED]');
  const editCount = Number(process.argv[3] ?? 200);
  const rand = prng(Number(process.argv[4] ?? 7));
  const gc = (globalThis as { gc?: () => void }).gc;

  const t0 = performance.now();
  const texts = new Map<string, string>();
  for (const file of walkYamlFiles(dir)) {
    const decoded = readYamlFile(file, 4_000_000);
    texts.set(file, decoded.ok ? decoded.text : '');
  }
  const t1 = performance.now();
  const index = new WorkspaceIndex();
  for (const [file, text] of texts) index.setFile(parseFile(file, text));
  const t2 = performance.now();
  const analyzer = new Analyzer(index, makeAnalysisOptions(), allChecks);
  let findings = 0;
  for (const file of index.files()) findings += analyzer.analyzeFile(file).length;
  const t3 = performance.now();
  gc?.();

  const candidates = editKinds.map((k) => [...texts].filter(([p, t]) => k.matches(p, t)).map(([p]) => p));
  const byKind = new Map<string, number[]>();
  const all: number[] = [];
  const allCpu: number[] = [];
  let dependentsTotal = 0;
  // CPU time as well as wall time: on a busy machine the wall time of one edit mostly measures the other processes.
  const apply = (file: string, text: string): { ms: number; cpuMs: number; dependents: number } => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const before = index.getFile(file);
    const after = parseFile(file, text);
    index.setFile(after);
    const dependents = analyzer.dependents(file, before, after);
    analyzer.analyzeFile(file);
    for (const d of dependents) analyzer.analyzeFile(d);
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { ms, cpuMs: (used.user + used.system) / 1000, dependents: dependents.size };
  };
  for (let n = 0; n < editCount; n++) {
    const k = n % editKinds.length;
    const kind = editKinds[k]!;
    const files = candidates[k]!;
    if (files.length === 0) continue;
    const file = files[Math.floor(rand() * files.length)]!;
    const original = texts.get(file)!;
    const { ms, cpuMs, dependents } = apply(file, kind.apply(original, n));
    dependentsTotal += dependents;
    all.push(ms);
    allCpu.push(cpuMs);
    const list = byKind.get(kind.name) ?? [];
    list.push(ms);
    byKind.set(kind.name, list);
    // Undo the edit (untimed) so every edit starts from the generated workspace.
    apply(file, original);
  }
  all.sort((a, b) => a - b);
  allCpu.sort((a, b) => a - b);
  const kinds: Record<string, { count: number; p50: number; p95: number }> = {};
  for (const [name, list] of byKind) {
    list.sort((a, b) => a - b);
    kinds[name] = { count: list.length, p50: percentile(list, 50), p95: percentile(list, 95) };
  }
  gc?.();
  const out = {
    dir: relative(process.cwd(), dir),
    files: index.fileCount,
    resources: index.resourceCount,
    findings,
    coldInProcess: { readMs: t1 - t0, parseIndexMs: t2 - t1, analyzeMs: t3 - t2 },
    edits: all.length,
    editP50: percentile(all, 50),
    editP95: percentile(all, 95),
    editMax: all[all.length - 1] ?? 0,
    editCpuP50: percentile(allCpu, 50),
    editCpuP95: percentile(allCpu, 95),
    meanDependents: all.length > 0 ? dependentsTotal / all.length : 0,
    kinds,
    heapUsedMB: process.memoryUsage().heapUsed / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
