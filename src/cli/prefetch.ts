/**
 * What the CLI starts before it loads itself, so it runs while Node loads and compiles the scanner:
 * - for `outloop scan --staged` (the pre-commit hook), git's staged diff. Only the common layout (a
 *   plain `.git` folder, found without git) is started here; anything else, and every error, is
 *   left to the staged source, which then runs git itself;
 * - for a scan of folders, the worker threads (see worker-start.ts), which take as long to boot as
 *   the main thread takes to get to its first file.
 * A guess that turns out wrong (the real argument parsing rejects the command, or `--staged` was an
 * operand after `--`) costs an unused git run or thread, never a different result.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findWorkTreeTop } from '../sources/git/discover.js';
import { prefetchStagedDiff, rememberWorkTreeTop } from '../sources/git/staged-prefetch.js';
import { isFolder, pathsToWalk } from '../scan-paths.js';
import { prestartWorkers } from '../worker-start.js';
import { SCAN_OPTIONS } from './scan-options.js';

export function prefetchForCommand(argv: string[], cwd: string): void {
  if (argv[0] !== 'scan') return;
  if (argv.includes('--staged')) prefetchStaged(cwd);
  else if (scansFolders(argv.slice(1), cwd)) {
    try {
      prestartWorkers();
    } catch {
      // Threads that can't start here can't start later either: the scan says so (exit 2).
    }
  }
}

function prefetchStaged(cwd: string): void {
  try {
    const root = findWorkTreeTop(cwd);
    if (root === null) return;
    rememberWorkTreeTop(cwd, root);
    prefetchStagedDiff(root);
  } catch {
    // The scan finds the repository again and reports what is wrong with it.
  }
}

/**
 * Whether the scan will walk a folder with the default number of threads: a folder among the
 * paths it walks (scan-paths.ts, as scan() decides); not for history, stdin, help or a --workers count.
 */
function scansFolders(args: string[], cwd: string): boolean {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { ...SCAN_OPTIONS, help: { type: 'boolean', short: 'h' } } });
  } catch {
    return false; // the command will say what is wrong
  }
  const { values, positionals } = parsed;
  if (values.help || values.git || values.since !== undefined || values.workers !== undefined || positionals.includes('-')) return false;
  return pathsToWalk(positionals, values).some((p) => isFolder(path.resolve(cwd, p)));
}
