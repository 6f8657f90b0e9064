/**
 * `route-doctor check --cluster [--context NAME] [paths…]`: the static check of the workspace plus the live
 * diagnosis of its routes against a cluster. The findings of both are reported together in every format; the JSON
 * format also carries the live report (one row per route, the cluster-only objects, what could not be read).
 *
 * main.ts hands this module its argument parser and usage text, so that the shared options (--format, --traefik,
 * …) are parsed in one place and this module never imports main.ts at run time.
 */
import { existsSync } from 'node:fs';
import type { LiveReport } from '../core/live/diagnose';
import type { Finding } from '../core/model';
import { defaultMaxFileLength, parseFile, type ParsedFile } from '../core/parse/parseFile';
import { analyzeParsed } from '../core/workspace';
import { readYamlFile, walkYamlFiles } from '../host/files';
import { diagnoseCluster } from '../cluster/diagnose';
import type { SnapshotOptions } from '../cluster/snapshot';
import { formatJson, formatSarif, formatText, type Report } from './format';
import { renderCharts } from './helmCharts';
import { cliAnalysisOptions } from './options';
import type { CliOptions, CliResult } from './main';

export const clusterUsage = `
Live cluster (with --cluster):
  --context NAME                        kubeconfig context (default: current-context)
  --kubeconfig PATH                     kubeconfig file(s) (default: $KUBECONFIG, then ~/.kube/config)
  --cluster-namespaces a,b              namespaces to read (default: the workspace's; Traefik's is added)
  --traefik-namespace NAME              where Traefik runs (default: searched for)
  --request-timeout SECONDS             timeout of each request to the API server (default 10)
`;

export interface ClusterCliOptions {
  context?: string;
  kubeconfig?: string;
  namespaces?: string[];
  traefikNamespace?: string;
  timeoutMs?: number;
}

