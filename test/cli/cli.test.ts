/**
 * The built CLI (server/out/cli.js) run as CI runs it: in a child process, on manifests written to a temporary
 * folder. Covers every output format, every flag, the exit codes and --help. Builds the bundle first when missing.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = join(__dirname, '..', '..');
const cli = join(root, 'server', 'out', 'cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let workDir = '';

function run(args: string[], cwd = workDir): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonDiagnostic {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
  resource: { kind: string; namespace: string; name: string } | null;
}

interface JsonReport {
  files: number;
  resources: number;
  diagnostics: JsonDiagnostic[];
}

function json(args: string[], cwd = workDir): { status: number | null; report: JsonReport } {
  const r = run([...args, '--format', 'json'], cwd);
  assert.equal(r.stderr, '', r.stderr);
  return { status: r.status, report: JSON.parse(r.stdout) as JsonReport };
}

/** Writes `files` under a new folder of the work directory and returns the folder's name (relative to it). */
function workspace(name: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) {
    const path = join(workDir, name, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return name;
}

const deployment = (ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - name: http
              containerPort: 8080
`;

const service = (ns: string, extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:${extra}
  selector:
    app: web
  ports:
    - name: web
      port: 80
      targetPort: http
`;

/** An IngressRoute of `group` in `ns`; `service` is the services entry's extra lines (indented 10 spaces). */
const ingressRoute = (ns: string, opts: { group?: string; service?: string; annotations?: string; middleware?: string; match?: string } = {}) => `apiVersion: ${opts.group ?? 'traefik.io'}/v1alpha1
kind: IngressRoute
metadata:
  name: web
  namespace: ${ns}${opts.annotations ? `\n  annotations:\n${opts.annotations}` : ''}
spec:
  entryPoints:
    - web
  routes:
    - match: ${opts.match ?? 'Host(`web.example.com`)'}
      kind: Rule${opts.middleware ? `\n      middlewares:\n        - name: ${opts.middleware}` : ''}
      services:
        - name: web
          port: 80${opts.service ?? ''}
`;

/** A healthy application: Deployment, Service and IngressRoute that agree. */
const healthy = (ns: string, route = ingressRoute(ns)) => ({
  'deployment.yaml': deployment(ns),
  'service.yaml': service(ns),
  'ingressroute.yaml': route,
});

function codes(report: JsonReport, severity?: string): string[] {
  return report.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code).sort();
}

before(() => {
  if (!existsSync(cli)) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  }
  workDir = mkdtempSync(join(tmpdir(), 'route-doctor-cli-'));
});

after(() => rmSync(workDir, { recursive: true, force: true }));

describe('help and usage errors', () => {
  test('--help and -h print the usage and exit 0', () => {
    for (const args of [['--help'], ['-h'], ['check', '--help']]) {
      const r = run(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: route-doctor check/);
      for (const flag of ['--traefik', '--allow-cross-namespace', '--allow-external-name-services', '--allow-empty-services', '--namespaces',
        '--ingress-class', '--cross-provider-namespaces', '--native-lb-by-default', '--disable-cluster-scope-resources', '--format']) {
        assert.ok(r.stdout.includes(flag), `the help mentions ${flag}`);
      }
    }
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no command', [], /missing command/],
    ['an unknown command', ['lint'], /unknown command "lint"/],
    ['an unknown flag', ['check', '--frobnicate'], /unknown option --frobnicate/],
    ['a bad --format', ['check', '--format', 'xml'], /--format must be/],
    ['a bad --traefik', ['check', '--traefik', 'v4'], /--traefik must be v2 or v3/],
    ['a flag without its value', ['check', '--ingress-class'], /--ingress-class needs a value/],
    ['a flag followed by another flag instead of a value', ['check', '--namespaces', '--format', 'json'], /--namespaces needs a value/],
    ['a value given to a switch', ['check', '--allow-cross-namespace=yes'], /takes no value, or =true or =false/],
    ['a value given to a switch without one', ['check', '--unverified-as-errors=true'], /takes no value/],
  ];
  for (const [what, args, message] of usageErrors) {
    test(`${what} exits 2 with the usage on stderr`, () => {
      const r = run(args);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: route-doctor check/);
    });
  }

  test('a missing path exits 2', () => {
    const r = run(['check', 'no/such/dir']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no\/such\/dir: no such file or directory/);
  });

  test('a file that cannot be read exits 2', (t) => {
    // Reading this kernel file fails with EACCES even for root; other systems have no such file to test with.
    const unreadable = '/proc/sys/vm/drop_caches';
    if (!existsSync(unreadable)) return t.skip(`${unreadable} does not exist here`);
    const r = run(['check', unreadable]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /drop_caches/);
  });
});

