/**
 * Runs `helm template` on the Helm charts kept in the repository (core/sources/chartRender.ts plans which), for the
 * CLI (`--helm-render`) and the language server (`routeDoctor.helm.render`, trusted workspaces only). The output
 * becomes a pseudo-file of the index, so references are judged against what the chart really creates.
 *
 * helm runs without a shell, with a timeout, and with every value from the repository passed as one argument in
 * `--flag=value` form, after `--` for the release and chart, so that nothing in a manifest can add an option of its
 * own. Values written in an installer go through a temporary file readable by the user only, removed afterwards.
 * The rendered text is parsed and dropped (the parser forgets Secret data at once); it is never logged.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedFile } from '../core/parse/parseFile';
import { describeRender, readRenderedChart, type ChartRender } from '../core/sources/chartRender';

export const defaultHelmTimeoutMs = 30_000;

/** Rendered charts of real repositories reach megabytes; helm is killed beyond this. */
const maxOutputBytes = 256 * 1024 * 1024;

export interface HelmOptions {
  /** The helm executable: a name looked up on the PATH, or a path. */
  path: string;
  timeoutMs?: number;
  /** How the message about a missing helm tells the user to point at one: `set routeDoctor.helm.path`, `pass --helm-path`. */
  pathHint: string;
  /** Stops the helm processes still running (the server shutting down). */
  signal?: AbortSignal;
}

export type RenderResult =
  | { outcome: 'rendered'; parsed: ParsedFile; ms: number }
  | { outcome: 'failed'; message: string }
  | { outcome: 'helm-missing' }
  | { outcome: 'skipped'; message: string };

/** The arguments of `helm template` for one render; `valuesFile` holds the installer's own values. */
export function helmTemplateArgs(render: ChartRender, valuesFile: string | undefined): string[] {
  return [
    'template', `--namespace=${render.namespace}`,
    ...render.valuesFiles.map((f) => `--values=${f}`),
    ...(valuesFile ? [`--values=${valuesFile}`] : []),
    '--', render.release, render.chartDir || '.',
  ];
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

/** Runs `helm template` for one release of a chart. */
export async function helmTemplate(render: ChartRender, helm: HelmOptions): Promise<RenderResult> {
  if (render.problem) return { outcome: 'skipped', message: render.problem };
  const started = performance.now();
  const temp = render.values === undefined ? undefined : mkdtempSync(join(tmpdir(), 'route-doctor-helm-'));
  try {
    let valuesFile: string | undefined;
    if (temp !== undefined) {
      valuesFile = join(temp, 'values.yaml');
      writeFileSync(valuesFile, render.values!, { mode: 0o600 });
    }
    const timeoutMs = helm.timeoutMs ?? defaultHelmTimeoutMs;
    const run = await new Promise<{ error: ExecFileException | null; stdout: string; stderr: string }>((resolve) => {
      execFile(helm.path, helmTemplateArgs(render, valuesFile), {
        encoding: 'utf8', timeout: timeoutMs, maxBuffer: maxOutputBytes, windowsHide: true, ...(helm.signal ? { signal: helm.signal } : {}),
      }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
    });
    if (run.error?.code === 'ENOENT') return { outcome: 'helm-missing' };
    if (run.error) {
      const why = run.error.killed ? `it did not finish within ${Math.round(timeoutMs / 1000)} s` : firstLine(run.stderr) || run.error.message;
      return { outcome: 'failed', message: why };
    }
    return { outcome: 'rendered', parsed: readRenderedChart(render, run.stdout), ms: Math.round(performance.now() - started) };
  } finally {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
}

export function helmMissingMessage(helm: HelmOptions): string {
  return `helm not found at '${helm.path}'; install Helm 3 or ${helm.pathHint}; charts stay unverified.`;
}

/**
 * Renders batches of charts and reports what happened, each problem once: a missing helm once per path (the rest
 * of the batch is not tried), a chart that fails or cannot be rendered once per distinct message, not again on
 * every re-render of an unchanged problem.
 */
export class HelmRenderer {
  private readonly reported = new Map<string, string>();
  private missingReportedFor: string | undefined;

  constructor(private readonly report: (level: 'info' | 'warn', message: string) => void) {}

  /** The parsed output of each render, or undefined for the renders that failed (their charts stay unverified). */
  async renderAll(renders: readonly ChartRender[], helm: HelmOptions): Promise<Map<ChartRender, ParsedFile | undefined>> {
    const out = new Map<ChartRender, ParsedFile | undefined>();
    for (const render of renders) {
      if (helm.signal?.aborted) break;
      const result = await helmTemplate(render, helm);
      // Stopped on purpose: what the interrupted run says is no news for the user.
      if (helm.signal?.aborted) break;
      if (result.outcome === 'helm-missing') {
        if (this.missingReportedFor !== helm.path) this.report('warn', helmMissingMessage(helm));
        this.missingReportedFor = helm.path;
        for (const r of renders) if (!out.has(r)) out.set(r, undefined);
        break;
      }
      this.missingReportedFor = undefined;
      if (result.outcome === 'rendered') {
        this.reported.delete(render.file);
        out.set(render, result.parsed);
        const objects = result.parsed.resources.length + result.parsed.skipped.filter((s) => s.kind !== undefined).length;
        this.report('info', `Rendered ${describeRender(render)} in ${result.ms} ms: ${objects} objects, ${result.parsed.resources.length} of kinds Route Doctor reads.`);
        continue;
      }
      out.set(render, undefined);
      const message = result.outcome === 'skipped'
        ? `Route Doctor did not render ${describeRender(render)}: ${result.message}; its objects stay unverified.`
        : `helm template failed for ${describeRender(render)}: ${result.message}; its objects stay unverified.`;
      if (this.reported.get(render.file) !== message) this.report('warn', message);
      this.reported.set(render.file, message);
    }
    return out;
  }
}
