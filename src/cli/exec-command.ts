/**
 * `outloop exec [--env-file F]... -- COMMAND [ARGS...]`: runs COMMAND with every broker alias in its
 * environment resolved from the vault, and masks the resolved secrets in its stdout and stderr.
 *
 * - The secrets exist only in the child's environment (spawn's `env`): nothing is written to disk
 *   and the parent shell never sees them. OUTLOOP_VAULT_PASSPHRASE is not passed on to the child.
 * - The child's stdin is inherited; its stdout and stderr go through the masks (src/exec/mask.ts),
 *   so to the child they are pipes, not a terminal.
 * - Exit code: the child's; 128+N when it died of signal N; 127 when COMMAND can't be found, 126
 *   when it can't be run; 2 (nothing run) for a usage error, an unreadable env file, an unavailable
 *   vault or an alias with no vault entry (the message names the alias and variable, never a value).
 * - Each alias must be granted to the folder the command runs in (src/exec/grants.ts: a client's
 *   keys in that client's workspaces, others by a config grant), else nothing is run; every alias
 *   asked for is logged, with its outcome and never its key (src/exec/broker-log.ts).
 * - SIGINT, SIGTERM and SIGHUP sent to outloop are forwarded to the child, and outloop waits for it.
 *   (On a terminal, Ctrl-C reaches both already: the child then gets SIGINT twice.)
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { maskPatterns, maskStream } from '../exec/mask.js';
import { authorize } from '../exec/broker.js';
import { mergeEnv, MissingAliasError, readEnvFile, resolveEnv, wantedAliases, type EnvSource, type ResolvedEnv } from '../exec/resolve.js';
import { EXIT, UsageError } from '../model/errors.js';
import { openVault } from '../vault/open.js';
import type { VaultBackend } from '../vault/vault.js';
import type { Io } from './run.js';

export const EXEC_USAGE = 'usage: outloop exec [--env-file FILE]... -- COMMAND [ARGS...]';

/** Never handed to the child: it opens the vault, which the child has no business opening. */
const WITHHELD = ['OUTLOOP_VAULT_PASSPHRASE'];

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** After the child exits, how long its stdout/stderr may stay open (a grandchild holding them) before outloop stops waiting. */
const OUTPUT_GRACE_MS = 1000;

export interface ExecOptions {
  /** The vault, or how to open it (only called when there is an alias to resolve). */
  vault?: VaultBackend | (() => Promise<VaultBackend>);
  /** The inherited environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Env files read before the `--env-file` ones of argv (so argv's win over these). */
  envFiles?: string[];
  /** Where the masked output and outloop's own messages go (default process.stdout/stderr); stdin for the child (default 'inherit'). */
  stdio?: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; stdin?: 'inherit' | 'ignore' | 'pipe' };
  /** The child's working folder, and what relative env-file paths are relative to (default process.cwd()). */
  cwd?: string;
  /** Idle delay before a held tail is re-examined (default 50 ms). */
  idleMs?: number;
  /** Forward SIGINT/SIGTERM/SIGHUP to the child (default true). */
  forwardSignals?: boolean;
  /** Called once the child is started (tests). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ExecArgs {
  envFiles: string[];
  command: string;
  args: string[];
}

export function parseExecArgs(argv: string[]): ExecArgs {
  const envFiles: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--env-file') {
      const f = argv[++i];
      if (f === undefined || f === '') throw new UsageError(`--env-file needs a file (${EXEC_USAGE})`);
      envFiles.push(f);
    } else if (a.startsWith('--env-file=')) {
      const f = a.slice('--env-file='.length);
      if (!f) throw new UsageError(`--env-file needs a file (${EXEC_USAGE})`);
      envFiles.push(f);
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option "${a}" for exec (${EXEC_USAGE})`);
    } else {
      break; // the command, given without `--`
    }
  }
  const [command, ...args] = argv.slice(i);
  if (!command) throw new UsageError(EXEC_USAGE);
  return { envFiles, command, args };
}

/** `outloop exec` as run.ts calls it: the configured vault, the process's own stdio. */
export async function runExec(argv: string[], io: Io): Promise<number> {
  return execWithVault(argv, {
    vault: () => openConfiguredVault(io.env),
    env: io.env,
    stdio: { stdout: io.stdout, stderr: io.stderr },
  });
}

async function openConfiguredVault(env: NodeJS.ProcessEnv): Promise<VaultBackend> {
  const vault = await openVault({ env });
  if (!vault) {
    throw new UsageError(
      'no usable vault to resolve outloop:// aliases from (set OUTLOOP_VAULT_PASSPHRASE for the file vault, or OUTLOOP_VAULT to a backend); nothing was run',
    );
  }
  return vault;
}

