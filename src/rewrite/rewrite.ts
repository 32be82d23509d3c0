/**
 * `outloop rewrite`: scan, plan, escrow, journal, then replace each key in place with its alias, one
 * atomic file write at a time, the journal updated after each. Runs on one root are serialised by
 * `.outloop/lock`; a run that was killed is completed by the next one (or reversed by `undo`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { realOrSelf } from '../real-path.js';
import { CONFIG_NAME, findConfigFile, loadConfig } from '../config/load.js';
import { Detector } from '../detect/engine.js';
import { UsageError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { loadRules, scan } from '../scan.js';
import type { VaultBackend } from '../vault/vault.js';
import { sha256, tempFor, writeAtomic } from './atomic.js';
import { addBindings } from './config-bindings.js';
import { step } from './faults.js';
import { journalDir, journalPath, listJournals, newRunId, saveJournal, type Journal, type JournalFile } from './journal.js';
import { acquireLock } from './lock.js';
import { encodeText } from './text-codec.js';
import { spliceBytes } from '../splice.js';
import { buildPlan, type NotRewritten, type Plan } from './plan.js';
import { renderDiff } from './diff.js';

export interface RewriteOptions {
  /** The folder scanned (default: the single path, else the cwd); `.outloop/` (lock, journal) lives here. */
  root: string;
  paths?: string[];
  vault: VaultBackend | null;
  configFile?: string;
  dryRun?: boolean;
  /** Also rewrite transcripts modified in the last minutes. */
  force?: boolean;
  /** Rewrite what the next commit adds (only files whose worktree and index agree), then re-stage. */
  staged?: boolean;
  transcripts?: boolean;
  environment?: NodeJS.ProcessEnv;
  rulesDirs?: string[];
  workers?: number | 'auto';
  staleMinutes?: number;
  /** Asked once with the plan before anything is written; false cancels. */
  confirm?: (plan: Plan) => Promise<boolean>;
}

export interface RewriteResult {
  root: string;
  runId: string | null;
  journal: string | null;
  rewritten: Array<{ path: string; keys: number; aliases: string[] }>;
  notRewritten: NotRewritten[];
  /** Findings that are no keys (account ids), left where they are with why; they do not make the run fail. */
  leftInPlace: NotRewritten[];
  /** Files left alone at write time (changed since the scan). */
  conflicts: Array<{ path: string; reason: string }>;
  /** Interrupted runs this run completed first. */
  resumed: Array<{ runId: string; files: number; conflicts: number }>;
  bindings: Array<{ alias: string; fingerprint: string }>;
  config: string | null;
  diff: string | null;
  cancelled: boolean;
}

