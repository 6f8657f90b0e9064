/**
 * Provider options found in the repository, in the editor: they apply to every Traefik option the user did not set,
 * a setting the user set wins even when it is the default, and hovers say where each option came from.
 */
import { strict as assert } from 'node:assert';
import { before, test } from 'node:test';
import { DiagnosticSeverity, type Hover, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/core/lineIndex';
import { defaultSettings, explicitSettingsField } from '../../server/src/protocol';
import { ensureServerBuilt, TempWorkspace, withCode, withServer, type LspClient } from './harness';

before(() => ensureServerBuilt());

const traefikDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: traefik
  namespace: traefik
spec:
  selector:
    matchLabels:
      app: traefik
  template:
    metadata:
      labels:
        app: traefik
    spec:
      containers:
        - name: traefik
          image: traefik:v3.2
          args:
            - --entryPoints.web.address=:8000
            - --providers.kubernetescrd.allowCrossNamespace=true
`;

const crossNamespaceRoute = `apiVersion: v1
kind: Service
metadata:
  name: nas
  namespace: infra
spec:
  selector:
    app: nas
  ports:
    - port: 80
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: nas
  namespace: apps
spec:
  routes:
    - match: Host(\`nas.example.com\`)
      services:
        - name: nas
          namespace: infra
          port: 80
`;

const code = 'cross-namespace-reference';
const argLine = traefikDeployment.split('\n').findIndex((l) => l.includes('allowCrossNamespace=true')) + 1;

async function hoverText(client: LspClient, ws: TempWorkspace): Promise<string> {
  const offset = crossNamespaceRoute.indexOf('- name: nas') + 9;
  const hover = await client.request<Hover | null>('textDocument/hover', {
    textDocument: { uri: ws.uri('route.yaml') }, position: new LineIndex(crossNamespaceRoute).position(offset),
  });
  assert.ok(hover);
  return (hover.contents as MarkupContent).value;
}

test('a Traefik option the user did not set comes from Traefik\'s Deployment; one the user set wins, and hovers say which', async () => {
  const ws = new TempWorkspace({ 'deploy/traefik.yaml': traefikDeployment, 'route.yaml': crossNamespaceRoute });
  const uri = ws.uri('route.yaml');
  const has = (d: Parameters<typeof withCode>[0]) => withCode(d, code).some((x) => x.severity === DiagnosticSeverity.Error);
  const lacks = (d: Parameters<typeof withCode>[0], published: boolean) => published && withCode(d, code).length === 0;
  await withServer(ws, {}, async (client) => {
    // The initial scan publishes every file with findings before it reports the end of indexing.
    await client.waitForIdle();
    assert.deepEqual(withCode(client.diagnostics(uri) ?? [], code), [], 'no cross-namespace error: the Deployment allows it');
    const fromRepository = await hoverText(client, ws);
    assert.ok(fromRepository.includes(
      `allowCrossNamespace = \`true\` (from [traefik.yaml:${argLine}](${ws.uri('deploy/traefik.yaml')}#L${argLine}), --providers.kubernetescrd.allowCrossNamespace=true in Deployment traefik/traefik)`,
    ), fromRepository);

    // What the VS Code client sends: every value merged with its default, and the settings the user set.
    client.configure({ traefik: { ...defaultSettings.traefik, allowCrossNamespace: false }, [explicitSettingsField]: ['traefik.allowCrossNamespace'] });
    await client.waitForDiagnostics(uri, 'the error once the user sets allowCrossNamespace to false', has);
    const fromSetting = await hoverText(client, ws);
    assert.ok(fromSetting.includes('allowCrossNamespace = `false` (from the setting `routeDoctor.traefik.allowCrossNamespace`)'), fromSetting);

    client.configure({ traefik: { ...defaultSettings.traefik }, [explicitSettingsField]: [] });
    await client.waitForDiagnostics(uri, 'no error when the user set nothing, although the values are the defaults', lacks);

    // A client that does not list what the user set sends only what the user set.
    client.configure({ traefik: { allowCrossNamespace: false } });
    await client.waitForDiagnostics(uri, 'the error when the section itself holds allowCrossNamespace', has);
  });
});
