/**
 * The seed scenario shared by the cluster tests: the README's example (examples/go-app-404) applied to a cluster
 * as it is, plus what such a cluster runs besides it (test/cluster/fixtures/go-app-cluster.yaml: the go-app Pods,
 * labelled version v1.2, and Traefik v3 with its log).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAnalysisOptions } from '../../server/src/core/model';
import { analyzeSources, type WorkspaceResult } from '../../server/src/core/workspace';
import { FakeApiServer, type FakeApiServerOptions } from './fakeApiServer';

export const root = join(__dirname, '..', '..');
export const exampleDir = join(root, 'examples', 'go-app-404');
const fixtures = join(__dirname, 'fixtures');

export const traefikPod = 'traefik-6f9c8d7b5-xk2lm';

export function exampleFiles(): { file: string; text: string }[] {
  return readdirSync(exampleDir).sort().map((f) => ({ file: join(exampleDir, f), text: readFileSync(join(exampleDir, f), 'utf8') }));
}

export function exampleWorkspace(): WorkspaceResult {
  return analyzeSources(exampleFiles(), makeAnalysisOptions());
}

export function seedYaml(extra = ''): string {
  return [...exampleFiles().map((f) => f.text), readFileSync(join(fixtures, 'go-app-cluster.yaml'), 'utf8'), extra].join('\n---\n');
}

export function traefikLog(): string {
  return readFileSync(join(fixtures, 'traefik.log'), 'utf8');
}

export async function startScenario(options: Partial<FakeApiServerOptions> = {}): Promise<FakeApiServer> {
  return FakeApiServer.start({ seed: seedYaml(), logs: { [`traefik/${traefikPod}`]: traefikLog() }, ...options });
}

/** A temporary folder removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'route-doctor-cluster-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
