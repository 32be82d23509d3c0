/**
 * `scan --git` against real git repositories in temp folders: what each commit added, oldest first,
 * with the commit, author and date, the line numbers of that commit's version of the file, and
 * (after resolveHistorySpans) the exact bytes of the key in that version. Keys are generated fakes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/engine.js';
import { fingerprint } from '../../src/detect/redact.js';
import { firstIntroductions } from '../../src/enrich/first-introduced.js';
import { UsageError } from '../../src/model/errors.js';
import type { Finding, ScanWarning } from '../../src/model/finding.js';
import type { Fragment } from '../../src/model/fragment.js';
import { loadRules } from '../../src/scan.js';
import { scanFragments } from '../../src/scan-file.js';
import { PatchParser, PIECE_BYTES } from '../../src/sources/git-history/parse.js';
import { historyFragments, historyLogArgs, resolveHistorySpans } from '../../src/sources/history.js';
import { ANTHROPIC, fakeKey, tempDir } from '../helpers.js';

// The machine's git configuration must not change what these repositories look like.
process.env.GIT_CONFIG_NOSYSTEM = '1';
process.env.GIT_CONFIG_GLOBAL = os.devNull;

const detector = new Detector(await loadRules());

const PEM = (seed: string) =>
  fakeKey('-----BEGIN{{space}}RSA PRIVATE KEY-----\n{{b64:64}}\n{{b64:64}}\n{{b64:64}}\n{{b64:20}}==\n-----END{{space}}RSA PRIVATE KEY-----', seed);

interface Repo {
  dir: string;
  git(...args: string[]): string;
  /** Writes (null: deletes) files, commits them all, returns the commit's sha. */
  commit(message: string, files: Record<string, string | Buffer | null>, author?: { name: string; email: string }): string;
  /** The ISO date the next commit gets (one second after the previous one). */
  dates: string[];
}

