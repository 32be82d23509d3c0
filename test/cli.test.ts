import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprint } from '../src/detect/redact.js';
import { spawnSync } from 'node:child_process';
import { ANTHROPIC, CLI, runCli, tempDir, writeFiles } from './helpers.js';

describe('outloop scan (CLI end to end)', () => {
  it('exits 0 on a clean tree and 1 with findings', () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.txt': 'hello\n' });
    const clean = runCli(['scan', dir]);
    assert.equal(clean.code, 0);
    assert.match(clean.stdout, /no secrets found/);
    writeFiles(dir, { '.env': `ANTHROPIC_API_KEY=${ANTHROPIC('cli')}\n` });
    const dirty = runCli(['scan', dir]);
    assert.equal(dirty.code, 1);
    assert.match(dirty.stdout, /^\.env$/m);
    assert.match(dirty.stdout, /1 secret found \(1 critical\) in 1 file/);
  });

  it('writes the JSON contract', () => {
    const dir = tempDir();
    const key = ANTHROPIC('json');
    writeFiles(dir, { 'cfg/.env': `X=1\nANTHROPIC_API_KEY=${key}\n` });
    const r = runCli(['scan', dir, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.root, path.resolve(dir));
    const f = report.findings[0];
    assert.deepEqual(
      { ruleId: f.ruleId, service: f.service, severity: f.severity, source: f.source, path: f.path, line: f.line, column: f.column, fingerprint: f.fingerprint },
      { ruleId: 'anthropic-api-key', service: 'Anthropic', severity: 'critical', source: 'workspace', path: 'cfg/.env', line: 2, column: 19, fingerprint: fingerprint(key) },
    );
    assert.equal(f.redacted, `sk-ant-api03-${key.slice(13, 16)}…${key.slice(-4)}`);
    assert.deepEqual(f.span, { start: 4 + 18, end: 4 + 18 + key.length });
    assert.equal(report.summary.findings, 1);
    assert.equal(report.summary.bySeverity.critical, 1);
  });

  it('reads standard input with "-"', () => {
    const r = runCli(['scan', '-', '--format', 'json'], { input: `token ${ANTHROPIC('stdin')}\n` });
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.findings[0].path, '-');
    assert.equal(report.findings[0].source, 'stdin');
  });

  it('writes --output atomically and says where', () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.env': `K=${ANTHROPIC('out')}\n` });
    const out = path.join(dir, 'report.sarif');
    const r = runCli(['scan', dir, '--format', 'sarif', '--output', out, '--exclude', '*.sarif']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /1 secret found; sarif report written to/);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).version, '2.1.0');
  });

  it('colours text only on a terminal and never with NO_COLOR', (t) => {
    const dir = tempDir();
    writeFiles(dir, { 'a.env': `K=${ANTHROPIC('color')}\n` });
    assert.doesNotMatch(runCli(['scan', dir]).stdout, /\x1b\[/);
    // script(1) gives the CLI a real pseudo-terminal.
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('script(1) is not installed');
    const onTty = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qec', `${process.execPath} ${CLI} scan ${dir}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, ...env } });
    const tty = onTty({});
    assert.equal(tty.status, 1);
    assert.match(tty.stdout, /\x1b\[1;31mcritical/);
    assert.doesNotMatch(onTty({ NO_COLOR: '1' }).stdout, /\x1b\[/);
  });

  it('exits 2 with a one-line cause for usage errors', () => {
    for (const args of [['scan', '--format', 'xml'], ['scan', '--bogus'], ['frobnicate'], ['scan', '/nonexistent/path/for/outloop'], ['scan', '--workers', 'two'], ['scan', '-', 'extra']]) {
      const r = runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^outloop: /);
    }
  });

  it('exits 2 with one line when its current folder was deleted (folder and pre-commit scans alike)', () => {
    const gone = path.join(tempDir(), 'gone');
    for (const args of [['scan'], ['scan', '--staged']]) {
      fs.mkdirSync(gone);
      // The shell enters the folder, deletes it, then starts outloop there.
      const r = spawnSync('sh', ['-c', 'cd "$1" && rmdir "$1" && shift && exec "$@"', 'sh', gone, process.execPath, CLI, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, 'outloop: the current folder no longer exists (cd to one that does)\n');
    }
  });

  it('lists rules and their keywords', () => {
    const list = runCli(['rules']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /anthropic-oauth-access-token/);
    const json = JSON.parse(runCli(['rules', '--format', 'json']).stdout) as Array<{ id: string; keywords: string[] }>;
    assert.ok(json.some((r) => r.id === 'private-key-pem'));
    const keywords = runCli(['rules', '--keywords']).stdout.trim().split('\n');
    assert.ok(keywords.includes('sk-ant-api'));
  });

  it('runs every rule example with `rules test`', () => {
    const r = runCli(['rules', 'test']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, / 0 failed/);
  });
});
