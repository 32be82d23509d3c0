import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { plainProgress, startAuditView, type AuditProgress } from '../../src/cli/audit-view.js';

// ink decides at load time (on the first startAuditView) whether it runs in CI, where it draws only
// the last frame; and chalk whether to colour. This test wants every frame, in colour.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
process.env.FORCE_COLOR = '1';

const viewModule = fileURLToPath(new URL('../../src/cli/audit-view.js', import.meta.url));

/** A terminal that keeps what is written to it. */
class FakeTTY extends Writable {
  isTTY = true;
  columns = 100;
  chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  raw(): string {
    return this.chunks.join('');
  }
  text(): string {
    return stripVTControlCharacters(this.raw());
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects if `p` doesn't settle in `ms`, so a hang fails the test instead of stalling it. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function progress(over: Partial<AuditProgress>): AuditProgress {
  return { filesDone: 0, bytesDone: 0, findings: 0, byTenant: {}, wrongClient: 0, phase: 'scanning', ...over };
}

test('the ink view shows live progress, then the per-tenant table and footer, and unmounts', async () => {
  const out = new FakeTTY();
  const view = await startAuditView(out as unknown as NodeJS.WriteStream, ['acme', 'globex', 'initech']);

  view.update(progress({ phase: 'listing' }));
  await sleep(150);
  view.update(progress({ filesDone: 10, bytesDone: 1024 * 1024, findings: 1, byTenant: { acme: 1 } }));
  await sleep(150);
  const live = progress({
    filesDone: 1234,
    bytesDone: 5 * 1024 * 1024 + 300 * 1024,
    findings: 7,
    byTenant: { acme: 4, globex: 3, '(unassigned)': 2 },
    wrongClient: 2,
  });
  view.update(live);
  live.filesDone = 999_999; // the view keeps its own copy
  await sleep(250);

  const during = out.text();
  assert.match(during, /listing files/);
  assert.match(during, /scanning\s+1,234 files\s+5\.3 MB\s+7 findings\s+2 wrong-client/);
  assert.doesNotMatch(during, /999,999/);
  assert.match(during, /acme 4/);
  assert.match(during, /globex 3/);
  assert.match(during, /initech 0/, 'a configured tenant without findings is listed with 0');
  assert.match(during, /\(unassigned\) 2/, 'a counted name outside the configured tenants is listed too');
  assert.match(during, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'a spinner frame');
  // Red (SGR 31) around the wrong-client count, which only shows when it's above 0.
  assert.match(out.raw(), /\u001B\[31m(\u001B\[1m)?2 wrong-client/);
  assert.match(during, /0 wrong-client/, 'the earlier frames said 0');
  assert.doesNotMatch(out.raw(), /\u001B\[31m(\u001B\[1m)?0 wrong-client/, '0 is not red');

  const before = out.raw().length;
  await within(
    view.finish(
      [
        { tenant: 'acme', findings: 4, wrongClient: 1, services: ['anthropic', 'stripe'], new: 2, fixed: 1 },
        { tenant: 'globex', findings: 3, wrongClient: 0, services: ['openai'] },
        { tenant: 'initech', findings: 0, wrongClient: 0, services: [] },
      ],
      '7 findings in 3 tenants, 1 wrong-client copy',
    ),
    5000,
    'finish()',
  );
  const final = stripVTControlCharacters(out.raw().slice(before));
  assert.match(final, /tenant\s+findings\s+wrong-client\s+new\s+fixed\s+services/);
  assert.match(final, /acme\s+4\s+1\s+2\s+1\s+anthropic, stripe/);
  assert.match(final, /globex\s+3\s+0\s+-\s+-\s+openai/);
  assert.match(final, /initech\s+0\s+0\s+-\s+-\s+-/);
  assert.match(final, /7 findings in 3 tenants, 1 wrong-client copy/);
  assert.doesNotMatch(final.split('tenant')[1] ?? '', /scanning\s+1,234 files/, 'the table replaces the live line');

  // Unmounted: later updates and a second finish() draw nothing.
  const after = out.raw().length;
  view.update(progress({ filesDone: 5555 }));
  await within(view.finish([], 'again'), 1000, 'second finish()');
  await sleep(250);
  assert.equal(out.raw().length, after);
});

test('the table leaves out new and fixed when no row has them', async () => {
  const out = new FakeTTY();
  const view = await startAuditView(out as unknown as NodeJS.WriteStream, ['solo']);
  view.update(progress({ filesDone: 3, findings: 0 }));
  await within(view.finish([{ tenant: 'solo', findings: 0, wrongClient: 0, services: ['github'] }], 'clean'), 5000, 'finish()');
  const text = out.text();
  assert.match(text, /tenant\s+findings\s+wrong-client\s+services/);
  assert.doesNotMatch(text, /\bnew\b|\bfixed\b/);
  assert.match(text, /solo\s+0\s+0\s+github/);
  assert.match(text, /clean/);
});

test('the view with color off writes no colour codes', async () => {
  const out = new FakeTTY();
  const view = await startAuditView(out as unknown as NodeJS.WriteStream, ['a'], { color: false });
  view.update(progress({ filesDone: 1, findings: 3, wrongClient: 3, byTenant: { a: 3 } }));
  await sleep(150);
  await within(view.finish([{ tenant: 'a', findings: 3, wrongClient: 3, services: ['aws'] }], 'done'), 5000, 'finish()');
  assert.match(out.text(), /3 wrong-client/);
  assert.doesNotMatch(out.raw(), /\u001B\[(3\d|1|2)m/, 'no SGR colour, bold or dim');
});

/** Runs `script` (an ES module) in a child Node; resolves with its exit code and output, or fails after 15 s. */
async function runChild(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await within(
    new Promise<number | null>((resolve) => child.on('close', resolve)),
    15_000,
    'the child process',
  ).finally(() => child.kill());
  return { code, stdout, stderr };
}

test('a process that used the view exits by itself after finish()', async () => {
  const script = `
    import { Writable } from 'node:stream';
    const { startAuditView } = await import(${JSON.stringify(viewModule)});
    const out = new Writable({ write(c, e, cb) { cb(); } });
    out.isTTY = true; out.columns = 80;
    const view = await startAuditView(out, ['x', 'y']);
    view.update({ filesDone: 1, bytesDone: 1, findings: 1, byTenant: { x: 1 }, wrongClient: 0, phase: 'scanning' });
    await new Promise((r) => setTimeout(r, 120));
    await view.finish([{ tenant: 'x', findings: 1, wrongClient: 0, services: [] }], 'ok');
    process.stdout.write('finished\\n');
  `;
  const { code, stdout, stderr } = await runChild(script);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'finished\n');
});

test('a live view does not keep the process alive (a command that fails before finish() still exits)', async () => {
  const script = `
    import { Writable } from 'node:stream';
    const { startAuditView } = await import(${JSON.stringify(viewModule)});
    const out = new Writable({ write(c, e, cb) { cb(); } });
    out.isTTY = true; out.columns = 80;
    const view = await startAuditView(out, ['x']);
    view.update({ filesDone: 1, bytesDone: 1, findings: 0, byTenant: {}, wrongClient: 0, phase: 'scanning' });
    await new Promise((r) => setTimeout(r, 350));
    process.stdout.write('left\\n');
  `;
  const { code, stdout, stderr } = await runChild(script);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'left\n');
});

test('ink and react are imported only inside startAuditView', async () => {
  const js = await readFile(viewModule, 'utf8');
  assert.doesNotMatch(js, /^\s*import\s[^;]*?\bfrom\s*['"](ink|react)['"]/m, 'no static import of ink or react');
  assert.doesNotMatch(js, /^\s*import\s*['"](ink|react)['"]/m);
  assert.match(js, /import\(['"]ink['"]\)/);
  assert.match(js, /import\(['"]react['"]\)/);
});

test('plainProgress prints at most one line per interval and nothing at finish', async () => {
  let clock = 1_000;
  const lines: string[] = [];
  const err = new Writable({
    write(c: Buffer, _e, cb) {
      lines.push(c.toString());
      cb();
    },
  });
  const view = plainProgress(err, { now: () => clock });

  view.update(progress({ filesDone: 1 }));
  clock += 1_999;
  view.update(progress({ filesDone: 2 }));
  assert.deepEqual(lines, [], 'nothing before the first 2 s: a short scan stays quiet');

  clock += 1;
  view.update(progress({ filesDone: 1500, bytesDone: 3 * 1024 * 1024, findings: 4, wrongClient: 1 }));
  assert.deepEqual(lines, ['outloop audit: scanning: 1,500 files, 3.0 MB, 4 findings, 1 wrong-client\n']);

  for (let i = 0; i < 50; i++) {
    clock += 30;
    view.update(progress({ filesDone: 1600 + i }));
  }
  assert.equal(lines.length, 1, 'no second line within 2 s of the first');

  clock += 2_000;
  view.update(progress({ filesDone: 2000, findings: 1, phase: 'transcripts' }));
  assert.equal(lines.length, 2);
  assert.equal(lines[1], 'outloop audit: scanning transcripts: 2,000 files, 0.0 MB, 1 finding\n');

  await view.finish([{ tenant: 'a', findings: 1, wrongClient: 0, services: [] }], 'footer');
  clock += 10_000;
  view.update(progress({ filesDone: 3000 }));
  assert.equal(lines.length, 2, 'finish prints nothing, and nothing after it');
});

test('plainProgress uses the real clock by default', async () => {
  const lines: string[] = [];
  const err = new Writable({
    write(c: Buffer, _e, cb) {
      lines.push(c.toString());
      cb();
    },
  });
  const view = plainProgress(err, { intervalMs: 40 });
  view.update(progress({ filesDone: 1 }));
  assert.equal(lines.length, 0);
  await sleep(60);
  view.update(progress({ filesDone: 2 }));
  view.update(progress({ filesDone: 3 }));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /2 files/);
  await view.finish([], '');
});
