/**
 * The rule parser against Traefik's behaviour: Go's expression grammar (with its quirks), vulcand/predicate's
 * interpreter in both versions, the matchers per protocol and syntax, and the exact ranges and texts of errors.
 * The verdicts here were checked against a Go program running go/parser, regexp and net the way Traefik does.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { matcherCalls, parseRule, type RuleParseOptions } from '../../server/src/core/rulelang/parser';

const v3: RuleParseOptions = { protocol: 'http' };

function valid(rule: string, options: RuleParseOptions = v3): boolean {
  return parseRule(rule, options).valid;
}

/** The first problem Traefik would report, with the text of its range. */
function firstProblem(rule: string, options: RuleParseOptions = v3) {
  const problem = parseRule(rule, options).problems[0]!;
  assert.ok(problem, `expected a problem in ${rule}`);
  return { ...problem, text: rule.slice(problem.span.start, problem.span.end) };
}

describe('Go expression grammar', () => {
  test('accepts Go\'s quirks that Traefik inherits', () => {
    for (const rule of [
      'Host(`a.com`)',
      'Host(`a.com`,)', // a trailing comma in a call
      'Host(`a.com`...)', // Go's spread syntax, which predicate ignores
      'Host(`a.com`) /* comment */ && Path(`/`)',
      'Host(`a.com`) && // comment\nPath(`/`)',
      'Host(`a.com`) &&\nPath(`/`)', // a break after an operator does not end the expression
      'Host(`a.com`)\n', // the automatic semicolon at the end is allowed
      '  Host(`a.com`)  ',
      '!!Host(`a.com`)',
      '((Host(`a.com`)))',
      'Host((`a.com`))', // predicate v1.3 (Traefik 3) looks through parentheses
      'host(`a.com`)', 'HOST(`a.com`)', 'Hostregexp(`a`)', 'hostregexp(`a`)', // the four registered spellings
      'Host("a.com")', 'Host("\\x61.com")', 'Host("a\\u002ecom")',
      '\ufeffHost(`a.com`)', // a byte order mark at the very start
      'Host(`a.com`) || Host(`b.com`) && !Path(`/x`)',
    ]) {
      assert.ok(valid(rule), rule);
    }
  });

  test('refuses what go/parser or predicate refuse', () => {
    for (const rule of [
      '', ' ', 'Host',
      'Host(`a.com`)\n&& Path(`/`)', // a line break after ) ends the expression
      'Host(`a.com`\n)', // and inside arguments it is a missing comma
      'Host(`a.com`);',
      'Host(`a.com`) & Path(`/`)', 'Host(`a.com`) == Host(`b.com`)', '-Host(`a.com`)', '^Host(`a.com`)',
      'Host(a.com)', 'Host(example)', 'Host(1)', 'Host(1.5)', 'Host(1i)', "Host('a')",
      'hostRegexp(`a`)', 'HostRegExp(`a`)', 'x.Host(`a.com`)', 'Host(`a.com`)(`b`)', '(Host)(`a.com`)',
      'Host(`a.com`, Path(`/`))', '`a.com`', 'Host(`a.com`) && `b`', '!`a`',
      'Host(`a.com` + `b`)', 'Host(`a.com`...,`b`)', 'Host(`a.com`) /* open', 'Host(#)', 'Host(`a`)[0]', 'Host{}',
      'Host(`a.com`', 'Host(`a.com)', 'Host("a.com)', 'Path("\\d")', 'Path("\\400")', 'Path("\\uD800")',
      'func() bool { return true }()', 'Host(`a\u0000`)',
    ]) {
      assert.ok(!valid(rule), JSON.stringify(rule));
    }
  });

  test('Traefik 2 (predicate v1.2) refuses parenthesised values', () => {
    assert.ok(!valid('Host((`a.com`))', { protocol: 'http', traefik: 'v2' }));
    assert.ok(valid('Host(`a.com`)', { protocol: 'http', traefik: 'v2' }));
  });

  test('never throws, and leaves absurdly deep nesting unchecked', () => {
    for (const rule of ['(((', ')))', '`', '"\\', "'", '/*', '\\', '\ud800', 'Host(`\ud800`)', '!'.repeat(10_000), '&&||']) {
      assert.doesNotThrow(() => parseRule(rule, v3));
    }
    const deep = '('.repeat(5000) + 'Host(`a`)' + ')'.repeat(5000);
    assert.deepEqual(parseRule(deep, v3), { problems: [], valid: true, unchecked: true });
  });
});

