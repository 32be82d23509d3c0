import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywordIndex } from '../../src/detect/keywords.js';
import { BLOCK, CHAINS, WasmWalk, walkModuleBytes } from '../../src/detect/walk-wasm.js';
import { seededRng } from '../../src/rules/template.js';
import { spawnSync } from 'node:child_process';
import { ANTHROPIC, CLI, tempDir, writeFiles } from '../helpers.js';

function naive(keywords: string[], text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  keywords.forEach((k, id) => {
    for (let i = lower.indexOf(k); i >= 0; i = lower.indexOf(k, i + 1)) out.push(`${id}@${i}`);
  });
  return out.sort();
}

describe('keyword prefilter', () => {
  it('finds every occurrence, overlapping and case-insensitive, like a naive search', () => {
    const keywords = ['sk-ant-', 'ant', 'an', 'token', 'ok', 'xoxb-', 'aaa', 'a'];
    const index = KeywordIndex.build(keywords);
    const rng = seededRng('kw');
    const alphabet = 'sSkK-aAnNtToOeExXbB \n';
    for (let round = 0; round < 50; round++) {
      let text = '';
      for (let i = 0; i < 400; i++) text += alphabet[Math.floor(rng() * alphabet.length)];
      text += 'SK-ANT-token aaaa xoxb-';
      const got: string[] = [];
      index.scan(text, (id, start) => got.push(`${id}@${start}`));
      assert.deepEqual(got.sort(), naive(keywords, text));
    }
  });

  it('resets on non-ASCII characters without losing later hits', () => {
    const index = KeywordIndex.build(['token']);
    const hits: number[] = [];
    index.scan('tok\u00e9n token\u2028token', (_id, s) => hits.push(s));
    assert.deepEqual(hits, [6, 12]);
  });

  it('walks large byte buffers in parts and still reports each occurrence once, wherever it falls', () => {
    const keywords = ['sk-ant-api03-', 'token', 'ok', 'k', 'xoxb-', 'aaaa'];
    const index = KeywordIndex.build(keywords);
    const rng = seededRng('kw-split');
    const alphabet = 'sSkK-aAnNtToOxXbB03pi_ \n\u00e9';
    for (const size of [4095, 4096, 4097, 9000, 65_537]) {
      // Random text, then a keyword planted at every offset around the middle in turn.
      let base = '';
      for (let i = 0; i < size; i++) base += alphabet[Math.floor(rng() * alphabet.length)];
      const mid = size >> 1;
      for (let at = mid - 24; at <= mid + 8; at++) {
        const text = base.slice(0, at) + 'SK-ANT-API03-' + base.slice(at + 13);
        const bytes = Buffer.from(text, 'latin1');
        const got: string[] = [];
        index.scanBytes(bytes, (id, start) => got.push(`${id}@${start}`));
        assert.deepEqual(got.sort(), naive(keywords, text), `size ${size}, planted at ${at}`);
        assert.ok(got.includes(`0@${at}`));
      }
    }
  });

  it('walks bytes and strings alike, bytes above 127 resetting the walk', () => {
    const index = KeywordIndex.build(['token', 'ghp_']);
    const text = 'x'.repeat(5000) + 'tok\u00e9n TOKEN ghp_ g\u00ffhp_ ' + 'y'.repeat(5000) + 'token';
    const fromBytes: number[] = [];
    const fromText: number[] = [];
    index.scanBytes(Buffer.from(text, 'latin1'), (_id, s) => fromBytes.push(s));
    index.scan(text, (_id, s) => fromText.push(s));
    // Hits come in no promised order (both walks split long input into chains).
    fromText.sort((a, b) => a - b);
    assert.deepEqual(fromBytes.sort((a, b) => a - b), fromText);
    assert.deepEqual(fromText, [5006, 5012, text.length - 5]);
  });

  it('walks raw bytes in WebAssembly with the same hits as the JavaScript walk and a naive search', () => {
    const { validate } = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
    assert.ok(validate(walkModuleBytes()), 'the hand-written module is valid WebAssembly');
    const keywords = ['sk-ant-api03-', 'token', 'ok', 'k', 'xoxb-', 'aaaa', 'a'];
    const wasm = KeywordIndex.build(keywords, { wasm: true });
    const js = KeywordIndex.build(keywords, { wasm: false });
    const data = wasm.toData();
    assert.ok(WasmWalk.create(data.column, data.rows, data.firstReport), 'WebAssembly runs here, so the test below exercises it');
    const rng = seededRng('kw-wasm');
    const alphabet = 'sSkK-aAnNtToOxXbB03pi_ \n\u00e9\u00ff';
    const hitsOf = (index: KeywordIndex, bytes: Buffer) => {
      const got: string[] = [];
      index.scanBytes(bytes, (id, start) => got.push(`${id}@${start}`));
      return got.sort();
    };
    // Sizes around the split threshold, the block size and its multiples (each chain walks half).
    for (const size of [4096, 5000, 2 * BLOCK - 7, 4 * BLOCK + 64, 4 * BLOCK + 1, 9 * BLOCK + 12_345]) {
      let text = '';
      for (let i = 0; i < size; i++) text += alphabet[Math.floor(rng() * alphabet.length)];
      // Keywords planted across block edges and where each chain starts (the longest keyword is 13).
      const stride = Math.floor((size - 12) / CHAINS);
      const starts = Array.from({ length: CHAINS - 1 }, (_, c) => (c + 1) * stride);
      for (const at of [BLOCK - 5, 2 * BLOCK - 1, ...starts.flatMap((s) => [s - 13, s - 6, s - 1, s, s + BLOCK - 3]), size - 13]) {
        if (at > 0 && at + 13 <= size) text = text.slice(0, at) + 'SK-ANT-API03-' + text.slice(at + 13);
      }
      const bytes = Buffer.from(text, 'latin1');
      const expected = naive(keywords, text);
      assert.deepEqual(hitsOf(wasm, bytes), expected, `size ${size}`);
      assert.deepEqual(hitsOf(js, bytes), expected, `size ${size}`);
    }
    // A keyword at every byte: the most hits a block can hold (one per chain per byte).
    const dense = Buffer.alloc(CHAINS * BLOCK + 101, 'a');
    assert.deepEqual(hitsOf(wasm, dense), hitsOf(js, dense));
    assert.equal(hitsOf(wasm, dense).length, 2 * dense.length - 3, "'a' at every byte, 'aaaa' at all but the last three");
  });

  it('scans the same where WebAssembly is missing (node --jitless)', () => {
    const dir = tempDir();
    const filler = 'const nothing = 1;\n'.repeat(2000); // large enough for the two-chain walk
    writeFiles(dir, { 'a.ts': `${filler}const key = "${ANTHROPIC('jitless')}";\n${filler}`, 'b.ts': filler });
    const findings = (args: string[]) => {
      const run = spawnSync(process.execPath, [...args, CLI, 'scan', dir, '--format', 'json'], { encoding: 'utf8' });
      assert.equal(run.status, 1, run.stderr);
      return (JSON.parse(run.stdout) as { findings: Array<{ path: string; line: number; fingerprint: string }> }).findings.map((f) => `${f.path}:${f.line} ${f.fingerprint}`);
    };
    const withWasm = findings([]);
    assert.deepEqual(withWasm.map((f) => f.split(' ')[0]), [`a.ts:2001`]);
    assert.deepEqual(findings(['--jitless']), withWasm);
  });

  it('walks long strings with characters above 255 exactly as the string walk does', () => {
    const keywords = ['token', 'ghp_', 'ab'];
    const fast = KeywordIndex.build(keywords, { wasm: true });
    const slow = KeywordIndex.build(keywords, { wasm: false });
    // U+0161 and U+0174 have the low bytes of 'a' and 't': latin1 bytes alone would see keywords there.
    const rng = seededRng('kw-wide');
    const alphabet = ['t', 'o', 'k', 'e', 'n', 'a', 'b', 'g', 'h', 'p', '_', ' ', '\u0161', '\u0174', '\u6f6b', '\u00e9'];
    for (const size of [4096, 9000, 3 * BLOCK + 77]) {
      let text = '';
      for (let i = 0; i < size; i++) text += alphabet[Math.floor(rng() * alphabet.length)];
      text += ' \u0174oken \u0161b token ab';
      const hits = (index: KeywordIndex) => {
        const got: string[] = [];
        index.scan(text, (id, start) => got.push(`${id}@${start}`));
        return got.sort();
      };
      assert.deepEqual(hits(fast), hits(slow), `size ${size}`);
      assert.deepEqual(hits(slow), naive(keywords, text), `size ${size}`);
    }
  });
});
