/**
 * The language server, end to end: the built bundle is started over stdio on a temporary workspace and driven the
 * way an editor drives it. Assertions look only at the codes a test is about, so that checks added later (which
 * may report more on these manifests) do not break them.
 */
import { strict as assert } from 'node:assert';
import { renameSync, rmSync, unlinkSync } from 'node:fs';
import { before, test } from 'node:test';
import { DiagnosticSeverity, FileChangeType } from 'vscode-languageserver-protocol/node';
import { ensureServerBuilt, TempWorkspace, withCode, withServer } from './harness';

before(() => ensureServerBuilt());

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - name: http
              containerPort: 8080
`;

const service = (name = 'web'): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`;

/** An IngressRoute to the Service "web"; with the traefik.containo.us group it gets deprecated-api-group. */
const route = (group: 'traefik.io' | 'traefik.containo.us', name = 'web'): string => `apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata:
  name: ${name}
spec:
  routes:
    - match: Host(\`${name}.example.com\`)
      kind: Rule
      services:
        - name: web
          port: 80
`;

const deprecated = 'deprecated-api-group';
const has = (code: string, severity?: DiagnosticSeverity) => (d: Parameters<typeof withCode>[0]) =>
  withCode(d, code).some((x) => severity === undefined || x.severity === severity);
const lacks = (code: string) => (d: Parameters<typeof withCode>[0], published: boolean) => published && withCode(d, code).length === 0;

/** A consistent app (Deployment, Service, route) plus one legacy route. */
function app(): Record<string, string> {
  return {
    'deployment.yaml': deployment,
    'service.yaml': service(),
    'route.yaml': route('traefik.io'),
    'legacy.yaml': route('traefik.containo.us', 'legacy'),
  };
}

test('the initial scan publishes diagnostics for files never opened, in every workspace folder, and skips excluded folders', async () => {
  const a = new TempWorkspace({
    ...app(),
    'node_modules/chart/legacy.yaml': route('traefik.containo.us', 'in-node-modules'),
    '.git/legacy.yaml': route('traefik.containo.us', 'in-git'),
    'notes.txt': route('traefik.containo.us', 'not-yaml'),
  });
  const b = new TempWorkspace({ 'nested/other.yml': route('traefik.containo.us', 'other') });
  try {
    await withServer(a, { folders: [a.root, b.root] }, async (client) => {
      const diagnostics = await client.waitForDiagnostics(a.uri('legacy.yaml'), 'deprecated-api-group in folder a', has(deprecated, DiagnosticSeverity.Error));
      const d = withCode(diagnostics, deprecated)[0]!;
      // The range is the apiVersion value: line 0, from column 12 to the end of "traefik.containo.us/v1alpha1".
      assert.deepEqual(d.range, { start: { line: 0, character: 12 }, end: { line: 0, character: 12 + 'traefik.containo.us/v1alpha1'.length } });
      assert.equal(d.source, 'route-doctor');
      await client.waitForDiagnostics(b.uri('nested/other.yml'), 'deprecated-api-group in folder b', has(deprecated, DiagnosticSeverity.Error));
      const status = await client.waitForIdle();
      assert.equal(status.files, 5, 'four files in folder a and one in folder b; node_modules, .git and .txt files are not read');
      assert.ok(status.errors >= 2);
      assert.equal(client.statuses[0]?.indexing, true, 'the first status announces the scan');
      for (const rel of ['node_modules/chart/legacy.yaml', '.git/legacy.yaml', 'notes.txt']) {
        assert.equal(client.diagnostics(a.uri(rel)), undefined, `${rel} is never analysed`);
      }
    });
  } finally {
    b.dispose();
  }
});

