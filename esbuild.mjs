// Builds one bundle per process — the extension client, the language server and the CLI — plus two that those load
// at run time: the CLI's read-worker script, and the live-cluster reader with @kubernetes/client-node, which only a
// live diagnosis needs and which the CLI and the server load from server/out/cluster.js when it runs
// (server/src/cluster/load.ts).
// `node esbuild.mjs --production` minifies and drops source maps (used for packaging).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');

/**
 * Tells esbuild that importing the `yaml` package has no side effects (its package.json does not say so), so that a
 * bundle that never parses YAML drops it: the read workers pre-scan files through parseFile.ts, whose module also
 * holds the full parser, and each worker otherwise compiled and ran all of `yaml` when it started.
 */
function yamlWithoutSideEffects() {
  return {
    name: 'yaml-without-side-effects',
    setup(build) {
      build.onResolve({ filter: /^yaml$/ }, async ({ path, kind, resolveDir, pluginData }) => {
        if (pluginData === yamlWithoutSideEffects) return undefined;
        const resolved = await build.resolve(path, { kind, resolveDir, pluginData: yamlWithoutSideEffects });
        return resolved.errors.length > 0 ? resolved : { path: resolved.path, sideEffects: false };
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  metafile: true,
  plugins: [yamlWithoutSideEffects()],
};

/** The bundles every start compiles: the cluster code must stay out of them, or each start pays for it again. */
const startBundles = ['server/out/server.js', 'server/out/cli.js', 'server/out/readWorker.js'];

const results = await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'server/out/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'server/out/cli.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/readWorker.ts'], outfile: 'server/out/readWorker.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cluster/snapshot.ts'], outfile: 'server/out/cluster.js' }),
]);

for (const { metafile } of results) {
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (!startBundles.includes(output)) continue;
    const clusterInputs = Object.keys(inputs).filter((input) => input.includes('node_modules/@kubernetes/client-node/') || input.startsWith('server/src/cluster/snapshot.ts'));
    if (clusterInputs.length > 0) throw new Error(`${output} holds live-cluster code, which belongs in server/out/cluster.js only: ${clusterInputs.slice(0, 3).join(', ')}`);
  }
}
