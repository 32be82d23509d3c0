import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANTHROPIC, fakeKey, tempDir } from '../helpers.js';
import { VaultError, VaultLockedError, WrongPassphraseError } from '../../src/vault/errors.js';
import { DEFAULT_KDF, FileVault, defaultVaultFile } from '../../src/vault/file.js';
import { CHILD } from './support.js';
import { HAVE_PTY, onTerminal as onPty, type PtyRun, type PtyStep } from '../pty.js';

const PASS = 'correct horse battery staple';
const STRIPE = (seed: string) => fakeKey('sk_live_{{alnum:24}}', seed);
/** A cheaper scrypt for tests that open many vaults; the default cost has a test of its own. */
const FAST = { N: 2 ** 10, r: 8, p: 1 };

function vaultAt(file: string, passphrase = PASS, extra: Partial<ConstructorParameters<typeof FileVault>[0]> = {}): FileVault {
  return new FileVault({ file, env: {}, passphrase, kdf: FAST, ...extra });
}

function newFile(): string {
  return path.join(tempDir('outloop-vault-file-'), 'vault', 'vault.json');
}

describe('file vault: round trips', () => {
  it('puts, gets, replaces, lists and deletes', async () => {
    const file = newFile();
    const vault = vaultAt(file);
    const a = ANTHROPIC('vault:file:a');
    const b = STRIPE('vault:file:b');
    const c = ANTHROPIC('vault:file:c');
    assert.equal(await vault.get('outloop://acme/claude'), null, 'nothing before the file exists');
    assert.deepEqual(await vault.list(), []);
    await vault.put('outloop://acme/claude', a);
    await vault.put('outloop://globex/stripe', b);
    assert.equal(await vault.get('outloop://acme/claude'), a);
    assert.equal(await vault.get('outloop://globex/stripe'), b);
    await vault.put('outloop://acme/claude', c);
    assert.equal(await vault.get('outloop://acme/claude'), c, 'a put replaces');
    assert.deepEqual(await vault.list(), ['outloop://acme/claude', 'outloop://globex/stripe']);
    await vault.delete('outloop://acme/claude');
    await vault.delete('outloop://acme/claude');
    assert.equal(await vault.get('outloop://acme/claude'), null);
    assert.deepEqual(await vault.list(), ['outloop://globex/stripe']);
    // Another object, as the next outloop run would make, reads what this one wrote.
    assert.equal(await vaultAt(file).get('outloop://globex/stripe'), b);
  });

  it('keeps multi-line and non-ASCII values byte for byte', async () => {
    const vault = vaultAt(newFile());
    const value = `${ANTHROPIC('vault:file:ml')}\n\tline two ✓ 鍵\r\n`;
    await vault.put('outloop://acme/pem', value);
    assert.equal(await vault.get('outloop://acme/pem'), value);
  });

  it('refuses malformed aliases and empty secrets, naming the problem', async () => {
    const vault = vaultAt(newFile());
    await assert.rejects(vault.put('acme/stripe', 'x'), (e: Error) => e instanceof VaultError && /not an outloop alias/.test(e.message));
    await assert.rejects(vault.get('outloop://ACME/stripe'), /not an outloop alias/);
    await assert.rejects(vault.put('outloop://acme/stripe', ''), /empty secret/);
  });
});