export async function rewrite(options: RewriteOptions): Promise<RewriteResult> {
  let root = path.resolve(options.root);
  const stage = new Set<string>();
  const refused = new Map<string, string>();
  if (options.staged) root = gitTop(root);
  const release = options.dryRun ? () => {} : acquireLock(root, { staleMinutes: options.staleMinutes ?? 30 });
  try {
    if (!options.dryRun) removeStaleTemps(root, options.configFile ? path.resolve(options.configFile) : findConfigFile(root));
    const resumed = options.dryRun ? [] : completeInterrupted(root);
    const scanned = await scan({
      root,
      ...(options.staged ? { staged: true, cwd: root } : { paths: options.paths?.length ? options.paths.map((p) => path.resolve(p)) : [root] }),
      ...(options.configFile ? { configFile: options.configFile } : {}),
      ...(options.transcripts && !options.staged ? { extraFiles: (await transcriptsOf(root, options)).map((abs) => ({ abs, source: 'transcript' as const })) } : {}),
      ...(options.environment ? { environment: options.environment } : {}),
      ...(options.rulesDirs ? { rulesDirs: options.rulesDirs } : {}),
      workers: options.workers ?? 'auto',
    });
    const findings = scanned.findings.filter((f) => f.path !== '-' && !f.path.startsWith('env:'));
    if (options.staged) for (const rel of new Set(findings.map((f) => f.path))) checkStaged(root, rel, stage, refused);
    const config = await loadConfig({ ...(scanned.config ? { file: scanned.config } : {}), startDir: root });
    const detector = new Detector(await loadRules(options.rulesDirs ? { rulesDirs: options.rulesDirs } : {}));
    const plan = await buildPlan({ root, findings: relativeTo(findings, scanned.root, root), config, vault: options.vault, detector, force: Boolean(options.force), stage, refused });
    const result: RewriteResult = { root, runId: null, journal: null, rewritten: [], notRewritten: plan.notRewritten, leftInPlace: plan.leftInPlace, conflicts: [], resumed, bindings: [], config: scanned.config, diff: null, cancelled: false };
    if (options.dryRun) {
      result.diff = renderDiff(plan);
      return result;
    }
    if (!plan.files.length) return result;
    if (options.confirm && !(await options.confirm(plan))) {
      result.cancelled = true;
      return result;
    }
    const vault = options.vault!;
    // 1. Every key (and every encoded span) goes into the vault, read back, before any file changes.
    for (const e of plan.escrows) {
      if (e.present) continue;
      const held = await vault.get(e.alias);
      if (held === e.value) continue;
      await vault.put(e.alias, e.value);
      step(`vault put`);
      if ((await vault.get(e.alias)) !== e.value) throw new UsageError(`vault ${vault.name}: ${e.alias} did not read back as written; nothing was rewritten`);
    }
    // 2. The journal, before anything changes (with the config's text, which holds no key, for undo).
    const runId = newRunId();
    const configFile = plan.bindings.length ? realOrSelf(scanned.config ?? path.join(root, CONFIG_NAME)) : scanned.config;
    const journal: Journal = {
      schemaVersion: 1,
      runId,
      root,
      status: 'running',
      createdAt: new Date().toISOString(),
      updatedAt: '',
      vault: vault.name,
      bindings: plan.bindings,
      config: configFile,
      ...(plan.bindings.length ? configSnapshot(configFile!) : {}),
      files: plan.files.map((f) => ({ path: f.abs, rel: f.rel, beforeSha256: f.beforeSha256, afterSha256: f.afterSha256, mode: f.mode, mtimeMs: f.mtimeMs, tmp: tempFor(f.abs, runId), state: 'pending', ...(f.stage ? { stage: true } : {}), ...(f.textEncoding !== 'utf8' ? { textEncoding: f.textEncoding } : {}), edits: f.edits })),
      notRewritten: plan.notRewritten.map((n) => ({ path: n.path, line: n.line, fingerprint: n.fingerprint, redacted: n.redacted, reason: n.reason })),
    };
    saveJournal(journal, 'start');
    // 3. New keys are bound in the config (fingerprints only).
    result.config = applyBindings(journal);
    result.bindings = plan.bindings.map((b) => ({ alias: b.alias, fingerprint: b.fingerprint }));
    result.runId = runId;
    result.journal = journalPath(root, runId);
    // 4. One file at a time.
    for (const [i, jf] of journal.files.entries()) {
      applyFile(root, jf, plan.files[i]!.after);
      saveJournal(journal, `file ${i + 1}`);
      if (jf.state === 'done') result.rewritten.push({ path: jf.rel, keys: jf.edits.reduce((n, e) => n + e.fingerprints.length, 0), aliases: [...new Set(jf.edits.flatMap((e) => e.aliases))] });
      else result.conflicts.push({ path: jf.rel, reason: jf.reason ?? 'left as it is' });
    }
    journal.status = 'done';
    saveJournal(journal, 'done');
    return result;
  } finally {
    release();
  }
}

/**
 * `--transcripts`: every agent transcript on this machine whose session ran inside ROOT (its cwd, or
 * the config's `roots` mapped onto the config's folder, as `outloop audit` finds them). Those already
 * inside ROOT are scanned with the folder anyway.
 */
async function transcriptsOf(root: string, options: RewriteOptions): Promise<string[]> {
  const env = options.environment ?? process.env;
  const config = await loadConfig({ ...(options.configFile ? { file: options.configFile } : {}), startDir: root });
  const { transcriptsRunIn } = await import('../audit/session-cwd.js');
  return transcriptsRunIn(root, env, config);
}

