/** The README is part of the product: its rule table and settings table must list what the code really has. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleCatalog } from '../../server/src/core/rules/catalog';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

test('the README rule table lists every diagnostic code with its default severity', () => {
  for (const rule of ruleCatalog.values()) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${rule.code}\` |`));
    assert.ok(row, `README has no row for ${rule.code}`);
    assert.ok(row.includes(`| ${rule.severity} |`), `README row for ${rule.code} does not say ${rule.severity}`);
  }
});

test('the README settings table lists every contributed setting', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] };
  };
  const sections = Array.isArray(manifest.contributes.configuration) ? manifest.contributes.configuration : [manifest.contributes.configuration];
  for (const section of sections) {
    for (const key of Object.keys(section.properties)) assert.ok(readme.includes(`| \`${key}\` |`), `README does not document ${key}`);
  }
});

test('every command in the README table is contributed, and every contributed palette command is in the table', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string; title: string; category?: string }[]; menus?: { commandPalette?: { command: string; when?: string }[] } };
  };
  const hidden = new Set((manifest.contributes.menus?.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
  for (const c of manifest.contributes.commands) {
    if (hidden.has(c.command)) continue;
    assert.equal(c.category, 'Route Doctor', `${c.command} has no Route Doctor category`);
    assert.ok(readme.includes(`| Route Doctor: ${c.title} |`), `README does not list the command "${c.title}"`);
  }
  const titles = new Set(manifest.contributes.commands.map((c) => c.title));
  for (const m of readme.matchAll(/^\| Route Doctor: ([^|]+?) \|/gm)) assert.ok(titles.has(m[1]!), `README lists "${m[1]}", which is not a contributed command`);
});
