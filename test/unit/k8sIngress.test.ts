import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { IndexView } from '../../server/src/core/analyze';
import { WorkspaceIndex } from '../../server/src/core/index/workspaceIndex';
import { ingressBackends, middlewareEntries, traefikProcessesIngress } from '../../server/src/core/k8s/ingress';
import { normalize as normalizeName } from '../../server/src/core/traefik/names';
import { findSecretSource } from '../../server/src/core/k8s/secrets';
import { closestMatch, editDistance } from '../../server/src/core/k8s/similar';
import { makeAnalysisOptions, type Finding, type Resource, type TraefikOptions, type YScalar } from '../../server/src/core/model';
import { fullParseDocument } from '../../server/src/core/parse/fullYaml';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { get } from '../../server/src/core/parse/ynode';
import { analyzeSources } from '../../server/src/core/workspace';

function view(files: Record<string, string>): IndexView {
  const index = new WorkspaceIndex();
  for (const [file, text] of Object.entries(files)) index.setFile(parseFile(file, text));
  return {
    find: (kind, namespace, name) => index.find(kind, namespace, name),
    inNamespace: (kind, namespace) => index.inNamespace(kind, namespace),
    ofKind: (kind) => index.ofKind(kind),
    podTemplatesMatching: (namespace, selector) => index.podTemplatesMatching(namespace, selector).results,
  };
}

function ingress(metadataExtra: string, spec: string): Resource {
  const text = `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n${metadataExtra}spec:\n${spec}`;
  return parseFile('i.yaml', text).resources[0]!;
}

describe('which Ingresses Traefik processes', () => {
  const options = (partial: Partial<TraefikOptions> = {}): TraefikOptions => makeAnalysisOptions(partial).traefik;
  const none = view({});

  test('by annotation, or without any class', () => {
    const bare = ingress('', '  rules: []\n');
    assert.equal(traefikProcessesIngress(none, bare, options()), true, 'no class and no configured class');
    assert.equal(traefikProcessesIngress(none, bare, options({ ingressClass: 'internal' })), false);
    const annotated = (cls: string) => ingress(`  annotations:\n    kubernetes.io/ingress.class: ${cls}\n`, '  rules: []\n');
    assert.equal(traefikProcessesIngress(none, annotated('traefik'), options()), true);
    assert.equal(traefikProcessesIngress(none, annotated('nginx'), options()), false);
    assert.equal(traefikProcessesIngress(none, annotated('internal'), options({ ingressClass: 'internal' })), true);
    assert.equal(traefikProcessesIngress(none, annotated('traefik'), options({ ingressClass: 'internal' })), false);
  });

  test('by ingressClassName: the IngressClass object decides when the workspace has it', () => {
    const named = (cls: string) => ingress('', `  ingressClassName: ${cls}\n`);
    assert.equal(traefikProcessesIngress(none, named('traefik'), options()), true, 'the Traefik chart\'s class');
    assert.equal(traefikProcessesIngress(none, named('nginx'), options()), false);
    assert.equal(traefikProcessesIngress(none, named('internal'), options({ ingressClass: 'internal' })), true);
    const classes = view({
      'c.yaml': 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: edge}\nspec: {controller: traefik.io/ingress-controller}\n---\n'
        + 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: traefik}\nspec: {controller: k8s.io/ingress-nginx}\n',
    });
    assert.equal(traefikProcessesIngress(classes, named('edge'), options()), true);
    assert.equal(traefikProcessesIngress(classes, named('traefik'), options()), false, 'a class named traefik that nginx owns');
    assert.equal(traefikProcessesIngress(classes, named('edge'), options({ ingressClass: 'other' })), false);
  });

  test('not in an unwatched namespace', () => {
    assert.equal(traefikProcessesIngress(none, ingress('', '  rules: []\n'), options({ namespaces: ['prod'] })), false);
  });
});