describe('exit codes and formats', () => {
  test('a healthy workspace exits 0 with no errors', () => {
    const dir = workspace('healthy', healthy('default'));
    const { status, report } = json(['check', dir]);
    assert.deepEqual(codes(report, 'error'), []);
    assert.equal(status, 0);
    assert.equal(report.files, 3);
    assert.equal(report.resources, 3);
  });

  test('a traefik.containo.us IngressRoute under v3 is an error (exit 1), under v2 a warning', () => {
    const dir = workspace('containo', healthy('default', ingressRoute('default', { group: 'traefik.containo.us' })));
    const v3 = json(['check', dir]);
    assert.equal(v3.status, 1);
    assert.deepEqual(codes(v3.report, 'error'), ['deprecated-api-group']);
    const v2 = json(['check', dir, '--traefik', 'v2']);
    assert.deepEqual(codes(v2.report, 'error'), []);
    assert.deepEqual(codes(v2.report, 'warning'), ['deprecated-api-group']);
    assert.equal(v2.status, 0);
    assert.equal(json(['check', dir, '--traefik=v3']).status, 1);
  });

  describe('json', () => {
    test('is exactly one object with files, resources and 0-based diagnostics', () => {
      const dir = workspace('json', healthy('default', ingressRoute('default', { group: 'traefik.containo.us' })));
      const r = run(['check', dir, '--format', 'json']);
      const report = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(Object.keys(report).sort(), ['diagnostics', 'files', 'resources']);
      assert.equal(report.files, 3);
      const d = report.diagnostics.find((x) => x.code === 'deprecated-api-group')!;
      assert.equal(d.file, join(dir, 'ingressroute.yaml'));
      // "apiVersion: traefik.containo.us/v1alpha1" is the first line; the value starts after "apiVersion: ".
      assert.deepEqual(d.range, { start: { line: 0, character: 12 }, end: { line: 0, character: 40 } });
      assert.equal(d.severity, 'error');
      assert.equal(typeof d.message, 'string');
      assert.deepEqual(d.resource, { kind: 'IngressRoute', namespace: 'default', name: 'web' });
      for (const x of report.diagnostics) {
        assert.deepEqual(Object.keys(x).sort(), ['code', 'file', 'message', 'range', 'resource', 'severity']);
      }
    });

    test('names files as given: a file path as is, files found under a folder below it', () => {
      const dir = workspace('paths', healthy('default', ingressRoute('default', { group: 'traefik.containo.us' })));
      const direct = json(['check', join(dir, 'ingressroute.yaml')]);
      assert.deepEqual(direct.report.diagnostics.map((d) => d.file), [join(dir, 'ingressroute.yaml')]);
      const fromInside = json(['check', '.'], join(workDir, dir));
      assert.ok(fromInside.report.diagnostics.some((d) => d.file === 'ingressroute.yaml'));
      const absolute = json(['check', join(workDir, dir)], root);
      assert.ok(absolute.report.diagnostics.some((d) => d.file === join(workDir, dir, 'ingressroute.yaml')));
    });

    test('CRLF files get the same positions as LF files', () => {
      const files = healthy('default', ingressRoute('default', { group: 'traefik.containo.us' }));
      const dir = workspace('crlf', Object.fromEntries(Object.entries(files).map(([f, t]) => [f, t.replace(/\n/g, '\r\n')])));
      const d = json(['check', dir]).report.diagnostics.find((x) => x.code === 'deprecated-api-group')!;
      assert.deepEqual(d.range, { start: { line: 0, character: 12 }, end: { line: 0, character: 40 } });
    });
  });

  test('sarif is SARIF 2.1.0 with rules and 1-based regions', () => {
    const dir = workspace('sarif', healthy('default', ingressRoute('default', { group: 'traefik.containo.us' })));
    const r = run(['check', dir, '--format', 'sarif']);
    assert.equal(r.status, 1);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema, /sarif/);
    assert.equal(sarif.runs.length, 1);
    const driver = sarif.runs[0].tool.driver;
    assert.equal(driver.name, 'route-doctor');
    assert.ok(Array.isArray(driver.rules));
    const results = sarif.runs[0].results as any[];
    assert.ok(results.length > 0);
    for (const result of results) {
      assert.equal(driver.rules[result.ruleIndex].id, result.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(result.level));
      assert.equal(typeof result.message.text, 'string');
      const region = result.locations[0].physicalLocation.region;
      assert.ok(region.startLine >= 1 && region.startColumn >= 1);
      assert.ok(region.endLine >= region.startLine);
    }
    const deprecated = results.find((x) => x.ruleId === 'deprecated-api-group');
    assert.equal(deprecated.locations[0].physicalLocation.artifactLocation.uri, `${dir}/ingressroute.yaml`);
    assert.deepEqual(deprecated.locations[0].physicalLocation.region, { startLine: 1, startColumn: 13, endLine: 1, endColumn: 41 });
    const rule = driver.rules.find((x: any) => x.id === 'deprecated-api-group');
    assert.ok(rule.shortDescription.text.length > 0);
  });

  test('text lists file:line:column (1-based) per diagnostic and ends with a summary', () => {
    const dir = workspace('text', healthy('default', ingressRoute('default', { group: 'traefik.containo.us' })));
    const r = run(['check', dir]);
    assert.equal(r.status, 1);
    assert.ok(r.stdout.includes(`${join(dir, 'ingressroute.yaml')}:1:13: error [deprecated-api-group] `), r.stdout);
    const last = r.stdout.trimEnd().split('\n').pop()!;
    assert.match(last, /1 error\b.*3 files.*3 resources/);
    const clean = run(['check', workspace('text-clean', healthy('default'))]);
    assert.match(clean.stdout, /No problems found in 3 files \(3 resources\)/);
  });

  test('a folder without YAML files is checked (exit 0) with a note on stderr', () => {
    mkdirSync(join(workDir, 'empty-dir'), { recursive: true });
    const r = run(['check', 'empty-dir']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /no \*\.yaml or \*\.yml files/);
  });
});

