/**
 * `npm run test:vscode`: the end-to-end scenarios in desktop VS Code, for machines that can download it (CI here
 * cannot, and uses the code-server tests instead; see test/e2e/README.md). Downloads VS Code with
 * @vscode/test-electron (VSCODE_VERSION, default stable, cached in .cache/vscode-test/), bundles suite.ts, and starts
 * VS Code once per scenario on a fresh copy of examples/go-app-404 with the extension loaded from this checkout
 * (`npm run build` first). On Linux without a display, run it under `xvfb-run -a`.
 *
 * VS Code is spawned here rather than through runTests(), because runTests() always passes
 * --disable-workspace-trust, and the untrusted scenario needs workspace trust on.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { downloadAndUnzipVSCode } from '@vscode/test-electron';
import { repoRoot, tempFolder } from '../example';
import { bundleSuite } from './bundle';

const cacheDir = join(repoRoot, '.cache', 'vscode-test');

interface Scenario {
  name: 'trusted' | 'untrusted';
  settings: Record<string, unknown>;
  args: string[];
}

const scenarios: Scenario[] = [
  { name: 'trusted', settings: {}, args: ['--disable-workspace-trust'] },
  // Trust on, and no prompt: the folder opens in Restricted Mode, as after answering the prompt with "No".
  { name: 'untrusted', settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }, args: [] },
];

/** Starts VS Code on a fresh copy of the example for one scenario and returns its exit code. */
async function runScenario(executable: string, suite: string, scenario: Scenario): Promise<number> {
  const folder = tempFolder({ example: 'go-app-404' });
  const profile = mkdtempSync(join(tmpdir(), 'route-doctor-vscode-test-'));
  const userDataDir = join(profile, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', ...scenario.settings }, null, 2));
  const args = [
    folder,
    '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes',
    // Other extensions installed on the machine must not change what the tests see; the one under development loads.
    '--disable-extensions',
    '--user-data-dir', userDataDir, '--extensions-dir', join(profile, 'extensions'),
    `--extensionDevelopmentPath=${repoRoot}`, `--extensionTestsPath=${suite}`,
    ...scenario.args,
  ];
  console.log(`\n> VS Code, scenario ${scenario.name}`);
  try {
    const child = spawn(executable, args, {
      stdio: 'inherit',
      env: { ...process.env, ROUTE_DOCTOR_SCENARIO: scenario.name, ROUTE_DOCTOR_NODE: process.execPath },
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    return code ?? (signal ? 1 : 0);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const suite = await bundleSuite();
  try {
    const executable = await downloadAndUnzipVSCode({ version: process.env.VSCODE_VERSION ?? 'stable', cachePath: cacheDir });
    let failed = 0;
    for (const scenario of scenarios) if ((await runScenario(executable, suite, scenario)) !== 0) failed++;
    console.log(`\nVS Code scenarios: ${scenarios.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    rmSync(dirname(suite), { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
