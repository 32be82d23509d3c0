/**
 * Reads one file as fragments. Small files are read whole; large ones in chunks with an overlap
 * wide enough for the longest match, so a file of hundreds of MB never sits in memory at once.
 */
import fs from 'node:fs';
import { quoteReader } from '../decode/json-strings.js';
import { rawBytes } from '../decode/piece.js';
import { decode, sniff, type TextEncoding } from '../decode/text.js';
import { bytesView, stringView } from '../decode/view.js';
import type { SourceKind } from '../model/finding.js';
import type { Fragment } from '../model/fragment.js';
import type { ScanWarning } from '../model/finding.js';
import { isZstd, readZstdWhole } from './zstd.js';

/**
 * A large file is read this much at a time (and a large JSON Lines file in whole lines up to it).
 * It bounds the pages each thread's read buffer and the strings made from it ever touch: 8 MB
 * chunks cost the 200 MB bench ~1,900 more first-touch page faults than 2 MB ones (2.4% of its
 * CPU) and the transcript bench 5% of its time, for fewer overlaps to scan twice.
 */
export const CHUNK_BYTES = 2 * 1024 * 1024;
/** Longer than any rule's window (PEM blocks are the longest), and even, for UTF-16. */
export const OVERLAP_BYTES = 64 * 1024;

export type FileRead =
  | { kind: 'binary'; bytes: number }
  | { kind: 'text'; bytes: number; fragments: Iterable<Fragment> }
  /** Not scanned, for the reason the warning gives (a compressed file that is corrupt or too large). */
  | { kind: 'skipped'; bytes: number; warning: ScanWarning };

/** What large files are read from: an open file, or bytes already in memory (a decompressed file). */
type Input = number | Buffer;

/**
 * One read buffer per thread, reused for every file, every chunk of a large one and every long
 * line: allocating a fresh one per file made the garbage collector a visible cost, and each large
 * buffer left for the collector to free left the allocator's heap a little more fragmented, so
 * resident memory grew with the number of large files scanned. A fragment's bytes point into it,
 * so each file's fragments must be consumed before the next file is read (scanning is
 * synchronous, so they are).
 *
 * It is reserved at its largest size when the thread reads its first file: the system maps its
 * pages only as reads first reach them, so a scan of small files touches a few and memory grows
 * with the largest file or line read, as before. What that saves is growing: a bigger buffer,
 * then the smaller one's bytes copied into it, put every byte read so far into fresh pages again,
 * and each page's first touch costs ~15 µs on a VM (some 2,000 of them in the 200 MB bench).
 */
let scratchBuffer: Buffer | null = null;
function scratch(): Buffer {
  return (scratchBuffer ??= Buffer.allocUnsafe(Math.max(CHUNK_BYTES + 2 * OVERLAP_BYTES, MAX_LINE_BYTES)));
}

/** What the first read of a file asks for: most files are smaller; a larger one's size is then asked. */
const FIRST_READ = 1024 * 1024;

export function readFileFragments(absPath: string, relPath: string, source: SourceKind = 'workspace'): FileRead {
  const fd = fs.openSync(absPath, 'r');
  let closeHere = true;
  try {
    // Most files are smaller than FIRST_READ: one read, no stat (a short read of a regular file is
    // its end). Only a read that fills it asks for the size.
    const buf = scratch();
    const first = fs.readSync(fd, buf, 0, FIRST_READ, 0);
    const size = first < FIRST_READ ? first : fs.fstatSync(fd).size;
    if (isZstd(relPath, buf.subarray(0, first))) return readZstd(fd, size, relPath, source);
    if (size > CHUNK_BYTES + OVERLAP_BYTES) {
      const sniffed = sniffFile(relPath, buf.subarray(0, Math.min(first, 8000)));
      if (sniffed.kind === 'binary') return { kind: 'binary', bytes: size };
      closeHere = false;
      return { kind: 'text', bytes: size, fragments: largeFragments(fd, size, sniffed, buf.subarray(0, first), relPath, source) };
    }
    const bytes = buf.subarray(0, size > first ? first + readAt(fd, buf.subarray(first), size - first, first) : first);
    const sniffed = sniffFile(relPath, bytes.subarray(0, 8000));
    if (sniffed.kind === 'binary') return { kind: 'binary', bytes: bytes.length };
    return { kind: 'text', bytes: bytes.length, fragments: [wholeFragment(bytes, sniffed.encoding, sniffed.bom, relPath, source)] };
  } finally {
    if (closeHere) fs.closeSync(fd);
  }
}

/**
 * Cursor keeps its chats in SQLite (`state.vscdb`): binary pages, but the chat JSON sits in them as
 * text, so those files are read as 8-bit text like any other rather than skipped.
 */
