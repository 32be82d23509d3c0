/** Crash tests of undo: see kill-world.ts. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { child, FILES, hashes, noKeyLost, reference, world } from './kill-world.js';

let tried = 0;

test('kill the undo at every step: files wholly old or new, a re-run of undo completes', () => {
  const ref = reference('undo');
  for (let at = 1; at <= ref.steps; at++) {
    const { root, vault } = world();
    assert.equal(child(vault, root, ['rewrite', '--yes', '--workers', '0']).status, 0);
    const r = child(vault, root, ['undo'], { OUTLOOP_TEST_KILL_AT: String(at) });
    assert.equal(r.signal, 'SIGKILL', `step ${at}: ${r.stderr}`);
    tried++;
    const now = hashes(root);
    for (const rel of Object.keys(FILES)) assert.ok(now[rel] === ref.before[rel] || now[rel] === ref.after[rel], `undo step ${at}: ${rel} is half written`);
    noKeyLost(root, vault);
    const again = child(vault, root, ['undo']);
    // Killed after the journal said "undone": nothing is left to do.
    assert.ok(again.status === 0 || /no rewrite run to undo/.test(again.stderr), `undo step ${at}: ${again.stderr}${again.stdout}`);
    assert.deepEqual(hashes(root), ref.after, `undo step ${at}: undo completes`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(vault.dir, { recursive: true, force: true });
  }
});


test('kill points tried', () => {
  process.stdout.write(`# kill points tried: ${tried}\n`);
  assert.ok(tried > 0);
});
