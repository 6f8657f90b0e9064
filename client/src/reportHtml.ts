/**
 * The live-cluster report as one HTML document, for the webview panel. It imports no `vscode`, so that it is
 * unit-tested and screenshotted outside the editor.
 *
 * Each route is drawn as a chain of boxes joined by arrows — IngressRoute → Middlewares → Service → EndpointSlices
 * → Pods — with each box green (ok), red (broken, with the reason under it) or grey and dashed (unknown). Every
 * colour is a VS Code theme variable, so the report follows light, dark and high-contrast themes; the state is also
 * spelled out in words, for readers who cannot tell the colours apart. All text is escaped. The only script is the
 * nonce'd one that posts a click on a workspace object back to the extension, which opens the file.
 */
import type { BackendChain, Hop, HopStatus, LiveReport, RouteRow } from '../../server/src/core/live/diagnose';
import type { SnapshotProblem } from '../../server/src/core/live/snapshot';
import { objectLinkKey, routeLinkKey, type DiagnoseClusterReport, type WorkspaceLink } from '../../server/src/protocol';

export interface ReportHtmlInput {
  result: DiagnoseClusterReport;
  /** A fresh random value per rendering: the Content-Security-Policy lets only elements carrying it run or style. */
  nonce: string;
  /** How the time of the diagnosis is shown; the extension passes the user's locale. Default: ISO 8601 in UTC. */
  formatTime?: (iso: string) => string;
}

/** The message the page posts when a workspace object is clicked; `link` is a key of the result's `links`. */
export interface OpenLinkMessage {
  type: 'open';
  link: string;
}

export const reportTitle = 'Route Doctor: Live cluster';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const stateMark: Record<HopStatus, string> = { ok: '✓', broken: '✗', unknown: '?' };

/**
 * Colours by state, all theme variables (with theme variables as fallbacks for themes that lack one). Nothing else in
 * the stylesheet names a colour.
 */
