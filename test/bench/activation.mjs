/**
 * Activation time of the VS Code extension, measured without VS Code: each run starts a fresh Node process that
 * loads the client bundle (client/out/extension.js) with a stand-in `vscode` module, calls activate() with the real
 * language server (server/out/server.js) on a copy of examples/go-app-404, waits for the first diagnostics and
 * deactivates. Reports the bundle sizes and, over the runs, the median and p95 of: require() of the bundle,
 * activate() (which returns before the language server is ready), the time until the language server is ready (from
 * the line the extension logs), and the first diagnostics.
 *
 * It measures the bundles in client/out and server/out of this checkout and says which build they are (`npm run
 * build` leaves the development bundles), or those of the extension folder given with --extension, such as the
 * `extension/` folder of the .vsix that `npm run package` makes: the production bundles users install. A
 * measurement, never a test: it fails only when the extension does not activate, never on timing.
 * Usage: node test/bench/activation.mjs [--runs N] [--extension DIR]   (npm run bench runs it too, through run.mjs)
 *   npm run package && unzip -q -o route-doctor-0.1.0.vsix -d .cache/vsix && node test/bench/activation.mjs --extension .cache/vsix/extension
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(root, 'examples', 'go-app-404');
/** How long one run may wait for the first diagnostics before the extension counts as not working. */
const diagnosticsTimeoutMs = 60_000;

// The lines the extension logs (client/src/extension.ts); the bench reads its figures from them.
const activatedLine = /Activated in (\d+) ms; the language server is starting\./;
const readyLine = /Language server ready (\d+) ms after activation began\./;
const firstDiagnosticsLine = /First diagnostics of the workspace (\d+) ms after activation began \((\d+) YAML files?\)\./;

/** The client and server bundles of an extension folder: this checkout, or a .vsix's `extension/` folder. */
const bundles = (extensionRoot) => ({
  client: join(extensionRoot, 'client', 'out', 'extension.js'),
  server: join(extensionRoot, 'server', 'out', 'server.js'),
});

/**
 * Runs the extension in `extensionRoot` `runs` times (after one first run, reported apart because it also warms the
 * page cache), each in its own Node process so that every require() is cold, and returns the figures.
 */
export function measureActivation({ runs = 20, extensionRoot = root } = {}) {
  const { client: clientBundle, server: serverBundle } = bundles(extensionRoot);
  for (const bundle of [clientBundle, serverBundle]) {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build (or node esbuild.mjs --production) first`);
  }
  const loadAverage = loadavg()[0];
  const folder = mkdtempSync(join(tmpdir(), 'route-doctor-activation-'));
  try {
    cpSync(example, folder, { recursive: true });
    const first = activateOnce(extensionRoot, folder);
    const timed = Array.from({ length: runs }, () => activateOnce(extensionRoot, folder));
    return {
      runs,
      loadAverage,
      clientBytes: statSync(clientBundle).size,
      serverBytes: statSync(serverBundle).size,
      production: !/\/\/# sourceMappingURL=\S+\s*$/.test(readFileSync(clientBundle, 'utf8')),
      first,
      timed,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** One run in a child process (this file with --child): its figures, parsed from the JSON line it prints last. */
function activateOnce(extensionRoot, folder) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', extensionRoot, folder], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`activating the extension failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** The nearest-rank 95th percentile. */
function p95(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.95 * s.length) - 1)];
}

/**
 * The report as lines: a heading and a Markdown table of the first run, the median and the p95 of each figure. Wall
 * times grow with what else the machine runs; the CPU times (all threads of the process) do not.
 */
