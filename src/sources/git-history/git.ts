/**
 * Small git calls (simple-git) and reading a streamed child's output. simple-git buffers a command's
 * whole output before resolving, which is fine for `rev-parse` but not for a `git log -p` of hundreds
 * of MB: that one is started with ../git/run.ts (node:child_process) and read from its stdout here.
 */
import { simpleGit } from 'simple-git';
import { UsageError } from '../../model/errors.js';
import { firstLine } from '../git/run.js';

/**
 * The folder history commands run in, whose paths git's output is relative to: the work tree's top
 * folder, or the git directory itself for a bare repository (a CI mirror clone has no work tree, and
 * `--show-toplevel` fails there).
 */
export async function gitToplevel(dir: string): Promise<string> {
  const git = simpleGit({ baseDir: dir });
  try {
    return (await git.revparse(['--show-toplevel'])).trim();
  } catch (err) {
    const bareGitDir = await git.revparse(['--is-bare-repository', '--absolute-git-dir']).then(
      (out) => /^true\n(.+)$/.exec(out.trim())?.[1] ?? null,
      () => null,
    );
    if (bareGitDir) return bareGitDir;
    throw new UsageError(`not a git repository: ${dir} (${firstLine(String((err as Error).message))})`);
  }
}

/** Whether any ref or HEAD names a commit (false in a freshly initialised repository). */
export async function hasCommits(top: string): Promise<boolean> {
  try {
    return (await simpleGit({ baseDir: top }).raw(['rev-list', '-n', '1', '--all'])).trim() !== '';
  } catch {
    return false;
  }
}

/**
 * A child's stdout as chunks, read ahead up to `limit` bytes while the consumer is busy: a pipe holds
 * only 64 KB, so without this git stalls whenever the scanner spends a moment on a large fragment,
 * and the two never run fully side by side. Past the limit the stream is paused (git then blocks on
 * the full pipe), so memory stays bounded.
 */
export async function* readAhead(stream: NodeJS.ReadableStream & { destroy(): void }, limit = 8 * 1024 * 1024): AsyncGenerator<Buffer> {
  let chunks: Array<Buffer | undefined> = [];
  let head = 0;
  let bytes = 0;
  let ended = false;
  let failure: Error | null = null;
  let paused = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (c: Buffer) => {
    chunks.push(c);
    bytes += c.length;
    if (bytes >= limit && !paused) {
      paused = true;
      stream.pause();
    }
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (e: Error) => {
    failure = e;
    notify();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  try {
    for (;;) {
      if (head < chunks.length) {
        const c = chunks[head]!;
        chunks[head++] = undefined;
        bytes -= c.length;
        if (head >= 1024) {
          chunks = chunks.slice(head);
          head = 0;
        }
        if (paused && bytes < limit / 2) {
          paused = false;
          stream.resume();
        }
        yield c;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    if (!ended) stream.destroy();
  }
}