const styles = `
:root {
  --rd-ok: var(--vscode-testing-iconPassed, var(--vscode-charts-green));
  --rd-broken: var(--vscode-errorForeground, var(--vscode-charts-red));
  --rd-unknown: var(--vscode-disabledForeground, var(--vscode-descriptionForeground));
  --rd-border: var(--vscode-widget-border, var(--vscode-contrastBorder, var(--vscode-descriptionForeground)));
  --rd-box: var(--vscode-editorWidget-background, var(--vscode-editor-background));
}
body {
  margin: 0;
  padding: 16px 24px 32px;
  color: var(--vscode-editor-foreground);
  background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size, 13px);
  line-height: 1.45;
}
h1 { font-size: 1.5em; font-weight: 600; margin: 0 0 4px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 28px 0 10px; }
code, .name { font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.meta { color: var(--vscode-descriptionForeground); margin: 0; }
.meta strong { color: var(--vscode-editor-foreground); }
.summary { display: flex; gap: 8px; flex-wrap: wrap; margin: 12px 0 0; padding: 0; list-style: none; }
.count { border: 1px solid var(--rd-border); border-left-width: 4px; border-radius: 4px; padding: 2px 10px; }
.count.ok { border-left-color: var(--rd-ok); }
.count.broken { border-left-color: var(--rd-broken); }
.count.unknown { border-left-color: var(--rd-unknown); }
.problems { margin: 16px 0 0; padding: 8px 12px; border: 1px solid var(--rd-border); border-left: 4px solid var(--vscode-editorWarning-foreground, var(--rd-broken)); border-radius: 4px; }
.problems.fatal { border-left-color: var(--rd-broken); }
.problems h2 { margin: 0 0 6px; font-size: 1em; }
.problems ul { margin: 0; padding-left: 18px; }
.route { margin: 0 0 18px; padding: 12px 14px; border: 1px solid var(--rd-border); border-radius: 6px; }
.route-head { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; margin-bottom: 10px; }
.route-head .title { font-weight: 600; }
.route-head code { color: var(--vscode-textPreformat-foreground, var(--vscode-editor-foreground)); }
/* A chain never wraps (a wrapped arrow points nowhere): its boxes shrink, and a narrow panel scrolls sideways. */
.chain { display: flex; align-items: flex-start; overflow-x: auto; padding-bottom: 2px; }
.backends { display: flex; flex: 3 1 auto; flex-direction: column; gap: 10px; min-width: 0; }
.backend { display: flex; align-items: flex-start; }
.reference { align-self: center; margin-right: 6px; color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
.hop { box-sizing: border-box; flex: 0 1 15em; min-width: 10em; padding: 6px 10px 8px; border: 1px solid var(--rd-border); border-top-width: 4px; border-radius: 4px; background: var(--rd-box); }
.hop.ok { border-top-color: var(--rd-ok); }
.hop.broken { border-color: var(--rd-broken); background: color-mix(in srgb, var(--rd-broken) 10%, var(--rd-box)); }
.hop.unknown { border-style: dashed; border-top-color: var(--rd-unknown); }
.hop-kind { display: flex; flex-wrap: wrap; justify-content: space-between; column-gap: 6px; font-weight: 600; }
.state { font-weight: normal; font-size: 0.9em; white-space: nowrap; }
.ok > .hop-kind .state, .mark.ok { color: var(--rd-ok); }
.broken > .hop-kind .state, .mark.broken, .reason.broken { color: var(--rd-broken); }
.unknown > .hop-kind .state, .mark.unknown, .reason.unknown { color: var(--vscode-descriptionForeground); }
.hop .name { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.reason { margin: 6px 0 0; font-size: 0.92em; overflow-wrap: anywhere; }
.arrow { position: relative; flex: 0 0 30px; height: 2px; margin: 22px 4px 0; background: var(--vscode-descriptionForeground); }
.arrow::after { content: ""; position: absolute; right: -2px; top: -5px; border-left: 8px solid var(--vscode-descriptionForeground); border-top: 6px solid transparent; border-bottom: 6px solid transparent; }
.mark { font-weight: 700; }
button.link { padding: 0; border: 0; background: none; color: var(--vscode-textLink-foreground); font: inherit; text-align: left; cursor: pointer; text-decoration: underline; text-decoration-style: dotted; text-underline-offset: 3px; }
button.link:hover { color: var(--vscode-textLink-activeForeground, var(--vscode-textLink-foreground)); text-decoration-style: solid; }
button.link:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.hop button.link { max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
/* A narrow panel (beside an editor) draws the chains downwards, so that every box stays in view. */
@media (max-width: 720px) {
  body { padding: 12px 14px 24px; }
  .chain, .backend { flex-direction: column; align-items: stretch; overflow-x: visible; }
  .backends { flex: none; }
  .hop { flex: none; width: auto; min-width: 0; }
  .arrow { flex: 0 0 16px; width: 2px; height: 16px; margin: 2px 0 8px 22px; }
  .arrow::after { right: auto; top: auto; left: -5px; bottom: -6px; border-top: 8px solid var(--vscode-descriptionForeground); border-left: 6px solid transparent; border-right: 6px solid transparent; border-bottom: 0; }
  .reference { align-self: flex-start; margin: 0 0 6px; }
}
.cluster-only ul { margin: 0; padding-left: 18px; }
.muted { color: var(--vscode-descriptionForeground); }
`;

/** Posts clicks on workspace objects to the extension; the extension decides what a key opens. */
const script = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-link]') : null;
  if (target) vscode.postMessage({ type: 'open', link: target.getAttribute('data-link') });
});
`;

export function renderReportHtml(input: ReportHtmlInput): string {
  const { result, nonce } = input;
  const report = result.report;
  const formatTime = input.formatTime ?? ((iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC'));
  const nonceAttr = escapeHtml(nonce);
  const body = [
    header(report, formatTime(report.takenAt)),
    problems(result.problems),
    routes(report, result.links),
    clusterOnly(report),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonceAttr}'; script-src 'nonce-${nonceAttr}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(reportTitle)}</title>
<style nonce="${nonceAttr}">${styles}</style>
</head>
<body>
${body}
<script nonce="${nonceAttr}">${script}</script>
</body>
</html>
`;
}

function header(report: LiveReport, time: string): string {
  const s = report.summary;
  const traefik = report.traefik
    ? ` · Traefik ${escapeHtml(report.traefik.version ?? report.traefik.image)} in <strong>${escapeHtml(report.traefik.namespace)}</strong>`
    : '';
  const count = (state: HopStatus, n: number) => `<li class="count ${state}"><span class="mark ${state}" aria-hidden="true">${stateMark[state]}</span> ${n} ${state}</li>`;
  return `<header>
<h1>Live cluster</h1>
<p class="meta">Context <strong>${escapeHtml(report.context || '(none)')}</strong>${report.server ? ` · <span class="name">${escapeHtml(report.server)}</span>` : ''}${traefik}</p>
<p class="meta">Diagnosed <time datetime="${escapeHtml(report.takenAt)}">${escapeHtml(time)}</time> · ${s.routes} route${s.routes === 1 ? '' : 's'}</p>
<ul class="summary" aria-label="Routes by state">${count('broken', s.broken)}${count('unknown', s.unknown)}${count('ok', s.ok)}</ul>
</header>`;
}

