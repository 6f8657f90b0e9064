/**
 * The settings contract: what the server makes of whatever the client sends, and the `contributes.configuration` of
 * package.json, which must declare exactly the settings of RouteDoctorSettings with the same defaults.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { changesFileSet, explicitTraefikOptions, normalizeSettings, readSettings, sameSettings, toAnalysisOptions } from '../../server/src/lsp/settings';
import { clusterSettingsSection, commands, defaultClusterSettings, defaultSettings, explicitSettingsField, settingKeys } from '../../server/src/protocol';

interface PackageJson {
  activationEvents: string[];
  contributes: {
    configuration: { title: string; properties: Record<string, { type: unknown; default: unknown; description?: string; enum?: unknown[] }> };
    commands: { command: string; title: string; category: string }[];
  };
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as PackageJson;

/** {traefik: {version: 'v3'}, exclude: [...]} → {'routeDoctor.traefik.version': 'v3', 'routeDoctor.exclude': [...]} */
function flatten(value: Record<string, unknown>, prefix: string, out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    // Objects whose keys are user data (severity) are one setting, not a group of settings.
    if (key !== 'severity' && typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = v;
  }
  return out;
}

test('package.json declares every setting of RouteDoctorSettings, with its default, a type and a description', () => {
  const properties = pkg.contributes.configuration.properties;
  const expected = flatten(defaultSettings as unknown as Record<string, unknown>, 'routeDoctor.');
  // The live-cluster settings are read by the client, which passes them in its requests.
  flatten(defaultClusterSettings as unknown as Record<string, unknown>, `${clusterSettingsSection}.`, expected);
  // The trace setting is read by the language client, not by the server.
  assert.deepEqual(Object.keys(properties).filter((k) => k !== 'routeDoctor.trace.server').sort(), Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    const p = properties[key]!;
    assert.deepEqual(p.default, value, `default of ${key}`);
    assert.ok(p.type !== undefined, `type of ${key}`);
    assert.ok(p.description && p.description.length > 20, `description of ${key}`);
  }
  assert.deepEqual(properties['routeDoctor.trace.server']?.enum, ['off', 'messages', 'verbose']);
  assert.equal(pkg.contributes.configuration.title, 'Route Doctor');
});

test('package.json declares the commands of protocol.ts and activates on YAML only', () => {
  assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), Object.values(commands).sort());
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'Route Doctor');
  assert.ok(!pkg.activationEvents.includes('*'));
  assert.ok(pkg.activationEvents.every((e) => e === 'onLanguage:yaml' || (e.startsWith('workspaceContains:') && /ya?ml/.test(e))));
});

test('normalizeSettings keeps valid values and replaces invalid ones by their defaults', () => {
  assert.deepEqual(normalizeSettings(undefined), defaultSettings);
  assert.deepEqual(normalizeSettings('nonsense'), defaultSettings);
  const s = normalizeSettings({
    traefik: { version: 'v2', allowCrossNamespace: true, namespaces: ['a', 1, 'b'], ingressClass: 7, crossProviderNamespaces: [] },
    severity: { 'service-not-found': 'warning', 'yaml-unparsed': 'off', 'rule-syntax': 'fatal', 'rule-empty': 3 },
    exclude: ['gen/**', null],
    maxFileSize: 10,
  });
  assert.equal(s.traefik.version, 'v2');
  assert.equal(s.traefik.allowCrossNamespace, true);
  assert.deepEqual(s.traefik.namespaces, ['a', 'b']);
  assert.equal(s.traefik.ingressClass, '');
  assert.deepEqual(s.traefik.crossProviderNamespaces, []);
  assert.deepEqual(s.severity, { 'service-not-found': 'warning', 'yaml-unparsed': 'off' });
  assert.deepEqual(s.exclude, ['gen/**']);
  assert.equal(s.maxFileSize, 10);
  const bad = normalizeSettings({ traefik: { version: 'v4', crossProviderNamespaces: 'x' }, maxFileSize: -5, exclude: 'x' });
  assert.equal(bad.traefik.version, 'v3');
  assert.equal(bad.traefik.crossProviderNamespaces, null);
  assert.equal(bad.maxFileSize, defaultSettings.maxFileSize);
  assert.deepEqual(bad.exclude, defaultSettings.exclude);
});

