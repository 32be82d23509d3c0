/**
 * The source behind `outloop scan --staged`, the pre-commit guard: what the commit will contain is
 * the index, not the working tree, so each staged blob is scanned whole (a key split over lines is
 * still seen), but only findings that start on lines the commit adds are reported
 * (Fragment.lines), with the staged file's line numbers. Nothing in the working tree is listed or
 * read, so the cost follows the size of the commit, not of the repository.
 *
 * git processes per run, whatever the number of files:
 *   git diff --cached --raw -p             always: names, blob ids, added lines, and the staged
 *                                          text itself (whole-file context, checked by blob id)
 *   git rev-parse --show-toplevel          only when repoRoot can't see a plain `.git` folder
 *   git cat-file --batch                   only when some staged file is binary to git (images,
 *                                          UTF-16, attribute `binary`): their blobs; a second one
 *                                          for the HEAD versions of those that turn out to be text
 */
import path from 'node:path';
import { decode, sniff } from '../decode/text.js';
import { UsageError } from '../model/errors.js';
import type { ScanWarning } from '../model/finding.js';
import type { Fragment } from '../model/fragment.js';
import type { BlobRead } from './git/cat-file.js';
import { findWorkTreeTop } from './git/discover.js';
import { GitError, runGit } from './git/run.js';
import { blobFromPatch, blobId, parseStagedDiff, type LineRanges, type StagedChange } from './git/staged-diff.js';
import { rememberedWorkTreeTop, STAGED_DIFF_ARGS, takePrefetchedDiff } from './git/staged-prefetch.js';
import { wholeFragment } from './files.js';

/** The repository's top folder for `cwd`; a UsageError when cwd is not in a git work tree. */
export async function repoRoot(cwd: string): Promise<string> {
  // The CLI's entry may have looked already (it starts the diff before loading the scanner).
  const fast = rememberedWorkTreeTop(cwd) ?? findWorkTreeTop(cwd);
  if (fast !== null) return fast;
  let out: Buffer;
  try {
    out = await runGit(['rev-parse', '--show-toplevel'], cwd);
  } catch (err) {
    throw await rootError(cwd, err);
  }
  const top = out.toString('utf8').replace(/\r?\n$/, '');
  if (!top) throw new UsageError(`${cwd} is not inside a git work tree; --staged scans what the next commit adds`);
  return path.resolve(top);
}

async function rootError(cwd: string, err: unknown): Promise<Error> {
  if (!(err instanceof GitError)) return err as Error;
  if (err.code === 'ENOENT') {
    // spawn says ENOENT both when git is missing and when cwd is.
    const { existsSync } = await import('node:fs');
    return new UsageError(existsSync(cwd) ? 'git was not found on PATH: --staged needs git' : `${cwd}: no such folder`);
  }
  if (err.exitCode !== null) {
    const why = (err.stderr.split('\n')[0] ?? '').replace(/^fatal: /, '');
    return new UsageError(`${cwd} is not inside a git work tree; --staged scans what the next commit adds${why ? ` (git: ${why})` : ''}`);
  }
  return err;
}

/** A text fragment that still needs its HEAD version to know which of its lines are added. */
interface NeedsOld {
  change: StagedChange;
  fragment: Fragment;
}

/**
 * One Fragment per staged file with added lines: source 'staged', path relative to the repo root,
 * the whole staged blob, `lines` = the added lines of the staged version. Binary blobs are skipped
 * with a warning. Deleted files, unresolved merge entries and submodules (gitlinks: a commit id,
 * not a file) have nothing to scan. Files git diffed come first, in its path order; files binary
 * to git follow.
 */
export async function* stagedFragments(root: string, warnings: ScanWarning[]): AsyncGenerator<Fragment> {
  const early = takePrefetchedDiff(root);
  const { changes, output } = parseStagedDiff(await (early ?? runGit(STAGED_DIFF_ARGS, root)));
  const unread: StagedChange[] = []; // not in the patch: read with cat-file
  const needsOld: NeedsOld[] = [];
  for (const change of changes.filter(mayAddLines)) {
    const data = inPatch(change) ? fromPatch(output, change, 'new') : null;
    if (data === null) {
      unread.push(change);
      continue;
    }
    const fragment = toFragment(change, data, warnings);
    if (!fragment) continue;
    if (fragment.encoding === 'utf8') {
      yield { ...fragment, lines: change.added };
      continue;
    }
    // UTF-16 that git diffed as text (a BOM, no zero byte early on): its line numbers count 0x0A
    // bytes, which characters like U+4E0A hold, so lines are diffed here, in characters.
    const old = hasOldBlob(change) ? fromPatch(output, change, 'old') : null;
    if (hasOldBlob(change) && old === null) needsOld.push({ change, fragment });
    else yield* withLines(fragment, await diffAgainst(fragment, old));
  }
  for await (const blob of readBlobs(root, unread.map((c) => c.newOid))) {
    const change = unread[blob.index]!;
    const fragment = toFragment(change, blob.data, warnings);
    if (!fragment) continue;
    // Binary to git, or (a safety net never seen to trigger) a patch that didn't rebuild the blob
    // exactly: either way the added lines are computed here, without trusting the patch.
    if (hasOldBlob(change)) needsOld.push({ change, fragment });
    else yield* withLines(fragment, await diffAgainst(fragment, null));
  }
  for await (const blob of readBlobs(root, needsOld.map((n) => n.change.oldOid))) {
    const { fragment } = needsOld[blob.index]!;
    yield* withLines(fragment, await diffAgainst(fragment, blob.data));
  }
}

