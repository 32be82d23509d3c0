import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { scan } from '../../src/scan.js';
import { rewrite } from '../../src/rewrite/rewrite.js';
import { fingerprint } from '../../src/detect/redact.js';
import { ANTHROPIC, GIT_TEST_ENV, tempDir, writeFiles } from '../helpers.js';
import { DirVault } from './dir-vault.js';
import { cli, leaks, outloopState, parsesAsItsFormat, plantWorld, snapshot } from './fixture.js';

async function rawKeysLeft(root: string, keys: string[]): Promise<number> {
  const r = await scan({ paths: [root], root, workers: 0 });
  const fps = new Set(keys.map((k) => fingerprint(k)));
  return r.findings.filter((f) => fps.has(f.fingerprint)).length;
}

test('rewrite: every format keeps parsing, no raw key is left, nothing leaks, undo restores byte for byte', async () => {
  const root = tempDir('outloop-rw-');
  const world = plantWorld(root);
  const vault = new DirVault(tempDir('outloop-vault-'));
  const before = snapshot(root);
  assert.ok((await rawKeysLeft(root, world.keys)) >= world.keys.length);

  const dry = await cli('rewrite', ['--dry-run'], root, vault);
  assert.equal(dry.code, 0, dry.out);
  assert.match(dry.out, /REDACTED/);
  assert.deepEqual(leaks(dry.out, world.keys), []);
  assert.deepEqual([...snapshot(root).entries()].map(([k, v]) => [k, v.bytes.toString('base64')]), [...before.entries()].map(([k, v]) => [k, v.bytes.toString('base64')]), 'dry run changes nothing');
  assert.equal(fs.existsSync(path.join(root, '.outloop', 'journal')), false);

  const run = await cli('rewrite', ['--yes'], root, vault);
  assert.equal(run.code, 0, run.out);
  const after = snapshot(root);
  for (const rel of world.files) {
    const text = after.get(rel)!.bytes.toString('utf8');
    assert.ok(parsesAsItsFormat(rel, text), `${rel} still parses`);
    const shown = rel === 'deploy/secret.yaml' ? Buffer.from(/token: (\S+)/.exec(text)![1]!, 'base64').toString('utf8') : text;
    assert.ok(shown.includes('outloop://'), `${rel} holds an alias`);
    assert.equal(after.get(rel)!.mode, before.get(rel)!.mode, `${rel} keeps its mode`);
  }
  // Line endings, BOM, final newline (or its absence) kept.
  assert.ok(after.get('.env')!.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])));
  assert.equal(after.get('.env')!.bytes.toString('utf8').split('\r\n').length, 4);
  assert.ok(!after.get('src/a.js')!.bytes.toString('utf8').endsWith('\n'));
  // JSONL: every line parses, same number of lines, and only string values changed.
  const jl = (b: Buffer) => b.toString('utf8').split('\n');
  assert.equal(jl(after.get('sessions/claude.jsonl')!.bytes).length, jl(before.get('sessions/claude.jsonl')!.bytes).length);
  const shape = (v: unknown): unknown => (typeof v === 'string' ? 's' : Array.isArray(v) ? v.map(shape) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : v);
  jl(after.get('sessions/claude.jsonl')!.bytes).forEach((l, i) => {
    if (l) assert.deepEqual(shape(JSON.parse(l)), shape(JSON.parse(jl(before.get('sessions/claude.jsonl')!.bytes)[i]!)));
  });
  assert.equal(await rawKeysLeft(root, world.keys), 0, 'outloop scan finds no raw key');
  // Every key is in the vault; config and journal hold none.
  const held = new Set(vault.secrets());
  world.keys.forEach((k, i) => assert.ok(held.has(k), `key ${i} escrowed`));
  assert.deepEqual(leaks(run.out, world.keys), []);
  assert.deepEqual(leaks(outloopState(root), world.keys), []);
  const config = JSON.parse(fs.readFileSync(path.join(root, 'outloop.config.json'), 'utf8')) as { tenants: { default: { keys: unknown[] } } };
  assert.equal(config.tenants.default.keys.length, world.keys.length);
  // A second run has nothing left to do.
  const again = await cli('rewrite', ['--yes'], root, vault);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /Nothing to rewrite/);

  const undone = await cli('undo', [], root, vault);
  assert.equal(undone.code, 0, undone.out);
  assert.deepEqual(leaks(undone.out + outloopState(root), world.keys), []);
  const restored = snapshot(root);
  for (const [rel, v] of before) {
    assert.ok(restored.get(rel)!.bytes.equals(v.bytes), `${rel} restored byte for byte`);
    assert.equal(restored.get(rel)!.mode, v.mode);
  }
  const again2 = await cli('undo', [], root, vault);
  assert.notEqual(again2.code, 0, 'nothing left to undo');
});

