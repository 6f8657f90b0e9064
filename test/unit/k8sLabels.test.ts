import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import {
  equalitySelectorMatches, formatLabels, formatRequirement, labelSelectorMatches, parseLabelSelector, requirementHolds,
} from '../../server/src/core/k8s/labels';
import type { YNode } from '../../server/src/core/model';
import { fullParseDocument } from '../../server/src/core/parse/fullYaml';

function yaml(text: string): YNode {
  return fullParseDocument(text, 0, text.length).node!;
}

describe('label selectors', () => {
  test('matchLabels and matchExpressions become requirements, each with the span that states it', () => {
    const text = 'matchLabels:\n  app: web\nmatchExpressions:\n  - key: tier\n    operator: In\n    values: [a, b]\n  - {key: canary, operator: DoesNotExist}\n';
    const selector = parseLabelSelector(yaml(text))!;
    assert.deepEqual(selector.requirements.map((r) => [r.key, r.operator, r.values]), [
      ['app', 'In', ['web']], ['tier', 'In', ['a', 'b']], ['canary', 'DoesNotExist', []],
    ]);
    assert.equal(text.slice(selector.requirements[0]!.span.start, selector.requirements[0]!.span.end), 'web');
    assert.ok(text.slice(selector.requirements[1]!.span.start, selector.requirements[1]!.span.end).startsWith('key: tier'));
  });

  test('an unknown operator or a missing key makes the selector unreadable, not empty', () => {
    assert.equal(parseLabelSelector(yaml('matchExpressions:\n  - key: a\n    operator: Like\n')), undefined);
    assert.equal(parseLabelSelector(yaml('matchExpressions:\n  - operator: Exists\n')), undefined);
    assert.equal(parseLabelSelector(undefined), undefined);
    assert.deepEqual(parseLabelSelector(yaml('{}'))!.requirements, []);
  });

  test('each operator holds as Kubernetes defines it', () => {
    const span = { start: 0, end: 0 };
    const labels = { app: 'web', tier: 'front' };
    assert.equal(requirementHolds({ key: 'tier', operator: 'In', values: ['front', 'back'], span }, labels), true);
    assert.equal(requirementHolds({ key: 'tier', operator: 'In', values: ['back'], span }, labels), false);
    assert.equal(requirementHolds({ key: 'tier', operator: 'NotIn', values: ['back'], span }, labels), true);
    assert.equal(requirementHolds({ key: 'zone', operator: 'NotIn', values: ['a'], span }, labels), true, 'NotIn holds when the key is absent');
    assert.equal(requirementHolds({ key: 'app', operator: 'Exists', values: [], span }, labels), true);
    assert.equal(requirementHolds({ key: 'app', operator: 'DoesNotExist', values: [], span }, labels), false);
    assert.equal(requirementHolds({ key: 'toString', operator: 'Exists', values: [], span }, labels), false, 'no prototype keys');
  });

  test('a selector matches only when every requirement holds', () => {
    const selector = parseLabelSelector(yaml('matchLabels: {app: web}\nmatchExpressions: [{key: tier, operator: NotIn, values: [db]}]\n'))!;
    assert.equal(labelSelectorMatches(selector, { app: 'web', tier: 'front' }), true);
    assert.equal(labelSelectorMatches(selector, { app: 'web', tier: 'db' }), false);
    assert.equal(labelSelectorMatches(selector, { tier: 'front' }), false);
  });

  test('equality selectors (Service.spec.selector) need every pair', () => {
    assert.equal(equalitySelectorMatches({ app: 'go-app' }, { app: 'go-app', version: 'v1.2' }), true);
    assert.equal(equalitySelectorMatches({ app: 'go-app', version: 'v1' }, { app: 'go-app', version: 'v1.2' }), false);
    assert.equal(equalitySelectorMatches({ constructor: 'x' }, {}), false);
  });

  test('formatting follows kubectl', () => {
    assert.equal(formatLabels({ app: 'go-app', version: 'v1' }), 'app=go-app,version=v1');
    const span = { start: 0, end: 0 };
    assert.equal(formatRequirement({ key: 'a', operator: 'In', values: ['x'], span }), 'a=x');
    assert.equal(formatRequirement({ key: 'a', operator: 'In', values: ['x', 'y'], span }), 'a in (x,y)');
    assert.equal(formatRequirement({ key: 'a', operator: 'NotIn', values: ['x'], span }), 'a notin (x)');
    assert.equal(formatRequirement({ key: 'a', operator: 'Exists', values: [], span }), 'a');
    assert.equal(formatRequirement({ key: 'a', operator: 'DoesNotExist', values: [], span }), '!a');
  });
});
