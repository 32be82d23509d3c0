// The labeled example world: 100% recall and zero false positives, reported per rule.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { expandCorpus, MANIFEST } from '../scripts/expand-corpus.js';
import { scan } from '../src/scan.js';
import { tempDir } from './helpers.js';

describe('corpus', async () => {
  const world = tempDir('outloop-corpus-');
  const expanded = expandCorpus(world);
  const result = await scan({ paths: [world], workers: 0 });
  const key = (f: { path: string; line: number; ruleId: string; fingerprint: string }) => `${f.path}:${f.line} ${f.ruleId} ${f.fingerprint}`;
  const found = new Set(result.findings.map(key));
  const expected = new Set(expanded.expected.map(key));

  it('committed manifest matches the templates', () => {
    const committed = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
    assert.deepEqual(committed, { files: expanded.files, expected: expanded.expected, decoys: expanded.decoys });
  });

  const ruleIds = [...new Set(expanded.expected.map((e) => e.ruleId))].sort();
  for (const ruleId of ruleIds) {
    it(`recall 100% for ${ruleId}`, () => {
      const missing = expanded.expected.filter((e) => e.ruleId === ruleId && !found.has(key(e)));
      assert.deepEqual(missing.map(key), []);
    });
  }

  it('zero false positives', () => {
    const extra = result.findings.filter((f) => !expected.has(key(f)));
    assert.deepEqual(extra.map(key), []);
  });

  it('reports every expected finding at its exact column', () => {
    for (const e of expanded.expected) {
      const f = result.findings.find((x) => key(x) === key(e));
      assert.equal(f?.column, e.column, key(e));
    }
  });

  it('flags no decoy', () => {
    const before = (l1: number, c1: number, l2: number, c2: number) => l1 < l2 || (l1 === l2 && c1 < c2);
    const flagged = expanded.decoys.filter((d) =>
      result.findings.some((f) => f.path === d.path && before(f.line, f.column, d.endLine, d.endColumn) && before(d.line, d.column, f.endLine, f.endColumn)),
    );
    assert.deepEqual(flagged, []);
    assert.ok(expanded.decoys.length >= 15);
  });

  it('covers every decoy kind the issue names', () => {
    const kinds = new Set(expanded.decoys.map((d) => d.kind));
    for (const k of ['placeholder', 'env-reference', 'redacted-hint', 'lockfile-hash', 'git-sha', 'uuid', 'base64-image']) assert.ok(kinds.has(k), k);
  });
});
