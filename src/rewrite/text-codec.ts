/**
 * The text encodings a rewrite writes in: a file keeps its own (a UTF-16 registry export stays
 * UTF-16, BOM and all). Spans are byte offsets in the file, so only the replaced bytes are encoded.
 */
import type { TextEncoding } from '../decode/text.js';

export function decodeBytes(bytes: Buffer, encoding: TextEncoding): string {
  if (encoding === 'utf8') return bytes.toString('utf8');
  const even = bytes.subarray(0, bytes.length & ~1);
  return encoding === 'utf16le' ? even.toString('utf16le') : Buffer.from(even).swap16().toString('utf16le');
}

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  return encoding === 'utf16le' ? le : le.swap16();
}

/** Bytes per code unit: where a line break can start. */
export function unitOf(encoding: TextEncoding): 1 | 2 {
  return encoding === 'utf8' ? 1 : 2;
}

/** The code unit at a byte offset (a byte in UTF-8). */
export function unitAt(bytes: Buffer, at: number, encoding: TextEncoding): number {
  if (encoding === 'utf8') return bytes[at]!;
  return encoding === 'utf16le' ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
}