test('toAnalysisOptions maps the "all" forms of the settings to the core\'s undefined', () => {
  const all = toAnalysisOptions(defaultSettings);
  assert.equal(all.traefik.namespaces, undefined);
  assert.equal(all.traefik.crossProviderNamespaces, undefined);
  const some = toAnalysisOptions(normalizeSettings({ traefik: { namespaces: ['web'], crossProviderNamespaces: [] }, severity: { x: 'hint' } }));
  assert.deepEqual(some.traefik.namespaces, ['web']);
  assert.deepEqual(some.traefik.crossProviderNamespaces, []);
  assert.deepEqual(some.severityOverrides, { x: 'hint' });
});

test('only exclude and maxFileSize changes require reading the workspace again', () => {
  const base = normalizeSettings({});
  assert.ok(sameSettings(base, normalizeSettings({})));
  assert.ok(!changesFileSet(base, normalizeSettings({ traefik: { version: 'v2' }, severity: { a: 'off' } })));
  assert.ok(changesFileSet(base, normalizeSettings({ exclude: [] })));
  assert.ok(changesFileSet(base, normalizeSettings({ maxFileSize: 5 })));
});

test('the Traefik options the user set: listed by the client, or else present in the section', () => {
  // The VS Code client sends every value merged with its default, and lists the keys the user set.
  const merged = { traefik: { ...defaultSettings.traefik }, [explicitSettingsField]: ['traefik.allowCrossNamespace', 'traefik.bogus', 'severity', 3] };
  assert.deepEqual(explicitTraefikOptions(merged), ['allowCrossNamespace']);
  assert.deepEqual(explicitTraefikOptions({ ...merged, [explicitSettingsField]: [] }), []);
  // Other clients send what the user set.
  assert.deepEqual(explicitTraefikOptions({ traefik: { version: 'v2', namespaces: [] } }), ['version', 'namespaces']);
  assert.deepEqual(explicitTraefikOptions(undefined), []);
  const read = readSettings(merged);
  assert.deepEqual(read.settings, defaultSettings);
  assert.deepEqual(toAnalysisOptions(read.settings, read.explicitTraefik).explicitTraefik, ['allowCrossNamespace']);
  // Without the list, every option counts as set (nothing is taken from the repository).
  assert.equal(toAnalysisOptions(read.settings).explicitTraefik?.length, Object.keys(defaultSettings.traefik).length);
  assert.ok(!sameSettings(read, readSettings({ ...merged, [explicitSettingsField]: [] })), 'setting an option to its default is a change');
});

test('unverifiedAsErrors is a boolean setting passed to the analysis', () => {
  assert.equal(normalizeSettings({ unverifiedAsErrors: true }).unverifiedAsErrors, true);
  assert.equal(normalizeSettings({ unverifiedAsErrors: 'yes' }).unverifiedAsErrors, false);
  assert.equal(toAnalysisOptions(normalizeSettings({ unverifiedAsErrors: true })).unverifiedAsErrors, true);
  assert.equal(toAnalysisOptions(defaultSettings).unverifiedAsErrors, false);
});

test('settingKeys names every setting of the section once, as the client inspects them', () => {
  const keys = settingKeys();
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(keys.includes('traefik.allowCrossNamespace') && keys.includes('severity') && keys.includes('unverifiedAsErrors'));
  const declared = Object.keys(pkg.contributes.configuration.properties).filter((k) => !k.startsWith(`${clusterSettingsSection}.`) && k !== 'routeDoctor.trace.server');
  assert.deepEqual(keys.map((k) => `routeDoctor.${k}`).sort(), declared.sort());
});