test('rewrite: with no vault, keys stay in place and are reported "not rewritten: no vault"', async () => {
  const root = tempDir('outloop-rw-');
  const world = plantWorld(root, 'nv');
  const before = snapshot(root);
  const r = await cli('rewrite', ['--yes'], root, null);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /not rewritten: no vault/);
  assert.deepEqual(leaks(r.out, world.keys), []);
  for (const [rel, v] of before) assert.ok(snapshot(root).get(rel)!.bytes.equals(v.bytes), rel);
  assert.equal(fs.existsSync(path.join(root, 'outloop.config.json')), false);
});

test('rewrite: a bound key becomes its binding alias; unbound keys get the location tenant', async () => {
  const root = tempDir('outloop-rw-');
  const a = ANTHROPIC('bound-a');
  const b = ANTHROPIC('bound-b');
  writeFiles(root, {
    'outloop.config.json': JSON.stringify({ tenants: { acme: { paths: ['acme/**'], keys: [{ name: 'claude', fingerprint: fingerprint(a) }] }, globex: { paths: ['globex/**'] } } }, null, 2) + '\n',
    'acme/.env': `KEY=${a}\n`,
    'globex/.env': `KEY=${b}\nOTHER=${a}\n`,
  });
  const vault = new DirVault(tempDir('outloop-vault-'));
  const r = await cli('rewrite', ['--yes'], root, vault);
  assert.equal(r.code, 0, r.out);
  assert.equal(fs.readFileSync(path.join(root, 'acme/.env'), 'utf8'), 'KEY=outloop://acme/claude\n');
  assert.equal(fs.readFileSync(path.join(root, 'globex/.env'), 'utf8'), 'KEY=outloop://globex/anthropic\nOTHER=outloop://acme/claude\n');
  assert.equal(await vault.get('outloop://acme/claude'), a);
  assert.equal(await vault.get('outloop://globex/anthropic'), b);
  const config = JSON.parse(fs.readFileSync(path.join(root, 'outloop.config.json'), 'utf8')) as { tenants: Record<string, { keys: Array<{ name: string }> }> };
  assert.deepEqual(config.tenants.globex!.keys.map((k) => k.name), ['anthropic']);
  assert.deepEqual(leaks(r.out + outloopState(root), [a, b]), []);
});

test('rewrite: a percent-encoded key becomes the alias, its key (decoded) in the vault; a live transcript waits for --force', async () => {
  const root = tempDir('outloop-rw-');
  const k = ANTHROPIC('pct');
  const t = ANTHROPIC('live');
  const url = `curl "https://example.com/?key=${k.replace(/-/g, '%2D')}"\n`;
  writeFiles(root, {
    'url.txt': url,
    'live.jsonl': JSON.stringify({ type: 'user', sessionId: 's', uuid: 'u', cwd: root, message: { role: 'user', content: `key ${t}` } }) + '\n',
  });
  const vault = new DirVault(tempDir('outloop-vault-'));
  const r = await cli('rewrite', ['--yes'], root, vault);
  assert.equal(r.code, 1, r.out);
  assert.equal(fs.readFileSync(path.join(root, 'url.txt'), 'utf8'), 'curl "https://example.com/?key=outloop://default/anthropic"\n');
  assert.equal(await vault.get('outloop://default/anthropic'), k, 'the vault holds the key itself, decoded');
  assert.match(r.out, /transcript modified \d+s ago/);
  assert.deepEqual(leaks(r.out, [k, t]), []);
  const forced = await cli('rewrite', ['--yes', '--force'], root, vault);
  assert.match(fs.readFileSync(path.join(root, 'live.jsonl'), 'utf8'), /outloop:\/\/default\/anthropic-2/);
  assert.equal(forced.code, 0, forced.out);
});

