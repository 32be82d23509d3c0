/**
 * A strict UTF-8 decoder fed one byte at a time, for decoders that must prove bytes are text before
 * they allocate anything (base64, percent-encoding). Overlong forms, surrogates and code points past
 * U+10FFFF are invalid, as in the WHATWG decoder with `fatal: true`.
 */

/** Returned by `push` while a multi-byte character is still incomplete. */
export const UTF8_MORE = -1;
/** Returned by `push` for a byte that can't continue valid UTF-8; the stream must be reset. */
export const UTF8_INVALID = -2;

export class Utf8Stream {
  private need = 0;
  private cp = 0;
  /** Smallest code point the current sequence may encode (rejects overlong forms). */
  private min = 0;

  reset(): void {
    this.need = 0;
  }

  /** True when no character is half-decoded. */
  get idle(): boolean {
    return this.need === 0;
  }

  /** Feeds one byte; returns a completed code point, UTF8_MORE or UTF8_INVALID. */
  push(b: number): number {
    if (this.need === 0) {
      if (b < 0x80) return b;
      if (b >= 0xc2 && b <= 0xdf) return this.start(b & 0x1f, 1, 0x80);
      if (b >= 0xe0 && b <= 0xef) return this.start(b & 0x0f, 2, 0x800);
      if (b >= 0xf0 && b <= 0xf4) return this.start(b & 0x07, 3, 0x10000);
      return UTF8_INVALID;
    }
    if ((b & 0xc0) !== 0x80) return UTF8_INVALID;
    this.cp = (this.cp << 6) | (b & 0x3f);
    if (--this.need > 0) return UTF8_MORE;
    const cp = this.cp;
    if (cp < this.min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return UTF8_INVALID;
    return cp;
  }

  private start(bits: number, need: number, min: number): number {
    this.cp = bits;
    this.need = need;
    this.min = min;
    return UTF8_MORE;
  }
}

/** Text a person could read: tab, newline and carriage return, but no other control characters. */
export function isPrintable(cp: number): boolean {
  if (cp >= 0x20 && cp < 0x7f) return true;
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return true;
  // C1 controls (U+0080..U+009F) are what random bytes decode to most often past ASCII.
  return cp >= 0xa0 && cp !== 0xfffe && cp !== 0xffff;
}
