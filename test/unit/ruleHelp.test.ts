/**
 * Help inside Traefik rules (core/features/ruleHelp.ts): hovers on matchers and on host values, completion of
 * matchers and hosts, in every YAML scalar style, for HTTP and TCP routes, v2 and v3 syntax; and the code lens
 * places. The matcher documentation is held against the parser's matcher table so that they cannot drift apart.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codeLenses, lensPlaces } from '../../server/src/core/features/codeLens';
import { completionsAt, type CompletionItem } from '../../server/src/core/features/completion';
import { hoverAt, type HoverContext } from '../../server/src/core/features/hover';
import { availableMatchers, type MatcherDoc } from '../../server/src/core/features/matcherDocs';
import { LineIndex } from '../../server/src/core/lineIndex';
import { makeAnalysisOptions, type TraefikOptions } from '../../server/src/core/model';
import { matcherSet } from '../../server/src/core/rulelang/matchers';
import { analyzeSources, type SourceText } from '../../server/src/core/workspace';

function workspace(sources: SourceText[], options: Partial<TraefikOptions> = {}) {
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  const analysisOptions = makeAnalysisOptions(options);
  const result = analyzeSources(sources, analysisOptions);
  const ctx: HoverContext = {
    index: result.index,
    options: analysisOptions,
    textOf: (file) => texts.get(file),
    findingsOf: (file) => result.findings.get(file) ?? [],
    linkTo: (file, offset) => {
      const line = new LineIndex(texts.get(file)!).position(offset).line + 1;
      return { href: `file:///ws/${file}#L${line}`, label: `${file}:${line}` };
    },
  };
  /** The offset `delta` characters into the first occurrence of `needle` in `file`. */
  const at = (file: string, needle: string, delta = 0): number => {
    const i = texts.get(file)!.indexOf(needle);
    assert.ok(i >= 0, `${JSON.stringify(needle)} is in ${file}`);
    return i + delta;
  };
  /** The hover there, with the text of the range it is about. */
  const hover = (file: string, needle: string, delta = 0) => {
    const h = hoverAt(ctx, file, at(file, needle, delta));
    return h && { markdown: h.markdown, text: texts.get(file)!.slice(h.span.start, h.span.end) };
  };
  const complete = (file: string, needle: string, delta = 0) => completionsAt(ctx, file, at(file, needle, delta));
  /** The text a completion item would replace. */
  const replaced = (file: string, item: CompletionItem) => texts.get(file)!.slice(item.span.start, item.span.end);
  return { ctx, at, hover, complete, replaced };
}

const example = (): SourceText[] => {
  const dir = join(__dirname, '..', '..', 'examples', 'go-app-404');
  return readdirSync(dir).map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
};

const route = (kind: string, name: string, matches: readonly string[], extra = ''): string => [
  'apiVersion: traefik.io/v1alpha1',
  `kind: ${kind}`,
  'metadata:',
  `  name: ${name}`,
  'spec:',
  ...(extra ? [extra] : []),
  '  routes:',
  ...matches.flatMap((m) => [`    - match: ${m}`, '      services:', '        - name: web', '          port: 80']),
  '',
].join('\n');

const labels = (items: readonly CompletionItem[]) => items.map((i) => i.label);

// ---- The documentation and the parser's matcher table

test('every matcher the parser knows has documentation for the syntaxes it exists in, and no other', () => {
  for (const protocol of ['http', 'tcp'] as const) {
    const documented = new Set<MatcherDoc>();
    for (const syntax of ['v3', 'v2'] as const) {
      const available = availableMatchers(protocol, syntax, syntax);
      assert.deepEqual(available.map((d) => d.name).sort(), [...matcherSet(protocol, syntax, syntax).matchers.keys()].sort(), `${protocol} ${syntax}`);
      for (const doc of available) documented.add(doc);
    }
    for (const doc of documented) {
      for (const syntax of ['v3', 'v2'] as const) {
        assert.equal(doc[syntax] !== undefined, matcherSet(protocol, syntax, syntax).matchers.has(doc.name), `${protocol} ${doc.name} documents its ${syntax} form exactly when it exists`);
      }
    }
  }
});

