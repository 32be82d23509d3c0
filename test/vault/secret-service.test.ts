/**
 * The secret-service vault against a REAL keyring: gnome-keyring's Secret Service on a private D-Bus
 * session bus, under a throwaway HOME. Needs (Debian/Ubuntu):
 *
 *   apt-get install -y libsecret-tools gnome-keyring dbus
 *
 * (libsecret-tools: secret-tool; gnome-keyring: gnome-keyring-daemon; dbus: dbus-run-session.) The
 * test FAILS, naming what is missing, when they are not installed: CI must install them.
 *
 * How it runs headless, as root or not, with no X display:
 *   dbus-run-session -- sh -c 'printf %s "$PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec node children.js'
 * `--unlock` reads a password on stdin and creates (or unlocks) the login keyring with it, so no
 * prompt is ever shown; the daemon and the bus end with dbus-run-session.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANTHROPIC, fakeKey, tempDir } from '../helpers.js';
import { SecretServiceVault } from '../../src/vault/secret-service.js';
import { CHILD } from './support.js';

const NEEDED = [
  { command: 'secret-tool', pkg: 'libsecret-tools' },
  { command: 'gnome-keyring-daemon', pkg: 'gnome-keyring' },
  { command: 'dbus-run-session', pkg: 'dbus' },
];

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('secret-service vault, for real (gnome-keyring on a private D-Bus session)', () => {
  it('has what it needs installed', () => {
    const missing = NEEDED.filter((n) => !onPath(n.command));
    assert.deepEqual(
      missing.map((m) => m.command),
      [],
      `the secret-service test needs ${missing.map((m) => `${m.command} (${m.pkg})`).join(', ')}: apt-get install -y libsecret-tools gnome-keyring dbus`,
    );
  });

  it('round trip: store, lookup, replace, list, clear', () => {
    const missing = NEEDED.filter((n) => !onPath(n.command));
    assert.equal(missing.length, 0, `not installed: ${missing.map((m) => m.pkg).join(', ')} (apt-get install -y libsecret-tools gnome-keyring dbus)`);
    const home = tempDir('outloop-vault-keyring-');
    const runtime = path.join(home, 'run');
    fs.mkdirSync(runtime, { mode: 0o700 });
    const values = {
      first: ANTHROPIC('vault:ss:first'),
      second: fakeKey('sk_live_{{alnum:24}}', 'vault:ss:second'),
      // Line breaks, a tab, non-ASCII and a trailing newline must come back exactly.
      multiline: `${ANTHROPIC('vault:ss:ml')}\n\tsecond line ✓\nthird\n`,
    };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_RUNTIME_DIR: runtime,
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      KEYRING_PW: 'outloop-test-keyring',
      OUTLOOP_VAULT_TEST_CHILD: 'secret-service',
      CHILD_VALUES: JSON.stringify(values),
      NODE: process.execPath,
      CHILD,
    };
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', 'printf %s "$KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$NODE" "$CHILD"'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `dbus-run-session + gnome-keyring + child failed:\n${r.stderr}\n${r.stdout}`);
    const steps = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(steps.available, true, 'secret-tool reaches the keyring');
    assert.deepEqual(steps.listBefore, []);
    assert.equal(steps.missing, null);
    assert.equal(steps.first, sha(values.first));
    assert.equal(steps.multiline, sha(values.multiline));
    assert.equal(steps.replaced, sha(values.second), 'a second store under the same alias replaces');
    assert.deepEqual(steps.list, ['outloop://acme/stripe', 'outloop://globex/pem']);
    assert.equal(steps.afterDelete, null);
    assert.equal(steps.deleteTwice, 'ok');
    assert.deepEqual(steps.listAfter, ['outloop://globex/pem']);
    assert.equal(steps.fresh, sha(values.multiline));
    // The keyring on disk is gnome-keyring's encrypted file, not the secrets in clear.
    const keyrings = path.join(home, '.local/share/keyrings');
    for (const f of fs.readdirSync(keyrings)) {
      const bytes = fs.readFileSync(path.join(keyrings, f));
      for (const v of Object.values(values)) assert.equal(bytes.indexOf(Buffer.from(v.slice(0, 30))), -1, `${f} holds no secret in clear`);
    }
  });

  it('is not available without a session bus, or when secret-tool is missing', async () => {
    assert.equal(await new SecretServiceVault({ env: { PATH: process.env.PATH } }).available(), false, 'no bus, no display');
    const noBus = { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(tempDir('outloop-vault-nobus-'), 'bus')}` };
    assert.equal(await new SecretServiceVault({ env: noBus }).available(), false, 'a bus address nobody answers');
    assert.equal(await new SecretServiceVault({ env: { ...noBus, PATH: tempDir('outloop-vault-empty-path-') } }).available(), false);
    await assert.rejects(new SecretServiceVault({ env: { ...noBus, PATH: tempDir('outloop-vault-empty-path-') } }).get('outloop://acme/x'), /secret-tool is not installed .*libsecret-tools/);
  });
});
