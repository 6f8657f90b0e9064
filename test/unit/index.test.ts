/** The workspace index: lookups stay exact while files are set, replaced and removed. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { podKeys, podLabelKey, podUnknownKey, WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { parseFile } from '../../server/src/core/parse/parseFile';

const svc = (name: string, ns: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n`;
const pod = (name: string, labels: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: prod\n  labels: {${labels}}\n`;

function names(list: readonly { file: string; name: string }[]): string[] {
  return list.map((r) => `${r.file}:${r.name}`);
}

test('lookups by object, namespace and kind follow every set, replace and remove', () => {
  const index = new WorkspaceIndex();
  index.setFile(parseFile('a.yaml', `${svc('web', 'prod')}---\n${svc('api', 'prod')}`));
  index.setFile(parseFile('b.yaml', svc('web', 'prod')));
  index.setFile(parseFile('c.yaml', svc('web', 'dev')));
  assert.deepEqual(names(index.find('Service', 'prod', 'web')), ['a.yaml:web', 'b.yaml:web']);
  assert.deepEqual(names(index.inNamespace('Service', 'prod')), ['a.yaml:web', 'a.yaml:api', 'b.yaml:web']);
  assert.deepEqual(names(index.ofKind('Service')), ['a.yaml:web', 'a.yaml:api', 'b.yaml:web', 'c.yaml:web']);
  assert.equal(index.resourceCount, 4);

  index.setFile(parseFile('a.yaml', svc('other', 'prod')));
  assert.deepEqual(names(index.find('Service', 'prod', 'web')), ['b.yaml:web']);
  assert.deepEqual(names(index.inNamespace('Service', 'prod')), ['b.yaml:web', 'a.yaml:other']);

  index.removeFile('b.yaml');
  index.removeFile('c.yaml');
  assert.deepEqual(index.find('Service', 'prod', 'web'), []);
  assert.deepEqual(index.inNamespace('Service', 'dev'), []);
  assert.deepEqual(names(index.ofKind('Service')), ['a.yaml:other']);
  assert.deepEqual(index.find('Deployment', 'prod', 'web'), []);
  assert.equal(index.removeFile('missing.yaml'), undefined);
});

test('Pods are found by their labels, and leave the label lookup when removed or relabelled', () => {
  const index = new WorkspaceIndex();
  index.setFile(parseFile('p.yaml', pod('p', 'app: web, tier: front')));
  assert.deepEqual(index.podTemplatesMatching('prod', { app: 'web' }).results.map((r) => r.name), ['p']);
  assert.deepEqual(index.podTemplatesMatching('prod', { app: 'web' }).keys, [podLabelKey('prod', 'app', 'web'), podUnknownKey('prod')]);
  index.setFile(parseFile('p.yaml', pod('p', 'app: api')));
  assert.deepEqual(index.podTemplatesMatching('prod', { app: 'web' }).results, []);
  assert.deepEqual(index.podTemplatesMatching('prod', { app: 'api' }).results.map((r) => r.name), ['p']);
  index.removeFile('p.yaml');
  assert.deepEqual(index.podTemplatesMatching('prod', {}).results, []);
});

test('a workload provides one key per Pod label, or the unknown key; other kinds provide none', () => {
  const [p] = parseFile('p.yaml', pod('p', 'app: web, tier: front')).resources;
  assert.deepEqual(podKeys(p!), [podLabelKey('prod', 'app', 'web'), podLabelKey('prod', 'tier', 'front')]);
  const [rollout] = parseFile('r.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  workloadRef:\n    kind: Deployment\n    name: d\n').resources;
  assert.deepEqual(podKeys(rollout!), [podUnknownKey('default')]);
  const [service] = parseFile('s.yaml', svc('web', 'prod')).resources;
  assert.deepEqual(podKeys(service!), []);
});

test('lookups give the same answers whether the index built its maps before the changes or only after them', () => {
  const steps: [string, string | undefined][] = [
    ['a.yaml', `${svc('web', 'prod')}---\n${pod('p1', 'app: web')}`],
    ['b.yaml', `${svc('api', 'prod')}---\n${pod('p2', 'app: api, tier: back')}`],
    ['a.yaml', `${svc('web', 'dev')}---\n${pod('p1', 'app: api')}`],
    ['c.yaml', svc('web', 'prod')],
    ['b.yaml', undefined],
    ['d.yaml', pod('p3', 'app: web')],
  ];
  const answers = (index: WorkspaceIndex) => ({
    web: names(index.find('Service', 'prod', 'web')),
    prod: names(index.inNamespace('Service', 'prod')),
    services: names(index.ofKind('Service')),
    pods: names(index.ofKind('Pod')),
    api: names(index.podTemplatesMatching('prod', { app: 'api' }).results),
    webPods: names(index.podTemplatesMatching('prod', { app: 'web' }).results),
  });
  // One index is looked up after every step (its maps follow each change), the other only at the end.
  const early = new WorkspaceIndex();
  const late = new WorkspaceIndex();
  for (const [file, text] of steps) {
    for (const index of [early, late]) {
      if (text === undefined) index.removeFile(file);
      else index.setFile(parseFile(file, text));
    }
    answers(early);
  }
  assert.deepEqual(answers(late), answers(early));
  assert.deepEqual(answers(early).api, ['a.yaml:p1']);
  assert.deepEqual(answers(early).prod, ['c.yaml:web']);
});