function sniffFile(relPath: string, head: Buffer): ReturnType<typeof sniff> {
  if (relPath.endsWith('.vscdb')) return { kind: 'text', encoding: 'utf8', bom: 0 };
  return sniff(head);
}

export function wholeFragment(bytes: Buffer, encoding: TextEncoding, bom: number, path: string, source: SourceKind): Fragment {
  if (encoding === 'utf8') {
    const body = bytes.subarray(bom);
    return { source, path, bytes: body, encoding, byteOffset: bom, unit: 1, firstLine: 1, firstColumn: 0, ownedStart: 0, ownedEnd: body.length };
  }
  const d = decode(bytes, encoding, bom);
  return { source, path, text: d.text, encoding, byteOffset: bom, unit: d.unit, firstLine: 1, firstColumn: 0, ownedStart: 0, ownedEnd: d.text.length };
}

function* chunkedFragments(input: Input, size: number, encoding: TextEncoding, bom: number, path: string, source: SourceKind): Generator<Fragment> {
  try {
    // One buffer for every chunk: a fragment is consumed before the next chunk is read into it.
    const buf = scratch();
    // Position (line, column) of the byte where the next fragment's text starts.
    let line = 1;
    let column = 0;
    for (let owned = bom; owned < size; owned += CHUNK_BYTES) {
      const from = Math.max(bom, owned - OVERLAP_BYTES);
      const to = Math.min(size, owned + CHUNK_BYTES + OVERLAP_BYTES);
      const n = readAt(input, buf, to - from, from);
      if (n <= 0) break;
      const bytes = buf.subarray(0, n);
      // 8-bit text stays bytes (decoded around keyword hits only); UTF-16 is decoded whole.
      const text = encoding === 'utf8' ? undefined : decode(bytes, encoding, 0).text;
      const view = text === undefined ? bytesView(bytes) : stringView(text);
      const unit: 1 | 2 = encoding === 'utf8' ? 1 : 2;
      const ownedStart = (owned - from) / unit;
      const ownedEnd = Math.min(view.length, (owned + CHUNK_BYTES - from) / unit);
      yield { source, path, ...(text === undefined ? { bytes } : { text }), encoding, byteOffset: from, unit, firstLine: line, firstColumn: column, ownedStart, ownedEnd };
      // Advance the position to where the next fragment's text begins.
      const nextFrom = owned + CHUNK_BYTES - OVERLAP_BYTES;
      if (nextFrom >= size) break;
      const upTo = (nextFrom - from) / unit;
      let lastNewline = -1;
      for (let i = view.newlineAfter(0, upTo); i >= 0; i = view.newlineAfter(i + 1, upTo)) {
        line++;
        lastNewline = i;
      }
      column = lastNewline >= 0 ? upTo - lastNewline - 1 : column + upTo;
    }
  } finally {
    if (typeof input === 'number') fs.closeSync(input);
  }
}

/** A file too large to read whole (`head` its first bytes): JSON Lines in whole lines, other text in overlapping chunks. */
function largeFragments(input: Input, size: number, sniffed: { encoding: TextEncoding; bom: number }, head: Buffer, path: string, source: SourceKind): Iterable<Fragment> {
  return sniffed.encoding === 'utf8' && startsWithJson(head.subarray(sniffed.bom))
    ? lineFragments(input, size, sniffed.bom, path, source)
    : chunkedFragments(input, size, sniffed.encoding, sniffed.bom, path, source);
}

/** JSON Lines (agent transcripts, casts) and JSON documents start with `{` or `[`. */
function startsWithJson(head: Buffer): boolean {
  for (const c of head.subarray(0, 64)) {
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    return c === 123 || c === 91;
  }
  return false;
}

/**
 * A single line longer than this is read in overlapping chunks like any other text. Each thread
 * holds a line this long some three times over (the read buffer, its text, its JSON-decoded text),
 * so it bounds a scan's memory: at 64 MB, two threads on two long lines passed 300 MB. Agent
 * records this long are rare (a whole bundle printed by a tool), and a chunk of one still gets its
 * JSON strings decoded (see jsonInString); only its transcript context is then partial.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Large JSON Lines files are cut at line ends, never inside a record: the JSON layer must see
 * each line whole to know which quotes open a string, and a record of several MB (a tool result
 * holding a whole file) must not be split where a key could hide. A JSONL record has no raw
 * newline inside, so no overlap is needed. Only a line longer than MAX_LINE_BYTES falls back to
 * overlapping chunks.
 */
