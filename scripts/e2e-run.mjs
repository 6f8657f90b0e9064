// Runs the end-to-end tests (test/e2e/*.test.ts) against the packaged extension: packages the .vsix once with
// `npm run package`, rebuilds the development bundles that packaging replaced (the tests install the .vsix, and the
// extension-host suite loads this checkout), then runs the test files one after another: each starts its own
// code-server and Chromium, and two at once would starve a 2-core machine. The test runner's summary comes last.
// Needs scripts/e2e-setup.sh to have run (`npm run test:e2e` runs both).
// Usage: node scripts/e2e-run.mjs [--update-images] [test files…]
//   --update-images  copies the screenshots the README shows from test-results/e2e/ to docs/images/ after a green run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const updateImages = args.includes('--update-images');
const files = args.filter((a) => a !== '--update-images');
const testFiles = files.length > 0 ? files : readdirSync(join(root, 'test', 'e2e')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', 'e2e', f));

// The README's screenshots: which test screenshot becomes which image.
const README_IMAGES = {
  '02-ingressroute-squiggles.png': 'squiggles.png',
  '03-problems-panel.png': 'problems-panel.png',
  'hover.png': 'hover.png',
  'quick-fix.png': 'quick-fix.png',
  'live-report-vscode.png': 'live-report-vscode.png',
};

function run(label, command, commandArgs) {
  console.log(`\n> ${label}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  const status = result.status ?? 1;
  console.log(`e2e-run: ${label}: ${status === 0 ? 'ok' : `exit ${result.status ?? result.signal}`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return status;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `${manifest.name}-${manifest.version}.vsix`);
if (run('npm run package', 'npm', ['run', 'package', '--silent']) !== 0) process.exit(1);
if (run('npm run build (development bundles again)', 'npm', ['run', 'build', '--silent']) !== 0) process.exit(1);

// Screenshots left by an earlier run must not pass for this run's, in test-results/ or in docs/images/.
rmSync(join(root, 'test-results', 'e2e'), { recursive: true, force: true });
// Only --update-images prints after the test runner, so that the runner's summary closes the output.
console.log(`\n> node --test ${testFiles.join(' ')}`);
const tests = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ROUTE_DOCTOR_VSIX: vsix },
});
const status = tests.status ?? 1;

if (updateImages && status === 0) {
  mkdirSync(join(root, 'docs', 'images'), { recursive: true });
  for (const [from, to] of Object.entries(README_IMAGES)) {
    copyFileSync(join(root, 'test-results', 'e2e', from), join(root, 'docs', 'images', to));
    console.log(`e2e-run: docs/images/${to} updated from test-results/e2e/${from}`);
  }
}
process.exit(status);
