#!/usr/bin/env node
/**
 * route-doctor — the command-line edge of the analysis core, for CI.
 * Exit codes: 0 no error found, 1 errors found, 2 usage or I/O failure.
 *
 * Large workspaces are read on worker threads (see parallelRead.ts), which run a small script of their own
 * (server/out/readWorker.js).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { AnalysisOptions, Finding, TraefikOptions } from '../core/model';
import { defaultMaxFileLength, readScanned } from '../core/parse/parseFile';
import { primeRulesWithoutProblems } from '../core/rulelang/parser';
import { analyzeParsed, type WorkspaceResult } from '../core/workspace';
import { walkYamlFiles } from '../host/files';
import { FileReadError, readAndScan } from '../host/scan';
import { formatJson, formatSarif, formatText, type Report } from './format';
import { renderCharts } from './helmCharts';
import { cliAnalysisOptions } from './options';
import { readInWorkers, readWorkerScript, type ReadResult } from './parallelRead';

export const usage = `Usage: route-doctor check [options] [paths…]

Checks Kubernetes manifests for Traefik routes that will not work (404/503) and explains why.
Directories are walked for *.yaml and *.yml files; the default path is the current directory.

Options:
  --traefik v2|v3                       Traefik major version to emulate (default v3)
  --allow-cross-namespace[=false]       providers.kubernetesCRD.allowCrossNamespace=true (or false)
  --allow-external-name-services[=false] providers.kubernetesCRD.allowExternalNameServices=true (or false)
  --allow-empty-services[=false]        providers.kubernetesCRD.allowEmptyServices=true (or false)
  --namespaces a,b                      namespaces Traefik watches (default, or "": all)
  --ingress-class NAME                  providers.kubernetesCRD.ingressClass
  --cross-provider-namespaces a,b       namespaces allowed to use name@provider references ("" allows none)
  --native-lb-by-default[=false]        providers.kubernetesCRD.nativeLBByDefault=true (or false)
  --disable-cluster-scope-resources[=false]
                                        providers.kubernetesCRD.disableClusterScopeResources=true (or false)
  --unverified-as-errors                report references that only a Helm release, Argo CD application, remote
                                        base or operator could satisfy as errors, not information
  --helm-render                         render the Helm charts among the paths with "helm template" and judge
                                        references against their output (runs helm on the charts)
  --helm-path PATH                      the helm executable for --helm-render (default: helm on the PATH)
  --format text|json|sarif              output format (default text)
  --cluster                             also diagnose the routes in a live cluster (route-doctor check --cluster --help)
  -h, --help                            show this help

Provider options without a flag are taken from the Traefik installation among the paths (its Deployment's
arguments and image, its Helm values) when it sets them; a flag wins, and =false turns an option off.

Exit codes: 0 no errors found, 1 errors found, 2 usage error or unreadable input.
`;

class UsageError extends Error {}

export interface CliOptions {
  paths: string[];
  traefik: Partial<TraefikOptions>;
  format: 'text' | 'json' | 'sarif';
  /** --unverified-as-errors; absent when not given. */
  unverifiedAsErrors?: true;
  /** --helm-render, with the executable of --helm-path or `helm`; absent when not given. */
  helm?: { path: string };
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const args = [...argv];
  if (args[0] === '-h' || args[0] === '--help') return 'help';
  if (args.length === 0) throw new UsageError('missing command');
  const command = args.shift();
  if (command !== 'check') throw new UsageError(`unknown command "${command}"`);
  const opts: CliOptions = { paths: [], traefik: {}, format: 'text' };
  let helmPath: string | undefined;
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = args.shift();
    // "--ingress-class --format json" is a forgotten value, not a class named "--format"; --flag=--x still works.
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const noValue = (flag: string, inline: string | undefined): true => {
    if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    return true;
  };
  // A provider option given as a flag wins over the value the repository's Traefik installation sets, so a flag can
  // also turn an option off: --allow-cross-namespace=false.
  const onOff = (flag: string, inline: string | undefined): boolean => {
    if (inline === undefined || inline === 'true') return true;
    if (inline === 'false') return false;
    throw new UsageError(`${flag} takes no value, or =true or =false, not "${inline}"`);
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    if (!arg.startsWith('-') || arg === '-') { opts.paths.push(arg); continue; }
    if (arg === '--') { opts.paths.push(...args.splice(0)); break; }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    switch (flag) {
      case '-h': case '--help': return 'help';
      case '--traefik': {
        const v = value(flag, inline);
        if (v !== 'v2' && v !== 'v3') throw new UsageError(`--traefik must be v2 or v3, not "${v}"`);
        opts.traefik.version = v;
        break;
      }
      case '--allow-cross-namespace': opts.traefik.allowCrossNamespace = onOff(flag, inline); break;
      case '--allow-external-name-services': opts.traefik.allowExternalNameServices = onOff(flag, inline); break;
      case '--allow-empty-services': opts.traefik.allowEmptyServices = onOff(flag, inline); break;
      case '--native-lb-by-default': opts.traefik.nativeLBByDefault = onOff(flag, inline); break;
      case '--disable-cluster-scope-resources': opts.traefik.disableClusterScopeResources = onOff(flag, inline); break;
      case '--unverified-as-errors': opts.unverifiedAsErrors = noValue(flag, inline); break;
      case '--helm-render': noValue(flag, inline); opts.helm = { path: opts.helm?.path ?? 'helm' }; break;
      case '--helm-path': {
        const path = value(flag, inline).trim();
        if (path === '') throw new UsageError('--helm-path needs a value');
        helmPath = path;
        break;
      }
      case '--namespaces': {
        // Like the editor setting, an empty list means every namespace is watched.
        const namespaces = list(value(flag, inline));
        opts.traefik.namespaces = namespaces.length > 0 ? namespaces : undefined;
        break;
      }
      case '--ingress-class': opts.traefik.ingressClass = value(flag, inline); break;
      case '--cross-provider-namespaces': opts.traefik.crossProviderNamespaces = list(value(flag, inline)); break;
      case '--format': {
        const v = value(flag, inline);
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${v}"`);
        opts.format = v;
        break;
      }
      default: throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (helmPath !== undefined) {
    if (!opts.helm) throw new UsageError('--helm-path is only used with --helm-render');
    opts.helm.path = helmPath;
  }
  if (opts.paths.length === 0) opts.paths.push('.');
  return opts;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The script worker threads run (readWorkerScript); without it everything runs on the calling thread. */
  workerScript?: string;
}

/**
 * Below this many files reading takes a fraction of a second, less than what starting the workers costs (each
 * loads its script).
 */
const minFilesForWorkers = 1000;

const scanOptions = { maxFileLength: defaultMaxFileLength };

interface Checked {
  /** Findings of every file, in the files' order. */
  findings: Finding[][];
  resources: number;
  texts: Map<string, string>;
  /**
   * What stderr says besides the findings: why the worker threads were not used, when they failed (the check is still
   * complete, but this is a bug), and which Helm charts could not be rendered.
   */
  note?: string;
}

/**
 * Reads every file (on worker threads when the workspace is large and cores allow), renders the Helm charts among
 * them when `helm` is given, then analyses them here.
 */
async function check(files: string[], options: AnalysisOptions, run: RunOptions, helm: { path: string } | undefined): Promise<Checked> {
  let read: ReadResult | undefined;
  let note: string | undefined;
  if (run.workerScript && availableParallelism() >= 2 && files.length >= minFilesForWorkers) {
    try {
      // Rules are parsed for the version the options give; should the repository's Traefik installation give
      // another, the checks parse their rules here instead.
      read = await readInWorkers(files, scanOptions, options.traefik.version, run.workerScript);
    } catch (e) {
      // An unreadable file is the user's to fix; any other failure of the workers (for example threads that
      // cannot start) is no reason to fail the check, which reads on this thread instead.
      if (e instanceof FileReadError) throw e;
      note = `route-doctor: worker threads failed, so the files were read on one thread: ${(e as Error).message}\n`;
    }
  }
  if (!read) {
    const texts = new Map<string, string>();
    const parsed = files.map((file) => {
      const scanned = readAndScan(file, scanOptions);
      if (scanned.text !== undefined) texts.set(file, scanned.text);
      return readScanned(scanned.scan, scanned.text ?? '');
    });
    read = { parsed, texts };
  }
  const rendered = helm ? await renderCharts(read.parsed, helm) : { files: [], stderr: '' };
  if (rendered.stderr) note = (note ?? '') + rendered.stderr;
  // The rule checks skip the rules the workers found to parse without problems.
  primeRulesWithoutProblems(read.rulesWithoutProblems ?? new Set());
  let result: WorkspaceResult;
  try {
    result = analyzeParsed([...read.parsed, ...rendered.files], options, false);
  } finally {
    primeRulesWithoutProblems(new Set());
  }
  // Rendered charts are lookup targets, not files of the workspace: their objects are not counted.
  const resources = result.index.resourceCount - rendered.files.reduce((n, p) => n + p.resources.length, 0);
  return { findings: files.map((f) => result.findings.get(f) ?? []), resources, texts: read.texts, ...(note ? { note } : {}) };
}

export async function runCli(argv: string[], run: RunOptions = {}): Promise<CliResult> {
  let opts: CliOptions | 'help';
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return { exitCode: 2, stdout: '', stderr: `route-doctor: ${e.message}\n\n${usage}` };
    throw e;
  }
  if (opts === 'help') return { exitCode: 0, stdout: usage, stderr: '' };
  const files: string[] = [];
  for (const p of opts.paths) {
    if (!existsSync(p)) return { exitCode: 2, stdout: '', stderr: `route-doctor: ${p}: no such file or directory\n` };
    try {
      files.push(...walkYamlFiles(p));
    } catch (e) {
      return { exitCode: 2, stdout: '', stderr: `route-doctor: ${p}: ${(e as Error).message}\n` };
    }
  }
  const unique = [...new Set(files)];
  let checked;
  try {
    checked = await check(unique, cliAnalysisOptions(opts), run, opts.helm);
  } catch (e) {
    if (e instanceof FileReadError) return { exitCode: 2, stdout: '', stderr: `route-doctor: ${e.file}: ${e.message}\n` };
    throw e;
  }
  const findings: Finding[] = [];
  for (const list of checked.findings) {
    // Within a file, findings are listed in the order of their position, as editors and reviewers read them.
    findings.push(...list.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end));
  }
  const report: Report = { files: unique.length, resources: checked.resources, findings, texts: checked.texts };
  const stdout = opts.format === 'json' ? formatJson(report) : opts.format === 'sarif' ? formatSarif(report) : formatText(report);
  const errors = findings.some((d) => d.severity === 'error');
  const noFiles = unique.length === 0 ? `route-doctor: no *.yaml or *.yml files under ${opts.paths.join(', ')}\n` : '';
  return { exitCode: errors ? 1 : 0, stdout, stderr: noFiles + (checked.note ?? '') };
}

