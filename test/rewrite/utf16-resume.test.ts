/**
 * A rewrite of a UTF-16 file killed at each of its durable steps, then run again: the re-run
 * completes it from the journal (replaying the edits in the file's own encoding), so the file ends
 * as an uninterrupted run leaves it, byte for byte, and the key is in the vault.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fakeKey, tempDir, writeFiles } from '../helpers.js';
import { DirVault } from './dir-vault.js';
import { child } from './kill-world.js';

const KEY = fakeKey('sk_live_{{alnum:24}}', 'utf16-resume');
const FILE = 'exports/billing.reg';
const BYTES = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`REGEDIT4\r\n"StripeKey"="${KEY}"\r\n`, 'utf16le')]);
const hash = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

function world() {
  const root = tempDir('outloop-utf16-kill-');
  writeFiles(root, { [FILE]: BYTES });
  return { root, vault: new DirVault(tempDir('outloop-utf16-vault-')) };
}

it('a UTF-16 rewrite killed at any step is completed by the next run, in UTF-16', () => {
  const ref = world();
  const log = path.join(tempDir('outloop-utf16-steps-'), 'steps');
  assert.equal(child(ref.vault, ref.root, ['rewrite', '--yes', '--workers', '0'], { OUTLOOP_TEST_STEP_LOG: log }).status, 0);
  const expected = fs.readFileSync(path.join(ref.root, FILE));
  assert.ok(!expected.toString('utf16le').includes(KEY));
  const steps = fs.readFileSync(log, 'utf8').trim().split('\n').length;
  let killed = 0;
  for (let n = 1; n <= steps; n++) {
    const { root, vault } = world();
    const r = child(vault, root, ['rewrite', '--yes', '--workers', '0'], { OUTLOOP_TEST_KILL_AT: String(n) });
    if (r.signal !== 'SIGKILL') continue;
    killed++;
    const now = fs.readFileSync(path.join(root, FILE));
    assert.ok([hash(BYTES), hash(expected)].includes(hash(now)), `step ${n}: the file is wholly old or wholly new`);
    const again = child(vault, root, ['rewrite', '--yes', '--workers', '0', '--format', 'json']);
    assert.equal(again.status, 0, `step ${n}: ${again.stderr}`);
    // Completed from the journal (its edits replayed in UTF-16), never given up as a conflict.
    const resumed = (JSON.parse(again.stdout) as { resumed: Array<{ conflicts: number }> }).resumed;
    assert.ok(resumed.every((x) => x.conflicts === 0), `step ${n}: ${JSON.stringify(resumed)}`);
    assert.ok(fs.readFileSync(path.join(root, FILE)).equals(expected), `step ${n}: completed as planned`);
    assert.ok(vault.secrets().includes(KEY), `step ${n}: the key is in the vault`);
  }
  assert.ok(killed >= 3, `${killed} kill points tried`);
});
