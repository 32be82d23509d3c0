/**
 * Fault injection for the crash tests: every durable step of a rewrite or an undo (a vault write, a
 * config write, a journal update, a temp file written, synced, renamed) calls step(). With
 * OUTLOOP_TEST_KILL_AT=N the process kills itself (SIGKILL, no clean-up) at its Nth step;
 * OUTLOOP_TEST_STEP_LOG=FILE appends each step's number and label (so a test learns how many there are).
 * Neither variable is ever set outside tests; unset, step() only counts.
 */
import fs from 'node:fs';

let count = 0;

export function step(label: string): void {
  count++;
  const log = process.env.OUTLOOP_TEST_STEP_LOG;
  if (log) fs.appendFileSync(log, `${count} ${label}\n`);
  const at = process.env.OUTLOOP_TEST_KILL_AT;
  if (at && Number(at) === count) process.kill(process.pid, 'SIGKILL');
}

export function stepsTaken(): number {
  return count;
}
