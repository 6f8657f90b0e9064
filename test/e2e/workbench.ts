/**
 * Helpers for end-to-end tests that drive a real VS Code workbench (code-server in headless Chromium) the way a user
 * does: open files with Quick Open, read squiggles and the Problems panel, run commands from the palette (F1), edit
 * and save. Every helper waits for a condition (Playwright locators and waitForFunction with timeouts, or a polled
 * file), never for a fixed time.
 *
 * code-server and its dependencies come from scripts/e2e-setup.sh (.cache/e2e/); Chromium is Debian's.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { problemKeys, repoRoot, tempFolder, type Problem } from './example';
import { bundleSuite } from './vscode/bundle';

export { cliProblems, tempFolder, type Problem } from './example';
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const e2eDir = process.env.ROUTE_DOCTOR_E2E_DIR ?? join(repoRoot, '.cache', 'e2e');
const codeServerEntry = join(e2eDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.ROUTE_DOCTOR_CHROMIUM ?? '/usr/bin/chromium';

/**
 * How long one condition may take before a test fails. Generous because a cold workbench on a busy 2-core machine
 * takes tens of seconds to load and to start the extension host; a condition that holds returns at once anyway.
 */
export const timeoutMs = 90_000;

/**
 * User settings every test workbench gets: no welcome page, tips, sticky scroll or port forwarding notices, a fixed
 * theme for screenshots, and saving only when the test saves (VS Code in a browser saves after a delay by default,
 * desktop VS Code does not).
 */
const baseSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'files.autoSave': 'off',
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.tips.enabled': false,
  'editor.stickyScroll.enabled': false,
  'remote.autoForwardPorts': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
};

let packagedVsix: string | undefined;

/** The .vsix under test: the one scripts/e2e-run.mjs packaged for the whole run, or one packaged here. */
function extensionVsix(): string {
  packagedVsix ??= process.env.ROUTE_DOCTOR_VSIX ?? packageExtension();
  return packagedVsix;
}