describe('errors: ranges and Traefik\'s texts', () => {
  test('Go syntax errors quote go/parser with its line:column', () => {
    const p = firstProblem('Host(`a.com`) &&');
    assert.equal(p.code, 'rule-syntax');
    assert.equal(p.traefikError, "error while parsing rule Host(`a.com`) &&: 1:17: expected operand, found 'EOF'");
    assert.equal(p.text, '&&', 'an error at the end is shown on the last token');
  });

  test('a line break before && is explained', () => {
    const p = firstProblem('Host(`a.com`)\n&& Path(`/`)');
    assert.equal(p.text, '&&');
    assert.match(p.traefikError!, /: 2:1: expected 'EOF', found '&&'$/);
    assert.match(p.message, /line break/);
  });

  test('an invalid escape is placed where Go places it', () => {
    const p = firstProblem('Path("\\d")');
    assert.equal(p.text, '\\d');
    assert.equal(p.traefikError, 'error while parsing rule Path("\\d"): 1:8: unknown escape sequence');
  });

  test('unknown matchers: the name, and the closest one', () => {
    const p = firstProblem('Host(`a.com`) && hostRegexp(`a`)');
    assert.equal(p.code, 'rule-unknown-matcher');
    assert.equal(p.text, 'hostRegexp');
    assert.equal(p.suggestion, 'HostRegexp');
    assert.equal(p.traefikError, 'error while parsing rule Host(`a.com`) && hostRegexp(`a`): unsupported function: hostRegexp');
  });

  test('v2 matchers under v3 syntax', () => {
    const headers = firstProblem('Host(`a.com`) && Headers(`X`, `y`)');
    assert.deepEqual([headers.code, headers.text, headers.suggestion, headers.rejected], ['rule-v2-matcher', 'Headers', 'Header', true]);
    const several = firstProblem('Host(`a.com`, `b.com`)');
    assert.deepEqual([several.code, several.text], ['rule-v2-matcher', '`b.com`']);
    assert.match(several.traefikError!, /unexpected number of parameters; got 2, expected one of \[1\]$/);
  });

  test('matcher value errors point inside the value', () => {
    assert.equal(firstProblem('PathRegexp(`^/(?=x)`)').text, '(?=');
    assert.equal(firstProblem('Path(`css`)').text, 'c');
    assert.equal(firstProblem('Query(`q`, ``)').text, '``');
    assert.equal(firstProblem('Host()').text, 'Host()');
    assert.equal(firstProblem('ClientIP(`10.0.0.0/33`)').text, '`10.0.0.0/33`');
    assert.equal(firstProblem('Header(`X`)').text, 'Header(`X`)');
  });

  test('Traefik\'s wrapping of matcher errors follows the and/or tree, after De Morgan', () => {
    assert.equal(firstProblem('Path(`b`) && Host(`a.com`)').traefikError,
      'error while adding rule Path(`b`) && Host(`a.com`): error while adding rule and: error while adding rule Path: path "b" does not start with a \'/\'');
    assert.equal(firstProblem('!(Path(`b`) && Host(`a.com`))').traefikError,
      'error while adding rule !(Path(`b`) && Host(`a.com`)): error while adding rule or: error while adding rule Path: path "b" does not start with a \'/\'');
    assert.equal(firstProblem('Host(`a.com`) && Path(``)').traefikError,
      'error while adding rule Host(`a.com`) && Path(``): error while checking rule Path: empty args for matcher Path, []');
  });

  test('every refused matcher is reported, not only the first', () => {
    const result = parseRule('Path(`a`) || Path(`b`) || Host(`ü`)', v3);
    assert.deepEqual(result.problems.map((p) => p.code), ['rule-syntax', 'rule-syntax', 'rule-syntax']);
  });
});

