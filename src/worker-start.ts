/**
 * Starting the scan's worker threads, and starting them early. A worker is a whole Node instance of
 * its own: on a 2-core machine it takes ~100 ms to boot before it scans its first file, which is
 * most of the time the main thread spends loading the scanner, its rules and config. So for a
 * folder scan the CLI's entry starts the workers first thing (src/cli/prefetch.ts), and the scan's
 * pool takes them over; a library caller's pool starts its own.
 *
 * A worker learns its rules from its first message (see worker.ts), not from workerData, because
 * a worker started early is started before the rules are loaded. Started-early workers wait in
 * the global symbol registry: the built CLI is two bundles (the small entry, then the app), each
 * with its own copy of this module. Until a pool takes them they are unref'd, so a run that never
 * scans a folder (a usage error, a small scan) isn't kept alive by them; exit ends them.
 *
 * This module is small on purpose (node:worker_threads only, loaded on first use): the entry
 * holds it, and the pre-commit hook, which never starts a thread, shouldn't load it.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';

/**
 * Each thread's young generation, in MB (V8 splits it into two semi-spaces and a large-object
 * space, so this is about 4 MB a semi-space). The default grows to 48 MB a thread, sized for
 * throughput; a scan's short-lived strings (a decoded line, a window around a keyword) die just as
 * young in a smaller one, scanning costs the same CPU time, and peak RSS of a 1 GB transcript scan
 * on two threads drops by some 60 MB.
 */
const YOUNG_GENERATION_MB = 12;

/** The worker's file, beside this module: tsc's ES module, or the CLI bundle's CommonJS one (scripts/bundle-cli.ts). */
declare const OUTLOOP_WORKER_FILE: string | undefined;
const WORKER_FILE = typeof OUTLOOP_WORKER_FILE === 'string' ? OUTLOOP_WORKER_FILE : './worker.js';

const KEY = Symbol.for('outloop.prestartedWorkers');
const waiting = ((globalThis as Record<symbol, unknown>)[KEY] ??= []) as Worker[];

/** Worker threads besides the main thread, which scans too: one core each. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(os.availableParallelism(), 8) - 1);
}

export function startWorker(): Worker {
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  return new Worker(new URL(WORKER_FILE, import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/** Starts `count` workers now, for a pool made later to take (takeWorkers). */
export function prestartWorkers(count = defaultWorkerCount()): void {
  for (let k = 0; k < count; k++) {
    const worker = startWorker();
    worker.unref();
    // One that dies before a pool takes it (it failed to boot) is never handed out; its error
    // would surface nowhere, so a fresh worker takes its place, and fails where it is seen.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      const at = waiting.indexOf(worker);
      if (at >= 0) waiting.splice(at, 1);
    });
    waiting.push(worker);
  }
}

/** `count` workers: those started early first (now kept alive by the caller), then new ones. */
export function takeWorkers(count: number): Worker[] {
  const taken = waiting.splice(0, count);
  for (const worker of taken) worker.ref();
  while (taken.length < count) taken.push(startWorker());
  return taken;
}

/** How many workers were started early and wait for a pool. */
export function workersStarted(): number {
  return waiting.length;
}

/** Ends workers started early that no pool took (the scan turned out to need none). */
export function dropPrestartedWorkers(): Promise<unknown> {
  return Promise.all(waiting.splice(0).map((w) => w.terminate()));
}
