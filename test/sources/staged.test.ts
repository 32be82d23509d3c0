/**
 * `scan --staged` against real git repositories in temp folders: what the commit will contain (the
 * index), only the lines it adds, with the staged file's line numbers. Keys are generated fakes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/engine.js';
import { UsageError } from '../../src/model/errors.js';
import type { ScanWarning } from '../../src/model/finding.js';
import type { Fragment } from '../../src/model/fragment.js';
import { loadRules } from '../../src/scan.js';
import { scanFragments } from '../../src/scan-file.js';
import { runGit } from '../../src/sources/git/run.js';
import { blobFromPatch, blobId, parsePatch, parseStagedDiff, STAGED_DIFF_ARGS } from '../../src/sources/git/staged-diff.js';
import { repoRoot, stagedFragments } from '../../src/sources/staged.js';
import { ANTHROPIC, fakeKey, REPO, tempDir, writeFiles } from '../helpers.js';

// The machine's git configuration must not change what these repositories look like.
process.env.GIT_CONFIG_NOSYSTEM = '1';
process.env.GIT_CONFIG_GLOBAL = os.devNull;

const detector = new Detector(await loadRules());

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function newRepo(files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir('outloop-staged-');
  git(dir, 'init', '-q');
  writeFiles(dir, files);
  return dir;
}

function commitAll(dir: string, message = 'commit'): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--no-verify', '-m', message);
}

/** Stages exact content for a path without touching the working tree (what `git add -p` leaves). */
function stageContent(dir: string, rel: string, content: string | Buffer): void {
  const tmp = path.join(tempDir('outloop-blob-'), 'blob');
  fs.writeFileSync(tmp, content);
  const oid = git(dir, 'hash-object', '-w', '--no-filters', tmp).trim();
  git(dir, 'update-index', '--add', '--cacheinfo', `100644,${oid},${rel}`);
}

/**
 * The patch parser must get every file right by itself: the blob-id check is only a safety net
 * (it sends the file down the slower cat-file path), which would otherwise hide a parser bug.
 */
async function assertPatchAgreesWithGit(dir: string): Promise<void> {
  const { changes, output } = parseStagedDiff(await runGit(STAGED_DIFF_ARGS, dir));
  for (const c of changes) {
    if (c.bodies.length === 0 || c.status === 'U' || c.status === 'D' || c.status === 'T' || c.newMode === '160000') continue;
    // Both sides rebuilt from the whole-file patch are the blobs themselves (else cat-file would run).
    assert.equal(blobId(blobFromPatch(output, c.bodies, 'new'), c.newOid.length), c.newOid, `staged ${JSON.stringify(c.path)}`);
    if (c.status !== 'A') assert.equal(blobId(blobFromPatch(output, c.bodies, 'old'), c.oldOid.length), c.oldOid, `HEAD ${JSON.stringify(c.oldPath)}`);
  }
}

