/**
 * The built CLI's code caches (src/cli/app-pack.ts, made by scripts/bundle-cli.ts): each pack the
 * build wrote is one V8 accepts, and a pack that is missing, cut short, foreign, from another build
 * or refused by V8 costs only time: the pre-commit scan still finds the staged key.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { encodePack, packKey, readPack, runCommonJs, userPackFile, wrapCommonJs } from '../../src/cli/app-pack.js';
import { ANTHROPIC, REPO, tempDir, writeFiles } from '../helpers.js';

const CLI_DIR = path.join(REPO, 'dist/src/cli');
/** `outloop scan` runs scan.cjs (the app without the other commands); everything else app.cjs. */
const SCAN = path.join(CLI_DIR, 'scan.cjs');
/** How scripts/bundle-cli.ts names a build of the app: the start of its .cjs file's SHA-256. */
const appId = (source: Buffer | string) => crypto.createHash('sha256').update(source).digest('hex').slice(0, 32);

describe('app pack: the app bundle with its code cache', () => {
  for (const name of ['scan', 'app']) {
    it(`the build wrote a pack for this very ${name}.cjs, and V8 takes its cache`, () => {
      const app = path.join(CLI_DIR, `${name}.cjs`);
      const id = appId(fs.readFileSync(app));
      assert.ok(fs.readFileSync(path.join(CLI_DIR, 'outloop.cjs'), 'latin1').includes(JSON.stringify(id)), 'the entry knows the bundle it was built with');
      // A fresh Node, as the hook runs it (the test runner's process may carry other flags).
      const script = [
        `const { readPack, runCommonJs, wrapCommonJs } = await import(${JSON.stringify(path.join(REPO, 'dist/src/cli/app-pack.js'))});`,
        `const { createRequire } = await import('node:module');`,
        `const pack = readPack(${JSON.stringify(path.join(CLI_DIR, `${name}.pack`))}, ${JSON.stringify(packKey(id))});`,
        `if (!pack) throw new Error('no usable pack');`,
        `if (pack.script !== wrapCommonJs((await import('node:fs')).readFileSync(${JSON.stringify(app)}, 'latin1'))) throw new Error('the pack holds another source');`,
        `const m = runCommonJs(pack.script, ${JSON.stringify(app)}, ${JSON.stringify(CLI_DIR)}, createRequire(${JSON.stringify(app)}), pack.cachedData);`,
        `console.log(JSON.stringify({ rejected: m.rejected, run: typeof m.exports.run }));`,
      ].join('\n');
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
      assert.deepEqual(JSON.parse(out), { rejected: false, run: 'function' });
    });
  }

  it('reads back what it wrote, and nothing from a pack cut short, foreign or made for another build', () => {
    const dir = tempDir('outloop-pack-');
    const file = path.join(dir, 'app.pack');
    const pack = encodePack('id-1', 'module.exports = 1;', Buffer.from('v8 data'));
    fs.writeFileSync(file, pack);
    assert.deepEqual(readPack(file, 'id-1'), { script: 'module.exports = 1;', cachedData: Buffer.from('v8 data') });
    assert.equal(readPack(file, 'id-2'), null, 'another build');
    fs.writeFileSync(file, pack.subarray(0, pack.length - 1));
    assert.equal(readPack(file, 'id-1'), null, 'cut short');
    fs.writeFileSync(file, Buffer.concat([pack, Buffer.from('x')]));
    assert.equal(readPack(file, 'id-1'), null, 'trailing bytes');
    fs.writeFileSync(file, 'not a pack at all');
    assert.equal(readPack(file, 'id-1'), null, 'foreign');
    assert.equal(readPack(path.join(dir, 'missing'), 'id-1'), null, 'missing');
  });

  it('runs the source when V8 refuses the cache', () => {
    const dir = tempDir('outloop-pack-');
    const file = path.join(dir, 'm.cjs');
    const m = runCommonJs<{ answer: number; file: string }>(wrapCommonJs('exports.answer = 42; exports.file = __filename;'), file, dir, createRequire(file), Buffer.from('definitely not V8 code cache data'));
    assert.equal(m.rejected, true);
    assert.deepEqual(m.exports, { answer: 42, file });
  });
});