test('an open editor overlays the disk, rapid edits are coalesced, and closing reverts to the disk text', async () => {
  const ws = new TempWorkspace(app());
  await withServer(ws, {}, async (client) => {
    await client.waitForIdle();
    const uri = ws.uri('route.yaml');
    assert.equal(client.diagnostics(uri), undefined, 'a clean file is not published');
    client.open(uri, route('traefik.containo.us'));
    await client.waitForDiagnostics(uri, 'the open text to be analysed', has(deprecated));
    assert.equal(client.publishedVersion(uri), 1);
    client.change(uri, route('traefik.io'));
    await client.waitForDiagnostics(uri, 'the edit to remove the finding', lacks(deprecated));
    let last = 0;
    for (let i = 0; i < 20; i++) last = client.change(uri, route(i % 2 === 0 ? 'traefik.containo.us' : 'traefik.io'));
    await client.waitFor('the last of twenty edits to be published', () => (client.publishedVersion(uri) === last ? true : undefined));
    assert.ok(withCode(client.diagnostics(uri)!, deprecated).length === 0, 'the last edit (traefik.io) is what was analysed');
    client.change(uri, route('traefik.containo.us'));
    await client.waitForDiagnostics(uri, 'the edit to bring the finding back', has(deprecated));
    client.close(uri);
    await client.waitForDiagnostics(uri, 'closing to revert to the clean disk text', lacks(deprecated));
    await client.waitForDiagnostics(ws.uri('legacy.yaml'), 'the untouched legacy file to keep its finding', has(deprecated));
  });
});

test('a file outside the workspace is analysed while it is open, and cleared when it is closed', async () => {
  const ws = new TempWorkspace(app());
  const outside = new TempWorkspace({ 'outside.yaml': route('traefik.containo.us', 'outside') });
  try {
    await withServer(ws, {}, async (client) => {
      await client.waitForIdle();
      const uri = outside.uri('outside.yaml');
      assert.equal(client.diagnostics(uri), undefined, 'files outside the workspace folders are not scanned');
      client.open(uri, route('traefik.containo.us', 'outside'));
      await client.waitForDiagnostics(uri, 'the open outside file to be analysed', has(deprecated));
      client.close(uri);
      await client.waitForDiagnostics(uri, 'closing it to clear its diagnostics', lacks(deprecated));
    });
  } finally {
    outside.dispose();
  }
});

test('files created, changed and deleted on disk are followed (didChangeWatchedFiles)', async () => {
  const ws = new TempWorkspace(app());
  await withServer(ws, {}, async (client) => {
    await client.waitForIdle();
    const uri = ws.uri('new/created.yaml');
    ws.write('new/created.yaml', route('traefik.containo.us', 'created'));
    client.watchedFilesChanged([{ uri, type: FileChangeType.Created }]);
    await client.waitForDiagnostics(uri, 'the created file to be analysed', has(deprecated));
    ws.write('new/created.yaml', route('traefik.io', 'created'));
    client.watchedFilesChanged([{ uri, type: FileChangeType.Changed }]);
    await client.waitForDiagnostics(uri, 'the changed file to be re-read', lacks(deprecated));
    ws.write('new/created.yaml', route('traefik.containo.us', 'created'));
    client.watchedFilesChanged([{ uri, type: FileChangeType.Changed }]);
    await client.waitForDiagnostics(uri, 'the finding to come back', has(deprecated));
    unlinkSync(ws.path('new/created.yaml'));
    client.watchedFilesChanged([{ uri, type: FileChangeType.Deleted }]);
    await client.waitForDiagnostics(uri, 'the deleted file to be cleared', lacks(deprecated));
    await client.waitFor('the status to count four files again', () => (client.statuses.at(-1)?.files === 4 ? true : undefined));
  });
});

test('renamed and deleted folders are followed (didRenameFiles, didDeleteFiles, and a watched folder deletion)', async () => {
  const ws = new TempWorkspace({ ...app(), 'old/a.yaml': route('traefik.containo.us', 'a'), 'gone/b.yaml': route('traefik.containo.us', 'b') });
  await withServer(ws, {}, async (client) => {
    await client.waitForDiagnostics(ws.uri('old/a.yaml'), 'a.yaml before the rename', has(deprecated));
    await client.waitForDiagnostics(ws.uri('gone/b.yaml'), 'b.yaml before the deletion', has(deprecated));
    renameSync(ws.path('old'), ws.path('renamed'));
    client.renamed([{ oldUri: ws.uri('old'), newUri: ws.uri('renamed') }]);
    await client.waitForDiagnostics(ws.uri('old/a.yaml'), 'the old path to be cleared', lacks(deprecated));
    await client.waitForDiagnostics(ws.uri('renamed/a.yaml'), 'the new path to be analysed', has(deprecated));
    rmSync(ws.path('renamed'), { recursive: true });
    client.deleted([ws.uri('renamed')]);
    await client.waitForDiagnostics(ws.uri('renamed/a.yaml'), 'the deleted folder to be cleared', lacks(deprecated));
    // Deleted outside the editor: the file watcher reports the folder, not the files in it.
    rmSync(ws.path('gone'), { recursive: true });
    client.watchedFilesChanged([{ uri: ws.uri('gone'), type: FileChangeType.Deleted }]);
    await client.waitForDiagnostics(ws.uri('gone/b.yaml'), 'the folder deleted on disk to be cleared', lacks(deprecated));
  });
});

