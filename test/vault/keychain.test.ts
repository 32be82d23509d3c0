/**
 * The keychain vault against a RECORDED CONTRACT of macOS `security` (test/vault/fake-security.ts),
 * not a real keychain: these machines run Linux. The fake answers as Apple's SecurityTool sources
 * say the real one does and exits 97 on any call outside the recorded set.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { ANTHROPIC, fakeKey } from '../helpers.js';
import { VaultError } from '../../src/vault/errors.js';
import { KeychainVault, aliasesInDump, decodeFromKeychain, encodeForKeychain } from '../../src/vault/keychain.js';
import { argvNeverHolds, fakeCli } from './support.js';

function keychain(): { vault: KeychainVault; fake: ReturnType<typeof fakeCli> } {
  const fake = fakeCli(['security']);
  return { vault: new KeychainVault({ env: fake.env, platform: 'darwin' }), fake };
}

function seedOtherItem(fake: ReturnType<typeof fakeCli>): void {
  // Somebody else's generic password: never listed, never touched.
  const now = new Date().toISOString();
  fs.writeFileSync(fake.env.FAKE_SECURITY_STATE!, JSON.stringify({ items: [{ service: 'AirPort', account: 'home-wifi', label: 'home-wifi', password: Buffer.from('wifi password').toString('hex'), created: now, modified: now }] }));
}

describe('keychain vault (recorded contract of macOS security)', () => {
  it('is available only on macOS with a default keychain', async () => {
    const fake = fakeCli(['security']);
    assert.equal(await new KeychainVault({ env: fake.env, platform: 'linux' }).available(), false);
    assert.equal(await new KeychainVault({ env: fake.env, platform: 'darwin' }).available(), true);
    const none = fakeCli([]);
    assert.equal(await new KeychainVault({ env: none.env, platform: 'darwin' }).available(), false, 'no security on PATH');
  });

  it('round trip: add, find, update, dump, delete', async () => {
    const { vault, fake } = keychain();
    seedOtherItem(fake);
    const a = ANTHROPIC('vault:kc:a');
    const b = fakeKey('sk_live_{{alnum:24}}', 'vault:kc:b');
    const c = ANTHROPIC('vault:kc:c');
    assert.equal(await vault.get('outloop://acme/claude'), null);
    await vault.put('outloop://acme/claude', a);
    await vault.put('outloop://globex/stripe', b);
    assert.equal(await vault.get('outloop://acme/claude'), a);
    await vault.put('outloop://acme/claude', c);
    assert.equal(await vault.get('outloop://acme/claude'), c, '-U updates the item in place');
    assert.deepEqual(await vault.list(), ['outloop://acme/claude', 'outloop://globex/stripe']);
    await vault.delete('outloop://acme/claude');
    await vault.delete('outloop://acme/claude');
    assert.equal(await vault.get('outloop://acme/claude'), null);
    assert.deepEqual(await vault.list(), ['outloop://globex/stripe']);
    const state = JSON.parse(fs.readFileSync(fake.env.FAKE_SECURITY_STATE!, 'utf8'));
    assert.deepEqual(
      state.items.map((i: { service: string; account: string; label: string }) => [i.service, i.account, i.label]),
      [
        ['AirPort', 'home-wifi', 'home-wifi'],
        ['outloop', 'outloop://globex/stripe', 'outloop outloop://globex/stripe'],
      ],
    );
    const calls = fake.log('security');
    assert.ok(argvNeverHolds(calls, a) && argvNeverHolds(calls, b) && argvNeverHolds(calls, c), 'no secret in any argv, in any spelling');
    // The exact calls: the secret only ever on the stdin of `security -i`, as -X hex.
    const adds = calls.filter((x) => x.argv[0] === '-i');
    assert.equal(adds.length, 3);
    assert.equal(adds[0]!.stdin, `add-generic-password -U -s outloop -a "outloop://acme/claude" -l "outloop outloop://acme/claude" -X ${Buffer.from(a).toString('hex')}\n`);
    assert.deepEqual(
      calls.filter((x) => x.argv[0] !== '-i').map((x) => x.argv.join(' ')),
      [
        'find-generic-password -s outloop -a outloop://acme/claude -w',
        'find-generic-password -s outloop -a outloop://acme/claude -w',
        'find-generic-password -s outloop -a outloop://globex/stripe -w',
        'find-generic-password -s outloop -a outloop://acme/claude -w',
        'find-generic-password -s outloop -a outloop://acme/claude -w',
        'find-generic-password -s outloop -a outloop://acme/claude -w',
        'dump-keychain',
        'delete-generic-password -s outloop -a outloop://acme/claude',
        'delete-generic-password -s outloop -a outloop://acme/claude',
        'find-generic-password -s outloop -a outloop://acme/claude -w',
        'dump-keychain',
      ],
    );
  });

  it('keeps line breaks, tabs and non-ASCII (which find -w would print as bare hex) exact', async () => {
    const { vault, fake } = keychain();
    const values = [`${ANTHROPIC('vault:kc:ml')}\n\tsecond line ✓ 鍵\n`, 'outloop:json:looks encoded already', '0123456789abcdef', 'quote " and backslash \\ and \'single\''];
    for (const [i, v] of values.entries()) {
      await vault.put(`outloop://acme/v${i}`, v);
      assert.equal(await vault.get(`outloop://acme/v${i}`), v);
    }
    // What the keychain holds is printable ASCII, so find -w prints it as it is.
    const state = JSON.parse(fs.readFileSync(fake.env.FAKE_SECURITY_STATE!, 'utf8'));
    for (const item of state.items) assert.match(Buffer.from(item.password, 'hex').toString('latin1'), /^[\x20-\x7e]*$/);
    assert.equal(decodeFromKeychain(encodeForKeychain(values[0]!)), values[0]);
    assert.equal(encodeForKeychain('plain-ascii'), 'plain-ascii');
  });

  it('refuses a secret too long for one `security -i` line, and stores nothing', async () => {
    const { vault } = keychain();
    const long = ANTHROPIC('vault:kc:long').repeat(20);
    await assert.rejects(vault.put('outloop://acme/long', long), (e: Error) => e instanceof VaultError && /too long for the keychain CLI .*at most \d+\)/.test(e.message) && !e.message.includes(long.slice(0, 20)));
    assert.equal(await vault.get('outloop://acme/long'), null);
    // Just under the limit goes through.
    const fits = ANTHROPIC('vault:kc:fits').repeat(17).slice(0, 1900);
    await vault.put('outloop://acme/fits', fits);
    assert.equal(await vault.get('outloop://acme/fits'), fits);
  });

  it('reports a keychain that refuses (locked, no GUI) with security\'s own reason', async () => {
    const { vault, fake } = keychain();
    fake.env.FAKE_SECURITY_LOCKED = '1';
    await assert.rejects(vault.put('outloop://acme/x', ANTHROPIC('vault:kc:locked')), /vault keychain: security add-generic-password for outloop:\/\/acme\/x failed \(exit \d+\): .*User interaction is not allowed/);
    await assert.rejects(vault.get('outloop://acme/x'), /User interaction is not allowed/);
  });

  it('the recorded contract itself: a duplicate without -U fails 45, the -w prompt is out of contract', async () => {
    const { fake } = keychain();
    const { runCli } = await import('../../src/vault/run.js');
    const line = `add-generic-password -s outloop -a "outloop://acme/d" -X ${Buffer.from('v1').toString('hex')}\n`;
    assert.equal((await runCli('security', ['-i'], { env: fake.env, input: line })).code, 0);
    const dup = await runCli('security', ['-i'], { env: fake.env, input: line });
    assert.equal(dup.code, 45);
    assert.match(dup.stderr, /already exists in the keychain[\s\S]*add-generic-password: returned -25299/);
    const missing = await runCli('security', ['find-generic-password', '-s', 'outloop', '-a', 'outloop://acme/none', '-w'], { env: fake.env });
    assert.equal(missing.code, 44);
    assert.match(missing.stderr, /could not be found in the keychain/);
    const prompt = await runCli('security', ['add-generic-password', '-s', 'outloop', '-a', 'x', '-w'], { env: fake.env, input: 'v\nv\n' });
    assert.equal(prompt.code, 97);
  });

  it('reads aliases from a dump-keychain listing', () => {
    const dump = [
      'keychain: "/k"\nclass: "genp"\nattributes:\n    "acct"<blob>="outloop://acme/a"\n    "svce"<blob>="outloop"\n',
      'keychain: "/k"\nclass: "genp"\nattributes:\n    "acct"<blob>="outloop://acme/b"\n    "svce"<blob>="other"\n',
      'keychain: "/k"\nclass: "inet"\nattributes:\n    "acct"<blob>="outloop://acme/c"\n    "svce"<blob>="outloop"\n',
      'keychain: "/k"\nclass: "genp"\nattributes:\n    "acct"<blob>="not an alias"\n    "svce"<blob>="outloop"\n',
    ].join('');
    assert.deepEqual(aliasesInDump(dump), ['outloop://acme/a']);
  });
});
