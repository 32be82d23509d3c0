/**
 * The staged diff, started as early as possible. `outloop scan --staged` runs on every commit, and
 * its one `git diff --cached` (tens of ms in a large repository) can run while Node loads and
 * compiles the scanner: the CLI's entry starts it before it loads anything else
 * (src/cli/prefetch.ts), the staged source takes the output when it needs it.
 *
 * This module is small on purpose (git/run.ts and node:child_process only), and its table of
 * started diffs lives in the global symbol registry: the built CLI is two bundles (a small entry
 * and the rest, loaded after the diff has started), each with its own copy of this module, and
 * both must see the same table.
 */
import { runGit } from './run.js';

/** Context wide enough to print whole files; xdiff adds twice this to int positions, so not INT_MAX. */
const WHOLE_FILE_CONTEXT = 100_000_000;

/** Every option is explicit so user configuration can't change the output we parse. */
export const STAGED_DIFF_ARGS = [
  '-c', 'core.quotePath=false',
  '-c', 'diff.suppressBlankEmpty=false', // else an empty context line loses its leading space (handled anyway)
  'diff', '--cached',
  '--raw', '--patch', '-z',
  `--unified=${WHOLE_FILE_CONTEXT}`, // whole files: the staged content comes with the diff
  '--find-renames', '--find-copies', // a moved file's old lines are not new
  '--no-abbrev', // full blob ids in --raw
  '--no-ext-diff', '--no-textconv', // the patch must hold the blob itself
  '--no-color', '--src-prefix=a/', '--dst-prefix=b/', // diff.noprefix / mnemonicPrefix would change headers
  '--submodule=short', // diff.submodule=log would replace submodule headers
];

interface Shared {
  /** Work tree top → its staged diff, started. */
  diffs: Map<string, Promise<Buffer>>;
  /** Folder → the work tree top the CLI's entry found for it (so the scan doesn't look again). */
  tops: Map<string, string>;
}
const KEY = Symbol.for('outloop.stagedPrefetch');
const shared = ((globalThis as Record<symbol, unknown>)[KEY] ??= { diffs: new Map(), tops: new Map() }) as Shared;
const started = shared.diffs;

/** Starts the staged diff of the work tree at `root` now, once; takePrefetchedDiff(root) gets its output. */
export function prefetchStagedDiff(root: string): void {
  if (started.has(root)) return;
  const diff = runGit(STAGED_DIFF_ARGS, root);
  diff.catch(() => undefined); // a failure surfaces where the output is awaited
  started.set(root, diff);
}

/** The diff started for `root`, if any (each one is used once). */
export function takePrefetchedDiff(root: string): Promise<Buffer> | undefined {
  const diff = started.get(root);
  started.delete(root);
  return diff;
}

/** Records that `cwd` is in the work tree whose top is `root` (found by the CLI's entry). */
export function rememberWorkTreeTop(cwd: string, root: string): void {
  shared.tops.set(cwd, root);
}

/** The work tree top recorded for `cwd` in this process, if any. */
export function rememberedWorkTreeTop(cwd: string): string | undefined {
  return shared.tops.get(cwd);
}