test('settings changes are followed: Traefik version, severity overrides, exclude globs and the size limit', async () => {
  const ws = new TempWorkspace(app());
  const uri = ws.uri('legacy.yaml');
  await withServer(ws, {}, async (client) => {
    await client.waitForDiagnostics(uri, 'an error under Traefik v3 (the default)', has(deprecated, DiagnosticSeverity.Error));
    client.configure({ traefik: { version: 'v2' } });
    await client.waitForDiagnostics(uri, 'a warning under Traefik v2', has(deprecated, DiagnosticSeverity.Warning));
    client.configure({ traefik: { version: 'v2' }, severity: { [deprecated]: 'off' } });
    await client.waitForDiagnostics(uri, 'the code to be silenced', lacks(deprecated));
    client.configure({ severity: { [deprecated]: 'hint' } });
    await client.waitForDiagnostics(uri, 'the severity override', has(deprecated, DiagnosticSeverity.Hint));
    client.configure({ exclude: ['legacy.*'] });
    await client.waitForDiagnostics(uri, 'the excluded file to be cleared', lacks(deprecated));
    client.configure({ maxFileSize: 100 });
    await client.waitForDiagnostics(uri, 'files over the new size limit to be skipped', has('file-skipped', DiagnosticSeverity.Information));
    // Settings of the wrong type fall back to their defaults instead of breaking the server.
    client.configure({ traefik: { version: 4, namespaces: 'all' }, severity: { [deprecated]: 'fatal' }, exclude: 'legacy.yaml', maxFileSize: -1 });
    await client.waitForDiagnostics(uri, 'the defaults to apply', (d) => has(deprecated, DiagnosticSeverity.Error)(d) && !has('file-skipped')(d));
  });
});

test('files hidden by VS Code\'s files.exclude are not analysed; entries switched off or with a when clause are ignored', async () => {
  const ws = new TempWorkspace(app());
  const uri = ws.uri('legacy.yaml');
  await withServer(ws, {}, async (client) => {
    await client.waitForDiagnostics(uri, 'an error under Traefik v3 (the default)', has(deprecated, DiagnosticSeverity.Error));
    client.configureFilesExclude({ 'legacy.yaml': false, '**/*.yaml': { when: '$(basename).ts' } });
    client.configure({ traefik: { version: 'v2' } });
    await client.waitForDiagnostics(uri, 'a warning under Traefik v2: the file is still analysed', has(deprecated, DiagnosticSeverity.Warning));
    client.configureFilesExclude({ 'legacy.yaml': true });
    await client.waitForDiagnostics(uri, 'the file hidden by files.exclude to be cleared', lacks(deprecated));
  });
});

test('a broken YAML document gives yaml-unparsed and the other documents of the file are still analysed', async () => {
  const ws = new TempWorkspace({
    ...app(),
    'multi.yaml': `${route('traefik.containo.us', 'first')}---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: broken
  labels: {a: [b
spec: {}
---
${route('traefik.containo.us', 'third')}`,
  });
  await withServer(ws, {}, async (client) => {
    const d = await client.waitForDiagnostics(ws.uri('multi.yaml'), 'yaml-unparsed and two deprecated-api-group',
      (x) => withCode(x, 'yaml-unparsed').length === 1 && withCode(x, deprecated).length === 2);
    assert.equal(withCode(d, 'yaml-unparsed')[0]!.severity, DiagnosticSeverity.Information);
    assert.deepEqual(withCode(d, deprecated).map((x) => x.range.start.line), [0, 19]);
  });
});

