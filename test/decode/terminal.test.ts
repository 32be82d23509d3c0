import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedRun } from '../../src/decode/piece.js';
import { needsRendering, renderTerminal } from '../../src/decode/terminal.js';
import { detectTerminalFormat } from '../../src/decode/terminal-format.js';
import { fakeKey } from '../helpers.js';

const ESC = '\x1b';
const CSI = `${ESC}[`;
const ST = `${ESC}\\`;
const aws = (seed: string) => fakeKey('AKIA{{upper32:16}}', seed);
/** UTF-8 bytes as one latin1 character each, the form the scanner reads files in. */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

function render(input: string): DecodedRun {
  const runs = renderTerminal(input);
  assert.equal(runs.length, 1, 'expected one rendered run');
  const run = runs[0]!;
  assert.equal(run.encoding, 'terminal');
  assert.equal(run.latin1, true);
  checkMap(input, run);
  return run;
}

/** The invariants every map must keep: full length, ends at the input's end, never decreases. */
function checkMap(input: string, run: DecodedRun): Int32Array {
  const map = run.map();
  assert.equal(map.length, run.text.length + 1);
  assert.equal(map[run.text.length], input.length);
  let decreases = -1;
  for (let i = 1; i < map.length && decreases < 0; i++) if (map[i]! < map[i - 1]!) decreases = i;
  assert.equal(decreases, -1, 'map decreases');
  return map;
}

/** Every character of text[from, to) points at that same character in the input. */
function assertExact(input: string, run: DecodedRun, from = 0, to = run.text.length): void {
  const map = run.map();
  for (let i = from; i < to; i++) assert.equal(input[map[i]!], run.text[i], `text[${i}] maps to a different byte`);
}

/** The input bytes a match of `value` in the rendered text is reported at. */
function spanOf(input: string, run: DecodedRun, value: string): string {
  const at = run.text.indexOf(value);
  assert.ok(at >= 0, 'value not in rendered text');
  const map = run.map();
  return input.slice(map[at]!, map[at + value.length - 1]! + 1);
}

describe('renderTerminal: nothing to do', () => {
  it('returns no run for plain text, CRLF line ends and stray controls', () => {
    assert.deepEqual(renderTerminal('plain text\nmore\n'), []);
    assert.deepEqual(renderTerminal('windows\r\nline ends\r\n\r\n'), []);
    assert.deepEqual(renderTerminal('a bell\x07 and a trailing CR\r'), []);
  });

  it('returns no run for UTF-8 whose continuation bytes look like C1 controls', () => {
    // Û is C3 9B (9B = 8-bit CSI), Ü is C3 9C (ST), Ý is C3 9D (OSC), plus é (C3 A9) and ä (C3 A4).
    const text = bytes('café, Bär, Ûber 1m, Ü, Ý0;x\n');
    assert.ok(/[\x9b-\x9d]/.test(text));
    assert.equal(needsRendering(text), false);
    assert.deepEqual(renderTerminal(text), []);
  });
});

