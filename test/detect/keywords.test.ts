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
});
