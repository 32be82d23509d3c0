import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asciinemaOutput } from '../../src/decode/asciinema.js';
import type { DecodedRun } from '../../src/decode/piece.js';
import { fakeKey } from '../helpers.js';

const aws = (seed: string) => fakeKey('AKIA{{upper32:16}}', seed);
/** A cast file as the scanner reads it: UTF-8 bytes, one latin1 character each. */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const event = (time: number, code: string, data: string) => JSON.stringify([time, code, data]);

function checkMap(input: string, run: DecodedRun): Int32Array {
  const map = run.map();
  assert.equal(map.length, run.text.length + 1);
  for (let i = 1; i < map.length; i++) assert.ok(map[i]! >= map[i - 1]!, `map decreases at ${i}`);
  assert.ok(map[run.text.length]! <= input.length);
  return map;
}

/** Each character of `value` in the rendered text maps to that same character in the file. */
function assertMapsToItself(input: string, run: DecodedRun, value: string): void {
  const at = run.text.indexOf(value);
  assert.ok(at >= 0, 'value not rendered');
  const map = run.map();
  for (let i = at; i < at + value.length; i++) assert.equal(input[map[i]!], run.text[i]);
}

describe('asciinemaOutput: v2', () => {
  const key = aws('cast-v2');
  const file = bytes(
    [
      '{"version": 2, "width": 80, "height": 24, "timestamp": 1504467315, "idle_time_limit": 2, "env": {"SHELL": "/bin/zsh", "TERM": "xterm-256color"}}',
      event(0.248848, 'o', '\u001b[1;32muser@host\u001b[0m:\u001b[34m~\u001b[0m$ '),
      event(0.9, 'o', 'echo hi\r\n'),
      event(1.001376, 'o', 'That was ok\rThis is better.\r\n'),
      event(1.5, 'm', ''),
      event(2.143733, 'o', `export AWS_ACCESS_KEY_ID=\u001b[1m${key.slice(0, 9)}`),
      event(2.150001, 'o', `${key.slice(9)}\u001b[0m\r\n`),
      event(3.05, 'r', '100x30'),
      event(4.5, 'o', 'caf\u00e9 \ud83d\ude00 "quoted" \\ done\r\n'),
    ].join('\n') + '\n',
  );

  it('joins the output events, undoes JSON escapes and renders the terminal', () => {
    const runs = asciinemaOutput(file);
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.equal(run.encoding, 'asciinema');
    assert.equal(run.latin1, true);
    assert.equal(run.text, bytes(`user@host:~$ echo hi\nThis is better.\nexport AWS_ACCESS_KEY_ID=${key}\ncafé 😀 "quoted" \\ done\n`));
    checkMap(file, run);
  });

  it('finds a key split across two events, mapped back to both halves', () => {
    const run = asciinemaOutput(file)[0]!;
    assertMapsToItself(file, run, key);
    const map = run.map();
    const at = run.text.indexOf(key);
    assert.equal(map[at], file.indexOf(key.slice(0, 9)));
    assert.equal(map[at + key.length - 1], file.indexOf(key.slice(9)) + key.length - 10);
  });

  it('maps escaped characters to the start of their escape', () => {
    const run = asciinemaOutput(file)[0]!;
    const map = run.map();
    // JSON.stringify wrote the quotes and the backslash escaped, and é and 😀 as raw UTF-8.
    assert.equal(file.slice(map[run.text.indexOf('"quoted"')]!, map[run.text.indexOf('"quoted"')]! + 2), '\\"');
    assert.equal(file[map[run.text.indexOf('\\ done')]!], '\\');
    assertMapsToItself(file, run, bytes('café 😀'));
  });

  it('decodes \\u escapes above ASCII, surrogate pairs included, to UTF-8 bytes', () => {
    const escaped = ['{"version": 2, "width": 80, "height": 24}', '[0.5, "o", "caf\\u00e9 \\ud83d\\ude00!"]'].join('\n');
    const run = asciinemaOutput(escaped)[0]!;
    // 😀 is F0 9F 98 80: 9F and 98 are C1 introducers outside UTF-8, so the renderer must keep them.
    assert.equal(run.text, bytes('café 😀!'));
    const map = run.map();
    const smiley = run.text.indexOf(bytes('😀'));
    for (let i = smiley; i < smiley + 4; i++) assert.equal(escaped.slice(map[i]!, map[i]! + 6), '\\ud83d');
  });
});

describe('asciinemaOutput: v3', () => {
  it('skips comments, resize, marker and exit events, and keeps typed input apart from its echo', () => {
    const key = aws('cast-v3');
    const typed = `export AWS_ACCESS_KEY_ID=${key}`;
    const lines = [
      '{"version": 3, "term": {"cols": 80, "rows": 24, "type": "xterm-256color"}, "timestamp": 1504467315, "command": "/bin/bash", "env": {"SHELL": "/bin/bash"}}',
      '# event stream follows the header',
      event(0.1, 'o', '\u001b]0;user@host: ~\u0007\u001b[?2004h$ '),
    ];
    // Keystroke by keystroke, each echoed back by the shell, as --capture-input records them.
    for (const ch of typed) lines.push(event(0.05, 'i', ch), event(0.001, 'o', ch));
    lines.push(event(0.2, 'i', '\r'), event(0.001, 'o', '\r\n\u001b[?2004l\r'));
    lines.push('# terminal window resized', event(1.2, 'r', '90x30'), event(0.5, 'm', 'chapter'), event(0.3, 'x', '0'));
    const file = lines.join('\n') + '\n';
    const runs = asciinemaOutput(file);
    assert.equal(runs.length, 2);
    const [output, input] = runs as [DecodedRun, DecodedRun];
    assert.equal(output.text, `$ ${typed}\n`);
    assert.equal(input.text, `${typed}\n`);
    for (const run of runs) {
      checkMap(file, run);
      assertMapsToItself(file, run, key);
    }
  });

  it('applies Backspace keystrokes in the input stream', () => {
    const lines = ['{"version": 3, "term": {"cols": 80, "rows": 24}}', event(0.1, 'i', 'lx'), event(0.1, 'i', '\u007f'), event(0.1, 'i', 's\r')];
    assert.equal(asciinemaOutput(lines.join('\n'))[0]!.text, 'ls\n');
  });
});

describe('asciinemaOutput: not a cast, or damaged', () => {
  it('returns nothing for other files', () => {
    assert.deepEqual(asciinemaOutput('plain text\n[1, "o", "x"]\n'), []);
    assert.deepEqual(asciinemaOutput('{"version": 1, "width": 80, "height": 24, "stdout": [[0.1, "x"]]}\n'), []);
    assert.deepEqual(asciinemaOutput('["version", 2]\n'), []);
    assert.deepEqual(asciinemaOutput(''), []);
  });

  it('skips malformed event lines and keeps the rest', () => {
    const key = aws('damaged');
    const file = [
      '{"version": 2, "width": 80, "height": 24}',
      '[0.1, "o", "bad escape \\x41"]',
      '[0.2, "o", "never closed',
      '[0.3, "o", "trailing junk"] x',
      '[0.4, "o"]',
      `[0.5, "o", "key=${key}\\r\\n"]`,
    ].join('\n');
    const run = asciinemaOutput(file)[0]!;
    assert.equal(run.text, `key=${key}\n`);
    assertMapsToItself(file, run, key);
  });
});
