/**
 * The rewrite journal: `.outloop/journal/<run-id>.json`, one per run, written (atomically) before the
 * first file changes and after every file, so a run killed at any point can be completed by a re-run
 * or reversed by `outloop undo`. It holds fingerprints, aliases, offsets and SHA-256 hashes of whole
 * files and of encoded spans: never a raw secret.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import { writeAtomic } from './atomic.js';
import { step } from './faults.js';

export type RunStatus = 'running' | 'done' | 'undoing' | 'undone';
export type FileState = 'pending' | 'done' | 'skipped' | 'restored' | 'conflict';

export interface JournalEdit {
  /** Byte range in the file before the rewrite (end exclusive). */
  start: number;
  end: number;
  /** Byte range of the replacement in the file after the rewrite. */
  newStart: number;
  newEnd: number;
  /** What was written there (an alias, or a re-encoded base64 run holding aliases). */
  replacement: string;
  fingerprints: string[];
  aliases: string[];
  encoding: string | null;
  /** sha256 (hex) of the original bytes of the span. */
  sourceSha256: string;
  /** When the span was not the bare secret (an encoded form): the vault alias holding its bytes. */
  sourceAlias: string | null;
}

export interface JournalFile {
  /** Absolute path. */
  path: string;
  /** Relative to the root, for reports. */
  rel: string;
  beforeSha256: string;
  afterSha256: string;
  mode: number;
  /** Modification time before the rewrite (undo puts it back: a restored transcript is not a live one). */
  mtimeMs?: number;
  /** Temp file the run writes through (removed on completion or undo if a crash left it). */
  tmp: string;
  state: FileState;
  reason?: string;
  /** Re-stage after writing (`rewrite --staged`). */
  stage?: boolean;
  /** A UTF-16 file's encoding (absent: UTF-8): replacements and restored keys are written in it. */
  textEncoding?: 'utf16le' | 'utf16be';
  edits: JournalEdit[];
}

export interface Journal {
  schemaVersion: 1;
  runId: string;
  root: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  vault: string | null;
  /** Bindings this run added to the config (fingerprint only). */
  bindings: Array<{ tenant: string; name: string; fingerprint: string; alias: string }>;
  config: string | null;
  /**
   * When the run adds bindings: the config's text before (null: there was none), so undo can put it
   * back byte for byte. The config holds fingerprints and names only, never a key.
   */
  configBefore?: string | null;
  configBeforeSha256?: string | null;
  configMode?: number;
  /** sha256 of the config once the bindings are in (unset: the run was stopped before that). */
  configAfterSha256?: string;
  files: JournalFile[];
  /** Findings left in place, with why (redacted hint and fingerprint only). */
  notRewritten: Array<{ path: string; line: number; fingerprint: string; redacted: string; reason: string }>;
}

export function journalDir(root: string): string {
  return path.join(root, '.outloop', 'journal');
}

export function newRunId(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') + '-' + crypto.randomBytes(3).toString('hex');
}

export function journalPath(root: string, runId: string): string {
  return path.join(journalDir(root), `${runId}.json`);
}

export function saveJournal(j: Journal, label: string): void {
  j.updatedAt = new Date().toISOString();
  const file = journalPath(j.root, j.runId);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomic(file, JSON.stringify(j, null, 2) + '\n', { mode: 0o600, tmp: `${file}.tmp`, label: `journal` });
  step(`journal ${label}`);
}

export function readJournal(file: string): Journal {
  let data: Journal;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
  } catch (err) {
    throw new UsageError(`cannot read journal ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (data.schemaVersion !== 1 || typeof data.runId !== 'string' || !Array.isArray(data.files)) throw new UsageError(`${file} is not an outloop journal`);
  return data;
}

/** Every journal of the root, oldest first (run ids sort by time). */
export function listJournals(root: string): Journal[] {
  let names: string[];
  try {
    names = fs.readdirSync(journalDir(root));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => readJournal(path.join(journalDir(root), n)));
}