describe('renderTerminal: escape sequences', () => {
  it('joins a key split by SGR colour codes', () => {
    const key = aws('sgr');
    const input = `id: ${CSI}1m${key.slice(0, 4)}${CSI}0m${CSI}38;5;208m${key.slice(4)}${CSI}0m\n`;
    const run = render(input);
    assert.equal(run.text, `id: ${key}\n`);
    assertExact(input, run);
    assert.equal(input.indexOf(key.slice(0, 4)), run.map()[4]);
  });

  it('keeps the link text of an OSC 8 hyperlink and drops the URI (ST and BEL terminators)', () => {
    const key = aws('osc8');
    for (const end of [ST, '\x07']) {
      const input = `see ${ESC}]8;id=k1;https://example.com/keys${end}${key}${ESC}]8;;${end} ok\n`;
      const run = render(input);
      assert.equal(run.text, `see ${key} ok\n`);
      assertExact(input, run);
      assert.equal(spanOf(input, run, key), key);
    }
  });

  it('removes an OSC 52 clipboard payload and window titles from the visible text', () => {
    const payload = Buffer.from(aws('osc52')).toString('base64');
    const input = `${ESC}]0;user@host: ~${'\x07'}before${ESC}]52;c;${payload}\x07after\n`;
    assert.equal(render(input).text, 'beforeafter\n');
  });

  it('strips DCS, APC, PM, SOS, charset selects, DEC line attributes and two-byte escapes', () => {
    const input = `${ESC}Pq#0;2;0;0;0${ST}a${ESC}_Gf=100;AAAA${ST}b${ESC}^pm${ST}c${ESC}Xsos${ST}d${ESC}(0e${ESC}(Bf${ESC}#8g${ESC}7h${ESC}8i${ESC}=j${ESC}>k\n`;
    const run = render(input);
    assert.equal(run.text, 'abcdefghijk\n');
    assertExact(input, run);
  });

  it('reads 8-bit C1 introducers only where they are not part of valid UTF-8', () => {
    const key = aws('c1');
    // é then a lone 9B: C3 A9 is complete, so the 9B after it is a real 8-bit CSI.
    const input = bytes('é') + '\x9b1m' + key + '\x9b0m ' + bytes('ä Ü') + ' \x9d0;title\x9c!\n';
    const run = render(input);
    assert.equal(run.text, bytes('é') + key + ' ' + bytes('ä Ü') + ' !\n');
    assertExact(input, run);
  });

  it('does not end an OSC title at the 9C inside a UTF-8 Ü', () => {
    const key = aws('title');
    const input = `${ESC}]2;${bytes('Übersicht')}\x07${key}\n`;
    assert.equal(render(input).text, `${key}\n`);
  });

  it('ends an unterminated OSC at the newline, so the next line stays visible', () => {
    const key = aws('unterminated');
    const input = `${ESC}]0;never closed\n${key}\n`;
    assert.equal(render(input).text, `\n${key}\n`);
  });

  it('drops a broken CSI but keeps the byte that broke it', () => {
    assert.equal(render(`a${CSI}12${ESC}[1mb${CSI}\nc`).text, 'ab\nc');
  });
});

describe('renderTerminal: overprinting', () => {
  it('shows only the last frame of a progress line redrawn with CR', () => {
    const key = aws('progress');
    const input = `fetch  10% [#         ]\rfetch  55% [#####     ]\rfetch 100% [##########]\nexport AWS_ACCESS_KEY_ID=${key}\n`;
    const run = render(input);
    assert.equal(run.text, `fetch 100% [##########]\nexport AWS_ACCESS_KEY_ID=${key}\n`);
    assertExact(input, run);
    assert.equal(spanOf(input, run, 'fetch 100%'), 'fetch 100%');
  });

  it('shows a key typed over a longer prompt, with CSI K erasing the rest', () => {
    const key = aws('overwrite');
    const input = `${'.'.repeat(60)}\r${key}${CSI}K\n`;
    const run = render(input);
    assert.equal(run.text, `${key}\n`);
    assertExact(input, run);
    assert.equal(spanOf(input, run, key), key);
  });

  it('keeps the visible tail of a partly overwritten line', () => {
    const run = render('0123456789\rab\n');
    assert.equal(run.text, 'ab23456789\n');
  });

  it('renders nroff bold (x BS x) and underline (_ BS x)', () => {
    const key = aws('nroff');
    const bold = [...key].map((c) => `${c}\b${c}`).join('');
    const underline = [...key].map((c) => `_\b${c}`).join('');
    for (const input of [`${bold}\n`, `${underline}\n`]) {
      const run = render(input);
      assert.equal(run.text, `${key}\n`);
      assertExact(input, run);
    }
  });

  it('moves with CSI D, C and G and erases with CSI 1K and 2K', () => {
    assert.equal(render(`helo${CSI}Dlo\n`).text, 'hello\n'); // readline inserting a letter
    assert.equal(render(`a${CSI}3Cb\n`).text, 'a   b\n');
    assert.equal(render(`abcdef${CSI}3GX\n`).text, 'abXdef\n');
    assert.equal(render(`abcdef${CSI}3D${CSI}1K\n`).text, '    ef\n');
    assert.equal(render(`abcdef${CSI}2K\rxy\n`).text, 'xy\n');
    assert.equal(render(`abcdef${CSI}2Dxy${CSI}0K\n`).text, 'abcdxy\n');
  });

  it('treats a UTF-8 character as one cell when backspacing over it', () => {
    assert.equal(render(bytes('né\bx\n')).text, 'nx\n');
  });

  it('keeps a typed command exact when a right-hand prompt was printed before it', () => {
    const key = aws('rprompt');
    const input = `$ ${CSI}100G[12:00]${CSI}3Gexport TOKEN=${key}\n`;
    const run = render(input);
    assert.ok(run.text.startsWith(`$ export TOKEN=${key} `));
    assert.ok(run.text.endsWith('[12:00]\n'));
    assertExact(input, run, 0, `$ export TOKEN=${key}`.length);
    assert.equal(spanOf(input, run, key), key);
  });

  it('keeps the longer older text exact when a short label is written before it', () => {
    const key = aws('label');
    const input = `   ${key}\r${CSI}1Gok\n`;
    const run = render(input);
    assert.equal(run.text, `ok ${key}\n`);
    assert.equal(spanOf(input, run, key), key);
  });
});

