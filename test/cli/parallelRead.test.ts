/**
 * The CLI's reading on worker threads (cli/parallelRead.ts) with the built worker script (server/out/readWorker.js):
 * it gives the parses that reading on one thread gives, a worker reports the rules that parse without problems,
 * a file that cannot be read fails the reading with its name, and a worker that cannot start leaves the check to
 * the main thread, which says so. Builds the bundle first when missing.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { runCli } from '../../server/src/cli/main';
import { readInWorkers, serveReadWorker } from '../../server/src/cli/parallelRead';
import { defaultMaxFileLength, readScanned, scanFile } from '../../server/src/core/parse/parseFile';
import { rulesWithoutProblems } from '../../server/src/core/rulelang/parser';
import { scannedRuleRequests } from '../../server/src/core/rules/ruleLanguageChecks';
import { walkYamlFiles } from '../../server/src/host/files';
import { FileReadError } from '../../server/src/host/scan';

const root = join(__dirname, '..', '..');
const workerScript = join(root, 'server', 'out', 'readWorker.js');
const options = { maxFileLength: defaultMaxFileLength };
let workDir = '';

const route = (ns: string, match: string) => `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: web
  namespace: ${ns}
spec:
  routes:
    - match: ${match}
      kind: Rule
      services:
        - name: web
          port: 80
`;

const service = (ns: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  selector:
    app: web
  ports:
    - port: 80
`;

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
`;

/** 1,200 files (above the CLI's threshold for worker threads): routes with and without rule problems, Services, CRDs. */
function writeWorkspace(): string[] {
  for (let i = 0; i < 400; i++) {
    const ns = `team-${i}`;
    const files: Record<string, string> = {
      'route.yaml': route(ns, i % 20 === 3 ? 'Hots(`web.example.com`)' : `Host(\`web-${i}.example.com\`)`),
      'service.yaml': service(ns),
      'crd.yaml': crd,
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(workDir, ns, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  return walkYamlFiles(workDir);
}

let files: string[] = [];

/** What the rule checks would find without problems in a file, read on this thread. */
function cleanRules(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return rulesWithoutProblems(scannedRuleRequests(scanFile(file, text, options), text, 'v3'));
}

before(() => {
  if (!existsSync(workerScript)) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  }
  workDir = mkdtempSync(join(tmpdir(), 'route-doctor-read-'));
  files = writeWorkspace();
});

after(() => rmSync(workDir, { recursive: true, force: true }));

describe('reading on worker threads', () => {
  test('gives the parses of reading on one thread', async () => {
    const read = await readInWorkers(files, options, 'v3', workerScript);
    const expectedKeys = new Set(files.flatMap((file) => cleanRules(file)));
    files.forEach((file, i) => {
      const text = readFileSync(file, 'utf8');
      const scan = scanFile(file, text, options);
      assert.deepEqual(read.parsed[i], readScanned(scan, text), file);
      assert.equal(read.texts.get(file), scan.toRead.length > 0 ? text : undefined, file);
    });
    // This thread reads batches too whenever no worker result waits (here, often all of them: the worker takes a
    // while to start); those bring no keys. The workers' keys are always some of the expected ones.
    for (const key of read.rulesWithoutProblems ?? []) assert.ok(expectedKeys.has(key), key);
  });

  test('a worker sends with each batch the keys of the rules that parse without problems', () => {
    // The worker's body, run here on a port of ours, so that it reads every batch.
    const { port1, port2 } = new MessageChannel();
    serveReadWorker({ routeDoctorReadWorker: { files, options, traefik: 'v3', nextBatch: new SharedArrayBuffer(4), port: port2 } });
    const keys: string[] = [];
    const starts: number[] = [];
    let done = false;
    for (let received = receiveMessageOnPort(port1); received; received = receiveMessageOnPort(port1)) {
      const report = received.message as { kind: string; start?: number; rulesWithoutProblems?: string[] };
      if (report.kind === 'batch') {
        starts.push(report.start!);
        keys.push(...report.rulesWithoutProblems!);
      } else {
        assert.equal(report.kind, 'done');
        done = true;
      }
    }
    port1.close();
    assert.ok(done);
    assert.equal(starts.length, Math.ceil(files.length / 16));
    const expected = files.flatMap((file) => cleanRules(file));
    assert.equal(expected.length, 380, '380 of the 400 routes have no problem');
    assert.deepEqual(keys.sort(), expected.sort());
  });

  test('a file that cannot be read fails the reading, with its name', async () => {
    const missing = join(workDir, 'team-5', 'gone.yaml');
    await assert.rejects(readInWorkers([...files.slice(0, 600), missing, ...files.slice(600)], options, 'v3', workerScript), (e: unknown) => {
      assert.ok(e instanceof FileReadError);
      assert.equal(e.file, missing);
      return true;
    });
  });

  test('a worker that cannot start leaves the check to the main thread, which says so on stderr', async () => {
    const broken = join(workDir, 'broken-worker.js');
    writeFileSync(broken, "throw new Error('this worker cannot start');\n");
    const withBroken = await runCli(['check', workDir, '--format', 'json'], { workerScript: broken });
    const onOneThread = await runCli(['check', workDir, '--format', 'json']);
    assert.equal(withBroken.stdout, onOneThread.stdout);
    assert.equal(withBroken.exitCode, onOneThread.exitCode);
    // Worker threads are used on two cores or more only.
    if (availableParallelism() >= 2) assert.match(withBroken.stderr, /worker threads failed, so the files were read on one thread: .*this worker cannot start/);
    else assert.equal(withBroken.stderr, '');
    assert.equal(onOneThread.stderr, '');
    assert.equal(JSON.parse(onOneThread.stdout).files, 1200);
  });
});
