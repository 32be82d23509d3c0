/**
 * Writes a whole file through a temp file in the same folder and a rename, so a reader (or a crash)
 * sees either the old file or the new one, never half of one. Failures become a one-line UsageError.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './model/errors.js';

export function writeFileWhole(file: string, content: string, options: { mode?: number; what?: string } = {}): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written and flushed to disk before the rename, so a crash leaves the old file or the new one.
    const fd = fs.openSync(tmp, 'w', options.mode ?? 0o666);
    try {
      fs.writeFileSync(fd, content);
      if (options.mode !== undefined) fs.fchmodSync(fd, options.mode); // the umask may have narrowed it
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${options.what ?? file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
