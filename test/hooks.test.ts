/**
 * The hook files we ship: the POSIX pre-commit script under real `git commit`s with a fake outloop,
 * the pre-commit framework manifest, and the GitHub Action (its structure, and its shell steps run
 * for real with bash the way the runner runs them).
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { GIT_TEST_ENV, REPO, tempDir, writeFiles } from './helpers.js';

const HOOKS_DIR = path.join(REPO, 'hooks');

// ---------------------------------------------------------------------------------------------
// A hermetic world for the hook: PATH holds only git, node, npx and sh (npx runs bins through it),
// so no outloop a developer installed globally; no global git config (it may set core.hooksPath);
// npm offline with an empty cache, so npx can neither find nor fetch an outloop either.

function toolsDir(): string {
  const dir = tempDir('outloop-tools-');
  for (const tool of ['git', 'node', 'npx', 'sh']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    assert.ok(found, `${tool} must be installed for these tests`);
    fs.symlinkSync(found, path.join(dir, tool));
  }
  return dir;
}

const TOOLS = toolsDir();

/** A stand-in outloop: records its arguments and who ran; a scan answers with the chosen exit code. */
function fakeOutloop(file: string, name: string, code: number): void {
  writeFiles(path.dirname(file), {
    [path.basename(file)]: [
      '#!/bin/sh',
      `echo "${name} $*" >> "$OUTLOOP_FAKE_LOG"`,
      'if [ "$1" = scan ]; then echo "NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS-(unset)}" >> "$OUTLOOP_FAKE_LOG.env"; fi',
      'if [ "$1" = --version ]; then echo 0.0.0; exit 0; fi',
      `echo "${name}: exit ${code}" >&2`,
      `exit ${code}`,
    ].join('\n') + '\n',
  });
  fs.chmodSync(file, 0o755);
}

interface HookRepo {
  dir: string;
  log: string;
  env: NodeJS.ProcessEnv;
}

function hookRepo(pathDirs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): HookRepo {
  const dir = tempDir('outloop-hook-');
  const log = path.join(tempDir('outloop-hook-log-'), 'calls');
  const env: NodeJS.ProcessEnv = {
    PATH: [...pathDirs, TOOLS].join(path.delimiter),
    HOME: tempDir('outloop-home-'),
    ...GIT_TEST_ENV,
    npm_config_offline: 'true',
    npm_config_cache: tempDir('outloop-npm-cache-'),
    npm_config_update_notifier: 'false',
    OUTLOOP_FAKE_LOG: log,
    ...extraEnv,
  };
  const repo = { dir, log, env };
  git(repo, ['init', '-q', '-b', 'main']);
  git(repo, ['config', 'core.hooksPath', HOOKS_DIR]);
  writeFiles(dir, { 'a.txt': 'hello\n' });
  git(repo, ['add', 'a.txt']);
  return repo;
}

function git(repo: HookRepo, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync('git', args, { cwd: repo.dir, env: { ...repo.env, ...env }, encoding: 'utf8' });
}

function commit(repo: HookRepo, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return git(repo, ['commit', '-q', '-m', 'test', ...extraArgs], env);
}

function committed(repo: HookRepo): boolean {
  return git(repo, ['rev-parse', '--verify', '-q', 'HEAD']).status === 0;
}

function calls(repo: HookRepo): string[] {
  return fs.existsSync(repo.log) ? fs.readFileSync(repo.log, 'utf8').trim().split('\n') : [];
}

function fakeOnPath(code: number): string {
  const bin = tempDir('outloop-bin-');
  fakeOutloop(path.join(bin, 'outloop'), 'path-outloop', code);
  return bin;
}

