import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprint } from '../../src/detect/redact.js';
import { scan } from '../../src/scan.js';
import { ANTHROPIC, runCli, tempDir, writeFiles } from '../helpers.js';

describe('inline allow comments', () => {
  it('silences a line with a reason, on the line or the line before, and keeps the reason', async () => {
    const dir = tempDir();
    const [a, b, c, d] = ['ia', 'ib', 'ic', 'id'].map((s) => ANTHROPIC(s)) as [string, string, string, string];
    writeFiles(dir, {
      'fixture.ts': [
        `const a = "${a}"; // outloop:allow revoked test key from the 2024 incident`,
        '# outloop:allow sandbox org, no billing',
        `KEY=${b}`,
        `const c = "${c}"; // outloop:allow`,
        `const d = "${d}";`,
      ].join('\n'),
    });
    const r = await scan({ paths: [dir], workers: 0 });
    assert.deepEqual(r.findings.map((f) => f.line).sort(), [4, 5]);
    assert.deepEqual(r.warnings.map((w) => [w.path, w.kind, w.message]), [['fixture.ts', 'allow-without-reason', 'line 4: "outloop:allow" needs a reason after it, so the finding is still reported']]);
    assert.deepEqual(
      r.suppressed.map((f) => [f.line, f.suppressed]),
      [
        [1, { by: 'inline', reason: 'revoked test key from the 2024 incident' }],
        [3, { by: 'inline', reason: 'sandbox org, no billing' }],
      ],
    );
  });

  it('lists suppressed findings only with --show-suppressed, in every format', () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.py': `key = "${ANTHROPIC('show')}"  # outloop:allow documented public demo key\n` });
    const plain = runCli(['scan', dir]);
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /no secrets found .*1 suppressed/);
    const text = runCli(['scan', dir, '--show-suppressed']);
    assert.match(text.stdout, /suppressed \(1\)[\s\S]*inline: documented public demo key/);
    const json = JSON.parse(runCli(['scan', dir, '--format', 'json', '--show-suppressed']).stdout);
    assert.equal(json.findings.length, 0);
    assert.equal(json.suppressed[0].suppressed.reason, 'documented public demo key');
    assert.equal(json.summary.suppressed, 1);
    assert.equal(JSON.parse(runCli(['scan', dir, '--format', 'json']).stdout).suppressed, undefined);
    const sarif = JSON.parse(runCli(['scan', dir, '--format', 'sarif', '--show-suppressed']).stdout);
    assert.deepEqual(sarif.runs[0].results[0].suppressions, [{ kind: 'inSource', justification: 'documented public demo key' }]);
  });
});

