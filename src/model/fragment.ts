import type { TextEncoding } from '../decode/text.js';
import type { SourceKind } from './finding.js';

/**
 * A piece of decoded text and how to map its positions back to the original bytes and lines.
 * A large file arrives as several overlapping fragments; each owns only the matches that start in
 * its [ownedStart, ownedEnd) range, so a key on a chunk boundary is reported exactly once.
 */
export interface Fragment {
  source: SourceKind;
  /** Relative to the scan root, `/`-separated. */
  path: string;
  /**
   * The decoded text. 8-bit input may arrive as `bytes` only: it is decoded when the prefilter finds
   * a keyword in it (see Detector.detectBytes), so files without one are never decoded.
   */
  text?: string;
  bytes?: Buffer;
  encoding: TextEncoding;
  /** Byte offset of text[0] in the original input. */
  byteOffset: number;
  /** Bytes per text unit (1 for 8-bit text, 2 for UTF-16). */
  unit: 1 | 2;
  /** 1-based line of text[0], and the UTF-16 width of its line before text[0]. */
  firstLine: number;
  firstColumn: number;
  ownedStart: number;
  ownedEnd: number;
  /**
   * Set on a piece of a JSON line too long to read whole (see sources/files.ts) that starts inside
   * a string literal, so the JSON layer reads its quotes the right way round.
   */
  jsonInString?: boolean;
  /**
   * When set, only findings that start on these lines (inclusive 1-based ranges, sorted) are
   * reported: a staged file is scanned whole, so a key split over lines is still seen, but only
   * what the commit adds is reported.
   */
  lines?: Array<[number, number]>;
  /**
   * Set when the text was decompressed from the file (a `.zst`): positions are in the decompressed
   * text, and findings span the whole file (`bytes` long), which is what holds them on disk.
   */
  container?: { encoding: 'zstd'; bytes: number };
  /** For history fragments: the commit that introduced this text. */
  commit?: { sha: string; author: string; date: string };
}
