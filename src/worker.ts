/** A worker thread: compiles the rules once, then scans the batches of files it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from './detect/engine.js';
import { readRuleCache } from './rules/cache.js';
import { compilePacks } from './rules/compile.js';
import type { LoadedPack } from './rules/load.js';
import type { SourceKind } from './model/finding.js';
import { scanBatch } from './scan-file.js';

const { packs, cached } = workerData as { packs: LoadedPack[]; cached: boolean };
const detector = new Detector(compilePacks(packs, cached ? readRuleCache() : null));

parentPort!.on('message', (batch: Array<{ abs: string; rel: string; source?: SourceKind }>) => {
  parentPort!.postMessage({ tally: scanBatch(batch, detector), count: batch.length });
});
