/**
 * The rule checks on IngressRoute and IngressRouteTCP objects: exact file ranges inside `match` values, severities,
 * the data a quick fix needs, HostSNI and TLS, and the deprecated `syntax` field. Only the rule-language codes are
 * looked at; other checks may report on the same objects.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { type Finding, makeAnalysisOptions, type TraefikOptions } from '../../server/src/core/model';
import { analyzeSources } from '../../server/src/core/workspace';

const ruleCodes = new Set(['rule-syntax', 'rule-unknown-matcher', 'rule-v2-matcher', 'rule-syntax-deprecated', 'hostsni-requires-tls']);

interface Seen {
  code: string;
  severity: string;
  /** The file text the finding covers. */
  text: string;
  finding: Finding;
}

function check(yaml: string, options: Partial<TraefikOptions> = {}): Seen[] {
  const result = analyzeSources([{ file: 'r.yaml', text: yaml }], makeAnalysisOptions(options));
  return (result.findings.get('r.yaml') ?? [])
    .filter((f) => ruleCodes.has(f.code))
    .map((f) => ({ code: f.code, severity: f.severity, text: yaml.slice(f.span.start, f.span.end), finding: f }));
}

function ingressRoute(routes: string, kind = 'IngressRoute', tail = ''): string {
  return `apiVersion: traefik.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: r\nspec:\n  routes:\n${routes}${tail}`;
}

describe('rule findings', () => {
  test('are placed on the offending token inside every scalar style', () => {
    const yaml = ingressRoute([
      '    - match: Host(`a.com`) && Headers(`X`, `y`)',
      '    - match: "Host(`b.com`) && PathRegexp(\\"^/\\\\d+\\")"',
      "    - match: 'Header(`X`, `it''s`) && hostRegexp(`c`)'",
      '    - match: >-\n        Host(`d.com`) &&\n        PathRegexp(`^/(?!x)`)',
      '    - match: |\n        Host(`e.com`)\n        && Path(`/e`)',
    ].join('\n') + '\n');
    assert.deepEqual(check(yaml).map((s) => [s.code, s.text]), [
      ['rule-v2-matcher', 'Headers'],
      ['rule-syntax', '\\\\d'],
      ['rule-unknown-matcher', 'hostRegexp'],
      ['rule-syntax', '(?!'],
      ['rule-syntax', '&&'],
    ]);
  });

  test('quote Traefik\'s error and carry what a fix needs', () => {
    const [headers] = check(ingressRoute('    - match: Host(`a.com`) && Headers(`X`, `y`)\n'));
    assert.match(headers!.finding.message, /Traefik: error while parsing rule Host\(`a\.com`\) && Headers\(`X`, `y`\): unsupported function: Headers$/);
    assert.deepEqual(headers!.finding.data, { replacement: 'Header', v3Rule: 'Host(`a.com`) && Header(`X`, `y`)' });
    const [several] = check(ingressRoute('    - match: Host(`a.com`, `b.com`)\n'));
    assert.deepEqual([several!.code, several!.text, several!.finding.data], ['rule-v2-matcher', '`b.com`', { v3Rule: '(Host(`a.com`) || Host(`b.com`))' }]);
  });

  test('v2 leftovers that Traefik accepts are warnings', () => {
    const [placeholder] = check(ingressRoute('    - match: Path(`/users/{id}`)\n'));
    assert.deepEqual([placeholder!.code, placeholder!.severity, placeholder!.text], ['rule-v2-matcher', 'warning', '`/users/{id}`']);
    assert.deepEqual(placeholder!.finding.data, { v3Rule: 'PathRegexp(`^/users/[^/]+$`)' });
  });

  test('empty and missing rules are left to the provider checks (rule-empty)', () => {
    assert.deepEqual(check(ingressRoute('    - match: ""\n    - match: "  "\n    - kind: Rule\n')), []);
  });

  test('a match that is not a string is an error', () => {
    assert.deepEqual(check(ingressRoute('    - match: [Host(`a`)]\n')).map((s) => s.code), ['rule-syntax']);
  });

  test('the Traefik version decides the syntax and the parser', () => {
    const yaml = ingressRoute('    - match: Host(`a.com`, `b.com`) && Host((`c.com`))\n      kind: Rule\n');
    assert.deepEqual(check(yaml, { version: 'v2' }).map((s) => [s.code, s.text]), [['rule-syntax', '(`c.com`)']]);
    assert.deepEqual(check(yaml, { version: 'v3' }).map((s) => [s.code, s.text]), [['rule-v2-matcher', '`b.com`']]);
  });
});

describe('the syntax field', () => {
  test('is deprecated under Traefik v3, with the converted rule for a fix', () => {
    const yaml = ingressRoute('    - match: Host(`a.com`, `b.com`)\n      syntax: v2\n');
    const findings = check(yaml);
    assert.deepEqual(findings.map((s) => [s.code, s.severity, s.text]), [['rule-syntax-deprecated', 'warning', 'syntax: v2']]);
    assert.deepEqual(findings[0]!.finding.data, { removeSyntax: true, v3Rule: '(Host(`a.com`) || Host(`b.com`))' });
  });

  test('is not reported under Traefik v2', () => {
    assert.deepEqual(check(ingressRoute('    - match: Host(`a.com`)\n      kind: Rule\n      syntax: v2\n'), { version: 'v2' }), []);
  });
});

describe('HostSNI and TLS', () => {
  const tcp = (match: string, tls: string): string => ingressRoute(`    - match: ${match}\n`, 'IngressRouteTCP', tls);

  test('a HostSNI other than * needs spec.tls', () => {
    const [finding] = check(tcp('HostSNI(`db.example.com`)', ''));
    assert.deepEqual([finding!.code, finding!.text], ['hostsni-requires-tls', 'HostSNI(`db.example.com`)']);
    assert.match(finding!.finding.message, /invalid rule: "HostSNI\(`db\.example\.com`\)" , has HostSNI matcher, but no TLS on router/);
  });

  test('the catch-all, TLS (even empty) and an invalid rule are not reported', () => {
    assert.deepEqual(check(tcp('HostSNI(`*`)', '')), []);
    assert.deepEqual(check(tcp('HostSNI(`*`) || HostSNI(`a.com`)', '')), []);
    assert.deepEqual(check(tcp('ClientIP(`10.0.0.0/8`)', '')), []);
    assert.deepEqual(check(tcp('HostSNI(`a.com`)', '  tls: {}\n')), []);
    assert.deepEqual(check(tcp('HostSNI(`a.com`)', '  tls:\n    passthrough: true\n')), []);
    assert.deepEqual(check(tcp('HostSNI(`a.com`, `b.com`)', '')).map((s) => s.code), ['rule-v2-matcher']);
  });

  test('tls: null is no TLS', () => {
    assert.deepEqual(check(tcp('HostSNI(`a.com`)', '  tls:\n')).map((s) => s.code), ['hostsni-requires-tls']);
  });
});
