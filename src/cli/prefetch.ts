/**
 * What the CLI starts before it loads itself: for `outloop scan --staged` (the pre-commit hook),
 * git's staged diff, so git works while Node loads and compiles the scanner. Only the common layout
 * (a plain `.git` folder, found without git) is started here; anything else, and every error, is
 * left to the staged source, which then runs git itself. A guess that turns out wrong (the real
 * argument parsing rejects the command, or `--staged` was an operand after `--`) costs one unused
 * git run, never a different result.
 */
import { findWorkTreeTop } from '../sources/git/discover.js';
import { prefetchStagedDiff, rememberWorkTreeTop } from '../sources/git/staged-prefetch.js';

export function prefetchForCommand(argv: string[], cwd: string): void {
  if (argv[0] !== 'scan' || !argv.includes('--staged')) return;
  try {
    const root = findWorkTreeTop(cwd);
    if (root === null) return;
    rememberWorkTreeTop(cwd, root);
    prefetchStagedDiff(root);
  } catch {
    // The scan finds the repository again and reports what is wrong with it.
  }
}