describe('Traefik provider flags', () => {
  test('--allow-cross-namespace allows a service in another namespace', () => {
    const dir = workspace('cross-ns', { ...healthy('back'), 'ingressroute.yaml': ingressRoute('front', { service: '\n          namespace: back' }) });
    assert.ok(codes(json(['check', dir]).report).includes('cross-namespace-reference'));
    assert.ok(!codes(json(['check', dir, '--allow-cross-namespace']).report).includes('cross-namespace-reference'));
  });

  test('a flag wins over the repository: --allow-cross-namespace=false judges as if the option were off', () => {
    const traefik = `apiVersion: apps/v1
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
          image: traefik:v3.3
          args:
            - --providers.kubernetescrd
            - --providers.kubernetescrd.allowCrossNamespace=true
`;
    const dir = workspace('cross-ns-repo', { ...healthy('back'), 'traefik.yaml': traefik, 'ingressroute.yaml': ingressRoute('front', { service: '\n          namespace: back' }) });
    assert.ok(!codes(json(['check', dir]).report).includes('cross-namespace-reference'));
    assert.ok(codes(json(['check', dir, '--allow-cross-namespace=false']).report).includes('cross-namespace-reference'));
    assert.ok(!codes(json(['check', dir, '--allow-cross-namespace=true']).report).includes('cross-namespace-reference'));
  });

  test('--allow-external-name-services allows an ExternalName Service', () => {
    const external = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\nspec:\n  type: ExternalName\n  externalName: example.com\n  ports:\n    - port: 80\n';
    const dir = workspace('external', { 'service.yaml': external, 'ingressroute.yaml': ingressRoute('default') });
    assert.ok(codes(json(['check', dir]).report, 'error').includes('external-name-not-allowed'));
    assert.ok(!codes(json(['check', dir, '--allow-external-name-services']).report).includes('external-name-not-allowed'));
  });

  test('--allow-empty-services keeps a route to a Service without endpoints', () => {
    const dir = workspace('empty-svc', { 'service.yaml': service('default'), 'ingressroute.yaml': ingressRoute('default'), 'deployment.yaml': deployment('default').replace(/app: web/g, 'app: other') });
    assert.ok(codes(json(['check', dir]).report, 'error').includes('service-no-endpoints'));
    assert.ok(!codes(json(['check', dir, '--allow-empty-services']).report, 'error').includes('service-no-endpoints'));
  });

  test('--namespaces reports objects outside the watched namespaces', () => {
    const dir = workspace('watched', healthy('default'));
    assert.ok(!codes(json(['check', dir]).report).includes('namespace-not-watched'));
    assert.ok(codes(json(['check', dir, '--namespaces', 'prod,staging']).report).includes('namespace-not-watched'));
    assert.ok(!codes(json(['check', dir, '--namespaces=prod,default']).report).includes('namespace-not-watched'));
    assert.ok(!codes(json(['check', dir, '--namespaces', '']).report).includes('namespace-not-watched'));
  });

  test('--ingress-class reports IngressRoutes of another class', () => {
    // Without the option Traefik reads objects without a class or of class "traefik".
    const dir = workspace('class', healthy('default', ingressRoute('default', { annotations: '    kubernetes.io/ingress.class: traefik' })));
    assert.ok(!codes(json(['check', dir]).report).includes('ingress-class-mismatch'));
    assert.ok(codes(json(['check', dir, '--ingress-class', 'internal']).report).includes('ingress-class-mismatch'));
    assert.ok(!codes(json(['check', dir, '--ingress-class=traefik']).report).includes('ingress-class-mismatch'));
  });

  test('--cross-provider-namespaces: an empty value allows no name@provider reference', () => {
    const dir = workspace('cross-provider', healthy('default', ingressRoute('default', { middleware: 'auth@file' })));
    assert.ok(!codes(json(['check', dir]).report).includes('cross-provider-reference'));
    for (const flag of [['--cross-provider-namespaces', ''], ['--cross-provider-namespaces='], ['--cross-provider-namespaces', 'prod']]) {
      assert.ok(codes(json(['check', dir, ...flag]).report).includes('cross-provider-reference'), flag.join(' '));
    }
    assert.ok(!codes(json(['check', dir, '--cross-provider-namespaces', 'prod,default']).report).includes('cross-provider-reference'));
  });

  test('--native-lb-by-default uses the Service address, which a headless Service lacks', () => {
    const headless = workspace('native-lb', { ...healthy('default'), 'service.yaml': service('default', '\n  clusterIP: None') });
    assert.ok(!codes(json(['check', headless]).report, 'error').includes('invalid-value'));
    assert.ok(codes(json(['check', headless, '--native-lb-by-default']).report, 'error').includes('invalid-value'));
  });

  test('--disable-cluster-scope-resources refuses nodePortLB, which needs to read Nodes', () => {
    const nodePort = workspace('cluster-scope', {
      ...healthy('default', ingressRoute('default', { service: '\n          nodePortLB: true' })),
      'service.yaml': service('default', '\n  type: NodePort'),
    });
    assert.ok(!codes(json(['check', nodePort]).report, 'error').includes('invalid-value'));
    assert.ok(codes(json(['check', nodePort, '--disable-cluster-scope-resources']).report, 'error').includes('invalid-value'));
  });
});

