/** The exclude-glob matcher of the language server (it has no glob dependency, so its semantics are tested here). */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GlobSet, globToRegExp } from '../../server/src/lsp/glob';

function matches(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}

test('** matches any number of folders, including none', () => {
  assert.ok(matches('**/node_modules/**', 'node_modules/a.yaml'));
  assert.ok(matches('**/node_modules/**', 'x/y/node_modules/z/a.yaml'));
  assert.ok(!matches('**/node_modules/**', 'my_node_modules/a.yaml'));
  assert.ok(matches('**/*.yaml', 'a.yaml'));
  assert.ok(matches('**/*.yaml', 'a/b/c.yaml'));
  assert.ok(matches('**', 'anything/at/all'));
  assert.ok(matches('charts/**', 'charts/x/templates/a.yaml'));
  assert.ok(!matches('charts/**', 'other/charts/a.yaml'));
});

test('* and ? stay within one path segment', () => {
  assert.ok(matches('*.yaml', 'a.yaml'));
  assert.ok(!matches('*.yaml', 'dir/a.yaml'));
  assert.ok(matches('**/charts/*.tgz', 'deploy/charts/app-1.0.tgz'));
  assert.ok(!matches('**/charts/*.tgz', 'deploy/charts/sub/app.tgz'));
  assert.ok(matches('a?.yml', 'ab.yml'));
  assert.ok(!matches('a?.yml', 'a/.yml'));
  assert.ok(matches('a**b', 'axxb'), 'a ** inside a segment is a plain *');
  assert.ok(!matches('a**b', 'a/b'));
});

test('alternatives, character classes and literal characters', () => {
  assert.ok(matches('**/*.{yaml,yml}', 'a/b.yml'));
  assert.ok(matches('**/*.{yaml,yml}', 'b.yaml'));
  assert.ok(!matches('**/*.{yaml,yml}', 'b.json'));
  assert.ok(matches('{a,{b,c}}/x', 'c/x'));
  assert.ok(matches('v[0-9].yaml', 'v1.yaml'));
  assert.ok(!matches('v[!0-9].yaml', 'v1.yaml'));
  assert.ok(matches('v[!0-9].yaml', 'vx.yaml'));
  assert.ok(!matches('v[!0-9].yaml', 'v/.yaml'), 'a negated class never matches the separator');
  assert.ok(matches('a+b(c).yaml', 'a+b(c).yaml'), 'regular-expression characters are literal');
  assert.ok(!matches('a.yaml', 'aXyaml'));
  assert.ok(matches('[unclosed', '[unclosed'));
  assert.ok(matches('{unclosed', '{unclosed'));
});

test('patterns are normalised: leading ./, backslashes and surrounding space', () => {
  assert.ok(matches('./generated/*.yaml', 'generated/a.yaml'));
  assert.ok(matches('generated\\*.yaml', 'generated/a.yaml'));
  assert.ok(matches('  *.yaml ', 'a.yaml'));
});

test('a GlobSet excludes a folder only when every path inside it is excluded', () => {
  const set = new GlobSet(['**/node_modules/**', 'build/**', '**/*.generated.yaml', '']);
  assert.ok(set.matchesFolder('node_modules'));
  assert.ok(set.matchesFolder('a/node_modules'));
  assert.ok(set.matchesFolder('build'));
  assert.ok(!set.matchesFolder('src'));
  assert.ok(!set.matchesFolder('src/build'));
  assert.ok(set.matchesFile('src/x.generated.yaml'));
  assert.ok(!set.matchesFile('src/x.yaml'), 'an empty pattern matches nothing');
  assert.ok(new GlobSet(['**']).matchesFolder('anything'));
  assert.ok(!new GlobSet([]).matchesFile('a.yaml'));
});