function newRepo(): Repo {
  const dir = tempDir('outloop-history-');
  let clock = Date.UTC(2024, 0, 2, 3, 4, 5);
  const dates: string[] = [];
  const run = (env: Record<string, string>, args: string[]) =>
    execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgSign=false', ...args], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
  const stamp = () => {
    const iso = new Date(clock).toISOString().replace('.000Z', '+00:00');
    clock += 1000;
    return iso;
  };
  run({}, ['init', '-q']);
  const repo: Repo = {
    dir,
    dates,
    git: (...args) => {
      const date = stamp();
      return run({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, args);
    },
    commit(message, files, author) {
      for (const [rel, content] of Object.entries(files)) {
        const p = path.join(dir, rel);
        if (content === null) {
          fs.rmSync(p);
          continue;
        }
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content);
      }
      run({}, ['add', '-A']);
      const date = stamp();
      dates.push(date);
      const who = author ? ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`] : [];
      run({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, [...who, 'commit', '-q', '--no-verify', '--allow-empty', '-m', message]);
      return run({}, ['rev-parse', 'HEAD']).trim();
    },
  };
  return repo;
}

interface HistoryScan {
  fragments: Fragment[];
  /** Every finding, per commit that added it. */
  all: Finding[];
  /** firstIntroductions(all), spans resolved. */
  first: Finding[];
  warnings: ScanWarning[];
}

async function scanHistory(dir: string, options: { revisions?: string[]; since?: string } = {}): Promise<HistoryScan> {
  const warnings: ScanWarning[] = [];
  const fragments: Fragment[] = [];
  const all: Finding[] = [];
  for await (const f of historyFragments(dir, options, warnings)) {
    fragments.push(f);
    all.push(...scanFragments([f], detector));
  }
  const first = firstIntroductions(all);
  await resolveHistorySpans(dir, first, warnings);
  return { fragments, all, first, warnings };
}

/** The key's bytes in that commit's version of the file, by the finding's (resolved) span. */
function spanText(repo: Repo, f: Finding): string {
  const blob = execFileSync('git', ['cat-file', 'blob', `${f.commit}:${f.path}`], { cwd: repo.dir, maxBuffer: 64 * 1024 * 1024 });
  return blob.subarray(f.span.start, f.span.end).toString('utf8');
}

describe('history source: what each commit added', () => {
  it('reports a key added then removed once, at the adding commit, with its author, date, line, column and span', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-removed');
    repo.commit('readme', { 'README.md': '# app\n' });
    const adding = repo.commit('add config', { 'config/app.env': `# settings\nDEBUG=1\nANTHROPIC_API_KEY=${key}\n` }, { name: 'Ada Lovelace', email: 'ada@example.com' });
    const addingDate = repo.dates.at(-1)!;
    repo.commit('remove key', { 'config/app.env': '# settings\nDEBUG=1\n' });
    repo.commit('more', { 'README.md': '# app\n\nmore\n' });

    const scan = await scanHistory(repo.dir);
    assert.equal(scan.all.length, 1, 'removing a key adds nothing');
    assert.equal(scan.first.length, 1);
    const f = scan.first[0]!;
    assert.equal(f.source, 'history');
    assert.equal(f.ruleId, 'anthropic-api-key');
    assert.equal(f.path, 'config/app.env');
    assert.equal(f.commit, adding);
    assert.equal(f.author, 'Ada Lovelace <ada@example.com>');
    assert.equal(f.date, addingDate);
    assert.deepEqual([f.line, f.column, f.endLine, f.endColumn], [3, 19, 3, 19 + key.length]);
    assert.equal(f.fingerprint, fingerprint(key));
    const offset = '# settings\nDEBUG=1\nANTHROPIC_API_KEY='.length;
    assert.deepEqual(f.span, { start: offset, end: offset + key.length });
    assert.equal(spanText(repo, f), key);
    assert.deepEqual(scan.warnings, []);
  });

  it('yields fragments oldest commit first, with path, commit and the added line ranges', async () => {
    const repo = newRepo();
    const a = repo.commit('a', { 'f.txt': 'one\ntwo\nthree\n' });
    const b = repo.commit('b', { 'f.txt': 'one\nTWO\nthree\nfour\n' });
    const c = repo.commit('c', { 'g.txt': 'g\n' });
    const { fragments } = await scanHistory(repo.dir);
    assert.deepEqual(
      fragments.map((f) => [f.commit!.sha, f.path, f.firstLine, f.lines, f.bytes!.toString()]),
      [
        [a, 'f.txt', 1, [[1, 3]], 'one\ntwo\nthree\n'],
        [b, 'f.txt', 2, [[2, 2], [4, 4]], 'TWO\n\nfour\n'], // the unchanged line 3 stands as an empty line
        [c, 'g.txt', 1, [[1, 1]], 'g\n'],
      ],
    );
    for (const f of fragments) assert.equal(f.source, 'history');
  });

  it('reports a key removed and added back once, at the first commit', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-readded');
    const first = repo.commit('add', { '.env': `KEY=${key}\n` });
    repo.commit('remove', { '.env': 'KEY=\n' });
    const again = repo.commit('add back', { '.env': `KEY=${key}\n` });
    const scan = await scanHistory(repo.dir);
    assert.deepEqual(scan.all.map((f) => f.commit), [first, again], 'the source reports what each commit adds');
    assert.deepEqual(scan.first.map((f) => f.commit), [first]);
  });

  it('reports a key on a line edited later again from the source, once after firstIntroductions', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-edited-line');
    const first = repo.commit('add', { 'src/client.ts': `export const client = new Client({ key: '${key}' });\n` });
    const edit = repo.commit('edit the line', { 'src/client.ts': `export const client = new Client({ key: '${key}', retries: 3 });\n` });
    const scan = await scanHistory(repo.dir);
    // git can't say which part of the line changed: the edit re-adds the whole line.
    assert.deepEqual(scan.all.map((f) => [f.commit, f.line]), [[first, 1], [edit, 1]]);
    assert.deepEqual(scan.first.map((f) => [f.commit, f.line, f.column]), [[first, 1, 42]]);
    assert.equal(spanText(repo, scan.first[0]!), key);
  });

  it('keeps every occurrence of a key within the commit that first added it', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-twice');
    const first = repo.commit('add', { 'a.env': `A=${key}\nB=${key}\n` });
    repo.commit('copy', { 'a.env': `A=${key}\nB=${key}\nC=${key}\n`, 'b.env': `A=${key}\n` });
    const scan = await scanHistory(repo.dir);
    assert.deepEqual(
      scan.first.map((f) => [f.commit === first ? 'first' : 'second', f.path, f.line]),
      [['first', 'a.env', 1], ['first', 'a.env', 2], ['second', 'b.env', 1]],
    );
  });

  it('reports a key in a file renamed later once (pure rename, and rename with an edit)', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-renamed');
    const body = `line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nKEY=${key}\nline 8\nline 9\nline 10\n`;
    const adding = repo.commit('add', { 'old/secrets.env': body });
    fs.mkdirSync(path.join(repo.dir, 'new'));
    repo.git('mv', 'old/secrets.env', 'new/secrets.env');
    repo.commit('rename', {});
    repo.git('mv', 'new/secrets.env', 'newer.env');
    repo.commit('rename and edit', { 'newer.env': body.replace('line 1\n', 'line one\n') });
    const scan = await scanHistory(repo.dir);
    assert.deepEqual(scan.all.map((f) => [f.commit, f.path, f.line]), [[adding, 'old/secrets.env', 7]]);
    assert.equal(scan.fragments.filter((f) => f.path === 'newer.env').length, 1, 'only the edited line of the renamed file');
  });

  it('limits the scan to a range, and to what a branch adds with --since', async () => {
    const repo = newRepo();
    const [k1, k2, k3, k4] = ['a', 'b', 'c', 'd'].map((s) => ANTHROPIC(`history-range-${s}`)) as [string, string, string, string];
    repo.commit('main 1', { 'main.env': `K=${k1}\n` });
    repo.git('checkout', '-q', '-b', 'feature');
    const b = repo.commit('feature 1', { 'feature.env': `K=${k2}\n` });
    const c = repo.commit('feature 2', { 'feature2.env': `K=${k3}\n` });
    repo.git('checkout', '-q', 'main');
    repo.commit('main 2', { 'main2.env': `K=${k4}\n` });
    repo.git('checkout', '-q', 'feature');

    const all = await scanHistory(repo.dir);
    assert.equal(all.first.length, 4, 'default: every branch');
    const range = await scanHistory(repo.dir, { revisions: ['main..feature'] });
    assert.deepEqual(range.first.map((f) => [f.commit, f.fingerprint]), [[b, fingerprint(k2)], [c, fingerprint(k3)]]);
    const last = await scanHistory(repo.dir, { revisions: ['HEAD~1..HEAD'] });
    assert.deepEqual(last.first.map((f) => f.commit), [c]);
    const since = await scanHistory(repo.dir, { since: 'main' });
    assert.deepEqual(since.first.map((f) => f.commit), [b, c]);
    const sinceWithRange = await scanHistory(repo.dir, { revisions: ['feature'], since: 'feature~1' });
    assert.deepEqual(sinceWithRange.first.map((f) => f.commit), [c]);
  });

  it('skips binary files with one warning per path, and still scans the text files beside them', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-binary');
    const bin = Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`KEY=${key}\n`)]);
    repo.commit('add', { 'assets/my blob é.bin': bin, 'text.env': `KEY=${key}\n` });
    repo.commit('change', { 'assets/my blob é.bin': Buffer.concat([bin, Buffer.from([0])]) });
    const scan = await scanHistory(repo.dir);
    assert.deepEqual(scan.all.map((f) => f.path), ['text.env']);
    assert.equal(scan.warnings.length, 1);
    assert.equal(scan.warnings[0]!.path, 'assets/my blob é.bin');
    assert.equal(scan.warnings[0]!.kind, 'binary');
    assert.match(scan.warnings[0]!.message, /2 commits/);
  });

  it('reads file names with spaces, unicode, tabs, quotes and newlines', async () => {
    const repo = newRepo();
    const names = ['dir with space/my file.env', 'unicodé/fïlé ü.env', 'tab\there.env', 'quote"and\\back.env', 'new\nline.env', 'trailing space .env'];
    const files: Record<string, string> = {};
    names.forEach((n, i) => (files[n] = `KEY=${ANTHROPIC(`history-name-${i}`)}\n`));
    const sha = repo.commit('names', files);
    const scan = await scanHistory(repo.dir);
    assert.deepEqual(scan.first.map((f) => f.path).sort(), [...names].sort());
    for (const f of scan.first) {
      assert.equal(f.commit, sha);
      assert.equal(f.line, 1);
      assert.equal(spanText(repo, f), ANTHROPIC(`history-name-${names.indexOf(f.path)}`));
    }
    assert.deepEqual(scan.warnings, []);
  });

  it('credits a branch key to the branch commit, and a key only the merge added to the merge', async () => {
    const repo = newRepo();
    const [side, evil, resolved] = ['side', 'evil', 'resolved'].map((s) => ANTHROPIC(`history-merge-${s}`)) as [string, string, string];
    repo.commit('base', { 'app.env': 'A=1\nB=2\nC=3\n', 'conflict.txt': 'base\n' });
    repo.git('checkout', '-q', '-b', 'side');
    const sideCommit = repo.commit('side key', { 'side.env': `KEY=${side}\n`, 'conflict.txt': 'side\n' });
    repo.git('checkout', '-q', 'main');
    repo.commit('main work', { 'app.env': 'A=1\nB=two\nC=3\n', 'conflict.txt': 'main\n' });
    try {
      repo.git('merge', '-q', '--no-ff', 'side', '-m', 'merge side');
    } catch {
      // conflict.txt conflicts: resolve it with a key, and slip another into a clean file.
    }
    fs.writeFileSync(path.join(repo.dir, 'conflict.txt'), `TOKEN=${resolved}\n`);
    fs.writeFileSync(path.join(repo.dir, 'app.env'), `A=1\nB=two\nC=3\nEVIL=${evil}\n`);
    const merge = repo.commit('merge side', {});
    assert.equal(repo.git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length, 3, 'a real merge');

    const scan = await scanHistory(repo.dir);
    const by = (key: string) => scan.all.filter((f) => f.fingerprint === fingerprint(key)).map((f) => [f.commit, f.path, f.line]);
    assert.deepEqual(by(side), [[sideCommit, 'side.env', 1]], 'not again at the merge');
    assert.deepEqual(by(evil), [[merge, 'app.env', 4]]);
    assert.deepEqual(by(resolved), [[merge, 'conflict.txt', 1]]);
    for (const f of scan.first) assert.equal(spanText(repo, f).length, f.span.end - f.span.start);
    assert.equal(spanText(repo, scan.first.find((f) => f.commit === merge && f.path === 'app.env')!), evil);
  });

  it('yields nothing for a repository without commits, even for HEAD', async () => {
    const repo = newRepo();
    for (const options of [{}, { revisions: ['HEAD'] }]) {
      const scan = await scanHistory(repo.dir, options);
      assert.deepEqual([scan.fragments.length, scan.warnings.length], [0, 0]);
    }
  });

  it('turns an unknown revision, a flag-like revision and a folder outside git into UsageErrors', async () => {
    const repo = newRepo();
    repo.commit('one', { 'a.txt': 'a\n' });
    const cases: Array<[{ revisions?: string[]; since?: string }, RegExp]> = [
      [{ revisions: ['nope..HEAD'] }, /'nope\.\.HEAD'/],
      [{ revisions: ['main', 'no-such-branch'] }, /'no-such-branch'/],
      [{ since: 'origin/nope' }, /origin\/nope/],
      [{ revisions: ['--output=/tmp/x'] }, /--output/],
    ];
    for (const [options, name] of cases) {
      await assert.rejects(scanHistory(repo.dir, options), (err: Error) => err instanceof UsageError && name.test(err.message), JSON.stringify(options));
    }
    await assert.rejects(scanHistory(tempDir('outloop-not-git-')), (err: Error) => err instanceof UsageError && /not a git repository/.test(err.message));
  });

  it('scans a bare clone (a CI mirror has no work tree) as it scans the work tree it came from', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-bare');
    const sha = repo.commit('add', { 'deploy/app.env': `X=1\nKEY=${key}\n` });
    repo.commit('remove', { 'deploy/app.env': 'X=1\n' });
    const bare = path.join(tempDir('outloop-bare-'), 'mirror.git');
    execFileSync('git', ['clone', '-q', '--bare', repo.dir, bare], { stdio: 'ignore' });
    const fromWorkTree = await scanHistory(repo.dir);
    const fromBare = await scanHistory(bare);
    const view = (s: HistoryScan) => s.first.map((f) => [f.commit, f.path, f.line, f.column, f.span.start, f.span.end, f.fingerprint]);
    assert.equal(fromBare.first.length, 1);
    assert.deepEqual(view(fromBare), view(fromWorkTree));
    assert.equal(fromBare.first[0]!.commit, sha);
    assert.deepEqual(fromBare.warnings, []);
    // From a folder inside the bare repository too (git finds the repository upwards).
    assert.deepEqual(view(await scanHistory(path.join(bare, 'refs'))), view(fromWorkTree));
  });

  it('finds a multi-line PEM key added in one commit, with its lines and exact span', async () => {
    const repo = newRepo();
    const pem = PEM('history-pem');
    const sha = repo.commit('deploy key', { 'deploy/id_rsa': `# deploy key\n${pem}\n` });
    const scan = await scanHistory(repo.dir);
    assert.equal(scan.first.length, 1);
    const f = scan.first[0]!;
    assert.deepEqual([f.ruleId, f.commit, f.line, f.column, f.endLine], ['private-key-pem', sha, 2, 1, 7]);
    assert.equal(spanText(repo, f), pem);
  });

  it('keeps line numbers and spans exact across hunks, far-apart hunks, CRLF and a missing final newline', async () => {
    const repo = newRepo();
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`);
    repo.commit('big', { 'big.txt': lines.join('\r\n') });
    const keys = [10, 40, 2500, 3000].map((n) => [n, ANTHROPIC(`history-far-${n}`)] as const);
    const edited = [...lines];
    for (const [n, k] of keys) edited[n - 1] = `line ${n} x=${k}`;
    const sha = repo.commit('keys', { 'big.txt': edited.join('\r\n') });
    const scan = await scanHistory(repo.dir);
    const found = scan.first.filter((f) => f.commit === sha);
    assert.deepEqual(found.map((f) => [f.line, f.column]), keys.map(([n]) => [n, `line ${n} x=`.length + 1]));
    for (const f of found) assert.equal(spanText(repo, f), keys.find(([n]) => n === f.line)![1]);
    // Hunks 2470 lines apart get their own fragment; nearby ones share one.
    assert.deepEqual(scan.fragments.filter((f) => f.commit!.sha === sha).map((f) => f.lines), [[[10, 10], [40, 40]], [[2500, 2500], [3000, 3000]]]);
  });

  it('splits a huge added file into overlapping pieces and reports a key on the boundary once', async () => {
    const repo = newRepo();
    const key = ANTHROPIC('history-huge');
    const line = 'x'.repeat(99) + '\n';
    const before = Math.floor((PIECE_BYTES - 20) / line.length);
    const body = line.repeat(before) + `KEY=${key}\n` + line.repeat(1000);
    const sha = repo.commit('huge', { 'data/huge.txt': body });
    const scan = await scanHistory(repo.dir);
    assert.ok(scan.fragments.length >= 2, 'split into pieces');
    assert.deepEqual(scan.all.map((f) => [f.commit, f.line, f.column]), [[sha, before + 1, 5]]);
    assert.equal(spanText(repo, scan.first[0]!), key);
  });

  it('stops git when the consumer stops early', async () => {
    const repo = newRepo();
    for (let i = 0; i < 5; i++) repo.commit(`c${i}`, { [`f${i}.txt`]: `${i}\n` });
    const warnings: ScanWarning[] = [];
    let n = 0;
    for await (const f of historyFragments(repo.dir, {}, warnings)) {
      assert.equal(f.path, 'f0.txt');
      n++;
      break;
    }
    assert.equal(n, 1);
  });
});

describe('history patch parser', () => {
  it('parses the same fragments whatever the chunk boundaries', async () => {
    const repo = newRepo();
    const k = ANTHROPIC('history-chunks');
    repo.commit('a', { 'a b.txt': `one\n+++ b/fake\n@@ -1 +1 @@\ndiff --git a/x b/x\n${k}\n`, 'c.bin': Buffer.from([0, 1, 2]) });
    repo.commit('b', { 'a b.txt': `ONE\n+++ b/fake\n@@ -1 +1 @@\ndiff --git a/x b/x\n${k}\nend` });
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit('side', { 's.txt': 's\n' });
    repo.git('checkout', '-q', 'main');
    repo.commit('main', { 'm.txt': 'm\n' });
    repo.git('merge', '-q', '--no-ff', 'side', '-m', 'merge');
    const log = execFileSync('git', historyLogArgs({}), { cwd: repo.dir });

    const collect = (sizes: number[]) => {
      const out: string[] = [];
      const parser = new PatchParser({
        fragment: (f) => out.push(JSON.stringify([f.commit!.sha, f.path, f.firstLine, f.firstColumn, f.lines, f.ownedStart, f.ownedEnd, f.bytes!.toString('latin1')])),
        binary: (p, c) => out.push(`binary ${p} ${c.sha}`),
      });
      let pos = 0;
      for (let i = 0; pos < log.length; i++) {
        const n = sizes[i % sizes.length]!;
        parser.feed(log.subarray(pos, pos + n));
        pos += n;
      }
      parser.end();
      return out;
    };
    const whole = collect([log.length]);
    assert.ok(whole.some((s) => s.includes('+++ b/fake')), 'an added line that looks like a header stays text');
    assert.ok(whole.some((s) => s.startsWith('binary c.bin')));
    for (const sizes of [[1], [2], [3, 5, 7], [64]]) assert.deepEqual(collect(sizes), whole, `chunks of ${sizes.join(',')}`);
  });
});