describe('Ingress backends', () => {
  test('rule paths, or the default backend only when there are no rules; resource backends are left out', () => {
    const withRules = ingress('', `  defaultBackend: {service: {name: d, port: {number: 80}}}
  rules:
    - http:
        paths:
          - {path: /, backend: {service: {name: a, port: {number: 80}}}}
          - {path: /b, backend: {service: {name: b, port: {name: web}}}}
          - {path: /c, backend: {resource: {apiGroup: x, kind: Bucket, name: c}}}
    - host: no-http.example.com
`);
    assert.deepEqual(ingressBackends(withRules).map((b) => [b.name?.value, b.port && ('number' in b.port ? b.port.number : b.port.name), b.isDefault]), [
      ['a', 80, false], ['b', 'web', false],
    ]);
    const defaultOnly = ingress('', '  defaultBackend: {service: {name: d, port: {number: 80}}}\n');
    assert.deepEqual(ingressBackends(defaultOnly).map((b) => [b.name?.value, b.isDefault]), [['d', true]]);
  });
});

describe('router.middlewares entries', () => {
  function scalar(text: string): { node: YScalar; text: string } {
    return { node: get(fullParseDocument(text, 0, text.length).node, 'a') as YScalar, text };
  }

  test('plain and quoted values give each entry its exact range', () => {
    for (const doc of ['a: ns-x@kubernetescrd, auth ,y@file\n', 'a: "ns-x@kubernetescrd, auth ,y@file"\n', "a: 'ns-x@kubernetescrd, auth ,y@file'\n"]) {
      const { node, text } = scalar(doc);
      const entries = middlewareEntries(node);
      assert.deepEqual(entries.map((e) => e.text), ['ns-x@kubernetescrd', 'auth', 'y@file'], doc);
      assert.deepEqual(entries.map((e) => text.slice(e.span.start, e.span.end)), ['ns-x@kubernetescrd', 'auth', 'y@file'], doc);
    }
  });

  test('escapes or folding make every entry point at the whole value', () => {
    const { node } = scalar('a: "a\\u002db, c"\n');
    const entries = middlewareEntries(node);
    assert.deepEqual(entries.map((e) => e.text), ['a-b', 'c']);
    assert.ok(entries.every((e) => e.span.start === node.span.start && e.span.end === node.span.end));
  });

  test('empty entries are ignored', () => {
    assert.deepEqual(middlewareEntries(scalar('a: "x@file,, "\n').node).map((e) => e.text), ['x@file']);
  });

  test('Traefik\'s Normalize', () => {
    assert.equal(normalizeName('default-test.route'), 'default-test-route');
    assert.equal(normalizeName('multiple---hyphens'), 'multiple-hyphens');
    assert.equal(normalizeName('-edge-'), 'edge');
  });
});

describe('secret sources', () => {
  const files = {
    's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: plain, namespace: app}\n---\n'
      + 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: cert, namespace: app}\nspec: {secretName: from-cert}\n---\n'
      + 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: sealed, namespace: app}\n---\n'
      + 'apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: ext, namespace: app}\nspec: {target: {name: from-vault}}\n',
  };

  test('a Secret, or what a Certificate, SealedSecret or ExternalSecret creates, exists', () => {
    const index = view(files);
    for (const name of ['plain', 'from-cert', 'sealed', 'from-vault']) assert.equal(findSecretSource(index, 'app', name).state, 'exists', name);
  });

  test('missing only where the workspace manages secrets; unknown elsewhere', () => {
    const index = view(files);
    assert.deepEqual(findSecretSource(index, 'app', 'nope'), { state: 'missing', known: ['plain', 'from-cert', 'sealed', 'from-vault'] });
    assert.deepEqual(findSecretSource(index, 'other', 'nope'), { state: 'unknown' });
  });
});

