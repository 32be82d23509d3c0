/**
 * Crash-safe whole-file replacement: the new bytes go to a temp file in the same folder, are synced,
 * then renamed over the file (and the folder synced), so after a crash at any point the file is
 * wholly old or wholly new. The file's mode is kept; a leftover temp file holds only new bytes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { step } from './faults.js';

export function sha256(bytes: Buffer | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** The temp file a run uses for `file` (known in advance, so a re-run or undo can remove a leftover). */
export function tempFor(file: string, runId: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.outloop-${runId}.tmp`);
}

export function writeAtomic(file: string, bytes: Buffer | string, options: { mode: number; tmp: string; label?: string }): void {
  const label = options.label ?? path.basename(file);
  const tmp = options.tmp;
  const fd = fs.openSync(tmp, 'w', options.mode & 0o7777);
  try {
    step(`open-temp ${label}`);
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    step(`write-temp ${label}`);
    fs.fchmodSync(fd, options.mode & 0o7777); // the umask may have narrowed it
    fs.fsyncSync(fd);
    step(`sync-temp ${label}`);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  step(`rename ${label}`);
  syncDir(path.dirname(file));
}

export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse to sync a folder; the rename is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
