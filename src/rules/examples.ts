/**
 * Runs every rule's own examples (`outloop rules test`): each positive example's marked secrets must
 * be found by that rule at exactly the marked span, and no negative example may trigger it.
 * Examples are templates (see template.ts), expanded with a seed derived from the rule id, so the
 * same rule file always tests the same text.
 */
import { blankEscapes } from '../decode/ansi.js';
import { Detector } from '../detect/engine.js';
import type { Rule, RuleExample } from '../model/rule.js';
import type { RuleSet } from './compile.js';
import { expandTemplate, seededRng } from './template.js';

export interface ExampleFailure {
  ruleId: string;
  file: string;
  example: string;
  problem: string;
}

export interface ExampleReport {
  rules: number;
  examples: number;
  failures: ExampleFailure[];
}

export function runRuleExamples(ruleSet: RuleSet, only?: (rule: Rule) => boolean): ExampleReport {
  const detector = new Detector(ruleSet);
  const failures: ExampleFailure[] = [];
  let examples = 0;
  let rules = 0;
  for (const rule of ruleSet.rules) {
    if (only && !only(rule)) continue;
    rules++;
    rule.examples.positive.forEach((ex, i) => {
      examples++;
      const problem = checkPositive(detector, rule, ex, `${rule.id}#positive${i}`);
      if (problem) failures.push({ ruleId: rule.id, file: rule.file, example: `positive[${i}]`, problem });
    });
    rule.examples.negative.forEach((ex, i) => {
      examples++;
      const problem = checkNegative(detector, rule, ex, `${rule.id}#negative${i}`);
      if (problem) failures.push({ ruleId: rule.id, file: rule.file, example: `negative[${i}]`, problem });
    });
  }
  return { rules, examples, failures };
}

function examplePath(rule: Rule, ex: RuleExample): string | null {
  if (ex.path) return ex.path;
  return rule.pathMatcher ? null : 'example.txt';
}

function checkPositive(detector: Detector, rule: Rule, ex: RuleExample, seed: string): string | null {
  const { text: raw, secrets } = expandTemplate(ex.text, seededRng(seed));
  const text = blankEscapes(raw); // the decode stage files go through; positions don't move
  if (secrets.length === 0) return 'positive example marks no secret (wrap it in « »)';
  const p = examplePath(rule, ex);
  if (p === null) return 'the rule is limited to some paths, so the example needs a `path` that matches them';
  const found = detector.detect(text, p).filter((m) => m.rule.id === rule.id);
  for (const s of secrets) {
    if (!found.some((m) => m.start === s.start && m.end === s.end)) {
      const near = detector.detect(text, p).find((m) => m.start < s.end && m.end > s.start);
      const why = near ? (near.rule.id === rule.id ? `found at ${near.start}-${near.end} instead of ${s.start}-${s.end}` : `claimed by rule ${near.rule.id}`) : 'not found';
      return `marked secret at ${s.start}-${s.end} ${why}`;
    }
  }
  const extra = found.filter((m) => !secrets.some((s) => s.start === m.start && s.end === m.end));
  if (extra.length) return `${extra.length} unmarked match(es), first at ${extra[0]!.start}-${extra[0]!.end}`;
  return null;
}

function checkNegative(detector: Detector, rule: Rule, ex: RuleExample, seed: string): string | null {
  const text = blankEscapes(expandTemplate(ex.text, seededRng(seed)).text);
  const found = detector.detect(text, examplePath(rule, ex) ?? 'example.txt').filter((m) => m.rule.id === rule.id);
  return found.length ? `matched at ${found[0]!.start}-${found[0]!.end} but must not` : null;
}
