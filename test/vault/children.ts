/**
 * Child processes of the vault tests. Does nothing unless OUTLOOP_VAULT_TEST_CHILD names a role, so the
 * test runner can load it as it loads every file under dist/test.
 *
 * - put: OUTLOOP_VAULT_FILE, OUTLOOP_VAULT_PASSPHRASE; puts CHILD_COUNT entries outloop://CHILD_TENANT/k<i>
 *   with the values CHILD_PREFIX<i>, each through a fresh FileVault (a fresh process-level view), as
 *   fast as it can, after waiting for CHILD_GO to exist (so two children start together).
 * - secret-service: runs a real round trip through secret-tool and prints what it saw (sha256 of
 *   values, never the values) as JSON.
 * - prompt: opens the file vault at OUTLOOP_VAULT_FILE with no passphrase in the environment (so it
 *   prompts on the terminal), puts or gets CHILD_ALIAS, and prints "GOT <sha256>" or "PUT OK".
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { FileVault } from '../../src/vault/file.js';
import { SecretServiceVault } from '../../src/vault/secret-service.js';

const sha = (s: string | null) => (s === null ? null : crypto.createHash('sha256').update(s).digest('hex'));

const role = process.env.OUTLOOP_VAULT_TEST_CHILD;
if (role) {
  main(role).catch((err: Error) => {
    process.stderr.write(`child ${role} failed: ${err.name}: ${err.message}\n`);
    process.exit(1);
  });
}

async function main(role: string): Promise<void> {
  if (role === 'put') {
    const count = Number(process.env.CHILD_COUNT);
    const go = process.env.CHILD_GO!;
    while (!fs.existsSync(go)) await new Promise((r) => setTimeout(r, 5));
    const passphrase = process.env.OUTLOOP_VAULT_PASSPHRASE!;
    const vault = new FileVault({ passphrase });
    for (let i = 0; i < count; i++) await vault.put(`outloop://${process.env.CHILD_TENANT}/k${i}`, `${process.env.CHILD_PREFIX}${i}`);
    process.stdout.write('done\n');
    return;
  }
  if (role === 'secret-service') {
    const vault = new SecretServiceVault();
    const values = JSON.parse(process.env.CHILD_VALUES!) as Record<string, string>;
    const steps: Record<string, unknown> = {};
    steps.available = await vault.available();
    steps.listBefore = await vault.list();
    steps.missing = await vault.get('outloop://acme/missing');
    await vault.put('outloop://acme/stripe', values.first!);
    await vault.put('outloop://globex/pem', values.multiline!);
    steps.first = sha(await vault.get('outloop://acme/stripe'));
    steps.multiline = sha(await vault.get('outloop://globex/pem'));
    await vault.put('outloop://acme/stripe', values.second!);
    steps.replaced = sha(await vault.get('outloop://acme/stripe'));
    steps.list = await vault.list();
    await vault.delete('outloop://acme/stripe');
    steps.afterDelete = await vault.get('outloop://acme/stripe');
    await vault.delete('outloop://acme/stripe');
    steps.deleteTwice = 'ok';
    steps.listAfter = await vault.list();
    // A second backend object (as a later outloop run would make) sees the same keyring.
    steps.fresh = sha(await new SecretServiceVault().get('outloop://globex/pem'));
    process.stdout.write(JSON.stringify(steps) + '\n');
    return;
  }
  if (role === 'prompt') {
    const vault = new FileVault({ env: { ...process.env, OUTLOOP_VAULT_PASSPHRASE: '' } });
    const alias = process.env.CHILD_ALIAS!;
    if (process.env.CHILD_PUT) {
      await vault.put(alias, process.env.CHILD_PUT);
      process.stdout.write('PUT OK\n');
    } else {
      process.stdout.write(`GOT ${sha(await vault.get(alias))}\n`);
    }
    process.exit(0);
  }
  throw new Error(`unknown role ${role}`);
}