export function activationReport(m) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (n) => (n < 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(0)} ms`);
  const rows = [
    ['require() of client/out/extension.js', (r) => r.loadMs],
    ['  its CPU time', (r) => r.loadCpuMs],
    ['activate(), until it returns (the language server starts in the background)', (r) => r.activateMs],
    ['  its CPU time', (r) => r.activateCpuMs],
    ['  as the extension logs it', (r) => r.loggedActivationMs],
    ['language server ready, from activate(), as the extension logs it', (r) => r.loggedReadyMs],
    [`first diagnostics (${m.first.files} YAML files), from activate()`, (r) => r.firstDiagnosticsMs],
  ];
  return [
    `Extension activation — client bundle ${kb(m.clientBytes)} (${m.production ? 'production build, minified' : 'development build; --extension with the unpacked .vsix measures what users install'}), `
      + `language server bundle ${kb(m.serverBytes)}; ${m.runs} runs after a first one, each a fresh Node process with a stand-in vscode module, on examples/go-app-404; `
      + `load average ${m.loadAverage.toFixed(1)} at the start`,
    '',
    '| | first run | median | p95 |',
    '|---|---|---|---|',
    ...rows.map(([label, figure]) => `| ${label} | ${ms(figure(m.first))} | ${ms(median(m.timed.map(figure)))} | ${ms(p95(m.timed.map(figure)))} |`),
  ];
}

/**
 * The `vscode` module as far as activate() and vscode-languageclient use it while starting: namespaces whose
 * functions record their calls (members not written out below are functions that return a Disposable, which is what
 * most of the API's registrations and events are), the classes and enums the client constructs, settings answered
 * with the defaults package.json declares, and a log output channel that keeps its lines.
 */
function standInVscode(extensionRoot, folder) {
  const calls = [];
  const lineListeners = [];
  const lines = [];

  class Disposable {
    constructor(onDispose = () => undefined) { this.onDispose = onDispose; }
    static from(...items) { return new Disposable(() => items.forEach((i) => i?.dispose())); }
    dispose() { this.onDispose(); }
  }
  class EventEmitter {
    listeners = new Set();
    event = (listener, thisArg, disposables) => {
      const bound = listener.bind(thisArg);
      this.listeners.add(bound);
      const d = new Disposable(() => this.listeners.delete(bound));
      disposables?.push(d);
      return d;
    };
    fire(value) { for (const l of [...this.listeners]) l(value); }
    dispose() { this.listeners.clear(); }
  }
  const noEvent = () => new Disposable();
  class Uri {
    constructor(scheme, authority, path, query = '', fragment = '') { Object.assign(this, { scheme, authority, path, query, fragment }); }
    static file(path) { return new Uri('file', '', path.split(sep).join('/')); }
    static parse(text) {
      const url = new URL(text);
      return new Uri(url.protocol.slice(0, -1), url.host, decodeURIComponent(url.pathname), url.search.slice(1), url.hash.slice(1));
    }
    static joinPath(base, ...segments) { return base.with({ path: [base.path, ...segments].join('/') }); }
    get fsPath() { return this.path; }
    with(change) { return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment); }
    toString() { return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`; }
    toJSON() { return this.toString(); }
  }
  class Position {
    constructor(line, character) { Object.assign(this, { line, character }); }
  }
  class Range {
    constructor(a, b, c, d) {
      [this.start, this.end] = a instanceof Position ? [a, b] : [new Position(a, b), new Position(c, d)];
    }
  }
  class CodeActionKind {
    constructor(value) { this.value = value; }
    append(part) { return new CodeActionKind(this.value ? `${this.value}.${part}` : part); }
    contains(other) { return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`); }
    intersects(other) { return this.contains(other) || other.contains(this); }
    static Empty = new CodeActionKind('');
    static QuickFix = CodeActionKind.Empty.append('quickfix');
    static Refactor = CodeActionKind.Empty.append('refactor');
    static Source = CodeActionKind.Empty.append('source');
    static SourceOrganizeImports = CodeActionKind.Source.append('organizeImports');
    static SourceFixAll = CodeActionKind.Source.append('fixAll');
  }
  class CancellationTokenSource {
    emitter = new EventEmitter();
    token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
    cancel() { this.token.isCancellationRequested = true; this.emitter.fire(); }
    dispose() { this.emitter.dispose(); }
  }

  const workspaceFolder = { uri: Uri.file(folder), name: 'go-app-404', index: 0 };
  const manifest = JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8'));
  const defaults = Object.fromEntries(Object.entries(manifest.contributes.configuration.properties).map(([key, schema]) => [key, schema.default]));
  /** A settings value as VS Code gives it: a leaf's default, or the object of the defaults under a prefix. */
  function settingDefault(key) {
    if (key in defaults) return defaults[key];
    const nested = {};
    for (const [full, value] of Object.entries(defaults)) {
      if (!full.startsWith(`${key}.`)) continue;
      const path = full.slice(key.length + 1).split('.');
      let at = nested;
      for (const part of path.slice(0, -1)) at = at[part] ??= {};
      at[path.at(-1)] = value;
    }
    return Object.keys(nested).length > 0 ? nested : undefined;
  }
  function getConfiguration(section) {
    const full = (key) => [section, key].filter(Boolean).join('.');
    return {
      get: (key, fallback) => (key === undefined ? settingDefault(section) : settingDefault(full(key))) ?? fallback,
      has: (key) => settingDefault(full(key)) !== undefined,
      inspect: (key) => ({ key: full(key), defaultValue: settingDefault(full(key)) }),
      update: () => Promise.resolve(),
    };
  }

  const logChannel = (name) => {
    const log = (level) => (message, ...args) => {
      const line = `[${level}] ${message}${args.length > 0 ? ` ${args.map(String).join(' ')}` : ''}`;
      lines.push(line);
      for (const l of lineListeners) l(line);
    };
    return {
      name, logLevel: 2, onDidChangeLogLevel: noEvent,
      append: log('append'), appendLine: log('append'), replace: log('replace'), clear() {}, show() {}, hide() {}, dispose() {},
      trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warning'), error: log('error'),
    };
  };
  const diagnosticCollection = (name) => {
    const byUri = new Map();
    return {
      name,
      set: (uri, diagnostics) => (diagnostics ? byUri.set(String(uri), diagnostics) : byUri.delete(String(uri))),
      delete: (uri) => byUri.delete(String(uri)), clear: () => byUri.clear(), get: (uri) => byUri.get(String(uri)),
      has: (uri) => byUri.has(String(uri)), forEach: (f) => byUri.forEach((d, u) => f(Uri.parse(u), d)), dispose: () => byUri.clear(),
    };
  };

  /** A namespace whose functions record their calls; members it does not list are functions returning a Disposable. */
  function namespace(name, members) {
    const wrapped = new Map();
    return new Proxy(members, {
      get(target, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        if (!wrapped.has(prop)) {
          const member = prop in target ? target[prop] : () => new Disposable();
          wrapped.set(prop, typeof member !== 'function' ? member : (...args) => {
            calls.push(`${name}.${prop}${typeof args[0] === 'string' ? `(${args[0]})` : ''}`);
            return member(...args);
          });
        }
        return wrapped.get(prop);
      },
    });
  }

  const members = {
    version: '1.91.0',
    Disposable, EventEmitter, Uri, Position, Range, CodeActionKind, CancellationTokenSource,
    window: namespace('window', {
      activeTextEditor: undefined, visibleTextEditors: [], visibleNotebookEditors: [], state: { focused: true },
      tabGroups: { all: [], activeTabGroup: { tabs: [] }, onDidChangeTabGroups: noEvent, onDidChangeTabs: noEvent },
      createOutputChannel: logChannel,
      createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
      showErrorMessage: () => Promise.resolve(undefined), showWarningMessage: () => Promise.resolve(undefined), showInformationMessage: () => Promise.resolve(undefined),
      withProgress: (options, task) => task({ report() {} }, new CancellationTokenSource().token),
    }),
    workspace: namespace('workspace', {
      workspaceFolders: [workspaceFolder], rootPath: folder, name: workspaceFolder.name, workspaceFile: undefined, isTrusted: true,
      textDocuments: [], notebookDocuments: [],
      getWorkspaceFolder: (uri) => (uri.path === folder || uri.path.startsWith(`${folder}/`) ? workspaceFolder : undefined),
      getConfiguration,
      createFileSystemWatcher: () => ({ onDidCreate: noEvent, onDidChange: noEvent, onDidDelete: noEvent, dispose() {} }),
    }),
    languages: namespace('languages', { createDiagnosticCollection: diagnosticCollection, match: () => 0 }),
    commands: namespace('commands', {
      registerCommand: () => new Disposable(), executeCommand: () => Promise.resolve(undefined), getCommands: () => Promise.resolve([]),
    }),
    env: namespace('env', { appName: 'Route Doctor activation bench', appRoot: root, language: 'en', machineId: 'bench', sessionId: 'bench', uriScheme: 'vscode', uiKind: 1, remoteName: undefined }),
    extensions: namespace('extensions', { all: [], getExtension: () => undefined }),
    notebooks: namespace('notebooks', {}),
  };
  const api = { ...declaredClassesAndEnums(), ...members };
  const context = {
    subscriptions: [],
    extensionPath: extensionRoot,
    extensionUri: Uri.file(extensionRoot),
    extensionMode: 1,
    asAbsolutePath: (path) => join(extensionRoot, path),
    globalState: { get: () => undefined, update: () => Promise.resolve(), keys: () => [], setKeysForSync() {} },
    workspaceState: { get: () => undefined, update: () => Promise.resolve(), keys: () => [] },
  };
  /** Resolves with the first line the output channel gets that matches, or rejects after `timeoutMs`. */
  const waitForLine = (pattern, timeoutMs) => new Promise((resolve, reject) => {
    const found = lines.find((l) => pattern.test(l));
    if (found) return resolve(found);
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; the output channel has:\n${lines.join('\n')}`)), timeoutMs);
    lineListeners.push((line) => {
      if (!pattern.test(line)) return;
      clearTimeout(timer);
      resolve(line);
    });
  });
  return { api, context, calls, lines, waitForLine };
}

