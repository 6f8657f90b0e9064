/**
 * Deterministic synthetic GitOps workspaces for the benchmark.
 *
 * The layout follows what real repositories look like: one folder per application with a Deployment, a Service,
 * an IngressRoute, Middlewares, a ConfigMap and a kustomization.yaml, some applications written as one multi-document
 * file, cluster add-ons with RBAC objects, and a crds/ folder. In real repositories about 80% of the YAML bytes are
 * CustomResourceDefinition schemas, a few of them several hundred KB each; the generator keeps that proportion
 * because it decides where a cold check spends its time (those documents must be skipped, not parsed).
 *
 * The same (fileCount, seed) always gives the same bytes, so numbers are comparable between runs and machines.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bumped whenever the generated content changes, so a cached workspace is regenerated. */
const generatorVersion = 3;

/** A small, fast, seeded PRNG (mulberry32): Math.random cannot be seeded. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = ('alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec ' +
  'romeo sierra tango uniform victor whiskey xray yankee zulu api web auth billing search cart orders users media ' +
  'reports gateway metrics events queue cache worker admin portal catalog inventory payments shipping').split(' ');

const proseWords = ('the of a to is and field that this for be specifies object when in not used if may resource value ' +
  'controller must defaults are by it will name kubernetes more information see https the spec status api version ' +
  'reference selected optional required nil means empty list map string should pod container').split(' ');

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function prose(rand, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(pick(rand, proseWords));
  return out.join(' ');
}

function deployment(rand, ns, app, opts) {
  const version = `v${1 + Math.floor(rand() * 3)}.${Math.floor(rand() * 10)}`;
  const env = [];
  const envCount = 2 + Math.floor(rand() * 8);
  for (let i = 0; i < envCount; i++) {
    env.push(`            - name: ${pick(rand, words).toUpperCase()}_${i}\n              value: "${pick(rand, words)}-${i}"`);
  }
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: ${ns}
  annotations:
    reloader.stakater.com/auto: "true"
spec:
  replicas: ${1 + Math.floor(rand() * 4)}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
        version: ${version}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: ${app}
      securityContext:
        runAsNonRoot: true
        fsGroup: 2000
      containers:
        - name: ${app}
          image: ghcr.io/example/${app}:${version}.${Math.floor(rand() * 20)}
          imagePullPolicy: IfNotPresent
          args: ["--port=${opts.port}", "--log-level=info"]
          ports:
            - name: http
              containerPort: ${opts.port}
              protocol: TCP
            - name: metrics
              containerPort: 9090
          env:
${env.join('\n')}
          resources:
            requests:
              cpu: ${50 + Math.floor(rand() * 200)}m
              memory: ${64 + Math.floor(rand() * 256)}Mi
            limits:
              memory: ${256 + Math.floor(rand() * 512)}Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            tcpSocket:
              port: http
          volumeMounts:
            - name: config
              mountPath: /etc/${app}
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: ${app}-config
`;
}

function service(ns, app, opts) {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
spec:
  type: ClusterIP
  selector:
    app: ${app}
  ports:
    - name: web
      port: 80
      targetPort: http
      protocol: TCP
    - name: metrics
      port: 9090
      targetPort: ${opts.port === 9090 ? 'http' : 9090}
`;
}

function ingressRoute(rand, ns, app, group) {
  const host = `${app}.${ns}.example.com`;
  return `apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata:
  name: ${app}
  namespace: ${ns}
  annotations:
    kubernetes.io/ingress.class: traefik
spec:
  entryPoints:
    - websecure
  routes:
    - match: Host(\`${host}\`)
      kind: Rule
      middlewares:
        - name: ${app}-headers
      services:
        - name: ${app}
          port: 80
    - match: Host(\`${host}\`) && PathPrefix(\`/${pick(rand, words)}\`)
      kind: Rule
      priority: ${10 + Math.floor(rand() * 90)}
      middlewares:
        - name: ${app}-strip
        - name: ${app}-headers
      services:
        - name: ${app}
          port: web
          weight: 1
  tls:
    secretName: ${app}-tls
`;
}

function middlewares(rand, ns, app, group) {
  return `apiVersion: ${group}/v1alpha1
kind: Middleware
metadata:
  name: ${app}-headers
  namespace: ${ns}
spec:
  headers:
    customResponseHeaders:
      X-Frame-Options: DENY
      X-Content-Type-Options: nosniff
    stsSeconds: 31536000
---
apiVersion: ${group}/v1alpha1
kind: Middleware
metadata:
  name: ${app}-strip
  namespace: ${ns}
spec:
  stripPrefix:
    prefixes:
      - /${pick(rand, words)}
`;
}

function configMap(rand, ns, app) {
  const lines = [];
  const n = 5 + Math.floor(rand() * 30);
  for (let i = 0; i < n; i++) lines.push(`    ${pick(rand, words)}_${i} = ${pick(rand, words)}`);
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
  namespace: ${ns}
data:
  LOG_FORMAT: json
  app.conf: |
    [server]
${lines.join('\n')}
`;
}

function kustomization(files) {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${files.map((f) => `  - ${f}`).join('\n')}
commonLabels:
  managed-by: gitops
`;
}

function rbac(ns, name) {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
  namespace: ${ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}
  namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${name}
subjects:
  - kind: ServiceAccount
    name: ${name}
    namespace: ${ns}
`;
}

/** One openAPIV3Schema property tree, written the way controller-gen writes CRDs: descriptions, nested objects. */
function schemaProperties(rand, indent, depth, budget) {
  const pad = ' '.repeat(indent);
  let out = '';
  const count = depth === 0 ? 6 : 2 + Math.floor(rand() * 6);
  for (let i = 0; i < count && budget.left > 0; i++) {
    const before = out.length;
    const name = `${pick(rand, words)}${pick(rand, words).replace(/^./, (c) => c.toUpperCase())}${i}`;
    out += `${pad}${name}:\n`;
    if (rand() < 0.5) {
      out += `${pad}  description: |-\n`;
      const lines = 1 + Math.floor(rand() * 4);
      for (let l = 0; l < lines; l++) out += `${pad}    ${prose(rand, 8 + Math.floor(rand() * 8))}\n`;
    } else {
      out += `${pad}  description: ${prose(rand, 6 + Math.floor(rand() * 20))}\n`;
    }
    const r = rand();
    if (depth < 7 && r < 0.35) {
      out += `${pad}  type: object\n${pad}  properties:\n`;
      out += schemaProperties(rand, indent + 4, depth + 1, budget);
      if (rand() < 0.3) out += `${pad}  required:\n${pad}  - ${name}\n`;
    } else if (depth < 7 && r < 0.45) {
      out += `${pad}  type: array\n${pad}  items:\n${pad}    type: object\n${pad}    properties:\n`;
      out += schemaProperties(rand, indent + 6, depth + 1, budget);
      out += `${pad}  x-kubernetes-list-type: atomic\n`;
    } else if (r < 0.6) {
      out += `${pad}  type: integer\n${pad}  format: int32\n${pad}  minimum: 0\n`;
    } else if (r < 0.7) {
      out += `${pad}  enum:\n${pad}  - Always\n${pad}  - Never\n${pad}  - IfNotPresent\n${pad}  type: string\n`;
    } else if (r < 0.75) {
      out += `${pad}  anyOf:\n${pad}  - type: integer\n${pad}  - type: string\n${pad}  x-kubernetes-int-or-string: true\n`;
    } else {
      out += `${pad}  type: string\n`;
    }
    budget.left -= out.length - before;
  }
  return out;
}

