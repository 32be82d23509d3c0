/**
 * `outloop undo [RUN]`: puts every file of a rewrite run back byte for byte, taking each key (or the
 * encoded span it was written as) back from the vault and checking it against the journal's
 * fingerprint and hash before writing. A file changed since the rewrite is left alone and named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fingerprint as fingerprintOf } from '../detect/redact.js';
import { UsageError } from '../model/errors.js';
import type { VaultBackend } from '../vault/vault.js';
import { sha256, tempFor, writeAtomic } from './atomic.js';
import { spawnSync } from 'node:child_process';
import { step } from './faults.js';
import { listJournals, saveJournal, type Journal, type JournalEdit, type JournalFile } from './journal.js';
import { acquireLock } from './lock.js';
import { encodeText } from './text-codec.js';
import { spliceBytes } from '../splice.js';

export interface UndoResult {
  runId: string;
  restored: string[];
  /** Already as they were before the run (never written, or restored by an earlier undo). */
  unchanged: string[];
  problems: Array<{ path: string; reason: string }>;
  status: Journal['status'];
  /** What became of the bindings the run added to the config (absent when it added none). */
  config?: { path: string; outcome: 'restored' | 'removed' | 'unchanged' | 'left' ; reason?: string };
}

export async function undo(options: { root: string; runId?: string; vault: VaultBackend | null; staleMinutes?: number }): Promise<UndoResult> {
  const root = path.resolve(options.root);
  const release = acquireLock(root, { staleMinutes: options.staleMinutes ?? 30, what: 'undo' });
  try {
    const journals = listJournals(root);
    const j = options.runId ? journals.find((x) => x.runId === options.runId || x.runId.startsWith(options.runId!)) : [...journals].reverse().find((x) => x.status !== 'undone');
    if (!j) throw new UsageError(options.runId ? `no rewrite run "${options.runId}" in ${path.join(root, '.outloop', 'journal')}` : `no rewrite run to undo in ${root}`);
    if (j.status === 'undone') throw new UsageError(`run ${j.runId} is already undone`);
    const vault = options.vault;
    if (!vault && j.files.some((f) => f.state === 'done' || f.state === 'pending')) throw new UsageError(`undo needs the vault the run escrowed its keys in (${j.vault ?? 'none'}); none is configured`);
    j.status = 'undoing';
    saveJournal(j, 'undo start');
    const result: UndoResult = { runId: j.runId, restored: [], unchanged: [], problems: [], status: j.status };
    for (const [i, jf] of j.files.entries()) {
      if (jf.state !== 'done' && jf.state !== 'pending') {
        if (jf.state === 'restored') result.unchanged.push(jf.rel);
        continue;
      }
      fs.rmSync(jf.tmp, { force: true });
      const outcome = await restoreFile(root, jf, vault!);
      if (outcome === 'restored' || outcome === 'unchanged') {
        jf.state = 'restored';
        delete jf.reason;
        (outcome === 'restored' ? result.restored : result.unchanged).push(jf.rel);
      } else {
        jf.reason = outcome;
        result.problems.push({ path: jf.rel, reason: outcome });
      }
      saveJournal(j, `undo file ${i + 1}`);
    }
    const config = restoreConfig(j);
    if (config) result.config = config;
    j.status = result.problems.length ? 'undoing' : 'undone';
    saveJournal(j, 'undo done');
    result.status = j.status;
    return result;
  } finally {
    release();
  }
}

/**
 * Puts the config back as it was before the run added its bindings, when it still holds what the run
 * wrote (or the run was stopped while writing it). Edited since: left as it is, and said so.
 */
function restoreConfig(j: Journal): UndoResult['config'] | null {
  if (j.configBefore === undefined || !j.config || !j.bindings.length) return null;
  const file = j.config;
  let now: string | null;
  try {
    now = sha256(fs.readFileSync(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { path: file, outcome: 'left', reason: `cannot read it (${(err as NodeJS.ErrnoException).code})` };
    now = null;
  }
  if (now === (j.configBeforeSha256 ?? null)) return { path: file, outcome: 'unchanged' };
  if (j.configAfterSha256 !== undefined && now !== j.configAfterSha256) {
    return { path: file, outcome: 'left', reason: 'changed since the rewrite; the bindings it added were left in it' };
  }
  const tmp = tempFor(file, 'config');
  fs.rmSync(tmp, { force: true });
  if (j.configBefore === null) {
    fs.rmSync(file, { force: true });
    step('config removed');
    return { path: file, outcome: 'removed' };
  }
  writeAtomic(file, j.configBefore, { mode: j.configMode ?? 0o644, tmp, label: 'config' });
  return { path: file, outcome: 'restored' };
}

async function restoreFile(root: string, jf: JournalFile, vault: VaultBackend): Promise<'restored' | 'unchanged' | string> {
  let current: Buffer;
  try {
    current = fs.readFileSync(jf.path);
  } catch (err) {
    return `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); not restored`;
  }
  const now = sha256(current);
  if (now === jf.beforeSha256) return 'unchanged';
  if (now !== jf.afterSha256) return 'changed since the rewrite; not restored (restore its keys by hand from the vault)';
  const pieces: Array<{ start: number; end: number; bytes: Buffer }> = [];
  for (const e of [...jf.edits].sort((a, b) => a.newStart - b.newStart)) {
    const source = await sourceOf(e, vault);
    if (typeof source !== 'string') return source.problem;
    pieces.push({ start: e.newStart, end: e.newEnd, bytes: encodeText(source, jf.textEncoding ?? 'utf8') });
  }
  const bytes = spliceBytes(current, pieces);
  if (sha256(bytes) !== jf.beforeSha256) return 'the vault and the journal do not reproduce the original file; not restored';
  writeAtomic(jf.path, bytes, { mode: jf.mode, tmp: jf.tmp, label: jf.rel });
  if (jf.mtimeMs !== undefined) {
    const t = new Date(jf.mtimeMs);
    fs.utimesSync(jf.path, t, t);
  }
  if (jf.stage) {
    const r = spawnSync('git', ['add', '--', jf.rel], { cwd: root });
    if (r.status !== 0) return `restored, but git add failed: ${r.stderr?.toString().trim()}`;
    step(`git add ${jf.rel}`);
  }
  return 'restored';
}

/** The original bytes of an edit's span, from the vault, verified. */
async function sourceOf(e: JournalEdit, vault: VaultBackend): Promise<string | { problem: string }> {
  if (e.sourceAlias) {
    const v = await vault.get(e.sourceAlias);
    if (v === null) return { problem: `the vault has no ${e.sourceAlias}; not restored` };
    if (sha256(v) !== e.sourceSha256) return { problem: `the vault's ${e.sourceAlias} does not match the journal; not restored` };
    return v;
  }
  const alias = e.aliases[0]!;
  const v = await vault.get(alias);
  if (v === null) return { problem: `the vault has no ${alias}; not restored` };
  if (fingerprintOf(v) !== e.fingerprints[0] || sha256(v) !== e.sourceSha256) return { problem: `the vault's ${alias} is not the key that was there (fingerprint mismatch); not restored` };
  return v;
}