/** Runs `outloop exec` with the given vault and streams; returns the exit code, never exits itself. */
export async function execWithVault(argv: string[], options: ExecOptions = {}): Promise<number> {
  const stdout = options.stdio?.stdout ?? process.stdout;
  const stderr = options.stdio?.stderr ?? process.stderr;
  const cwd = options.cwd ?? process.cwd();
  let prepared: { parsed: ExecArgs; env: Record<string, string>; secrets: string[] };
  try {
    prepared = await prepare(argv, options, cwd, stderr);
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`outloop: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }
  return runChild(prepared.parsed, prepared.env, prepared.secrets, options, cwd, stdout, stderr);
}

async function prepare(argv: string[], options: ExecOptions, cwd: string, stderr: NodeJS.WritableStream) {
  const parsed = parseExecArgs(argv);
  const files = [...(options.envFiles ?? []), ...parsed.envFiles];
  const sources: EnvSource[] = files.map((f) => ({ name: f, entries: readEnvFile(path.resolve(cwd, f)) }));
  const env = options.env ?? process.env;
  const merged = mergeEnv(env, sources);
  const given = options.vault;
  const open = async (): Promise<VaultBackend> => {
    if (!given) throw new UsageError('no vault to resolve aliases from');
    return typeof given === 'function' ? given() : given;
  };
  // Before the vault is opened: may this workspace have these keys? Every alias asked for is logged.
  const { aliases } = wantedAliases(merged);
  const ledger = aliases.size ? await authorize({ aliases, cwd, env, command: parsed.command, envFiles: files.map((f) => path.resolve(cwd, f)) }) : null;
  let resolved: ResolvedEnv;
  try {
    resolved = await resolveEnv(merged, open);
  } catch (err) {
    ledger?.failed(`not resolved: ${(err as Error).message}`, err instanceof MissingAliasError ? new Set(err.missing.map((m) => m.alias)) : undefined);
    throw err;
  }
  ledger?.resolved(resolved.fingerprints);
  for (const v of resolved.malformed) stderr.write(`outloop: warning: ${v} holds "outloop://" that is not a valid alias (outloop://TENANT/NAME); passed on as it is\n`);
  for (const k of WITHHELD) delete resolved.env[k];
  return { parsed, env: resolved.env, secrets: resolved.secrets };
}

async function runChild(
  parsed: ExecArgs,
  env: Record<string, string>,
  secrets: string[],
  options: ExecOptions,
  cwd: string,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const patterns = maskPatterns(secrets);
  const stdio: StdioOptions = [options.stdio?.stdin ?? 'inherit', 'pipe', 'pipe'];
  let child: ChildProcess;
  try {
    child = spawn(parsed.command, parsed.args, { env, cwd, stdio });
  } catch (err) {
    stderr.write(`outloop: cannot run ${parsed.command}: ${(err as Error).message}\n`);
    return EXIT.error;
  }

  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const forwardSignals = options.forwardSignals ?? true;
  if (forwardSignals) for (const s of FORWARDED) process.on(s, forward);

  const outputs = [
    [child.stdout!, stdout],
    [child.stderr!, stderr],
  ].map(([from, to]) => {
    const source = from as NodeJS.ReadableStream & { destroy(): void; unpipe(dest?: NodeJS.WritableStream): void };
    const dest = to as NodeJS.WritableStream;
    const mask = maskStream(patterns, options.idleMs === undefined ? {} : { idleMs: options.idleMs });
    // Our reader gone (`outloop exec ... | head`): stop reading, so the child sees a closed pipe as it would without us.
    const onDestError = () => {
      source.unpipe(mask);
      source.destroy();
      mask.destroy();
    };
    dest.on('error', onDestError);
    source.pipe(mask).pipe(dest, { end: false });
    const done = finished(mask).then(
      () => undefined,
      () => undefined,
    );
    return {
      done: done.finally(() => dest.removeListener('error', onDestError)),
      // A grandchild still holds the pipe: stop waiting, let out what is held.
      abandon: () => {
        source.unpipe(mask);
        source.destroy();
        mask.end();
      },
    };
  });

  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (child.pid !== undefined) options.onSpawn?.(child);

  try {
    const { code, signal } = await exited;
    const allDone = Promise.all(outputs.map((o) => o.done));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => {
      timer = setTimeout(() => resolve('grace'), spawnError ? 0 : OUTPUT_GRACE_MS);
    });
    if ((await Promise.race([allDone, grace])) === 'grace') {
      for (const o of outputs) o.abandon();
      await allDone;
    }
    clearTimeout(timer);
    if (spawnError) {
      const notFound = spawnError.code === 'ENOENT';
      stderr.write(`outloop: ${parsed.command}: ${notFound ? 'command not found' : `cannot run it (${spawnError.code ?? spawnError.message})`}\n`);
      return notFound ? 127 : 126;
    }
    if (code !== null) return code;
    const n = signal ? os.constants.signals[signal] : undefined;
    return 128 + (n ?? 0);
  } finally {
    if (forwardSignals) for (const s of FORWARDED) process.removeListener(s, forward);
  }
}
