/**
 * Property test: wherever the fast reader does not give up, it must produce exactly the tree the `yaml` package
 * produces (values, styles, keys and offsets), and it must never accept a document the `yaml` package rejects.
 * Documents are generated from a seeded PRNG, so a failure always reproduces; the failing text is in the message.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { YNode } from '../../server/src/core/model';
import { fastParseDocument } from '../../server/src/core/parse/fastYaml';
import { fullParseDocument } from '../../server/src/core/parse/fullYaml';
import { splitDocuments } from '../../server/src/core/parse/parseFile';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything a check could read from a tree: values, scalar styles, keys, and the offsets of keys and scalars. */
function shape(n: YNode | null | undefined): unknown {
  if (!n) return n;
  if (n.type === 'scalar') return n.value === null ? ['null', n.style] : [n.value, n.style, n.span.start, n.span.end];
  if (n.type === 'seq') return ['seq', n.flow, n.items.map(shape)];
  return ['map', n.flow, n.pairs.map((p) => [p.key, p.keySpan.start, p.keySpan.end, shape(p.value)])];
}

class Generator {
  constructor(private readonly rand: () => number) {}

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  key(): string {
    return this.pick([
      'name', 'namespace', 'app', 'port', 'targetPort', 'labels', 'spec', 'match', 'kind', 'services', 'x-y', 'a.b/c',
      'app.kubernetes.io/name', '"quoted key"', "'single key'", '"k: v"', 'on', 'yes', '1', 'null', 'key with spaces',
    ]);
  }

  /** A scalar that fits on one line after "key: " or "- ". */
  scalar(): string {
    return this.pick([
      () => this.pick(['web', 'go-app', 'traefik.io/v1alpha1', 'Host(`a.com`) && PathPrefix(`/x`)', 'http://a:80/p', 'a:b', 'a#b', 'foo bar', '-x', '.x', '~']),
      () => String(Math.floor(this.rand() * 100000) - 50),
      () => this.pick(['0', '-0', '+12', '0x1F', '0o17', '1.5', '-2.5e3', '.5', '1e5', '1_000', '012', '0.', '1.2.3', '.inf', '-.Inf', '.nan']),
      () => this.pick(['true', 'false', 'True', 'FALSE', 'yes', 'no', 'on', 'off', 'null', 'Null', '~', 'y', 'n']),
      () => `"${this.pick(['', 'plain', 'with \\"escape\\"', 'tab\\there', 'new\\nline', 'uni \\u00e9 \\x41', 'a: b', '# no comment', "it's"])}"`,
      () => `'${this.pick(['', 'plain', "it''s", 'a: b', 'back\\slash', '"dq"', '# x'])}'`,
      () => `[${Array.from({ length: Math.floor(this.rand() * 4) }, () => this.pick(['a', '1', '"q"', "'s'", 'true', 'x y', '{k: v}', '[]', '{}'])).join(', ')}]`,
      () => `{${Array.from({ length: Math.floor(this.rand() * 3) }, (_, i) => `k${i}: ${this.pick(['v', '1', '"q"', '[a, b]', 'null'])}`).join(', ')}}`,
    ])();
  }

  comment(): string {
    return this.chance(0.15) ? ` # ${this.pick(['note', 'a: b', '- x', ''])}` : '';
  }

  blockScalar(indent: number): string[] {
    const header = this.pick(['|', '|-', '|+', '>', '>-', '>+']);
    const pad = ' '.repeat(indent + 2);
    const lines: string[] = [header + (this.chance(0.2) ? ' # c' : '')];
    const count = 1 + Math.floor(this.rand() * 4);
    for (let i = 0; i < count; i++) {
      if (this.chance(0.2)) lines.push('');
      lines.push(pad + (header.startsWith('|') && this.chance(0.2) ? '  ' : '') + this.pick(['line one', 'key: value', '# not a comment', 'x', '{ "json": true }']));
    }
    if (this.chance(0.3)) lines.push('');
    return lines;
  }