test('binary, non-UTF-8 and huge files are skipped without stopping the server', async () => {
  const binary = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
  const huge = `${route('traefik.containo.us', 'huge')}${'# padding\n'.repeat(300_000)}`;
  const ws = new TempWorkspace({
    ...app(),
    'binary.yaml': binary,
    'nul.yaml': `kind: Service\0\0\0`,
    'latin1.yaml': Uint8Array.from([...Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: caf'), 0xe9]),
    'huge.yaml': huge,
  });
  await withServer(ws, {}, async (client) => {
    for (const rel of ['binary.yaml', 'nul.yaml', 'latin1.yaml', 'huge.yaml']) {
      await client.waitForDiagnostics(ws.uri(rel), `${rel} to be skipped`, has('file-skipped', DiagnosticSeverity.Information));
    }
    await client.waitForDiagnostics(ws.uri('legacy.yaml'), 'the other files to be analysed', has(deprecated));
    // The same huge text through an open editor, then a normal edit: the server must still answer.
    const uri = ws.uri('huge.yaml');
    client.open(uri, huge);
    await client.waitFor('the open huge document to be published', () => (client.publishedVersion(uri) === 1 ? true : undefined));
    assert.ok(has('file-skipped')(client.diagnostics(uri)!));
    client.change(uri, route('traefik.containo.us', 'small'));
    await client.waitForDiagnostics(uri, 'the now small document to be analysed', (d) => has(deprecated)(d) && !has('file-skipped')(d));
    client.close(uri);
    await client.waitForDiagnostics(uri, 'closing to revert to the huge disk file', has('file-skipped'));
  });
});

test('workspace folders added and removed are followed', async () => {
  const ws = new TempWorkspace(app());
  const extra = new TempWorkspace({ 'extra.yaml': route('traefik.containo.us', 'extra') });
  try {
    await withServer(ws, {}, async (client) => {
      await client.waitForIdle();
      assert.equal(client.diagnostics(extra.uri('extra.yaml')), undefined);
      client.foldersChanged([extra.root], []);
      await client.waitForDiagnostics(extra.uri('extra.yaml'), 'the added folder to be scanned', has(deprecated));
      client.foldersChanged([], [extra.root]);
      await client.waitForDiagnostics(extra.uri('extra.yaml'), 'the removed folder to be cleared', lacks(deprecated));
    });
  } finally {
    extra.dispose();
  }
});

test('cross-file: a change to a Service re-publishes the IngressRoute that references it', async () => {
  // A second Service in the namespace: with none at all, the checks assume the Services are defined elsewhere.
  const ws = new TempWorkspace({ ...app(), 'api.yaml': service('api') });
  const routeUri = ws.uri('route.yaml');
  const serviceUri = ws.uri('service.yaml');
  const notFound = 'service-not-found';
  await withServer(ws, {}, async (client) => {
    await client.waitForIdle();
    assert.equal(withCode(client.diagnostics(routeUri) ?? [], notFound).length, 0, 'the Service exists at start');
    // Renamed in an open editor, not saved: the route in another file loses its Service.
    client.open(serviceUri, service('web2'));
    const d = await client.waitForDiagnostics(routeUri, 'the route to lose its Service', has(notFound, DiagnosticSeverity.Error));
    // Related locations in the Service's file are converted with that file's (open editor) text: "name: web2" is line 3.
    const related = withCode(d, notFound).flatMap((x) => x.relatedInformation ?? []).filter((r) => r.location.uri === serviceUri);
    for (const r of related) assert.equal(r.location.range.start.line, 3);
    client.change(serviceUri, service('web'));
    await client.waitForDiagnostics(routeUri, 'the route to find its Service again', lacks(notFound));
    client.close(serviceUri);
    // Deleted and re-created on disk.
    unlinkSync(ws.path('service.yaml'));
    client.watchedFilesChanged([{ uri: serviceUri, type: FileChangeType.Deleted }]);
    await client.waitForDiagnostics(routeUri, 'the route to lose its deleted Service', has(notFound));
    ws.write('service.yaml', service());
    client.watchedFilesChanged([{ uri: serviceUri, type: FileChangeType.Created }]);
    await client.waitForDiagnostics(routeUri, 'the route to find the re-created Service', lacks(notFound));
  });
});
