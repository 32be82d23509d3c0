import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/engine.js';
import { loadRules, scan } from '../../src/scan.js';
import { scanFile } from '../../src/scan-file.js';
import { ANTHROPIC, CLI, tempDir, writeFiles } from '../helpers.js';

const paths = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => f.path).sort();

describe('workspace source', () => {
  it('scans gitignored files (what the agent reads) and skips .git internals and node_modules', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      '.gitignore': '.env\n',
      '.env': `KEY=${ANTHROPIC('env')}\n`,
      'src/app.ts': 'export const x = 1;\n',
      'node_modules/pkg/index.js': `const k = "${ANTHROPIC('nm')}";\n`,
    });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: dir });
    // A key inside git's own object store must not be reported from .git/.
    writeFiles(dir, { '.git/leftover-note': `KEY=${ANTHROPIC('git')}\n` });
    assert.deepEqual(paths(await scan({ paths: [dir], workers: 0 })), ['.env']);
    assert.deepEqual(paths(await scan({ paths: [dir], workers: 0, includeNodeModules: true })), ['.env', 'node_modules/pkg/index.js']);
  });

  it('honours --include, --exclude and .outloopignore', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'a/.env': `K=${ANTHROPIC('a')}`,
      'b/notes.md': `K=${ANTHROPIC('b')}`,
      'fixtures/x.txt': `K=${ANTHROPIC('c')}`,
      'deep/er/fixtures/y.txt': `K=${ANTHROPIC('d')}`,
      '.outloopignore': '# test data\nfixtures/\n',
    });
    assert.deepEqual(paths(await scan({ paths: [dir], workers: 0 })), ['a/.env', 'b/notes.md']);
    assert.deepEqual(paths(await scan({ paths: [dir], workers: 0, include: ['**/*.md'] })), ['b/notes.md']);
    assert.deepEqual(paths(await scan({ paths: [dir], workers: 0, exclude: ['a/**'] })), ['b/notes.md']);
  });

  it('survives a symlink loop and reads a symlinked file once', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'real/.env': `K=${ANTHROPIC('sym')}\n` });
    fs.symlinkSync('..', path.join(dir, 'real', 'loop'));
    fs.symlinkSync(path.join(dir, 'real', '.env'), path.join(dir, 'alias.env'));
    fs.symlinkSync('self', path.join(dir, 'self'));
    fs.symlinkSync('missing-target', path.join(dir, 'dangling'));
    const result = await scan({ paths: [dir], workers: 0 });
    assert.equal(result.findings.length, 1);
    assert.ok(result.warnings.some((w) => w.kind === 'symlink-loop'));
  });

  it('follows a symlinked folder that leads outside the root', async () => {
    const outside = tempDir();
    writeFiles(outside, { 'config/.env': `K=${ANTHROPIC('outside')}\n` });
    const dir = tempDir();
    fs.symlinkSync(path.join(outside, 'config'), path.join(dir, 'shared-config'));
    assert.deepEqual(paths(await scan({ paths: [dir], workers: 0 })), ['shared-config/.env']);
  });

  it('turns a vanished or unreadable file into a warning, not an error', async () => {
    const detector = new Detector(await loadRules());
    const dir = tempDir();
    const gone = scanFile(path.join(dir, 'gone.txt'), 'gone.txt', detector);
    assert.deepEqual(gone.warnings.map((w) => w.kind), ['vanished']);
    fs.mkdirSync(path.join(dir, 'adir'));
    const notFile = scanFile(path.join(dir, 'adir'), 'adir', detector);
    assert.deepEqual(notFile.warnings.map((w) => w.kind), ['unreadable']);
  });

  it('reports unreadable files and folders as warnings and scans the rest (run as an unprivileged user)', (t) => {
    // Root reads everything, so the real permission check needs another user: setpriv drops to nobody.
    const asNobody = (args: string[]) =>
      spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args], { encoding: 'utf8' });
    if (process.getuid?.() !== 0 || asNobody(['-e', `require('fs').accessSync(${JSON.stringify(CLI)})`]).status !== 0) {
      return t.skip('needs root, setpriv, and a CLI the nobody user can read');
    }
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    writeFiles(dir, { 'ok.env': `K=${ANTHROPIC('perm')}\n`, 'locked.txt': `K=${ANTHROPIC('locked')}\n`, 'lockeddir/a.env': `K=${ANTHROPIC('lockeddir')}\n` });
    fs.chmodSync(path.join(dir, 'locked.txt'), 0o000);
    fs.chmodSync(path.join(dir, 'lockeddir'), 0o000);
    const r = asNobody([CLI, 'scan', dir, '--format', 'json']);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { findings: Array<{ path: string }>; warnings: Array<{ path: string; kind: string }> };
    assert.deepEqual(report.findings.map((f) => f.path), ['ok.env']);
    assert.deepEqual(report.warnings.map((w) => [w.path, w.kind]).sort(), [['locked.txt', 'unreadable'], ['lockeddir', 'unreadable']]);
  });

  it('gives the same findings in worker threads as inline', async () => {
    const dir = tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`c${i % 7}/f${i}.txt`] = i % 3 === 0 ? `k=${ANTHROPIC(`w${i}`)}\n` : 'nothing here\n';
    writeFiles(dir, files);
    const inline = await scan({ paths: [dir], workers: 0 });
    const threaded = await scan({ paths: [dir], workers: 2 });
    assert.equal(threaded.stats.workers, 2);
    assert.equal(inline.findings.length, 40);
    assert.deepEqual(threaded.findings, inline.findings);
  });
});
