/**
 * The source behind `outloop scan --git [RANGE...]` and `--since REF`: the text each commit ADDED,
 * read from one streaming `git log -p` process, oldest commit first.
 *
 * What is read, and why:
 *
 * - `git log -p -U0`: only changes, no context, so a line is scanned in the commit that adds it and
 *   never again while it stays unchanged; a file added once is scanned once however many later
 *   commits carry it (each blob's text is read once, not once per commit). `-M` finds renames, so a
 *   file renamed later (even with some edits) only shows its edited lines, never its whole text again.
 * - A line changed later is added again by that commit (`-old` / `+new`: git doesn't say which part
 *   of the line changed), so a key on a line whose other part was edited is found again at the
 *   later commit. That is deliberate: the source reports what each commit adds, and
 *   `firstIntroductions` (enrich/first-introduced.ts) keeps only the commit that first added it.
 * - Merges: dense combined diffs (`--cc`). With `--all` or a range the merged branch's own commits
 *   are walked too, and report what they added; the merge itself reports only lines that exist in
 *   none of its parents (conflict resolutions, "evil merges"). `-m` would report every branch's
 *   secrets again at each merge (and diff every merge against every parent: slow), and
 *   `--first-parent` would credit the merge instead of the commit that really added the key (and
 *   skip side branches entirely).
 * - Order: `--reverse --date-order`: parents always before their children, otherwise by commit
 *   date; so "first" in firstIntroductions means an ancestor whenever there is one.
 * - Binary files (git's own rule: a NUL byte in the first 8000 bytes, or a `-diff`/`binary`
 *   attribute) are skipped: one `binary` warning per path. Diff drivers and textconv filters are
 *   off, so what is scanned is the blob as stored.
 * - A repository with no commits yields nothing. A revision git doesn't know is a UsageError naming it.
 * - Not read: commit messages, and UTF-16 files (binary to git). When git's rename detection gives
 *   up (diff.renameLimit, in a commit that moves thousands of files), a renamed file shows as deleted
 *   and added, and its keys are found again under the new path (a new path+fingerprint key).
 * - Memory: one file's added text of one commit at a time, in 8 MB pieces with a 64 KB overlap (as
 *   large workspace files are read), plus at most 8 MB of git's output read ahead.
 *
 * Fragments: one per file per commit (hunks far apart get their own), holding the added lines joined
 * by `\n`, with an empty line for each unchanged line between two nearby hunks, so `firstLine`, line
 * numbers and columns are exact in that commit's version of the file; `lines` holds the added ranges.
 *
 * Spans: the text before the first hunk isn't in the diff, so `span` of a history finding as the
 * scan produces it is an offset into the fragment's text (the added lines), not into the file. Its
 * length is exact. `resolveHistorySpans` (one `git cat-file --batch` for every blob that has a
 * finding: findings are rare, blobs without one are never read) turns it into the exact byte offsets
 * in that commit's version of the file (`git show COMMIT:PATH`), which is what span means everywhere.
 */
import type { ScanWarning } from '../model/finding.js';
import type { Fragment } from '../model/fragment.js';
import { UsageError } from '../model/errors.js';
import { gitToplevel, hasCommits, readAhead } from './git-history/git.js';
import { firstLine, startGit } from './git/run.js';
import { PatchParser, type CommitInfo } from './git-history/parse.js';

export { resolveHistorySpans } from './git-history/spans.js';
export { gitToplevel } from './git-history/git.js';

export interface HistoryOptions {
  /** Revisions and ranges as git reads them: `main..feature`, `HEAD~5..HEAD`, `v1.2.0`. Default: all history (`--all`). */
  revisions?: string[];
  /** `REF..HEAD`: what the current branch brings on top of REF (with `revisions`: those, minus REF). */
  since?: string;
}

const TURN_BYTES = 256 * 1024;