describe('outloop.config.json', () => {
  it('allows by fingerprint (narrowed by rule and path) and ignores globs, found in an ancestor folder', async () => {
    const top = tempDir();
    const [kept, allowed, otherPath] = ['c1', 'c2', 'c3'].map((s) => ANTHROPIC(s)) as [string, string, string];
    writeFiles(top, {
      'outloop.config.json': JSON.stringify({
        ignore: ['ws/vendor/**'],
        allow: [
          { fingerprint: fingerprint(allowed), reason: 'shared demo key, revoked', ruleId: 'anthropic-api-key' },
          { fingerprint: fingerprint(otherPath), reason: 'only allowed in docs', path: 'docs/**' },
        ],
      }),
      'ws/.env': `A=${kept}\nB=${allowed}\nC=${otherPath}\n`,
      'ws/vendor/lib.js': `x = "${ANTHROPIC('c4')}"`,
    });
    const r = await scan({ paths: [path.join(top, 'ws')], workers: 0 });
    assert.equal(r.config, path.join(top, 'outloop.config.json'));
    assert.deepEqual(r.findings.map((f) => f.fingerprint).sort(), [fingerprint(kept), fingerprint(otherPath)].sort());
    assert.deepEqual(r.suppressed.map((f) => f.suppressed), [{ by: 'config', reason: 'shared demo key, revoked' }]);
  });

  for (const [name, config, field] of [
    ['an unknown field', { ignore: [], allwo: [] }, /outloop\.config\.json: \(top level\): unknown field "allwo"/],
    ['a raw key where a fingerprint belongs', { allow: [{ fingerprint: 'RAWKEY', reason: 'oops here' }] }, /allow\[0\]\.fingerprint: must be "sha256:"/],
    ['a missing reason', { allow: [{ fingerprint: 'sha256:' + 'a'.repeat(64) }] }, /allow\[0\]\.reason/],
    ['a glob outside the config folder', { ignore: ['../elsewhere/**'] }, /ignore\[0\]: must be relative to the config's folder/],
    ['an absolute glob', { ignore: ['/etc/**'] }, /ignore\[0\]: must be relative to the config's folder/],
  ] as const) {
    it(`exits 2 naming the field for ${name}`, () => {
      const dir = tempDir();
      const raw = name.startsWith('a raw key') ? ANTHROPIC('rawcfg') : null;
      const cfg = raw ? { allow: [{ fingerprint: raw, reason: 'oops here' }] } : config;
      writeFiles(dir, { 'outloop.config.json': JSON.stringify(cfg), 'a.txt': 'hello' });
      const r = runCli(['scan', dir]);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, field);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      if (raw) assert.ok(!r.stderr.includes(raw) && !r.stdout.includes(raw), 'the raw key must not be echoed');
    });
  }

  it('exits 2 for a config that is not JSON, and honours --config FILE', () => {
    const dir = tempDir();
    writeFiles(dir, { 'outloop.config.json': '{ nope', 'a.env': `K=${ANTHROPIC('cf')}\n`, 'other.json': JSON.stringify({ allow: [{ fingerprint: fingerprint(ANTHROPIC('cf')), reason: 'via --config' }] }) });
    assert.match(runCli(['scan', dir]).stderr, /not valid JSON/);
    const r = runCli(['scan', dir, '--config', path.join(dir, 'other.json'), '--exclude', '*.json']);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('baselines', () => {
  it('records findings without secrets, then reports only new ones, stable when lines move', () => {
    const dir = tempDir();
    const [old1, old2, fresh] = ['b1', 'b2', 'b3'].map((s) => ANTHROPIC(s)) as [string, string, string];
    writeFiles(dir, { 'ws/.env': `A=${old1}\nB=${old2}\n` });
    const baseline = path.join(dir, 'baseline.json');
    const write = runCli(['scan', path.join(dir, 'ws'), '--baseline', baseline, '--update-baseline']);
    assert.equal(write.code, 0, write.stderr);
    const stored = fs.readFileSync(baseline, 'utf8');
    assert.ok(!stored.includes(old1) && !stored.includes(old2));
    assert.equal(JSON.parse(stored).findings.length, 2);
    assert.equal(runCli(['scan', path.join(dir, 'ws'), '--baseline', baseline]).code, 0);
    // Unrelated lines added above, and a new key: only the new key is reported.
    writeFiles(dir, { 'ws/.env': `# moved\n\n\nA=${old1}\nC=${fresh}\nB=${old2}\n` });
    const r = runCli(['scan', path.join(dir, 'ws'), '--baseline', baseline, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.findings.map((f: { fingerprint: string; line: number }) => [f.fingerprint, f.line]), [[fingerprint(fresh), 5]]);
    assert.equal(report.summary.suppressed, 2);
  });

  it('exits 2 for a missing or malformed baseline and for --update-baseline without a file', () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.txt': 'x', 'bad.json': '{"schemaVersion": 2}' });
    assert.match(runCli(['scan', dir, '--baseline', path.join(dir, 'none.json')]).stderr, /cannot read baseline/);
    assert.match(runCli(['scan', dir, '--baseline', path.join(dir, 'bad.json')]).stderr, /schemaVersion/);
    assert.match(runCli(['scan', dir, '--update-baseline']).stderr, /needs --baseline/);
  });
});