describe('matchers per protocol, syntax and Traefik version', () => {
  test('v3 HTTP arity and values', () => {
    for (const rule of ['Header(`X`, `y`)', 'Query(`q`)', 'Query(`q`, `v`)', 'QueryRegexp(`q`, `^v$`)', 'Method(`get`)', 'Host(`*`)', 'Host(`*.example.com`)', 'ClientIP(`10.0.0.0/8`)', 'PathRegexp(`/{path:(css|js)}`)']) {
      assert.ok(valid(rule), rule);
    }
    for (const rule of ['Header(`X`)', 'Query(`q`, `v`, `w`)', 'Method(`GET`, `POST`)', 'Host(`ü.com`)', 'HostRegexp(`ü`)', 'ClientIP(`1`)', 'Path(`x`)', 'HeaderRegexp(`X`, `(`)', 'HostSNI(`a`)']) {
      assert.ok(!valid(rule), rule);
    }
  });

  test('v2 syntax on Traefik 3', () => {
    const o: RuleParseOptions = { protocol: 'http', syntax: 'v2' };
    for (const rule of ['Host(`a`, `b`)', 'HostHeader(`a`)', 'Headers(`X`, `y`)', 'HeadersRegexp(`X`, `^y`)', 'Path(`/users/{id}`)', 'Query(`a=b`, `c=d`)', 'Query(`a`, `b`)', 'HostRegexp(`(example.com`)', 'Path(`/css{path:(/.*)?}`)']) {
      assert.ok(valid(rule, o), rule);
    }
    for (const rule of ['Headers(`X`)', 'Query(`titi`)', 'Query(`titi={test`)', 'HostRegexp(`{test`)', 'Path(`titi`)', 'HeadersRegexp(`X`, `(`)']) {
      assert.ok(!valid(rule, o), rule);
    }
    const header = firstProblem('Header(`X`, `y`)', o);
    assert.deepEqual([header.code, header.suggestion], ['rule-unknown-matcher', 'Headers']);
  });

  test('TCP', () => {
    const o: RuleParseOptions = { protocol: 'tcp' };
    for (const rule of ['HostSNI(`a.com`) && ALPN(`h2`)', 'HostSNI(`*`)', 'HostSNIRegexp(`^a\\.(com|org)$`)', 'ClientIP(`::1`)', '!ClientIP(`10.0.0.0/8`)']) assert.ok(valid(rule, o), rule);
    for (const rule of ['ALPN(`acme-tls/1`)', 'HostSNI(`a`, `b`)', 'HostSNIRegexp(`ü`)', 'HostSNI(`*.*.a`)']) assert.ok(!valid(rule, o), rule);
    const host = firstProblem('Host(`a.com`)', o);
    assert.deepEqual([host.code, host.suggestion], ['rule-unknown-matcher', 'HostSNI']);
    assert.ok(valid('HostSNI(`a`, `b`) && ALPN(`h2`, `http/1.1`)', { protocol: 'tcp', syntax: 'v2' }));
    assert.ok(!valid('HostSNI(`foo_bar.example.com`)', { protocol: 'tcp', traefik: 'v2' }));
    assert.ok(!valid('HostSNIRegexp(`{a`)', { protocol: 'tcp', traefik: 'v2' }));
  });

  test('the generic grammar: one matcher, any number of values', () => {
    const o: RuleParseOptions = { protocol: 'generic', matchers: ['m'] };
    assert.ok(valid('m(`1`, `2`, `3`) && M(`4`)', o));
    assert.ok(!valid('m()', o));
    assert.ok(!valid('w(`1`)', o));
  });
});

describe('v2 leftovers that v3 accepts but reads differently', () => {
  test('are reported without refusing the rule', () => {
    for (const rule of ['Path(`/users/{id}`)', 'PathPrefix(`/{lang:[a-z]{2}}`)', 'Query(`k=v`)', 'HostRegexp(`{sub:[a-z]+}.example.com`)', 'HeaderRegexp(`X`, `http{secure:s?}`)']) {
      const result = parseRule(rule, v3);
      assert.ok(result.valid, rule);
      assert.deepEqual(result.problems.map((p) => [p.code, p.rejected]), [['rule-v2-matcher', false]], rule);
    }
  });

  test('a wildcard host is only a wildcard in v3 syntax (Traefik 3.7)', () => {
    assert.deepEqual(parseRule('Host(`*.example.com`)', v3).problems, []);
    for (const options of [{ protocol: 'http', syntax: 'v2' }, { protocol: 'http', traefik: 'v2' }] as RuleParseOptions[]) {
      const result = parseRule('Host(`*.example.com`)', options);
      assert.ok(result.valid);
      assert.deepEqual(result.problems.map((p) => [p.code, p.rejected]), [['rule-syntax', false]]);
    }
  });

  test('regexp braces that are not placeholders are left alone', () => {
    for (const rule of ['PathRegexp(`^/\\p{L}{2}$`)', 'PathRegexp(`^/a{2,3}$`)', 'Path(`/a`)', 'Query(`k`, `v=w`)']) {
      assert.deepEqual(parseRule(rule, v3).problems, [], rule);
    }
  });
});

test('the tree keeps matchers in order, with the name as written and the matcher it spells', () => {
  const result = parseRule('hostregexp(`a`) || !(PATH(`/x`) && Method(`GET`))', v3);
  assert.deepEqual(matcherCalls(result.tree).map((c) => [c.name, c.matcher, c.args.map((a) => a.value)]), [
    ['hostregexp', 'HostRegexp', ['a']], ['PATH', 'Path', ['/x']], ['Method', 'Method', ['GET']],
  ]);
  assert.equal(result.tree?.kind, 'or');
});
