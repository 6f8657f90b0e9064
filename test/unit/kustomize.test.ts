/**
 * The kustomize model (core/kustomize): proven against `kubectl kustomize` on every kustomization of the fixture
 * cases, then piece by piece (paths, patches, the incremental world) where kubectl cannot show the details.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Analyzer } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { hashSuffix } from '../../server/src/core/kustomize/build';
import { isKustomizationFileName, type Kustomization } from '../../server/src/core/kustomize/kustomization';
import { applyJsonPatch, readJsonPatch, strategicMerge } from '../../server/src/core/kustomize/patch';
import { resolvePath } from '../../server/src/core/kustomize/paths';
import { toPlain } from '../../server/src/core/kustomize/tree';
import { splitImage } from '../../server/src/core/kustomize/transforms';
import { World } from '../../server/src/core/kustomize/world';
import { makeAnalysisOptions, type YMap, type YNode } from '../../server/src/core/model';
import { analysedKinds, parseFile } from '../../server/src/core/parse/parseFile';
import { allChecks } from '../../server/src/core/rules';
import { walkYamlFiles } from '../../server/src/host/files';

const casesDir = join(__dirname, '..', 'fixtures', 'cases');

function indexOf(dir: string): WorkspaceIndex {
  const index = new WorkspaceIndex();
  for (const file of walkYamlFiles(dir)) index.setFile(parseFile(relative(dir, file), readFileSync(file, 'utf8')));
  return index;
}

/** Maps in a stable key order, so that two trees compare equal whatever order kustomize writes keys in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

interface Plain {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The part of an object the comparison covers: all of it, except the values of Secrets and ConfigMaps (the parser
 * never keeps Secret values, and generated data comes from files that are not YAML), of which only the keys count.
 */
function comparable(o: Plain): unknown {
  if (o.kind !== 'Secret' && o.kind !== 'ConfigMap') return canonical(o);
  return canonical({ kind: o.kind, metadata: o.metadata, keys: Object.keys(o.data ?? {}).sort() });
}

function identity(o: Plain): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const kubectlMissing = kubectl.error !== undefined || kubectl.status !== 0;

