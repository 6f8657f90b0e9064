/**
 * The pure parts of the editor's live-cluster view: the report's HTML (client/src/reportHtml.ts) and the choice of
 * the one notification a diagnosis ends with (client/src/clusterNotice.ts). Neither imports `vscode`.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { noticeFor } from '../../client/src/clusterNotice';
import { escapeHtml, renderReportHtml } from '../../client/src/reportHtml';
import type { Hop, LiveReport, RouteRow } from '../../server/src/core/live/diagnose';
import type { SnapshotProblem } from '../../server/src/core/live/snapshot';
import { objectLinkKey, routeLinkKey, type DiagnoseClusterReport } from '../../server/src/protocol';

const hop = (kind: Hop['kind'], name: string, status: Hop['status'], reason: string): Hop => ({ kind, name, status, reason });

function row(overrides: Partial<RouteRow> = {}): RouteRow {
  return {
    kind: 'IngressRoute', namespace: 'default', name: 'web', routeIndex: 0, match: 'Host(`a.example`) && Path(`/<b>`)',
    file: '/ws/route.yaml', span: { start: 0, end: 1 }, status: 'broken',
    ingressRoute: hop('IngressRoute', 'default/web', 'ok', 'In the cluster (traefik.io).'),
    middlewares: [hop('Middleware', 'default/auth', 'unknown', 'middlewares.traefik.io in default could not be read.')],
    backends: [{
      reference: 'web:80', status: 'broken', hops: [
        hop('Service', 'default/web', 'ok', 'Port http:80 → targetPort 8080.'),
        hop('EndpointSlices', 'web-abcde', 'broken', 'No ready endpoint for port "http" (80).'),
        hop('Pods', 'web-1', 'broken', 'Its selector {app=web, tier=<front>} matches no Pod & none is "ready".'),
      ],
    }],
    ...overrides,
  };
}

function result(report: Partial<LiveReport> = {}, extra: Partial<DiagnoseClusterReport> = {}): DiagnoseClusterReport {
  const r: LiveReport = {
    context: 'minikube', server: 'https://192.168.49.2:8443', takenAt: '2025-01-01T10:00:05.123Z', problems: [], routes: [row()],
    clusterOnly: [{ kind: 'Service', namespace: 'default', name: 'legacy' }], summary: { routes: 1, ok: 0, broken: 1, unknown: 0 },
    ...report,
  };
  return {
    outcome: 'done', report: r, problems: r.problems,
    summary: { ...r.summary, errors: 1, warnings: 0, files: 1, codes: { 'live-no-endpoints': 1 } },
    links: {
      [routeLinkKey(0)]: { uri: 'file:///ws/my%20route.yaml', line: 6, character: 13 },
      [objectLinkKey('Service', 'default/web')]: { uri: 'file:///ws/service.yaml', line: 3, character: 8 },
    },
    ...extra,
  };
}

/** The text of the page's stylesheet. */
function stylesheet(html: string): string {
  return [...html.matchAll(/<style nonce="[^"]*">([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n');
}

describe('renderReportHtml', () => {
  test('escapes every text that comes from the cluster or the workspace', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    const html = renderReportHtml({
      result: result({ context: '<img src=x onerror=alert(1)>', clusterOnly: [{ kind: 'Service', namespace: 'default', name: '<script>x</script>' }] }),
      nonce: 'n0nce',
    });
    assert.doesNotMatch(html, /<img|<script>x|tier=<front>|Path\(`\/<b>`\)/);
    assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/);
    assert.match(html, /Its selector \{app=web, tier=&#60;front&#62;\} matches no Pod &#38; none is &#34;ready&#34;\./);
    assert.match(html, /Path\(`\/&#60;b&#62;`\)/);
  });

  test('a strict Content-Security-Policy: nothing remote, only the nonce\'d style and script, no inline style attributes', () => {
    const html = renderReportHtml({ result: result(), nonce: 'abc123' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-abc123'; script-src 'nonce-abc123';">/);
    assert.equal([...html.matchAll(/<script/g)].length, 1);
    assert.equal([...html.matchAll(/<script nonce="abc123">/g)].length, 1);
    assert.equal([...html.matchAll(/<style/g)].length, [...html.matchAll(/<style nonce="abc123">/g)].length);
    assert.doesNotMatch(html, /\sstyle="|\ssrc=|\shref=|https?:\/\/(?!192\.168\.49\.2)|\son[a-z]+=/);
  });

  test('each hop is coloured by its state, and says it in words; the reason shows on red and grey hops', () => {
    const html = renderReportHtml({ result: result(), nonce: 'n' });
    assert.match(html, /<div class="hop ok" title="In the cluster \(traefik\.io\)\.">/);
    assert.match(html, /<div class="hop unknown">.*?<span class="state"><span aria-hidden="true">\?<\/span> unknown<\/span>.*?<p class="reason unknown">middlewares\.traefik\.io in default could not be read\.<\/p>/);
    assert.match(html, /<div class="hop broken">.*?EndpointSlices.*?<p class="reason broken">No ready endpoint for port &#34;http&#34; \(80\)\.<\/p>/);
    assert.doesNotMatch(html, /<p class="reason ok">/);
    const css = stylesheet(html);
    assert.match(css, /--rd-ok: var\(--vscode-testing-iconPassed, var\(--vscode-charts-green\)\);/);
    assert.match(css, /--rd-broken: var\(--vscode-errorForeground, var\(--vscode-charts-red\)\);/);
    assert.match(css, /--rd-unknown: var\(--vscode-disabledForeground, var\(--vscode-descriptionForeground\)\);/);
    assert.match(css, /\.hop\.ok \{ border-top-color: var\(--rd-ok\); \}/);
    assert.match(css, /\.hop\.broken \{ border-color: var\(--rd-broken\);/);
    assert.match(css, /\.hop\.unknown \{ border-style: dashed; border-top-color: var\(--rd-unknown\); \}/);
  });

  test('light and dark alike: every colour is a theme variable', () => {
    const css = stylesheet(renderReportHtml({ result: result(), nonce: 'n' }));
    // Variable and property names (--vscode-charts-green, white-space) may name colours; values may not.
    const values = [...css.replace(/--[\w-]+/g, '').matchAll(/:\s*([^;{}]+)/g)].map((m) => m[1]).join('\n');
    assert.doesNotMatch(values, /#[0-9a-f]{3,8}\b/i);
    assert.doesNotMatch(values, /\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(/i);
    assert.doesNotMatch(values, /\b(white|black|red|green|blue|yellow|orange|gray|grey|silver|maroon|navy|purple)\b/i);
    const colours = [...css.matchAll(/(?:^|[;{]\s*)((?:[a-z]+-)*color|background|border(?:-(?:top|right|bottom|left))?|outline)\s*:\s*([^;}]+)/gm)];
    assert.ok(colours.length > 20, 'the declarations that set colours were found');
    for (const [, property, value] of colours) {
      assert.match(value!, /var\(--|^(none|0)$|\btransparent$/, `${property}: ${value}`);
    }
  });

  test('the context and time of the diagnosis at the top, problems, the route rows and the cluster-only objects', () => {
    const forbidden: SnapshotProblem = { code: 'forbidden', message: 'Not allowed to list pods in namespace default (403 Forbidden).', resource: 'pods', namespace: 'default', fatal: false };
    const html = renderReportHtml({ result: result({ problems: [forbidden] }, { problems: [forbidden] }), nonce: 'n', formatTime: (iso) => `at ${iso}` });
    assert.match(html, /Context <strong>minikube<\/strong> · <span class="name">https:\/\/192\.168\.49\.2:8443<\/span>/);
    assert.match(html, /Diagnosed <time datetime="2025-01-01T10:00:05\.123Z">at 2025-01-01T10:00:05\.123Z<\/time> · 1 route</);
    assert.match(html, /<section class="problems" role="alert">\s*<h2>Not everything could be read<\/h2>\s*<ul><li><span class="muted">\[forbidden\]<\/span> Not allowed to list pods/);
    assert.match(html, /<h2>Only in the cluster<\/h2>\s*<ul><li>Service <span class="name">default\/legacy<\/span><\/li><\/ul>/);
    const fatal = renderReportHtml({ result: result({ routes: [] }, { problems: [{ code: 'unreachable', message: 'Connection refused.', fatal: true }] }), nonce: 'n' });
    assert.match(fatal, /<section class="problems fatal" role="alert">\s*<h2>The cluster could not be read<\/h2>/);
    assert.match(fatal, /The workspace has no IngressRoute/);
    assert.match(renderReportHtml({ result: result(), nonce: 'n' }), /2025-01-01 10:00:05 UTC/);
  });

  test('workspace objects are buttons that post their link key; other objects are plain text', () => {
    const html = renderReportHtml({ result: result(), nonce: 'n' });
    assert.match(html, /<button class="link" data-link="route:0" title="Open my route\.yaml at line 7">my route\.yaml:7<\/button>/);
    assert.match(html, /<button class="link name" data-link="Service:default\/web" title="Open default\/web in the workspace">default\/web<\/button>/);
    assert.match(html, /<span class="name" title="default\/auth">default\/auth<\/span>/);
    assert.match(html, /vscode\.postMessage\(\{ type: 'open', link: target\.getAttribute\('data-link'\) \}\)/);
  });
});

describe('noticeFor', () => {
  const problem = (code: SnapshotProblem['code'], message: string, fatal: boolean): SnapshotProblem => ({ code, message, fatal });

  test('nothing to say when the cluster was read in full', () => {
    assert.equal(noticeFor(result()), undefined);
  });

  test('a fatal fault: one error, with "Select context" when another context may cure it', () => {
    const unknown = problem('unknown-context', 'There is no context "prod" in the kubeconfig (known contexts: minikube).', true);
    assert.deepEqual(noticeFor(result({ context: 'prod' }, { problems: [unknown] })), {
      severity: 'error',
      message: 'Route Doctor could not read the cluster "prod": There is no context "prod" in the kubeconfig (known contexts: minikube).',
      actions: ['Select context', 'Show output'],
    });
    for (const code of ['unreachable', 'tls', 'unauthorized', 'timeout', 'bad-kubeconfig'] as const) {
      assert.deepEqual(noticeFor(result({}, { problems: [problem(code, 'x', true)] }))?.actions, ['Select context', 'Show output'], code);
    }
    assert.deepEqual(noticeFor(result({ context: '' }, { problems: [problem('no-kubeconfig', 'No kubeconfig found.', true)] })), {
      severity: 'error', message: 'Route Doctor could not read the cluster: No kubeconfig found.', actions: ['Show output'],
    });
  });

  test('missing CRDs: one warning pointing at the report', () => {
    const r = result();
    r.summary.codes = { 'live-crd-missing': 2 };
    const notice = noticeFor(r);
    assert.equal(notice?.severity, 'warning');
    assert.match(notice!.message, /does not serve the Traefik resources of 2 workspace objects \(live-crd-missing\)/);
    assert.deepEqual(notice!.actions, ['Open report', 'Show output']);
  });

  test('partial reads (403, 5xx, timeouts): one warning with the first problem and how many more', () => {
    const problems = [
      problem('forbidden', 'Not allowed to list pods in namespace default (403 Forbidden).', false),
      problem('server-error', 'The API server failed to list services in namespace default (500).', false),
    ];
    assert.deepEqual(noticeFor(result({}, { problems })), {
      severity: 'warning',
      message: 'Route Doctor read the cluster "minikube" only in part; the hops it could not check are marked unknown. Not allowed to list pods in namespace default (403 Forbidden). (and 1 more problem; see the output)',
      actions: ['Open report', 'Show output'],
    });
  });
});
