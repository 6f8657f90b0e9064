import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { YNode } from '../../server/src/core/model';
import { fastParseDocument } from '../../server/src/core/parse/fastYaml';
import { fullParseDocument } from '../../server/src/core/parse/fullYaml';
import { parseFile, readScanned, scanFile, splitDocuments } from '../../server/src/core/parse/parseFile';
import { get, str } from '../../server/src/core/parse/ynode';

/** A tree as comparable data: values, keys and the offsets of every key and non-null scalar. */
function shape(n: YNode | null | undefined): unknown {
  if (!n) return n;
  if (n.type === 'scalar') return n.value === null ? null : [n.value, n.span.start, n.span.end];
  if (n.type === 'seq') return n.items.map(shape);
  return n.pairs.map((p) => [p.key, p.keySpan.start, shape(p.value)]);
}

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

const samples = [
  'a: 1\nb: "two"\nc: \'three\'\nd: [x, "y", {k: v}]\ne: {}\nf: []\n',
  'list:\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n',
  'spec:\n  ports:\n    - name: web # comment\n      port: 80\n      targetPort: "8080"\n',
  'key: |\n  line one\n  line two\nnext: >-\n  folded\n  text\n',
  'url: http://example.com:8080/path\nimage: foo/bar:1.2\nempty:\nnull_value: ~\nbool: true\n',
  'esc: "tab\\tnew\\nline \\u00e9"\n\'quoted key\': v\n',
  'nested:\n  - - a\n    - b\n',
];

describe('fast YAML reader', () => {
  test('agrees with the yaml package on hand-written samples', () => {
    for (const text of samples) {
      const fast = fastParseDocument(text, 0, text.length);
      if (fast === undefined) continue;
      assert.deepEqual(shape(fast), shape(fullParseDocument(text, 0, text.length).node), text);
    }
  });

  test('reads the common manifest subset without falling back', () => {
    for (const text of samples.slice(0, 6)) assert.notEqual(fastParseDocument(text, 0, text.length), undefined, text);
  });

  test('gives up on anchors, multi-line scalars and tabs instead of guessing', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: one\n  two\n', 'a:\n\tb: 1\n', 'a: "open\n  quote"\n', 'a: 1\na: 2\n']) {
      assert.equal(fastParseDocument(text, 0, text.length), undefined, text);
    }
  });

  const shared = join(__dirname, '..', '..', '..', 'shared', 'conformance', 'traefik', 'fixtures');
  test('agrees with the yaml package on every document of the Traefik fixtures', (t) => {
    const files = [...yamlFilesUnder(shared), ...yamlFilesUnder(join(__dirname, '..', 'fixtures')), ...yamlFilesUnder(join(__dirname, '..', '..', 'examples'))];
    if (!existsSync(shared)) t.diagnostic(`${shared} is absent: only the project's own fixtures were compared`);
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const span of splitDocuments(text)) {
        const fast = fastParseDocument(text, span.start, span.end);
        if (fast === undefined) continue;
        const full = fullParseDocument(text, span.start, span.end);
        if (full.errors.length > 0) continue;
        assert.deepEqual(shape(fast), shape(full.node), `${file} @${span.start}`);
        compared++;
      }
    }
    assert.ok(compared > 0);
  });
});

