/** Worker threads that each compile the rules once, then scan the batches of files they are sent. */
import { Worker } from 'node:worker_threads';
import type { LoadedPack } from './rules/load.js';
import type { SourceKind } from './model/finding.js';
import type { ScanProgress } from './scan.js';
import { mergeTally, type ScanTally } from './scan-file.js';
import type { WorkspaceFile } from './sources/workspace.js';

/** Small batches go to whichever worker is free, so one big file doesn't leave a core idle. */
const BATCH_FILES = 32;

/**
 * Each thread's young generation, in MB (V8 splits it into two semi-spaces and a large-object
 * space, so this is about 4 MB a semi-space). The default grows to 48 MB a thread, sized for
 * throughput; a scan's short-lived strings (a decoded line, a window around a keyword) die just as
 * young in a smaller one, scanning costs the same CPU time, and peak RSS of a 1 GB transcript scan
 * on two threads drops by some 60 MB.
 */
const YOUNG_GENERATION_MB = 12;

export class WorkerPool {
  private readonly workers: Worker[];

  constructor(packs: LoadedPack[], cached: boolean, readonly size: number) {
    const url = new URL('./worker.js', import.meta.url);
    const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
    this.workers = Array.from({ length: size }, () => new Worker(url, { workerData: { packs, cached }, resourceLimits }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  async run(files: AsyncIterable<WorkspaceFile>, tally: ScanTally, onProgress?: (p: ScanProgress) => void): Promise<void> {
    const source = files[Symbol.asyncIterator]();
    let filesDone = 0;
    // Workers ask for batches concurrently; pulls from the walk are chained so each file goes once.
    let pulling: Promise<unknown> = Promise.resolve();
    const nextBatch = (): Promise<Array<{ abs: string; rel: string; source?: SourceKind }>> => {
      const batch = pulling.then(async () => {
        const out: Array<{ abs: string; rel: string; source?: SourceKind }> = [];
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
        const send = () => {
          nextBatch().then((batch) => {
            if (batch.length === 0) void worker.terminate().then(() => resolve());
            else worker.postMessage(batch);
          }, reject);
        };
        worker.on('message', (reply: { tally: ScanTally; count: number }) => {
          mergeTally(tally, reply.tally);
          filesDone += reply.count;
          onProgress?.({ filesDone, bytesDone: tally.bytes, findings: tally.findings.length, latest: reply.tally.findings });
          send();
        });
        worker.on('error', reject);
        send();
      });
    await Promise.all(this.workers.map(drive));
  }
}

