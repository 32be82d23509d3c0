/**
 * JSON string escapes hide keys from a plain regex: `\u002d` for a dash, `\/` inside an AWS secret,
 * `\n` glued to the key's first letter, `\u001b[32m` colouring tool output in a transcript. This
 * layer finds string literals in raw text and decodes their escapes, keeping a map from every
 * decoded character back to the escape it came from.
 *
 * It works on "byte strings" (one input byte per character, as the raw scan reads files) and keeps
 * that form: a `\u00e9` escape becomes the two UTF-8 bytes of é, so a decoded secret hashes to the
 * same fingerprint as the same secret written plainly. It is a tolerant lexer, not JSON.parse: a
 * truncated line (an agent killed mid-write) still yields its complete literals.
 */
import { blankEscapes } from './ansi.js';
import type { DecodedRun, RawText } from './piece.js';

/** A literal's content, without its quotes: [start, end) of the input. */
export interface Literal {
  start: number;
  end: number;
  /** Whether the content holds any backslash (only those can decode to something new). */
  escaped: boolean;
}

/**
 * Every double-quoted literal in input[from, to). A raw newline can't sit inside a JSON string, so an
 * unterminated literal ends at the line's end and lexing resumes on the next line: one broken line
 * never shifts the quote parity of the rest of the file. `inString`: input[from] is already inside
 * a literal, whose opening quote came before (a piece of a line too long to read whole).
 */
export function findLiterals(input: string, from: number, to: number, onLiteral: (lit: Literal) => void, inString = false): void {
  // The next quote that opens a literal (`to` when there is none); from - 1 stands for one before
  // the input.
  const quoteAfter = (i: number) => {
    const q = input.indexOf('"', i);
    return q < 0 ? to : q;
  };
  let open = inString ? from - 1 : quoteAfter(from);
  let lineEnd = -1;
  // Same for the next backslash: searched again only once lexing has passed the last one found.
  let backslash = -2;
  const hasBackslash = (start: number, end: number) => {
    if (backslash !== -1 && backslash < start) backslash = input.indexOf('\\', start);
    return backslash >= 0 && backslash < end;
  };
  while (open < to) {
    // The line end is looked up again only once lexing has passed it: many short literals on one
    // long line must not each search for it.
    if (open >= lineEnd) lineEnd = lineEndAfter(input, open, to);
    let close = -1;
    let escaped = false;
    for (let q = input.indexOf('"', open + 1); q >= 0 && q < lineEnd; q = input.indexOf('"', q + 1)) {
      let k = q - 1;
      while (input.charCodeAt(k) === 92) k--;
      if ((q - 1 - k) % 2 === 0) {
        close = q;
        break;
      }
      escaped = true;
    }
    if (close < 0) {
      // Unterminated: take the rest of the line as the literal (a truncated last line).
      const end = lineEnd;
      onLiteral({ start: open + 1, end, escaped: escaped || hasBackslash(open + 1, end) });
      open = quoteAfter(end);
      continue;
    }
    onLiteral({ start: open + 1, end: close, escaped: escaped || hasBackslash(open + 1, close) });
    open = quoteAfter(close + 1);
  }
}

function lineEndAfter(input: string, index: number, to: number): number {
  const nl = input.indexOf('\n', index);
  return nl >= 0 && nl < to ? nl : to;
}


const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Decodes the escapes of input[start, end). Terminal escape sequences in the result (tool output
 * often carries colour codes) are blanked to spaces of the same length, as in the raw scan.
 */
export function decodeLiteral(input: string, start: number, end: number): DecodedRun {
  let text = '';
  walk(input, start, end, (piece) => {
    text += piece;
  });
  const length = text.length;
  return {
    text: blankEscapes(text),
    encoding: 'json',
    latin1: true,
    map: () => {
      const map = new Int32Array(length + 1);
      map[fillMap(input, start, end, map, 0)] = end;
      return map;
    },
    mapAt: locator(input, start, end),
  };
}

/** A locator looks up at least once every this many decoded characters. */
const CHECKPOINT = 4096;

/**
 * map()[i] of the literal input[start, end), one i at a time. A tool's output can be a literal of
 * several MB, and its whole map four bytes per character, for the one or two secrets in it. The
 * first lookup walks the literal once, noting where a token starts every CHECKPOINT decoded
 * characters; each lookup then walks on from the nearest note.
 */