function crd(rand, group, kind, targetBytes) {
  const plural = `${kind.toLowerCase()}s`;
  const versions = [];
  let size = 0;
  for (let v = 1; size < targetBytes; v++) {
    const budget = { left: Math.max(4000, targetBytes / 2) };
    let body = '';
    while (budget.left > 0) body += schemaProperties(rand, 14, 0, budget);
    versions.push(`  - name: v1beta${v}
    served: true
    storage: ${v === 1}
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        description: ${kind} is the Schema for the ${plural} API.
        type: object
        properties:
          apiVersion:
            description: 'APIVersion defines the versioned schema of this representation of an object.'
            type: string
          spec:
            type: object
            properties:
${body}`);
    size += body.length;
  }
  return `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.1
  name: ${plural}.${group}
spec:
  group: ${group}
  names:
    kind: ${kind}
    listKind: ${kind}List
    plural: ${plural}
    singular: ${kind.toLowerCase()}
  scope: Namespaced
  versions:
${versions.join('')}`;
}

/**
 * Files of a workspace of about `fileCount` files, as [relative path, text] pairs.
 * About 4% of the files are CRDs; a tenth of those are several hundred KB.
 */
export function generateWorkspace(fileCount, seed = 1) {
  const rand = prng(seed);
  const files = [];
  const crdFiles = Math.max(4, Math.round(fileCount * 0.04));
  for (let i = 0; i < crdFiles; i++) {
    const big = i % 10 === 0;
    const target = big ? 250_000 + Math.floor(rand() * 550_000) : 20_000 + Math.floor(rand() * 60_000);
    const group = `${pick(rand, words)}.${pick(rand, words)}.io`;
    const kind = `${pick(rand, words).replace(/^./, (c) => c.toUpperCase())}Thing${i}`;
    // Operators ship some CRDs as one bundle of several documents.
    const text = i % 7 === 3 ? crd(rand, group, kind, target / 2) + crd(rand, group, `${kind}Set`, target / 2) : crd(rand, group, kind, target);
    files.push([`crds/${group}/${kind.toLowerCase()}.yaml`, text]);
  }
  const addonNamespaces = ['kube-system', 'monitoring', 'cert-manager', 'traefik'];
  let app = 0;
  while (files.length < fileCount) {
    const r = rand();
    if (r < 0.03) {
      const ns = pick(rand, addonNamespaces);
      files.push([`infrastructure/${ns}/rbac-${app++}.yaml`, rbac(ns, `addon-${app}`)]);
      continue;
    }
    const ns = `team-${pick(rand, words)}`;
    const name = `${pick(rand, words)}-${pick(rand, words)}-${app++}`;
    const port = rand() < 0.5 ? 8080 : 3000;
    // About 1 in 40 applications still uses the old API group (a real error under Traefik v3).
    const group = rand() < 0.025 ? 'traefik.containo.us' : 'traefik.io';
    const dir = `apps/${ns}/${name}`;
    if (rand() < 0.2) {
      // Everything in one multi-document file.
      const all = [deployment(rand, ns, name, { port }), service(ns, name, { port }), ingressRoute(rand, ns, name, group), middlewares(rand, ns, name, group)];
      files.push([`${dir}/${name}.yaml`, all.join('---\n')]);
      files.push([`${dir}/kustomization.yaml`, kustomization([`${name}.yaml`])]);
      continue;
    }
    files.push([`${dir}/deployment.yaml`, deployment(rand, ns, name, { port })]);
    files.push([`${dir}/service.yaml`, service(ns, name, { port })]);
    files.push([`${dir}/ingressroute.yaml`, ingressRoute(rand, ns, name, group)]);
    files.push([`${dir}/middleware.yaml`, middlewares(rand, ns, name, group)]);
    files.push([`${dir}/configmap.yaml`, configMap(rand, ns, name)]);
    files.push([`${dir}/kustomization.yaml`, kustomization(['deployment.yaml', 'service.yaml', 'ingressroute.yaml', 'middleware.yaml', 'configmap.yaml'])]);
  }
  return files.slice(0, fileCount);
}

/** Writes the workspace under `dir` unless the same generator version and size already is there; returns stats. */
export function ensureWorkspace(dir, fileCount, seed = 1) {
  const stamp = join(dir, '.stamp.json');
  const want = { generatorVersion, fileCount, seed };
  try {
    const have = JSON.parse(readFileSync(stamp, 'utf8'));
    if (have.generatorVersion === want.generatorVersion && have.fileCount === fileCount && have.seed === seed) return have;
  } catch {
    // No stamp or an unreadable one: generate.
  }
  rmSync(dir, { recursive: true, force: true });
  const files = generateWorkspace(fileCount, seed);
  let bytes = 0;
  let crdBytes = 0;
  for (const [rel, text] of files) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    bytes += Buffer.byteLength(text);
    if (rel.startsWith('crds/')) crdBytes += Buffer.byteLength(text);
  }
  const stats = { ...want, files: files.length, bytes, crdBytes };
  writeFileSync(stamp, JSON.stringify(stats));
  return stats;
}
