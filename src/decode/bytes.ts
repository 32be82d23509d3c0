/**
 * Helpers for text that holds one byte per character (latin1), the form the raw 8-bit scan and the
 * byte-level decoders (terminal rendering, zsh unmetafying, asciinema streams) work on.
 */

/**
 * Length of the well-formed UTF-8 sequence starting at `i` (2 to 4), or 0 when there is none. The
 * terminal renderer needs this because 0x80–0x9F are C1 controls in 8-bit streams but continuation
 * bytes in UTF-8 ('Ü' is C3 9C, and 9C is ST): a byte inside a valid sequence is never a control.
 */
export function utf8Length(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xc2 || c > 0xf4) return 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = s.charCodeAt(i + k);
    return b >= lo && b <= hi; // NaN past the end compares false
  };
  if (c <= 0xdf) return cont(1) ? 2 : 0;
  if (c <= 0xef) {
    // E0 needs A0..BF (no overlongs), ED needs 80..9F (no surrogates).
    const ok = c === 0xe0 ? cont(1, 0xa0) : c === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok && cont(2) ? 3 : 0;
  }
  // F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
  const ok = c === 0xf0 ? cont(1, 0x90) : c === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
  return ok && cont(2) && cont(3) ? 4 : 0;
}

/** True when the byte at `i` is a continuation byte of a valid UTF-8 sequence that starts before it. */
export function insideUtf8(s: string, i: number): boolean {
  for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
    const c = s.charCodeAt(j);
    if (c >= 0xc2 && c <= 0xf4) return utf8Length(s, j) > i - j;
    if (c < 0x80 || c > 0xbf) return false;
  }
  return false;
}

/** Calls `push` with each UTF-8 byte of a code point (lone surrogates become U+FFFD). */
export function utf8Bytes(cp: number, push: (byte: number) => void): void {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) push(cp);
  else if (cp < 0x800) {
    push(0xc0 | (cp >> 6));
    push(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    push(0xe0 | (cp >> 12));
    push(0x80 | ((cp >> 6) & 0x3f));
    push(0x80 | (cp & 0x3f));
  } else {
    push(0xf0 | (cp >> 18));
    push(0x80 | ((cp >> 12) & 0x3f));
    push(0x80 | ((cp >> 6) & 0x3f));
    push(0x80 | (cp & 0x3f));
  }
}

/** A growable pair of arrays: output character codes and, optionally, where each came from. */
export class RunBuilder {
  codes: Uint16Array;
  map: Int32Array | null;
  length = 0;

  constructor(capacity: number, withMap: boolean) {
    const n = Math.max(16, capacity);
    this.codes = new Uint16Array(n);
    this.map = withMap ? new Int32Array(n + 1) : null;
  }

  push(code: number, src: number): void {
    if (this.length === this.codes.length) this.grow();
    this.codes[this.length] = code;
    if (this.map) this.map[this.length] = src;
    this.length++;
  }

  /** Drops everything pushed after `length` (a half-decoded value that turned out malformed). */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }

  text(): string {
    const parts: string[] = [];
    const CHUNK = 8192; // stays well under the engine's argument-count limit
    for (let i = 0; i < this.length; i += CHUNK) {
      const chunk = this.codes.subarray(i, Math.min(this.length, i + CHUNK));
      // apply takes the typed array as it is; spreading it would go through an iterator.
      parts.push(String.fromCharCode.apply(null, chunk as unknown as number[]));
    }
    return parts.join('');
  }

  /** The map, closed with `end` as the entry for text.length. */
  finishMap(end: number): Int32Array {
    if (!this.map) throw new Error('RunBuilder was built without a map');
    const out = this.map.slice(0, this.length + 1);
    out[this.length] = end;
    return out;
  }

  private grow(): void {
    const codes = new Uint16Array(this.codes.length * 2);
    codes.set(this.codes);
    this.codes = codes;
    if (this.map) {
      const map = new Int32Array(codes.length + 1);
      map.set(this.map);
      this.map = map;
    }
  }
}
