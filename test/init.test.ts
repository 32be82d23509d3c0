/**
 * `outloop init`: the text edits on their own, the command in temp repositories, and the whole path
 * a user takes (npm pack → npm install → npx outloop init → npm install → git commit) end to end.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { editConfig, editHook, editPackageJson, HOOK_BLOCK, HUSKY_RANGE, STARTER_CONFIG } from '../src/cli/init-command.js';
import { ANTHROPIC, GIT_TEST_ENV, REPO, runCli, tempDir, writeFiles } from './helpers.js';

const GIT_ENV = GIT_TEST_ENV;

function git(cwd: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

function gitProject(files: Record<string, string> = { 'package.json': '{\n  "name": "app",\n  "version": "1.0.0"\n}\n' }): string {
  const dir = tempDir('outloop-init-');
  git(dir, ['init', '-q', '-b', 'main']);
  writeFiles(dir, files);
  return dir;
}

function readAll(dir: string, files: string[]): Record<string, string | null> {
  return Object.fromEntries(files.map((f) => [f, fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : null]));
}

const SET_UP_FILES = ['package.json', '.husky/pre-commit', 'outloop.config.json'];

describe('init: package.json edits', () => {
  it('adds husky and the prepare script, keeping key order, tab indentation, CRLF and a missing final newline', () => {
    const text = '{\r\n\t"name": "app",\r\n\t"dependencies": {\r\n\t\t"zod": "^4"\r\n\t},\r\n\t"devDependencies": {\r\n\t\t"eslint": "^9",\r\n\t\t"typescript": "^5"\r\n\t},\r\n\t"private": true\r\n}';
    const edit = editPackageJson(text);
    assert.equal(
      edit.content,
      '{\r\n\t"name": "app",\r\n\t"dependencies": {\r\n\t\t"zod": "^4"\r\n\t},\r\n\t"devDependencies": {\r\n\t\t"eslint": "^9",\r\n\t\t"husky": "^9.1.7",\r\n\t\t"typescript": "^5"\r\n\t},\r\n\t"private": true,\r\n\t"scripts": {\r\n\t\t"prepare": "husky"\r\n\t}\r\n}',
    );
    assert.deepEqual(edit.notes, ['scripts.prepare "husky" added', `devDependencies.husky "${HUSKY_RANGE}" added`]);
  });

  it('keeps 4-space indentation and puts new keys after the existing ones, scripts first', () => {
    const edit = editPackageJson('{\n    "name": "app"\n}\n');
    assert.equal(edit.content, '{\n    "name": "app",\n    "scripts": {\n        "prepare": "husky"\n    },\n    "devDependencies": {\n        "husky": "^9.1.7"\n    }\n}\n');
  });

  it("appends husky to a project's own prepare script, and leaves one that already runs husky", () => {
    const appended = JSON.parse(editPackageJson('{"scripts":{"build":"tsc","prepare":"npm run build"},"devDependencies":{"husky":"^9.0.0"}}').content!);
    assert.deepEqual(appended.scripts, { build: 'tsc', prepare: 'npm run build && husky' });
    assert.equal(appended.devDependencies.husky, '^9.0.0', 'an existing husky range is the project\'s choice');
    const kept = editPackageJson('{"scripts":{"prepare":"husky || true"},"dependencies":{"husky":"9.1.7","outloop":"^0.1.0"}}');
    assert.equal(kept.content, null);
    assert.deepEqual(kept.warnings, []);
  });

  it('warns about a husky older than v9 and about a project without outloop', () => {
    const edit = editPackageJson('{"devDependencies":{"husky":"^8.0.3"}}');
    assert.equal(edit.warnings.length, 2);
    assert.match(edit.warnings[0]!, /husky "\^8\.0\.3" is older than v9/);
    assert.match(edit.warnings[1]!, /npm install --save-dev outloop/);
  });

  it('refuses what it cannot edit safely', () => {
    assert.throws(() => editPackageJson('{"name": "app",'), /package\.json is not valid JSON/);
    assert.throws(() => editPackageJson('[]'), /not a JSON object/);
    assert.throws(() => editPackageJson('{"devDependencies": ["husky"]}'), /devDependencies is not an object/);
    assert.throws(() => editPackageJson('{"scripts": {"prepare": 1}}'), /scripts\.prepare is not a string/);
  });
});

describe('init: .husky/pre-commit and outloop.config.json edits', () => {
  it('creates the hook, or appends to a user hook once, never replacing a line', () => {
    assert.equal(editHook(null).content, HOOK_BLOCK);
    const appended = editHook('npm test').content!;
    assert.equal(appended, `npm test\n${HOOK_BLOCK}`);
    assert.equal(editHook(appended).content, null, 'a second run changes nothing');
    assert.equal(editHook('npx lint-staged\n').content, `npx lint-staged\n${HOOK_BLOCK}`);
    assert.equal(editHook('outloop scan --staged --config ci.json\n').content, null, "the user's own outloop line counts");
    assert.notEqual(editHook('# outloop scan --staged (disabled)\n').content, null, 'a commented-out line does not');
  });

  it('warns when an exit in the user hook would stop before our line', () => {
    assert.match(editHook('npm test\nexit 0\n').warnings[0]!, /exit or exec line/);
    assert.deepEqual(editHook('npm test\n').warnings, []);
  });

  it('writes a starter config with nothing in it, and never touches an existing one', () => {
    assert.deepEqual(JSON.parse(editConfig(null).content!), { ignore: [], allow: [] });
    assert.equal(editConfig('{"allow": []}').content, null);
  });
});

describe('outloop init (the command, in temp repositories)', () => {
  it('sets up a project, says what it did and the next step, and a second run changes nothing', () => {
    const dir = gitProject();
    const first = runCli(['init'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^outloop init in .*: 3 files changed$/m);
    assert.match(first.stdout, /^Next: run "npm install"/m);
    const after = readAll(dir, SET_UP_FILES);
    assert.deepEqual(JSON.parse(after['package.json']!), { name: 'app', version: '1.0.0', scripts: { prepare: 'husky' }, devDependencies: { husky: HUSKY_RANGE } });
    assert.equal(after['.husky/pre-commit'], HOOK_BLOCK);
    assert.equal(after['outloop.config.json'], STARTER_CONFIG);
    assert.ok(fs.statSync(path.join(dir, '.husky/pre-commit')).mode & 0o100, 'executable, for core.hooksPath users too');

    const second = runCli(['init'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already set up, nothing changed/);
    assert.deepEqual(readAll(dir, SET_UP_FILES), after);
  });

  it('keeps a user hook and config, and --dry-run writes nothing', () => {
    const userConfig = '{ "ignore": ["fixtures/**"], "allow": [] }\n';
    const dir = gitProject({ 'package.json': '{"name":"app"}', '.husky/pre-commit': 'npm test\n', 'outloop.config.json': userConfig });
    const before = readAll(dir, SET_UP_FILES);
    const dry = runCli(['init', '--dry-run'], { cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would change 2 files \(nothing written\)/);
    assert.match(dry.stdout, /without --dry-run/);
    assert.deepEqual(readAll(dir, SET_UP_FILES), before);

    assert.equal(runCli(['init'], { cwd: dir }).code, 0);
    const after = readAll(dir, SET_UP_FILES);
    assert.equal(after['.husky/pre-commit'], `npm test\n${HOOK_BLOCK}`);
    assert.equal(after['outloop.config.json'], userConfig);
  });

  it('exits 2 with a clear message outside a git repository, below its top, or without package.json', () => {
    const noGit = tempDir('outloop-init-nogit-');
    writeFiles(noGit, { 'package.json': '{}' });
    const a = runCli(['init'], { cwd: noGit, env: GIT_ENV });
    assert.equal(a.code, 2);
    assert.match(a.stderr, /is not in a git repository: run "git init" first/);

    const dir = gitProject();
    fs.mkdirSync(path.join(dir, 'sub'));
    const b = runCli(['init'], { cwd: path.join(dir, 'sub') });
    assert.equal(b.code, 2);
    assert.match(b.stderr, /run "outloop init" at the repository's top folder/);

    const c = runCli(['init'], { cwd: gitProject({}) });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /no package\.json in .*: run "npm init -y" first/);

    const d = runCli(['init', '--force'], { cwd: dir });
    assert.equal(d.code, 2);
    assert.match(d.stderr, /Unknown option '--force'/);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end, the way a user gets there. One pack, one install of the tarball, one install that
// brings husky from the registry; the subtests share the project and run in order.

const NPM_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  ...GIT_ENV,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  HUSKY: undefined, // HUSKY=0 in a developer's shell would skip both the install and the hook
};

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: NPM_ENV, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stderr}`);
  return r;
}

function commitIn(cwd: string, xdg: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // A private XDG_CONFIG_HOME: husky sources ~/.config/husky/init.sh before every hook.
  return spawnSync('git', ['commit', '-m', 'test'], { cwd, encoding: 'utf8', env: { ...NPM_ENV, XDG_CONFIG_HOME: xdg, ...env } });
}

/** Node warns at start-up about certificates it can't load: seen only if the hook let it try. */
const MISSING_EXTRA_CERTS = { NODE_EXTRA_CA_CERTS: '/nonexistent/outloop-test-ca.pem' };