describe('app pack: a bad pack still scans', () => {
  // A copy of the built CLI (entry, app, rules) whose pack each case replaces.
  const pkg = tempDir('outloop-pack-cli-');
  const cli = path.join(pkg, 'dist/src/cli');
  fs.mkdirSync(cli, { recursive: true });
  for (const f of ['outloop.cjs', 'scan.cjs', 'worker.cjs']) fs.copyFileSync(path.join(CLI_DIR, f), path.join(cli, f));
  for (const f of ['rules.bundle.json', 'rules.cache.json', 'rules.cache.bin']) fs.copyFileSync(path.join(REPO, 'dist', f), path.join(pkg, 'dist', f));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'));
  const good = fs.readFileSync(path.join(CLI_DIR, 'scan.pack'));
  const key = packKey(appId(fs.readFileSync(SCAN)));
  const original = readPack(path.join(CLI_DIR, 'scan.pack'), key)!;
  // Where a run without a usable pack saves its own (never the real user's cache).
  const cacheHome = tempDir('outloop-pack-cache-');
  const userPack = userPackFile('scan', key, { XDG_CACHE_HOME: cacheHome })!;

  const repo = tempDir('outloop-pack-repo-');
  const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', ...args], { cwd: repo, env: gitEnv, stdio: 'pipe' });
  git('init', '-q');
  writeFiles(repo, { 'a.ts': 'export const a = 1;\n' });
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  writeFiles(repo, { 'a.ts': `export const a = 1;\nexport const key = '${ANTHROPIC('app-pack')}';\n` });
  git('add', '-A');

  function scanWith(pack: Buffer | null, mine: Buffer | null = null): { code: number | null; stdout: string; stderr: string } {
    fs.rmSync(path.join(cli, 'scan.pack'), { force: true });
    if (pack) fs.writeFileSync(path.join(cli, 'scan.pack'), pack);
    fs.rmSync(path.join(cacheHome, 'outloop'), { recursive: true, force: true });
    if (mine) {
      fs.mkdirSync(path.dirname(userPack), { recursive: true });
      fs.writeFileSync(userPack, mine);
    }
    const r = spawnSync(process.execPath, [path.join(cli, 'outloop.cjs'), 'scan', '--staged', '--format', 'json'], { cwd: repo, env: { ...gitEnv, NO_COLOR: '1', XDG_CACHE_HOME: cacheHome }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const findsTheKey = (r: ReturnType<typeof scanWith>, what: string) => {
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; path: string; line: number }> };
    assert.deepEqual(report.findings.map((f) => [f.ruleId, f.path, f.line]), [['anthropic-api-key', 'a.ts', 2]], what);
  };

  it('the good pack', () => findsTheKey(scanWith(good), 'good pack'));
  it('no pack', () => findsTheKey(scanWith(null), 'no pack'));
  it('the user cache is not touched while the package\'s own pack works', () => {
    findsTheKey(scanWith(good), 'good pack');
    assert.equal(fs.existsSync(path.join(cacheHome, 'outloop')), false);
  });
  it('a pack cut short', () => findsTheKey(scanWith(good.subarray(0, good.length >> 1)), 'cut short'));
  it('garbage', () => findsTheKey(scanWith(crypto.randomBytes(4096)), 'garbage'));
  it('a pack from another build (its code would fail the scan if it ran)', () => {
    findsTheKey(scanWith(encodePack(packKey(appId('another build')), wrapCommonJs('throw new Error("stale app ran")'), original.cachedData)), 'stale');
  });
  it('a cache V8 refuses (its header corrupted): the pack source is compiled instead', () => {
    const data = Buffer.from(original.cachedData);
    for (let i = 4; i < 16; i++) data[i]! ^= 0x5a; // V8's version and source hashes
    findsTheKey(scanWith(encodePack(key, original.script, data)), 'refused cache');
  });

  it('without a usable pack (a package built with another Node), a run saves one in the user cache, and V8 takes it', () => {
    findsTheKey(scanWith(encodePack(`${appId(fs.readFileSync(SCAN))} v8-0.0 ${process.arch}`, original.script, original.cachedData)), 'pack for another V8');
    const saved = readPack(userPack, key);
    assert.ok(saved, `a pack saved at ${userPack}`);
    assert.equal(saved.script, wrapCommonJs(fs.readFileSync(SCAN, 'latin1')));
    const script = [
      `const { runCommonJs, wrapCommonJs } = await import(${JSON.stringify(path.join(REPO, 'dist/src/cli/app-pack.js'))});`,
      `const { createRequire } = await import('node:module');`,
      `const fs = await import('node:fs');`,
      `const m = runCommonJs(wrapCommonJs(fs.readFileSync(${JSON.stringify(SCAN)}, 'latin1')), ${JSON.stringify(SCAN)}, ${JSON.stringify(CLI_DIR)}, createRequire(${JSON.stringify(SCAN)}), fs.readFileSync(process.argv[1]));`,
      `console.log(JSON.stringify({ rejected: m.rejected }));`,
    ].join('\n');
    const data = path.join(tempDir('outloop-pack-data-'), 'data');
    fs.writeFileSync(data, saved.cachedData);
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, data], { encoding: 'utf8', env })), { rejected: false });
    // The next run uses it; a saved pack cut short or from another build is passed over.
    findsTheKey(scanWith(null, fs.readFileSync(userPack)), 'saved pack');
    findsTheKey(scanWith(null, fs.readFileSync(userPack).subarray(0, 1000)), 'saved pack cut short');
    findsTheKey(scanWith(null, encodePack(key.replace(/^\w+/, appId('another build')), wrapCommonJs('throw new Error("stale app ran")'), saved.cachedData)), 'saved pack of another build');
  });

  it('a folder scan saves no pack: it retunes V8, and V8 would refuse a cache made after that', () => {
    // Enough files for the worker pool to start (the module that changes the inlining budget).
    const folder = tempDir('outloop-pack-folder-');
    const files: Record<string, string> = { 'src/key.ts': `export const key = '${ANTHROPIC('folder-scan')}';\n` };
    for (let i = 0; i < 450; i++) files[`src/f${i}.ts`] = `export const n${i} = ${i};\n`;
    writeFiles(folder, files);
    fs.rmSync(path.join(cli, 'scan.pack'), { force: true });
    fs.rmSync(path.join(cacheHome, 'outloop'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, [path.join(cli, 'outloop.cjs'), 'scan', folder, '--workers', '1', '--format', 'json'], { env: { ...gitEnv, NO_COLOR: '1', XDG_CACHE_HOME: cacheHome }, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { findings: Array<{ path: string }> }).findings.map((f) => f.path), ['src/key.ts']);
    assert.equal(fs.existsSync(userPack), false, 'a pack was saved after the flags changed');
    // The staged scan that follows (the pre-commit hook's) saves one as usual.
    findsTheKey(scanWith(null), 'staged after a folder scan');
    assert.ok(fs.existsSync(userPack), 'the staged scan saved no pack');
  });

  it('a user cache folder that cannot be written only costs time', () => {
    fs.rmSync(path.join(cacheHome, 'outloop'), { recursive: true, force: true });
    fs.writeFileSync(path.join(cacheHome, 'outloop'), 'a file where the folder would go');
    const r = spawnSync(process.execPath, [path.join(cli, 'outloop.cjs'), 'scan', '--staged', '--format', 'json'], { cwd: repo, env: { ...gitEnv, NO_COLOR: '1', XDG_CACHE_HOME: cacheHome }, encoding: 'utf8' });
    findsTheKey({ code: r.status, stdout: r.stdout, stderr: r.stderr }, 'unwritable cache');
    assert.equal(r.stderr, '');
    fs.rmSync(path.join(cacheHome, 'outloop'), { force: true });
  });
});