/** The exact `git log` arguments (exported for the benchmark and tests). */
export function historyLogArgs(options: HistoryOptions): string[] {
  for (const r of [...(options.revisions ?? []), ...(options.since !== undefined ? [options.since] : [])]) {
    if (r === '' || r.startsWith('-')) throw new UsageError(`not a revision: '${r}' (revisions can't be empty or start with '-')`);
  }
  const revs = options.revisions?.length ? [...options.revisions] : [];
  if (options.since !== undefined) {
    if (revs.length) revs.push(`^${options.since}`);
    else revs.push(`${options.since}..HEAD`);
  }
  return [
    // Our parser's expectations, whatever the user's configuration says.
    '-c', 'core.quotePath=false',
    '-c', 'diff.noprefix=false',
    '-c', 'diff.mnemonicPrefix=false',
    '-c', 'diff.relative=false',
    '-c', 'log.showSignature=false',
    '-c', 'log.showRoot=true',
    'log',
    '--reverse',
    '--date-order',
    '-p',
    '--cc',
    '-U0',
    '--inter-hunk-context=0',
    '-M',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--encoding=UTF-8',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '--format=%x00%H%x00%aN <%aE>%x00%aI',
    ...(revs.length ? [] : ['--all']),
    '--end-of-options',
    ...revs,
    '--',
  ];
}

/**
 * Fragments of text each commit ADDED, oldest commit first: source 'history', path relative to the
 * repo root, `commit: {sha, author ('Name <email>'), date (ISO 8601)}`, `lines` = the added ranges.
 * One git process for the whole walk; its output is parsed as it streams and git waits (pipe
 * back-pressure) while the consumer scans, so memory stays bounded whatever the history's size.
 */
export async function* historyFragments(root: string, options: HistoryOptions, warnings: ScanWarning[]): AsyncGenerator<Fragment> {
  const args = historyLogArgs(options);
  const top = await gitToplevel(root);
  const git = startGit(args, top);
  git.child.stdin.end();

  const queue: Fragment[] = [];
  const binaries = new Map<string, { warning: ScanWarning; commits: number; first: CommitInfo }>();
  const parser = new PatchParser({
    fragment: (f) => queue.push(f),
    binary: (path, commit) => {
      const seen = binaries.get(path);
      if (seen) {
        seen.commits++;
        return;
      }
      const warning: ScanWarning = { path, kind: 'binary', message: '' };
      binaries.set(path, { warning, commits: 1, first: commit });
      warnings.push(warning);
    },
  });

  let finished = false;
  try {
    // The consumer scans synchronously between our yields, and a pipe holds 64 KB: unless the event
    // loop turns now and then, nothing reads git's output while a scan runs, git blocks, and git and
    // the scanner take turns instead of running side by side. So every 256 KB of yielded text the
    // loop gets a turn (setImmediate: a few microseconds) and readAhead drains the pipe.
    let sinceTurn = 0;
    for await (const chunk of readAhead(git.child.stdout)) {
      parser.feed(chunk);
      for (let i = 0; i < queue.length; i++) {
        const f = queue[i]!;
        yield f;
        sinceTurn += f.bytes!.length;
        if (sinceTurn >= TURN_BYTES) {
          sinceTurn = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      queue.length = 0;
    }
    parser.end();
    for (let i = 0; i < queue.length; i++) yield queue[i]!;
    queue.length = 0;

    const { code, signal, error } = await git.done;
    finished = true;
    if (error) throw new Error(`could not run git: ${error.message}`);
    if (code !== 0) {
      const stderr = git.stderr();
      const bad = /(?:bad revision|ambiguous argument|unknown revision|bad revision name|invalid revision range) '([^']*)'/.exec(stderr);
      if (bad && !(await hasCommits(top))) return; // no commits at all: nothing to scan, whatever the range
      if (bad) throw new UsageError(`unknown revision or range '${bad[1]!}' in ${top} (git: ${firstLine(stderr)})`);
      throw new Error(`git log failed in ${top} (${signal ?? `exit ${code}`}): ${firstLine(stderr)}`);
    }
  } finally {
    if (!finished) git.child.kill();
    for (const { warning, commits, first } of binaries.values()) {
      warning.message = `binary file skipped in history (${commits} commit${commits === 1 ? '' : 's'}, first ${first.sha.slice(0, 12)})`;
    }
  }
}