describe('parseFile', () => {
  test('finds every document and keeps exact ranges', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: prod\n';
    const parsed = parseFile('a.yaml', text);
    assert.equal(parsed.resources.length, 2);
    const [web, api] = parsed.resources;
    assert.equal(web!.namespace, 'default');
    assert.equal(api!.namespace, 'prod');
    const nameNode = get(api!.root, 'metadata', 'name')!;
    assert.equal(text.slice(nameNode.span.start, nameNode.span.end), 'api');
  });

  test('a syntax error in one document does not hide the others', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ok\n';
    const parsed = parseFile('a.yaml', text);
    assert.deepEqual(parsed.resources.map((r) => r.name), ['ok']);
    assert.equal(parsed.problems.length, 1);
    assert.equal(parsed.problems[0]!.code, 'yaml-unparsed');
    assert.equal(parsed.problems[0]!.severity, 'information');
  });

  test('skips Helm templates, non-Kubernetes YAML and irrelevant kinds without reports', () => {
    const text = [
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n',
      'name: CI\non: [push]\njobs: {}\n',
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec: {broken\n',
      'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: knative\n',
    ].join('---\n');
    const parsed = parseFile('a.yaml', text);
    assert.equal(parsed.resources.length, 0);
    assert.equal(parsed.problems.length, 0);
    assert.deepEqual(parsed.skipped.map((s) => s.reason), ['template', 'not-kubernetes', 'irrelevant-kind', 'irrelevant-kind']);
  });

  test('the pre-scan keeps only documents of analysed kinds; reading what it kept equals parseFile', () => {
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec: {broken\n';
    const text = [crd, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n', 'kind: ConfigMap\ndata: {}\n', '{kind: Service, apiVersion: v1, metadata: {name: flow}}\n'].join('---\n');
    const scan = scanFile('a.yaml', text);
    assert.deepEqual(scan.toRead.map((d) => [d.docIndex, d.kind]), [[1, 'Service'], [3, undefined]]);
    assert.deepEqual(scan.skipped.map((d) => [d.docIndex, d.reason, d.kind]), [[0, 'irrelevant-kind', 'CustomResourceDefinition'], [2, 'irrelevant-kind', 'ConfigMap']]);
    assert.deepEqual(readScanned(scan, text), parseFile('a.yaml', text));
    assert.deepEqual(parseFile('a.yaml', text).resources.map((r) => r.name), ['web', 'flow']);
  });

  test('Secret values are never kept, only their keys', () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  users: c2VjcmV0\nstringData:\n  password: hunter2\n';
    const secret = parseFile('s.yaml', text).resources[0]!;
    assert.equal(str(get(secret.root, 'data', 'users')), undefined);
    assert.equal(str(get(secret.root, 'stringData', 'password')), undefined);
    assert.ok(!JSON.stringify(secret.root).includes('hunter2'));
  });
});

describe('full YAML reader', () => {
  test('an alias stands for its anchored node and a merge key merges, as Kubernetes reads them', () => {
    const text = [
      'metadata:',
      '  labels: &labels {app: web, tier: front}',
      'selector: *labels',
      'port: &port 80',
      'target: *port',
      'base: &base {port: 80, protocol: TCP}',
      'ports:',
      '  - <<: *base',
      '    protocol: UDP',
      '  - <<: [{name: a}, *base]',
    ].join('\n');
    const { node, errors } = fullParseDocument(text, 0, text.length);
    assert.deepEqual(errors, []);
    const plain = (n: YNode | undefined): unknown => (!n ? n : n.type === 'scalar' ? n.value : n.type === 'seq' ? n.items.map(plain) : Object.fromEntries(n.pairs.map((p) => [p.key, plain(p.value)])));
    assert.deepEqual(plain(get(node!, 'selector')), { app: 'web', tier: 'front' });
    assert.deepEqual(plain(get(node!, 'ports')), [
      // A key the mapping sets itself wins over the merged one; of two merged mappings, the first wins.
      { port: 80, protocol: 'UDP' },
      { name: 'a', port: 80, protocol: 'TCP' },
    ]);
    // An aliased scalar has the anchored value, where the alias is written, and says it is an alias (fixes leave it).
    const target = get(node!, 'target');
    assert.deepEqual(target && target.type === 'scalar' ? [target.value, target.style, text.slice(target.span.start, target.span.end)] : undefined, [80, 'alias', '*port']);
  });

  test('an alias bomb is too complex, not expanded', () => {
    let bomb = 'a0: &a0 "lol"\n';
    for (let i = 1; i < 30; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const result = fullParseDocument(bomb, 0, bomb.length);
    assert.equal(result.node, null);
    assert.equal(result.tooComplex, true);
  });
});
