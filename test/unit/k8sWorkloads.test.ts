import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { describePorts, findNamedPort, readWorkload, selectorMatchesTemplate, type Workload } from '../../server/src/core/k8s/workloads';
import { parseFile } from '../../server/src/core/parse/parseFile';

function workload(text: string): Workload {
  const resource = parseFile('w.yaml', text).resources[0];
  assert.ok(resource, 'the document is indexed');
  const w = readWorkload(resource);
  assert.ok(w, 'the kind is a workload');
  return w;
}

const podSpec = `      containers:
        - name: app
          image: example/app
          ports:
            - name: http
              containerPort: 8080
            - containerPort: 53
              protocol: UDP
          readinessProbe:
            httpGet: {path: /ready, port: http}
          livenessProbe:
            tcpSocket: {port: "9000"}
          startupProbe:
            grpc: {port: 9090}
      initContainers:
        - name: sidecar
          image: example/sidecar
          restartPolicy: Always
          ports: [{name: metrics, containerPort: 9100}]
        - name: migrate
          image: example/migrate
          ports: [{name: ignored, containerPort: 1}]
`;

describe('workload Pod templates', () => {
  test('a Deployment: template labels, containers with ports and probes, sidecars, replicas, selector', () => {
    const w = workload(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app, labels: {owner: team}}
spec:
  replicas: 3
  selector: {matchLabels: {app: app}}
  template:
    metadata:
      labels: {app: app, version: v2}
    spec:
${podSpec}`);
    assert.deepEqual(w.template!.labels, { app: 'app', version: 'v2' });
    assert.equal(w.replicas, 3);
    assert.ok(w.selectorNode);
    const containers = w.template!.containers!;
    assert.deepEqual(containers.map((c) => [c.name, c.sidecar]), [['app', false], ['sidecar', true]], 'plain init containers serve no traffic');
    assert.deepEqual(containers[0]!.ports.map((p) => [p.name, p.containerPort, p.protocol]), [['http', 8080, 'TCP'], [undefined, 53, 'UDP']]);
    assert.deepEqual(containers[0]!.probes.map((p) => [p.probe, p.handler, p.port]), [
      ['readinessProbe', 'httpGet', 'http'], ['livenessProbe', 'tcpSocket', 9000], ['startupProbe', 'grpc', 9090],
    ], 'a quoted number is read as the number, as the kubelet falls back to');
    assert.deepEqual(describePorts(containers), ['http/8080', '53/UDP', 'metrics/9100']);
    assert.deepEqual(describePorts([containers[1]!], true), ['metrics/9100/TCP']);
  });

  test('named ports are found by name and protocol, sidecars included', () => {
    const w = workload(`apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n${podSpec}`);
    const containers = w.template!.containers!;
    assert.equal(findNamedPort(containers, 'http', 'TCP')?.port.containerPort, 8080);
    assert.equal(findNamedPort(containers, 'http', 'UDP'), undefined);
    assert.equal(findNamedPort(containers, 'metrics', 'TCP')?.container.name, 'sidecar');
    assert.equal(findNamedPort(containers, 'ignored', 'TCP'), undefined);
  });

  test('every kind finds its template where the API puts it', () => {
    const cron = workload(`apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {job: c}}\n        spec: {containers: [{name: c, image: x}]}\n`);
    assert.deepEqual(cron.template!.labels, { job: 'c' });
    assert.equal(cron.selectorNode, undefined);
    const pod = workload(`apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec: {containers: [{name: p, image: x}]}\n`);
    assert.deepEqual(pod.template!.labels, { app: 'p' });
    assert.equal(pod.template!.containers!.length, 1);
    for (const kind of ['DaemonSet', 'ReplicaSet']) {
      const w = workload(`apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: []}\n`);
      assert.deepEqual(w.template!.labels, { a: 'b' }, kind);
    }
    const job = workload(`apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    metadata: {labels: {a: j}}\n    spec: {containers: []}\n`);
    assert.deepEqual(job.template!.labels, { a: 'j' });
    const rollout = workload(`apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    metadata: {labels: {a: r}}\n    spec: {containers: []}\n`);
    assert.deepEqual(rollout.template!.labels, { a: 'r' });
  });

  test('unreadable templates say why: an Argo workloadRef, or no template at all', () => {
    const ref = workload(`apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: r}\n`);
    assert.equal(ref.template, undefined);
    assert.equal(ref.templateUnknownReason, 'workloadRef');
    const patch = workload(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 0}\n`);
    assert.equal(patch.template, undefined);
    assert.equal(patch.templateUnknownReason, 'missing');
    assert.equal(patch.replicas, 0);
  });

  test('a template without a containers list has unknown containers, not none', () => {
    const w = workload(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n`);
    assert.equal(w.template!.containers, undefined);
  });

  test('other kinds are not workloads', () => {
    const service = parseFile('s.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n').resources[0]!;
    assert.equal(readWorkload(service), undefined);
  });
});

describe('a workload selector against its own template', () => {
  const deployment = (selector: string, labels: string, containers = '\n    spec: {containers: [{name: a, image: x}]}') =>
    workload(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: ${selector}\n  template:\n    metadata: {labels: ${labels}}${containers}\n`);

  test('match and mismatch, with the unmet requirements', () => {
    assert.equal(selectorMatchesTemplate(deployment('{matchLabels: {app: a}}', '{app: a, v: "1"}')).state, 'match');
    const result = selectorMatchesTemplate(deployment('{matchLabels: {app: a, tier: web}}', '{app: a, tier: api}'));
    assert.equal(result.state, 'mismatch');
    assert.deepEqual(result.state === 'mismatch' && result.unmet.map((r) => r.key), ['tier']);
    assert.equal(selectorMatchesTemplate(deployment('{matchExpressions: [{key: app, operator: NotIn, values: [a]}]}', '{app: a}')).state, 'mismatch');
  });

  test('no verdict for partial documents, unreadable or empty selectors, and kinds the API does not check', () => {
    assert.equal(selectorMatchesTemplate(deployment('{matchLabels: {app: a}}', '{app: b}', '')).state, 'unknown', 'no containers: a patch');
    assert.equal(selectorMatchesTemplate(deployment('{matchExpressions: [{key: app, operator: Near}]}', '{app: b}')).state, 'unknown');
    assert.equal(selectorMatchesTemplate(deployment('{}', '{app: b}')).state, 'unknown');
    const job = workload(`apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  selector: {matchLabels: {a: x}}\n  template:\n    metadata: {labels: {a: y}}\n    spec: {containers: [{name: a, image: x}]}\n`);
    assert.equal(selectorMatchesTemplate(job).state, 'unknown');
  });
});