function problems(list: readonly SnapshotProblem[]): string {
  if (list.length === 0) return '';
  const fatal = list.some((p) => p.fatal);
  // The messages already name the resource and namespace concerned.
  const items = list.map((p) => `<li><span class="muted">[${escapeHtml(p.code)}]</span> ${escapeHtml(p.message)}</li>`).join('');
  const title = fatal ? 'The cluster could not be read' : 'Not everything could be read';
  return `<section class="problems${fatal ? ' fatal' : ''}" role="alert">
<h2>${title}</h2>
<ul>${items}</ul>
</section>`;
}

function routes(report: LiveReport, links: Record<string, WorkspaceLink>): string {
  if (report.routes.length === 0) return '<h2>Routes</h2>\n<p class="muted">The workspace has no IngressRoute, IngressRouteTCP or IngressRouteUDP.</p>';
  return `<h2>Routes</h2>\n${report.routes.map((row, i) => route(row, i, links)).join('\n')}`;
}

function route(row: RouteRow, index: number, links: Record<string, WorkspaceLink>): string {
  const key = routeLinkKey(index);
  const link = links[key];
  const place = link ? `<button class="link" data-link="${escapeHtml(key)}" title="Open ${escapeHtml(fileName(link.uri))} at line ${link.line + 1}">${escapeHtml(fileName(link.uri))}:${link.line + 1}</button>` : '';
  const chain = [hop(row.ingressRoute, links), ...row.middlewares.map((m) => hop(m, links))];
  const backends = row.backends.length > 0
    ? `<div class="backends">${row.backends.map((b) => backend(b, links, row.backends.length > 1)).join('')}</div>`
    : `<p class="reason unknown">No services in this route.</p>`;
  return `<article class="route ${row.status}" aria-label="${escapeHtml(`${row.kind} ${row.namespace}/${row.name}, route ${row.routeIndex + 1}: ${row.status}`)}">
<div class="route-head"><span class="mark ${row.status}" aria-hidden="true">${stateMark[row.status]}</span><span class="title">${escapeHtml(row.kind)} ${escapeHtml(`${row.namespace}/${row.name}`)} · route ${row.routeIndex + 1}</span>${row.match ? `<code>${escapeHtml(row.match)}</code>` : ''}${place}</div>
<div class="chain">${chain.join(arrow)}${arrow}${backends}</div>
</article>`;
}

const arrow = '<span class="arrow" aria-hidden="true"></span>';

function backend(chain: BackendChain, links: Record<string, WorkspaceLink>, labelled: boolean): string {
  const reference = labelled ? `<span class="reference">${escapeHtml(chain.reference)}</span>` : '';
  return `<div class="backend">${reference}${chain.hops.map((h) => hop(h, links)).join(arrow)}</div>`;
}

function hop(h: Hop, links: Record<string, WorkspaceLink>): string {
  const key = objectLinkKey(h.kind, h.name);
  const name = links[key]
    ? `<button class="link name" data-link="${escapeHtml(key)}" title="Open ${escapeHtml(h.name)} in the workspace">${escapeHtml(h.name)}</button>`
    : `<span class="name" title="${escapeHtml(h.name)}">${escapeHtml(h.name)}</span>`;
  // The reason is the point of a red or grey box; on a green one it is detail, kept for the tooltip.
  const reason = h.status === 'ok' ? '' : `<p class="reason ${h.status}">${escapeHtml(h.reason)}</p>`;
  const title = h.status === 'ok' ? ` title="${escapeHtml(h.reason)}"` : '';
  return `<div class="hop ${h.status}"${title}><div class="hop-kind"><span>${escapeHtml(h.kind)}</span><span class="state"><span aria-hidden="true">${stateMark[h.status]}</span> ${h.status}</span></div>${name}${reason}</div>`;
}

function clusterOnly(report: LiveReport): string {
  const items = report.clusterOnly.map((o) => `<li>${escapeHtml(o.kind)} <span class="name">${escapeHtml(`${o.namespace}/${o.name}`)}</span></li>`).join('');
  const list = items
    ? `<ul>${items}</ul>`
    : '<p class="muted">Nothing: every IngressRoute, Middleware, TraefikService, Service and workload read in these namespaces is defined in the workspace.</p>';
  return `<section class="cluster-only">
<h2>Only in the cluster</h2>
${list}
</section>`;
}

function fileName(uri: string): string {
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
