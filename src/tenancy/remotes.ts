/**
 * A folder's git remotes, read from the repository's own config file (no git process: an audit asks
 * this for thousands of files, and a spawned git per repository would dominate it). URLs are
 * normalised to `host/owner/repo` so a glob such as `github.com/acme-corp/*` matches the SSH, HTTPS
 * and credential-bearing forms alike; the credentials themselves are dropped, never kept.
 */
import fs from 'node:fs';
import path from 'node:path';

const cache = new Map<string, string[]>();

/** The normalised remote URLs of the repository holding `dir` (an absolute path), or []. */
export function remotesOf(dir: string): string[] {
  const repo = repositoryOf(dir);
  if (!repo) return [];
  let urls = cache.get(repo.gitDir);
  if (!urls) {
    urls = readRemoteUrls(repo.gitDir).map(normaliseRemote).filter((u): u is string => u !== null);
    cache.set(repo.gitDir, urls);
  }
  return urls;
}

/** The nearest ancestor with a `.git` folder or file (a worktree or submodule points elsewhere). */
function repositoryOf(dir: string): { top: string; gitDir: string } | null {
  for (let d = dir; ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    try {
      const st = fs.statSync(dotGit);
      if (st.isDirectory()) return { top: d, gitDir: dotGit };
      const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (m) {
        const gitDir = path.resolve(d, m[1]!.trim());
        // A worktree's gitdir holds a `commondir` pointing at the shared one, where the config is.
        const common = path.join(gitDir, 'commondir');
        return { top: d, gitDir: fs.existsSync(common) ? path.resolve(gitDir, fs.readFileSync(common, 'utf8').trim()) : gitDir };
      }
    } catch {
      // no .git here
    }
    if (path.dirname(d) === d) return null;
  }
}

function readRemoteUrls(gitDir: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(gitDir, 'config'), 'utf8');
  } catch {
    return [];
  }
  const urls: string[] = [];
  let inRemote = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inRemote = /^\[remote\s+"[^"]*"\]$/.test(line);
    else if (inRemote) {
      const m = /^(?:push)?url\s*=\s*(.+)$/i.exec(line);
      if (m) urls.push(m[1]!.trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return urls;
}

/**
 * `git@github.com:acme-corp/web.git`, `https://user:token@github.com/acme-corp/web`,
 * `ssh://git@github.com:22/acme-corp/web.git` → `github.com/acme-corp/web`.
 */
export function normaliseRemote(url: string): string | null {
  let u = url.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(u);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) u = `${scp[1]}/${scp[2]}`;
  else {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:]+)(?::\d+)?\/(.+)$/i.exec(u);
    if (!m) return null;
    u = `${m[1]}/${m[2]}`;
  }
  return u.replace(/\.git\/?$/, '').replace(/\/+$/, '').toLowerCase();
}