describe('renderTerminal: hostile input stays linear', () => {
  const MB = 1 << 20;
  const cases: Record<string, string> = {
    'ESC[ repeated': `${CSI}`.repeat(MB / 2),
    'unterminated OSC': `${ESC}]0;${'a'.repeat(MB)}`,
    'OSC introducers every 10 bytes': `\x9d${'a'.repeat(9)}`.repeat(MB / 10),
    'CR only, then one letter': `${'\r'.repeat(MB)}x`,
    'BS only': '\b'.repeat(MB),
    'huge cursor moves': `${CSI}9999Cx`.repeat(MB / 8),
    'erase-to-start spam on a long line': `${'a'.repeat(MB / 2)}${`${CSI}1K`.repeat(MB / 8)}`,
    'writes right to left': Array.from({ length: 60000 }, (_, k) => `${CSI}${60000 - k}Gx`).join(''),
    'long parameter strings': `${CSI}${'1;'.repeat(MB / 2)}m`,
  };
  for (const [name, input] of Object.entries(cases)) {
    it(name, () => {
      const runs = renderTerminal(input);
      assert.equal(runs.length, 1);
      assert.ok(runs[0]!.text.length <= 2 * input.length + 4096 + 1);
      checkMap(input, runs[0]!);
    });
  }
});

describe('detectTerminalFormat', () => {
  it('recognises files by name', () => {
    assert.equal(detectTerminalFormat('/rec/demo.cast', ''), 'asciinema');
    assert.equal(detectTerminalFormat('/home/u/.zsh_history', ''), 'zsh-history');
    assert.equal(detectTerminalFormat('C:\\Users\\u\\zsh_history', ''), 'zsh-history');
    assert.equal(detectTerminalFormat('/home/u/.local/share/fish/fish_history', ''), 'fish-history');
    assert.equal(detectTerminalFormat('/home/u/.bash_history', 'ls\n'), 'bash-history');
    assert.equal(detectTerminalFormat('typescript', ''), 'typescript');
    assert.equal(detectTerminalFormat('session.typescript', ''), 'typescript');
    assert.equal(detectTerminalFormat('tmux-0.log', ''), 'terminal-log');
    assert.equal(detectTerminalFormat('screenlog.0', ''), 'terminal-log');
    assert.equal(detectTerminalFormat('notes.txt', 'hello\n'), null);
  });

  it('recognises files by content', () => {
    assert.equal(detectTerminalFormat('out.txt', 'Script started on 2024-05-01 10:00:00+02:00 [TERM="xterm-256color"]\n'), 'typescript');
    assert.equal(detectTerminalFormat('run.log', 'Script started on 2024-05-01 10:00:00+02:00 [<not executed on terminal>]\n'), 'typescript');
    assert.equal(detectTerminalFormat('rec', '{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "x"]\n'), 'asciinema');
    assert.equal(detectTerminalFormat('rec', '{"version":3,"term":{"cols":80,"rows":24}}\n# c\n'), 'asciinema');
    assert.equal(detectTerminalFormat('rec', '{"version": 1, "width": 80}\n'), null);
    assert.equal(detectTerminalFormat('hist', ': 1700000000:0;ls -la\n'), 'zsh-history');
    assert.equal(detectTerminalFormat('hist', '- cmd: ls\n  when: 1700000000\n'), 'fish-history');
    assert.equal(detectTerminalFormat('hist', '#1700000000\nls\n'), 'bash-history');
    assert.equal(detectTerminalFormat('out.txt', `${CSI}1mbold${CSI}0m\n`), 'terminal-log');
  });
});
