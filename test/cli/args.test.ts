/** Argument parsing, checked on the parsed options themselves (the child-process tests see only their effects). */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseArgs, type CliOptions } from '../../server/src/cli/main';

function options(...argv: string[]): CliOptions {
  const parsed = parseArgs(['check', ...argv]);
  assert.notEqual(parsed, 'help');
  return parsed as CliOptions;
}

test('an empty --cross-provider-namespaces allows no namespace, and absence leaves it unrestricted', () => {
  assert.deepEqual(options('--cross-provider-namespaces', '').traefik.crossProviderNamespaces, []);
  assert.deepEqual(options('--cross-provider-namespaces=').traefik.crossProviderNamespaces, []);
  assert.deepEqual(options('--cross-provider-namespaces', ' a, b ,').traefik.crossProviderNamespaces, ['a', 'b']);
  assert.equal(options().traefik.crossProviderNamespaces, undefined);
});

test('every flag maps to its Traefik option', () => {
  const o = options('dir', '--traefik', 'v2', '--allow-cross-namespace', '--allow-external-name-services', '--allow-empty-services',
    '--namespaces', 'a,b', '--ingress-class', 'internal', '--native-lb-by-default', '--disable-cluster-scope-resources', '--format=sarif', 'other');
  assert.deepEqual(o, {
    paths: ['dir', 'other'],
    format: 'sarif',
    traefik: {
      version: 'v2', allowCrossNamespace: true, allowExternalNameServices: true, allowEmptyServices: true, namespaces: ['a', 'b'],
      ingressClass: 'internal', nativeLBByDefault: true, disableClusterScopeResources: true,
    },
  });
});

test('an empty --namespaces watches every namespace; the default path is the current folder; -- ends options', () => {
  assert.equal(options('--namespaces', '').traefik.namespaces, undefined);
  assert.deepEqual(options().paths, ['.']);
  assert.deepEqual(options('--', '--odd-name.yaml').paths, ['--odd-name.yaml']);
});

test('--unverified-as-errors is a flag without a value, absent by default', () => {
  assert.equal(options('--unverified-as-errors').unverifiedAsErrors, true);
  assert.equal(options().unverifiedAsErrors, undefined);
  assert.throws(() => options('--unverified-as-errors=yes'), /--unverified-as-errors takes no value/);
});