describe('suggestions', () => {
  test('edit distance and the nearest candidate within reach', () => {
    assert.equal(editDistance('go-ap', 'go-app'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(closestMatch('go-ap', ['web', 'go-app', 'go-apps']), 'go-app');
    assert.equal(closestMatch('htp', ['http', 'metrics']), 'http');
    assert.equal(closestMatch('frontend', ['database']), undefined);
    assert.equal(closestMatch('same', ['same']), undefined, 'the name itself is no suggestion');
  });
});

describe('Ingress checks end to end', () => {
  function findings(text: string, options: Partial<TraefikOptions> = {}): Finding[] {
    return analyzeSources([{ file: 'a.yaml', text }], makeAnalysisOptions(options)).findings.get('a.yaml') ?? [];
  }
  const base = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, track: canary}}
    spec: {containers: [{name: web, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: auth, namespace: sso}
spec: {basicAuth: {secret: users}}
---
`;

  test('a bare middleware name gets the corrected entry and the whole corrected value, preferring where it exists', () => {
    const text = `${base}apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    traefik.ingress.kubernetes.io/router.middlewares: auth,default-x@kubernetescrd, sso/auth
spec:
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
    const format = findings(text).filter((f) => f.code === 'middleware-annotation-format');
    assert.deepEqual(format.map((f) => [text.slice(f.span.start, f.span.end), f.data?.replacement]), [
      ['auth', 'sso-auth@kubernetescrd'], ['sso/auth', 'sso-auth@kubernetescrd'],
    ]);
    assert.equal(format[0]!.data?.value, 'sso-auth@kubernetescrd,default-x@kubernetescrd,sso-auth@kubernetescrd');
    assert.equal(format[0]!.severity, 'error');
  });

  test('allowEmptyServices turns a skipped path into a 503', () => {
    const text = `${base.replace('selector: {app: web}', 'selector: {app: web, track: stable}')}apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}}]
`;
    const noEndpoints = (options: Partial<TraefikOptions>) => findings(text, options).find((f) => f.code === 'service-no-endpoints')!;
    assert.match(noEndpoints({}).message, /^Traefik finds no endpoints for default\/web and skips this path \(404\): the Service selects app=web,track=stable but Deployment web's Pods are labelled track=canary\.$/);
    assert.match(noEndpoints({ allowEmptyServices: true }).message, /answers 503/);
    assert.equal(noEndpoints({}).data?.reason, 'no-match');
  });

  test('an allowed ExternalName Service needs a listed port but no endpoints', () => {
    const text = `apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com, ports: [{port: 443}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - http:
        paths:
          - {path: /a, pathType: Prefix, backend: {service: {name: ext, port: {number: 443}}}}
          - {path: /b, pathType: Prefix, backend: {service: {name: ext, port: {number: 80}}}}
`;
    assert.deepEqual(findings(text, { allowExternalNameServices: true }).map((f) => f.code), ['service-port-not-found']);
    assert.deepEqual(findings(text).map((f) => f.code), ['external-name-not-allowed', 'external-name-not-allowed']);
  });

  test('cert-manager and certificate-resolver annotations vouch for the TLS Secret', () => {
    const ingressText = (annotation: string) => `apiVersion: v1
kind: Secret
metadata: {name: other}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {${annotation}}
spec:
  tls: [{hosts: [a.example.com], secretName: web-tls}]
`;
    assert.deepEqual(findings(ingressText('')).map((f) => f.code), ['tls-secret-not-found']);
    for (const annotation of ['cert-manager.io/cluster-issuer: le', 'traefik.ingress.kubernetes.io/router.tls.certresolver: le']) {
      assert.deepEqual(findings(ingressText(annotation)).map((f) => f.code), [], annotation);
    }
  });

  test('a traefik.containo.us Middleware does not exist for Traefik v3', () => {
    const text = `apiVersion: traefik.containo.us/v1alpha1
kind: Middleware
metadata: {name: old}
spec: {stripPrefix: {prefixes: [/x]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    traefik.ingress.kubernetes.io/router.middlewares: default-old@kubernetescrd
spec: {}
`;
    assert.ok(findings(text).some((f) => f.code === 'middleware-not-found'));
    assert.ok(!findings(text, { version: 'v2' }).some((f) => f.code === 'middleware-not-found'));
  });
});
