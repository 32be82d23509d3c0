// The JSON layer: literals found by a tolerant lexer, escapes undone, every character mapped back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJsonLine, decodeLiteral, findLiterals, jsonStrings, nestedJsonLiterals } from '../../src/decode/json-strings.js';

const literals = (s: string) => {
  const out: string[] = [];
  findLiterals(s, 0, s.length, (l) => out.push(s.slice(l.start, l.end)));
  return out;
};

describe('JSON string layer', () => {
  it('finds literals, honouring escaped quotes and backslashes', () => {
    assert.deepEqual(literals('{"a":"x\\"y","b":"z\\\\"}'), ['a', 'x\\"y', 'b', 'z\\\\']);
  });

  it('reads input that starts inside a literal (a piece of an overlong line) the right way round', () => {
    const s = 'tail of a \\"string", "k": "v\\u002d"\n{"next":"line"}';
    const out: string[] = [];
    findLiterals(s, 0, s.length, (l) => out.push(s.slice(l.start, l.end)), true);
    assert.deepEqual(out, ['tail of a \\"string', 'k', 'v\\u002d', 'next', 'line']);
    assert.equal(decodeJsonLine(s, 0, s.indexOf('\n'), true)?.text, 'tail of a "string", "k": "v-"');
  });

  it('ends an unterminated literal at its line, so the next line lexes normally', () => {
    assert.deepEqual(literals('{"a":"cut off here\n{"b":"c"}'), ['a', 'cut off here', 'b', 'c']);
  });

  it('decodes simple, unicode and surrogate-pair escapes into UTF-8 bytes', () => {
    const input = '"a\\u002db\\/c\\n\\u00e9\\ud83d\\ude00"';
    const run = decodeLiteral(input, 1, input.length - 1);
    const expected = Buffer.from('a-b/c\né😀', 'utf8').toString('latin1');
    assert.equal(run.text, expected);
    assert.equal(run.latin1, true);
    const map = run.map();
    assert.equal(map.length, run.text.length + 1);
    // 'a' is itself; '-' comes from the \u002d escape's backslash; the end is the closing quote.
    assert.equal(map[0], 1);
    assert.equal(input[map[1]!], '\\');
    assert.equal(input.slice(map[1]!, map[2]!), '\\u002d');
    assert.equal(input.slice(map[3]!, map[4]!), '\\/');
    assert.equal(map[map.length - 1], input.length - 1);
    for (let i = 1; i < map.length; i++) assert.ok(map[i]! >= map[i - 1]!, 'the map never decreases');
  });

  it('keeps an invalid escape as it is', () => {
    const input = '"a\\qb\\u12"';
    const run = decodeLiteral(input, 1, input.length - 1);
    assert.equal(run.text, 'a\\qb\\u12');
  });

  it('blanks terminal colour codes that were escaped in JSON, keeping positions', () => {
    const input = '"\\u001b[32mok\\u001b[0m"';
    const run = decodeLiteral(input, 1, input.length - 1);
    assert.equal(run.text, '     ok    ');
    assert.equal(input.slice(run.map()[5]!, run.map()[7]!), 'ok');
  });

  it('decodes a whole line in place, keeping names next to values', () => {
    const line = '{"AWS_SECRET": "ab\\/cd", "plain": "x"}';
    const run = decodeJsonLine(line, 0, line.length);
    assert.equal(run?.text, '{"AWS_SECRET": "ab/cd", "plain": "x"}');
    const map = run!.map();
    const at = run!.text.indexOf('ab/cd');
    assert.equal(line.slice(map[at]!, map[at + 5]!), 'ab\\/cd');
    assert.equal(decodeJsonLine('{"a":"b"}', 0, 9), null, 'nothing escaped, nothing to decode');
  });

  it('finds JSON inside a JSON string (tool-call arguments) for a second pass', () => {
    const args = JSON.stringify({ command: ['bash', '-lc', 'echo "hi"\nls'] });
    const line = JSON.stringify({ type: 'function_call', arguments: args });
    const [nested] = nestedJsonLiterals(line, 0, line.length);
    assert.equal(nested?.text, args);
    const inner = decodeJsonLine(nested!.text, 0, nested!.text.length);
    assert.ok(inner?.text.includes('echo "hi"\nls'));
  });

  it('jsonStrings returns only literals that had escapes', () => {
    assert.deepEqual(jsonStrings('["a", "b\\tc"]').map((r) => r.text), ['b\tc']);
  });

  it('stays linear on adversarial input', () => {
    for (const input of ['"' + '\\'.repeat(1 << 20), '"\\u'.repeat(1 << 18), '"'.repeat(1 << 20), '{"a":"' + '\\"'.repeat(1 << 19)]) {
      const runs = jsonStrings(input);
      assert.ok(Array.isArray(runs));
    }
  });
});
