/**
 * The 1password vault against a RECORDED CONTRACT of the 1Password CLI (test/vault/fake-op.ts), not a
 * real account: no 1Password account or network here. The fake answers as the CLI reference says the
 * real `op` does and exits 97 on any call outside the recorded set.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { ANTHROPIC, fakeKey } from '../helpers.js';
import { OnePasswordVault } from '../../src/vault/onepassword.js';
import { argvNeverHolds, fakeCli } from './support.js';

function onePassword(vaultName?: string): { vault: OnePasswordVault; fake: ReturnType<typeof fakeCli>; state: () => { items: Array<{ id: string; title: string; tags: string[]; vault: string; category: string; fields: Array<{ id: string; value: string }> }> } } {
  const fake = fakeCli(['op']);
  fs.writeFileSync(fake.env.FAKE_OP_STATE!, JSON.stringify({ vaults: ['Private', 'Agency'], items: [] }));
  const vault = new OnePasswordVault({ env: fake.env, ...(vaultName ? { vault: vaultName } : {}) });
  return { vault, fake, state: () => JSON.parse(fs.readFileSync(fake.env.FAKE_OP_STATE!, 'utf8')) };
}

describe('1password vault (recorded contract of the op CLI)', () => {
  it('is available when op is installed and signed in', async () => {
    const { vault, fake } = onePassword();
    assert.equal(await vault.available(), true);
    assert.equal(await new OnePasswordVault({ env: { ...fake.env, FAKE_OP_SIGNED_OUT: '1' } }).available(), false);
    assert.equal(await new OnePasswordVault({ env: fakeCli([]).env }).available(), false, 'no op on PATH');
  });

  it('round trip: create, read, replace, list, delete', async () => {
    const { vault, fake, state } = onePassword();
    const a = ANTHROPIC('vault:op:a');
    const b = fakeKey('sk_live_{{alnum:24}}', 'vault:op:b');
    const c = ANTHROPIC('vault:op:c');
    assert.equal(await vault.get('outloop://acme/claude'), null);
    await vault.put('outloop://acme/claude', a);
    await vault.put('outloop://globex/stripe', b);
    assert.equal(await vault.get('outloop://acme/claude'), a);
    assert.equal(await vault.get('outloop://globex/stripe'), b);
    await vault.put('outloop://acme/claude', c);
    assert.equal(await vault.get('outloop://acme/claude'), c);
    assert.equal(state().items.filter((i) => i.title === 'outloop acme claude').length, 1, 'the replaced item was deleted');
    assert.deepEqual(await vault.list(), ['outloop://acme/claude', 'outloop://globex/stripe']);
    await vault.delete('outloop://acme/claude');
    await vault.delete('outloop://acme/claude');
    assert.equal(await vault.get('outloop://acme/claude'), null);
    assert.deepEqual(await vault.list(), ['outloop://globex/stripe']);
    const item = state().items[0]!;
    assert.equal(item.title, 'outloop globex stripe');
    assert.equal(item.vault, 'Private');
    assert.equal(item.category, 'API_CREDENTIAL');
    assert.deepEqual(item.tags, ['outloop']);
    assert.deepEqual(
      item.fields.map((f) => [f.id, f.id === 'credential' ? '<secret>' : f.value]),
      [
        ['credential', '<secret>'],
        ['alias', 'outloop://globex/stripe'],
      ],
    );
    const calls = fake.log('op');
    assert.ok(argvNeverHolds(calls, a) && argvNeverHolds(calls, b) && argvNeverHolds(calls, c), 'no secret in any argv');
    const shapes = new Set(calls.map((x) => x.argv.map((arg) => (arg.startsWith('op://') ? 'REF' : /^[a-z2-7]{26}$/.test(arg) ? 'ID' : arg)).join(' ')));
    assert.deepEqual(
      [...shapes].sort(),
      [
        'item create --vault Private --format json -',
        'item delete ID --vault Private',
        'item list --vault Private --tags outloop --format json',
        'read --no-newline REF',
      ],
      'only the recorded commands, with exactly these flags',
    );
    assert.ok(calls.some((x) => x.argv.includes('op://Private/outloop acme claude/credential')), 'read by secret reference');
    const created = calls.filter((x) => x.argv[1] === 'create').map((x) => JSON.parse(x.stdin));
    assert.deepEqual(Object.keys(created[0]).sort(), ['category', 'fields', 'tags', 'title'], 'the item goes as a JSON template on stdin');
  });

  it('reads the newest item while a replacement and the old one both exist', async () => {
    const { vault, fake } = onePassword();
    await vault.put('outloop://acme/claude', ANTHROPIC('vault:op:old'));
    // A put that created its item but died before deleting the old one.
    const { runCli } = await import('../../src/vault/run.js');
    const template = { title: 'outloop acme claude', category: 'API_CREDENTIAL', tags: ['outloop'], fields: [{ id: 'credential', type: 'CONCEALED', label: 'credential', value: ANTHROPIC('vault:op:new') }] };
    const r = await runCli('op', ['item', 'create', '--vault', 'Private', '--format', 'json', '-'], { env: fake.env, input: JSON.stringify(template) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await vault.get('outloop://acme/claude'), ANTHROPIC('vault:op:new'));
    assert.deepEqual(await vault.list(), ['outloop://acme/claude']);
    await vault.delete('outloop://acme/claude');
    assert.equal(await vault.get('outloop://acme/claude'), null, 'delete removes every item with the title');
  });

  it('uses OUTLOOP_OP_VAULT, and names an unknown vault in its error', async () => {
    const { fake, state } = onePassword();
    const agency = new OnePasswordVault({ env: { ...fake.env, OUTLOOP_OP_VAULT: 'Agency' } });
    await agency.put('outloop://acme/claude', ANTHROPIC('vault:op:agency'));
    assert.equal(state().items[0]!.vault, 'Agency');
    assert.equal(await agency.get('outloop://acme/claude'), ANTHROPIC('vault:op:agency'));
    const nowhere = new OnePasswordVault({ env: fake.env, vault: 'Nowhere' });
    await assert.rejects(nowhere.put('outloop://acme/claude', ANTHROPIC('vault:op:x')), /vault 1password: op item list failed \(exit 1\): "Nowhere" isn't a vault in this account/);
    assert.throws(() => new OnePasswordVault({ env: fake.env, vault: 'a/b' }), /invalid 1Password vault name/);
  });

  it('a signed-out CLI fails with op\'s own message', async () => {
    const { fake } = onePassword();
    const vault = new OnePasswordVault({ env: { ...fake.env, FAKE_OP_SIGNED_OUT: '1' } });
    await assert.rejects(vault.get('outloop://acme/claude'), /op read for outloop:\/\/acme\/claude failed \(exit 1\): account is not signed in/);
  });
});