/**
 * Every class and enum that @types/vscode declares: the enums with their values, the classes as plain classes that
 * keep their constructor's arguments. vscode-languageclient extends some of them when it loads (CompletionItem,
 * CodeLens, …) and constructs others while converting messages; the ones activation really uses are written out in
 * standInVscode.
 */
function declaredClassesAndEnums() {
  const declarations = readFileSync(createRequire(import.meta.url).resolve('@types/vscode/index.d.ts'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const result = {};
  for (const [, name] of declarations.matchAll(/export class (\w+)/g)) {
    result[name] = ({ [name]: class { constructor(...args) { this.args = args; } } })[name];
  }
  for (const [, name, body] of declarations.matchAll(/export enum (\w+) \{([^}]*)\}/g)) {
    const values = {};
    let next = 0;
    for (const [, member, value] of body.matchAll(/(\w+)\s*(?:=\s*([^,\s]+))?\s*,?/g)) {
      values[member] = value === undefined ? next : /^['"]/.test(value) ? value.slice(1, -1) : Number(value);
      if (typeof values[member] === 'number') next = values[member] + 1;
    }
    result[name] = values;
  }
  return result;
}

/** The child process of one run: installs the stand-in module, activates, prints its figures as one JSON line. */
async function childRun(extensionRoot, folder) {
  const standIn = standInVscode(extensionRoot, folder);
  // The bundle keeps `require('vscode')` (esbuild's `external`); answer it with the stand-in from the module cache.
  const standInId = join(root, 'test', 'bench', 'vscode-stand-in');
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveStandIn(request, ...rest) {
    return request === 'vscode' ? standInId : resolveFilename.call(this, request, ...rest);
  };
  Module._cache[standInId] = Object.assign(new Module(standInId), { filename: standInId, loaded: true, exports: standIn.api });

  const require = createRequire(import.meta.url);
  const cpuMs = (since) => {
    const { user, system } = process.cpuUsage(since);
    return (user + system) / 1000;
  };
  const loadStart = performance.now();
  const loadCpuStart = process.cpuUsage();
  const extension = require(bundles(extensionRoot).client);
  const loadMs = performance.now() - loadStart;
  const loadCpuMs = cpuMs(loadCpuStart);

  const activateStart = performance.now();
  const activateCpuStart = process.cpuUsage();
  await extension.activate(standIn.context);
  const activateMs = performance.now() - activateStart;
  const activateCpuMs = cpuMs(activateCpuStart);
  const activated = activatedLine.exec(standIn.lines.find((l) => activatedLine.test(l)) ?? '');
  if (!activated) throw new Error(`the extension did not log its activation time; the output channel has:\n${standIn.lines.join('\n')}`);
  const contributed = JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8')).contributes.commands.map((c) => c.command);
  const unregistered = contributed.filter((id) => !standIn.calls.includes(`commands.registerCommand(${id})`));
  if (unregistered.length > 0) throw new Error(`activate() did not register the commands package.json contributes: ${unregistered.join(', ')}`);
  // activate() starts the server in the background and only shows a message when that fails, so the line the
  // extension logs when the server is ready is what proves that it started.
  const ready = readyLine.exec(await standIn.waitForLine(readyLine, diagnosticsTimeoutMs));
  const firstDiagnostics = await standIn.waitForLine(firstDiagnosticsLine, diagnosticsTimeoutMs);
  const firstDiagnosticsMs = performance.now() - activateStart;
  await extension.deactivate();
  console.log(JSON.stringify({
    loadMs, loadCpuMs, activateMs, activateCpuMs, firstDiagnosticsMs,
    loggedActivationMs: Number(activated[1]),
    loggedReadyMs: Number(ready[1]),
    files: Number(firstDiagnosticsLine.exec(firstDiagnostics)[2]),
  }));
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child') {
    await childRun(process.argv[3], process.argv[4]);
    // Handles the language client leaves open keep the process alive after deactivate() (for 30 s and more).
    process.exit(0);
  }
  const m = measureActivation({ runs: Number(option('--runs', '20')), extensionRoot: resolve(option('--extension', root)) });
  console.log(activationReport(m).join('\n'));
}
