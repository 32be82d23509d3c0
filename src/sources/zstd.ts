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

/** Thrown from the decoder's callback once its output passes the limit. */
class PastLimit extends Error {}

/**
 * Runs the decoder over what `feed` pushes into it, keeping the output up to a little past `limit`
 * bytes (the decoder is stopped in the block that passes it). `stopped` says why it ended early:
 * the limit, or data that isn't valid zstd (the error's message); what was decoded is kept either way.
 */
function decode(feed: (push: (piece: Uint8Array, final: boolean) => void) => void, limit: number): { data: Buffer; stopped: 'limit' | string | null } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let stopped: 'limit' | string | null = null;
  try {
    const stream = new (fzstd().Decompress)((data) => {
      chunks.push(data.slice()); // the decoder may reuse its block buffer
      total += data.length;
      if (total > limit) throw new PastLimit();
    });
    feed((piece, final) => stream.push(piece, final));
  } catch (err) {
    stopped = err instanceof PastLimit ? 'limit' : (err as Error).message || 'corrupt data';
  }
  return { data: Buffer.concat(chunks, total), stopped };
}

/**
 * The decompressed content of the open file `fd` (`size` bytes of zstd), or the warning that says
 * why there is none: not valid zstd (cut short, corrupt) or more than `limit` bytes of output.
 */
export function readZstdWhole(fd: number, size: number, relPath: string, limit = MAX_ZSTD_OUTPUT): Buffer | ScanWarning {
  // zstd adds a few bytes at most to data it can't shrink: a compressed file past the cap would
  // decompress past it too (give or take those bytes), so it isn't read at all.
  if (size > limit) return tooLarge(relPath, limit);
  // pread-style reads before this one left the file's position at 0: this reads it whole.
  return inflate(fs.readFileSync(fd), relPath, limit);
}

export function inflate(input: Uint8Array, relPath: string, limit = MAX_ZSTD_OUTPUT): Buffer | ScanWarning {
  // `final`: input that ends mid-frame (cut short) is an error, not more data to wait for.
  const { data, stopped } = decode((push) => push(input, true), limit);
  if (stopped === 'limit') return tooLarge(relPath, limit);
  if (stopped !== null) return { path: relPath, kind: 'encoding', message: `not valid zstd (${stopped}): skipped` };
  return data;
}

function tooLarge(relPath: string, limit: number): ScanWarning {
  return { path: relPath, kind: 'too-large', message: `zstd file decompresses to more than ${limit / (1024 * 1024)} MB: skipped` };
}

/**
 * The first `bytes` of a `.jsonl.zst` file's decompressed content: what an audit reads to learn
 * where a session ran, without decompressing the whole rollout. Shorter when the file is, and
 * empty when it isn't zstd (or as much as was decoded before corrupt data).
 */
export function inflateHead(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const { data } = decode((push) => {
      for (let at = 0; ; ) {
        // A fresh buffer for each piece: the decoder keeps a piece that ends mid-block.
        const piece = Buffer.allocUnsafe(64 * 1024);
        const n = fs.readSync(fd, piece, 0, piece.length, at);
        at += n;
        push(piece.subarray(0, n), n === 0);
        if (n === 0) return;
      }
    }, bytes);
    return data.subarray(0, bytes);
  } finally {
    fs.closeSync(fd);
  }
}
