import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { formatSarif } from '../../src/report/sarif.js';
import { scan } from '../../src/scan.js';
import { ANTHROPIC, fakeKey, REPO, tempDir, writeFiles } from '../helpers.js';

describe('SARIF report', () => {
  it('has every field GitHub code scanning requires', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'dir with space/.env': `A=${ANTHROPIC('s1')}\nB=${ANTHROPIC('s2')}\n` });
    const log = JSON.parse(formatSarif(await scan({ paths: [dir], workers: 0 }), '0.1.0'));
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'outloop');
    const rule = run.tool.driver.rules[0];
    for (const field of ['shortDescription', 'fullDescription', 'help']) assert.ok(rule[field].text.length > 0 && rule[field].text.length <= 1024);
    assert.equal(rule.properties['security-severity'], '9.5');
    assert.ok(rule.properties.tags.includes('security'));
    assert.equal(run.results.length, 2);
    for (const r of run.results) {
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      const loc = r.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, 'dir%20with%20space/.env');
      for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) assert.ok(Number.isInteger(loc.region[k]) && loc.region[k] >= 1);
      assert.match(r.partialFingerprints.primaryLocationLineHash, /^[0-9a-f]{16}:1$/);
      assert.ok(r.message.text.length > 0);
    }
    assert.notEqual(run.results[0].partialFingerprints.primaryLocationLineHash, run.results[1].partialFingerprints.primaryLocationLineHash);
  });
});

// Microsoft's SARIF validator (the reference implementation, run from its npm package) checks the
// log against the 2.1.0 schema and the spec's rules; GitHub accepts what it accepts.
describe('SARIF report passes the reference validator', () => {
  const validator = path.join(REPO, 'node_modules/@microsoft/sarif-multitool/bin.js');

  function validate(log: unknown): Array<{ ruleId: string; level: string }> {
    const dir = tempDir();
    const input = path.join(dir, 'log.sarif');
    const output = path.join(dir, 'validation.sarif');
    fs.writeFileSync(input, JSON.stringify(log));
    const r = spawnSync(process.execPath, [validator, 'validate', input, '--level', 'Error', 'Warning', '-o', output], { encoding: 'utf8' });
    assert.ok(fs.existsSync(output), `validator produced no output: ${r.stdout}${r.stderr}`);
    const results = JSON.parse(fs.readFileSync(output, 'utf8')).runs[0].results as Array<{ ruleId: string; level?: string }>;
    return results.map((x) => ({ ruleId: x.ruleId, level: x.level ?? 'warning' }));
  }

  it('reports no error and no warning for a real scan', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'a/.env': `A=${ANTHROPIC('v1')}\n`, 'b c/settings.json': `{"apiKey": "${fakeKey('{{alnum:32}}', 'v2')}"}\n` });
    const log = JSON.parse(formatSarif(await scan({ paths: [dir], workers: 0 }), '0.1.0'));
    assert.equal(log.runs[0].results.length, 2);
    assert.deepEqual(validate(log), []);
  });

  it('does catch a broken log (so the check above can fail)', async () => {
    const dir = tempDir();
    writeFiles(dir, { '.env': `A=${ANTHROPIC('v3')}\n` });
    const log = JSON.parse(formatSarif(await scan({ paths: [dir], workers: 0 }), '0.1.0'));
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    assert.ok(validate(log).some((x) => x.level === 'error'));
  });
});

describe('SARIF for history findings', () => {
  it('carries the commit, author and date of the commit that added the key', async () => {
    const dir = tempDir();
    writeFiles(dir, { '.env': `A=${ANTHROPIC('hist')}\n` });
    const result = await scan({ paths: [dir], workers: 0 });
    const f = result.findings[0]!;
    Object.assign(f, { source: 'history', commit: 'a'.repeat(40), author: 'Dev <dev@example.com>', date: '2026-11-20T10:00:00Z' });
    const props = JSON.parse(formatSarif(result, '0.1.0')).runs[0].results[0].properties;
    assert.deepEqual([props.source, props.commit, props.author, props.date], ['history', 'a'.repeat(40), 'Dev <dev@example.com>', '2026-11-20T10:00:00Z']);
  });
});
