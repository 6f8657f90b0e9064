/**
 * The test API server's own behaviour where kubectl does not look: metadata-only answers, content negotiation,
 * selectors, paging errors and the fault switches the client tests rely on.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { FakeApiServer, parseLabelSelector } from './fakeApiServer';

const seed = `apiVersion: v1
kind: Secret
metadata: { name: creds, namespace: default, labels: { team: a } }
data: { password: aHVudGVyMg== }
---
apiVersion: v1
kind: Event
metadata: { name: web-1.1, namespace: default }
involvedObject: { kind: Pod, name: web-1, namespace: default }
reason: Unhealthy
type: Warning
message: "Readiness probe failed: connection refused"
---
apiVersion: v1
kind: Event
metadata: { name: web-1.2, namespace: default }
involvedObject: { kind: Pod, name: web-1, namespace: default }
reason: Scheduled
type: Normal
message: Successfully assigned default/web-1 to node-a
`;

type Json = Record<string, any>;

describe('test API server', () => {
  let server: FakeApiServer;
  const get = async (path: string, accept = 'application/json'): Promise<{ status: number; type: string; body: Json }> => {
    const res = await fetch(server.url + path, { headers: { Accept: accept } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
  };

  before(async () => {
    server = await FakeApiServer.start({ seed });
  });
  after(() => server.close());

  test('metadata-only lists and gets carry no data', async () => {
    const list = await get('/api/v1/namespaces/default/secrets', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    assert.equal(list.body.kind, 'PartialObjectMetadataList');
    assert.deepEqual(list.body.items.map((i: Json) => [i.kind, i.metadata.name, i.data]), [['PartialObjectMetadata', 'creds', undefined]]);
    const one = await get('/api/v1/namespaces/default/secrets/creds', 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
    assert.equal(one.body.kind, 'PartialObjectMetadata');
    assert.equal(one.body.data, undefined);
    const full = await get('/api/v1/namespaces/default/secrets/creds');
    assert.equal(full.body.data.password, 'aHVudGVyMg==', 'a plain get is a real get');
  });

  test('unacceptable media types get 406', async () => {
    const r = await get('/api/v1/namespaces/default/secrets', 'application/vnd.kubernetes.protobuf');
    assert.equal(r.status, 406);
    assert.equal(r.body.reason, 'NotAcceptable');
  });

  test('field and label selectors', async () => {
    const ev = await get('/api/v1/namespaces/default/events?fieldSelector=' + encodeURIComponent('involvedObject.kind=Pod,reason=Unhealthy'));
    assert.deepEqual(ev.body.items.map((i: Json) => i.metadata.name), ['web-1.1']);
    const match = parseLabelSelector('app in (a,b),tier!=db,!legacy,team')!;
    assert.ok(match({ app: 'a', team: 'x' }));
    assert.ok(!match({ app: 'a', team: 'x', legacy: 'y' }));
    assert.ok(!match({ app: 'c', team: 'x' }));
    assert.equal(parseLabelSelector('app in a'), undefined);
    const bad = await get('/api/v1/namespaces/default/secrets?labelSelector=' + encodeURIComponent('a in b'));
    assert.equal(bad.status, 400);
  });

  test('a bad continue token is a 400, as on a real server', async () => {
    const r = await get('/api/v1/namespaces/default/events?limit=1&continue=%25%25');
    assert.equal(r.status, 400);
    assert.match(r.body.message, /continue key is not valid/);
  });

  test('faults apply to matching paths the given number of times', async () => {
    server.addFault({ path: /\/secrets$/, status: 503, times: 1 });
    try {
      assert.equal((await get('/api/v1/namespaces/default/secrets')).status, 503);
      assert.equal((await get('/api/v1/namespaces/default/secrets')).status, 200);
    } finally {
      server.clearFaults();
    }
  });

  test('unknown paths and non-GET methods', async () => {
    assert.equal((await get('/apis/example.com/v1/things')).status, 404);
    const res = await fetch(server.url + '/api/v1/namespaces/default/secrets', { method: 'POST', body: '{}' });
    assert.equal(res.status, 405);
  });
});
