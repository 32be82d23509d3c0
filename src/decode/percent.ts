/**
 * Percent-encoding hides keys in URLs and form bodies: `?key=sk%2Dant%2D…`, `token%3Dghp_…`. This
 * layer decodes `%XX` escapes one level in runs of non-space text and maps every decoded character
 * back to its input position exactly: an escape's character maps to its `%`, others to themselves.
 *
 * `+` is left as it is, never read as a space: it only means space in form-encoded query strings,
 * while base64 secrets (AWS secret keys, `_auth` values) keep a literal `+` that must survive, and the
 * map stays one character per character outside escapes.
 */
import { lazy, type DecodedRun, type Decoder } from './piece.js';
import { Utf8Stream, UTF8_INVALID, UTF8_MORE } from './utf8.js';

/** Characters that end a run: controls, whitespace, quotes and angle brackets. */
const BOUNDARY = new Uint8Array(128);
{
  for (let c = 0; c <= 0x20; c++) BOUNDARY[c] = 1;
  BOUNDARY[0x7f] = 1;
  for (const c of '"\'`<>') BOUNDARY[c.charCodeAt(0)] = 1;
}

function isBoundary(c: number): boolean {
  if (c < 128) return BOUNDARY[c] === 1;
  return c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0xfeff;
}

/** Value of a hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The byte of an escape at `i` (`%` then two hex digits, all before `end`), or -1. */
function escapeAt(input: string, i: number, end: number): number {
  if (i + 2 >= end || input.charCodeAt(i) !== 37) return -1;
  const hi = hexValue(input.charCodeAt(i + 1));
  const lo = hexValue(input.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

const utf8 = new Utf8Stream();

export const percentRuns: Decoder = (input) => {
  const out: DecodedRun[] = [];
  const n = input.length;
  // Runs never overlap: the next one starts at or after where the last one ended. Together with
  // indexOf this keeps the pass linear however many lone `%` the input holds.
  let floor = 0;
  for (let p = input.indexOf('%'); p >= 0; p = input.indexOf('%', p + 1)) {
    if (escapeAt(input, p, n) < 0) continue;
    let start = p;
    while (start > floor && !isBoundary(input.charCodeAt(start - 1))) start--;
    let end = p + 3;
    while (end < n && !isBoundary(input.charCodeAt(end))) end++;
    const text = decodeRun(input, start, end, null);
    if (text !== null) out.push(percentRun(input, text, start, end));
    floor = end;
    p = end - 1;
  }
  return out;
};

/**
 * Decodes [start, end); null when an escaped byte sequence is not valid UTF-8 (percent-encoded
 * binary, or `%` in prose followed by hex-looking letters). Consecutive escapes form one sequence,
 * so a multi-byte character maps to the `%` of its first byte. Fills `map` when given.
 */
function decodeRun(input: string, start: number, end: number, map: Int32Array | null): string | null {
  let text = '';
  let literal = start;
  let i = start;
  while (i < end) {
    if (escapeAt(input, i, end) < 0) {
      i++;
      continue;
    }
    if (map) for (let j = literal; j < i; j++) map[text.length + j - literal] = j;
    text += input.slice(literal, i);
    utf8.reset();
    let first = i;
    for (let b = escapeAt(input, i, end); b >= 0; b = escapeAt(input, i, end)) {
      if (utf8.idle) first = i;
      const cp = utf8.push(b);
      i += 3;
      if (cp === UTF8_MORE) continue;
      if (cp === UTF8_INVALID) return null;
      const ch = String.fromCodePoint(cp);
      if (map) for (let k = 0; k < ch.length; k++) map[text.length + k] = first;
      text += ch;
    }
    if (!utf8.idle) return null;
    literal = i;
  }
  if (literal === start) return null; // no escape: nothing differs from the input
  if (map) {
    for (let j = literal; j < end; j++) map[text.length + j - literal] = j;
    map[text.length + end - literal] = end;
  }
  return text + input.slice(literal, end);
}

function percentRun(input: string, text: string, start: number, end: number): DecodedRun {
  return {
    text,
    encoding: 'percent',
    map: lazy(() => {
      const map = new Int32Array(text.length + 1);
      decodeRun(input, start, end, map);
      return map;
    }),
  };
}
