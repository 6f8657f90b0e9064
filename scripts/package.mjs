// Builds the release .vsix: a production build, then `vsce package --no-dependencies` (the bundles already contain
// every dependency), then checks the archive, because a .vscodeignore mistake ships sources, tests or node_modules
// silently. Fails when the .vsix is over 3 MB or holds any file outside the allow-list below.
// Usage: npm run package
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsixName = `${manifest.name}-${manifest.version}.vsix`;
const vsixPath = join(root, vsixName);
const MAX_BYTES = 3 * 1024 * 1024;

// Every file the .vsix may hold. vsce adds the first two itself; `extension/` is the repository root.
const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/license(\.txt|\.md)?$/i,
  /^extension\/images\/icon\.png$/,
  /^extension\/syntaxes\/[^/]+\.tmLanguage\.json$/,
  /^extension\/client\/out\/extension\.js$/,
  /^extension\/server\/out\/(server|cli|readWorker|cluster)\.js$/,
];
// Files without which the extension does not work; their absence means the build or .vscodeignore is wrong.
const REQUIRED = [
  'extension/package.json',
  'extension/client/out/extension.js',
  'extension/server/out/server.js',
  'extension/server/out/cli.js',
  'extension/server/out/readWorker.js',
  'extension/server/out/cluster.js',
  'extension/syntaxes/traefik-rule.injection.tmLanguage.json',
  'extension/images/icon.png',
];

function run(label, args) {
  console.log(`\n> ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail(`${label} failed (exit ${result.status ?? result.signal})`);
}

function fail(message) {
  console.error(`\npackage: ${message}`);
  process.exit(1);
}

/** Names and uncompressed sizes of the entries of a zip file, read from its central directory. */
function zipEntries(path) {
  const zip = readFileSync(path);
  // The end-of-central-directory record is the last 22 bytes, unless a trailing comment (vsce writes none, but the
  // format allows up to 64 KiB) pushes it back; search backwards for its signature.
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) fail(`${vsixName} is not a zip file`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) fail(`${vsixName} has a damaged central directory`);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({ name: zip.toString('utf8', offset + 46, offset + 46 + nameLength), size });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const formatSize = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`);

run('node esbuild.mjs --production', ['esbuild.mjs', '--production']);

const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
run(`vsce package --no-dependencies --out ${vsixName}`, [vsce, 'package', '--no-dependencies', '--out', vsixPath]);

const entries = zipEntries(vsixPath);
console.log(`\n${vsixName} contains ${entries.length} files:`);
for (const e of entries) console.log(`  ${formatSize(e.size).padStart(10)}  ${e.name}`);
const bytes = statSync(vsixPath).size;
console.log(`\n${vsixName}: ${formatSize(bytes)} (${bytes} bytes; limit ${formatSize(MAX_BYTES)})`);

const problems = [];
if (bytes > MAX_BYTES) problems.push(`the .vsix is ${formatSize(bytes)}, over the ${formatSize(MAX_BYTES)} limit`);
for (const e of entries) if (!ALLOWED.some((re) => re.test(e.name))) problems.push(`not allowed in the .vsix: ${e.name}`);
for (const name of REQUIRED) if (!entries.some((e) => e.name === name)) problems.push(`missing from the .vsix: ${name}`);
if (problems.length > 0) fail(`the .vsix is not fit to ship:\n  ${problems.join('\n  ')}\nFix .vscodeignore (an allow-list) or the build.`);
console.log('package: OK');