/**
 * Starts the staged diff now; the next stagedFragments(root) uses its output. The CLI calls this
 * before it loads the scanner (its entry even before it loads the CLI), so git works while Node
 * compiles the rest: on a pre-commit hook that overlap is a good part of the time.
 */
export { prefetchStagedDiff } from './git/staged-prefetch.js';

function* withLines(fragment: Fragment, lines: LineRanges): Generator<Fragment> {
  if (lines.length) yield { ...fragment, lines };
}

/** One side of a file from the whole-file patch, if it is exactly the blob git staged (or had in HEAD). */
function fromPatch(output: Buffer, change: StagedChange, side: 'old' | 'new'): Buffer | null {
  if (change.bodies.length === 0) return null;
  const data = blobFromPatch(output, change.bodies, side);
  const oid = side === 'new' ? change.newOid : change.oldOid;
  return blobId(data, oid.length) === oid ? data : null;
}

/** cat-file is needed only for files binary to git; loaded on demand, not started for nothing. */
async function* readBlobs(root: string, oids: string[]): AsyncGenerator<BlobRead> {
  if (oids.length === 0) return;
  const { readBlobs: read } = await import('./git/cat-file.js');
  yield* read(root, oids);
}

const GITLINK = '160000';
const isNullOid = (oid: string) => /^0*$/.test(oid);

/** The empty blob, in SHA-1 and SHA-256 repositories: nothing to scan. */
const EMPTY_BLOBS = new Set(['e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', '473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813']);

/**
 * Entries the commit adds content through: not deletions, unmerged paths or submodules. A text
 * file without added lines (a pure rename, a mode change, only deletions) isn't read at all.
 */
function mayAddLines(c: StagedChange): boolean {
  if (c.status === 'D' || c.status === 'U' || c.newMode === GITLINK || isNullOid(c.newOid) || EMPTY_BLOBS.has(c.newOid)) return false;
  return c.added.length > 0 || binaryToGit(c);
}

/** git printed hunks for the file: whole-file context means its content is in the output. */
function inPatch(c: StagedChange): boolean {
  return c.bodies.length > 0;
}

/**
 * The content changed but git printed no hunk: it judged the file binary (a zero byte in its first
 * 8000, which UTF-16 text has too, or a `binary`/`-diff` attribute). A patch we failed to attribute
 * would land here as well, so a parsing slip costs a cat-file, never a missed key.
 */
function binaryToGit(c: StagedChange): boolean {
  return !inPatch(c) && c.oldOid !== c.newOid;
}

function hasOldBlob(c: StagedChange): boolean {
  return !isNullOid(c.oldOid) && c.oldMode !== GITLINK;
}

/** The whole staged blob as a fragment (8-bit text as bytes, UTF-16 decoded), or null with a warning. */
function toFragment(change: StagedChange, data: Buffer | null, warnings: ScanWarning[]): Fragment | null {
  if (data === null) {
    warnings.push({ path: change.path, kind: 'unreadable', message: 'staged blob missing from the object database' });
    return null;
  }
  const sniffed = sniff(data.subarray(0, 8000));
  if (sniffed.kind === 'binary') {
    warnings.push({ path: change.path, kind: 'binary', message: 'binary file skipped' });
    return null;
  }
  return wholeFragment(data, sniffed.encoding, sniffed.bom, change.path, 'staged');
}

async function diffAgainst(fragment: Fragment, old: Buffer | null): Promise<LineRanges> {
  const { addedLineRanges } = await import('./git/line-diff.js'); // rarely needed: loaded on demand
  return addedLineRanges(old === null ? [] : blobLines(old), fragmentLines(fragment));
}

function fragmentLines(fragment: Fragment): string[] {
  return (fragment.text ?? decode(fragment.bytes!, 'utf8', 0).text).split('\n');
}

/** An old version's lines, decoded as a fragment would be; a binary old version has none worth keeping. */
function blobLines(data: Buffer): string[] {
  const sniffed = sniff(data.subarray(0, 8000));
  if (sniffed.kind === 'binary') return [];
  return decode(data, sniffed.encoding, sniffed.bom).text.split('\n');
}