  /** Lines of a block mapping at `indent`. */
  mapping(indent: number, depth: number): string[] {
    const pad = ' '.repeat(indent);
    const out: string[] = [];
    const used = new Set<string>();
    const count = 1 + Math.floor(this.rand() * 5);
    for (let i = 0; i < count; i++) {
      let key = this.key();
      if (used.has(key)) key = `k${i}`;
      used.add(key);
      if (this.chance(0.1)) out.push(`${pad}# comment line`);
      if (this.chance(0.08)) out.push('');
      const r = this.rand();
      if (depth < 4 && r < 0.25) {
        out.push(`${pad}${key}:${this.comment()}`, ...this.mapping(indent + this.pick([2, 4]), depth + 1));
      } else if (depth < 4 && r < 0.45) {
        // Sequences under a key are written both indented and at the key's own column, as kubectl does.
        out.push(`${pad}${key}:`, ...this.sequence(indent + this.pick([0, 2]), depth + 1));
      } else if (r < 0.52) {
        out.push(`${pad}${key}: ${this.blockScalar(indent).join('\n')}`);
      } else if (r < 0.56) {
        out.push(`${pad}${key}:${this.comment()}`);
      } else {
        out.push(`${pad}${key}: ${this.scalar()}${this.comment()}`);
      }
    }
    return out;
  }

  /** Lines of a block sequence whose dashes are at `indent`. */
  sequence(indent: number, depth: number): string[] {
    const pad = ' '.repeat(indent);
    const out: string[] = [];
    const count = 1 + Math.floor(this.rand() * 4);
    for (let i = 0; i < count; i++) {
      const r = this.rand();
      if (depth < 4 && r < 0.4) {
        // "- key: value" followed by the rest of the mapping at the column after the dash.
        const [first, ...rest] = this.mapping(indent + 2, depth + 1);
        out.push(`${pad}- ${first!.trimStart()}`, ...rest);
      } else if (depth < 4 && r < 0.5) {
        out.push(`${pad}-`, ...this.mapping(indent + 2, depth + 1));
      } else if (depth < 4 && r < 0.55) {
        const [first, ...rest] = this.sequence(indent + 2, depth + 1);
        out.push(`${pad}- ${first!.trimStart()}`, ...rest);
      } else if (r < 0.6) {
        out.push(`${pad}-${this.comment()}`);
      } else {
        out.push(`${pad}- ${this.scalar()}${this.comment()}`);
      }
    }
    return out;
  }

  document(): string {
    const lines = ['apiVersion: v1', 'kind: Service', ...this.mapping(0, 0)];
    const eol = this.chance(0.15) ? '\r\n' : '\n';
    return lines.join(eol) + (this.chance(0.9) ? eol : '');
  }
}

test('the fast reader agrees with the yaml package on random manifest-shaped documents', () => {
  const gen = new Generator(prng(20240611));
  let compared = 0;
  let bailed = 0;
  const total = 3000;
  for (let i = 0; i < total; i++) {
    // Several documents per stream, so offsets inside later documents are compared too.
    const text = [gen.document(), gen.document()].join('---\n');
    for (const span of splitDocuments(text)) {
      const fast = fastParseDocument(text, span.start, span.end);
      if (fast === undefined) {
        bailed++;
        continue;
      }
      const full = fullParseDocument(text, span.start, span.end);
      assert.deepEqual(full.errors, [], `the fast reader accepted a document the yaml package rejects:\n${text.slice(span.start, span.end)}`);
      assert.deepEqual(shape(fast), shape(full.node), `trees differ for:\n${text.slice(span.start, span.end)}`);
      compared++;
    }
  }
  // The generator writes what manifests look like, so the fast path must handle most of it.
  assert.ok(compared > bailed, `the fast reader gave up on ${bailed} documents and read only ${compared}`);
});