async function scanStaged(dir: string) {
  await assertPatchAgreesWithGit(dir);
  const warnings: ScanWarning[] = [];
  const fragments: Fragment[] = [];
  for await (const f of stagedFragments(await repoRoot(dir), warnings)) fragments.push(f);
  const findings = scanFragments(fragments, detector);
  const hits = findings.map((f) => [f.path, f.line] as [string, number]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return { hits, warnings, findings, fragments };
}

/** Runs `body` with a `git` first on PATH that logs each call; returns the subcommands run. */
async function gitCalls(body: () => Promise<unknown>): Promise<string[]> {
  const shim = tempDir('outloop-gitshim-');
  const log = path.join(shim, 'calls.log');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(shim, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(realGit)} "$@"\n`, { mode: 0o755 });
  const savedPath = process.env.PATH;
  process.env.PATH = `${shim}${path.delimiter}${savedPath ?? ''}`;
  try {
    await body();
  } finally {
    process.env.PATH = savedPath;
  }
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^(-c \S+ )+/, '').split(' ')[0]!);
}

const key = (seed: string) => `ANTHROPIC_API_KEY=${ANTHROPIC(seed)}`;
const pem = (seed: string) =>
  fakeKey('-----BEGIN{{space}}RSA PRIVATE KEY-----\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n{{b64:20}}==\n-----END{{space}}RSA PRIVATE KEY-----', seed);
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('scan --staged: what the commit contains', () => {
  it('reports a staged secret even after it left the working tree, and nothing only in the working tree', async () => {
    const dir = newRepo({ 'app.js': 'console.log(1);\n', 'README.md': '# demo\n' });
    commitAll(dir);
    writeFiles(dir, { '.env': `A=1\n${key('staged-then-removed')}\n` });
    git(dir, 'add', '.env');
    fs.rmSync(path.join(dir, '.env'));
    writeFiles(dir, { 'untracked.env': `${key('untracked')}\n`, 'README.md': `# demo\n${key('unstaged-edit')}\n` });
    const { hits, warnings, findings } = await scanStaged(dir);
    assert.deepEqual(hits, [['.env', 2]]);
    assert.deepEqual(warnings, []);
    assert.equal(findings[0]!.source, 'staged');
  });

  it('scans the staged version of a partially staged file, with its line numbers', async () => {
    const dir = newRepo({ 'config.ini': 'a=1\nb=2\nc=3\n' });
    commitAll(dir);
    // The index gets one new key on line 3; the working tree has another key above it and a third below.
    stageContent(dir, 'config.ini', `a=1\nb=2\n${key('partial-staged')}\nc=3\n`);
    writeFiles(dir, { 'config.ini': `${key('partial-unstaged-top')}\na=1\nb=2\n${key('partial-staged')}\nc=3\n${key('partial-unstaged-end')}\n` });
    assert.deepEqual((await scanStaged(dir)).hits, [['config.ini', 3]]);

    // `git add` then more edits: the edits are not in the commit.
    writeFiles(dir, { 'other.txt': `x\n${key('added-then-edited')}\n` });
    git(dir, 'add', 'other.txt');
    writeFiles(dir, { 'other.txt': `x\n` });
    assert.deepEqual((await scanStaged(dir)).hits, [['config.ini', 3], ['other.txt', 2]]);
  });

  it('reports only added lines: an unchanged secret is not reported, a modified line with one is', async () => {
    const dir = newRepo({ 'settings.env': `# settings\n${key('old-unchanged')}\nX=1\nSECOND=${ANTHROPIC('old-modified')}\n` });
    commitAll(dir);
    writeFiles(dir, { 'settings.env': `# new first line\n# settings\n${key('old-unchanged')}\nX=2\nSECOND=${ANTHROPIC('old-modified')} # rotated soon\n` });
    git(dir, 'add', 'settings.env');
    const { hits, fragments } = await scanStaged(dir);
    assert.deepEqual(hits, [['settings.env', 5]]);
    assert.deepEqual(fragments[0]!.lines, [[1, 1], [4, 5]]);
  });

  it('follows renames and copies: old secrets stay quiet, new ones are reported at the new path', async () => {
    const dir = newRepo({
      'old name.env': `A=1\n${key('renamed-unchanged')}\nB=2\nC=3\nD=4\n`,
      'moved.env': `A=1\nB=2\nC=3\nD=4\nE=5\nF=6\n`,
      'base.env': `A=1\n${key('copied-source')}\nB=2\nC=3\nD=4\nE=5\n`,
    });
    commitAll(dir);
    git(dir, 'mv', 'old name.env', 'new name.env');
    fs.mkdirSync(path.join(dir, 'sub'));
    git(dir, 'mv', 'moved.env', 'sub/moved.env');
    writeFiles(dir, { 'sub/moved.env': `A=1\nB=2\nC=3\n${key('renamed-new')}\nD=4\nE=5\nF=6\n` });
    // A copy is detected when its source changes in the same commit (git diff -C).
    fs.copyFileSync(path.join(dir, 'base.env'), path.join(dir, 'copy.env'));
    fs.appendFileSync(path.join(dir, 'copy.env'), `${key('copy-new')}\n`);
    fs.appendFileSync(path.join(dir, 'base.env'), 'F=6\n');
    git(dir, 'add', '-A');
    const status = git(dir, 'diff', '--cached', '--name-status', '-M', '-C');
    assert.match(status, /^R\d+\told name\.env\tnew name\.env$/m);
    assert.match(status, /^C\d+\tbase\.env\tcopy\.env$/m);
    assert.deepEqual((await scanStaged(dir)).hits, [['copy.env', 7], ['sub/moved.env', 4]]);
  });

  it('reports nothing for a deleted file', async () => {
    const dir = newRepo({ 'gone.env': `${key('deleted')}\n`, 'keep.txt': 'k\n' });
    commitAll(dir);
    git(dir, 'rm', '-q', 'gone.env');
    const { hits, warnings, fragments } = await scanStaged(dir);
    assert.deepEqual(hits, []);
    assert.deepEqual(warnings, []);
    assert.equal(fragments.length, 0);
  });

  it('skips a binary blob with a warning', async () => {
    const dir = newRepo({ 'a.txt': 'a\n' });
    commitAll(dir);
    writeFiles(dir, { 'blob.bin': Buffer.concat([Buffer.from([0, 1, 2, 0, 255]), Buffer.from(`\n${key('in-binary')}\n`)]) });
    git(dir, 'add', 'blob.bin');
    const { hits, warnings } = await scanStaged(dir);
    assert.deepEqual(hits, []);
    assert.deepEqual(warnings, [{ path: 'blob.bin', kind: 'binary', message: 'binary file skipped' }]);
  });

  it('handles file names with spaces, unicode, tabs, quotes and newlines', async () => {
    const names = ['dir with space/a b.env', 'ключи/café ☕.env', 'new\nline.env', 'tab\there.env', 'quote"back\\slash.env', '-dash.env'];
    const dir = newRepo({ 'seed.txt': 's\n' });
    commitAll(dir);
    writeFiles(dir, Object.fromEntries(names.map((n, i) => [n, `# ${i}\n${key(`name-${i}`)}\n`])));
    git(dir, 'add', '-A');
    const { hits, warnings } = await scanStaged(dir);
    assert.deepEqual(warnings, []);
    assert.deepEqual(hits, names.map((n) => [n, 2] as [string, number]).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  });

  it('works on the very first commit (no HEAD yet)', async () => {
    const dir = newRepo({ 'first.env': `# one\n# two\n${key('first-commit')}\n`, 'empty.txt': '', 'plain.txt': 'hello\n' });
    git(dir, 'add', '-A');
    const { hits, fragments } = await scanStaged(dir);
    assert.deepEqual(hits, [['first.env', 3]]);
    assert.deepEqual(fragments.find((f) => f.path === 'first.env')!.lines, [[1, 3]]);
  });

  it('scans a resolved merge conflict while MERGE_HEAD exists, and survives unresolved paths', async () => {
    const dir = newRepo({ 'conf.env': 'A=1\nB=2\nC=3\n', 'other.env': 'X=1\n' });
    commitAll(dir, 'base');
    git(dir, 'checkout', '-q', '-b', 'feature');
    writeFiles(dir, { 'conf.env': 'A=1\nB=feature\nC=3\n', 'other.env': 'X=feature\n' });
    commitAll(dir, 'feature');
    git(dir, 'checkout', '-q', 'main');
    writeFiles(dir, { 'conf.env': 'A=1\nB=main\nC=3\n', 'other.env': 'X=main\n' });
    commitAll(dir, 'main');
    assert.throws(() => git(dir, 'merge', '-q', 'feature'));
    assert.ok(fs.existsSync(path.join(dir, '.git', 'MERGE_HEAD')));
    // Both paths are unmerged: nothing to report, no crash.
    assert.deepEqual((await scanStaged(dir)).hits, []);
    writeFiles(dir, { 'conf.env': `A=1\nB=merged\n${key('merge-resolution')}\nC=3\n` });
    git(dir, 'add', 'conf.env');
    const { hits, warnings } = await scanStaged(dir);
    assert.deepEqual(hits, [['conf.env', 3]]);
    assert.deepEqual(warnings, []);
  });

  it('skips submodules (a gitlink is a commit id, not a file)', async () => {
    const sub = newRepo({ 'inner.env': `${key('inside-submodule')}\n` });
    commitAll(sub);
    const dir = newRepo({ 'a.txt': 'a\n' });
    commitAll(dir);
    git(dir, 'submodule', 'add', '-q', sub, 'vendor/sub');
    writeFiles(dir, { 'app.env': `${key('next-to-submodule')}\n` });
    git(dir, 'add', 'app.env');
    assert.match(git(dir, 'ls-files', '-s', 'vendor/sub'), /^160000 /);
    const { hits, warnings, fragments } = await scanStaged(dir);
    assert.deepEqual(hits, [['app.env', 1]]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(fragments.map((f) => f.path).sort(), ['.gitmodules', 'app.env']);
  });

  it('sees what `git commit -a` stages (git add -u)', async () => {
    const dir = newRepo({ 'tracked.env': 'A=1\n' });
    commitAll(dir);
    writeFiles(dir, { 'tracked.env': `A=1\n${key('commit-a')}\n`, 'untracked.env': `${key('not-added')}\n` });
    git(dir, 'add', '-u');
    assert.deepEqual((await scanStaged(dir)).hits, [['tracked.env', 2]]);
  });

  it('reads the index git prepared for a real `git commit -a` hook (GIT_INDEX_FILE)', async () => {
    const dir = newRepo({ 'tracked.env': 'A=1\n' });
    commitAll(dir);
    const hooks = tempDir('outloop-hooks-');
    const out = path.join(hooks, 'hits.json');
    const script = path.join(hooks, 'check.mjs');
    const staged = path.join(REPO, 'dist/src/sources/staged.js');
    fs.writeFileSync(
      script,
      `import { repoRoot, stagedFragments } from ${JSON.stringify(staged)};\n` +
        `const w = []; const got = [];\n` +
        `for await (const f of stagedFragments(await repoRoot(process.cwd()), w)) got.push([f.path, f.lines]);\n` +
        `(await import('node:fs')).writeFileSync(${JSON.stringify(out)}, JSON.stringify(got));\n` +
        `process.exit(got.length ? 1 : 0);\n`,
    );
    fs.writeFileSync(path.join(hooks, 'pre-commit'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)}\n`, { mode: 0o755 });
    writeFiles(dir, { 'tracked.env': `A=1\n${key('real-commit-a')}\n` });
    // Nothing is staged before the commit: only `-a` puts the edit in (a temporary index).
    assert.equal(git(dir, 'diff', '--cached', '--name-only'), '');
    assert.throws(() => git(dir, '-c', `core.hooksPath=${hooks}`, 'commit', '-q', '-a', '-m', 'blocked'));
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), [['tracked.env', [[2, 2]]]]);
    assert.equal(git(dir, 'rev-list', '--count', 'HEAD').trim(), '1');
  });

  it('keeps CRLF line numbers', async () => {
    const dir = newRepo({ 'win.env': 'A=1\r\nB=2\r\n' });
    commitAll(dir);
    writeFiles(dir, { 'win.env': `A=1\r\nB=2\r\n${key('crlf')}\r\nC=3\r\n` });
    git(dir, 'add', 'win.env');
    const { hits, findings } = await scanStaged(dir);
    assert.deepEqual(hits, [['win.env', 3]]);
    assert.equal(findings[0]!.column, 'ANTHROPIC_API_KEY='.length + 1);
  });

  it('decodes staged UTF-16 and reports only its added lines, counted in characters', async () => {
    // 上 is U+4E0A: its UTF-16LE bytes hold 0x0A, which git would count as a line break.
    const v1 = `上上上 first\r\n${key('utf16-old')}\r\nend\r\n`;
    const dir = newRepo({ 'win16.txt': utf16le(v1) });
    commitAll(dir);
    assert.deepEqual((await scanStaged(dir)).hits, []);
    writeFiles(dir, { 'win16.txt': utf16le(`上上上 first\r\n上\r\n${key('utf16-old')}\r\nend\r\n${key('utf16-new')}\r\n`), 'new16.txt': utf16le(`上\r\n${key('utf16-added-file')}\r\n`) });
    git(dir, 'add', '-A');
    const { hits, warnings, findings } = await scanStaged(dir);
    assert.deepEqual(warnings, []);
    assert.deepEqual(hits, [['new16.txt', 2], ['win16.txt', 5]]);
    assert.ok(findings.every((f) => f.column === 'ANTHROPIC_API_KEY='.length + 1));
  });

  it('counts lines in characters for UTF-16 that git diffs as text (no zero byte in its first 8000)', async () => {
    const head = '上'.repeat(4100); // 8200 bytes without a zero byte: git sees text
    const dir = newRepo({ 'cjk16.txt': utf16le(`${head}\r\nold\r\n`) });
    commitAll(dir);
    writeFiles(dir, { 'cjk16.txt': utf16le(`${head}\r\nold\r\n${key('utf16-text-to-git')}\r\n`) });
    git(dir, 'add', '-A');
    assert.match(git(dir, 'diff', '--cached', '--numstat'), /^\d+\t\d+\tcjk16\.txt$/m); // git did diff it as text
    assert.deepEqual((await scanStaged(dir)).hits, [['cjk16.txt', 3]]);
  });

  it('scans text that .gitattributes marks binary, still only its added lines', async () => {
    const dir = newRepo({ '.gitattributes': '*.env binary\n', 'marked.env': `${key('attr-old')}\nA=1\n` });
    commitAll(dir);
    writeFiles(dir, { 'marked.env': `${key('attr-old')}\nA=1\n${key('attr-new')}\n` });
    git(dir, 'add', '-A');
    const { hits, warnings } = await scanStaged(dir);
    assert.deepEqual(warnings, []);
    assert.deepEqual(hits, [['marked.env', 3]]);
  });

  it('finds an added multi-line PEM key at its first line', async () => {
    const dir = newRepo({ 'notes.md': '# notes\n' });
    commitAll(dir);
    writeFiles(dir, { 'notes.md': `# notes\n\nkey below:\n${pem('pem-staged')}\n` });
    git(dir, 'add', 'notes.md');
    const { hits, findings } = await scanStaged(dir);
    assert.deepEqual(hits, [['notes.md', 4]]);
    assert.equal(findings[0]!.ruleId, 'private-key-pem');
    assert.equal(findings[0]!.endLine, 9);
  });

  it('finds the repository top from a subfolder, and refuses a folder outside any repository', async () => {
    const dir = newRepo({ 'deep/er/x.txt': 'x\n' });
    assert.equal(await repoRoot(path.join(dir, 'deep', 'er')), fs.realpathSync(dir));
    const outside = tempDir('outloop-norepo-');
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(outside); // never find a repo above the temp folder
    try {
      await assert.rejects(repoRoot(outside), (e: unknown) => e instanceof UsageError && /not inside a git work tree/.test(e.message));
      await assert.rejects(repoRoot(path.join(outside, 'missing')), (e: unknown) => e instanceof UsageError && /no such folder/.test(e.message));
    } finally {
      delete process.env.GIT_CEILING_DIRECTORIES;
    }
  });

  it('runs one git process for text changes (content comes with the diff), cat-file only for files binary to git', async () => {
    const cjk = '上'.repeat(4100);
    const dir = newRepo({
      'no-eol.txt': 'a\nb',
      'eol-removed.txt': 'a\nb\n',
      'crlf.txt': 'a\r\nb\r\n',
      'late-nul.txt': `${'x'.repeat(9000)}\n\0\n`,
      'to-rename.txt': 'r1\n\nr2\nr3\n\nr4\nr5\n',
      'cjk16.txt': utf16le(`${cjk}\r\nold\r\n`),
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]),
      'wide16.txt': utf16le('one\r\ntwo\r\n'),
    });
    commitAll(dir);
    writeFiles(dir, {
      'no-eol.txt': `a\nb\n${key('no-eol')}`,
      'eol-removed.txt': `a\n${key('eol-removed')}`,
      'crlf.txt': `a\r\n${key('crlf-2')}\r\nb\r\n`,
      'late-nul.txt': `${'x'.repeat(9000)}\n\0\n${key('late-nul')}\n`,
      'cjk16.txt': utf16le(`${cjk}\r\nold\r\n${key('cjk16')}\r\n`),
    });
    git(dir, 'mv', 'to-rename.txt', 'renamed.txt');
    writeFiles(dir, { 'renamed.txt': `r1\n\nr2\n${key('renamed-2')}\nr3\n\nr4\nr5\n` });
    git(dir, 'add', '-A');
    let result: Awaited<ReturnType<typeof scanStaged>> | undefined;
    process.env.GIT_DIFF_OPTS = '--unified=1'; // would override the whole-file context if passed on
    let textOnly: string[];
    try {
      textOnly = await gitCalls(async () => {
        const warnings: ScanWarning[] = [];
        const fragments: Fragment[] = [];
        for await (const f of stagedFragments(await repoRoot(dir), warnings)) fragments.push(f);
        result = { hits: [], warnings, findings: scanFragments(fragments, detector), fragments };
      });
    } finally {
      delete process.env.GIT_DIFF_OPTS;
    }
    assert.deepEqual(textOnly, ['diff']);
    const hits = result!.findings.map((f) => [f.path, f.line]).sort();
    assert.deepEqual(hits, [['cjk16.txt', 3], ['crlf.txt', 2], ['eol-removed.txt', 2], ['late-nul.txt', 3], ['no-eol.txt', 3], ['renamed.txt', 4]]);
    // Staged content equals the blob byte for byte (the patch-built copy was checked against its id).
    const noEol = result!.fragments.find((f) => f.path === 'no-eol.txt')!;
    assert.equal(noEol.bytes!.toString(), `a\nb\n${key('no-eol')}`);

    writeFiles(dir, { 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 2]), 'wide16.txt': utf16le(`one\r\n${key('wide16')}\r\ntwo\r\n`) });
    git(dir, 'add', '-A');
    const withBinary = await gitCalls(() => scanStaged(dir));
    assert.deepEqual(withBinary.filter((c) => c !== 'diff'), ['cat-file', 'cat-file']); // staged blobs, then wide16's HEAD version
    const { hits: all, warnings } = await scanStaged(dir);
    assert.deepEqual(warnings.map((w) => [w.path, w.kind]), [['logo.png', 'binary']]);
    assert.ok(all.some(([p, l]) => p === 'wide16.txt' && l === 2));
  });

  it('works in a linked worktree (a .git file: git finds the top)', async () => {
    const dir = newRepo({ 'a.txt': 'a\n' });
    commitAll(dir);
    const wt = path.join(tempDir('outloop-wt-'), 'tree');
    git(dir, 'worktree', 'add', '-q', '-b', 'side', wt);
    writeFiles(wt, { 'deep/w.env': `W=1\n${key('worktree')}\n` });
    git(wt, 'add', '-A');
    const calls = await gitCalls(async () => assert.equal(await repoRoot(path.join(wt, 'deep')), fs.realpathSync(wt)));
    assert.deepEqual(calls, ['rev-parse']);
    assert.deepEqual((await scanStaged(wt)).hits, [['deep/w.env', 2]]);
  });

  it('parses a patch whose empty context lines lost their leading space (diff.suppressBlankEmpty)', () => {
    const patch = Buffer.from('diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n\n+new\n c\n');
    const file = parsePatch(patch, 0).get('f')!;
    assert.deepEqual(file.added, [[3, 3]]);
    assert.equal(blobFromPatch(patch, file.bodies, 'new').toString(), 'a\n\nnew\nc\n');
    assert.equal(blobFromPatch(patch, file.bodies, 'old').toString(), 'a\n\nc\n');
  });
});
