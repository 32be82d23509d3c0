import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSarif } from '../../src/report/sarif.js';
import { scan } from '../../src/scan.js';
import { ANTHROPIC, tempDir, writeFiles } from '../helpers.js';

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