function head(cwd: string): string | null {
  const r = git(cwd, ['rev-parse', '-q', '--verify', 'HEAD']);
  return r.status === 0 ? r.stdout.trim() : null;
}

describe('outloop init end to end: npm pack, npm install, npx outloop init, husky, git commit', { timeout: 10 * 60_000 }, () => {
  let tarball = '';
  let project = '';
  const xdg = tempDir('outloop-xdg-');

  before(() => {
    const packDir = tempDir('outloop-pack-');
    // --ignore-scripts: the suite has just built dist/; pack what is there.
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], REPO).stdout) as Array<{ filename: string }>;
    tarball = path.join(packDir, packed[0]!.filename);
    project = gitProject({ 'package.json': '{\n  "name": "client-app",\n  "version": "1.0.0",\n  "private": true\n}\n', '.gitignore': 'node_modules/\n' });
    npm(['install', tarball], project);
  });

  // node_modules of a real install: too big to leave in the temp folder after every run.
  after(() => {
    for (const dir of [project, path.dirname(tarball), xdg]) if (dir && dir !== '.') fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the CLI, the init command and the executable hook script', () => {
    const list = spawnSync('tar', ['-tvzf', tarball], { encoding: 'utf8' }).stdout;
    assert.match(list, /package\/dist\/src\/cli\/main\.js/);
    assert.match(list, /package\/dist\/src\/cli\/init-command\.js/);
    assert.match(list, /^-rwxr-xr-x .* package\/hooks\/pre-commit$/m);
  });

  it('npx outloop init sets up husky, the hook and the config', () => {
    const r = spawnSync('npx', ['--no-install', 'outloop', 'init'], { cwd: project, encoding: 'utf8', env: NPM_ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3 files changed/);
    assert.match(r.stdout, /^Next: run "npm install"/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg), ['name', 'version', 'private', 'dependencies', 'scripts', 'devDependencies']);
    assert.match(pkg.dependencies.outloop, /^file:.*\.tgz$/);
    assert.equal(pkg.scripts.prepare, 'husky');
    assert.equal(pkg.devDependencies.husky, HUSKY_RANGE);
    assert.equal(fs.readFileSync(path.join(project, '.husky/pre-commit'), 'utf8'), HOOK_BLOCK);
    assert.equal(fs.readFileSync(path.join(project, 'outloop.config.json'), 'utf8'), STARTER_CONFIG);
  });

  it('a second init changes nothing and says so', () => {
    const before = readAll(project, SET_UP_FILES);
    const r = spawnSync('npx', ['--no-install', 'outloop', 'init'], { cwd: project, encoding: 'utf8', env: NPM_ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /already set up, nothing changed/);
    assert.deepEqual(readAll(project, SET_UP_FILES), before);
  });

  it('npm install brings husky, whose prepare script activates the hook', () => {
    npm(['install'], project);
    assert.equal(git(project, ['config', '--get', 'core.hooksPath']).stdout.trim(), '.husky/_');
    assert.ok(fs.existsSync(path.join(project, '.husky/_/pre-commit')));
    const r = spawnSync('npx', ['--no-install', 'outloop', 'init'], { cwd: project, encoding: 'utf8', env: NPM_ENV });
    assert.match(r.stdout, /The hook is active \(core\.hooksPath \.husky\/_\)/);
  });

  // The two commits below run `outloop scan --staged` for real (exit 1 blocks, 0 passes).
  it('a clean commit passes, without Node loading the certificates NODE_EXTRA_CA_CERTS names', () => {
    git(project, ['add', 'package.json', 'package-lock.json', '.gitignore', '.husky/pre-commit', 'outloop.config.json']);
    const r = commitIn(project, xdg, MISSING_EXTRA_CERTS);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.notEqual(head(project), null);
    assert.doesNotMatch(r.stdout + r.stderr, /extra certs/i);
  });

  it('a commit staging a key is blocked, and neither the commit nor its output holds the key', () => {
    const key = ANTHROPIC('init-e2e');
    const before = head(project);
    writeFiles(project, { '.env': `ANTHROPIC_API_KEY=${key}\n` });
    git(project, ['add', '.env']);
    const r = commitIn(project, xdg);
    const output = r.stdout + r.stderr;
    assert.notEqual(r.status, 0, 'the commit must be blocked');
    assert.equal(head(project), before, 'no commit was made');
    assert.match(output, /anthropic-api-key/, `blocked for the key, not for an error:\n${output}`);
    assert.ok(!output.includes(key), 'the raw key never appears in the output');
    assert.ok(!output.includes(key.slice(13, 40)), 'nor a long piece of it');
    const history = git(project, ['log', '--all', '-p']).stdout;
    assert.ok(!history.includes(key));
  });
});
