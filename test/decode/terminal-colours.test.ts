import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderColoursOnly, renderTerminalStream } from '../../src/decode/terminal.js';

/** A seeded generator (mulberry32), so a failure names an input that can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pieces a terminal stream is made of, the awkward ones included: colour codes with odd
 * parameters, CRs before and away from line ends, cursor moves, lone escapes and C1 bytes, and
 * UTF-8 characters whose continuation bytes look like C1 codes (as latin1, one byte a character).
 */
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const PIECES = [
  'a', 'Z', '7', ' ', '-', '_', 'sk', '\t', '\n', '\n', '\r\n', '\r', '\r\r\n',
  '\x1b[0m', '\x1b[1;31m', '\x1b[38;5;208m', '\x1b[m', '\x1b[?25m', '\x1b[1;', '\x1b[K', '\x1b[2D', '\x1b[5G',
  '\x1b', '\x1b]0;title\x07', '\x08', '\x07', '\x00', '\x7f',
  '\x9b', '\x9c', '\xc3', '\xe2', utf8('é'), utf8('Ü'), utf8('✓'), utf8('€'), '\x9b31m',
];

/** What the fast path is for: text, colours, CRLF and UTF-8 (a stream of only these takes it). */
const FRIENDLY = PIECES.filter((p) => /^(?:[\x20-\x7e\t\n\xa0-\xff]|\r\n|\x1b\[[0-9;?]*m)+$/.test(p));

function randomStream(next: () => number): string {
  // Half the streams mix in everything, half only what the fast path takes, plus a rare stray.
  const pool = next() < 0.5 ? PIECES : FRIENDLY;
  let s = '';
  const n = 1 + Math.floor(next() * 24);
  for (let i = 0; i < n; i++) {
    const from = next() < 0.02 ? PIECES : pool;
    s += from[Math.floor(next() * from.length)]!;
  }
  return s;
}

describe('renderColoursOnly: the fast path for coloured logs', () => {
  it('gives exactly the screen model\'s text and map whenever it applies (20,000 random streams)', () => {
    const next = rng(20261124);
    let applied = 0;
    let declined = 0;
    for (let k = 0; k < 20_000; k++) {
      const input = randomStream(next);
      const fast = renderColoursOnly(input);
      if (!fast) {
        declined++;
        continue;
      }
      applied++;
      const model = renderTerminalStream(input, true);
      assert.equal(fast.text, model.text, `text differs for ${JSON.stringify(input)}`);
      assert.deepEqual([...fast.map()], [...model.map!], `map differs for ${JSON.stringify(input)}`);
    }
    // Both branches must be exercised, or the comparison proves nothing.
    assert.ok(applied > 2000, `fast path applied only ${applied} times`);
    assert.ok(declined > 2000, `fast path declined only ${declined} times`);
  });

  it('strips colour codes and CRLF line ends, and maps each kept byte to its source', () => {
    const input = 'key=\x1b[1msk-\x1b[0mant\r\nnext\r\n';
    const run = renderColoursOnly(input)!;
    assert.equal(run.text, 'key=sk-ant\nnext\n');
    const map = run.map();
    assert.equal(input[map[run.text.indexOf('a')]!], 'a');
    assert.equal(map[run.text.indexOf('\n')], input.indexOf('\n'));
    assert.equal(map[run.text.length], input.length);
  });

  it('declines what only the screen model can render', () => {
    for (const input of ['abc\rxy\n', 'a\x08b', 'x\x1b[Ky', 'x\x1b[3Dy', '\x1b]0;t\x07x', 'x\x9b1mz', 'a\x00b']) {
      assert.equal(renderColoursOnly(input), null, JSON.stringify(input));
    }
  });

  it('declines a colour code between two non-ASCII bytes (cutting it could join a UTF-8 character)', () => {
    // C3 then 9B would read as one character once the code between them is gone; the screen model
    // sees C3 alone and 9B as a CSI introducer.
    assert.equal(renderColoursOnly('\xc3\x1b[0m\x9b31mX'), null);
  });
});
