/**
 * Bundles the extension-host suite (suite.ts) into one CommonJS file: VS Code loads extension tests with require()
 * in its extension host, where neither TypeScript nor tsx is available. Used by run.ts for desktop VS Code and by
 * the code-server tests, which run the same suite in code-server's extension host.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../example';

/** Writes the bundle to a new temporary folder and returns its path. */
export async function bundleSuite(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'route-doctor-suite-')), 'suite.js');
  await build({
    entryPoints: [join(repoRoot, 'test', 'e2e', 'vscode', 'suite.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
