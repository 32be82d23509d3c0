/**
 * A worker thread: its first message holds the rules, which it compiles once; every later one is a
 * batch of files to scan. (Rules come by message, not workerData: the CLI starts its workers
 * before it has loaded them, see worker-start.ts.)
 */
import { parentPort } from 'node:worker_threads';
import { Detector } from './detect/engine.js';
import { readRuleCache } from './rules/cache.js';
import { compilePacks } from './rules/compile.js';
import type { LoadedPack } from './rules/load.js';
import type { SourceKind } from './model/finding.js';
import { scanBatch } from './scan-file.js';

export interface WorkerRules {
  packs: LoadedPack[];
  /** Whether the packs are the built-in rules as shipped, whose compiled form the build step cached. */
  cached: boolean;
}
export type WorkerBatch = Array<{ abs: string; rel: string; source?: SourceKind }>;

let detector: Detector | null = null;
parentPort!.on('message', (message: WorkerRules | WorkerBatch) => {
  if (detector === null) {
    const { packs, cached } = message as WorkerRules;
    detector = new Detector(compilePacks(packs, cached ? readRuleCache() : null));
    return;
  }
  const batch = message as WorkerBatch;
  parentPort!.postMessage({ tally: scanBatch(batch, detector), count: batch.length });
});
