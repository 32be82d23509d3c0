// Nothing outloop prints or writes may contain a raw secret. Every rule's positive examples are
// planted in a workspace; every report format, stdout and stderr are searched for every planted value.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprint } from '../src/detect/redact.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { loadRules } from '../src/scan.js';
import { decodedSecret, runCli, tempDir, writeFiles } from './helpers.js';

const ruleSet = await loadRules();

function plantAll(root: string): { secrets: string[]; files: number } {
  const secrets: string[] = [];
  const files: Record<string, string> = {};
  ruleSet.rules.forEach((rule) =>
    rule.examples.positive.forEach((ex, i) => {
      const { text, secrets: marked } = expandTemplate(ex.text, seededRng(`leak:${rule.id}:${i}`));
      const rel = ex.path ? `${rule.id}-${i}/${ex.path}` : `${rule.id}-${i}/example.txt`;
      files[rel] = text + '\n';
      secrets.push(...marked.map((m) => m.value));
    }),
  );
  writeFiles(root, files);
  return { secrets, files: Object.keys(files).length };
}

/** Every planted value and, for long ones, a middle slice: a partial leak is a leak too. */
function leaks(output: string, secrets: string[]): string[] {
  return secrets.filter((s) => output.includes(s) || (s.length >= 24 && output.includes(s.slice(s.length / 3, (2 * s.length) / 3))));
}

describe('no output contains a raw secret', () => {
  const root = tempDir();
  const { secrets } = plantAll(root);
  const outDir = tempDir();

  it('plants secrets for every rule', () => assert.ok(secrets.length >= ruleSet.rules.length));

  for (const format of ['text', 'json', 'sarif']) {
    it(`${format} report, stdout and stderr`, () => {
      const toStdout = runCli(['scan', root, '--format', format]);
      assert.equal(toStdout.code, 1, toStdout.stderr);
      const file = path.join(outDir, `report.${format}`);
      const toFile = runCli(['scan', root, '--format', format, '--output', file]);
      assert.equal(toFile.code, 1);
      const everything = [toStdout.stdout, toStdout.stderr, toFile.stdout, toFile.stderr, fs.readFileSync(file, 'utf8')].join('\n');
      assert.deepEqual(leaks(everything, secrets).length, 0);
      if (format === 'json') {
        // And the scan found every planted secret: an empty report would leak nothing, too. (Some
        // examples carry a second key of another rule, an AWS key id beside its secret: more is fine.)
        // A key written with JSON or percent escapes is fingerprinted as it is once decoded.
        const report = JSON.parse(toStdout.stdout) as { findings: Array<{ fingerprint: string }> };
        const found = new Set(report.findings.map((f) => f.fingerprint));
        assert.deepEqual(secrets.filter((s) => !found.has(fingerprint(decodedSecret(s)))).length, 0);
      }
    });
  }

  it('standard input and the rules commands', () => {
    const all = secrets.join('\n');
    const r = runCli(['scan', '-'], { input: all });
    assert.equal(r.code, 1);
    const rules = runCli(['rules', 'test']);
    assert.equal(leaks(r.stdout + r.stderr + rules.stdout + rules.stderr, secrets).length, 0);
  });

  it('a rule that fails its example does not print the example', () => {
    const dir = tempDir();
    writeFiles(dir, {
      'r.yaml': `rules:\n  - id: t\n    service: T\n    description: t\n    severity: low\n    keywords: [tkn_]\n    pattern: '(tkn_[a-z]{20})'\n    examples:\n      positive: ['«tkn_{{lower:19}}»']\n      negative: ['tkn_{{lower:20}}']\n`,
    });
    const r = runCli(['rules', 'test', '--rules', dir]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout + r.stderr, /tkn_[a-z]{10}/);
  });
});
