/** The built-in rules as the build bundles them (scripts/bundle-rules.ts), against their YAML. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLE_PATH, loadBuiltinPacks, loadPackDir } from '../../src/rules/load.js';
import { REPO } from '../helpers.js';

describe('the built-in rules bundle', () => {
  it('is pure ASCII (a one-byte string to read on every run), yet holds the same text as the YAML', async () => {
    const raw = fs.readFileSync(BUNDLE_PATH);
    assert.ok(raw.every((b) => b < 0x80), 'a byte above 0x7f in the bundle');
    const fromYaml = await loadPackDir(path.join(REPO, 'rules'));
    const bundled = loadBuiltinPacks({ examples: true });
    assert.deepEqual(bundled.map((p) => p.pack), fromYaml.map((p) => p.pack));
    assert.match(JSON.stringify(fromYaml), /[^\x00-\x7f]/, 'some rule text is not ASCII, so the escaping is exercised');
  });
});