describe('hooks/pre-commit (POSIX sh, through core.hooksPath and a real git commit)', () => {
  it('is executable plain sh', () => {
    const file = path.join(HOOKS_DIR, 'pre-commit');
    assert.ok(fs.statSync(file).mode & 0o100, 'the hook must be executable or git skips it');
    assert.match(fs.readFileSync(file, 'utf8'), /^#!\/bin\/sh\n/);
    assert.equal(spawnSync('sh', ['-n', file]).status, 0);
  });

  it('lets the commit through when the scan is clean (exit 0)', () => {
    const repo = hookRepo([fakeOnPath(0)]);
    const r = commit(repo);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(committed(repo));
    assert.deepEqual(calls(repo), ['path-outloop scan --staged']);
  });

  it('runs the scan with NODE_EXTRA_CA_CERTS empty (the scan never goes online; Node would load them first)', () => {
    const repo = hookRepo([fakeOnPath(0)], { NODE_EXTRA_CA_CERTS: '/etc/proxy-ca.pem' });
    assert.equal(commit(repo).status, 0);
    assert.equal(fs.readFileSync(`${repo.log}.env`, 'utf8'), 'NODE_EXTRA_CA_CERTS=\n');
  });

  it('blocks on exit 1 and adds nothing to outloop\'s own report', () => {
    const repo = hookRepo([fakeOnPath(1)]);
    const r = commit(repo);
    assert.notEqual(r.status, 0);
    assert.equal(committed(repo), false);
    assert.equal(r.stderr.trim(), 'path-outloop: exit 1');
  });

  it('blocks on exit 2 and says outloop could not run, and how to bypass on purpose', () => {
    const repo = hookRepo([fakeOnPath(2)]);
    const r = commit(repo);
    assert.notEqual(r.status, 0);
    assert.equal(committed(repo), false);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr); // the fake's own line, then exactly one of ours
    assert.match(lines[1]!, /^outloop: commit blocked: the secret scan could not run \(exit 2/);
    assert.match(lines[1]!, /git commit --no-verify/);
    assert.match(lines[1]!, /nothing checks that commit for keys/);
  });

  it('treats any other failure (a crash, a signal) as "could not run", never as a pass', () => {
    const repo = hookRepo([fakeOnPath(134)]);
    const r = commit(repo);
    assert.notEqual(r.status, 0);
    assert.equal(committed(repo), false);
    assert.match(r.stderr, /could not run \(exit 134/);
  });

  it('blocks when outloop is nowhere to be found', () => {
    const repo = hookRepo();
    const r = commit(repo);
    assert.notEqual(r.status, 0);
    assert.equal(committed(repo), false);
    assert.match(r.stderr, /^outloop: commit blocked: the secret scan could not run \(outloop is not in node_modules\/\.bin, on PATH, or reachable by npx/m);
    assert.match(r.stderr, /npm install --save-dev outloop/);
    assert.match(r.stderr, /git commit --no-verify/);
  });

  it("prefers the project's node_modules/.bin/outloop to one on PATH", () => {
    const repo = hookRepo([fakeOnPath(1)]);
    fakeOutloop(path.join(repo.dir, 'node_modules/.bin/outloop'), 'local-outloop', 0);
    const r = commit(repo);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(calls(repo), ['local-outloop scan --staged']);
  });

  it('falls back to npx, which finds an outloop installed in a parent folder', () => {
    const outer = tempDir('outloop-outer-');
    fakeOutloop(path.join(outer, 'node_modules/.bin/outloop'), 'npx-outloop', 1);
    const repo = hookRepo();
    const inner = path.join(outer, 'project');
    fs.renameSync(repo.dir, inner);
    repo.dir = inner;
    const r = commit(repo);
    assert.notEqual(r.status, 0);
    assert.equal(committed(repo), false);
    // The first call proves npx can run it; the second is the scan, whose exit 1 blocks.
    assert.deepEqual(calls(repo), ['npx-outloop --version', 'npx-outloop scan --staged']);
    assert.doesNotMatch(r.stderr, /could not run/);
  });

  it('has no environment switch: OUTLOOP_SKIP=1 still blocks (the bypass is git commit --no-verify)', () => {
    const repo = hookRepo([fakeOnPath(1)]);
    const skipped = commit(repo, [], { OUTLOOP_SKIP: '1' });
    assert.notEqual(skipped.status, 0);
    assert.equal(committed(repo), false);
    const bypassed = commit(repo, ['--no-verify']);
    assert.equal(bypassed.status, 0, bypassed.stderr);
    assert.ok(committed(repo));
  });
});

// ---------------------------------------------------------------------------------------------

describe('.pre-commit-hooks.yaml (pre-commit framework manifest)', () => {
  const manifest = YAML.parse(fs.readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as unknown;

  it('is a list holding the outloop hook with the fields pre-commit requires', () => {
    assert.ok(Array.isArray(manifest));
    const hook = (manifest as Array<Record<string, unknown>>).find((h) => h.id === 'outloop');
    assert.ok(hook, 'a hook with id "outloop"');
    for (const field of ['id', 'name', 'entry', 'language']) assert.equal(typeof hook[field], 'string', field);
    assert.equal(hook.entry, 'outloop scan --staged');
    assert.equal(hook.language, 'node');
    // outloop reads the index itself; file names appended to the command would be scanned as paths.
    assert.equal(hook.pass_filenames, false);
    assert.deepEqual(hook.stages, ['pre-commit']);
    assert.equal(hook.minimum_pre_commit_version, '3.2.0');
  });
});

// ---------------------------------------------------------------------------------------------

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = YAML.parse(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;

function step(id: string): Step {
  const found = action.runs.steps.find((s) => s.id === id || s.name === id);
  assert.ok(found, `step ${id}`);
  return found;
}

describe('action.yml (composite GitHub Action)', () => {
  it('is a composite action whose run steps all name their shell', () => {
    assert.equal(typeof action.name, 'string');
    assert.equal(typeof action.description, 'string');
    assert.equal(action.runs.using, 'composite');
    assert.ok(action.runs.steps.length >= 4);
    for (const s of action.runs.steps) {
      assert.ok(Boolean(s.run) !== Boolean(s.uses), `step "${s.name}" has exactly one of run and uses`);
      if (s.run) assert.equal(s.shell, 'bash', `step "${s.name}" needs a shell (composite steps have no default)`);
      if (s.uses) {
        assert.equal(s.shell, undefined);
        assert.match(s.uses, /^[\w-]+\/[\w/-]+@v\d+$/, `step "${s.name}" pins a major version`);
      }
    }
  });

  it('documents every input and output, and uses no undeclared input', () => {
    for (const name of ['since', 'args', 'sarif-file']) assert.ok(action.inputs[name], `input ${name}`);
    for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description.length > 20, `input ${name} is described`);
    for (const [name, output] of Object.entries(action.outputs)) {
      assert.ok(output.description.length > 10, `output ${name} is described`);
      assert.match(output.value, /^\$\{\{ steps\.scan\.outputs\.[\w-]+ \}\}$/);
      const key = /outputs\.([\w-]+)/.exec(output.value)![1];
      assert.match(step('scan').run!, new RegExp(`echo "${key}=`), `the scan step writes ${key}`);
    }
    const text = fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8');
    for (const [, used] of text.matchAll(/inputs\.([\w-]+)/g)) assert.ok(action.inputs[used!], `inputs.${used} is declared`);
  });

  it('never splices ${{ }} expressions into shell scripts (script injection): values come through env', () => {
    for (const s of action.runs.steps) if (s.run) assert.doesNotMatch(s.run, /\$\{\{/, `step "${s.name}"`);
  });

  it('builds outloop from its own checkout, uploads with upload-sarif, then fails on findings', () => {
    const names = action.runs.steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.id ?? s.name);
    assert.ok(names.indexOf('actions/setup-node') < names.indexOf('scan'));
    const upload = action.runs.steps.findIndex((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    const fail = action.runs.steps.findIndex((s) => s.name === 'Fail when secrets were found');
    assert.ok(names.indexOf('scan') < upload && upload < fail, 'scan, then upload, then fail');
    assert.equal(action.runs.steps[upload]!.with!.sarif_file, '${{ steps.scan.outputs.sarif-file }}');
    assert.match(action.runs.steps[fail]!.if!, /steps\.scan\.outputs\.exit-code == '1'/);
    assert.match(step('Build outloop from the action\'s checkout').run!, /cd "\$GITHUB_ACTION_PATH"[\s\S]*npm ci [\s\S]*npm run build/);
  });
});

// The scan step's script, run as the runner runs it (bash -e -o pipefail) against a fake outloop build.

interface StepRun {
  status: number | null;
  stdout: string;
  outputs: Record<string, string>;
  argv: string[];
}

function fakeActionPath(code: number, results: Array<{ suppressed?: boolean }>): string {
  const dir = tempDir('outloop-action-');
  const sarifResults = results.map((r) => ({ ruleId: 'anthropic-api-key', message: { text: 'x' }, ...(r.suppressed ? { suppressions: [{ kind: 'external' }] } : {}) }));
  writeFiles(dir, {
    'dist/src/cli/main.js': [
      "const fs = require('node:fs');",
      'const argv = process.argv.slice(2);',
      "fs.writeFileSync(process.env.FAKE_ARGV_FILE, JSON.stringify(argv));",
      "const out = argv[argv.indexOf('--output') + 1];",
      `if (${code} < 2) fs.writeFileSync(out, JSON.stringify({ version: '2.1.0', runs: [{ results: ${JSON.stringify(sarifResults)} }] }));`,
      `process.exit(${code});`,
    ].join('\n'),
  });
  return dir;
}

function runStep(s: Step, cwd: string, env: NodeJS.ProcessEnv): StepRun {
  const tmp = tempDir('outloop-step-');
  const script = path.join(tmp, 'step.sh');
  fs.writeFileSync(script, s.run!);
  const outputFile = path.join(tmp, 'output');
  const argvFile = path.join(tmp, 'argv');
  fs.writeFileSync(outputFile, '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      RUNNER_TEMP: tmp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: path.join(tmp, 'summary'),
      FAKE_ARGV_FILE: argvFile,
      ...env,
    },
  });
  const outputs = Object.fromEntries(
    fs.readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const argv = fs.existsSync(argvFile) ? (JSON.parse(fs.readFileSync(argvFile, 'utf8')) as string[]) : [];
  return { status: r.status, stdout: r.stdout + r.stderr, outputs, argv };
}

function gitRepoWithCommits(n: number): { dir: string; shas: string[] } {
  const dir = tempDir('outloop-action-repo-');
  const env = { ...process.env, ...GIT_TEST_ENV };
  const g = (args: string[]) => spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  g(['init', '-q', '-b', 'main']);
  const shas: string[] = [];
  for (let i = 0; i < n; i++) {
    writeFiles(dir, { [`f${i}.txt`]: `${i}\n` });
    g(['add', '.']);
    g(['commit', '-q', '-m', `c${i}`]);
    shas.push(g(['rev-parse', 'HEAD']).stdout.trim());
  }
  return { dir, shas };
}

const ACTION_ENV = { OUTLOOP_SINCE: '', OUTLOOP_ARGS: '', OUTLOOP_SARIF: '', OUTLOOP_PR_BASE: '', OUTLOOP_PUSH_BEFORE: '' };

describe('action.yml scan step, run with bash against a fake outloop', () => {
  const { dir: repoDir, shas } = gitRepoWithCommits(3);

  it('on a pull request: scans since the base, keeps exit 1 for the last step, counts unsuppressed results', () => {
    const r = runStep(step('scan'), repoDir, {
      ...ACTION_ENV,
      GITHUB_ACTION_PATH: fakeActionPath(1, [{}, {}, { suppressed: true }]),
      OUTLOOP_PR_BASE: shas[0],
      OUTLOOP_PUSH_BEFORE: shas[1],
      OUTLOOP_ARGS: '--exclude fixtures/**  --config ci/outloop.config.json',
    });
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.outputs['exit-code'], '1');
    assert.equal(r.outputs.findings, '2');
    assert.equal(r.outputs.since, shas[0]);
    assert.deepEqual(r.argv, ['scan', '--git', '--since', shas[0], '--format', 'sarif', '--output', r.outputs['sarif-file'], '--exclude', 'fixtures/**', '--config', 'ci/outloop.config.json']);
    assert.ok(fs.existsSync(r.outputs['sarif-file']!));
  });

  it('an explicit since wins; a push uses the commit before it', () => {
    const path0 = fakeActionPath(0, []);
    const explicit = runStep(step('scan'), repoDir, { ...ACTION_ENV, GITHUB_ACTION_PATH: path0, OUTLOOP_SINCE: 'main~1', OUTLOOP_PR_BASE: shas[0] });
    assert.equal(explicit.outputs.since, 'main~1');
    const push = runStep(step('scan'), repoDir, { ...ACTION_ENV, GITHUB_ACTION_PATH: path0, OUTLOOP_PUSH_BEFORE: shas[1] });
    assert.equal(push.status, 0, push.stdout);
    assert.equal(push.outputs.since, shas[1]);
    assert.equal(push.outputs['exit-code'], '0');
    assert.equal(push.outputs.findings, '0');
  });

  it("scans the whole history on a new branch's first push (before is all zeros)", () => {
    const sarif = path.join(tempDir(), 'out.sarif');
    const r = runStep(step('scan'), repoDir, { ...ACTION_ENV, GITHUB_ACTION_PATH: fakeActionPath(0, []), OUTLOOP_PUSH_BEFORE: '0'.repeat(40), OUTLOOP_SARIF: sarif });
    assert.equal(r.status, 0, r.stdout);
    assert.deepEqual(r.argv, ['scan', '--git', '--format', 'sarif', '--output', sarif]);
    assert.equal(r.outputs.since, '');
  });

  it('fails the step when outloop could not run (exit 2)', () => {
    const r = runStep(step('scan'), repoDir, { ...ACTION_ENV, GITHUB_ACTION_PATH: fakeActionPath(2, []) });
    assert.equal(r.status, 2);
    assert.equal(r.outputs['exit-code'], '2');
    assert.match(r.stdout, /::error title=outloop::the secret scan could not run \(exit 2\)/);
  });

  it('deepens a shallow checkout so the commits since the base are there', () => {
    const clone = tempDir('outloop-shallow-');
    const c = spawnSync('git', ['clone', '-q', '--depth', '1', `file://${repoDir}`, clone], { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    assert.equal(c.status, 0, c.stderr);
    const r = runStep(step('scan'), clone, { ...ACTION_ENV, GITHUB_ACTION_PATH: fakeActionPath(0, []), OUTLOOP_PR_BASE: shas[0] });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /::notice title=outloop::shallow checkout/);
    const shallow = spawnSync('git', ['rev-parse', '--is-shallow-repository'], { cwd: clone, encoding: 'utf8' }).stdout.trim();
    assert.equal(shallow, 'false');
    assert.equal(spawnSync('git', ['cat-file', '-e', `${shas[0]}^{commit}`], { cwd: clone }).status, 0);
  });

  it('the last step fails the job with an annotation when secrets were found', () => {
    const r = runStep(step('Fail when secrets were found'), repoDir, { OUTLOOP_FINDINGS: '2' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^::error title=outloop::2 secret\(s\) found/);
  });
});
