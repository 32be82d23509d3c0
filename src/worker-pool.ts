/**
 * Worker threads that each compile the rules once, then scan the batches of files they are sent;
 * the main thread scans batches too, between listing folders and passing messages.
 */
import { Worker } from 'node:worker_threads';
import type { Detector } from './detect/engine.js';
import type { LoadedPack } from './rules/load.js';
import type { SourceKind } from './model/finding.js';
import type { ScanProgress } from './scan.js';
import { mergeTally, scanBatch, type ScanTally } from './scan-file.js';
import type { WorkspaceFile } from './sources/workspace.js';

/** Small batches go to whichever thread is free, so one big file doesn't leave a core idle. */
const BATCH_FILES = 32;

/**
 * Batches a worker holds at once: while it scans one, the next is already waiting in its queue, so
 * it never sits idle while the main thread (busy scanning a batch of its own) gets to its reply.
 */
const IN_FLIGHT = 2;

/**
 * Each thread's young generation, in MB (V8 splits it into two semi-spaces and a large-object
 * space, so this is about 4 MB a semi-space). The default grows to 48 MB a thread, sized for
 * throughput; a scan's short-lived strings (a decoded line, a window around a keyword) die just as
 * young in a smaller one, scanning costs the same CPU time, and peak RSS of a 1 GB transcript scan
 * on two threads drops by some 60 MB.
 */
const YOUNG_GENERATION_MB = 12;

type Batch = Array<{ abs: string; rel: string; source?: SourceKind }>;

export class WorkerPool {
  private readonly workers: Worker[];

  /**
   * `size` worker threads. Each is a whole JavaScript engine of its own (startup, compiled code,
   * heap, garbage-collector helpers), which is why the main thread scans as well rather than
   * leaving a core to one more of them.
   */
  constructor(packs: LoadedPack[], cached: boolean, readonly size: number) {
    const url = new URL('./worker.js', import.meta.url);
    const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
    this.workers = Array.from({ length: size }, () => new Worker(url, { workerData: { packs, cached }, resourceLimits }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Scans `files` on the workers and, given a detector, on this thread too. */
  async run(files: AsyncIterable<WorkspaceFile>, tally: ScanTally, local: Detector | null, onProgress?: (p: ScanProgress) => void): Promise<void> {
    const source = files[Symbol.asyncIterator]();
    let filesDone = 0;
    const report = (part: ScanTally, count: number) => {
      mergeTally(tally, part);
      filesDone += count;
      onProgress?.({ filesDone, bytesDone: tally.bytes, findings: tally.findings.length, latest: part.findings });
    };
    // Threads ask for batches concurrently; pulls from the walk are chained so each file goes once.
    let pulling: Promise<unknown> = Promise.resolve();
    const nextBatch = (): Promise<Batch> => {
      const batch = pulling.then(async () => {
        const out: Batch = [];
        while (out.length < BATCH_FILES) {
          const next = await source.next();
          if (next.done) break;
          out.push({ abs: next.value.abs, rel: next.value.rel, ...(next.value.source ? { source: next.value.source } : {}) });
        }
        return out;
      });
      pulling = batch;
      return batch;
    };
    const drive = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        let outstanding = 0;
        let drained = false;
        const send = () => {
          outstanding++;
          nextBatch().then((batch) => {
            if (batch.length > 0) return worker.postMessage(batch);
            outstanding--;
            drained = true;
            if (outstanding === 0) void worker.terminate().then(() => resolve());
          }, reject);
        };
        worker.on('message', (reply: { tally: ScanTally; count: number }) => {
          outstanding--;
          report(reply.tally, reply.count);
          if (!drained) send();
          else if (outstanding === 0) void worker.terminate().then(() => resolve());
        });
        worker.on('error', reject);
        for (let k = 0; k < IN_FLIGHT; k++) send();
      });
    const scanHere = async (detector: Detector) => {
      for (let batch = await nextBatch(); batch.length > 0; batch = await nextBatch()) {
        report(scanBatch(batch, detector), batch.length);
        // Let the workers' replies in (and their next batches out) before scanning on.
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([...this.workers.map(drive), ...(local ? [scanHere(local)] : [])]);
  }
}
