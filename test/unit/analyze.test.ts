/**
 * The engine's dependency tracking: an edit must re-analyse every file whose findings it can change (soundness)
 * and, for workload lookups by selector, no file whose findings it cannot change (precision).
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { Analyzer, type Check } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { makeAnalysisOptions } from '../../server/src/core/model';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { stringMap, get } from '../../server/src/core/parse/ynode';

function deployment(name: string, labels: Record<string, string>, ns = 'prod'): string {
  const lines = Object.entries(labels).map(([k, v]) => `        ${k}: ${v}`).join('\n');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  template:\n    metadata:\n      labels:\n${lines}\n    spec:\n      containers: []\n`;
}

function service(name: string, selector: Record<string, string>, ns = 'prod'): string {
  const lines = Object.entries(selector).map(([k, v]) => `    ${k}: ${v}`).join('\n');
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  selector:\n${lines}\n`;
}

/** A check shaped like the real endpoint checks: a Service reports how many workloads its selector matches. */
const selectsPods: Check = {
  name: 'test-selects-pods',
  kinds: ['Service'],
  run(resource, ctx) {
    const selector = stringMap(get(resource.root, 'spec', 'selector'));
    const matched = ctx.index.podTemplatesMatching(resource.namespace, selector);
    ctx.report({ code: 'test', span: resource.docSpan, message: matched.map((r) => `${r.kind}/${r.name}`).join(',') }, resource);
  },
};

class Workspace {
  readonly index = new WorkspaceIndex();
  readonly analyzer = new Analyzer(this.index, makeAnalysisOptions(), [selectsPods]);

  constructor(files: Record<string, string>) {
    for (const [file, text] of Object.entries(files)) this.index.setFile(parseFile(file, text));
    for (const file of this.index.files()) this.analyzer.analyzeFile(file);
  }

  /** Applies an edit as the language server does; returns the dependents that must be re-analysed. */
  edit(file: string, text: string | undefined): string[] {
    const before = this.index.getFile(file);
    const after = text === undefined ? undefined : parseFile(file, text);
    if (after) this.index.setFile(after);
    else this.index.removeFile(file);
    const dependents = this.analyzer.dependents(file, before, after);
    if (after) this.analyzer.analyzeFile(file);
    else this.analyzer.forget(file);
    for (const d of dependents) this.analyzer.analyzeFile(d);
    return [...dependents].sort();
  }

  message(file: string): string {
    return this.analyzer.analyzeFile(file)[0]!.message;
  }
}

describe('podTemplatesMatching', () => {
  test('returns the workloads whose Pod labels carry every selector pair, then those with unknown labels', () => {
    const ws = new Workspace({
      'a.yaml': deployment('a', { app: 'web', tier: 'front' }),
      'b.yaml': deployment('b', { app: 'web' }),
      'c.yaml': deployment('c', { app: 'web', tier: 'front' }, 'other'),
      'd.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: patch\n  namespace: prod\nspec:\n  replicas: 3\n',
      'e.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job\n  namespace: prod\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels:\n            app: web\n            tier: front\n',
    });
    const names = (selector: Record<string, string>) => ws.index.podTemplatesMatching('prod', selector).results.map((r) => r.name);
    assert.deepEqual(names({ app: 'web', tier: 'front' }), ['a', 'job', 'patch']);
    assert.deepEqual(names({ app: 'web' }), ['a', 'b', 'job', 'patch']);
    assert.deepEqual(names({ app: 'api' }), ['patch']);
    assert.deepEqual(names({}).sort(), ['a', 'b', 'job', 'patch']);
  });
});

describe('dependency tracking', () => {
  const files = () => ({
    'svc.yaml': service('web', { app: 'web', tier: 'front' }),
    'web.yaml': deployment('web', { app: 'web', tier: 'front' }),
    'api.yaml': deployment('api', { app: 'api', tier: 'back' }),
    'elsewhere.yaml': deployment('web', { app: 'web', tier: 'front' }, 'other'),
  });

  test('an edit to a workload the selector cannot match re-analyses nothing', () => {
    const ws = new Workspace(files());
    assert.deepEqual(ws.edit('api.yaml', deployment('api', { app: 'api', tier: 'back', version: 'v2' })), []);
    assert.deepEqual(ws.edit('elsewhere.yaml', deployment('web', { app: 'web' }, 'other')), []);
  });

  test('an edit to a matched workload, or one that starts or stops matching, re-analyses the Service', () => {
    const ws = new Workspace(files());
    assert.deepEqual(ws.edit('web.yaml', deployment('web', { app: 'web', tier: 'front', version: 'v2' })), ['svc.yaml']);
    assert.deepEqual(ws.edit('web.yaml', deployment('web', { app: 'web', tier: 'middle' })), ['svc.yaml']);
    assert.equal(ws.message('svc.yaml'), '');
    assert.deepEqual(ws.edit('api.yaml', deployment('api', { app: 'web', tier: 'front' })), ['svc.yaml']);
    assert.equal(ws.message('svc.yaml'), 'Deployment/api');
    assert.deepEqual(ws.edit('new.yaml', deployment('new', { tier: 'front', app: 'web' })), ['svc.yaml']);
    assert.equal(ws.message('svc.yaml'), 'Deployment/api,Deployment/new');
    assert.deepEqual(ws.edit('api.yaml', undefined), ['svc.yaml']);
    assert.equal(ws.message('svc.yaml'), 'Deployment/new');
  });

  test('a workload whose labels become unknown re-analyses the Services of its namespace', () => {
    const ws = new Workspace(files());
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: prod\nspec:\n  replicas: 2\n';
    assert.deepEqual(ws.edit('api.yaml', patch), ['svc.yaml']);
    assert.equal(ws.message('svc.yaml'), 'Deployment/web,Deployment/api');
  });

  test('the Service itself is re-analysed on its own edit, and its old reads are forgotten', () => {
    const ws = new Workspace(files());
    ws.edit('svc.yaml', service('web', { app: 'api' }));
    assert.equal(ws.message('svc.yaml'), 'Deployment/api');
    assert.deepEqual(ws.edit('web.yaml', deployment('web', { app: 'web', tier: 'front', v: '3' })), []);
    assert.deepEqual(ws.edit('api.yaml', deployment('api', { app: 'api', tier: 'x' })), ['svc.yaml']);
  });
});
