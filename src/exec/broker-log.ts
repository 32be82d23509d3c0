/**
 * The broker's audit log: one JSON line for every alias every `outloop exec` asked for, granted or
 * not, written before the command runs. It names the alias, the variable, the workspace and the
 * command (its name only: arguments can hold anything), and for a resolved key its fingerprint:
 * never a key.
 *
 * Where: `OUTLOOP_BROKER_LOG`, else `$XDG_STATE_HOME/outloop/broker.jsonl`, else
 * `~/.local/state/outloop/broker.jsonl`; mode 0600 in a 0700 folder. Lines are appended with
 * O_APPEND, one write each, so concurrent runs don't interleave within a line. When the log can't be
 * written, nothing is run: an attempt the log doesn't show must not happen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../model/errors.js';

/** `withheld`: granted, but not resolved because another alias of the same run failed (or the vault did). */
export type BrokerOutcome = 'resolved' | 'denied' | 'missing' | 'withheld';

export interface BrokerRecord {
  time: string;
  alias: string;
  /** The variables that held the alias. */
  variables: string[];
  /** The folder the command runs in, and its client (null: none). */
  workspace: string;
  workspaceTenant: string | null;
  /** The command's name (argv[0]), never its arguments. */
  command: string;
  outcome: BrokerOutcome;
  why: string;
  /** For a resolved alias: the key's fingerprint. */
  fingerprint?: string;
  pid: number;
}

export function brokerLogFile(env: NodeJS.ProcessEnv): string {
  if (env.OUTLOOP_BROKER_LOG) return path.resolve(env.OUTLOOP_BROKER_LOG);
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(state, 'outloop', 'broker.jsonl');
}

export function appendBrokerRecords(file: string, records: BrokerRecord[]): void {
  if (!records.length) return;
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  let fd: number | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    fs.writeSync(fd, text);
  } catch (err) {
    throw new UsageError(`cannot write the broker's audit log ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was run`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
