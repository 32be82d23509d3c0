import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { prefetchForCommand } from '../src/cli/prefetch.js';
import { scan } from '../src/scan.js';
import { defaultWorkerCount, dropPrestartedWorkers, prestartWorkers } from '../src/worker-start.js';
import { ANTHROPIC, CLI, REPO, tempDir, writeFiles } from './helpers.js';

/** The workers started early and not yet taken (the registry worker-start.ts shares between bundles). */
const waiting = () => ((globalThis as Record<symbol, unknown>)[Symbol.for('outloop.prestartedWorkers')] ?? []) as Worker[];

function workspace(): string {
  const dir = tempDir();
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`src/m${i}/app.ts`] = `export const k${i} = "${ANTHROPIC(`w${i}`)}";\n`;
  writeFiles(dir, files);
  return dir;
}

const fingerprints = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => `${f.path} ${f.fingerprint}`).sort();

describe('worker threads started early', () => {
  it('a scan takes the workers started before it, and they end with it', async () => {
    const dir = workspace();
    const inline = await scan({ paths: [dir], workers: 0 });
    assert.equal(inline.findings.length, 40);
    prestartWorkers(2);
    const early = [...waiting()];
    assert.equal(early.length, 2);
    const exits = early.map((w) => once(w, 'exit'));
    const replies = early.map(() => 0);
    early.forEach((w, k) => w.on('message', () => replies[k]!++));
    // Enough files that both workers get batches while the main thread scans its own.
    writeFiles(dir, Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`more/f${i}.txt`, 'nothing here\n'.repeat(2000)])));
    const threaded = await scan({ paths: [dir], workers: 2 });
    assert.equal(threaded.stats.workers, 2);
    assert.deepEqual(fingerprints(threaded), fingerprints(inline));
    assert.equal(waiting().length, 0, 'the pool took both');
    assert.ok(replies.every((n) => n > 0), `each early worker scanned batches (replies: ${replies.join(', ')})`);
    await Promise.all(exits); // and the pool ended them
  });

  it('workers a scan does not need are ended, and one that died early is replaced', async () => {
    const dir = workspace();
    prestartWorkers(2);
    const early = [...waiting()];
    const exits = early.map((w) => once(w, 'exit'));
    // A list of files, no folder: this scan runs on the main thread alone.
    const result = await scan({ paths: [path.join(dir, 'src/m0/app.ts')], workers: 0 });
    assert.equal(result.findings.length, 1);
    await Promise.all(exits);
    assert.equal(waiting().length, 0);

    prestartWorkers(1);
    const dead = waiting()[0]!;
    await dead.terminate();
    assert.equal(waiting().length, 0, 'a worker that exits before a pool takes it leaves the queue');
    const threaded = await scan({ paths: [dir], workers: 1 });
    assert.equal(threaded.stats.workers, 1);
    assert.equal(threaded.findings.length, 40);
  });

  it('a worker started early does not keep a process alive that never takes it', () => {
    const url = pathToFileURL(path.join(REPO, 'dist/src/worker-start.js')).href;
    // A script file, not `-e`: workers inherit the process's options, and --input-type fails in one.
    const script = path.join(tempDir(), 'main.mjs');
    fs.writeFileSync(script, `import { prestartWorkers } from ${JSON.stringify(url)};
prestartWorkers(2);
let online = 0;
for (const w of globalThis[Symbol.for('outloop.prestartedWorkers')]) w.once('online', () => online++);
// Time for both to boot and wait for their rules; after this timer nothing else holds the process.
setTimeout(() => console.log(online + ' online'), 3000);
`);
    const run = spawnSync(process.execPath, [script], { timeout: 30_000, encoding: 'utf8' });
    assert.equal(run.signal, null, 'the process had to be killed: the workers kept it alive');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '2 online\n', 'both workers booted');
  });

  it('the CLI entry starts workers for a scan of folders only', async () => {
    const dir = workspace();
    const file = path.join(dir, 'src/m0/app.ts');
    const started = async (argv: string[], cwd = REPO) => {
      prefetchForCommand(argv, cwd);
      const count = waiting().length;
      await dropPrestartedWorkers();
      return count;
    };
    assert.equal(await started(['scan', dir]), defaultWorkerCount());
    assert.equal(await started(['scan', '--format', 'json', file, dir]), defaultWorkerCount());
    assert.equal(await started(['scan'], dir), defaultWorkerCount(), 'no path: the current folder');
    assert.equal(await started(['scan', file]), 0, 'a file alone');
    assert.equal(await started(['scan', '--workers', '3', dir]), 0, 'the scan starts the count it was given');
    assert.equal(await started(['scan', '--git', dir]), 0);
    assert.equal(await started(['scan', '--since', 'main']), 0);
    assert.equal(await started(['scan', '-']), 0, 'standard input');
    assert.equal(await started(['scan', '--transcripts']), 0, 'agent stores only, no folder');
    assert.equal(await started(['scan', '--no-such-option', dir]), 0, 'a command the scan will refuse');
    assert.equal(await started(['rules', dir]), 0);
    // A path that can't even be stat'ed is left to the scan to refuse, not a crash of the entry.
    assert.equal(await started(['scan', path.join(file, 'below-a-file')]), 0);
  });

  it('a path below a file is a usage error (exit 2), not a crash of the CLI entry', () => {
    const dir = workspace();
    const run = spawnSync(process.execPath, [CLI, 'scan', path.join(dir, 'src/m0/app.ts', 'x')], { encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^outloop: cannot scan .*ENOTDIR/m);
    assert.doesNotMatch(run.stderr, /at .*prefetch|internal error/);
  });
});
