/**
 * Fidelity of the test API server: the real kubectl, pointed at it through a kubeconfig, must get the answers a
 * real cluster gives — discovery (aggregated and legacy), lists with paging, server-side tables, single gets, pod
 * logs, Status errors, and EndpointSlices/Endpoints as kube-controller-manager computes them. Our own client then
 * reads the same server, and both must agree.
 *
 * kubectl is not an npm package: where it is not installed these tests are skipped and say so.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { takeSnapshot } from '../../server/src/cluster/snapshot';
import type { FakeApiServer } from './fakeApiServer';
import { startScenario, tempDir, traefikLog, traefikPod } from './scenario';

const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
const skip = kubectlPath ? false : 'kubectl is not installed on this machine; the fidelity tests did not run';
const controllerSeed = readFileSync(join(__dirname, 'fixtures', 'controller.yaml'), 'utf8');
const manyPods = Array.from({ length: 250 }, (_, i) => `---
apiVersion: v1
kind: Pod
metadata: { name: p-${String(i).padStart(3, '0')}, namespace: big }
spec: { containers: [{ name: c, image: busybox }] }`).join('\n');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

type Json = Record<string, any>;

describe('kubectl against the test API server', { skip }, () => {
  for (const aggregatedDiscovery of [true, false]) {
    describe(aggregatedDiscovery ? 'aggregated discovery' : 'legacy discovery', () => {
      let server: FakeApiServer;
      const tmp = tempDir();
      let kubectl: (...args: string[]) => Promise<Run>;

      before(async () => {
        const { seedYaml } = await import('./scenario');
        server = await startScenario({ seed: seedYaml(`${controllerSeed}\n${manyPods}`), aggregatedDiscovery });
        const kubeconfig = server.writeKubeconfig(tmp.dir);
        kubectl = (...args) => new Promise((resolve) => {
          // A private HOME and cache folder: nothing from the machine's own kubeconfig or discovery cache leaks in.
          execFile(kubectlPath!, ['--kubeconfig', kubeconfig, '--cache-dir', join(tmp.dir, 'cache'), '--request-timeout', '20s', ...args],
            { env: { PATH: process.env.PATH ?? '', HOME: tmp.dir }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) => resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) || 1 : 0, stdout, stderr }));
        });
      });
      after(async () => {
        await server.close();
        tmp.remove();
      });

      test('kubectl get pods,services,endpointslices -o json', async () => {
        const r = await kubectl('get', 'pods,services,endpointslices', '-o', 'json');
        assert.equal(r.code, 0, r.stderr);
        const list = JSON.parse(r.stdout) as Json;
        assert.equal(list.kind, 'List');
        const names = (list.items as Json[]).map((i) => `${i.kind}/${i.metadata.name}`);
        assert.deepEqual(names.filter((n) => n.startsWith('Pod/')), ['Pod/go-app-5d8f7c9b6-k2x7p', 'Pod/go-app-5d8f7c9b6-q9w4z']);
        assert.deepEqual(names.filter((n) => n.startsWith('Service/')), ['Service/go-app', 'Service/kubernetes']);
        const slices = (list.items as Json[]).filter((i) => i.kind === 'EndpointSlice');
        assert.equal(slices.length, 1, 'only the Service with a selector gets a slice');
        assert.equal(slices[0]!.metadata.labels['kubernetes.io/service-name'], 'go-app');
        assert.equal(slices[0]!.endpoints, null, 'the selector matches no Pod: an empty placeholder slice');
        assert.deepEqual(list.items.find((i: Json) => i.kind === 'Pod').metadata.labels, { app: 'go-app', version: 'v1.2', 'pod-template-hash': '5d8f7c9b6' });
      });

      test('EndpointSlices follow the controller: conditions, named ports, finished and terminating Pods', async () => {
        const r = await kubectl('get', 'endpointslices', '-n', 'shop', '-l', 'kubernetes.io/service-name=web', '-o', 'json');
        assert.equal(r.code, 0, r.stderr);
        const slices = (JSON.parse(r.stdout) as Json).items as Json[];
        const summary = slices.map((s) => ({
          ports: (s.ports as Json[]).map((p) => `${p.name}:${p.port}`).sort(),
          endpoints: (s.endpoints as Json[]).map((e) => `${e.targetRef.name} ready=${e.conditions.ready} serving=${e.conditions.serving} terminating=${e.conditions.terminating}`).sort(),
        })).sort((a, b) => b.ports.length - a.ports.length);
        assert.deepEqual(summary, [
          { ports: ['http:8080', 'metrics:9090'], endpoints: ['web-1 ready=true serving=true terminating=false', 'web-2 ready=false serving=false terminating=false', 'web-5 ready=false serving=true terminating=true'] },
          { ports: ['metrics:9090'], endpoints: ['web-3 ready=true serving=true terminating=false'] },
        ]);
      });

      test('Endpoints follow the legacy controller: not-ready addresses, no terminating Pods, repacked subsets', async () => {
        const r = await kubectl('get', 'endpoints', 'web', '-n', 'shop', '-o', 'json');
        assert.equal(r.code, 0, r.stderr);
        const ep = JSON.parse(r.stdout) as Json;
        const subsets = (ep.subsets as Json[]).map((s) => ({
          ready: ((s.addresses ?? []) as Json[]).map((a) => a.targetRef.name),
          notReady: ((s.notReadyAddresses ?? []) as Json[]).map((a) => a.targetRef.name),
          ports: (s.ports as Json[]).map((p) => `${p.name}:${p.port}`),
        })).sort((a, b) => a.ports[0]!.localeCompare(b.ports[0]!));
        assert.deepEqual(subsets, [
          { ready: ['web-1'], notReady: ['web-2'], ports: ['http:8080'] },
          { ready: ['web-1', 'web-3'], notReady: ['web-2'], ports: ['metrics:9090'] },
        ]);
        const none = await kubectl('get', 'endpoints', 'go-app', '-o', 'json');
        assert.equal((JSON.parse(none.stdout) as Json).subsets, undefined, 'no Pod selected: no subsets');
      });

      test('our client reads the same endpoints as kubectl', async () => {
        const r = await kubectl('get', 'endpointslices', '-n', 'shop', '-o', 'json');
        const theirs = ((JSON.parse(r.stdout) as Json).items as Json[]).map((s) => `${s.metadata.name}:${(s.endpoints as Json[]).length}`).sort();
        const snapshot = await takeSnapshot({ kubeconfig: server.writeKubeconfig(tmp.dir, { file: 'ours' }), namespaces: ['shop'] });
        const ours = snapshot.endpointSlices.filter((s) => s.namespace === 'shop').map((s) => `${s.name}:${s.endpoints.length}`).sort();
        assert.deepEqual(ours, theirs);
      });

      test('kubectl get ingressroutes -A (server-side table, CRD resolved by discovery)', async () => {
        const r = await kubectl('get', 'ingressroutes', '-A');
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
        assert.deepEqual(lines, [['NAMESPACE', 'NAME', 'AGE'], ['default', 'go-app-route', '1d']]);
        const both = await kubectl('get', 'ingressroutes.traefik.io,middlewares.traefik.io', '-A', '-o', 'name');
        assert.deepEqual(both.stdout.trim().split('\n'), ['ingressroute.traefik.io/go-app-route', 'middleware.traefik.io/strip-api']);
      });

      test('kubectl logs (with --tail) and a single get', async () => {
        const r = await kubectl('logs', '-n', 'traefik', traefikPod, '--tail=2');
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stdout.trim().split('\n'), traefikLog().trim().split('\n').slice(-2));
        const pod = await kubectl('get', 'pod', traefikPod, '-n', 'traefik', '-o', 'jsonpath={.spec.containers[0].image}');
        assert.equal(pod.stdout, 'docker.io/traefik:v3.1.2');
      });

      test('kubectl pages with --chunk-size through continue tokens', async () => {
        const r = await kubectl('get', 'pods', '-n', 'big', '--chunk-size=100', '-o', 'name');
        assert.equal(r.code, 0, r.stderr);
        const names = r.stdout.trim().split('\n');
        assert.equal(names.length, 250);
        assert.equal(new Set(names).size, 250);
        const pages = server.requests.filter((x) => x.path === '/api/v1/namespaces/big/pods');
        assert.deepEqual(pages.map((x) => x.query.limit), ['100', '100', '100']);
      });

      test('Status errors read as kubectl prints a real server\'s', async () => {
        const missing = await kubectl('get', 'service', 'nope');
        assert.notEqual(missing.code, 0);
        assert.match(missing.stderr, /Error from server \(NotFound\): services "nope" not found/);
        server.addFault({ path: '/api/v1/namespaces/default/pods', status: 403 });
        try {
          const forbidden = await kubectl('get', 'pods');
          assert.match(forbidden.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:test:reader" cannot list resource "pods" in API group "" in the namespace "default"/);
        } finally {
          server.clearFaults();
        }
      });
    });
  }
});