function locator(input: string, start: number, end: number): (i: number) => number {
  let marks: { from: number[]; decoded: number[] } | null = null;
  const mark = () => {
    const m = { from: [start], decoded: [0] };
    let decoded = 0;
    walk(input, start, end, (piece, from) => {
      if (decoded - m.decoded[m.decoded.length - 1]! >= CHECKPOINT) {
        m.from.push(from);
        m.decoded.push(decoded);
      }
      decoded += piece.length;
    });
    return m;
  };
  return (i) => {
    marks ??= mark();
    const k = lastAtMost(marks.decoded, i);
    let decoded = marks.decoded[k]!;
    let found = end; // map()[length] is where the literal ends
    walk(input, marks.from[k]!, end, (piece, from, escape) => {
      if (i < decoded + piece.length) {
        found = escape ? from : from + (i - decoded);
        return true;
      }
      decoded += piece.length;
      return false;
    });
    return found;
  };
}

/** The index of the last value of the ascending `sorted` that is at most `x` (0 if none is). */
function lastAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Writes where each decoded character of input[start, end) came from into map, from index `at`;
 * returns the index after the last one written. Straight into a typed array sized from the decoded
 * text: a JS number array copied into one afterwards cost several times the memory on a multi-MB
 * tool output line, and a line's map was built from its literals' own maps, copied once more.
 */
function fillMap(input: string, start: number, end: number, map: Int32Array, at: number): number {
  walk(input, start, end, (piece, from, escape) => {
    for (let i = 0; i < piece.length; i++) map[at++] = escape ? from : from + i;
  });
  return at;
}

/**
 * Calls `emit` with the decoded text in order: plain stretches (from = their input index, escape
 * false) and the characters of each escape (from = the backslash's index, escape true). Stops
 * early when `emit` returns true.
 */
function walk(input: string, start: number, end: number, emit: (piece: string, from: number, escape: boolean) => boolean | void): void {
  let i = start;
  while (i < end) {
    const b = input.indexOf('\\', i);
    if (b < 0 || b >= end) {
      emit(input.slice(i, end), i, false);
      return;
    }
    if (b > i && emit(input.slice(i, b), i, false) === true) return;
    const c = input[b + 1];
    if (c !== undefined && b + 1 < end && SIMPLE[c] !== undefined) {
      if (emit(SIMPLE[c]!, b, true) === true) return;
      i = b + 2;
      continue;
    }
    if (c === 'u' && b + 6 <= end) {
      const unit = hex4(input, b + 2);
      if (unit >= 0) {
        let code = unit;
        let length = 6;
        // A surrogate pair is two escapes that make one character.
        if (unit >= 0xd800 && unit < 0xdc00 && input[b + 6] === '\\' && input[b + 7] === 'u' && b + 12 <= end) {
          const low = hex4(input, b + 8);
          if (low >= 0xdc00 && low < 0xe000) {
            code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
            length = 12;
          }
        }
        if (emit(utf8Bytes(code), b, true) === true) return;
        i = b + length;
        continue;
      }
    }
    // Not a valid escape: keep the backslash as it is.
    if (emit('\\', b, false) === true) return;
    i = b + 1;
  }
}