describe('bad input', () => {
  test('binary, non-UTF-8, oversized, malformed, deeply nested and alias-bomb files are reported, never fatal', () => {
    const dir = join(workDir, 'bad-input');
    mkdirSync(dir, { recursive: true });
    let bomb = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: lol\n  annotations:\n    a0: &a0 "lol"\n';
    for (let i = 1; i < 30; i++) bomb += `    a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x00, 0x01, 0xff]));
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('kind: Service\nmetadata:\n  name: caf\xe9\n', 'latin1'));
    writeFileSync(join(dir, 'huge.yaml'), `kind: Service\n# ${'x'.repeat(2_100_000)}\n`);
    writeFileSync(join(dir, 'malformed.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n');
    writeFileSync(join(dir, 'deep.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    writeFileSync(join(dir, 'fence.yaml'), '```yaml\napiVersion: v1\nkind: Service\n```\n');
    writeFileSync(join(dir, 'bomb.yaml'), bomb);
    writeFileSync(join(dir, 'empty.yaml'), '');
    writeFileSync(join(dir, 'dashes.yaml'), '---\n');
    const { status, report } = json(['check', 'bad-input']);
    assert.equal(status, 0);
    assert.equal(report.files, 9);
    const byFile = (name: string) => report.diagnostics.filter((d) => d.file === join('bad-input', name)).map((d) => `${d.code}:${d.severity}`);
    for (const name of ['binary.yaml', 'latin1.yaml', 'huge.yaml']) assert.deepEqual(byFile(name), ['file-skipped:information'], name);
    for (const name of ['malformed.yaml', 'deep.yaml', 'fence.yaml', 'bomb.yaml']) assert.deepEqual(byFile(name), ['yaml-unparsed:information'], name);
    for (const name of ['empty.yaml', 'dashes.yaml']) assert.deepEqual(byFile(name), [], name);
  });
});

describe('large workspaces', () => {
  test('checked on worker threads, give the same report as small ones', () => {
    // 1,201 files is over the threshold at which the CLI uses worker threads (on machines with 2+ cores), which also
    // parse the rules ahead: some rules here have problems, and a TCP route without TLS needs its whole rule.
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) {
      const ns = `team-${i}`;
      files[`${ns}/deployment.yaml`] = deployment(ns);
      files[`${ns}/service.yaml`] = service(ns);
      const match = i % 25 === 5 ? 'Hots(`web.example.com`) && PathPrefix(`/api`)' : undefined;
      files[`${ns}/ingressroute.yaml`] = ingressRoute(ns, { group: i % 10 === 0 ? 'traefik.containo.us' : 'traefik.io', ...(match ? { match } : {}) });
    }
    files['team-7/tcp.yaml'] = `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata:
  name: db
  namespace: team-7
spec:
  routes:
    - match: HostSNI(\`db.example.com\`)
      services:
        - name: web
          port: 80
`;
    const dir = workspace('large', files);
    const { status, report } = json(['check', dir]);
    assert.equal(status, 1);
    assert.equal(report.files, 1201);
    assert.equal(report.resources, 1201);
    assert.deepEqual(codes(report, 'error'), [...Array(40).fill('deprecated-api-group'), 'hostsni-requires-tls', ...Array(16).fill('rule-unknown-matcher')]);
    // The same files checked a few at a time (below the threshold) give the same diagnostics.
    const single = json(['check', ...['team-10', 'team-11', 'team-5', 'team-7'].map((ns) => join(dir, ns))]).report.diagnostics;
    assert.deepEqual(single, report.diagnostics.filter((d) => /team-(5|7|10|11)\//.test(d.file)));
    assert.ok(single.length >= 3, 'the few files have findings of each kind');
    // Diagnostics come in file order whatever order the workers finished in.
    const order = report.diagnostics.map((d) => d.file);
    assert.deepEqual(order, [...order].sort());
  });
});
