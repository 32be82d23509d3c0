/**
 * Worker threads that each compile the rules once, then scan the batches of files they are sent;
 * the main thread scans batches too, between listing folders and passing messages.
 */
import type { Worker } from 'node:worker_threads';
import type { Detector } from './detect/engine.js';
import type { LoadedPack } from './rules/load.js';
import type { ScanProgress } from './scan.js';
import { mergeTally, scanBatch, type ScanTally } from './scan-file.js';
import type { WorkspaceFile } from './sources/workspace.js';
import type { WorkerBatch, WorkerRules } from './worker.js';
import { takeWorkers } from './worker-start.js';

/** Small batches go to whichever thread is free, so one big file doesn't leave a core idle. */
const BATCH_FILES = 32;

/**
 * Batches a worker holds at once: while it scans one, the next is already waiting in its queue, so
 * it never sits idle while the main thread (busy scanning a batch of its own) gets to its reply.
 */
const IN_FLIGHT = 2;

export class WorkerPool {
  private readonly workers: Worker[];

  /**
   * `size` worker threads (those the CLI started early first, see worker-start.ts). Each is a whole
   * JavaScript engine of its own (startup, compiled code, heap, garbage-collector helpers), which
   * is why the main thread scans as well rather than leaving a core to one more of them.
   */
  constructor(packs: LoadedPack[], cached: boolean, readonly size: number) {
    this.workers = takeWorkers(size);
    const rules: WorkerRules = { packs, cached };
    for (const worker of this.workers) worker.postMessage(rules);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Scans `files` on the workers and, given a detector, on this thread too. */
  async run(files: Iterable<WorkspaceFile>, tally: ScanTally, local: Detector | null, onProgress?: (p: ScanProgress) => void): Promise<void> {
    const source = files[Symbol.iterator]();
    let filesDone = 0;
    const report = (part: ScanTally, count: number) => {
      mergeTally(tally, part);
      filesDone += count;
      onProgress?.({ filesDone, bytesDone: tally.bytes, findings: tally.findings.length, latest: part.findings });
    };
    // The walk is synchronous: a batch is the next files it lists, taken in one go.
    const nextBatch = (): WorkerBatch => {
      const out: WorkerBatch = [];
      while (out.length < BATCH_FILES) {
        const next = source.next();
        if (next.done) break;
        out.push(next.value); // a WorkspaceFile is a batch entry as it is (its size goes along unused)
      }
      return out;
    };
    const drive = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        let outstanding = 0;
        let drained = false;
        // Its work is done: the scan goes on to its report while the thread is taken down (some
        // 10 ms), not after.
        const finish = () => {
          void worker.terminate();
          resolve();
        };
        const send = () => {
          let batch: WorkerBatch;
          try {
            batch = nextBatch();
          } catch (err) {
            reject(err); // the walk failed (a target vanished)
            return;
          }
          if (batch.length > 0) {
            outstanding++;
            worker.postMessage(batch);
            return;
          }
          drained = true;
          if (outstanding === 0) finish();
        };
        worker.on('message', (reply: { tally: ScanTally; count: number }) => {
          outstanding--;
          report(reply.tally, reply.count);
          if (!drained) send();
          else if (outstanding === 0) finish();
        });
        worker.on('error', reject);
        // A worker that ends without an error event (it was terminated from elsewhere) would
        // leave its batches unscanned and this promise waiting for ever.
        worker.once('exit', (code) => {
          if (!drained || outstanding > 0) reject(new Error(`a scan worker thread stopped early (exit code ${code})`));
        });
        for (let k = 0; k < IN_FLIGHT; k++) send();
      });
    const scanHere = async (detector: Detector) => {
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
        report(scanBatch(batch, detector), batch.length);
        // Let the workers' replies in (and their next batches out) before scanning on.
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([...this.workers.map(drive), ...(local ? [scanHere(local)] : [])]);
  }
}
