/** Crash tests of the rewrite: see kill-world.ts. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { leaks, outloopState } from './fixture.js';
import { child, FILES, hashes, KEYS, noKeyLost, reference, world } from './kill-world.js';

let tried = 0;


test('kill the rewrite at every step: files wholly old or new, no key lost, re-run or undo completes', () => {
  const ref = reference('rewrite');
  assert.ok(ref.steps > 20, `only ${ref.steps} steps`);
  for (let at = 1; at <= ref.steps; at++) {
    const { root, vault } = world();
    const r = child(vault, root, ['rewrite', '--yes', '--workers', '0'], { OUTLOOP_TEST_KILL_AT: String(at) });
    assert.equal(r.signal, 'SIGKILL', `step ${at}: ${r.stderr}`);
    tried++;
    const now = hashes(root);
    for (const rel of Object.keys(FILES)) assert.ok(now[rel] === ref.before[rel] || now[rel] === ref.after[rel], `step ${at}: ${rel} is half written`);
    noKeyLost(root, vault);
    assert.deepEqual(leaks(r.stdout + r.stderr + outloopState(root), KEYS), [], `step ${at}: leak`);
    if (at % 2) {
      // A re-run completes the interrupted run; undo then restores everything.
      const again = child(vault, root, ['rewrite', '--yes', '--workers', '0']);
      assert.equal(again.status, 0, `step ${at}: ${again.stderr}${again.stdout}`);
      assert.deepEqual(hashes(root), ref.after, `step ${at}: re-run completes`);
      const undo = child(vault, root, ['undo']);
      assert.equal(undo.status, 0, `step ${at}: ${undo.stderr}${undo.stdout}`);
      assert.deepEqual(hashes(root), ref.before, `step ${at}: undo after re-run`);
    } else {
      // Undo of the interrupted run puts back whatever it had written (a kill before the journal leaves nothing to undo).
      const undo = child(vault, root, ['undo']);
      assert.ok(undo.status === 0 || /no rewrite run to undo/.test(undo.stderr), `step ${at}: ${undo.stderr}${undo.stdout}`);
      assert.deepEqual(hashes(root), ref.before, `step ${at}: undo restores`);
      const again = child(vault, root, ['rewrite', '--yes', '--workers', '0']);
      assert.equal(again.status, 0, `step ${at}: ${again.stderr}${again.stdout}`);
      assert.deepEqual(hashes(root), ref.after, `step ${at}: rewrite after undo`);
    }
    assert.equal(fs.readdirSync(root).filter((n) => n.includes('.outloop-')).length, 0, 'no temp file left');
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(vault.dir, { recursive: true, force: true });
  }
});


test('kill points tried', () => {
  process.stdout.write(`# kill points tried: ${tried}\n`);
  assert.ok(tried > 0);
});
