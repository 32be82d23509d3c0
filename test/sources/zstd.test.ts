/**
 * zstd-compressed Codex rollouts (`rollout-….jsonl.zst`), made with the real `zstd` tool: found in
 * the agent stores and in workspaces, read decompressed with their transcript context, skipped with
 * a warning when corrupt or too large, and left alone by a rewrite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHUNK_BYTES } from '../../src/sources/files.js';
import { inflate, readZstdWhole } from '../../src/sources/zstd.js';
import { ANTHROPIC, runCli, tempDir, writeFiles } from '../helpers.js';

interface JsonFinding {
  path: string;
  line: number;
  span: { start: number; end: number };
  encoding?: string;
  fingerprint: string;
  transcript?: { agent: string; jsonPath: string | null; sessionId: string | null };
}
interface JsonReport {
  findings: JsonFinding[];
  warnings: Array<{ path: string; kind: string; message: string }>;
}

const fingerprint = (secret: string) => 'sha256:' + createHash('sha256').update(secret).digest('hex');
const SESSION = '019a9c2e-5b7d-7f10-9a3e-4c1d2b8e6f70';
const ROLLOUT = `sessions/2026/11/20/rollout-2026-11-20T10-15-42-${SESSION}.jsonl`;

/** A Codex rollout: the session line, `filler` lines of chat, then a user message holding `key`. */
function rollout(key: string, filler = 0): string {
  const line = (type: string, payload: object) => JSON.stringify({ timestamp: '2026-11-20T10:15:42.000Z', type, payload }) + '\n';
  let text = line('session_meta', { id: SESSION, cwd: '/home/dev/clients/acme' });
  const chat = line('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'nothing secret here, just a long enough line of chat '.repeat(4) }] });
  text += chat.repeat(filler);
  return text + line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: `deploy with ANTHROPIC_API_KEY=${key}` }] });
}

/** Writes `text` as `file.zst` with the zstd tool, and no plain copy. */
function writeZstd(file: string, text: string | Buffer): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  execFileSync('zstd', ['-q', '--rm', '-f', file]);
  return `${file}.zst`;
}

function scanStores(home: string): { code: number; report: JsonReport; output: string } {
  const r = runCli(['scan', '--transcripts', '--format', 'json'], {
    cwd: home,
    env: { HOME: home, CODEX_HOME: path.join(home, '.codex'), CLAUDE_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined },
  });
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, output: r.stdout + r.stderr };
}

