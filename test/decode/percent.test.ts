import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentRuns } from '../../src/decode/percent.js';
import type { DecodedRun } from '../../src/decode/piece.js';
import { fakeKey } from '../helpers.js';

/** Every decoded character maps to its `%` when it came from escapes, else to itself; the map never decreases. */
function assertMap(input: string, run: DecodedRun, start: number, end: number): void {
  const map = run.map();
  assert.equal(map.length, run.text.length + 1);
  assert.equal(map[0], start);
  assert.equal(map[run.text.length], end);
  for (let i = 0; i < run.text.length; i++) {
    const at = map[i]!;
    assert.ok(i === 0 || at >= map[i - 1]!, `map decreases at ${i}`);
    const c = input[at];
    assert.ok(c === '%' || c === run.text[i], `text[${i}]=${run.text[i]} maps to ${c}`);
  }
  assert.equal(run.encoding, 'percent');
  assert.notEqual(run.wholeRun, true);
}

describe('percentRuns', () => {
  it('decodes an escaped key in a URL query with an exact map', () => {
    const key = fakeKey('sk-ant-api03-{{urlsafe:93}}AA', 'url');
    const url = `https://api.example.com/v1/messages?key=${key.replaceAll('-', '%2D')}&x=1`;
    const input = `curl "${url}" -o out.json`;
    const runs = percentRuns(input);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, `https://api.example.com/v1/messages?key=${key}&x=1`);
    assertMap(input, runs[0]!, 6, 6 + url.length);
    const map = runs[0]!.map();
    const k = runs[0]!.text.indexOf(key);
    assert.equal(input.slice(map[k]!, map[k + key.length]!), key.replaceAll('-', '%2D'));
  });

  it('decodes an escaped = in prose, bounded by whitespace', () => {
    const token = fakeKey('ghp_{{alnum:36}}', 'pct');
    const input = `log: request token%3D${token} failed`;
    const runs = percentRuns(input);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, `token=${token}`);
    assertMap(input, runs[0]!, input.indexOf('token'), input.indexOf(' failed'));
  });

  it('decodes multi-byte UTF-8 and maps each character to its first %', () => {
    const input = "'price%3A%E2%82%AC5%20key%F0%9F%94%91%2d%2D'";
    const runs = percentRuns(input);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, 'price:\u20ac5 key\u{1f511}--');
    assertMap(input, runs[0]!, 1, input.length - 1);
    const map = runs[0]!.map();
    const euro = runs[0]!.text.indexOf('\u20ac');
    assert.equal(map[euro], input.indexOf('%E2'));
    assert.equal(map[euro + 1], input.indexOf('5%20')); // the literal after it
    const emoji = runs[0]!.text.indexOf('\u{1f511}');
    assert.equal(map[emoji], input.indexOf('%F0'));
    assert.equal(map[emoji + 1], input.indexOf('%F0')); // both UTF-16 halves
  });

  it('keeps + and invalid escapes literal, and is bounded by quotes and angle brackets', () => {
    const input = '<a href="/search?q=a+b%2Bc&p=100%&r=%zz">x%41</a>';
    const runs = percentRuns(input);
    assert.deepEqual(
      runs.map((r) => r.text),
      ['/search?q=a+b+c&p=100%&r=%zz', 'xA'],
    );
    assertMap(input, runs[0]!, 9, input.indexOf('">'));
    assertMap(input, runs[1]!, input.indexOf('x%41'), input.indexOf('</a'));
  });

  it('returns nothing without an escape or when escaped bytes are not UTF-8', () => {
    assert.deepEqual(percentRuns('50% off, 100%!'), []);
    assert.deepEqual(percentRuns('no escapes at all'), []);
    assert.deepEqual(percentRuns('bin=%FF%FE%00'), []); // %FF is never UTF-8
    assert.deepEqual(percentRuns('cut=%E2%82'), []); // truncated character
    assert.deepEqual(percentRuns('overlong=%C0%AF'), []);
    assert.deepEqual(percentRuns('%4'), []);
    // One bad run does not hide the next one.
    assert.deepEqual(percentRuns('a=%FF b=%41').map((r) => r.text), ['b=A']);
  });

  it('handles megabyte adversarial inputs', () => {
    const mb = 1 << 20;
    assert.deepEqual(percentRuns('%'.repeat(mb)), []);
    assert.deepEqual(percentRuns('%4'.repeat(mb / 2)), []);
    assert.deepEqual(percentRuns('A=A='.repeat(mb / 4)), []);
    assert.deepEqual(percentRuns('A'.repeat(mb)), []);
    const escapes = '%41'.repeat(Math.floor(mb / 3));
    const runs = percentRuns(escapes);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, 'A'.repeat(Math.floor(mb / 3)));
    const map = runs[0]!.map();
    assert.equal(map[1], 3);
    assert.equal(map[runs[0]!.text.length], escapes.length);
    // Many short runs, each with a lone % before its escape: still one pass.
    const count = Math.floor(mb / 9);
    const spaced = '%% %x%41 '.repeat(count);
    const many = percentRuns(spaced);
    assert.equal(many.length, count);
    assert.ok(many.every((r) => r.text === '%xA'));
    assertMap(spaced, many[2]!, 9 * 2 + 3, 9 * 2 + 8);
  });
});
