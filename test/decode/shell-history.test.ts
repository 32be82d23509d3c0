import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedRun } from '../../src/decode/piece.js';
import { unescapeFish, unmetafyZsh } from '../../src/decode/shell-history.js';
import { fakeKey } from '../helpers.js';

const aws = (seed: string) => fakeKey('AKIA{{upper32:16}}', seed);
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** What zsh writes (Src/utils.c metafy): NUL and 0x83–0xA2 become 0x83 then the byte XOR 0x20. */
function metafy(latin1: string): string {
  let out = '';
  for (const ch of latin1) {
    const b = ch.charCodeAt(0);
    out += b === 0 || (b >= 0x83 && b <= 0xa2) ? `\x83${String.fromCharCode(b ^ 0x20)}` : ch;
  }
  return out;
}

function only(runs: DecodedRun[]): DecodedRun {
  assert.equal(runs.length, 1);
  return runs[0]!;
}

function checkMap(input: string, run: DecodedRun): Int32Array {
  const map = run.map();
  assert.equal(map.length, run.text.length + 1);
  assert.equal(map[run.text.length], input.length);
  for (let i = 1; i < map.length; i++) assert.ok(map[i]! > map[i - 1]!, `map not increasing at ${i}`);
  return map;
}

describe('unmetafyZsh', () => {
  it('restores a metafied history line with non-ASCII text around a key', () => {
    const key = aws('zsh');
    // ß is C3 9F, à is C3 A0, the dash is E2 80 94: each has a byte zsh metafies.
    const original = bytes(`: 1700000000:0;echo "Grüße à — ok" && export AWS_ACCESS_KEY_ID=${key}\n`);
    const file = metafy(original);
    assert.notEqual(file, original);
    const run = only(unmetafyZsh(file));
    assert.equal(run.encoding, 'zsh-history');
    assert.equal(run.latin1, true);
    assert.equal(run.text, original);
    const map = checkMap(file, run);
    const at = run.text.indexOf(key);
    assert.equal(file.slice(map[at]!, map[at + key.length]!), key);
    // A metafied byte maps to its Meta byte.
    const sharp = run.text.indexOf('\x9f');
    assert.equal(file.charCodeAt(map[sharp]!), 0x83);
  });

  it('round-trips every byte value, Meta itself included', () => {
    const all = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b)).join('');
    const run = only(unmetafyZsh(metafy(all)));
    assert.equal(run.text, all);
    checkMap(metafy(all), run);
  });

  it('returns nothing when there is no Meta byte, or only a trailing one', () => {
    assert.deepEqual(unmetafyZsh(': 1700000000:0;ls -la\n'), []);
    assert.deepEqual(unmetafyZsh('ls\x83'), []);
  });
});

describe('unescapeFish', () => {
  it('turns an escaped newline in a cmd value into a real one', () => {
    const key = aws('fish');
    const file = `- cmd: ls\n  when: 1700000000\n- cmd: export A=1\\nexport AWS_ACCESS_KEY_ID=${key}\n  when: 1700000001\n  paths:\n    - C:\\\\nope\n`;
    const run = only(unescapeFish(file));
    assert.equal(run.encoding, 'fish-history');
    assert.equal(run.text, `- cmd: ls\n  when: 1700000000\n- cmd: export A=1\nexport AWS_ACCESS_KEY_ID=${key}\n  when: 1700000001\n  paths:\n    - C:\\\\nope\n`);
    const map = checkMap(file, run);
    const at = run.text.indexOf(key);
    assert.equal(file.slice(map[at]!, map[at + key.length]!), key);
    assert.equal(file.slice(map[run.text.indexOf('A=1\n') + 3]!, map[run.text.indexOf('A=1\n') + 4]!), '\\n');
  });

  it('reads an escaped backslash before n as a backslash and a letter', () => {
    const run = only(unescapeFish('- cmd: echo C:\\\\new \\\\ end\\\\\n'));
    assert.equal(run.text, '- cmd: echo C:\\new \\ end\\\n');
  });

  it('leaves unknown escapes as written and returns nothing when nothing is escaped', () => {
    assert.deepEqual(unescapeFish('- cmd: printf "\\t"\n  when: 1700000000\n'), []);
    assert.deepEqual(unescapeFish('not a history\\n line\n'), []);
    assert.equal(only(unescapeFish('- cmd: a\\tb\\nc\n')).text, '- cmd: a\\tb\nc\n');
  });
});
