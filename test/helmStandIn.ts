/**
 * A stand-in for the `helm` executable, shared by the CLI and language-server tests of chart rendering. Real Helm is
 * not installable on the machines these tests were written on (neither Debian's nor npm's registries have it), so
 * no test here ran against real Helm: they run this small Node script instead, which implements just enough of
 * `helm template --namespace=NS [--values=FILE]… -- RELEASE CHART_DIR` for the test charts:
 *
 * - the chart's values.yaml, deep-merged with each --values file in order (YAML or JSON);
 * - every templates/*.yaml file, in name order, with `{{ .Release.Name }}`, `{{ .Release.Namespace }}` and
 *   `{{ .Values.a.b }}` substituted, printed as `---` and `# Source: <chart>/templates/<file>` before each;
 * - Helm's failures the tests need: a Chart.yaml with `dependencies` (missing in charts/, as `helm dependency
 *   build` was not run), a value that is not set, and any other template action.
 *
 * Every invocation's arguments are appended, one JSON array per line, to a log file next to the script.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HelmStandIn {
  /** The executable to pass as the helm path. */
  path: string;
  /** The arguments of every invocation so far. */
  invocations(): string[][];
  dispose(): void;
}

function script(yamlModule: string, log: string): string {
  return `#!/usr/bin/env node
// A stand-in for helm written by Route Doctor's tests (test/helmStandIn.ts); not Helm.
const fs = require('fs');
const path = require('path');
const YAML = require(${JSON.stringify(yamlModule)});
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
const fail = (message) => { process.stderr.write(message + '\\n'); process.exit(1); };
if (args[0] !== 'template') fail('Error: the stand-in only knows "helm template"');
let namespace = 'default';
const valuesFiles = [];
let positional = [];
for (let i = 1; i < args.length; i++) {
  const a = args[i];
  if (a === '--') { positional = args.slice(i + 1); break; }
  if (a.startsWith('--namespace=')) namespace = a.slice('--namespace='.length);
  else if (a.startsWith('--values=')) valuesFiles.push(a.slice('--values='.length));
  else fail('Error: unknown flag: ' + a);
}
const [release, dir] = positional;
if (!release || !dir) fail('Error: "helm template" requires a release and a chart');
const chart = YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
if (Array.isArray(chart.dependencies) && chart.dependencies.length > 0) {
  fail('Error: An error occurred while checking for chart dependencies. You may need to run \`helm dependency build\` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: ' + chart.dependencies.map((d) => d.name).join(', '));
}
const merge = (base, over) => {
  if (typeof base !== 'object' || base === null || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
};
const defaults = path.join(dir, 'values.yaml');
let values = fs.existsSync(defaults) ? YAML.parse(fs.readFileSync(defaults, 'utf8')) || {} : {};
for (const f of valuesFiles) values = merge(values, YAML.parse(fs.readFileSync(f, 'utf8')) || {});
const templates = path.join(dir, 'templates');
let out = '';
for (const name of fs.readdirSync(templates).filter((n) => n.endsWith('.yaml')).sort()) {
  const source = chart.name + '/templates/' + name;
  const text = fs.readFileSync(path.join(templates, name), 'utf8').replace(/\\{\\{-?\\s*([^}]*?)\\s*-?\\}\\}/g, (_, action) => {
    if (action === '.Release.Name') return release;
    if (action === '.Release.Namespace') return namespace;
    const m = /^\\.Values\\.([\\w.]+)$/.exec(action);
    if (!m) fail('Error: template: ' + source + ': the stand-in cannot run {{ ' + action + ' }}');
    const value = m[1].split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), values);
    if (value === undefined) fail('Error: template: ' + source + ': .Values.' + m[1] + ' is not set');
    return String(value);
  });
  out += '---\\n# Source: ' + source + '\\n' + text;
}
process.stdout.write(out);
`;
}

export function writeHelmStandIn(): HelmStandIn {
  const dir = mkdtempSync(join(tmpdir(), 'route-doctor-helm-stand-in-'));
  const path = join(dir, 'helm');
  const log = join(dir, 'invocations.log');
  writeFileSync(path, script(require.resolve('yaml'), log));
  chmodSync(path, 0o755);
  return {
    path,
    invocations: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as string[]) : []),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A workspace with one chart kept in the repository, `charts/wiki`, that nothing installs, and routes in namespace
 * `default` (which has another Service): one to the Service only the chart creates (`wiki-web`, named after the release), one to a misspelling
 * of it. Without rendering both are unverified; rendered, the first resolves and the second is not found.
 */
export const wikiChart: Readonly<Record<string, string>> = {
  'charts/wiki/Chart.yaml': 'apiVersion: v2\nname: wiki\nversion: 0.1.0\n',
  'charts/wiki/values.yaml': 'service:\n  port: 3000\n',
  'charts/wiki/templates/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  selector:\n    app: {{ .Release.Name }}\n  ports:\n    - port: {{ .Values.service.port }}\n      targetPort: 3000\n',
  'charts/wiki/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  selector:\n    matchLabels:\n      app: {{ .Release.Name }}\n  template:\n    metadata:\n      labels:\n        app: {{ .Release.Name }}\n    spec:\n      containers:\n        - name: wiki\n          image: ghcr.io/requarks/wiki:2.5\n          ports:\n            - containerPort: 3000\n',
  // The namespace's other Service makes a missing one worth reporting: without any, the workspace cannot know it.
  'routes/wiki.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: homeassistant\nspec:\n  type: ExternalName\n  externalName: ha.lan\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: wiki\nspec:\n  routes:\n    - match: Host(`wiki.example.com`)\n      services:\n        - name: wiki-web\n          port: 3000\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: wiki-typo\nspec:\n  routes:\n    - match: Host(`wiki.example.org`)\n      services:\n        - name: wiki-wbe\n          port: 3000\n',
};