/** True when the arguments (before a `--`) ask for the live diagnosis. */
export function wantsCluster(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--cluster');
}

/**
 * V8 set for a run of a few seconds. By default it optimizes a function after little use and inlines much into it,
 * which pays off in long-running processes; in a cold check, the optimizing compiler's background threads took
 * about 2 s of CPU on 10,000 files (single functions 50–110 ms each), on the same two cores as this thread and the
 * read worker. With tier-up after three times as much use and a third of the inlining (measured, 6 alternating runs
 * each on two cores): CPU of the whole process about 4.4 → 3.2 s, cold check median 2.9 → 2.5 s. Both flags are read
 * when a function is first run or compiled, so setting them at start applies them to nearly all the code, including
 * the read workers', which are started later.
 *
 * Only on V8 11, Node 20's, where this was measured: newer V8s tier up by other counts (with Maglev between), and
 * an unknown flag makes V8 print an error.
 */
function tuneV8ForOneShotRun(): void {
  if (!process.versions.v8.startsWith('11.')) return;
  setFlagsFromString('--interrupt-budget=200000');
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=300');
}

async function main(): Promise<void> {
  tuneV8ForOneShotRun();
  let result: CliResult;
  try {
    const argv = process.argv.slice(2);
    // The live diagnosis has its own module (cluster.ts); it parses the shared options with parseArgs.
    // client-node is large: load the cluster module only when a cluster is used, so plain checks start fast.
    if (wantsCluster(argv)) {
      const { runClusterCheck } = await import('./cluster');
      result = await runClusterCheck(argv, { parseArgs, usage });
    } else {
      result = await runCli(argv, { workerScript: readWorkerScript });
    }
  } catch (e) {
    result = { exitCode: 2, stdout: '', stderr: `route-doctor: internal error: ${(e as Error).stack ?? e}\n` };
  }
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

if (require.main === module) void main();
