// Runs every test file with Node's test runner (TypeScript through tsx). Usage: node test/run.mjs [dir…]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test/unit', 'test/cli', 'test/grammar', 'test/conformance', 'test/cluster', 'test/lsp'];
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) { if (e !== 'fixtures') walk(p); }
    else if (e.endsWith('.test.ts')) files.push(p);
  }
}
dirs.forEach(walk);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
