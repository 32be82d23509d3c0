/**
 * V8 settings for scanning folders, and whether this process changed them.
 *
 * How much code V8 may inline into one optimised function (bytecode bytes; its default is 920):
 * every engine (the main thread and each worker) compiles the scanning functions again, and
 * recompiles them when a rare branch turns up; with the default budget those functions swell and
 * compiling them was a fifth of a 20 MB scan's instructions (counted with callgrind: 5.49 G with
 * the default, 4.38 G at 300, 4.39 G at 200, 4.67 G at 500) and still 4% of a 200 MB one
 * (20.6 G against 19.9 G). V8 reads the budget each time it compiles, so setting it before any
 * scanning function is hot is enough (the workers the CLI started early have only booted by then,
 * and flags are per process, so they see it too). For the same reason only the CLI sets it (a
 * program using the library keeps its own flags), and not for the pre-commit scan, which is over
 * before anything is optimised. A scan with worker threads also raises the interrupt budget
 * (THREADED_SCANNING_FLAGS).
 *
 * V8 stamps a code cache with the flags it was made under and refuses it under others, so once
 * they changed the CLI entry saves no compiled-code pack for the next run. The entry and the app
 * are separate bundles, hence a registered symbol rather than a variable.
 */
const CHANGED = Symbol.for('outloop.v8-flags-changed');

export const SCANNING_FLAGS = '--max-inlined-bytecode-size-cumulative=300';

/**
 * How much bytecode a function runs before V8 considers optimising it (its default is 132 KB):
 * with worker threads, every core is busy scanning, and each engine's optimising compiler (some
 * 400 ms of CPU a scan, in background threads) takes its time from them. At 1 MB only the really
 * hot functions are optimised, not the per-file glue around them: a 200 MB scan on 2 cores took
 * 8-11% less time (1.29 s against 1.19 s, medians of six alternated runs). On one thread the
 * compiler has a core to itself and the default is faster (by some 15%), so only a scan that
 * starts threads raises it.
 */
export const THREADED_SCANNING_FLAGS = '--interrupt-budget=1000000';

export async function tuneEngineForScanning(options: { threaded: boolean }): Promise<void> {
  // Loaded here, not at the top: `node:v8` costs the pre-commit hook a few ms it has no use for.
  const v8 = await import('node:v8');
  v8.setFlagsFromString(SCANNING_FLAGS);
  if (options.threaded) v8.setFlagsFromString(THREADED_SCANNING_FLAGS);
  (globalThis as Record<symbol, unknown>)[CHANGED] = true;
}

export function engineFlagsChanged(): boolean {
  return (globalThis as Record<symbol, unknown>)[CHANGED] === true;
}