function* lineFragments(input: Input, size: number, bom: number, path: string, source: SourceKind): Generator<Fragment> {
  try {
    const whole = scratch();
    const shared = whole.subarray(0, CHUNK_BYTES);
    let buf = shared;
    let line = 1;
    let column = 0;
    let from = bom;
    let ownedFrom = bom; // where this fragment's own findings start (after an overlap)
    let inString = false; // whether `from` is inside a JSON string (within an overlong line)
    while (from < size) {
      let n = readAt(input, buf, Math.min(buf.length, size - from), from);
      if (n <= 0) break;
      let cut = from + n >= size ? n : buf.lastIndexOf(10, n - 1) + 1;
      // No line end in the buffer: read on into more of the scratch buffer (the bytes read so far
      // stay where they are) until one shows, up to MAX_LINE_BYTES.
      while (cut === 0 && buf.length < MAX_LINE_BYTES && from + n < size) {
        buf = whole.subarray(0, Math.min(MAX_LINE_BYTES, buf.length * 2));
        n += readAt(input, buf.subarray(n), Math.min(buf.length - n, size - from - n), from + n);
        cut = from + n >= size ? n : buf.lastIndexOf(10, n - 1) + 1;
      }
      const overlong = cut === 0;
      const end = overlong ? n : cut;
      const bytes = buf.subarray(0, end);
      const ownedStart = ownedFrom - from;
      // An overlong line: own all but the last overlap, which the next fragment reads again.
      const ownedEnd = overlong && from + end < size ? end - OVERLAP_BYTES : end;
      yield { source, path, bytes, encoding: 'utf8', byteOffset: from, unit: 1, firstLine: line, firstColumn: column, ownedStart, ownedEnd, ...(inString ? { jsonInString: true } : {}) };
      const cutsLine = overlong && from + end < size;
      let next = from + ownedEnd - (cutsLine ? OVERLAP_BYTES : 0);
      // The next piece of a cut line must not start in the middle of an escape (after a
      // backslash), and is told whether it starts inside a string.
      while (cutsLine && next > from && buf[next - from - 1] === 92) next--;
      inString = cutsLine && inJsonString(bytes, next - from, inString);
      const view = bytesView(bytes);
      const upTo = next - from;
      let lastNewline = -1;
      for (let i = view.newlineAfter(0, upTo); i >= 0; i = view.newlineAfter(i + 1, upTo)) {
        line++;
        lastNewline = i;
      }
      column = lastNewline >= 0 ? upTo - lastNewline - 1 : column + upTo;
      ownedFrom = from + ownedEnd;
      from = next;
      // Back to chunk-sized reads once a long line is done.
      if (buf.length > CHUNK_BYTES && !overlong) buf = shared;
    }
  } finally {
    if (typeof input === 'number') fs.closeSync(input);
  }
}

/**
 * Whether byte `to` of `bytes` lies inside a JSON string, given whether byte 0 does (byte 0 never
 * being the middle of an escape).
 */
export function inJsonString(bytes: Buffer, to: number, inString: boolean): boolean {
  const quotes = quoteReader(rawBytes(bytes, 0), 0, inString);
  quotes.readTo(to);
  return quotes.inString();
}

function readAt(input: Input, buf: Buffer, length: number, position: number): number {
  if (typeof input !== 'number') return input.copy(buf, 0, position, Math.min(input.length, position + length));
  let got = 0;
  while (got < length) {
    const n = fs.readSync(input, buf, got, length - got, position + got);
    if (n === 0) break; // the file shrank while we read it
    got += n;
  }
  return got;
}

/**
 * A zstd-compressed JSON Lines file (Codex keeps rollouts as `rollout-….jsonl.zst`): decompressed in
 * memory, then read like any file. Its fragments say so (`container`), and the findings in it point
 * at the whole file: a key inside compressed bytes has no span of its own there to rewrite.
 */
function readZstd(fd: number, size: number, relPath: string, source: SourceKind): FileRead {
  const inflated = readZstdWhole(fd, size, relPath);
  if (!Buffer.isBuffer(inflated)) return { kind: 'skipped', bytes: 0, warning: inflated };
  const sniffed = sniffFile(relPath, inflated.subarray(0, 8000));
  if (sniffed.kind === 'binary') return { kind: 'binary', bytes: inflated.length };
  const container = { encoding: 'zstd' as const, bytes: size };
  const fragments: Iterable<Fragment> =
    inflated.length <= CHUNK_BYTES + OVERLAP_BYTES
      ? [wholeFragment(inflated, sniffed.encoding, sniffed.bom, relPath, source)]
      : largeFragments(inflated, inflated.length, sniffed, inflated, relPath, source);
  return { kind: 'text', bytes: inflated.length, fragments: withContainer(fragments, container) };
}

function* withContainer(fragments: Iterable<Fragment>, container: NonNullable<Fragment['container']>): Generator<Fragment> {
  for (const f of fragments) yield { ...f, container };
}
