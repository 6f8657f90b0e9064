/**
 * The value checks under the rule parser, each against Go's behaviour: RE2 regexps (messages as Go's regexp
 * package prints them, checked against Go 1.19 when written), Go's IP and CIDR parsing, gorilla/mux templates,
 * and Traefik's HostSNI pattern.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { goParseCIDR, goParseIP } from '../../server/src/core/rulelang/goNet';
import { goRegexpErrorText, validateGoRegexp } from '../../server/src/core/rulelang/goRegexp';
import { isValidHostSNI } from '../../server/src/core/rulelang/hostName';
import { validateMuxTemplate } from '../../server/src/core/rulelang/muxTemplate';

function regexpError(pattern: string): string {
  const error = validateGoRegexp(pattern);
  return error ? goRegexpErrorText(error) : '';
}

describe('Go RE2 regexp validation', () => {
  test('accepts what Go accepts, including what JavaScript would refuse or read differently', () => {
    for (const pattern of [
      '^[a-z]+\\.example\\.com$', '(?i)^Example', '(?P<name>[0-9]+)', '(?<name>[0-9]+)', 'a{2,3}', 'a{,3}', '{', 'a{01}',
      'x{1000}', '\\Q.*\\E+', '\\p{Greek}+', '\\pL', '[[:alpha:][:^digit:]]', '[]a]', '[^]a]', '\\x{10FFFF}', '\\012', '^*',
      '(?:)', '(?i)', '(?s:.)', '(?U)a+', '\\_', '{domain:[a-z]+}',
    ]) {
      assert.equal(regexpError(pattern), '', pattern);
    }
  });

  test('refuses what RE2 refuses, with Go\'s message', () => {
    const cases: [string, string][] = [
      ['(?=foo)', 'invalid or unsupported Perl syntax: `(?=`'],
      ['(?!foo)', 'invalid or unsupported Perl syntax: `(?!`'],
      ['(?>foo)', 'invalid or unsupported Perl syntax: `(?>`'],
      ['(?#comment)', 'invalid or unsupported Perl syntax: `(?#`'],
      ['\\1', 'invalid escape sequence: `\\1`'],
      ['\\Z', 'invalid escape sequence: `\\Z`'],
      ['\\G', 'invalid escape sequence: `\\G`'],
      ['\\C', 'invalid escape sequence: `\\C`'],
      ['\\k<name>', 'invalid escape sequence: `\\k`'],
      ['a**', 'invalid nested repetition operator: `**`'],
      ['a*{2}', 'invalid nested repetition operator: `*{2}`'],
      ['a++', 'invalid nested repetition operator: `++`'],
      ['*a', 'missing argument to repetition operator: `*`'],
      ['(*)', 'missing argument to repetition operator: `*`'],
      ['a|*', 'missing argument to repetition operator: `*`'],
      ['x{1001}', 'invalid repeat count: `{1001}`'],
      ['x{3,2}', 'invalid repeat count: `{3,2}`'],
      ['(x{100}){100}', 'invalid repeat count: `{100}`'],
      ['(a', 'missing closing ): `(a`'],
      ['a)', 'unexpected ): `a)`'],
      ['[a', 'missing closing ]: `[a`'],
      ['[z-a]', 'invalid character class range: `z-a`'],
      ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
      ['\\p{Foo}', 'invalid character class range: `\\p{Foo}`'],
      ['\\x{110000}', 'invalid escape sequence: `\\x{110000`'],
      ['\\xZ1', 'invalid escape sequence: `\\xZ1`'],
      ['\\', 'trailing backslash at end of expression: ``'],
      ['(?P<>a)', 'invalid named capture: `(?P<>`'],
      ['(?P<a-b>c)', 'invalid named capture: `(?P<a-b>`'],
      ['(?i-)', 'invalid or unsupported Perl syntax: `(?i-)`'],
      ['(?x)', 'invalid or unsupported Perl syntax: `(?x`'],
      ['[a-\\d]', 'invalid escape sequence: `\\d`'],
      ['[\\b]', 'invalid escape sequence: `\\b`'],
    ];
    for (const [pattern, message] of cases) assert.equal(regexpError(pattern), `error parsing regexp: ${message}`, pattern);
  });

  test('look-behind is refused too (Go reads (?< as a named group)', () => {
    assert.notEqual(regexpError('(?<=foo)'), '');
    assert.notEqual(regexpError('(?<!foo)'), '');
  });

  test('reports where the error is', () => {
    const error = validateGoRegexp('^/api/(?!internal)/v1')!;
    assert.deepEqual([error.start, error.end], [6, 9]);
  });

  test('a byte that is not UTF-8 is an error where it is reached', () => {
    assert.equal(regexpError('ok'), '');
    assert.match(goRegexpErrorText(validateGoRegexp('a\ufffdb', 1)!), /invalid UTF-8/);
  });
});

describe('Go IP and CIDR parsing (ClientIP)', () => {
  test('IPs', () => {
    for (const ip of ['127.0.0.1', '::1', '::', '10::10', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', 'fe80::1']) assert.ok(goParseIP(ip), ip);
    for (const ip of ['1', '1.2.3', '1.2.3.04', '256.1.1.1', 'fe80::1%eth0', '1:2:3:4:5:6:7::8', ':::', '1.2.3.4/8', '🦭']) assert.ok(!goParseIP(ip), ip);
  });

  test('CIDRs', () => {
    for (const c of ['10.0.0.0/8', '192.168.1.0/24', '10::/16', '::/0', '1.2.3.4/032']) assert.ok(goParseCIDR(c), c);
    for (const c of ['10.0.0.0/33', '10::/129', '10.0.0.0/', '1/8', 'fe80::1%eth0/64', '🦭/32']) assert.ok(!goParseCIDR(c), c);
  });
});

describe('gorilla/mux templates (v2 syntax)', () => {
  test('valid templates', () => {
    for (const [t, kind] of [['/users/{id}', 'path'], ['/css-{name:[0-9]?}', 'prefix'], ['{sub:[a-z]+}.example.com', 'host'], ['(example.com', 'host'], ['/{id:[0-9]{3}}', 'path'], ['k={v}', 'query']] as const) {
      assert.equal(validateMuxTemplate(t, kind, -1), undefined, t);
    }
  });

  test('invalid templates, with gorilla/mux\'s messages', () => {
    assert.equal(validateMuxTemplate('css', 'path', -1)?.message, 'mux: path must start with a slash, got "css"');
    assert.equal(validateMuxTemplate('/{test', 'path', -1)?.message, 'mux: unbalanced braces in "/{test"');
    assert.equal(validateMuxTemplate('/a}', 'path', -1)?.message, 'mux: unbalanced braces in "/a}"');
    assert.equal(validateMuxTemplate('/{:[0-9]+}', 'path', -1)?.message, 'mux: missing name or pattern in "{:[0-9]+}"');
    assert.equal(validateMuxTemplate('/{id:(}', 'path', -1)?.message, 'error parsing regexp: missing closing ): `^($`');
    const error = validateMuxTemplate('/x/{id:(}', 'path', -1)!;
    assert.deepEqual([error.start, error.end], [3, 9], 'the range is the placeholder');
  });
});

describe('HostSNI values', () => {
  test('Traefik 3.7', () => {
    for (const h of ['*', 'example.com', 'example.com.', 'foo_bar.example.com', '*.example.com', 'xn--9t9h.com', '10.0.0.1', '::1', 'bücher.de']) assert.ok(isValidHostSNI(h, 'v3'), h);
    for (const h of ['*.*.example.com', '🦭.com', 'a b', 'a/b', '*.bücher.de', 'a_ü.de']) assert.ok(!isValidHostSNI(h, 'v3'), h);
  });

  test('Traefik 2.11', () => {
    for (const h of ['*', 'example.com', '10.0.0.1']) assert.ok(isValidHostSNI(h, 'v2'), h);
    for (const h of ['foo_bar.example.com', '*.example.com', 'bücher.de']) assert.ok(!isValidHostSNI(h, 'v2'), h);
  });
});
