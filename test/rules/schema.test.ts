import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/model/errors.js';
import { findUnboundedQuantifier } from '../../src/rules/compile.js';
import { loadRules } from '../../src/scan.js';
import { runCli, tempDir, writeFiles } from '../helpers.js';

const goodRule = `
service: Acme Internal
rules:
  - id: acme-internal-token
    description: Acme internal service token
    severity: high
    keywords: [acme_tok_]
    pattern: '(?<![A-Za-z0-9_])(acme_tok_[a-z0-9]{24})(?![A-Za-z0-9_])'
    revoke: https://tokens.acme.example/revoke
    examples:
      positive:
        - 'ACME_TOKEN=«acme_tok_{{lowernum:24}}»'
      negative:
        - 'ACME_TOKEN=acme_tok_short'
`;

async function loadError(yaml: string, name = 'team.yaml'): Promise<ConfigError> {
  const dir = tempDir();
  writeFiles(dir, { [name]: yaml });
  try {
    await loadRules({ rulesDirs: [dir], builtinRules: false });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.ok(err.message.startsWith(path.join(dir, name)), err.message);
    return err;
  }
  assert.fail('the rule file was accepted');
}

describe('rule files are validated with errors that name the file and field', () => {
  it('accepts a well-formed team rule', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'acme.yaml': goodRule });
    const set = await loadRules({ rulesDirs: [dir], builtinRules: false });
    assert.deepEqual(set.rules.map((r) => r.id), ['acme-internal-token']);
    assert.equal(set.rules[0]!.revokeUrl, 'https://tokens.acme.example/revoke');
  });

  it('rejects an unbounded quantifier', async () => {
    const err = await loadError(goodRule.replace('[a-z0-9]{24}', '[a-z0-9]+'));
    assert.match(err.field, /rules\[0\] \(acme-internal-token\)\.pattern/);
    assert.match(err.message, /unbounded quantifier/);
  });

  it('rejects an invalid regular expression', async () => {
    const err = await loadError(goodRule.replace('(?<![A-Za-z0-9_])', '(?<![A-Za-z0-9_]'));
    assert.match(err.message, /invalid regular expression/);
  });

  it('rejects unknown fields and missing ones', async () => {
    const unknown = await loadError(goodRule.replace('severity: high', 'severity: high\n    colour: red'));
    assert.match(unknown.field, /rules\[0\] \(acme-internal-token\)/);
    const missing = await loadError(goodRule.replace('    severity: high\n', ''));
    assert.match(missing.field, /severity/);
  });

  it('rejects a bad severity and a secretGroup that does not exist', async () => {
    assert.match((await loadError(goodRule.replace('severity: high', 'severity: urgent'))).field, /severity/);
    assert.match((await loadError(goodRule.replace('severity: high', 'severity: high\n    secretGroup: 3'))).field, /secretGroup/);
  });

  it('rejects duplicate ids and broken YAML', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.yaml': goodRule, 'b.yaml': goodRule });
    await assert.rejects(loadRules({ rulesDirs: [dir], builtinRules: false }), /duplicate rule id/);
    assert.match((await loadError('rules: [ {', 'broken.yaml')).message, /not valid YAML/);
  });

  it('finds unbounded quantifiers outside classes and escapes only', () => {
    assert.equal(findUnboundedQuantifier('a{1,3}[+*]\\+\\*'), null);
    assert.equal(findUnboundedQuantifier('ab*'), 2);
    assert.equal(findUnboundedQuantifier('(?:x)+'), 5);
    assert.equal(findUnboundedQuantifier('a{2,}'), 1);
  });
});

describe('a team adds rules with --rules DIR', () => {
  it('scans with them and tests their examples', () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules/acme.yaml': goodRule, 'ws/.env': 'ACME_TOKEN=acme_tok_abcdefghij0123456789klmn\n' });
    const scan = runCli(['scan', path.join(dir, 'ws'), '--rules', path.join(dir, 'rules'), '--format', 'json']);
    assert.equal(scan.code, 1, scan.stderr);
    const report = JSON.parse(scan.stdout) as { findings: Array<{ ruleId: string; revokeUrl: string }> };
    assert.deepEqual(report.findings.map((f) => f.ruleId), ['acme-internal-token']);
    const test = runCli(['rules', 'test', '--rules', path.join(dir, 'rules')]);
    assert.equal(test.code, 0, test.stdout);
    assert.match(test.stdout, /1 rules, 2 examples: 2 passed, 0 failed/);
  });

  it('fails `rules test` when a team rule misses its own example', () => {
    const dir = tempDir();
    writeFiles(dir, { 'acme.yaml': goodRule.replace("'ACME_TOKEN=acme_tok_short'", "'ACME_TOKEN=acme_tok_{{lowernum:24}}'") });
    const test = runCli(['rules', 'test', '--rules', dir]);
    assert.equal(test.code, 1);
    assert.match(test.stdout, /acme-internal-token negative\[0\].*must not/);
  });

  it('exits 2 naming the file and field for a bad rule file', () => {
    const dir = tempDir();
    writeFiles(dir, { 'bad.yaml': goodRule.replace('severity: high', 'severity: 7') });
    const r = runCli(['scan', dir, '--rules', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml: rules\[0\] \(acme-internal-token\)\.severity/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.ok(fs.existsSync(dir));
  });
});