describe('file vault: what is on disk', () => {
  it('never holds a secret in clear, keeps aliases readable, notes the KDF, mode 0600', async () => {
    const file = newFile();
    const vault = new FileVault({ file, env: { OUTLOOP_VAULT_PASSPHRASE: PASS } });
    const secrets = [ANTHROPIC('vault:disk:1'), STRIPE('vault:disk:2'), `${ANTHROPIC('vault:disk:3')}\nsecond line`];
    for (const [i, s] of secrets.entries()) await vault.put(`outloop://acme/k${i}`, s);
    const bytes = fs.readFileSync(file);
    for (const s of secrets) {
      for (const spelling of [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex'), s.slice(0, 24), s.slice(-24)]) {
        assert.equal(bytes.indexOf(Buffer.from(spelling)), -1, 'the secret is nowhere in the file, in any spelling');
      }
    }
    assert.ok(!bytes.includes(Buffer.from(PASS)), 'nor the passphrase');
    const doc = JSON.parse(bytes.toString('utf8'));
    assert.deepEqual(Object.keys(doc.entries).sort(), ['outloop://acme/k0', 'outloop://acme/k1', 'outloop://acme/k2']);
    assert.equal(doc.cipher, 'aes-256-gcm');
    assert.deepEqual({ name: doc.kdf.name, N: doc.kdf.N, r: doc.kdf.r, p: doc.kdf.p, keyLength: doc.kdf.keyLength }, { name: 'scrypt', ...DEFAULT_KDF, keyLength: 32 });
    assert.equal(Buffer.from(doc.kdf.salt, 'base64').length, 16);
    const ivs = Object.values(doc.entries as Record<string, { iv: string }>).map((e) => e.iv);
    assert.equal(new Set(ivs).size, ivs.length, 'a fresh IV per entry');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700, 'the folder it made is private too');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['vault.json'], 'no temp or lock file left behind');
  });

  it('rewrites a file that was made world-readable back to 0600', async () => {
    const file = newFile();
    const vault = vaultAt(file);
    await vault.put('outloop://acme/a', ANTHROPIC('vault:mode'));
    fs.chmodSync(file, 0o644);
    await vault.put('outloop://acme/b', ANTHROPIC('vault:mode2'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('refuses a file that is not a vault, and leaves it alone', async () => {
    const file = newFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"something": "else"}');
    await assert.rejects(vaultAt(file).put('outloop://acme/a', 'x1'), /not an outloop vault/);
    assert.equal(fs.readFileSync(file, 'utf8'), '{"something": "else"}');
  });

  it('detects an altered entry and an entry moved to another alias', async () => {
    const file = newFile();
    const vault = vaultAt(file);
    await vault.put('outloop://acme/a', ANTHROPIC('vault:tamper:a'));
    await vault.put('outloop://acme/b', ANTHROPIC('vault:tamper:b'));
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.entries['outloop://acme/a'] = doc.entries['outloop://acme/b'];
    fs.writeFileSync(file, JSON.stringify(doc));
    await assert.rejects(vaultAt(file).get('outloop://acme/a'), /fails authentication/);
    assert.equal(await vaultAt(file).get('outloop://acme/b'), ANTHROPIC('vault:tamper:b'));
  });
});

describe('file vault: wrong passphrase', () => {
  it('fails clearly on get, put and delete, and changes nothing', async () => {
    const file = newFile();
    const secret = ANTHROPIC('vault:wrong');
    await vaultAt(file).put('outloop://acme/claude', secret);
    const before = fs.readFileSync(file);
    const wrong = vaultAt(file, 'not the passphrase');
    const isWrong = (e: Error) => e instanceof WrongPassphraseError && /wrong passphrase/.test(e.message) && /AES-GCM/.test(e.message) && !e.message.includes(secret);
    await assert.rejects(wrong.get('outloop://acme/claude'), isWrong);
    await assert.rejects(wrong.put('outloop://acme/claude', ANTHROPIC('vault:wrong:2')), isWrong);
    await assert.rejects(wrong.put('outloop://acme/other', ANTHROPIC('vault:wrong:3')), isWrong);
    await assert.rejects(wrong.delete('outloop://acme/claude'), isWrong);
    assert.ok(fs.readFileSync(file).equals(before), 'the file is byte for byte as it was');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['vault.json'], 'no lock left behind');
    assert.equal(await vaultAt(file).get('outloop://acme/claude'), secret, 'the right passphrase still opens it');
    assert.deepEqual(await wrong.list(), ['outloop://acme/claude'], 'aliases are listed without the passphrase');
  });

  it('asks again after a wrong passphrase when the passphrase comes from a prompt', async () => {
    const file = newFile();
    await vaultAt(file).put('outloop://acme/claude', ANTHROPIC('vault:reask'));
    const answers = ['typo', PASS];
    const asked: string[] = [];
    const vault = new FileVault({ file, env: {}, kdf: FAST, passphrase: async (purpose) => (asked.push(purpose), answers.shift()!) });
    await assert.rejects(vault.get('outloop://acme/claude'), WrongPassphraseError);
    assert.equal(await vault.get('outloop://acme/claude'), ANTHROPIC('vault:reask'));
    assert.deepEqual(asked, ['open', 'open']);
  });
});

describe('file vault: where the passphrase and the file come from', () => {
  it('available() when a passphrase can be had: env, option, or a terminal', async () => {
    const notTty = { isTTY: false } as never;
    assert.equal(await new FileVault({ file: newFile(), env: {}, stdin: notTty }).available(), false);
    assert.equal(await new FileVault({ file: newFile(), env: { OUTLOOP_VAULT_PASSPHRASE: PASS }, stdin: notTty }).available(), true);
    assert.equal(await new FileVault({ file: newFile(), env: {}, passphrase: PASS, stdin: notTty }).available(), true);
    const tty = { isTTY: true, setRawMode() {} } as never;
    assert.equal(await new FileVault({ file: newFile(), env: {}, stdin: tty }).available(), true);
  });

  it('with no passphrase and no terminal, says how to give one', async () => {
    const file = newFile();
    await vaultAt(file).put('outloop://acme/a', ANTHROPIC('vault:nopass'));
    const vault = new FileVault({ file, env: {}, stdin: { isTTY: false } as never });
    await assert.rejects(vault.get('outloop://acme/a'), /set OUTLOOP_VAULT_PASSPHRASE or run outloop on a terminal/);
  });

  it('default file: OUTLOOP_VAULT_FILE, else XDG_DATA_HOME, else ~/.local/share', () => {
    assert.equal(defaultVaultFile({ OUTLOOP_VAULT_FILE: '/x/v.json', XDG_DATA_HOME: '/d', HOME: '/h' }), '/x/v.json');
    assert.equal(defaultVaultFile({ XDG_DATA_HOME: '/d', HOME: '/h' }), '/d/outloop/vault.json');
    assert.equal(defaultVaultFile({ XDG_DATA_HOME: 'relative', HOME: '/h' }), '/h/.local/share/outloop/vault.json', 'a relative XDG_DATA_HOME is ignored, as the spec says');
    assert.equal(defaultVaultFile({ HOME: '/h' }), '/h/.local/share/outloop/vault.json');
    const home = tempDir('outloop-vault-home-');
    const vault = new FileVault({ env: { HOME: home } });
    assert.equal(vault.file, path.join(home, '.local/share/outloop/vault.json'));
    assert.equal(new FileVault({ env: { HOME: home }, file: 'rel.json' }).file, path.resolve('rel.json'));
  });
});

describe('file vault: concurrent writers', () => {
  it('two processes putting at once: every entry lands', async () => {
    const file = newFile();
    const go = path.join(path.dirname(path.dirname(file)), 'go');
    const count = 12;
    const run = (tenant: string, prefix: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CHILD], {
          env: { ...process.env, OUTLOOP_VAULT_TEST_CHILD: 'put', OUTLOOP_VAULT_FILE: file, OUTLOOP_VAULT_PASSPHRASE: PASS, CHILD_COUNT: String(count), CHILD_TENANT: tenant, CHILD_PREFIX: prefix, CHILD_GO: go },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (b) => (stderr += b));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const prefixA = ANTHROPIC('vault:conc:a');
    const prefixB = ANTHROPIC('vault:conc:b');
    const both = Promise.all([run('acme', prefixA), run('globex', prefixB)]);
    await new Promise((r) => setTimeout(r, 300));
    fs.writeFileSync(go, '');
    for (const r of await both) assert.equal(r.code, 0, r.stderr);
    const vault = new FileVault({ file, env: { OUTLOOP_VAULT_PASSPHRASE: PASS } });
    const aliases = await vault.list();
    assert.equal(aliases.length, 2 * count, `all ${2 * count} puts landed: ${aliases.join(' ')}`);
    for (let i = 0; i < count; i++) {
      assert.equal(await vault.get(`outloop://acme/k${i}`), `${prefixA}${i}`);
      assert.equal(await vault.get(`outloop://globex/k${i}`), `${prefixB}${i}`);
    }
    assert.ok(!fs.existsSync(`${file}.lock`));
  });

  it('puts racing inside one process, on one object and on two, all land', async () => {
    const file = newFile();
    const one = vaultAt(file);
    const two = vaultAt(file);
    await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? one : two).put(`outloop://acme/p${i}`, `${ANTHROPIC('vault:race')}${i}`)));
    assert.equal((await one.list()).length, 16);
  });

  it('waits for a live lock holder, then gives up naming it', async () => {
    const file = newFile();
    const vault = vaultAt(file, PASS, { lockTimeoutMs: 300 });
    await vault.put('outloop://acme/a', ANTHROPIC('vault:lock:a'));
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'someone-else', created: new Date().toISOString() }));
    const before = fs.readFileSync(file);
    await assert.rejects(vault.put('outloop://acme/b', ANTHROPIC('vault:lock:b')), (e: Error) => e instanceof VaultLockedError && new RegExp(`pid ${process.pid}`).test(e.message));
    assert.ok(fs.readFileSync(file).equals(before));
    assert.ok(fs.existsSync(lock), 'a live holder keeps its lock');
    // Released meanwhile: the next put goes through.
    const waiting = vaultAt(file, PASS, { lockTimeoutMs: 5000 }).put('outloop://acme/b', ANTHROPIC('vault:lock:b'));
    setTimeout(() => fs.rmSync(lock), 200);
    await waiting;
    assert.equal(await vault.get('outloop://acme/b'), ANTHROPIC('vault:lock:b'));
  });

  it('takes over a lock whose owner is dead, and one older than the stale timeout', async () => {
    const file = newFile();
    const vault = vaultAt(file, PASS, { lockTimeoutMs: 2000, staleLockMs: 1000 });
    await vault.put('outloop://acme/a', ANTHROPIC('vault:stale:a'));
    const lock = `${file}.lock`;
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), token: 'dead', created: new Date().toISOString() }));
    await vault.put('outloop://acme/b', ANTHROPIC('vault:stale:b'));
    assert.ok(!fs.existsSync(lock));
    // A live owner (this process) but an old lock: past the stale timeout it is taken over.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'old', created: '2000-01-01T00:00:00Z' }));
    const old = new Date(Date.now() - 5000);
    fs.utimesSync(lock, old, old);
    await vault.put('outloop://acme/c', ANTHROPIC('vault:stale:c'));
    assert.deepEqual(await vault.list(), ['outloop://acme/a', 'outloop://acme/b', 'outloop://acme/c']);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['vault.json']);
  });
});

