import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywordIndex } from '../../src/detect/keywords.js';
import { seededRng } from '../../src/rules/template.js';

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

  it('walks large byte buffers as two halves and still reports each occurrence once, wherever it falls', () => {
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
    assert.deepEqual(fromBytes.sort((a, b) => a - b), fromText);
    assert.deepEqual(fromText, [5006, 5012, text.length - 5]);
  });
});

