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

/** A run placed in the original file's byte offsets (see compose). */
export interface DecodedPiece {
  text: string;
  /** map()[i] is the file byte offset of decoded character i; map()[text.length] is where it ends. */
  map: () => Int32Array;
  /**
   * ends()[i] is the file byte offset just after what decoded character i came from: a secret's
   * span ends there, not where the next character came from (a colour reset or the JSON between
   * two terminal events may sit in between, and must not be replaced with the secret).
   */
  ends: () => Int32Array;
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

/** A map where character i came from input index base + i * unit. */
export function identityMap(length: number, base = 0, unit = 1): Int32Array {
  const map = new Int32Array(length + 1);
  for (let i = 0; i <= length; i++) map[i] = base + i * unit;
  return map;
}

/**
 * A piece for undecoded text starting at byte `base`: 8-bit text (one byte per character, latin1)
 * or UTF-16 text (two bytes per character).
 */
export function rawPiece(text: string, base: number, unit: 1 | 2 = 1): DecodedPiece {
  return {
    text,
    map: lazy(() => identityMap(text.length, base, unit)),
    ends: lazy(() => identityMap(text.length, base + unit, unit).subarray(0, text.length)),
    layers: [],
    whole: () => null,
    latin1: unit === 1,
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

/** Places a run decoded from `parent.text` into the parent's byte coordinates. */
export function compose(parent: DecodedPiece, run: DecodedRun): DecodedPiece {
  const map = lazy(() => {
    const local = run.map();
    const outer = parent.map();
    const out = new Int32Array(local.length);
    for (let i = 0; i < local.length; i++) out[i] = outer[local[i]!]!;
    return out;
  });
  const ends = lazy(() => {
    const local = run.map();
    const outer = parent.ends();
    const out = new Int32Array(Math.max(0, local.length - 1));
    for (let i = 0; i < out.length; i++) out[i] = outer[Math.min(outer.length - 1, local[i]! + tokenWidth(parent.text, local[i]!) - 1)]!;
    return out;
  });
  // Every character of a whole run stands for all of it: a match anywhere covers the run.
  const whole = lazy(() => {
    const inherited = parent.whole();
    if (inherited || !run.wholeRun) return inherited;
    const m = map();
    return { start: m[0]!, end: m[m.length - 1]! };
  });
  return { text: run.text, map, ends, layers: [...parent.layers, run.encoding], whole, latin1: run.latin1 === true && parent.latin1 };
}

/** The byte range a match [start, end) of the piece's text covers in the original input. */
export function pieceSpan(piece: DecodedPiece, start: number, end: number): { start: number; end: number } {
  const whole = piece.whole();
  if (whole) return { ...whole };
  return { start: piece.map()[start]!, end: end > start ? piece.ends()[end - 1]! : piece.map()[start]! };
}
