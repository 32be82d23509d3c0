/**
 * Shell history files store commands in their own escaping, so a key typed on the command line can
 * sit in the file in a form no key pattern matches (formats.md §2.6):
 *
 * - zsh "metafies" every byte that is NUL or in 0x83–0xA2: it writes 0x83 (Meta) and then the byte
 *   XOR 0x20. Non-ASCII UTF-8 is full of such bytes, so the line around a key is garbled too.
 * - fish writes `- cmd: <command>` records with `\\` for a backslash and `\n` for a newline.
 *
 * Both decoders take and return one byte per character and map each output character to the first
 * input character of what produced it.
 */
import { lazy, type DecodedRun, type Decoder } from './piece.js';

const META = 0x83;

/** Undoes zsh metafication: 0x83 then a byte → that byte XOR 0x20 (zsh `unmetafy`, Src/utils.c). */
export const unmetafyZsh: Decoder = (input: string): DecodedRun[] => {
  // Like zsh, a Meta with nothing after it stays as it is, so it alone changes nothing.
  const first = input.indexOf('\x83');
  if (first < 0 || first === input.length - 1) return [];
  const parts: string[] = [];
  let from = 0;
  for (let i = first; i >= 0 && i < input.length - 1; i = input.indexOf('\x83', from)) {
    parts.push(input.slice(from, i), String.fromCharCode(input.charCodeAt(i + 1) ^ 0x20));
    from = i + 2;
  }
  parts.push(input.slice(from));
  const text = parts.join('');
  const map = lazy(() => {
    const m = new Int32Array(text.length + 1);
    let o = 0;
    for (let i = 0; i < input.length; i++) {
      m[o++] = i;
      if (input.charCodeAt(i) === META && i + 1 < input.length) i++; // two bytes, one character
    }
    m[o] = input.length;
    return m;
  });
  return [{ text, map, encoding: 'zsh-history', latin1: true }];
};

const CMD = '- cmd: ';

/**
 * Undoes fish's history escaping inside `- cmd: ` values (fish `unescape_yaml_fish_2_0`): `\\` → `\`,
 * `\n` → newline; any other backslash stays as written. Everything else is copied.
 */
export const unescapeFish: Decoder = (input: string): DecodedRun[] => {
  if (!/^- cmd: .*\\[\\n]/m.test(input)) return [];
  const text = unescape(input, null);
  const map = lazy(() => {
    const m = new Int32Array(text.length + 1);
    unescape(input, m);
    m[text.length] = input.length;
    return m;
  });
  return [{ text, map, encoding: 'fish-history', latin1: true }];
};

/** One pass for both the text and (when `map` is given) where each character came from. */
function unescape(input: string, map: Int32Array | null): string {
  const parts: string[] = [];
  let o = 0;
  const copy = (from: number, to: number): void => {
    parts.push(input.slice(from, to));
    if (map) for (let i = from; i < to; i++) map[o++] = i;
    else o += to - from;
  };
  let done = 0; // input before this index is in parts
  for (let line = 0; line < input.length; ) {
    const nl = input.indexOf('\n', line);
    const end = nl < 0 ? input.length : nl;
    if (input.startsWith(CMD, line)) {
      for (let i = line + CMD.length; i < end - 1; i++) {
        if (input.charCodeAt(i) !== 0x5c) continue;
        const next = input[i + 1];
        if (next !== '\\' && next !== 'n') continue;
        copy(done, i);
        parts.push(next === 'n' ? '\n' : '\\');
        if (map) map[o] = i;
        o++;
        done = i + 2;
        i++; // `\\n` is a backslash then `n`: the pair is consumed before the `n` is looked at
      }
    }
    line = end + 1;
  }
  copy(done, input.length);
  return parts.join('');
}
