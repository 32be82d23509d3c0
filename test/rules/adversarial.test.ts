// Every rule against 1 MB of input built to make a regex backtrack: runs of its keywords and of the
// characters its keys are made of. Quantifiers are bounded by the loader; this proves the bound holds
// in practice. The limit is generous on purpose: a catastrophic regex takes minutes, not seconds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Detector } from '../../src/detect/engine.js';
import { loadRules } from '../../src/scan.js';

const ruleSet = await loadRules();
const MB = 1024 * 1024;
const LIMIT_MS = 4000;

function adversarialInputs(keyword: string): Record<string, string> {
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  return {
    'keyword repeated': fill(keyword),
    'keyword then charset run': keyword + fill('aB3_-+/=x9'),
    'keyword every 40 chars': fill(keyword + 'A1b2C3d4E5f6G7h8I9j0'.slice(0, Math.max(1, 40 - keyword.length))),
    'keyword with separators': fill(`${keyword}=${keyword}: "`),
    'keyword with newlines': fill(`${keyword}\\n${'Ab1'.repeat(30)}\n`),
  };
}

describe('rules stay fast on adversarial input (1 MB each)', () => {
  for (const rule of ruleSet.rules) {
    it(rule.id, () => {
      const detector = new Detector({ rules: [rule], globalAllowlist: ruleSet.globalAllowlist });
      const path = rule.examples.positive.find((e) => e.path)?.path ?? 'adversarial.txt';
      for (const keyword of rule.keywords) {
        for (const [name, text] of Object.entries(adversarialInputs(keyword))) {
          const started = performance.now();
          detector.detect(text, path);
          const ms = performance.now() - started;
          assert.ok(ms < LIMIT_MS, `${name} with keyword "${keyword}" took ${Math.round(ms)} ms`);
        }
      }
    });
  }
});
