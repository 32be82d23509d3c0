import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers.js';
import { FileVault } from '../../src/vault/file.js';
import { openVault } from '../../src/vault/open.js';
import { fakeCli } from './support.js';

/** An environment with no keyring, no op, no security, no passphrase: nothing usable. */
function bare(): NodeJS.ProcessEnv {
  return { PATH: tempDir('outloop-vault-open-path-'), HOME: tempDir('outloop-vault-open-home-') };
}

describe('openVault', () => {
  it('an explicit backend, usable: that backend', async () => {
    const env = { ...bare(), OUTLOOP_VAULT_PASSPHRASE: 'p' };
    const file = path.join(tempDir('outloop-vault-open-'), 'v.json');
    const vault = await openVault({ backend: 'file', env, file });
    assert.ok(vault instanceof FileVault);
    assert.equal(vault.file, file);
  });

  it('an explicit backend that cannot run here: null', async () => {
    assert.equal(await openVault({ backend: 'keychain', env: bare() }), null, 'no security on PATH (and not macOS here)');
    assert.equal(await openVault({ backend: '1password', env: bare() }), null);
    assert.equal(await openVault({ backend: 'secret-service', env: bare() }), null);
  });

  it('OUTLOOP_VAULT names the backend; an unknown name is an error listing the known ones', async () => {
    const env = { ...bare(), OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_PASSPHRASE: 'p' };
    assert.equal((await openVault({ env }))?.name, 'file');
    assert.equal((await openVault({ env: { ...env, OUTLOOP_VAULT_FILE: '/tmp/x/v.json' } }) as FileVault).file, '/tmp/x/v.json');
    await assert.rejects(openVault({ env: { ...bare(), OUTLOOP_VAULT: 'lastpass' } }), /unknown vault backend "lastpass" in OUTLOOP_VAULT; use one of file, secret-service, keychain, 1password/);
    // The option wins over the environment.
    assert.equal((await openVault({ backend: 'file', env: { ...env, OUTLOOP_VAULT: '1password' } }))?.name, 'file');
  });

  it('nothing named: the file vault when a passphrase is in the environment', async () => {
    assert.equal((await openVault({ env: { ...bare(), OUTLOOP_VAULT_PASSPHRASE: 'p' } }))?.name, 'file');
  });

  it('nothing named and no passphrase: the first CLI backend that is usable, else null', async () => {
    assert.equal(await openVault({ env: bare() }), null, 'no vault: keys stay in place');
    const op = fakeCli(['op']);
    assert.equal((await openVault({ env: op.env }))?.name, '1password', 'a signed-in op');
    assert.equal(await openVault({ env: { ...op.env, FAKE_OP_SIGNED_OUT: '1' } }), null, 'a signed-out op is not usable');
  });
});
