/**
 * The `file` vault: one JSON file, usable on any machine and in CI. Aliases are stored in clear (they
 * are not secret); every value is sealed with AES-256-GCM under a key that scrypt derives from the
 * passphrase and the file's random salt, with the alias as additional data (so a value cannot be moved
 * to another alias unnoticed). A `check` block sealed the same way tells a wrong passphrase from a
 * right one before anything is read or written.
 *
 * Writes go through a temp file and a rename with mode 0600, under a lock file (created with O_EXCL,
 * taken over only when its owner is dead or it is older than the stale timeout), so two outloop
 * processes putting at once both land. Readers need no lock: they see the old file or the new one.
 *
 * File layout (version 1):
 *   { "outloop": "vault", "version": 1,
 *     "kdf": { "name": "scrypt", "N": 32768, "r": 8, "p": 1, "keyLength": 32, "salt": base64 },
 *     "cipher": "aes-256-gcm",
 *     "check": { "iv", "tag", "data" },
 *     "entries": { "outloop://acme/stripe": { "iv", "tag", "data", "updated": ISO date } } }
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileWhole } from '../write-file.js';
import type { KeyStdin } from '../tenancy/bind.js';
import { checkAlias, checkSecret } from './alias.js';
import { VaultError, VaultLockedError, WrongPassphraseError } from './errors.js';
import type { VaultBackend } from './vault.js';
import { isJsonObject } from '../json-object.js';

export const PASSPHRASE_ENV = 'OUTLOOP_VAULT_PASSPHRASE';
export const VAULT_FILE_ENV = 'OUTLOOP_VAULT_FILE';

/** scrypt cost for new files: N=2^15, r=8, p=1 (32 MiB, about 0.1 s); a file keeps the cost it was made with. */
export const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 } as const;

const KEY_LENGTH = 32;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const CHECK_PLAINTEXT = 'outloop vault check v1';
const CHECK_AAD = 'outloop-vault:v1:check';
const entryAad = (alias: string) => `outloop-vault:v1:entry:${alias}`;

export interface FileVaultOptions {
  /** The vault file; default `OUTLOOP_VAULT_FILE`, else `$XDG_DATA_HOME/outloop/vault.json`, else `~/.local/share/outloop/vault.json`. */
  file?: string;
  /** Where OUTLOOP_VAULT_FILE, OUTLOOP_VAULT_PASSPHRASE, XDG_DATA_HOME and HOME come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The passphrase, or a function that asks for it; default: OUTLOOP_VAULT_PASSPHRASE, else a no-echo prompt on a TTY. */
  passphrase?: string | ((purpose: 'open' | 'create') => Promise<string>);
  /** Standard input for the prompt (default process.stdin); the prompt is only shown when it is a TTY. */
  stdin?: KeyStdin;
  /** Where the prompt is written (default process.stderr). */
  stderr?: NodeJS.WritableStream;
  /** How long to wait for another writer's lock (default 15 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is taken over even when its owner may be alive (default 60 s). */
  staleLockMs?: number;
  /** scrypt cost for a new file (tests lower it; an existing file keeps its own). */
  kdf?: { N: number; r: number; p: number };
}

interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

interface Entry extends Sealed {
  updated: string;
}

interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  keyLength: number;
  salt: string;
}

interface VaultDocument {
  outloop: 'vault';
  version: 1;
  kdf: KdfParams;
  cipher: 'aes-256-gcm';
  check: Sealed;
  entries: Record<string, Entry>;
}

export function defaultVaultFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env[VAULT_FILE_ENV]) return path.resolve(env[VAULT_FILE_ENV]!);
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(dataHome, 'outloop', 'vault.json');
}

