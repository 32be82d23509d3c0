/**
 * Whether this process changed V8's flags (worker-pool.ts tunes inlining for scanning). V8 stamps a
 * code cache with the flags it was made under and refuses it under others, so the CLI entry saves
 * no compiled-code pack for the next run once they changed: the next run starts without them.
 * The entry and the app are separate bundles, hence a registered symbol rather than a variable.
 */
const CHANGED = Symbol.for('outloop.v8-flags-changed');

export function markEngineFlagsChanged(): void {
  (globalThis as Record<symbol, unknown>)[CHANGED] = true;
}

export function engineFlagsChanged(): boolean {
  return (globalThis as Record<symbol, unknown>)[CHANGED] === true;
}