/** True when the arguments ask for the live diagnosis (a --cluster flag before any "--"). */
/** Takes the cluster options out of the arguments; the rest is for the shared parser. Throws on a bad value. */
export function splitClusterArgs(argv: readonly string[]): { rest: string[]; cluster: ClusterCliOptions } {
  const rest: string[] = [];
  const cluster: ClusterCliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const takesValue = ['--context', '--kubeconfig', '--cluster-namespaces', '--traefik-namespace', '--request-timeout'].includes(flag);
    if (flag === '--cluster') {
      if (eq >= 0) throw new Error('--cluster takes no value');
      continue;
    }
    if (!takesValue) {
      rest.push(arg);
      continue;
    }
    let value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new Error(`${flag} needs a value`);
    value = value.trim();
    switch (flag) {
      case '--context': cluster.context = value; break;
      case '--kubeconfig': cluster.kubeconfig = value; break;
      case '--cluster-namespaces': cluster.namespaces = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0); break;
      case '--traefik-namespace': cluster.traefikNamespace = value; break;
      case '--request-timeout': {
        const seconds = Number(value.replace(/s$/, ''));
        if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--request-timeout must be a positive number of seconds, not "${value}"`);
        cluster.timeoutMs = Math.round(seconds * 1000);
        break;
      }
    }
  }
  return { rest, cluster };
}

export interface SharedCli {
  parseArgs(argv: string[]): CliOptions | 'help';
  usage: string;
}

export async function runClusterCheck(argv: string[], cli: SharedCli, signal?: AbortSignal): Promise<CliResult> {
  let opts: CliOptions | 'help';
  let cluster: ClusterCliOptions;
  try {
    const split = splitClusterArgs(argv);
    cluster = split.cluster;
    opts = cli.parseArgs(split.rest);
  } catch (e) {
    return { exitCode: 2, stdout: '', stderr: `route-doctor: ${(e as Error).message}\n\n${cli.usage}${clusterUsage}` };
  }
  if (opts === 'help') return { exitCode: 0, stdout: cli.usage + clusterUsage, stderr: '' };

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
  const parsed: ParsedFile[] = [];
  const texts = new Map<string, string>();
  // Read on this thread: the cluster's answers, not the files, take the time in this mode.
  for (const file of unique) {
    let decoded;
    try {
      decoded = readYamlFile(file, defaultMaxFileLength * 2);
    } catch (e) {
      return { exitCode: 2, stdout: '', stderr: `route-doctor: ${file}: ${(e as Error).message}\n` };
    }
    const text = decoded.ok ? decoded.text : '';
    texts.set(file, text);
    const p = parseFile(file, text);
    if (!decoded.ok) p.problems.push({ code: 'file-skipped', severity: 'information', file, span: { start: 0, end: 0 }, message: `Route Doctor skipped this file: ${decoded.reason}.` });
    parsed.push(p);
  }
  const analysisOptions = cliAnalysisOptions(opts);
  const rendered = opts.helm ? await renderCharts(parsed, opts.helm) : { files: [], stderr: '' };
  const result = analyzeParsed([...parsed, ...rendered.files], analysisOptions);

  const snapshotOptions: SnapshotOptions = {};
  if (cluster.namespaces !== undefined) snapshotOptions.namespaces = cluster.namespaces;
  if (cluster.context !== undefined) snapshotOptions.context = cluster.context;
  if (cluster.kubeconfig !== undefined) snapshotOptions.kubeconfig = cluster.kubeconfig;
  if (cluster.traefikNamespace !== undefined) snapshotOptions.traefikNamespace = cluster.traefikNamespace;
  if (cluster.timeoutMs !== undefined) snapshotOptions.timeoutMs = cluster.timeoutMs;
  if (signal) snapshotOptions.signal = signal;
  const live = await diagnoseCluster(result.index, analysisOptions, snapshotOptions);
  const snapshot = live.snapshot;

  const byFile = new Map<string, Finding[]>();
  for (const file of unique) byFile.set(file, [...(result.findings.get(file) ?? [])]);
  for (const f of live.findings) byFile.get(f.file)?.push(f);
  const findings: Finding[] = [];
  for (const list of byFile.values()) findings.push(...list.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end));

  // Rendered charts are lookup targets, not files of the workspace: their objects are not counted.
  const resources = result.index.resourceCount - rendered.files.reduce((n, p) => n + p.resources.length, 0);
  const report: Report = { files: unique.length, resources, findings, texts };
  let stdout: string;
  if (opts.format === 'json') {
    // The shared JSON document, with the live report beside the diagnostics.
    const doc = JSON.parse(formatJson(report)) as Record<string, unknown>;
    doc.cluster = live.report;
    stdout = JSON.stringify(doc, null, 2) + '\n';
  } else if (opts.format === 'sarif') {
    stdout = formatSarif(report);
  } else {
    stdout = formatText(report) + formatLiveReport(live.report);
  }
  const fatal = snapshot.problems.find((p) => p.fatal);
  const problems = rendered.stderr + snapshot.problems.map((p) => `route-doctor: cluster: ${p.message}\n`).join('');
  if (fatal) return { exitCode: 2, stdout, stderr: problems };
  return { exitCode: findings.some((f) => f.severity === 'error') ? 1 : 0, stdout, stderr: problems };
}

const mark = { ok: 'ok', broken: 'BROKEN', unknown: '?' } as const;

/** The route table for the text format: each route's chain, hop by hop, then the cluster-only objects. */
export function formatLiveReport(report: LiveReport): string {
  const s = report.summary;
  let out = `\nCluster "${report.context}" (${report.server})`;
  if (report.traefik) out += `, Traefik ${report.traefik.version ?? report.traefik.image} in ${report.traefik.namespace}`;
  out += `: ${s.routes} route${s.routes === 1 ? '' : 's'}, ${s.ok} ok, ${s.broken} broken, ${s.unknown} unknown\n`;
  for (const row of report.routes) {
    out += `  [${mark[row.status]}] ${row.kind} ${row.namespace}/${row.name} route ${row.routeIndex + 1}${row.match ? ` ${row.match}` : ''}\n`;
    if (row.ingressRoute.status !== 'ok') out += `      ${row.ingressRoute.kind}: ${mark[row.ingressRoute.status]}: ${row.ingressRoute.reason}\n`;
    for (const m of row.middlewares) if (m.status !== 'ok') out += `      Middleware ${m.name}: ${mark[m.status]}: ${m.reason}\n`;
    for (const b of row.backends) {
      out += `      ${b.reference}: ${b.hops.map((h) => `${h.kind} ${mark[h.status]}`).join(' → ')}\n`;
      // The deepest hop that is not ok explains the most (the Pods behind "no endpoints").
      const broken = b.hops.filter((h) => h.status !== 'ok').at(-1);
      if (broken) out += `        ${broken.reason}\n`;
    }
  }
  if (report.clusterOnly.length > 0) {
    out += `  Only in the cluster: ${report.clusterOnly.map((o) => `${o.kind} ${o.namespace}/${o.name}`).join(', ')}\n`;
  }
  return out;
}