export class FileVault implements VaultBackend {
  readonly name = 'file' as const;
  readonly file: string;
  private readonly env: NodeJS.ProcessEnv;
  private passphrase: string | undefined;
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly options: FileVaultOptions = {}) {
    this.env = options.env ?? process.env;
    this.file = options.file ? path.resolve(options.file) : defaultVaultFile(this.env);
    if (typeof options.passphrase === 'string') this.passphrase = options.passphrase;
  }

  async available(): Promise<boolean> {
    if (this.passphrase || typeof this.options.passphrase === 'function' || this.env[PASSPHRASE_ENV]) return true;
    const stdin = this.options.stdin ?? (process.stdin as unknown as KeyStdin);
    return Boolean(stdin.isTTY && typeof stdin.setRawMode === 'function');
  }

  async put(alias: string, secret: string): Promise<void> {
    checkAlias(this.name, alias);
    checkSecret(this.name, alias, secret);
    await this.locked(async (stillOurs) => {
      const existing = this.read();
      const doc = existing ?? (await this.create());
      const key = await this.keyFor(doc, existing ? 'open' : 'create');
      this.verify(doc, key);
      doc.entries[alias] = { ...seal(key, secret, entryAad(alias)), updated: new Date().toISOString() };
      stillOurs();
      this.write(doc);
    });
  }

  async get(alias: string): Promise<string | null> {
    checkAlias(this.name, alias);
    const doc = this.read();
    if (!doc) return null;
    const key = await this.keyFor(doc, 'open');
    this.verify(doc, key);
    const entry = Object.hasOwn(doc.entries, alias) ? doc.entries[alias] : undefined;
    if (!entry) return null;
    const plain = open(key, entry, entryAad(alias));
    if (plain === null) throw new VaultError(this.name, `the entry for ${alias} in ${this.file} fails authentication (the file was altered); it was left as it is`);
    return plain;
  }

  async delete(alias: string): Promise<void> {
    checkAlias(this.name, alias);
    if (!fs.existsSync(this.file)) return;
    await this.locked(async (stillOurs) => {
      const doc = this.read();
      if (!doc) return;
      // The passphrase is checked even to delete: a wrong one must never cost an entry.
      this.verify(doc, await this.keyFor(doc, 'open'));
      if (!Object.hasOwn(doc.entries, alias)) return;
      delete doc.entries[alias];
      stillOurs();
      this.write(doc);
    });
  }

  async list(): Promise<string[]> {
    const doc = this.read();
    return doc ? Object.keys(doc.entries).sort() : [];
  }

  // -------------------------------------------------------------------------------------------
  // The document

  private read(): VaultDocument | null {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new VaultError(this.name, `cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new VaultError(this.name, `${this.file} is not valid JSON; it was left as it is (move it aside to start a new vault)`);
    }
    const problem = invalidDocument(data);
    if (problem) throw new VaultError(this.name, `${this.file} is not an outloop vault (${problem}); it was left as it is`);
    return data as VaultDocument;
  }

  private async create(): Promise<VaultDocument> {
    const cost = this.options.kdf ?? DEFAULT_KDF;
    const kdf: KdfParams = { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, keyLength: KEY_LENGTH, salt: crypto.randomBytes(16).toString('base64') };
    const doc: VaultDocument = { outloop: 'vault', version: 1, kdf, cipher: 'aes-256-gcm', check: { iv: '', tag: '', data: '' }, entries: {} };
    doc.check = seal(await this.keyFor(doc, 'create'), CHECK_PLAINTEXT, CHECK_AAD);
    return doc;
  }

  private write(doc: VaultDocument): void {
    const dir = path.dirname(this.file);
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileWhole(this.file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600, what: `vault ${this.file}` });
  }

  private verify(doc: VaultDocument, key: Buffer): void {
    if (open(key, doc.check, CHECK_AAD) !== CHECK_PLAINTEXT) {
      // Forget it, so a passphrase typed wrong is asked for again next time rather than reused.
      this.keys.clear();
      if (typeof this.options.passphrase !== 'string') this.passphrase = undefined;
      throw new WrongPassphraseError(this.name, `wrong passphrase for ${this.file} (AES-GCM authentication failed); nothing was read or changed`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The key

  private async keyFor(doc: VaultDocument, purpose: 'open' | 'create'): Promise<Buffer> {
    const { N, r, p, keyLength, salt } = doc.kdf;
    const id = `${salt}:${N}:${r}:${p}:${keyLength}`;
    const cached = this.keys.get(id);
    if (cached) return cached;
    const passphrase = await this.getPassphrase(purpose);
    const key = await new Promise<Buffer>((resolve, reject) =>
      crypto.scrypt(passphrase, Buffer.from(salt, 'base64'), keyLength, { N, r, p, maxmem: 128 * N * r * p + 32 * 1024 * 1024 }, (err, k) => (err ? reject(err) : resolve(k))),
    );
    this.keys.set(id, key);
    return key;
  }

  private async getPassphrase(purpose: 'open' | 'create'): Promise<string> {
    if (this.passphrase) return this.passphrase;
    const fromEnv = this.env[PASSPHRASE_ENV];
    let passphrase: string;
    if (fromEnv) passphrase = fromEnv;
    else if (typeof this.options.passphrase === 'function') passphrase = await this.options.passphrase(purpose);
    else passphrase = await this.prompt(purpose);
    if (!passphrase) throw new VaultError(this.name, 'the passphrase is empty');
    this.passphrase = passphrase;
    return passphrase;
  }

  private async prompt(purpose: 'open' | 'create'): Promise<string> {
    const stdin = this.options.stdin ?? (process.stdin as unknown as KeyStdin);
    const stderr = this.options.stderr ?? process.stderr;
    if (!(stdin.isTTY && typeof stdin.setRawMode === 'function')) {
      throw new VaultError(this.name, `no passphrase for ${this.file}: set ${PASSPHRASE_ENV} or run outloop on a terminal`);
    }
    const { readKeyFromStdin, KeyEntryCancelled } = await import('../tenancy/bind.js');
    const ask = async (prompt: string) => {
      try {
        return await readKeyFromStdin({ stdin, stderr, prompt, readAll: () => Promise.reject(new Error('not a terminal')) });
      } catch (err) {
        if (err instanceof KeyEntryCancelled && err.signal === 'EOF') throw new VaultError(this.name, 'no passphrase was entered');
        throw err;
      }
    };
    if (purpose === 'open') return ask(`Passphrase for the outloop vault ${this.file} (input hidden): `);
    const first = await ask(`New passphrase for the outloop vault ${this.file} (input hidden): `);
    if (!first) throw new VaultError(this.name, 'the passphrase is empty');
    const again = await ask('Repeat the passphrase: ');
    if (again !== first) throw new VaultError(this.name, 'the passphrases do not match; nothing was written');
    return first;
  }

  // -------------------------------------------------------------------------------------------
  // The lock

  private async locked(fn: (stillOurs: () => void) => Promise<void>): Promise<void> {
    const lockFile = `${this.file}.lock`;
    // One writer at a time inside this process too, without polling the lock file.
    const previous = inProcess.get(lockFile) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chain = previous.then(() => mine);
    inProcess.set(lockFile, chain);
    await previous;
    try {
      const token = await acquire(lockFile, this.options.lockTimeoutMs ?? 15_000, this.options.staleLockMs ?? 60_000);
      try {
        await fn(() => {
          if (readLock(lockFile)?.token !== token) {
            throw new VaultLockedError(this.name, `another process took over the lock on ${this.file} (stale timeout passed); nothing was written, try again`);
          }
        });
      } finally {
        if (readLock(lockFile)?.token === token) fs.rmSync(lockFile, { force: true });
      }
    } finally {
      release();
      if (inProcess.get(lockFile) === chain) inProcess.delete(lockFile);
    }
  }
}

const inProcess = new Map<string, Promise<void>>();

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  created: string;
}

function readLock(file: string): LockInfo | null {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof data.token === 'string' ? data : null;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquire(lockFile: string, timeoutMs: number, staleMs: number): Promise<string> {
  const token = crypto.randomBytes(12).toString('hex');
  const info: LockInfo = { pid: process.pid, host: os.hostname(), token, created: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
  for (;;) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(lockFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      fs.writeSync(fd, JSON.stringify(info));
      return token;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new VaultError('file', `cannot create the lock ${lockFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    const holder = readLock(lockFile);
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lockFile).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    const deadOwner = holder !== null && holder.host === os.hostname() && !pidAlive(holder.pid);
    if (deadOwner || age > staleMs) {
      breakStale(lockFile, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new VaultLockedError('file', `${lockFile} is held by ${holder ? `pid ${holder.pid} on ${holder.host}` : 'another process'}; gave up after ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 40)));
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile: the lock is renamed
 * away (only one taker wins the rename), and if what was moved is not the lock judged stale, it is
 * put back (link fails if yet another lock already took the place).
 */
function breakStale(lockFile: string, judged: LockInfo | null): void {
  const grave = `${lockFile}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockFile, grave);
  } catch {
    return;
  }
  const moved = readLock(grave);
  if (judged && moved?.token !== judged.token) {
    try {
      fs.linkSync(grave, lockFile);
    } catch {
      // Another lock took the place; its owner's token check stops the one we displaced.
    }
  }
  fs.rmSync(grave, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Sealing

function seal(key: Buffer, plaintext: string, aad: string): Sealed {
  const iv = crypto.randomBytes(IV_LENGTH);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plaintext, or null when authentication fails (wrong key, altered bytes, wrong alias). */
function open(key: Buffer, sealed: Sealed, aad: string): string | null {
  try {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_LENGTH || tag.length !== TAG_LENGTH) return null;
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

function invalidDocument(data: unknown): string | null {
  if (!isJsonObject(data) || data.outloop !== 'vault') return 'no "outloop": "vault" header';
  if (data.version !== 1) return `unsupported version ${JSON.stringify(data.version)}`;
  if (data.cipher !== 'aes-256-gcm') return `unsupported cipher ${JSON.stringify(data.cipher)}`;
  const kdf = data.kdf;
  if (!isJsonObject(kdf) || kdf.name !== 'scrypt') return 'kdf is not scrypt';
  const { N, r, p, keyLength, salt } = kdf;
  if (typeof N !== 'number' || !Number.isInteger(Math.log2(N)) || N < 2 ** 10 || N > 2 ** 20) return 'scrypt N out of range';
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > 32) return 'scrypt r out of range';
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 16) return 'scrypt p out of range';
  if (keyLength !== KEY_LENGTH) return 'key length is not 32';
  if (typeof salt !== 'string' || Buffer.from(salt, 'base64').length < 16) return 'salt missing or short';
  if (!isSealed(data.check)) return 'no check block';
  if (!isJsonObject(data.entries)) return 'no entries';
  for (const [alias, entry] of Object.entries(data.entries)) if (!isSealed(entry)) return `entry ${alias} is malformed`;
  return null;
}

function isSealed(v: unknown): v is Sealed {
  return isJsonObject(v) && typeof v.iv === 'string' && typeof v.tag === 'string' && typeof v.data === 'string';
}
