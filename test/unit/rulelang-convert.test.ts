/**
 * v2 → v3 rule conversion against the golden file test/fixtures/golden/rule-convert.jsonl: one line per case, the
 * input rule with the syntax it was written for, and either the expected v3 rule or the reason it cannot be
 * converted faithfully. Every converted rule must also be accepted by the v3 parser.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { convertRuleToV3 } from '../../server/src/core/rulelang/convert';
import { parseRule } from '../../server/src/core/rulelang/parser';

interface GoldenCase {
  protocol: 'http' | 'tcp';
  from: 'v2' | 'v3';
  rule: string;
  v3?: string;
  unconvertible?: string;
}

const golden = readFileSync(join(__dirname, '..', 'fixtures', 'golden', 'rule-convert.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as GoldenCase);

describe('v2 → v3 conversion (golden)', () => {
  for (const c of golden) {
    test(`${c.protocol} ${c.from}: ${c.rule}`, () => {
      const result = convertRuleToV3(c.rule, { protocol: c.protocol, from: c.from });
      if (c.unconvertible !== undefined) {
        assert.deepEqual(result, { ok: false, reason: c.unconvertible });
        return;
      }
      assert.ok(result.ok, `converts: ${JSON.stringify(result)}`);
      assert.equal(result.rule, c.v3);
      assert.equal(result.changed, c.v3 !== c.rule);
      if (c.from === 'v2') assert.ok(parseRule(c.rule, { protocol: c.protocol, syntax: 'v2' }).valid, 'the input is valid v2');
      const v3 = parseRule(c.v3!, { protocol: c.protocol, syntax: 'v3' });
      assert.deepEqual(v3.problems, [], 'the output is valid v3 with nothing left to report');
    });
  }

  test('the golden file covers conversions and refusals of both protocols', () => {
    assert.ok(golden.some((c) => c.protocol === 'tcp') && golden.some((c) => c.unconvertible) && golden.some((c) => c.from === 'v3'));
  });
});

test('every valid v2 rule built from the v2 matchers converts to a valid v3 rule', () => {
  const http = ['Host(`a.com`, `b.com`)', 'HostHeader(`a.com`)', 'HostRegexp(`{s:[a-z]+}.a.com`)', 'HostRegexp(`a.com`)', 'Path(`/x/{id}`, `/y`)',
    'PathPrefix(`/p/{n:[0-9]+}`)', 'Method(`GET`, `POST`)', 'Headers(`A`, `b`, `C`, `d`)', 'HeadersRegexp(`A`, `^b|c$`)', 'Query(`a=b`, `c={d}`)', 'ClientIP(`::1`, `10.0.0.0/8`)'];
  const tcp = ['HostSNI(`a.com`, `*`)', 'HostSNIRegexp(`{s}.a.com`, `b.com`)', 'ALPN(`h2`, `h3`)', 'ClientIP(`::1`, `10.0.0.1`)'];
  for (const [protocol, matchers] of [['http', http], ['tcp', tcp]] as const) {
    for (const a of matchers) {
      for (const b of matchers) {
        for (const rule of [`${a} && ${b}`, `!(${a} || ${b})`]) {
          assert.ok(parseRule(rule, { protocol, syntax: 'v2' }).valid, `valid v2: ${rule}`);
          const result = convertRuleToV3(rule, { protocol, from: 'v2' });
          assert.ok(result.ok, `${rule}: ${JSON.stringify(result)}`);
          assert.ok(parseRule(result.rule, { protocol, syntax: 'v3' }).valid, `valid v3: ${result.rule}`);
        }
      }
    }
  }
});