function hex4(input: string, at: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = input.charCodeAt(at + k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** A code point as its UTF-8 bytes, one character per byte (the byte-string form). */
function utf8Bytes(code: number): string {
  if (code < 0x80) return String.fromCharCode(code);
  if (code < 0x800) return String.fromCharCode(0xc0 | (code >> 6), 0x80 | (code & 63));
  if (code < 0x10000) return String.fromCharCode(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  return String.fromCharCode(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
}

/** The JSON layer as a plain decoder: every literal with an escape in it (used for nested JSON). */
export function jsonStrings(input: string): DecodedRun[] {
  const runs: DecodedRun[] = [];
  findLiterals(input, 0, input.length, (lit) => {
    if (lit.escaped) runs.push(decodeLiteral(input, lit.start, lit.end));
  });
  return runs;
}

/**
 * One line with every escaped literal in it decoded in place (quotes and everything between
 * literals kept), or null when no literal in it has an escape. Decoding the whole line, not each
 * literal alone, keeps a value next to its name: `"AWS_SECRET_ACCESS_KEY": "…\/…"` still shows
 * the keyword that the AWS rule looks for.
 */
export function decodeJsonLine(input: string, lineStart: number, lineEnd: number, inString = false): DecodedRun | null {
  const literals: Literal[] = [];
  findLiterals(
    input,
    lineStart,
    lineEnd,
    (lit) => {
      if (lit.escaped) literals.push(lit);
    },
    inString,
  );
  if (!literals.length) return null;
  let text = '';
  let at = lineStart;
  // Where each literal's decoded text starts and ends in the line's, and how to look into it.
  const starts: number[] = [];
  const ends: number[] = [];
  const inside: Array<(i: number) => number> = [];
  for (const lit of literals) {
    text += input.slice(at, lit.start);
    const decoded = decodeLiteral(input, lit.start, lit.end);
    starts.push(text.length);
    text += decoded.text;
    ends.push(text.length);
    inside.push(decoded.mapAt!);
    at = lit.end;
  }
  text += input.slice(at, lineEnd);
  const length = text.length;
  return {
    text,
    encoding: 'json',
    latin1: true,
    map: () => {
      const map = new Int32Array(length + 1);
      let out = 0;
      let from = lineStart;
      const plain = (a: number, b: number) => {
        for (let i = a; i < b; i++) map[out++] = i;
      };
      for (const lit of literals) {
        plain(from, lit.start);
        out = fillMap(input, lit.start, lit.end, map, out);
        from = lit.end;
      }
      plain(from, lineEnd);
      map[out] = lineEnd;
      return map;
    },
    // Between literals the line is copied as it is, so only a literal needs a walk.
    mapAt: (i) => {
      if (!literals.length || i < starts[0]!) return lineStart + i;
      const k = lastAtMost(starts, i);
      return i < ends[k]! ? inside[k]!(i - starts[k]!) : literals[k]!.end + (i - ends[k]!);
    },
  };
}

/**
 * Literals in input[from, to) whose decoded content is itself JSON with escapes: a Codex
 * `function_call.arguments` string, a tool input echoed as text. Their own escapes (`\\n` in the
 * file) are only undone by decoding them a second time.
 */
export function nestedJsonLiterals(input: string, from: number, to: number, inString = false): DecodedRun[] {
  const runs: DecodedRun[] = [];
  findLiterals(
    input,
    from,
    to,
    (lit) => {
      if (!lit.escaped) return;
      const first = input.charCodeAt(lit.start);
      if (first !== 123 && first !== 91) return; // { or [
      const run = decodeLiteral(input, lit.start, lit.end);
      if (run.text.includes('\\')) runs.push(run);
    },
    inString,
  );
  return runs;
}

/**
 * Follows a line's string literals from `lineStart`, reading its quotes once, forwards: where each
 * literal opens and whether a position is inside one. `startsInString`: `lineStart` is already
 * inside a literal (a piece of a line too long to read whole), never in the middle of an escape.
 */
export function quoteReader(raw: RawText, lineStart: number, startsInString: boolean) {
  let inString = startsInString;
  let open = -1; // the quote that opened the literal we are in (-1: before the line)
  let pos = lineStart;
  /** Reads the quotes before `to`; with `close`, stops after the one that closes the current literal. */
  const read = (to: number, close: boolean): void => {
    for (let q = raw.indexOf(34, Math.max(pos, lineStart)); q >= 0 && q < to; q = raw.indexOf(34, q + 1)) {
      pos = q + 1;
      if (!inString) {
        inString = true;
        open = q;
        continue;
      }
      let k = q - 1;
      while (k >= lineStart && raw.codeAt(k) === 92) k--;
      if ((q - 1 - k) % 2 === 1) continue; // an escaped quote
      inString = false;
      if (close) return;
    }
    pos = Math.max(pos, to);
  };
  return {
    readTo: (to: number) => {
      if (to > pos) read(to, false);
    },
    inString: () => inString,
    /** Where the literal we are in opened, if it holds JSON; else -1. */
    nestedOpen: () => (inString && open >= lineStart && (raw.codeAt(open + 1) === 123 || raw.codeAt(open + 1) === 91) ? open : -1),
    /** Reads on to the end of the literal we are in; returns the index after its closing quote (or `limit`). */
    readToClose: (limit: number) => {
      read(limit, true);
      return inString ? limit : pos;
    },
  };
}
