/**
 * Bytes → text the detector can match, with a way back from text positions to original bytes.
 *
 * UTF-8 and unknown 8-bit input is decoded as latin1: one character per byte, so a text index *is* a
 * byte offset (the rewriter needs exact bytes), invalid UTF-8 can't break decoding, and V8 keeps the
 * string one byte wide, which makes both the prefilter and the regexes faster. Keys are ASCII, so
 * nothing is lost for matching; line columns are converted back to characters when reported.
 * UTF-16 (with a BOM, or recognised by its zero bytes) is decoded properly: two bytes per unit.
 */
import { blankEscapes } from './ansi.js';

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** Bytes before text index 0 (a UTF-16 BOM). */
  offset: number;
  /** Bytes per text unit: 1 for 8-bit text, 2 for UTF-16. */
  unit: 1 | 2;
}

export type Sniffed = { kind: 'binary' } | { kind: 'text'; encoding: TextEncoding; bom: number };

/** Like git: a NUL in the first 8000 bytes means binary, unless the zeros say UTF-16. */
export function sniff(head: Buffer): Sniffed {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { kind: 'text', encoding: 'utf16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { kind: 'text', encoding: 'utf16be', bom: 2 };
  const n = Math.min(head.length, 8000);
  const nul = head.subarray(0, n).indexOf(0);
  if (nul < 0) return { kind: 'text', encoding: 'utf8', bom: 0 };
  // BOM-less UTF-16 of mostly ASCII text: every other byte is zero.
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i + 1 < n; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  const pairs = Math.floor(n / 2);
  if (pairs >= 8 && oddZero > pairs * 0.9 && evenZero < pairs * 0.05) return { kind: 'text', encoding: 'utf16le', bom: 0 };
  if (pairs >= 8 && evenZero > pairs * 0.9 && oddZero < pairs * 0.05) return { kind: 'text', encoding: 'utf16be', bom: 0 };
  // A transcript or log appended by a process that crashed may hold a run of zero bytes (a block
  // the file system never filled): JSON Lines with a few NULs are still text, and must be read.
  if (head[0] === 123 && evenZero + oddZero < n * 0.1) return { kind: 'text', encoding: 'utf8', bom: 0 };
  return { kind: 'binary' };
}

export function decode(bytes: Buffer, encoding: TextEncoding, offset: number): DecodedText {
  if (encoding === 'utf8') return { text: blankEscapes(bytes.toString('latin1', offset)), encoding, offset, unit: 1 };
  const body = bytes.subarray(offset, offset + ((bytes.length - offset) & ~1));
  if (encoding === 'utf16le') return { text: blankEscapes(body.toString('utf16le')), encoding, offset, unit: 2 };
  const swapped = Buffer.from(body);
  swapped.swap16();
  return { text: blankEscapes(swapped.toString('utf16le')), encoding, offset, unit: 2 };
}

/**
 * Width of a line prefix in UTF-16 units: for 8-bit text the prefix is raw bytes and may hold
 * multi-byte UTF-8 characters, which count once each.
 */
export function columnWidth(prefix: string, encoding: TextEncoding): number {
  if (encoding !== 'utf8') return prefix.length;
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(prefix)) return prefix.length;
  return Buffer.from(prefix, 'latin1').toString('utf8').length;
}