/** The config's text and hash before a run adds bindings to it (null when there is none yet). */
function configSnapshot(file: string): Pick<Journal, 'configBefore' | 'configBeforeSha256' | 'configMode'> {
  try {
    const bytes = fs.readFileSync(file);
    return { configBefore: bytes.toString('utf8'), configBeforeSha256: sha256(bytes), configMode: fs.statSync(file).mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { configBefore: null, configBeforeSha256: null };
    throw err;
  }
}


/** Adds the run's bindings to the config (again, after a kill: it is idempotent) and records the result. */
function applyBindings(j: Journal): string | null {
  if (!j.bindings.length || j.configAfterSha256 !== undefined) return j.config;
  const file = addBindings(j.configBefore === null ? null : j.config, j.root, j.bindings, j.runId);
  if (file && j.config && j.configBefore !== undefined) {
    j.configAfterSha256 = sha256(fs.readFileSync(j.config));
    saveJournal(j, 'config bound');
  }
  return file;
}

/** Writes one file's new bytes when it still holds what was scanned; the journal entry says what happened. */
function applyFile(root: string, jf: JournalFile, after: Buffer | null): void {
  fs.rmSync(jf.tmp, { force: true });
  let current: Buffer;
  try {
    current = fs.readFileSync(jf.path);
  } catch (err) {
    jf.state = 'conflict';
    jf.reason = `not rewritten: cannot read it now (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    return;
  }
  const now = sha256(current);
  if (now !== jf.afterSha256) {
    if (now !== jf.beforeSha256) {
      jf.state = 'conflict';
      jf.reason = 'not rewritten: the file changed since it was scanned';
      return;
    }
    const bytes = after ?? replay(current, jf);
    if (sha256(bytes) !== jf.afterSha256) {
      jf.state = 'conflict';
      jf.reason = 'not rewritten: the journal does not reproduce the planned file';
      return;
    }
    writeAtomic(jf.path, bytes, { mode: jf.mode, tmp: jf.tmp, label: jf.rel });
  }
  if (jf.stage) gitAdd(root, jf.rel);
  jf.state = 'done';
  delete jf.reason;
}

/** The rewritten bytes from the original ones and the journal's edits (no secret needed). */
function replay(before: Buffer, jf: JournalFile): Buffer {
  const edits = [...jf.edits].sort((a, b) => a.start - b.start);
  return spliceBytes(before, edits.map((e) => ({ start: e.start, end: e.end, bytes: encodeText(e.replacement, jf.textEncoding ?? 'utf8') })));
}

/** Finishes every run of this root that was interrupted (status `running`): its files get their planned bytes. */
export function completeInterrupted(root: string): RewriteResult['resumed'] {
  const out: RewriteResult['resumed'] = [];
  for (const j of listJournals(root)) {
    if (j.status !== 'running') continue;
    applyBindings(j);
    let files = 0;
    let conflicts = 0;
    for (const [i, jf] of j.files.entries()) {
      if (jf.state !== 'pending') continue;
      applyFile(root, jf, null);
      saveJournal(j, `resume file ${i + 1}`);
      if ((jf.state as string) === 'done') files++;
      else conflicts++;
    }
    j.status = 'done';
    saveJournal(j, 'resume done');
    out.push({ runId: j.runId, files, conflicts });
  }
  return out;
}

/** Temp files a killed run left: the config's and the journals' (file temps are removed by resume or undo). */
function removeStaleTemps(root: string, configFile: string | null): void {
  fs.rmSync(tempFor(configFile ?? path.join(root, CONFIG_NAME), 'config'), { force: true });
  const dir = journalDir(root);
  try {
    for (const n of fs.readdirSync(dir)) if (n.endsWith('.json.tmp')) fs.rmSync(path.join(dir, n), { force: true });
  } catch {
    // no journal folder yet
  }
}

function relativeTo(findings: Finding[], scanRoot: string, root: string): Finding[] {
  if (path.resolve(scanRoot) === root) return findings;
  return findings.map((f) => ({ ...f, path: path.relative(root, path.resolve(scanRoot, f.path)).split(path.sep).join('/') }));
}

// ---------------------------------------------------------------------------------------------
// --staged

function git(cwd: string, args: string[], input?: string): { code: number; out: Buffer; err: string } {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, out: r.stdout ?? Buffer.alloc(0), err: r.stderr?.toString('utf8') ?? String(r.error ?? '') };
}

function gitTop(cwd: string): string {
  const r = git(cwd, ['rev-parse', '--show-toplevel']);
  if (r.code !== 0) throw new UsageError(`--staged needs a git repository: ${r.err.trim() || 'git rev-parse failed'}`);
  return r.out.toString('utf8').trim();
}

/** A staged file is rewritten only when the working tree holds exactly the staged bytes. */
function checkStaged(root: string, rel: string, stage: Set<string>, refused: Map<string, string>): void {
  const ls = git(root, ['ls-files', '-s', '-z', '--', rel]);
  const entry = ls.out.toString('utf8').split('\0')[0] ?? '';
  const m = /^(\d+) ([0-9a-f]+) (\d)\t/.exec(entry);
  if (!m) return refused.set(rel, 'not rewritten: not in the index') as unknown as void;
  if (m[3] !== '0') return refused.set(rel, 'not rewritten: a merge conflict is staged for this file') as unknown as void;
  const blob = git(root, ['cat-file', 'blob', m[2]!]);
  let work: Buffer;
  try {
    work = fs.readFileSync(path.join(root, rel));
  } catch {
    return refused.set(rel, 'not rewritten: staged but missing from the working tree') as unknown as void;
  }
  if (blob.code !== 0 || !blob.out.equals(work)) {
    refused.set(rel, 'not rewritten: the working tree and the index differ for this file (stage or stash your other changes, then run again)');
    return;
  }
  stage.add(rel);
}

function gitAdd(root: string, rel: string): void {
  const r = git(root, ['add', '--', rel]);
  if (r.code !== 0) throw new UsageError(`git add ${rel} failed: ${r.err.trim()}`);
  step(`git add ${rel}`);
}
