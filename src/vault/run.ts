/**
 * Running a vault CLI (secret-tool, security, op): argv never holds a secret, the secret goes on
 * stdin, output is collected as bytes, and a hung CLI (a keyring waiting for an unlock dialog nobody
 * sees) is killed after a timeout instead of hanging outloop.
 */
import { spawn } from 'node:child_process';
import { VaultError } from './errors.js';
import type { BackendName } from './vault.js';

export interface CliResult {
  /** Exit code; -1 when the CLI could not be started or was killed. */
  code: number;
  stdout: Buffer;
  stderr: string;
  /** ENOENT when the CLI is not installed; 'timeout' when it was killed after `timeoutMs`. */
  failure?: 'ENOENT' | 'timeout' | string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /**
   * Run in a new session with no controlling terminal, so a CLI that would prompt on /dev/tty (for a
   * password or an unlock) reads our pipe or fails instead of taking over the user's terminal.
   */
  detached?: boolean;
}

/** Output past this is cut (a listing of a huge keychain); 64 MB is far more than any vault holds. */
const MAX_OUTPUT = 64 * 1024 * 1024;

export function runCli(command: string, args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise<CliResult>((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, {
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: options.detached ?? false,
        windowsHide: true,
      });
    } catch (err) {
      resolve({ code: -1, stdout: Buffer.alloc(0), stderr: '', failure: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: string | undefined;
    let settled = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            failure = 'timeout';
            try {
              // The whole group when detached: a CLI may have started helpers of its own.
              if (options.detached && child.pid) process.kill(-child.pid, 'SIGKILL');
              else child.kill('SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, options.timeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      if (outBytes < MAX_OUTPUT) out.push(b);
      outBytes += b.length;
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (errBytes < MAX_OUTPUT) err.push(b);
      errBytes += b.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= e.code ?? e.message;
    });
    // A CLI that exits without reading all of stdin closes the pipe: that is its answer, not ours.
    child.stdin!.on('error', () => {});
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({
        code: failure ? -1 : (code ?? -1),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(failure ? { failure } : {}),
      });
    });
    child.stdin!.end(options.input ?? '');
  });
}

/** The last non-empty line of a CLI's stderr, for an error message (stderr never carries a secret here). */
export function lastLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines[lines.length - 1]!.slice(0, 300) : '';
}

/** How a backend runs its CLI: the program, and the defaults its options give every call. */
export interface VaultCli {
  command: string;
  env?: NodeJS.ProcessEnv;
  /** Per call (default 120 s: a locked store may wait on an unlock dialog). */
  timeoutMs?: number;
  detached?: boolean;
}

/** One call of a backend's CLI; `timeoutMs` overrides the backend's (a quick probe). */
export function runVaultCli(cli: VaultCli, args: string[], input?: string, timeoutMs?: number): Promise<CliResult> {
  return runCli(cli.command, args, {
    env: cli.env ?? process.env,
    timeoutMs: timeoutMs ?? cli.timeoutMs ?? 120_000,
    ...(cli.detached ? { detached: true } : {}),
    ...(input === undefined ? {} : { input }),
  });
}

/** What a backend says about its CLI when a call fails. */
export interface CliWording {
  /** The tool's name in messages (`secret-tool`, `security`, `op`). */
  tool: string;
  /** The whole message when the CLI isn't there, with how to get it. */
  notInstalled: string;
  /** Why a call may not have answered in time, shown in brackets. */
  noAnswer: string;
  /** The reason worth showing from a failed call's stderr (default: its last line). */
  why?: (stderr: string) => string;
}

/** A failed call as a user reads it: not installed, no answer in time, or the exit and the CLI's reason. */
export function cliFailure(backend: BackendName, wording: CliWording, what: string, alias: string | null, r: CliResult): VaultError {
  const where = alias ? ` for ${alias}` : '';
  if (r.failure === 'ENOENT') return new VaultError(backend, wording.notInstalled);
  if (r.failure === 'timeout') return new VaultError(backend, `${wording.tool} ${what}${where} did not answer in time (${wording.noAnswer})`);
  const why = (wording.why ?? lastLine)(r.stderr);
  return new VaultError(backend, `${wording.tool} ${what}${where} failed (exit ${r.code})${why ? `: ${why}` : ''}`);
}