// ---------------------------------------------------------------------------------------------
// The prompt, on a real pseudo-terminal

function onTerminal(env: Record<string, string>, steps: PtyStep[]): PtyRun {
  return onPty([process.execPath, CHILD], steps, { env: { ...process.env, OUTLOOP_VAULT_TEST_CHILD: 'prompt', ...env } });
}

describe('file vault: the passphrase prompt on a terminal', { skip: HAVE_PTY ? false : 'python3 with pty is not available' }, () => {
  it('asks twice for a new vault and once to open it, echoing nothing', () => {
    const file = newFile();
    const secret = ANTHROPIC('vault:pty');
    const phrase = 'typed on a terminal 7';
    const created = onTerminal({ OUTLOOP_VAULT_FILE: file, CHILD_ALIAS: 'outloop://acme/claude', CHILD_PUT: secret }, [
      { wait: 'New passphrase' },
      { send: phrase + '\r' },
      { wait: 'Repeat the passphrase' },
      { send: phrase + '\r' },
      { wait: 'PUT OK' },
    ]);
    assert.ok(created.completed, created.output);
    assert.equal(created.code, 0, created.output);
    assert.ok(!created.output.includes(phrase), 'the passphrase was not echoed');
    const opened = onTerminal({ OUTLOOP_VAULT_FILE: file, CHILD_ALIAS: 'outloop://acme/claude' }, [{ wait: 'Passphrase for the outloop vault' }, { send: phrase + '\r' }, { wait: 'GOT' }]);
    assert.equal(opened.code, 0, opened.output);
    assert.ok(!opened.output.includes(phrase));
    assert.match(opened.output, new RegExp(`GOT ${crypto.createHash('sha256').update(secret).digest('hex')}`));
  });

  it('refuses two different passphrases for a new vault and writes nothing', () => {
    const file = newFile();
    const r = onTerminal({ OUTLOOP_VAULT_FILE: file, CHILD_ALIAS: 'outloop://acme/claude', CHILD_PUT: ANTHROPIC('vault:pty2') }, [
      { wait: 'New passphrase' },
      { send: 'first try\r' },
      { wait: 'Repeat the passphrase' },
      { send: 'second try\r' },
    ]);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /do not match/);
    assert.ok(!fs.existsSync(file));
  });
});
