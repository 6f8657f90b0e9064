/** Where each Traefik option came from (features/context.ts), and the hover lines that say it. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { withRepositoryOptions } from '../../server/src/core/features/context';
import { hoverAt, type HoverContext } from '../../server/src/core/features/hover';
import { makeAnalysisOptions, type AnalysisOptions } from '../../server/src/core/model';
import type { RepositoryLayer } from '../../server/src/core/sources/repositoryLayer';
import { analyzeSources } from '../../server/src/core/workspace';

const traefik = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: traefik
  namespace: traefik
spec:
  template:
    spec:
      containers:
        - name: traefik
          image: traefik:v3.2
          args:
            - --providers.kubernetescrd.allowExternalNameServices=true
`;

const route = `apiVersion: v1
kind: Service
metadata:
  name: nas
  namespace: infra
spec:
  type: ExternalName
  externalName: nas.lan
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
    - match: Host(\`nas\`)
      services:
        - name: nas
          namespace: infra
          port: 80
`;

function hover(options: AnalysisOptions, withOrigin = true): string {
  const texts: Record<string, string> = { 'traefik.yaml': traefik, 'route.yaml': route };
  const result = analyzeSources(Object.entries(texts).map(([file, text]) => ({ file, text })), options);
  const effective = withRepositoryOptions(options, (result.analyzer.layer as RepositoryLayer).providerOptions());
  const ctx: HoverContext = {
    index: result.index, options: effective.options, ...(withOrigin ? { optionOrigin: effective.origin } : {}),
    textOf: (file) => texts[file], findingsOf: (file) => result.findings.get(file) ?? [],
    linkTo: (file, offset) => ({ href: `file:///${file}#${offset}`, label: `${file}@${offset}` }),
  };
  return hoverAt(ctx, 'route.yaml', route.indexOf('- name: nas') + 9)!.markdown;
}

test('options the user set win, the others come from the repository, else they are Traefik\'s defaults', () => {
  const discovered = { options: { allowCrossNamespace: true, version: 'v2' as const }, sources: { allowCrossNamespace: { file: 't.yaml', span: { start: 1, end: 2 }, description: 'x' } } };
  const { options, origin } = withRepositoryOptions(makeAnalysisOptions({ version: 'v3' }), discovered);
  assert.equal(options.traefik.allowCrossNamespace, true);
  assert.equal(options.traefik.version, 'v3');
  assert.deepEqual(origin('version'), { from: 'setting' });
  assert.deepEqual(origin('allowCrossNamespace'), { from: 'repository', source: discovered.sources.allowCrossNamespace });
  assert.deepEqual(origin('allowEmptyServices'), { from: 'default' });
  // Options whose explicit list is unknown were all set by the user: nothing comes from the repository.
  const all = withRepositoryOptions({ ...makeAnalysisOptions(), explicitTraefik: undefined }, discovered);
  assert.equal(all.options.traefik.allowCrossNamespace, false);
  assert.deepEqual(all.origin('allowCrossNamespace'), { from: 'setting' });
});

test('a hover on a cross-namespace reference to an ExternalName Service says where both options came from', () => {
  const markdown = hover(makeAnalysisOptions());
  const at = traefik.indexOf('--providers');
  assert.ok(markdown.includes(`allowExternalNameServices = \`true\` (from [traefik.yaml@${at}](file:///traefik.yaml#${at}), --providers.kubernetescrd.allowExternalNameServices=true in Deployment traefik/traefik)`), markdown);
  assert.ok(markdown.includes('allowCrossNamespace = `false` (Traefik\'s default: neither a setting nor the repository sets it)'), markdown);
  const set = hover(makeAnalysisOptions({ allowCrossNamespace: true, allowExternalNameServices: false }));
  assert.ok(set.includes('allowCrossNamespace = `true` (from the setting `routeDoctor.traefik.allowCrossNamespace`)'), set);
  assert.ok(set.includes('allowExternalNameServices = `false` (from the setting `routeDoctor.traefik.allowExternalNameServices`)'), set);
  assert.ok(!hover(makeAnalysisOptions(), false).includes('allowCrossNamespace ='), 'no lines when the host does not say where options came from');
});
