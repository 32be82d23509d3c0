/** A tiny VaultBackend for tests: one file per alias in a temp folder (atomic writes). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { VaultBackend } from '../../src/vault/vault.js';

export class DirVault implements VaultBackend {
  readonly name = 'file' as const;
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }
  private file(alias: string): string {
    return path.join(this.dir, crypto.createHash('sha256').update(alias).digest('hex') + '.json');
  }
  async available(): Promise<boolean> {
    return true;
  }
  async put(alias: string, secret: string): Promise<void> {
    const f = this.file(alias);
    const tmp = `${f}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    fs.writeSync(fd, JSON.stringify({ alias, secret }));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, f);
  }
  async get(alias: string): Promise<string | null> {
    try {
      return (JSON.parse(fs.readFileSync(this.file(alias), 'utf8')) as { secret: string }).secret;
    } catch {
      return null;
    }
  }
  async delete(alias: string): Promise<void> {
    fs.rmSync(this.file(alias), { force: true });
  }
  async list(): Promise<string[]> {
    return fs
      .readdirSync(this.dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => (JSON.parse(fs.readFileSync(path.join(this.dir, n), 'utf8')) as { alias: string }).alias);
  }
  /** Every secret held (for "no key lost" checks). */
  secrets(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => (JSON.parse(fs.readFileSync(path.join(this.dir, n), 'utf8')) as { secret: string }).secret);
  }
}
