/** `--unverified-as-errors`: references only a source outside the workspace could satisfy fail the check. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../server/src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'route-doctor-cli-unverified-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The route's Service is not in the workspace (another Service of its namespace is), but the Helm release in that
// namespace could create it.
writeFileSync(join(dir, 'release.yaml'), 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: grafana\n  namespace: monitoring\nspec:\n  chart:\n    spec:\n      chart: grafana\n');
writeFileSync(join(dir, 'route.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: loki\n  namespace: monitoring\nspec:\n  type: ExternalName\n  externalName: loki.lan\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: grafana\n  namespace: monitoring\nspec:\n  routes:\n    - match: Host(`grafana`)\n      services:\n        - name: grafana\n          port: 80\n');

interface JsonReport {
  diagnostics: { code: string; severity: string }[];
}

test('without the flag an unverified reference is information and the check passes', async () => {
  const r = await runCli(['check', '--format', 'json', dir]);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(report.diagnostics.map((d) => [d.code, d.severity]), [['reference-unverified', 'information']]);
});

test('with --unverified-as-errors it is an error and the check fails', async () => {
  const r = await runCli(['check', '--unverified-as-errors', '--format', 'json', dir]);
  assert.equal(r.exitCode, 1, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(report.diagnostics.map((d) => [d.code, d.severity]), [['reference-unverified', 'error']]);
});

test('the usage lists the flag', async () => {
  const r = await runCli(['--help']);
  assert.match(r.stdout, /--unverified-as-errors/);
});
