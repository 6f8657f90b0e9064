/**
 * npm run bench: cold-check time of the CLI, re-diagnosis latency after one edit, and peak RSS, on synthetic
 * workspaces of 2,000 and 10,000 files (see generate.mjs). Run after `npm run build`; prints a table and whether
 * each target is met. Options: --sizes 2000,10000  --runs N (cold CLI runs per size)  --edits N.
 * Then the extension's activation time and bundle size (activation.mjs), which has no target.
 *
 * The bench is a measurement, never a test: it exits 0 whether or not the targets are met.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { activationReport, measureActivation } from './activation.mjs';
import { ensureWorkspace } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(root, '.cache', 'bench');
const cli = join(root, 'server', 'out', 'cli.js');

const targets = { coldMs: 3000, editP95Ms: 20, rssMB: 400 };

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const sizes = option('--sizes', '2000,10000').split(',').map(Number);
const runs = Number(option('--runs', '3'));
const edits = Number(option('--edits', '200'));

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/**
 * One cold `route-doctor check DIR --format json` in a child process: wall time from spawn to exit, CPU time of the
 * whole process (all threads) and peak RSS.
 */
function coldCli(dir) {
  const probeDir = mkdtempSync(join(tmpdir(), 'route-doctor-bench-'));
  const probeFile = join(probeDir, 'probe.json');
  const start = performance.now();
  const r = spawnSync(process.execPath, [cli, 'check', dir, '--format', 'json'], {
    env: { ...process.env, NODE_OPTIONS: `--require ${join(root, 'test', 'bench', 'probe.cjs')}`, ROUTE_DOCTOR_PROBE_FILE: probeFile },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  if (r.status !== 0 && r.status !== 1) throw new Error(`the CLI failed (exit ${r.status}): ${r.stderr}`);
  // The CLI writes to stderr only when something is off (for example workers that failed): show it.
  if (r.stderr) process.stderr.write(`CLI stderr for ${dir}:\n${r.stderr}`);
  const report = JSON.parse(r.stdout);
  const probe = JSON.parse(readFileSync(probeFile, 'utf8'));
  rmSync(probeDir, { recursive: true, force: true });
  return { ms, cpuMs: probe.cpuMs, mainCpuMs: probe.mainThreadCpuMs, rssMB: probe.peakRssMB, files: report.files, resources: report.resources, diagnostics: report.diagnostics.length };
}

async function bundleEditBench() {
  const outfile = join(cacheDir, 'edits.cjs');
  await esbuild.build({
    entryPoints: [join(root, 'test', 'bench', 'edits.ts')], outfile, bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', logLevel: 'warning',
  });
  return outfile;
}

function editBench(bundle, dir) {
  const r = spawnSync(process.execPath, ['--expose-gc', bundle, dir, String(edits)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`the edit benchmark failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const fmt = (n, digits = 0) => n.toFixed(digits);
const verdict = (ok) => (ok ? 'met' : 'NOT MET');

if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
const loadAtStart = os.loadavg();
const bundle = await bundleEditBench();
const rows = [];
for (const size of sizes) {
  const dir = join(cacheDir, `ws-${size}`);
  const stats = ensureWorkspace(dir, size);
  // The first run warms the page cache; it is reported apart from the median of the following runs.
  const first = coldCli(dir);
  const timed = [];
  for (let i = 0; i < runs; i++) timed.push(coldCli(dir));
  const ed = editBench(bundle, dir);
  rows.push({
    size, stats, first, cold: median(timed.map((t) => t.ms)), coldCpu: median(timed.map((t) => t.cpuMs)),
    coldMainCpu: timed.every((t) => t.mainCpuMs !== null) ? median(timed.map((t) => t.mainCpuMs)) : undefined,
    cliRss: Math.max(...timed.map((t) => t.rssMB)), counts: timed[0], ed,
  });
}
const activation = measureActivation();

const lines = [];
const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
lines.push(`Route Doctor benchmark — node ${process.version}, ${os.availableParallelism()} cores, load average ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end`);
lines.push('Wall times depend on what else the machine runs; CPU times do not, and show the work itself: "all" counts every thread');
lines.push('(V8 compiles and collects garbage on threads of its own, and the CLI reads files on worker threads), "main" the main');
lines.push('thread alone, where the analysis runs: on an idle machine the cold wall time is about the main thread\'s CPU time, as long');
lines.push('as the CPU time of all threads fits on the cores.');
lines.push('');
lines.push('| workspace | MB (CRD %) | resources | diagnostics | CLI cold, first | CLI cold, median (CPU all / main) | CLI peak RSS | in-process cold read / parse+index / analyse | edit p50 (CPU) | edit p95 (CPU) | edit max | dependents/edit | LSP-like peak RSS |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const c = r.ed.coldInProcess;
  lines.push(`| ${r.size} files | ${fmt(r.stats.bytes / 1e6, 1)} (${fmt((100 * r.stats.crdBytes) / r.stats.bytes)}%) | ${r.counts.resources} | ${r.counts.diagnostics} | ${fmt(r.first.ms)} ms | ${fmt(r.cold)} ms (${fmt(r.coldCpu)} / ${r.coldMainCpu === undefined ? '?' : fmt(r.coldMainCpu)} ms) | ${fmt(r.cliRss)} MB | ${fmt(c.readMs)} / ${fmt(c.parseIndexMs)} / ${fmt(c.analyzeMs)} ms | ${fmt(r.ed.editP50, 2)} ms (${fmt(r.ed.editCpuP50, 2)}) | ${fmt(r.ed.editP95, 2)} ms (${fmt(r.ed.editCpuP95, 2)}) | ${fmt(r.ed.editMax, 2)} ms | ${fmt(r.ed.meanDependents, 1)} | ${fmt(r.ed.peakRssMB)} MB |`);
}
lines.push('');
lines.push('Edit latency by kind of edit (p50 / p95, ms):');
for (const r of rows) {
  const parts = Object.entries(r.ed.kinds).map(([k, v]) => `${k} ${fmt(v.p50, 2)} / ${fmt(v.p95, 2)}`);
  lines.push(`  ${r.size} files: ${parts.join('; ')}`);
}
lines.push('');
const largest = rows.find((r) => r.size === 10000) ?? rows[rows.length - 1];
if (largest) {
  lines.push(`Targets (${largest.size} files, this machine):`);
  lines.push(`  cold check ≤ ${targets.coldMs} ms: ${fmt(largest.cold)} ms — ${verdict(largest.cold <= targets.coldMs)}`
    + (largest.coldMainCpu === undefined ? '' : ` (CPU: main thread ${fmt(largest.coldMainCpu)} ms, all threads ${fmt(largest.coldCpu)} ms on ${os.availableParallelism()} cores)`));
  lines.push(`  one edit re-diagnosed ≤ ${targets.editP95Ms} ms p95: ${fmt(largest.ed.editP95, 2)} ms — ${verdict(largest.ed.editP95 <= targets.editP95Ms)}`);
  const rss = Math.max(largest.cliRss, largest.ed.peakRssMB);
  lines.push(`  peak RSS ≤ ${targets.rssMB} MB (CLI and in-process): ${fmt(largest.cliRss)} / ${fmt(largest.ed.peakRssMB)} MB — ${verdict(rss <= targets.rssMB)}`);
}
lines.push('');
lines.push(...activationReport(activation));
console.log(lines.join('\n'));