// ---- Hovers on matchers

test('hover on a matcher: what it matches, its arguments per syntax, an example, and that this route may call it', () => {
  const w = workspace(example());
  const h = w.hover('ingressroute.yaml', 'Host(`go.local`)', 2)!;
  assert.equal(h.text, 'Host');
  assert.match(h.markdown, /^\*\*Host\*\* · HTTP matcher · Matches the request's host name/);
  assert.match(h.markdown, /- v3 syntax: one host · `` Host\(`example\.com`\) ``/);
  assert.match(h.markdown, /- v2 syntax: one or more hosts/);
  assert.match(h.markdown, /Traefik 3\.7\+ \(v3 syntax\): `\*` matches any host, and a leading `\*\.` matches exactly one label/);
  assert.match(h.markdown, /✅ Available in route 1 of this IngressRoute \(v3 syntax, Traefik v3\)\./);
  assert.equal(w.hover('ingressroute.yaml', 'PathPrefix(`/api`)', 10)!.text, 'PathPrefix', 'the position right after the name counts');
  assert.equal(w.hover('ingressroute.yaml', 'match: Host', 3), undefined, 'the key is not the rule');
});

test('hover on a matcher the route cannot call says why and what to write instead', () => {
  const w = workspace([
    { file: 'v3.yaml', text: route('IngressRoute', 'v3', ['Host(`a.example.com`) && HostHeader(`b`)', 'hostheader(`c`)']) },
    { file: 'v2route.yaml', text: route('IngressRoute', 'v2', ['HostHeader(`a`) && QueryRegexp(`q`, `x`)']).replace('    - match: ', '    - syntax: v2\n      match: ') },
    { file: 'tcp.yaml', text: route('IngressRouteTCP', 'tcp', ['Host(`a`) || HostSNI(`db.example.com`) || ALPN(`h2`)']) },
  ]);
  const removed = w.hover('v3.yaml', 'HostHeader', 3)!.markdown;
  assert.match(removed, /- v3 syntax: —/);
  assert.match(removed, /❌ Not in route 1 of this IngressRoute \(v3 syntax, Traefik v3\): v3 syntax does not have it\. Removed in v3 syntax: use `Host`\./);
  assert.match(w.hover('v3.yaml', 'hostheader', 0)!.markdown, /^\*\*HostHeader\*\*/, 'every spelling Traefik registers is recognised');
  assert.match(w.hover('v2route.yaml', 'HostHeader', 0)!.markdown, /✅ Available in route 1 of this IngressRoute \(v2 syntax, Traefik v3\)/);
  assert.match(w.hover('v2route.yaml', 'QueryRegexp', 0)!.markdown, /❌ Not in .*: this route uses v2 syntax, which does not have it\. v3 syntax only\./);
  const tcp = w.hover('tcp.yaml', 'Host(', 0)!.markdown;
  assert.match(tcp, /❌ Not here: Host is an HTTP matcher and this is an IngressRouteTCP\. Use HostSNI\./);
  const sni = w.hover('tcp.yaml', 'HostSNI', 0)!.markdown;
  assert.match(sni, /✅ Available/);
  assert.match(sni, /⚠️ This IngressRouteTCP has no `tls` section: only ``HostSNI\(`\*`\)`` works without TLS/);
  assert.match(w.hover('tcp.yaml', 'ALPN', 0)!.markdown, /⚠️ This IngressRouteTCP has no `tls` section: a plain TCP connection has no TLS handshake/);

  const traefik2 = workspace([{ file: 'r.yaml', text: route('IngressRoute', 'r', ['PathRegexp(`^/a`)']) }], { version: 'v2' });
  assert.match(traefik2.hover('r.yaml', 'PathRegexp', 0)!.markdown, /❌ Not in route 1 of this IngressRoute \(v2 syntax, Traefik v2\): Traefik 2 does not have it\./);
  const withTls = workspace([{ file: 't.yaml', text: route('IngressRouteTCP', 't', ['HostSNI(`db.example.com`)'], '  tls:\n    passthrough: true') }]);
  assert.doesNotMatch(withTls.hover('t.yaml', 'HostSNI', 0)!.markdown, /⚠️/);
});

test('hovers find their place in every YAML scalar style: quoted with escapes, literal and folded blocks', () => {
  const text = route('IngressRoute', 'styles', [
    '"Host(\\"a.example.com\\") && Path(`/x`)"',
    "'Method(`GET`) || Header(`X-It''s`, `yes`)'",
    '|\n        Host(`b.example.com`) &&\n          PathPrefix(`/b`)',
    '>-\n        ClientIP(`10.0.0.0/8`)\n        || Query(`debug`)',
  ]);
  const w = workspace([{ file: 'r.yaml', text }]);
  assert.equal(w.hover('r.yaml', 'Path(`/x', 1)!.text, 'Path');
  assert.equal(w.hover('r.yaml', 'Header(', 2)!.text, 'Header');
  assert.equal(w.hover('r.yaml', 'PathPrefix(`/b', 4)!.text, 'PathPrefix');
  assert.equal(w.hover('r.yaml', 'Query(', 0)!.text, 'Query');
  assert.equal(w.hover('r.yaml', 'a.example.com', 0)!.text, '\\"a.example.com\\"', 'a double-quoted Go string inside a double-quoted YAML scalar');
});

// ---- Hovers on hosts

test('hover on a Host or HostSNI value lists the other routes of the workspace with that host, with links', () => {
  const sources = [
    ...example(),
    { file: 'tcp.yaml', text: route('IngressRouteTCP', 'db', ['HostSNI(`GO.local`)'], '  tls:\n    passthrough: true') },
    { file: 'ingress.yaml', text: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: legacy\nspec:\n  rules:\n    - host: go.local\n      http:\n        paths: []\n' },
    { file: 'other.yaml', text: route('IngressRoute', 'other', ['Host(`other.local`) && Host(`other.local`)']) },
  ];
  const w = workspace(sources);
  const h = w.hover('ingressroute.yaml', 'go.local', 1)!;
  assert.equal(h.text, '`go.local`');
  assert.equal(h.markdown, [
    '**Host** `go.local` · also used by 5 other routes:',
    '- IngressRoute `default/go-app-route` route 2 (Host) · [ingressroute.yaml:17](file:///ws/ingressroute.yaml#L17)',
    '- IngressRoute `default/go-app-route` route 3 (Host) · [ingressroute.yaml:25](file:///ws/ingressroute.yaml#L25)',
    '- IngressRoute `default/go-app-route` route 4 (Host) · [ingressroute.yaml:31](file:///ws/ingressroute.yaml#L31)',
    '- IngressRouteTCP `default/db` route 1 (HostSNI) · [tcp.yaml:9](file:///ws/tcp.yaml#L9)',
    '- Ingress `default/legacy` rule 1 (Ingress) · [ingress.yaml:7](file:///ws/ingress.yaml#L7)',
  ].join('\n'));
  assert.equal(w.hover('other.yaml', 'other.local', 0)!.markdown, '**Host** `other.local` · no other route of the workspace uses this host.', 'the same route naming it twice is not another route');
  assert.equal(w.hover('ingressroute.yaml', '/api', 0), undefined, 'other values have no host hover');
});

test('the router.rule annotation of an Ingress gets the same help, and says that Traefik does not read it', () => {
  const text = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: blog\n  annotations:\n    traefik.ingress.kubernetes.io/router.rule: Host(`blog.example.com`) && Path\nspec:\n  rules: []\n';
  const w = workspace([{ file: 'ingress.yaml', text }]);
  const md = w.hover('ingress.yaml', 'Host(', 0)!.markdown;
  assert.match(md, /✅ Available in the traefik\.ingress\.kubernetes\.io\/router\.rule annotation \(v3 syntax, Traefik v3\)/);
  assert.match(md, /ℹ️ Traefik's Kubernetes Ingress provider does not read `traefik\.ingress\.kubernetes\.io\/router\.rule`/);
  const items = w.complete('ingress.yaml', '&& Path', 7);
  assert.ok(labels(items).includes('PathPrefix'));
  assert.equal(w.replaced('ingress.yaml', items[0]!), 'Path');
});

// ---- Completion of matchers

test('matchers are offered where one may start, with a snippet, for the route\'s protocol and syntax', () => {
  const text = [
    route('IngressRoute', 'web', ['Host(`a.example.com`) && ', 'Host(`b.example.com`) &&Pa', '(Host(`c`) || !', 'Ho(`x`)', 'Host(`d`) ||', 'Host(`e`) // comment &&']),
    route('IngressRouteTCP', 'db', ['HostSNI(`*`) || ']),
    route('IngressRoute', 'old', ['Path(`/`) || ']).replace('    - match: ', '    - syntax: v2\n      match: '),
  ].join('---\n');
  const w = workspace([{ file: 'r.yaml', text }]);
  const afterAnd = w.complete('r.yaml', 'a.example.com`) && ', 19);
  assert.deepEqual(labels(afterAnd), ['Host', 'HostRegexp', 'Path', 'PathPrefix', 'PathRegexp', 'Method', 'Header', 'HeaderRegexp', 'Query', 'QueryRegexp', 'ClientIP']);
  const host = afterAnd[0]!;
  assert.deepEqual({ newText: host.newText, snippet: host.snippet, kind: host.kind, replaced: w.replaced('r.yaml', host) }, { newText: 'Host(`$1`)', snippet: true, kind: 'matcher', replaced: '' });
  assert.equal(host.detail, 'HTTP matcher · one host');
  assert.match(host.documentation!, /`` Host\(`example\.com`\) ``/);

  const typed = w.complete('r.yaml', '&&Pa', 4);
  assert.equal(w.replaced('r.yaml', typed[0]!), 'Pa', 'the name being typed is replaced');
  assert.equal(typed[0]!.newText, ' Host(`$1`)', 'a blank is put after an operator written without one');
  assert.deepEqual(labels(w.complete('r.yaml', '|| !', 4)).slice(0, 2), ['Host', 'HostRegexp'], 'after ! and a grouping parenthesis');
  const rename = w.complete('r.yaml', 'Ho(`x`)', 2);
  assert.deepEqual([rename[0]!.newText, rename[0]!.snippet, w.replaced('r.yaml', rename[0]!)], ['Host', undefined, 'Ho'], 'before an existing call only the name is replaced');
  assert.ok(w.complete('r.yaml', 'Host(`d`) ||', 12).length > 0, 'at the end of a plain scalar');
  assert.deepEqual(w.complete('r.yaml', 'Host(`a.example.com`)', 5), [], 'not inside a call\'s parentheses');
  assert.deepEqual(w.complete('r.yaml', 'Host(`a.example.com`)', 21), [], 'not right after a call');
  assert.deepEqual(w.complete('r.yaml', '// comment &&', 13), [], 'not after a comment');
  assert.deepEqual(labels(w.complete('r.yaml', 'HostSNI(`*`) || ', 16)), ['HostSNI', 'HostSNIRegexp', 'ALPN', 'ClientIP']);
  assert.deepEqual(labels(w.complete('r.yaml', 'Path(`/`) || ', 13)), ['Host', 'HostHeader', 'HostRegexp', 'Path', 'PathPrefix', 'Method', 'Headers', 'HeadersRegexp', 'Query', 'ClientIP']);
  const v2Query = w.complete('r.yaml', 'Path(`/`) || ', 13).find((i) => i.label === 'Query')!;
  assert.equal(v2Query.newText, 'Query(`$1=$2`)', 'the v2 form of the snippet');
});

test('matchers are offered in an empty match and in every scalar style; the leading blank after `match:` is added', () => {
  const text = route('IngressRoute', 'web', ['', '""', "'Host(`a`) && '", '|\n        Host(`b`) &&\n        ']);
  const w = workspace([{ file: 'r.yaml', text }]);
  const empty = w.complete('r.yaml', '- match:', 8);
  assert.equal(empty[0]!.newText, ' Host(`$1`)');
  assert.equal(empty[0]!.span.start, w.at('r.yaml', '- match:', 8));
  const quoted = w.complete('r.yaml', '""', 1);
  assert.deepEqual([quoted[0]!.newText, quoted[0]!.span.start], ['Host(`$1`)', w.at('r.yaml', '""', 1)]);
  assert.equal(w.complete('r.yaml', "&& '", 3)[0]!.label, 'Host');
  assert.equal(w.complete('r.yaml', '&& \'', 4).length, 0, 'after the closing quote is outside the rule');
  const nextLine = w.complete('r.yaml', 'Host(`b`) &&\n', 13 + 8);
  assert.deepEqual([nextLine[0]!.newText, nextLine[0]!.span.start], ['Host(`$1`)', w.at('r.yaml', 'Host(`b`) &&\n', 13 + 8)], 'on the blank line after a block scalar, indented like it');
  assert.deepEqual(w.complete('r.yaml', 'Host(`b`) &&\n', 13 + 4), [], 'but not left of its indentation');
});

// ---- Completion of hosts

test('hosts of the workspace are offered inside Host and HostSNI values, without the value being typed', () => {
  const text = [
    route('IngressRoute', 'web', ['Host(`shop.example.com`)', 'Host(`', 'Host(`sh`) && PathPrefix(`/a`)', '"Host(\\"\\")"', 'Path(`/`)']),
    route('IngressRouteTCP', 'db', ['HostSNI(`db.example.com`) || HostSNI(`*`)'], '  tls:\n    passthrough: true'),
  ].join('---\n');
  const w = workspace([{ file: 'r.yaml', text }]);
  const open = w.complete('r.yaml', 'Host(`\n', 6);
  assert.deepEqual(open.map((i) => `${i.label} (${i.detail})`), ['db.example.com (HostSNI in IngressRouteTCP default/db)', 'sh (Host in IngressRoute default/web)', 'shop.example.com (Host in IngressRoute default/web)']);
  assert.deepEqual([open[0]!.kind, open[0]!.newText, w.replaced('r.yaml', open[0]!)], ['host', 'db.example.com', '']);
  const typing = w.complete('r.yaml', 'Host(`sh`)', 8);
  assert.deepEqual(labels(typing), ['db.example.com', 'shop.example.com'], 'its own value is not offered');
  assert.equal(w.replaced('r.yaml', typing[0]!), 'sh', 'the whole value is replaced');
  const escaped = w.complete('r.yaml', '\\"\\"', 2);
  assert.equal(w.replaced('r.yaml', escaped[0]!), '', 'between the escaped quotes of a Go string in a double-quoted scalar');
  assert.equal(escaped[0]!.span.start, w.at('r.yaml', '\\"\\"', 2));
  assert.deepEqual(w.complete('r.yaml', 'Path(`/`)', 7), [], 'no hosts in other matchers');
  assert.deepEqual(labels(w.complete('r.yaml', 'HostSNI(`db', 10)), ['sh', 'shop.example.com'], 'HostSNI values too, without `*`');
});

test('an unclosed value followed by the parenthesis an editor closed replaces only what is typed', () => {
  const w = workspace([{ file: 'r.yaml', text: route('IngressRoute', 'web', ['Host(`shop.example.com`)', 'Host(`sh)']) }]);
  const items = w.complete('r.yaml', 'Host(`sh)', 8);
  assert.deepEqual(labels(items), ['shop.example.com']);
  assert.equal(w.replaced('r.yaml', items[0]!), 'sh');
});

// ---- Code lens places

test('a Service lens stands for the references to the Service and the Pod templates it selects', () => {
  const fixed = example().map((s) => (s.file === 'service.yaml' ? { ...s, text: s.text.replace('version: v1\n', 'version: v1.2\n') } : s));
  const w = workspace(fixed);
  const [lens] = codeLenses(w.ctx, 'service.yaml');
  assert.ok(lens);
  const places = lensPlaces(w.ctx, 'service.yaml', lens);
  const texts = new Map(fixed.map((s) => [s.file, s.text]));
  const where = places.map((p) => `${p.file}:${new LineIndex(texts.get(p.file)!).position(p.span.start).line + 1}`);
  assert.deepEqual(where, ['ingressroute.yaml:14', 'ingressroute.yaml:28', 'ingressroute.yaml:36', 'deployment.yaml:17']);
  assert.equal(lens.title, 'selects 1 workload · 3 routes', 'as many places as the title counts');
});
