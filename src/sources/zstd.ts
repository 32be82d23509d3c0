/**
 * zstd-compressed files: newer Codex builds keep rollouts as `rollout-….jsonl.zst` (and read both
 * forms, the plain `.jsonl` winning when both exist), so a key an agent saw can sit in one.
 * Node 20 has no zstd, hence fzstd (a small decoder in plain JavaScript, loaded only for such files).
 * The output is capped: a few KB of zstd can claim gigabytes, and the whole file is held in memory.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { ScanWarning } from '../model/finding.js';

/** A frame's magic number, little-endian 0xFD2FB528. */
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** At most this much decompressed text per file; past it the file is skipped with a warning. */
export const MAX_ZSTD_OUTPUT = 256 * 1024 * 1024;

/**
 * A compressed JSON Lines file (Codex's `.jsonl.zst`) that starts like a zstd frame. Other `.zst`
 * files (a `.tar.zst` backup, a dataset) stay binary: decompressing them would cost a folder scan
 * time and memory for content that is rarely text.
 */
export function isZstd(relPath: string, head: Buffer): boolean {
  return relPath.endsWith('.jsonl.zst') && head.length >= 4 && MAGIC.every((b, i) => head[i] === b);
}

type Fzstd = typeof import('fzstd');
const fzstd = (): Fzstd => createRequire(import.meta.url)('fzstd') as Fzstd;

/** Thrown from the decoder's callback to stop it once the output passes the cap. */
class TooLarge extends Error {}

/**
 * The decompressed content of the open file `fd` (`size` bytes of zstd), or the warning that says
 * why there is none: not valid zstd (cut short, corrupt) or more than `limit` bytes of output.
 */
export function readZstdWhole(fd: number, size: number, relPath: string, limit = MAX_ZSTD_OUTPUT): Buffer | ScanWarning {
  // zstd adds a few bytes at most to data it can't shrink: a compressed file past the cap would
  // decompress past it too (give or take those bytes), so it isn't read at all.
  if (size > limit) return tooLarge(relPath, limit);
  const input = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = fs.readSync(fd, input, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return inflate(input.subarray(0, got), relPath, limit);
}

export function inflate(input: Uint8Array, relPath: string, limit = MAX_ZSTD_OUTPUT): Buffer | ScanWarning {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new (fzstd().Decompress)((data) => {
      total += data.length;
      if (total > limit) throw new TooLarge();
      chunks.push(data.slice()); // the decoder may reuse its block buffer
    });
    // `final`: input that ends mid-frame (cut short) is an error, not more data to wait for.
    stream.push(input, true);
  } catch (err) {
    if (err instanceof TooLarge) return tooLarge(relPath, limit);
    return { path: relPath, kind: 'encoding', message: `not valid zstd (${(err as Error).message || 'corrupt data'}): skipped` };
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(relPath: string, limit: number): ScanWarning {
  return { path: relPath, kind: 'too-large', message: `zstd file decompresses to more than ${limit / (1024 * 1024)} MB: skipped` };
}

/** Thrown from the decoder's callback once the head is decoded. */
class Enough extends Error {}

/**
 * The first `bytes` of a `.jsonl.zst` file's decompressed content: what an audit reads to learn
 * where a session ran, without decompressing the whole rollout. Shorter when the file is, and
 * empty when it isn't zstd (or as much as was decoded before corrupt data).
 */
export function inflateHead(file: string, bytes: number): Buffer {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const fd = fs.openSync(file, 'r');
  try {
    const stream = new (fzstd().Decompress)((data) => {
      chunks.push(data.slice());
      total += data.length;
      if (total >= bytes) throw new Enough();
    });
    for (let at = 0; ; ) {
      // A fresh buffer for each piece: the decoder keeps a piece that ends mid-block.
      const piece = Buffer.allocUnsafe(64 * 1024);
      const n = fs.readSync(fd, piece, 0, piece.length, at);
      at += n;
      stream.push(piece.subarray(0, n), n === 0);
      if (n === 0) break;
    }
  } catch {
    // Enough (the head is decoded), or corrupt data: what was decoded is the head.
  } finally {
    fs.closeSync(fd);
  }
  return Buffer.concat(chunks, total).subarray(0, bytes);
}
