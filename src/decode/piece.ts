/**
 * A decoding layer (JSON string escapes, base64, percent-encoding, terminal rendering, shell history
 * quoting) turns a run of input into text the detector can match, plus a map back to where each
 * character came from. A secret found in the decoded text is fingerprinted as decoded, but reported
 * at the original bytes, so the rewriter still knows exactly what to replace.
 *
 * Maps are built lazily: most decoded text holds no secret, and a transcript has millions of
 * strings, so a map is only computed for a run in which the detector found something.
 */

/** Names of the layers, as they appear in a finding's `encoding` field. */
export type LayerName = 'json' | 'base64' | 'percent' | 'terminal' | 'zsh-history' | 'fish-history' | 'asciinema';

/**
 * What a decoder returns, in the coordinates of its own input string: `map()[i]` is the input index
 * that decoded character i came from and `map()[text.length]` is the input index where the run ends.
 * The map never decreases.
 */
export interface DecodedRun {
  text: string;
  map: () => Int32Array;
  /**
   * map()[i] alone, without building the whole map: given by runs that can be megabytes long (a
   * JSON line of tool output) and hold a secret or two, where a whole map is 4 bytes a character.
   */
  mapAt?: (i: number) => number;
  encoding: LayerName;
  /**
   * True when characters can't be tied to single input positions (base64: four characters make three
   * bytes). A secret inside is then reported at the whole encoded run, map[0]..map[text.length].
   */
  wholeRun?: boolean;
  /**
   * True when `text` holds one input byte per character (latin1, like the raw 8-bit scan), as a
   * terminal renderer over raw bytes does. False (the default) means real characters.
   */
  latin1?: boolean;
}

/** A decoder: one input string → the runs worth scanning (those that differ from the input). */
export type Decoder = (input: string) => DecodedRun[];

/**
 * A run placed in the original file's byte offsets (see compose). Offsets are looked up one
 * character at a time, never materialised for the whole piece: two Int32Arrays over an 8 MB
 * fragment (32 MB each), built for every fragment with a decoded finding, were most of what a
 * transcript scan allocated.
 */
export interface DecodedPiece {
  text: string;
  /** The file byte offset of decoded character i; at(text.length) is where the piece ends. */
  at: (i: number) => number;
  /**
   * The file byte offset just after what decoded character i came from: a secret's span ends
   * there, not where the next character came from (a colour reset or the JSON between two terminal
   * events may sit in between, and must not be replaced with the secret).
   */
  endAt: (i: number) => number;
  /** Outermost layer first: a base64 value inside a JSON string is ['json', 'base64']. */
  layers: LayerName[];
  /** Set when some layer was a whole run (see DecodedRun.wholeRun): every match reports this range. */
  whole: () => { start: number; end: number } | null;
  latin1: boolean;
}

/** Computes once, on first use. */
export function lazy<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/**
 * A piece for undecoded text starting at byte `base`: 8-bit text (one byte per character, latin1)
 * or UTF-16 text (two bytes per character). Its offsets are arithmetic, so it holds no map.
 */
export function rawPiece(text: string, base: number, unit: 1 | 2 = 1): DecodedPiece {
  return {
    text,
    at: (i) => base + i * unit,
    endAt: (i) => base + (i + 1) * unit,
    layers: [],
    whole: () => null,
    latin1: unit === 1,
  };
}

/**
 * Undecoded text that layers read a stretch at a time: a JSON line around a keyword hit needs only
 * that line as a string, not the whole 2 MB chunk it sits in (a string that size outlives a few
 * young-generation collections, and is then freed only by a full one).
 */
export interface RawText {
  readonly length: number;
  /** Index of the first character `code` at or after `from`, or -1. */
  indexOf(code: number, from: number): number;
  /** Index of the last character `code` at or before `from`, or -1. */
  lastIndexOf(code: number, from: number): number;
  /** The character code at `index` (NaN outside the text). */
  codeAt(index: number): number;
  /** A piece for text[start, end), placed at its bytes in the file. */
  piece(start: number, end: number): DecodedPiece;
}

/** 8-bit bytes starting at file byte `base`, as latin1 text (one byte per character). */
export function rawBytes(bytes: Buffer, base: number): RawText {
  return {
    length: bytes.length,
    indexOf: (code, from) => bytes.indexOf(code, from),
    lastIndexOf: (code, from) => (from < 0 ? -1 : bytes.lastIndexOf(code, from)),
    codeAt: (index) => bytes[index] ?? NaN,
    piece: (start, end) => rawPiece(bytes.toString('latin1', start, end), base + start),
  };
}

/** Decoded text (UTF-16 input) starting at file byte `base`, `unit` bytes per character. */
export function rawString(text: string, base: number, unit: 1 | 2): RawText {
  return {
    length: text.length,
    indexOf: (code, from) => text.indexOf(String.fromCharCode(code), from),
    lastIndexOf: (code, from) => (from < 0 ? -1 : text.lastIndexOf(String.fromCharCode(code), from)),
    codeAt: (index) => text.charCodeAt(index),
    piece: (start, end) => rawPiece(start === 0 && end === text.length ? text : text.slice(start, end), base + start * unit, unit),
  };
}

/**
 * How many input characters the token at `at` spans: an escape (`\n`, `\u002d`, a surrogate pair
 * of two `\u` escapes), a percent escape, a zsh Meta pair, or one plain character. This is what
 * every layer's characters come from, so one rule gives every layer's character ends.
 */
export function tokenWidth(input: string, at: number): number {
  const c = input.charCodeAt(at);
  if (c === 92) {
    if (input.charCodeAt(at + 1) !== 117) return 2; // \n, \", \/ ...
    if (input.charCodeAt(at + 6) === 92 && input.charCodeAt(at + 7) === 117 && /^[dD][89abAB]/.test(input.slice(at + 2, at + 4))) return 12;
    return 6;
  }
  if (c === 37 && /^[0-9A-Fa-f]{2}$/.test(input.slice(at + 1, at + 3))) return 3;
  if (c === 0x83) return 2;
  return 1;
}

/**
 * Places a run decoded from `parent.text` into the parent's byte coordinates. At most the run's own
 * map is built (run-sized, once a match needs it, and not at all when the run can look up one
 * character alone); each lookup goes through the parent's.
 */
export function compose(parent: DecodedPiece, run: DecodedRun): DecodedPiece {
  const map = lazy(run.map);
  const local = run.mapAt ?? ((i: number) => map()[i]!);
  const at = (i: number) => parent.at(local(i));
  const endAt = (i: number) => {
    const from = local(i);
    return parent.endAt(Math.min(parent.text.length - 1, from + tokenWidth(parent.text, from) - 1));
  };
  // Every character of a whole run stands for all of it: a match anywhere covers the run.
  const whole = lazy(() => {
    const inherited = parent.whole();
    if (inherited || !run.wholeRun) return inherited;
    return { start: at(0), end: at(run.text.length) };
  });
  return { text: run.text, at, endAt, layers: [...parent.layers, run.encoding], whole, latin1: run.latin1 === true && parent.latin1 };
}

/** The byte range a match [start, end) of the piece's text covers in the original input. */
export function pieceSpan(piece: DecodedPiece, start: number, end: number): { start: number; end: number } {
  const whole = piece.whole();
  if (whole) return { ...whole };
  return { start: piece.at(start), end: end > start ? piece.endAt(end - 1) : piece.at(start) };
}