function kustomizeBuild(dir: string, ...options: string[]): Plain[] {
  const r = spawnSync('kubectl', ['kustomize', ...options, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kubectl kustomize ${dir} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Plain).filter((o) => o && analysedKinds.has(o.kind));
}

/**
 * What Flux's kustomize-controller builds for a Flux Kustomization (a kustomization file of the fixture holds none):
 * `kubectl kustomize` of a kustomization around the same resources with the same transformations, written to a
 * temporary folder. The fixtures' Flux Kustomizations use only these fields.
 */
function fluxBuild(dir: string, k: Kustomization): Plain[] {
  assert.deepEqual([k.patches.length, k.components.length, k.labels.length, k.annotations.length], [0, 0, 0, 0], 'fluxBuild covers resources, namespace and name prefix and suffix only');
  const folder = mkdtempSync(join(tmpdir(), 'route-doctor-flux-'));
  try {
    const lines = ['resources:', ...k.resources.map((r) => `  - ${JSON.stringify(relative(folder, join(dir, resolvePath(k.dir, r.value))))}`)];
    if (k.namespace) lines.push(`namespace: ${JSON.stringify(k.namespace.value)}`);
    if (k.namePrefix) lines.push(`namePrefix: ${JSON.stringify(k.namePrefix.value)}`);
    if (k.nameSuffix) lines.push(`nameSuffix: ${JSON.stringify(k.nameSuffix.value)}`);
    writeFileSync(join(folder, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    // The resources lie outside the temporary folder, which kustomize only allows when told to.
    return kustomizeBuild(folder, '--load-restrictor', 'LoadRestrictionsNone');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the model against kubectl kustomize', () => {
  const cases = readdirSync(casesDir).filter((name) => statSync(join(casesDir, name)).isDirectory()).sort();
  for (const name of cases) {
    const dir = join(casesDir, name);
    const index = indexOf(dir);
    const world = new World();
    world.sync(index);
    for (const entry of world.entries()) {
      // Where the model says kustomize fails (a file of the fixture missing, a document that is not valid YAML),
      // kubectl must fail too.
      const missing = entry.build.unknown.some((u) => u.reason === 'missing' && !resolvePath(dirname(u.kustomization), u.entry).startsWith('..'));
      const broken = [...entry.build.resourceFiles].some((f) => index.getFile(f)?.skipped.some((s) => s.reason === 'syntax-error'));
      if (missing || broken) {
        test(`${name}: kustomize build ${entry.name} fails`, (t) => {
          if (kubectlMissing) {
            t.skip('kubectl is not installed, so the kustomize model was not compared with kubectl kustomize');
            return;
          }
          const r = spawnSync('kubectl', ['kustomize', join(dir, dirname(entry.build.root.file))], { encoding: 'utf8' });
          assert.notEqual(r.status, 0, 'kubectl kustomize builds what the model says fails');
          assert.match(r.stderr, missing ? /no such file or directory/ : /MalformedYAMLError/);
        });
        continue;
      }
      // A build that includes what the workspace does not hold (a remote base, a chart, a file elsewhere) cannot be
      // built by kubectl here either.
      if (entry.build.unknown.length > 0) continue;
      test(`${name}: kustomize build ${entry.name}`, (t) => {
        if (kubectlMissing) {
          t.skip('kubectl is not installed, so the kustomize model was not compared with kubectl kustomize');
          return;
        }
        const expected = isKustomizationFileName(entry.build.root.file)
          ? kustomizeBuild(join(dir, dirname(entry.build.root.file)))
          : fluxBuild(dir, entry.build.root);
        const actual = entry.build.objects.map((o) => toPlain(o.resource.root) as Plain);
        const hashed = (o: Plain) => o.metadata.name.endsWith(`-${hashSuffix}`);
        const byIdentity = new Map(expected.map((o) => [identity(o), o]));
        for (const o of actual) {
          const key = identity(o);
          const match = hashed(o)
            ? expected.find((e) => e.kind === o.kind && (e.metadata.namespace ?? '') === (o.metadata.namespace ?? '') && new RegExp(`^${o.metadata.name.slice(0, -hashSuffix.length)}[a-z0-9]{10}$`).test(e.metadata.name))
            : byIdentity.get(key);
          assert.ok(match, `kubectl kustomize makes no ${key}`);
          byIdentity.delete(identity(match));
          if (hashed(o)) assert.deepEqual((comparable(o) as { keys: string[] }).keys, (comparable(match) as { keys: string[] }).keys);
          else assert.deepEqual(comparable(o), comparable(match), `${key} differs`);
        }
        assert.deepEqual([...byIdentity.keys()], [], 'objects kubectl kustomize makes that the model does not');
      });
    }
  }
});

describe('images', () => {
  test('kustomize images: names, tags and digests of every containers and initContainers list, as kubectl makes them', (t) => {
    if (kubectlMissing) {
      t.skip('kubectl is not installed, so the images transformer was not compared with kubectl kustomize');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'route-doctor-images-'));
    try {
      const pod = (name: string, images: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  initContainers:
    - name: init
      image: busybox
  containers:
${images.map((image, i) => `    - name: c${i}\n      image: ${image}`).join('\n')}
`;
      writeFileSync(join(dir, 'app.yaml'), [
        pod('tags', ['traefik:v2.11', 'docker.io/traefik:v2.10', 'traefik', 'traefik@sha256:abc', 'registry:5000/traefik:1.0', 'nginx:1.2@sha256:old']),
        // kustomize's legacy image filter reaches containers at any depth, even in a Middleware plugin's settings.
        'apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: plugin\nspec:\n  plugin:\n    x:\n      containers:\n        - image: traefik:v2.0\n',
      ].join('---\n'));
      writeFileSync(join(dir, 'kustomization.yaml'), [
        'resources: [app.yaml]',
        'images:',
        '  - {name: traefik, newTag: v3.2}',
        '  - {name: busybox, newName: alpine}',
        '  - {name: "registry:5000/traefik", newName: r2/traefik, digest: "sha256:def"}',
        '  - {name: nginx, newTag: "1.3", digest: "sha256:new"}',
      ].join('\n') + '\n');
      const world = new World();
      world.sync(indexOf(dir));
      // kubectl orders the objects by kind; the comparison does not depend on order.
      const byIdentity = (a: Plain, b: Plain) => (identity(a) < identity(b) ? -1 : 1);
      const actual = [...world.entries()].flatMap((e) => e.build.objects.map((o) => toPlain(o.resource.root) as Plain)).sort(byIdentity);
      assert.deepEqual(actual.map(canonical), kustomizeBuild(dir).sort(byIdentity).map(canonical));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an image reference splits as kustomize splits it', () => {
    assert.deepEqual(splitImage('traefik:v2.11'), { name: 'traefik', tag: 'v2.11', digest: '' });
    assert.deepEqual(splitImage('registry:5000/traefik:1.0'), { name: 'registry:5000/traefik', tag: '1.0', digest: '' });
    assert.deepEqual(splitImage('registry:5000/traefik'), { name: 'registry:5000/traefik', tag: '', digest: '' });
    assert.deepEqual(splitImage('a/b:t@sha256:x'), { name: 'a/b', tag: 't', digest: 'sha256:x' });
    assert.deepEqual(splitImage('traefik@sha256:abc'), { name: 'traefik', tag: '', digest: 'sha256:abc' });
  });
});

describe('paths', () => {
  test('resolve like kustomize: relative to the folder, with . and .. removed', () => {
    assert.equal(resolvePath('overlays/prod', '../../base'), 'base');
    assert.equal(resolvePath('/repo/apps/prod', '../base/app.yaml'), '/repo/apps/base/app.yaml');
    assert.equal(resolvePath('', './service.yaml'), 'service.yaml');
    assert.equal(resolvePath('apps', '../../outside'), '../outside');
    assert.equal(resolvePath('C:\\repo\\apps\\prod', '..\\base'), 'C:\\repo\\apps\\base');
  });
});

function root(text: string): YMap {
  return parseFile('x.yaml', text).resources[0]!.root;
}

function plainOf(text: string): YNode {
  return parseFile('kustomization.yaml', text).documents![0]!.root;
}

const same = { adopt: (n: YNode) => n, adoptSpan: (s: { start: number; end: number }) => s };

describe('strategic-merge patches', () => {
  test('a Service\'s ports merge by port, patch items first; maps merge; null removes a key', () => {
    const target = root('apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    x: "1"\n    y: "2"\nspec:\n  ports:\n    - name: x\n      port: 80\n    - name: y\n      port: 81\n');
    const patch = root('apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    y: null\n    z: "3"\nspec:\n  ports:\n    - port: 82\n      name: z\n    - port: 81\n      targetPort: 9\n');
    const merged = toPlain(strategicMerge(target, patch, { group: '', kind: 'Service', ...same }));
    assert.deepEqual(merged, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: { x: '1', z: '3' } },
      spec: { ports: [{ name: 'z', port: 82 }, { name: 'y', port: 81, targetPort: 9 }, { name: 'x', port: 80 }] },
    });
  });

  test('lists of custom resources have no merge key: the patch replaces them', () => {
    const target = root('apiVersion: traefik.io/v1alpha1\nkind: TraefikService\nmetadata:\n  name: t\nspec:\n  weighted:\n    services:\n      - name: a\n        port: 80\n      - name: b\n        port: 80\n');
    const patch = root('apiVersion: traefik.io/v1alpha1\nkind: TraefikService\nmetadata:\n  name: t\nspec:\n  weighted:\n    services:\n      - name: b\n        weight: 5\n');
    const merged = toPlain(strategicMerge(target, patch, { group: 'traefik.io', kind: 'TraefikService', ...same })) as { spec: unknown };
    assert.deepEqual(merged.spec, { weighted: { services: [{ name: 'b', weight: 5 }] } });
  });

  test('$patch: delete removes a list item, or the whole object', () => {
    const target = root('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: a\n        - name: sidecar\n          image: b\n');
    const patch = root('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: sidecar\n          $patch: delete\n');
    const merged = toPlain(strategicMerge(target, patch, { group: 'apps', kind: 'Deployment', ...same })) as { spec: { template: { spec: { containers: unknown[] } } } };
    assert.deepEqual(merged.spec.template.spec.containers, [{ name: 'app', image: 'a' }]);
    assert.equal(strategicMerge(target, root('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n$patch: delete\n'), { group: 'apps', kind: 'Deployment', ...same }), undefined);
  });
});

describe('JSON patches', () => {
  test('add, replace, remove, move and "-" at JSON pointers', () => {
    const target = root('apiVersion: v1\nkind: Service\nmetadata:\n  name: a/b\nspec:\n  selector:\n    app: a\n  ports:\n    - port: 80\n');
    const ops = readJsonPatch(plainOf('- op: add\n  path: /spec/ports/-\n  value: {port: 81}\n- op: replace\n  path: /spec/selector/app\n  value: b\n- op: move\n  from: /spec/selector\n  path: /spec/oldSelector\n- op: remove\n  path: /spec/ports/0\n'))!;
    assert.deepEqual(toPlain(applyJsonPatch(target, ops, (n) => n)), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a/b' }, spec: { ports: [{ port: 81 }], oldSelector: { app: 'b' } } });
  });

  test('an operation on a missing path fails the whole patch', () => {
    const target = root('apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n');
    assert.equal(applyJsonPatch(target, readJsonPatch(plainOf('- op: replace\n  path: /spec/type\n  value: NodePort\n'))!, (n) => n), undefined);
  });
});

describe('the deployed repository, incrementally', () => {
  const base = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: web\nspec:\n  routes:\n    - match: Host(`web`)\n      services:\n        - name: web\n          port: 80\n';
  const files = {
    'base/kustomization.yaml': 'resources:\n  - app.yaml\n',
    'base/app.yaml': base,
    'prod/kustomization.yaml': 'namespace: prod\nnamePrefix: prod-\nresources:\n  - ../base\n',
    'prod/names.yaml': 'nameReference:\n  - kind: Service\n    fieldSpecs:\n      - kind: IngressRoute\n        path: spec/routes/services/name\n',
  };

  function workspace(): { index: WorkspaceIndex; analyzer: Analyzer; edit(file: string, text: string | undefined): string[]; codes(file: string): string[] } {
    const index = new WorkspaceIndex();
    for (const [file, text] of Object.entries(files)) index.setFile(parseFile(file, text));
    const analyzer = new Analyzer(index, makeAnalysisOptions(), allChecks);
    for (const file of index.files()) analyzer.analyzeFile(file);
    return {
      index, analyzer,
      edit(file, text) {
        const before = index.getFile(file);
        const after = text === undefined ? undefined : parseFile(file, text);
        // The language server asks for dependents before the index takes the change; both orders must work.
        const dependents = analyzer.dependents(file, before, after);
        if (after) index.setFile(after);
        else index.removeFile(file);
        return [...dependents].sort();
      },
      codes: (file) => analyzer.analyzeFile(file).map((f) => f.code),
    };
  }

  test('kustomize-name-reference names the overlay and carries the nameReference configuration that repairs it', () => {
    const [finding] = workspace().analyzer.analyzeFile('base/app.yaml');
    assert.equal(finding?.code, 'kustomize-name-reference');
    assert.match(finding!.message, /^kustomize build prod breaks this reference: it renames Service web to prod-web/);
    assert.deepEqual(finding?.data?.['configuration'], { nameReference: [{ kind: 'Service', fieldSpecs: [{ kind: 'IngressRoute', path: 'spec/routes/services/name' }] }] });
    assert.equal(finding?.data?.['kustomization'], 'prod/kustomization.yaml');
    assert.equal(finding?.data?.['builtName'], 'prod-web');
    assert.ok(finding?.related?.some((r) => r.file === 'prod/kustomization.yaml' && r.message === 'renames Service web'));
  });

  test('an edit of the overlay re-analyses the base file whose reference it breaks or repairs', () => {
    const ws = workspace();
    assert.deepEqual(ws.codes('base/app.yaml'), ['kustomize-name-reference']);
    const fixed = 'namespace: prod\nnamePrefix: prod-\nresources:\n  - ../base\nconfigurations:\n  - names.yaml\n';
    assert.ok(ws.edit('prod/kustomization.yaml', fixed).includes('base/app.yaml'));
    assert.deepEqual(ws.codes('base/app.yaml'), []);
    assert.ok(ws.edit('prod/kustomization.yaml', files['prod/kustomization.yaml']).includes('base/app.yaml'));
    assert.deepEqual(ws.codes('base/app.yaml'), ['kustomize-name-reference']);
  });

  test('a base file edited before the dependents are asked for: the build follows, and so do the findings', () => {
    const ws = workspace();
    const renamed = base.replace('        - name: web\n          port: 80', '        - name: prod-web\n          port: 80');
    const after = parseFile('base/app.yaml', renamed);
    const before = ws.index.getFile('base/app.yaml');
    ws.index.setFile(after);
    ws.analyzer.dependents('base/app.yaml', before, after);
    assert.deepEqual(ws.codes('base/app.yaml'), []);
  });

  test('a kustomization that takes a file in re-analyses the files that found its documents as they were', () => {
    const ws = workspace();
    ws.edit('prod/kustomization.yaml', undefined);
    ws.edit('base/kustomization.yaml', undefined);
    const other = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  type: ExternalName\n  externalName: db.lan\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: other\nspec:\n  routes:\n    - match: Host(`other`)\n      services:\n        - name: web\n          port: 80\n';
    ws.index.setFile(parseFile('other/route.yaml', other));
    assert.deepEqual(ws.codes('other/route.yaml'), []);
    assert.ok(ws.edit('base/kustomization.yaml', 'namespace: shop\nresources:\n  - app.yaml\n').includes('other/route.yaml'));
    assert.deepEqual(ws.codes('other/route.yaml'), ['service-not-found']);
  });

  test('removing the overlay gives the base back its own build, in the default namespace', () => {
    const ws = workspace();
    ws.edit('prod/kustomization.yaml', undefined);
    assert.deepEqual(ws.codes('base/app.yaml'), []);
    const world = new World();
    world.sync(ws.index);
    assert.deepEqual([...world.entries()].map((e) => e.build.root.file), ['base/kustomization.yaml']);
  });
});

describe('Flux Kustomizations', () => {
  const app = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n';
  const fluxKustomization = (path: string, extra = '') => `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: web\n  namespace: flux-system\nspec:\n  path: ${path}\n${extra}`;

  function builds(files: Record<string, string>): { name: string; objects: string[] }[] {
    const index = new WorkspaceIndex();
    for (const [file, text] of Object.entries(files)) index.setFile(parseFile(file, text));
    const world = new World();
    world.sync(index);
    return [...world.entries()].map((e) => ({ name: e.name, objects: e.build.objects.map((o) => `${o.resource.kind}/${o.resource.namespace}/${o.resource.name}`) }));
  }

  test('one kept in a file named kustomization.yaml, with the path ./ (the repository root), builds the root into its targetNamespace', () => {
    assert.deepEqual(builds({
      'kustomization.yaml': 'resources:\n  - app.yaml\n',
      'app.yaml': app,
      'flux/kustomization.yaml': fluxKustomization('"./"', '  targetNamespace: home\n'),
    }), [{ name: '. (Flux Kustomization flux-system/web)', objects: ['Service/home/web'] }]);
  });

  test('the path may start above the workspace folder; a path two folders end with, or one that adds nothing, makes no build of its own', () => {
    const files = { 'apps/web/app.yaml': app, 'apps/web/kustomization.yaml': 'resources:\n  - app.yaml\n' };
    assert.deepEqual(builds({ ...files, 'ks.yaml': fluxKustomization('./kubernetes/apps/web', '  namePrefix: a-\n') }).map((b) => b.objects), [['Service/default/a-web']]);
    assert.deepEqual(builds({ ...files, 'x/apps/web/app.yaml': app, 'ks.yaml': fluxKustomization('./apps/web', '  namePrefix: a-\n') }).map((b) => b.objects), [['Service/default/web']]);
    assert.deepEqual(builds({ ...files, 'ks.yaml': fluxKustomization('./apps/web') }).map((b) => b.name), ['apps/web']);
    // A namespace Flux substitutes from a variable is not known here.
    assert.deepEqual(builds({ ...files, 'ks.yaml': fluxKustomization('./apps/web', '  targetNamespace: ${NS}\n') }).map((b) => b.name), ['apps/web']);
  });
});

describe('incremental analysis equals a fresh one', () => {
  /** Edits of a repository that change builds in every way: names, namespaces, labels, patches, the set of files. */
  const edits: { dir: string; file: string; change: (text: string | undefined) => string | undefined }[] = [
    { dir: 'homelab-flux', file: 'apps/staging/kustomization.yaml', change: (t) => t!.replace('namePrefix: staging-\n', '') },
    { dir: 'homelab-flux', file: 'apps/production/kustomization.yaml', change: (t) => t!.replace('namespace: apps', 'namespace: traefik') },
    { dir: 'homelab-flux', file: 'apps/production/podinfo-metrics.yaml', change: () => undefined },
    { dir: 'homelab-flux', file: 'apps/base/podinfo/service.yaml', change: (t) => t!.replace('name: podinfo', 'name: podinfo-web') },
    { dir: 'homelab-flux', file: 'apps/base/whoami/whoami.yaml', change: (t) => t!.replace('secure-header\n', 'secure-headers\n') },
    { dir: 'homelab-flux', file: 'apps/staging/kustomization.yaml', change: () => undefined },
    { dir: 'homelab-flux', file: 'infrastructure/controllers/traefik.yaml', change: (t) => t!.replace('allowCrossNamespace: true', 'allowCrossNamespace: false') },
    { dir: 'homelab-flux', file: 'infrastructure/controllers/monitoring.yaml', change: () => undefined },
    { dir: 'kustomize-labels', file: 'shop/frontend/kustomization.yaml', change: (t) => t!.replace('commonLabels:\n  component: frontend\n', '') },
    { dir: 'kustomize-labels', file: 'shop/backend/kustomization.yaml', change: (t) => `${t}commonLabels:\n  component: frontend\n` },
    { dir: 'kustomize-name-reference', file: 'overlays/prod/kustomization.yaml', change: (t) => `${t}configurations:\n  - ../fixed/traefik-name-references.yaml\n` },
    { dir: 'kustomize-name-reference', file: 'base/kustomization.yaml', change: (t) => t!.replace('  - app.yaml', '  - app.yaml\nnameSuffix: -x') },
    { dir: 'kustomize-patches', file: 'components/auth/middleware.yaml', change: (t) => t!.replace('name: basicauth', 'name: basic-auth') },
    { dir: 'sources-helm-chart', file: 'charts/wiki/Chart.yaml', change: () => undefined },
    { dir: 'sources-helm-chart', file: 'charts/other/Chart.yaml', change: () => 'apiVersion: v2\nname: other\nversion: 1.0.0\n' },
    { dir: 'sources-helm-chart', file: 'routes/kustomization.yaml', change: () => 'namespace: wiki\nresources:\n  - wiki.yaml\n' },
    { dir: 'kustomize-labels', file: 'blog/kustomization.yaml', change: () => undefined },
  ];

  function findingsOf(analyzer: Analyzer, files: Iterable<string>): string[] {
    return [...files].sort().flatMap((file) => analyzer.analyzeFile(file).map((f) => `${f.file}:${f.span.start}:${f.code}:${f.message}`));
  }

  for (const { dir, file, change } of edits) for (const indexFirst of [false, true]) {
    // The language server asks for dependents before the index takes a change; other hosts ask after.
    test(`${dir}: ${file}${indexFirst ? ', the index changed first' : ''}`, () => {
      const root = join(casesDir, dir);
      const index = indexOf(root);
      const analyzer = new Analyzer(index, makeAnalysisOptions(), allChecks);
      const published = new Map<string, string[]>();
      for (const f of index.files()) published.set(f, findingsOf(analyzer, [f]));
      const before = index.getFile(file);
      const text = change(before ? readFileSync(join(root, file), 'utf8') : undefined);
      const after = text === undefined ? undefined : parseFile(file, text);
      const apply = () => (after ? index.setFile(after) : index.removeFile(file));
      if (indexFirst) apply();
      const dependents = analyzer.dependents(file, before, after);
      if (!indexFirst) apply();
      published.delete(file);
      for (const f of [file, ...dependents]) if (index.getFile(f)) published.set(f, findingsOf(analyzer, [f]));
      const fresh = new Analyzer(index, makeAnalysisOptions(), allChecks);
      const expected = new Map([...index.files()].map((f) => [f, findingsOf(fresh, [f])]));
      for (const [f, findings] of expected) assert.deepEqual(published.get(f), findings, `${f} after the edit`);
    });
  }
});
