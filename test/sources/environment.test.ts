import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/engine.js';
import { loadRules } from '../../src/scan.js';
import { environmentText, variableAt } from '../../src/sources/environment.js';
import { ANTHROPIC } from '../helpers.js';

describe('environment text', () => {
  it('writes NAME=value lines sorted by name, skips empty values, and records where each value sits', () => {
    const { text, names } = environmentText({ b_lower: 'x', PATH: '/usr/bin', EMPTY: '', UNSET: undefined, A: 'one' });
    assert.equal(text, 'A=one\nPATH=/usr/bin\nb_lower=x\n');
    assert.deepEqual(names.map((n) => [n.name, n.start, n.end, n.line]), [['A', 2, 5, 1], ['PATH', 11, 19, 2], ['b_lower', 28, 29, 3]]);
    for (const n of names) assert.equal(text.slice(n.start, n.end), { A: 'one', PATH: '/usr/bin', b_lower: 'x' }[n.name]);
  });

  it('keeps byte offsets and line numbers right around multi-byte and multi-line values', () => {
    const env = { A: 'caf\u00e9 \u{1F511}', B: 'line1\nline2\nline3', C: 'end' };
    const { text, names } = environmentText(env);
    const bytes = Buffer.from(text, 'utf8');
    for (const n of names) {
      const value = env[n.name as keyof typeof env];
      assert.equal(text.slice(n.start, n.end), value);
      assert.equal(bytes.subarray(n.byteStart, n.byteEnd).toString('utf8'), value);
    }
    assert.notEqual(names[1]!.byteStart, names[1]!.start, 'the multi-byte value shifts bytes against characters');
    assert.deepEqual(names.map((n) => n.line), [1, 2, 5]);
  });

  it('finds the variable for an offset, by character or by byte, and none on the newline between', () => {
    const { text, names } = environmentText({ A: '\u00e9\u00e9', BB: 'xy' });
    assert.equal(text, 'A=\u00e9\u00e9\nBB=xy\n');
    assert.equal(variableAt(names, 0)?.name, 'A', 'on the name');
    assert.equal(variableAt(names, 3)?.name, 'A');
    assert.equal(variableAt(names, 4), null, 'the newline');
    assert.equal(variableAt(names, 5)?.name, 'BB');
    assert.equal(variableAt(names, 9)?.name, 'BB');
    assert.equal(variableAt(names, 10), null, 'past the end');
    // In bytes the two-byte characters push BB to byte 7.
    assert.equal(variableAt(names, 5, 'byte')?.name, 'A');
    assert.equal(variableAt(names, 6, 'byte'), null);
    assert.equal(variableAt(names, 7, 'byte')?.name, 'BB');
    assert.equal(variableAt([], 0), null);
  });

  it('lets the detector attribute a key to its variable name, which never carries the value', async () => {
    const key = ANTHROPIC('env-scan');
    const env: NodeJS.ProcessEnv = { HOME: '/home/u', MY_ASSISTANT_TOKEN: key, PATH: '/usr/bin', TERM: 'xterm' };
    const { text, names } = environmentText(env);
    const detector = new Detector(await loadRules());
    const matches = detector.detect(text, null);
    assert.equal(matches.length, 1);
    assert.equal(variableAt(names, matches[0]!.start)?.name, 'MY_ASSISTANT_TOKEN');
    assert.ok(!JSON.stringify(names).includes(key.slice(-12)), 'the name table holds no value');
  });
});