/** Runs `npm run package`, so that a test file run on its own also tests what users install. */
function packageExtension(): string {
  const result = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run package failed:\n${result.stdout}${result.stderr}`);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  return join(repoRoot, `${manifest.name}-${manifest.version}.vsix`);
}

/**
 * Polls a condition that the page cannot wait for by itself (a log file, a list read from several elements) until it
 * returns a value. `what` describes the wait for the timeout error; as a function it can describe what it last saw.
 */
export async function until<T>(what: string | (() => string), condition: () => T | undefined | Promise<T | undefined>, timeout = timeoutMs): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await delay(200);
  }
}

export interface CodeServerOptions {
  /** User settings (settings.json), added to baseSettings. */
  settings?: Record<string, unknown>;
  /** Environment variables for code-server, which its extension hosts (and so the extension under test) inherit. */
  env?: Record<string, string>;
}

/** A running code-server with its own home, user-data and extensions folders, and the .vsix under test installed. */
export class CodeServer {
  private constructor(
    readonly url: string,
    readonly userDataDir: string,
    private readonly child: ChildProcess,
    private readonly home: string,
    private readonly outputChunks: string[],
  ) {}

  static async start(options: CodeServerOptions = {}): Promise<CodeServer> {
    if (!existsSync(codeServerEntry)) throw new Error(`code-server is not installed in ${e2eDir}: run scripts/e2e-setup.sh first.`);
    const home = mkdtempSync(join(tmpdir(), 'route-doctor-e2e-code-server-'));
    const userDataDir = join(home, 'user-data');
    const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', join(home, 'extensions')];
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...baseSettings, ...options.settings }, null, 2));

    // code-server ignores unpacked folders in the extensions folder; only an installed .vsix counts. It is also the
    // artifact users get, so it is what these tests check.
    const env = { ...privateEnv(home), ...options.env };
    const install = spawnSync(process.execPath, [codeServerEntry, ...dirs, '--install-extension', extensionVsix()], { encoding: 'utf8', env });
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
      rmSync(home, { recursive: true, force: true });
      throw new Error(`Installing the .vsix into code-server failed (exit ${install.status}):\n${install.stdout}${install.stderr}`);
    }

    const port = await freePort();
    const args = [codeServerEntry, ...dirs, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check'];
    // Its own process group, so that stop() also ends the extension hosts and language servers it starts.
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    const chunks: string[] = [];
    const server = new CodeServer(`http://127.0.0.1:${port}`, userDataDir, child, home, chunks);
    const listening = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        chunks.push(chunk.toString());
        if (server.output.includes('HTTP server listening on')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${server.output}`)));
    });
    try {
      await withTimeout(listening, timeoutMs, () => `code-server did not listen within ${timeoutMs} ms:\n${server.output}`);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** What code-server printed so far, for failure messages. */
  get output(): string {
    return this.outputChunks.join('');
  }

  /** The remote extension host logs written so far, one per workbench window that connected. */
  extensionHostLogs(): string[] {
    return listFiles(join(this.userDataDir, 'logs')).filter((f) => /[\\/]exthost\d+[\\/]remoteexthost\.log$/.test(f));
  }

  /** Stops code-server and everything it started (its process group), then removes its folders. */
  async stop(): Promise<void> {
    await killGroup(this.child);
    running.delete(this.child);
    rmSync(this.home, { recursive: true, force: true });
  }
}

/**
 * code-server writes to $HOME and $XDG_* (config.yaml, recently opened folders); a private home keeps each run
 * independent of the machine and of earlier runs.
 */
function privateEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') };
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/**
 * Waits for a promise for at most `ms`. The timer is cleared when the promise settles, so that it does not keep the
 * test process alive after the tests are done.
 */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** code-servers still running; killed if the test process exits without stopping them (an uncaught error). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The process group has already gone: nothing is left to stop.
  }
}

/** SIGTERM to a detached child's process group, then SIGKILL to whatever of the group is left. */
async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    signalGroup(pid, 'SIGTERM');
    // One that ignores SIGTERM gets the SIGKILL below all the same, so the timeout is no error.
    await withTimeout(exited, 10_000, () => 'code-server did not stop on SIGTERM').catch(() => undefined);
  }
  // Extension hosts and language servers that outlive code-server's shutdown are in the same group.
  signalGroup(pid, 'SIGKILL');
}

/** Headless Chromium with the flags that keep it from reaching out to the network or needing a GPU. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * The text of the active editor's lines that an error squiggle underlines, found by the squiggle's position on the
 * screen, as a user sees it. It runs in the page; it is a string because tsx compiles named inner functions with
 * calls to a `__name` helper that does not exist in the page (callbacks such as the one in problems() have none).
 */
const squiggledTextsScript = `(() => {
  const editor = document.querySelector('.editor-group-container.active .monaco-editor');
  if (!editor) return [];
  const lines = [...editor.querySelectorAll('.view-lines .view-line')];
  return [...editor.querySelectorAll('.squiggly-error')].map((squiggle) => {
    const box = squiggle.getBoundingClientRect();
    const middle = box.top + box.height / 2;
    const line = lines.find((l) => { const r = l.getBoundingClientRect(); return r.top <= middle && middle <= r.bottom; });
    if (!line) return { line: '', text: '' };
    let text = '';
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const value = node.textContent || '';
      for (let i = 0; i < value.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        const centre = r.left + r.width / 2;
        if (centre >= box.left && centre <= box.right) text += value[i];
      }
    }
    return { line: (line.textContent || '').replace(/\\u00a0/g, ' '), text: text.replace(/\\u00a0/g, ' ') };
  });
})()`;

export interface Squiggle {
  /** The whole line the squiggle is on. */
  line: string;
  /** The characters it underlines. */
  text: string;
}

/** A workbench window (one browser page) on a folder served by a code-server. */
export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly logFile: string,
  ) {}

  /**
   * Opens the workbench on a folder in a new page of the browser and waits until the explorer shows the folder and
   * the window's extension host has started (its log file exists).
   */
  static async open(browser: Browser, server: CodeServer, folder: string): Promise<Workbench> {
    const logsBefore = new Set(server.extensionHostLogs());
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(timeoutMs);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.monaco-workbench').waitFor();
    const logFile = await until('the extension host of the new window to start', () => server.extensionHostLogs().find((f) => !logsBefore.has(f)));
    return new Workbench(page, logFile);
  }

  /**
   * Opens a window that runs extension tests instead of a user: the workbench's `payload` URL parameter gives the
   * extension development path (this checkout, whose extension then replaces the installed one) and a bundled test
   * module with a `run()` function, as VS Code's own browser integration tests do. The window reports the result
   * through `codeAutomationExit`; what the tests print reaches the browser console. Returns the exit code (0 when
   * run() resolved) and the printed lines.
   */
  static async runExtensionTests(browser: Browser, server: CodeServer, folder: string, testsModule: string): Promise<{ exitCode: number; output: string[] }> {
    const page = await browser.newPage();
    try {
      const output: string[] = [];
      // The extension host's console reaches the page with a CSS-styled prefix ("%c INFO color: #33f ").
      page.on('console', (message) => output.push(message.text().replace(/^%c\s*\w+ color: \S+ /, '')));
      let exit: (code: number) => void = () => undefined;
      const exited = new Promise<number>((resolve) => {
        exit = resolve;
      });
      await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
      const authority = new URL(server.url).host;
      const payload = JSON.stringify([
        ['extensionDevelopmentPath', `vscode-remote://${authority}${repoRoot}`],
        ['extensionTestsPath', `vscode-remote://${authority}${testsModule}`],
      ]);
      await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
      const exitCode = await withTimeout(exited, 5 * timeoutMs, () => `the extension tests did not finish:\n${output.join('\n')}`);
      return { exitCode, output };
    } finally {
      await page.close();
    }
  }

  /** This window's extension host log, which says which extensions were activated and why. */
  extensionHostLog(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** Waits until the extension host log has a line matching the pattern, and returns that line. */
  async waitForLogLine(pattern: RegExp): Promise<string> {
    return until(`a line matching ${pattern} in ${this.logFile}`, () => this.extensionHostLog().split('\n').find((l) => pattern.test(l)));
  }

  /**
   * Waits until an extension's log output channel (one created with `{ log: true }`) has a line matching the pattern,
   * and returns that line. The extension host writes such a channel to `<extension id>/<channel name>.log` next to its
   * own log, the file the Output panel shows; the file exists once the channel has logged something.
   */
  async waitForOutputLine(extensionId: string, channel: string, pattern: RegExp): Promise<string> {
    const file = join(dirname(this.logFile), extensionId, `${channel}.log`);
    return until(`a line matching ${pattern} in ${file}`, () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => pattern.test(l)) : undefined));
  }

  /** Waits until the explorer lists the folder's files, which also means the workbench has finished its layout. */
  async waitForExplorer(fileName: string): Promise<void> {
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first().waitFor();
  }

  /**
   * Opens a file with Quick Open (Ctrl+P): types its path relative to the folder and clicks the result whose name is
   * the file's, then waits for its editor. Clicking, not Enter: until Quick Open has searched, the list still shows
   * recently opened files, and Enter would open whichever of them is first.
   */
  async openFile(relativePath: string): Promise<void> {
    const name = relativePath.split('/').pop() ?? relativePath;
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(relativePath);
    await this.quickInputEntry(name).click();
    await this.activeTab(name).waitFor();
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
  }

  /** The entry of the open Quick Open or command palette list whose label is exactly `label`. */
  private quickInputEntry(label: string): Locator {
    return this.page.locator('.quick-input-list .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    }).first();
  }

  /** Saves the active editor with Ctrl+S and waits until its tab no longer shows unsaved changes. */
  async save(): Promise<void> {
    const dirtyTab = this.page.locator('.editor-group-container.active .tab.active.dirty');
    // Typing marks the tab dirty a moment later; saving before that could leave the last keystrokes unsaved.
    await dirtyTab.waitFor();
    await this.page.keyboard.press('Control+S');
    await dirtyTab.waitFor({ state: 'detached' });
  }

  /** The active editor tab, when it shows the given file. */
  activeTab(fileName: string): Locator {
    return this.page.locator('.editor-group-container.active .tab.active', { hasText: fileName });
  }

  /** The error squiggles the active editor shows right now (only those on lines on the screen). */
  async squiggles(): Promise<Squiggle[]> {
    return (await this.page.evaluate(squiggledTextsScript)) as Squiggle[];
  }

  /**
   * Waits until the active editor shows an error squiggle under exactly `text` (when `present`), or none under it
   * (when not). The page re-checks on every animation frame, so a change is seen as soon as it is drawn.
   */
  async waitForSquiggle(text: string, present = true): Promise<void> {
    const condition = `${squiggledTextsScript}.some((s) => s.text === ${JSON.stringify(text)}) === ${present}`;
    await this.page.waitForFunction(condition, undefined, { timeout: timeoutMs }).catch(async (e: unknown) => {
      throw new Error(`${present ? 'no' : 'still an'} error squiggle under "${text}"; squiggles: ${JSON.stringify(await this.squiggles())}`, { cause: e });
    });
  }

  /**
   * Runs a command from the palette (F1) by its title as the palette lists it, such as "Route Doctor: Show Output".
   * It clicks the entry whose label is exactly the title, so that a fuzzy match on a similar command never runs.
   */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.quickInputEntry(title).click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Shows and focuses the Problems panel. */
  async openProblems(): Promise<void> {
    await this.runCommand('Problems: Focus on Problems View');
    await this.page.locator('.markers-panel').waitFor();
  }

  /** Maximises the panel (Problems, Output, …) over the editors, or restores its size, with its title bar button. */
  async maximizePanel(maximized: boolean): Promise<void> {
    const [from, to] = maximized ? ['Maximize Panel Size', 'Restore Panel Size'] : ['Restore Panel Size', 'Maximize Panel Size'];
    const button = this.page.locator(`.part.panel .action-label[aria-label="${from}"]`);
    if (await button.isVisible()) await button.click();
    await this.page.locator(`.part.panel .action-label[aria-label="${to}"]`).waitFor();
  }

  /** Hides the panel (Problems, Output, …) with its title bar button, giving the editors the whole height. */
  async closePanel(): Promise<void> {
    await this.page.locator('.part.panel .action-label[aria-label^="Hide Panel"]').click();
    await this.page.locator('.part.panel').waitFor({ state: 'hidden' });
  }

  /** The Problems panel's row for the (first) problem with this code. */
  problemRow(code: string): Locator {
    return this.page.locator('.markers-panel .monaco-list-row[aria-level="2"]', { has: this.page.locator('.marker-code', { hasText: code }) }).first();
  }

  /**
   * The problems the Problems panel lists, read from its rows: file rows are followed by their problems, whose
   * related-information rows are skipped. The panel is a virtual list that renders only the rows in view, so a long
   * list needs the panel maximised (waitForProblems does that).
   */
  async problems(): Promise<Problem[]> {
    const rows = await this.page.locator('.markers-panel .monaco-list-row').evaluateAll((elements) =>
      elements.map((row) => ({
        index: Number(row.getAttribute('data-index')),
        level: row.getAttribute('aria-level'),
        label: row.getAttribute('aria-label') ?? '',
        code: row.querySelector('.marker-code')?.textContent ?? '',
        position: row.querySelector('.marker-line')?.textContent ?? '',
        icon: row.querySelector('.marker-icon')?.className ?? '',
      })),
    );
    rows.sort((a, b) => a.index - b.index);
    const problems: Problem[] = [];
    let file = '';
    for (const row of rows) {
      if (row.level === '1') {
        file = /problems? in file (.+?) of folder/.exec(row.label)?.[1] ?? row.label;
      } else if (row.level === '2') {
        const position = /Ln (\d+), Col (\d+)/.exec(row.position);
        const severity = row.icon.includes('error') ? 'error' : row.icon.includes('warning') ? 'warning' : 'info';
        problems.push({ file, line: Number(position?.[1]), column: Number(position?.[2]), code: row.code, severity });
      }
    }
    return problems;
  }

  /** The number on the Problems tab's badge: every problem in the workspace, also those scrolled out of view. */
  async problemsBadge(): Promise<number> {
    const badge = this.page.locator('.part.panel .composite-bar .action-item', { hasText: /problems/i }).locator('.badge-content');
    if ((await badge.count()) === 0 || !(await badge.isVisible())) return 0;
    return Number((await badge.textContent())?.trim() ?? '0');
  }

  /**
   * Waits until the Problems panel lists exactly the expected problems (in any order), re-reading it as the language
   * server updates, and fails with both lists. The panel is maximised meanwhile so that the whole list is rendered.
   */
  async waitForProblems(expected: Problem[]): Promise<void> {
    // The Problems panel never lists hints; editors show them only as faint dots under the text.
    const want = problemKeys(expected.filter((p) => p.severity !== 'hint'));
    let got: string[] = [];
    await this.maximizePanel(true);
    await until(
      () => `the Problems panel to list what route-doctor check reports:\n  ${want.join('\n  ')}\nbut it lists:\n  ${got.join('\n  ')}`,
      async () => {
        got = problemKeys(await this.problems());
        return got.join('\n') === want.join('\n') ? true : undefined;
      },
    );
    await this.maximizePanel(false);
  }

  /**
   * Where on the screen the active editor shows `text` on line `line` (1-based, as the gutter numbers it): the
   * centre of those characters, found through the line number in the gutter, for the mouse to hover or click.
   */
  async editorTextPosition(line: number, text: string): Promise<{ x: number; y: number }> {
    const script = `(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      if (!editor) return undefined;
      const number = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((n) => (n.textContent || '').trim() === ${JSON.stringify(String(line))});
      if (!number) return undefined;
      const top = number.getBoundingClientRect().top + number.getBoundingClientRect().height / 2;
      const row = [...editor.querySelectorAll('.view-lines .view-line')].find((l) => { const r = l.getBoundingClientRect(); return r.top <= top && top <= r.bottom; });
      if (!row) return undefined;
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      const nodes = [];
      let all = '';
      for (let node = walker.nextNode(); node; node = walker.nextNode()) { nodes.push([node, all.length]); all += node.textContent || ''; }
      const at = all.replace(/\u00a0/g, ' ').indexOf(${JSON.stringify(text)});
      if (at < 0) return undefined;
      const locate = (offset) => { const found = nodes.filter(([, start]) => start <= offset).pop(); return [found[0], offset - found[1]]; };
      const range = document.createRange();
      const [startNode, startOffset] = locate(at);
      const [endNode, endOffset] = locate(at + ${text.length} - 1);
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, endOffset + 1);
      const box = range.getBoundingClientRect();
      return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    })()`;
    return until(`"${text}" on line ${line} of the active editor`, async () => (await this.page.evaluate(script)) as { x: number; y: number } | undefined);
  }

  /** Moves the mouse over `text` on line `line` of the active editor, as a user does to see its hover. */
  async hoverText(line: number, text: string): Promise<void> {
    const { x, y } = await this.editorTextPosition(line, text);
    await this.page.mouse.move(x, y);
  }

  /**
   * Moves the cursor of the focused editor to the end of line `line` with the keyboard (Ctrl+Home, Down, End), and
   * waits until the status bar shows it there.
   */
  async cursorToLineEnd(line: number): Promise<void> {
    await this.page.keyboard.press('Control+Home');
    for (let i = 1; i < line; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('End');
    await this.page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col \\d+`) }).first().waitFor();
  }

  /** The editor's hover widget while it is shown: the problems under the mouse, then what the extension says. */
  hoverWidget(): Locator {
    return this.page.locator('.monaco-editor .monaco-hover:not(.hidden)').first();
  }

  /** The light-bulb (Ctrl+.) menu of code actions while it is open. */
  codeActionMenu(): Locator {
    return this.page.locator('.action-widget');
  }

  /** The entry of the open light-bulb menu with this title. */
  codeAction(title: string): Locator {
    return this.codeActionMenu().locator('.monaco-list-row', { hasText: title }).first();
  }

  /**
   * Chooses an entry of the open light-bulb menu with the keyboard, as the menu blocks clicks until the mouse moves:
   * Down until the entry is the focused one, then Enter; waits for the menu to close.
   */
  async chooseCodeAction(title: string): Promise<void> {
    const entry = this.codeAction(title);
    await entry.waitFor();
    const rows = await this.codeActionMenu().locator('.monaco-list-row').count();
    for (let i = 0; i <= rows && !(await entry.evaluate((e) => e.classList.contains('focused'))); i++) await this.page.keyboard.press('ArrowDown');
    assert.ok(await entry.evaluate((e) => e.classList.contains('focused')), `could not select "${title}" in the light-bulb menu`);
    await this.page.keyboard.press('Enter');
    await this.codeActionMenu().waitFor({ state: 'hidden' });
  }

  /** The content of the active webview panel (webviews render in an iframe inside an iframe). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /** Saves a screenshot of the page to test-results/e2e/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const path = join(resultsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/**
 * Runs the extension-host suite of `npm run test:vscode` (test/e2e/vscode/suite.ts) in this code-server's extension
 * host, on a fresh copy of examples/go-app-404, and fails unless all its steps pass. The scenario is the
 * ROUTE_DOCTOR_SCENARIO the server was started with (extension hosts inherit code-server's environment). Reports
 * the suite's lines as test diagnostics.
 */
export async function assertExtensionHostSuite(t: TestContext, browser: Browser, server: CodeServer, scenario: string): Promise<void> {
  const suite = await bundleSuite();
  const folder = tempFolder({ example: 'go-app-404' });
  try {
    const { exitCode, output } = await Workbench.runExtensionTests(browser, server, folder, suite);
    for (const line of output.filter((l) => /^(not )?ok - |: \d+ passed, \d+ failed$/.test(l))) t.diagnostic(line);
    assert.equal(exitCode, 0, `the extension-host suite failed; the extension host printed:\n${output.join('\n')}`);
    assert.match(output.join('\n'), new RegExp(`^${scenario}: [1-9]\\d* passed, 0 failed$`, 'm'));
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(dirname(suite), { recursive: true, force: true });
  }
}

/**
 * Runs a test body and, when it fails, saves a screenshot of the workbench as it was then to
 * test-results/e2e/failed-<name>.png before passing the failure on.
 */
export async function screenshotOnFailure(name: string, workbench: () => Workbench | undefined, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    // A screenshot that cannot be taken (the page crashed) must not hide the test's own failure.
    await workbench()?.screenshot(`failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
    throw e;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
