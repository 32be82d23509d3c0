/** A worker thread: compiles the rules once, then scans the batches of files it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from './detect/engine.js';
import { compilePacks } from './rules/compile.js';
import type { LoadedPack } from './rules/load.js';
import { scanFile } from './scan-file.js';

const detector = new Detector(compilePacks((workerData as { packs: LoadedPack[] }).packs));

parentPort!.on('message', (batch: Array<{ abs: string; rel: string }>) => {
  parentPort!.postMessage(batch.map((f) => scanFile(f.abs, f.rel, detector)));
});
