/**
 * The reference layer: which places of a manifest name other objects, how they are looked up (namespace and name,
 * Traefik id, another provider), what they resolve to, and which workloads a Service selects.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeAnalysisOptions } from '../../server/src/core/model';
import { allSites, referencesTo, resolveSite, selectedWorkloads, selectingServices, siteAt } from '../../server/src/core/refs/resolve';
import { referenceSites, type RefSite } from '../../server/src/core/refs/sites';
import { analyzeSources } from '../../server/src/core/workspace';

const manifests = `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
    - name: root
  routes:
    - match: Host(\`shop.example.com\`)
      kind: Rule
      middlewares:
        - name: strip
        - name: auth@kubernetescrd
        - name: cors@file
      services:
        - name: cart
          port: web
          serversTransport: mtls
          middlewares:
            - name: strip
        - name: canary
          kind: TraefikService
        - name: cart
          namespace: other
          port: 80
  tls:
    secretName: shop-tls
    options:
      name: modern
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: strip
  namespace: shop
spec:
  stripPrefix:
    prefixes: [/shop]
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: chain
  namespace: shop
spec:
  chain:
    middlewares:
      - name: strip
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: shop-auth
  namespace: shop
spec:
  basicAuth:
    secret: users
  errors:
    service:
      name: cart
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    app: cart
  ports:
    - name: web
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: other
spec:
  selector:
    app: cart
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart, tier: web}
    spec:
      containers: [{name: cart, image: cart}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop
  namespace: shop
spec:
  secretName: shop-tls
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  namespace: shop
  annotations:
    traefik.ingress.kubernetes.io/router.middlewares: shop-strip@kubernetescrd,plain
spec:
  rules:
    - host: legacy.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: cart
                port:
                  name: web
`;

function workspace() {
  return analyzeSources([{ file: 'm.yaml', text: manifests }], makeAnalysisOptions());
}

function describeSite(s: RefSite): string {
  const lookup = s.lookup.by === 'name' ? `${s.lookup.namespace}/${s.lookup.name}` : s.lookup.by === 'id' ? `id ${s.lookup.id}` : `@${s.lookup.provider}`;
  return `${s.holder.kind}/${s.holder.name} ${s.role} → ${s.targetKind} ${lookup}${s.port ? ` port ${s.port.node.value}` : ''}${s.route ? ` route ${s.route.index}` : ''}`;
}

test('reference sites: every field that names another object, with how Traefik looks it up', () => {
  const { index } = workspace();
  assert.deepEqual([...allSites(index)].map(describeSite), [
    'IngressRoute/shop middleware → Middleware shop/strip route 0',
    'IngressRoute/shop middleware → Middleware id auth route 0',
    'IngressRoute/shop middleware → Middleware @file route 0',
    'IngressRoute/shop service → Service shop/cart port web route 0',
    'IngressRoute/shop middleware → Middleware shop/strip route 0',
    'IngressRoute/shop servers-transport → ServersTransport shop/mtls route 0',
    'IngressRoute/shop service → TraefikService shop/canary route 0',
    'IngressRoute/shop service → Service other/cart port 80 route 0',
    'IngressRoute/shop tls-options → TLSOption shop/modern',
    'IngressRoute/shop secret → Secret shop/shop-tls',
    'IngressRoute/shop parent → IngressRoute shop/root',
    'Middleware/chain middleware → Middleware shop/strip',
    'Middleware/shop-auth service → Service shop/cart port 80',
    'Middleware/shop-auth secret → Secret shop/users',
    'Ingress/legacy ingress-backend → Service shop/cart port web',
    'Ingress/legacy ingress-middleware → Middleware id shop-strip',
    'Ingress/legacy ingress-middleware → Middleware @kubernetes',
  ]);
});

test('sites resolve by namespace and name, by Traefik id, and to the object that creates a Secret', () => {
  const { index } = workspace();
  const route = index.find('IngressRoute', 'shop', 'shop')[0]!;
  const resolved = referenceSites(route).map((s) => resolveSite(index, s).map((r) => `${r.kind}/${r.namespace}/${r.name}`).join(',') || '-');
  assert.deepEqual(resolved, [
    'Middleware/shop/strip', '-', '-', 'Service/shop/cart', 'Middleware/shop/strip', '-', '-', 'Service/other/cart', '-', 'Certificate/shop/shop', '-',
  ]);
  const ingress = index.find('Ingress', 'shop', 'legacy')[0]!;
  assert.deepEqual(referenceSites(ingress).map((s) => resolveSite(index, s).map((r) => r.name).join(',')), ['cart', 'strip', '']);
});

test('references to an object are the sites that resolve to it, in every namespace-aware holder', () => {
  const { index } = workspace();
  const cart = index.find('Service', 'shop', 'cart')[0]!;
  assert.deepEqual(referencesTo(index, cart).map(describeSite), [
    'IngressRoute/shop service → Service shop/cart port web route 0',
    'Middleware/shop-auth service → Service shop/cart port 80',
    'Ingress/legacy ingress-backend → Service shop/cart port web',
  ]);
  const otherCart = index.find('Service', 'other', 'cart')[0]!;
  assert.deepEqual(referencesTo(index, otherCart).map(describeSite), ['IngressRoute/shop service → Service other/cart port 80 route 0']);
  const strip = index.find('Middleware', 'shop', 'strip')[0]!;
  assert.equal(referencesTo(index, strip).length, 4, 'route, service-level, chain member and Ingress annotation');
});

test('siteAt finds the reference under the cursor, on its name or on its port', () => {
  const { index } = workspace();
  const at = (needle: string, delta = 0) => siteAt(index, 'm.yaml', manifests.indexOf(needle) + delta);
  assert.equal(at('name: cart\n          port: web', 8)?.written, 'cart');
  assert.equal(at('port: web', 7)?.written, 'cart', 'the port belongs to the service reference');
  assert.equal(at('shop-strip@kubernetescrd', 3)?.written, 'shop-strip@kubernetescrd', 'an annotation entry is a site of its own');
  assert.equal(at('plain', 2)?.written, 'plain');
  assert.equal(at('match:'), undefined);
});

test('a Service selects the workloads whose Pod template carries its selector, and a workload knows its Services', () => {
  const { index } = workspace();
  const cart = index.find('Service', 'shop', 'cart')[0]!;
  assert.deepEqual(selectedWorkloads(index, cart).matched.map((w) => `${w.kind}/${w.name}`), ['Deployment/cart']);
  const otherCart = index.find('Service', 'other', 'cart')[0]!;
  assert.deepEqual(selectedWorkloads(index, otherCart).matched, [], 'selection stays within the namespace');
  const deployment = index.find('Deployment', 'shop', 'cart')[0]!;
  assert.deepEqual(selectingServices(index, deployment).map((s) => `${s.namespace}/${s.name}`), ['shop/cart']);
});