test('rewrite: a file changed after the scan is not touched', async () => {
  const root = tempDir('outloop-rw-');
  const k = ANTHROPIC('changed');
  writeFiles(root, { '.env': `KEY=${k}\n`, 'b.env': `KEY=${k}\n` });
  const vault = new DirVault(tempDir('outloop-vault-'));
  const r = await rewrite({
    root,
    vault,
    workers: 0,
    confirm: async () => {
      fs.appendFileSync(path.join(root, '.env'), 'MORE=1\n');
      return true;
    },
  });
  assert.deepEqual(r.conflicts.map((c) => c.path), ['.env']);
  assert.equal(fs.readFileSync(path.join(root, '.env'), 'utf8'), `KEY=${k}\nMORE=1\n`);
  assert.equal(fs.readFileSync(path.join(root, 'b.env'), 'utf8'), 'KEY=outloop://default/anthropic\n');
});

test('rewrite: one lock per root; a lock left by a dead process is taken over', async () => {
  const root = tempDir('outloop-rw-');
  writeFiles(root, { '.env': `KEY=${ANTHROPIC('lock')}\n` });
  const vault = new DirVault(tempDir('outloop-vault-'));
  fs.mkdirSync(path.join(root, '.outloop'));
  fs.writeFileSync(path.join(root, '.outloop/lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() }));
  const held = await cli('rewrite', ['--yes'], root, vault);
  assert.equal(held.code, -2);
  assert.match(held.out, /another outloop \w+ holds/);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  fs.writeFileSync(path.join(root, '.outloop/lock'), JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), started: new Date().toISOString() }));
  const taken = await cli('rewrite', ['--yes'], root, vault);
  assert.equal(taken.code, 0, taken.out);
  assert.equal(fs.existsSync(path.join(root, '.outloop/lock')), false);
});

test('rewrite --staged: rewrites and re-stages a file whose worktree and index agree, refuses one that differs', async () => {
  const root = tempDir('outloop-rw-');
  const env = { ...process.env, ...GIT_TEST_ENV };
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: root, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  git('init', '-q');
  const a = ANTHROPIC('staged-a');
  const b = ANTHROPIC('staged-b');
  writeFiles(root, { 'same.env': `KEY=${a}\n`, 'differs.env': `KEY=${b}\n` });
  git('add', 'same.env', 'differs.env');
  fs.appendFileSync(path.join(root, 'differs.env'), 'EXTRA=1\n');
  const vault = new DirVault(tempDir('outloop-vault-'));
  const saved = { ...process.env };
  Object.assign(process.env, GIT_TEST_ENV);
  try {
    const r = await cli('rewrite', ['--staged', '--yes'], root, vault);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /differs\.env:1 .*the working tree and the index differ/);
    assert.deepEqual(leaks(r.out, [a, b]), []);
  } finally {
    for (const k of Object.keys(GIT_TEST_ENV)) if (saved[k] === undefined) delete process.env[k];
  }
  assert.equal(fs.readFileSync(path.join(root, 'same.env'), 'utf8'), 'KEY=outloop://default/anthropic\n');
  assert.equal(git('show', ':same.env'), 'KEY=outloop://default/anthropic\n', 're-staged');
  assert.equal(git('show', ':differs.env'), `KEY=${b}\n`);
});
