/**
 * Finds a work tree's top folder without starting git, for the common layout only: a `.git`
 * folder in cwd or above, owned by us, with nothing that moves the work tree. Starting
 * `git rev-parse` costs more than the whole staged diff on a small commit, and the pre-commit hook
 * pays it on every commit. Anything unusual returns null and the caller asks git, so git's own
 * rules (GIT_DIR, linked worktrees and submodules with a `.git` file, core.worktree, bare
 * repositories, ceilings, file-system boundaries, safe.directory) keep deciding those cases.
 */
import fs from 'node:fs';
import path from 'node:path';

const ENV_THAT_MOVES_THINGS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM'];

export function findWorkTreeTop(cwd: string): string | null {
  if (ENV_THAT_MOVES_THINGS.some((name) => process.env[name])) return null;
  if (/worktree|bare|include/i.test(process.env.GIT_CONFIG_PARAMETERS ?? '')) return null;
  let dir: string;
  try {
    dir = fs.realpathSync(cwd);
  } catch {
    return null; // let git (and the caller's error handling) explain
  }
  const device = fs.statSync(dir).dev;
  for (;;) {
    if (path.basename(dir) === '.git') return null; // inside a git folder: not a work tree
    const dotGit = fs.statSync(path.join(dir, '.git'), { throwIfNoEntry: false });
    if (dotGit) return isPlainRepo(dir, dotGit) ? dir : null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    // git stops at a file-system boundary; so do we, by handing over.
    if (fs.statSync(parent).dev !== device) return null;
    dir = parent;
  }
}

function isPlainRepo(top: string, dotGit: fs.Stats): boolean {
  if (!dotGit.isDirectory()) return false; // a gitfile (linked worktree, submodule): git resolves it
  if (typeof process.getuid === 'function' && dotGit.uid !== process.getuid()) return false; // safe.directory
  const gitDir = path.join(top, '.git');
  if (!fs.existsSync(path.join(gitDir, 'HEAD'))) return false; // not a valid repository: git looks further up
  let config: string;
  try {
    config = fs.readFileSync(path.join(gitDir, 'config'), 'utf8');
  } catch {
    return false;
  }
  // core.worktree or core.bare=true move or remove the work tree; includes could set either.
  return !/^\s*(worktree\s*=|bare\s*=\s*true|\[\s*include)/im.test(config);
}
