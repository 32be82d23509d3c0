/**
 * The folder an agent session ran in, read from the first records of its transcript: Claude Code
 * writes `cwd` on every line, Codex in its `session_meta` line, Gemini CLI in its metadata's
 * `directories`. Only the head of the file is read: an audit asks this of every transcript on the
 * machine to keep those of its own clients.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hereFromRoots, type OutloopConfig } from '../config/load.js';
import type { ScanWarning } from '../model/finding.js';
import { inflateHead } from '../sources/zstd.js';

const HEAD_BYTES = 256 * 1024;

export function sessionCwd(file: string): string | null {
  let head: string;
  try {
    if (file.endsWith('.jsonl.zst')) return cwdInHead(inflateHead(file, HEAD_BYTES).toString('utf8'));
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
      head = buf.toString('utf8', 0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  return cwdInHead(head);
}

function cwdInHead(head: string): string | null {
  const lines = head.split('\n');
  // The last line may be cut by the head's end; it is tried anyway (JSON.parse fails quietly).
  for (const line of lines.slice(0, 200)) {
    const cwd = cwdOfRecord(line);
    if (cwd) return cwd;
  }
  return null;
}

function cwdOfRecord(line: string): string | null {
  if (!line.startsWith('{')) return null;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof record.cwd === 'string') return record.cwd;
  const payload = record.payload as Record<string, unknown> | undefined;
  if (payload && typeof payload.cwd === 'string') return payload.cwd;
  const dirs = record.directories;
  if (Array.isArray(dirs) && typeof dirs[0] === 'string') return dirs[0];
  return null;
}

/**
 * Every agent transcript on this machine whose session ran inside `root` (its recorded cwd, mapped
 * through the config's `roots`): what `outloop audit` and `outloop rewrite --transcripts` add to a
 * folder. Transcripts stored inside `root` are left out: the folder's own scan reads them.
 */
export async function transcriptsRunIn(root: string, env: NodeJS.ProcessEnv, config: Pick<OutloopConfig, 'dir' | 'roots'>, warnings?: ScanWarning[]): Promise<string[]> {
  const { listAgentFiles } = await import('../sources/agent-stores.js');
  const listed = await listAgentFiles(env);
  warnings?.push(...listed.warnings);
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);
  const out: string[] = [];
  for (const f of listed.files) {
    if (inside(f.abs)) continue;
    const cwd = sessionCwd(f.abs);
    if (cwd && path.isAbsolute(cwd) && inside(hereFromRoots(config, path.normalize(cwd)))) out.push(f.abs);
  }
  return out;
}
