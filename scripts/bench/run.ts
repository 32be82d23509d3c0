// Runs one child process and measures it: wall time, exit status and peak RSS.
// Child output always goes to files, never to our stdout: peers may print secrets or file contents.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RunSpec {
  cmd: string;
  args: string[];
  cwd: string;
  /** Where the child's stdout and stderr go; the caller decides what may be read back. */
  stdoutFile: string;
  stderrFile: string;
  /** True when `cmd` is `node`: lets the RSS fallback preload a reporter into it. */
  isNode?: boolean;
  /** False for helper commands (install, version) whose RSS nobody reads. */
  measureRss?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  /** Spawned and ended by itself (any exit code); false on spawn error, signal or timeout. */
  ended: boolean;
  exitCode: number | null;
  wallMs: number;
  /** Peak resident set size in KiB, when measurable. */
  peakRssKb: number | null;
  error?: string;
}

const GNU_TIME = '/usr/bin/time';
// Compiled beside this file (scripts/bench/rss-preload.ts → dist/scripts/bench/rss-preload.js).
const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rss-preload.js');

let gnuTime: boolean | undefined;
/** GNU time's `-f %M` gives the peak RSS of any command; Debian's `time` package installs it. */
function haveGnuTime(): boolean {
  if (gnuTime === undefined) {
    // OUTLOOP_BENCH_NO_GNU_TIME=1 forces the preload path, to test it on machines that have GNU time.
    if (process.env.OUTLOOP_BENCH_NO_GNU_TIME === '1') return (gnuTime = false);
    try {
      fs.accessSync(GNU_TIME, fs.constants.X_OK);
      gnuTime = true;
    } catch {
      gnuTime = false;
    }
  }
  return gnuTime;
}

export function rssMethod(): string {
  return haveGnuTime() ? '/usr/bin/time -f %M' : 'process.resourceUsage() preload (node tools only)';
}

interface Wrapped {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  rssFile: string | null;
}

/** Wraps the command so its peak RSS lands in a file: GNU time if present, else a node preload. */
function wrap(spec: RunSpec): Wrapped {
  const rssFile = spec.stderrFile + '.rss';
  fs.rmSync(rssFile, { force: true });
  if (spec.measureRss === false) return { cmd: spec.cmd, args: spec.args, env: process.env, rssFile: null };
  if (haveGnuTime()) {
    return { cmd: GNU_TIME, args: ['-f', '%M', '-o', rssFile, spec.cmd, ...spec.args], env: process.env, rssFile };
  }
  if (spec.isNode) {
    const env = { ...process.env, OUTLOOP_BENCH_RSS_FILE: rssFile };
    return { cmd: spec.cmd, args: ['--import', pathToFileURL(PRELOAD).href, ...spec.args], env, rssFile };
  }
  return { cmd: spec.cmd, args: spec.args, env: process.env, rssFile: null };
}

function readRss(file: string | null): number | null {
  if (!file) return null;
  try {
    // GNU time may prefix a "Command exited with non-zero status" line; the number is the last line.
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const kb = Number(lines[lines.length - 1]);
    return Number.isFinite(kb) && kb > 0 ? kb : null;
  } catch {
    return null;
  }
}

export async function run(spec: RunSpec): Promise<RunResult> {
  const w = wrap(spec);
  const out = fs.openSync(spec.stdoutFile, 'w');
  const err = fs.openSync(spec.stderrFile, 'w');
  const start = process.hrtime.bigint();
  try {
    const status = await new Promise<{ code: number | null; signal: string | null; error?: string }>((resolve) => {
      const child = spawn(w.cmd, w.args, { cwd: spec.cwd, env: w.env, stdio: ['ignore', out, err] });
      const timer = spec.timeoutMs
        ? setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs)
        : undefined;
      child.on('error', (e) => { clearTimeout(timer); resolve({ code: null, signal: null, error: e.message }); });
      child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const result: RunResult = { ended: status.code !== null, exitCode: status.code, wallMs, peakRssKb: readRss(w.rssFile) };
    if (status.error) result.error = status.error;
    else if (status.signal) result.error = `killed by ${status.signal}${spec.timeoutMs ? ` (timeout ${spec.timeoutMs / 1000}s?)` : ''}`;
    return result;
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}

/** Runs a short helper command (install, version) and returns its stdout; null on any failure. */
export async function capture(cmd: string, args: string[], cwd: string, logFile: string, timeoutMs = 600_000): Promise<string | null> {
  const outFile = logFile + '.out';
  const r = await run({ cmd, args, cwd, stdoutFile: outFile, stderrFile: logFile, timeoutMs, measureRss: false });
  if (!r.ended || r.exitCode !== 0) return null;
  return fs.readFileSync(outFile, 'utf8');
}
