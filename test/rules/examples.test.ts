// The one generic test every rule goes through: its own positive and negative examples.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRuleExamples } from '../../src/rules/examples.js';
import { loadRules } from '../../src/scan.js';

const ruleSet = await loadRules();

describe('every built-in rule passes its own examples', () => {
  it('has rules to test', () => assert.ok(ruleSet.rules.length >= 9));
  for (const rule of ruleSet.rules) {
    it(rule.id, () => {
      const report = runRuleExamples(ruleSet, (r) => r.id === rule.id);
      assert.equal(report.rules, 1);
      assert.ok(report.examples >= 2, 'a rule needs positive and negative examples');
      assert.deepEqual(report.failures.map((f) => `${f.example}: ${f.problem}`), []);
    });
  }
});