describe('zstd-compressed Codex rollouts', () => {
  it('are found in the Codex store and read decompressed, with their line and transcript context', () => {
    const home = tempDir('outloop-zstd-home-');
    const key = ANTHROPIC('zstd:store');
    const file = writeZstd(path.join(home, '.codex', ROLLOUT), rollout(key, 3));
    const { code, report, output } = scanStores(home);
    assert.equal(code, 1, output);
    const found = report.findings.filter((f) => f.fingerprint === fingerprint(key));
    assert.equal(found.length, 1, JSON.stringify(report.findings));
    const f = found[0]!;
    assert.equal(f.path, `.codex/${ROLLOUT}.zst`);
    assert.equal(f.line, 5, 'the line in the decompressed rollout');
    assert.equal(f.encoding, 'zstd');
    assert.deepEqual(f.span, { start: 0, end: fs.statSync(file).size }, 'the whole file: the bytes on disk that hold it');
    assert.equal(f.transcript?.agent, 'codex');
    assert.equal(f.transcript?.sessionId, SESSION);
    assert.equal(f.transcript?.jsonPath, 'payload.content[0].text');
    assert.ok(!output.includes(key), 'no raw key in the output');
  });

  it('yield to the plain rollout when both exist (Codex reads the plain one too)', () => {
    const home = tempDir('outloop-zstd-both-');
    const key = ANTHROPIC('zstd:both');
    writeZstd(path.join(home, '.codex', ROLLOUT), rollout(key));
    writeFiles(home, { [`.codex/${ROLLOUT}`]: rollout(key) });
    const { report } = scanStores(home);
    assert.deepEqual(report.findings.filter((f) => f.fingerprint === fingerprint(key)).map((f) => f.path), [`.codex/${ROLLOUT}`]);
  });

  it('read a rollout larger than a read chunk in line-aligned pieces, with the right line number', () => {
    const home = tempDir('outloop-zstd-large-');
    const key = ANTHROPIC('zstd:large');
    const text = rollout(key, Math.ceil((3 * CHUNK_BYTES) / 300));
    assert.ok(text.length > 2 * CHUNK_BYTES);
    writeZstd(path.join(home, '.codex', ROLLOUT), text);
    const { report } = scanStores(home);
    const f = report.findings.find((x) => x.fingerprint === fingerprint(key));
    assert.ok(f, JSON.stringify(report));
    assert.equal(f.line, text.split('\n').length - 1);
    assert.equal(f.transcript?.jsonPath, 'payload.content[0].text');
  });

  it('are read in a workspace folder too', () => {
    const dir = tempDir('outloop-zstd-ws-');
    const key = ANTHROPIC('zstd:workspace');
    writeZstd(path.join(dir, 'backup', 'rollout-old.jsonl'), rollout(key));
    const r = runCli(['scan', dir, '--format', 'json']);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(report.findings.filter((f) => f.fingerprint === fingerprint(key)).map((f) => [f.path, f.encoding]), [['backup/rollout-old.jsonl.zst', 'zstd']]);
  });

  it('are the only .zst files decompressed: another (a .tar.zst backup, say) stays a binary file', () => {
    const dir = tempDir('outloop-zstd-other-');
    const key = ANTHROPIC('zstd:other');
    writeZstd(path.join(dir, 'backup.tar'), rollout(key));
    const r = runCli(['scan', dir, '--format', 'json']);
    const report = JSON.parse(r.stdout) as JsonReport & { summary: { binarySkipped: number; filesScanned: number } };
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(report.findings, []);
    assert.equal(report.summary.binarySkipped, 1, 'skipped as binary, not decompressed');
  });

  it('that are corrupt or cut short are skipped with a warning, and the scan goes on', () => {
    const home = tempDir('outloop-zstd-bad-');
    const good = ANTHROPIC('zstd:good');
    const whole = fs.readFileSync(writeZstd(path.join(home, 'x', 'a.jsonl'), rollout(ANTHROPIC('zstd:cut'), 50)));
    fs.rmSync(path.join(home, 'x'), { recursive: true });
    const day = path.join(home, '.codex', 'sessions/2026/11/21');
    fs.mkdirSync(day, { recursive: true });
    fs.writeFileSync(path.join(day, 'rollout-cut.jsonl.zst'), whole.subarray(0, Math.floor(whole.length / 2)));
    fs.writeFileSync(path.join(day, 'rollout-garbage.jsonl.zst'), Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 0xee)]));
    writeZstd(path.join(home, '.codex', ROLLOUT), rollout(good));
    const { code, report, output } = scanStores(home);
    assert.equal(code, 1, output);
    assert.deepEqual(report.findings.map((f) => f.fingerprint), [fingerprint(good)], 'the readable rollout is still scanned');
    const bad = report.warnings.filter((w) => w.kind === 'encoding').map((w) => path.basename(w.path)).sort();
    assert.deepEqual(bad, ['rollout-cut.jsonl.zst', 'rollout-garbage.jsonl.zst']);
  });

  it('stop decompressing past the size limit (a few KB of zstd can claim gigabytes)', () => {
    const dir = tempDir('outloop-zstd-bomb-');
    const file = writeZstd(path.join(dir, 'zeros.jsonl'), '\n'.repeat(4 * 1024 * 1024));
    const small = fs.readFileSync(file);
    assert.ok(small.length < 4096, 'the tool compresses 4 MB of line feeds to almost nothing');
    const warning = inflate(small, 'zeros.jsonl.zst', 1024 * 1024);
    assert.ok(!Buffer.isBuffer(warning));
    assert.equal(warning.kind, 'too-large');
    const whole = inflate(small, 'zeros.jsonl.zst', 8 * 1024 * 1024);
    assert.ok(Buffer.isBuffer(whole) && whole.length === 4 * 1024 * 1024 && whole.every((b) => b === 10));
    // A compressed file already past the cap is turned down before it is read: 64 KB of random
    // bytes, which zstd can't shrink, would decompress to exactly the cap, but the file is larger.
    const noiseBytes = Buffer.concat(Array.from({ length: 2048 }, (_, i) => createHash('sha256').update(`zstd-noise-${i}`).digest()));
    const noise = writeZstd(path.join(dir, 'noise.jsonl'), noiseBytes);
    const fd = fs.openSync(noise, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      assert.ok(size > 64 * 1024, 'zstd stored the noise with a little overhead');
      assert.ok(Buffer.isBuffer(inflate(fs.readFileSync(noise), 'noise.jsonl.zst', size)), 'decompressed, it fits a cap of the file size');
      const refused = readZstdWhole(fd, size, 'noise.jsonl.zst', size - 1);
      assert.ok(!Buffer.isBuffer(refused) && refused.kind === 'too-large');
    } finally {
      fs.closeSync(fd);
    }
  });

  it("count in an audit of the client folder their session ran in (its cwd is read from the decompressed head)", () => {
    const home = tempDir('outloop-zstd-audit-');
    const client = path.join(home, 'clients', 'acme');
    fs.mkdirSync(client, { recursive: true });
    const key = ANTHROPIC('zstd:audit');
    const line = (type: string, payload: object) => JSON.stringify({ timestamp: '2026-11-20T10:15:42.000Z', type, payload }) + '\n';
    const text = line('session_meta', { id: SESSION, cwd: client }) + line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: `key ${key}` }] });
    writeZstd(path.join(home, '.codex', ROLLOUT), text);
    const r = runCli(['audit', path.join(home, 'clients'), '--format', 'json'], { cwd: home, env: { HOME: home, CODEX_HOME: path.join(home, '.codex'), CLAUDE_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined } });
    const report = JSON.parse(r.stdout) as JsonReport & { audit: { transcripts: number } };
    assert.equal(report.audit.transcripts, 1, r.stdout + r.stderr);
    assert.deepEqual(report.findings.map((f) => [path.basename(f.path), f.fingerprint]), [[`${path.basename(ROLLOUT)}.zst`, fingerprint(key)]]);
  });

  it('are left as they are by a rewrite, which says why', () => {
    const dir = tempDir('outloop-zstd-rewrite-');
    const key = ANTHROPIC('zstd:rewrite');
    const file = writeZstd(path.join(dir, 'rollout-x.jsonl'), rollout(key));
    const before = fs.readFileSync(file);
    // A vault the rewrite can use, so the only reason left not to rewrite is the compression.
    const vault = tempDir('outloop-zstd-vault-');
    const r = runCli(['rewrite', dir, '--yes'], { env: { OUTLOOP_VAULT_FILE: path.join(vault, 'vault.json'), OUTLOOP_VAULT_PASSPHRASE: 'zstd test passphrase' } });
    assert.deepEqual(fs.readFileSync(file), before, 'the compressed file is untouched');
    assert.match(r.stdout + r.stderr, /rollout-x\.jsonl\.zst:2 .*not rewritten: inside a zstd-compressed file/);
    assert.ok(!(r.stdout + r.stderr).includes(key));
  });
});
