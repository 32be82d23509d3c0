/**
 * One rewrite or undo at a time per root: `.outloop/lock`, created with O_EXCL. A lock whose process
 * is gone (same host) or older than `staleMinutes` is stale and taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../model/errors.js';

export const DEFAULT_STALE_MINUTES = 30;

export function lockPath(root: string): string {
  return path.join(root, '.outloop', 'lock');
}

export function acquireLock(root: string, options: { staleMinutes?: number; what?: string } = {}): () => void {
  const file = lockPath(root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const stale = (options.staleMinutes ?? DEFAULT_STALE_MINUTES) * 60_000;
  const body = JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), what: options.what ?? 'rewrite' }) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
      fs.writeSync(fd, body);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readLock(file);
    const age = held ? Date.now() - Date.parse(held.started) : Infinity;
    const dead = held !== null && held.host === os.hostname() && !alive(held.pid);
    if (held === null || dead || !(age < stale)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    throw new UsageError(`another outloop ${held.what ?? 'run'} holds ${file} (pid ${held.pid} since ${held.started}); wait for it, or remove the file if that process is gone`);
  }
  throw new UsageError(`cannot take ${file}; another run keeps taking it`);
}

function readLock(file: string): { pid: number; host: string; started: string; what?: string } | null {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; host?: unknown; started?: unknown; what?: unknown };
    if (typeof data.pid !== 'number' || typeof data.host !== 'string' || typeof data.started !== 'string') return null;
    return { pid: data.pid, host: data.host, started: data.started, ...(typeof data.what === 'string' ? { what: data.what } : {}) };
  } catch {
    // A lock cut short by a crash between create and write: the creator is gone.
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 5000 ? null : { pid: -1, host: os.hostname(), started: new Date().toISOString() };
    } catch {
      return null;
    }
  }
}

function alive(pid: number): boolean {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
