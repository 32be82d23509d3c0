/**
 * Runs git for the staged and history sources. `outloop scan --staged` is a pre-commit hook, so every
 * millisecond is felt on every commit: this spawns git directly with node:child_process instead of
 * going through simple-git, whose import alone costs 27–45 ms here (its CommonJS dependencies) plus
 * ~7 ms per call, more than the git commands themselves. The arguments are an array (no shell), and
 * the environment is inherited on purpose: inside a hook git sets GIT_INDEX_FILE (a temporary index
 * for `git commit -a` or `git commit <paths>`), and the scan must read that index, not the default.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * node:child_process, loaded when git first runs: the CLI's entry holds this module, and every
 * other command (a folder scan above all) would pay some 10 ms of start-up for a module it never uses.
 */
const childProcess = (): typeof import('node:child_process') => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');

/** git exited non-zero (or could not start); `stderr` holds its first line of complaint. */
export class GitError extends Error {
  override name = 'GitError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Environment for every git child: never take optional locks (a hook runs while git holds the index
 * lock); GIT_DIFF_OPTS would override the command line's context width (the staged diff needs
 * whole files) and GIT_EXTERNAL_DIFF its format.
 */
function gitEnv(): NodeJS.ProcessEnv {
  // LC_ALL=C: messages we recognise ("unknown revision") stay in English; no prompt may ever wait
  // for a user who isn't there.
  return {
    ...process.env,
    GIT_OPTIONAL_LOCKS: '0',
    GIT_DIFF_OPTS: undefined,
    GIT_EXTERNAL_DIFF: undefined,
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GLIBC_TUNABLES: withHugePageMalloc(process.env.GLIBC_TUNABLES),
  };
}

/**
 * Asks glibc's malloc for transparent huge pages (Linux with THP in "madvise" mode, the common
 * default). git allocates an entry for every file in the index, and where a page fault is expensive
 * (a VM: ~15 µs each here) those 4 KB faults were most of `git diff --cached` in a 50,000-file
 * repository: 46 → 28-36 ms. (In a 5,000-file one it costs git ~1.5 ms, which the pre-commit path
 * doesn't feel: there git finishes well before the scanner is ready.) musl, other systems' C
 * libraries, glibc before 2.35 and THP "never" ignore it. A user's own tunables are kept, and so is
 * their own choice for this one.
 */
export function withHugePageMalloc(tunables: string | undefined): string {
  if (!tunables) return HUGE_PAGE_MALLOC;
  return /(^|:)glibc\.malloc\.hugetlb=/.test(tunables) ? tunables : `${tunables}:${HUGE_PAGE_MALLOC}`;
}
const HUGE_PAGE_MALLOC = 'glibc.malloc.hugetlb=1';

export function spawnGit(args: string[], cwd: string, stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  return childProcess().spawn('git', args, { cwd, env: gitEnv(), stdio: [stdin, 'pipe', 'pipe'], windowsHide: true });
}

/** Collects a child's stderr (bounded: only the message matters). */
export function collectStderr(child: ChildProcess): () => string {
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (err.length < 4096) err += s;
  });
  return () => err.trim();
}

/** Runs git to completion and returns its stdout as bytes (paths and patches are not always UTF-8). */
export function runGit(args: string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, cwd);
    const chunks: Buffer[] = [];
    const stderr = collectStderr(child);
    child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => reject(new GitError(`could not run git: ${e.message}`, null, '', e.code)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new GitError(`git ${subcommand(args)} failed: ${firstLine(stderr())}`, code, stderr()));
    });
  });
}

/** The subcommand's name for messages: the first word that is neither an option nor a `-c` value. */
function subcommand(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else if (!args[i]!.startsWith('-')) return args[i]!;
  }
  return '';
}

/** The line of git's complaint worth showing: its `fatal:` or `error:` line, else the first one. */
export function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => l.startsWith('fatal:') || l.startsWith('error:')) ?? lines[0] ?? '(no message)';
}

/** A long-running git child (a streamed `git log -p`, a `cat-file --batch`) and how it ended. */
export interface GitChild {
  child: ChildProcess & { stdin: NonNullable<ChildProcess['stdin']>; stdout: NonNullable<ChildProcess['stdout']> };
  /** Resolves when the process has exited and its streams are closed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>;
  /** What git wrote to stderr (bounded). */
  stderr(): string;
}

export function startGit(args: string[], cwd: string): GitChild {
  const child = spawnGit(args, cwd, 'pipe') as GitChild['child'];
  const stderr = collectStderr(child);
  let error: Error | null = null;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>((resolve) => {
    child.on('error', (e) => {
      error = e;
      resolve({ code: null, signal: null, error });
    });
    child.on('close', (code, signal) => resolve({ code, signal, error }));
  });
  return { child, done, stderr };
}
