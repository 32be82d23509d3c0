/**
 * The `secret-service` vault: the desktop keyring (GNOME Keyring, KWallet, KeePassXC...) through
 * `secret-tool` from libsecret (Debian: libsecret-tools). Each secret is an item with the attributes
 * `service outloop` and `alias <alias>`, labelled `outloop <alias>`.
 *
 *   put     printf %s SECRET | secret-tool store --label 'outloop ALIAS' service outloop alias ALIAS
 *   get     secret-tool lookup service outloop alias ALIAS      (exit 1 and no stderr: not there)
 *   delete  secret-tool clear service outloop alias ALIAS       (exit 1 and no stderr: not there)
 *   list    secret-tool search --all service outloop            (attribute.alias = ... lines)
 *
 * The secret goes on stdin, never in argv. secret-tool reads a non-terminal stdin whole, as it is,
 * and prints a looked-up secret with no newline added when stdout is not a terminal.
 */
import { checkAlias, checkSecret } from './alias.js';
import { VaultError } from './errors.js';
import { cliFailure, runVaultCli, type CliResult } from './run.js';
import { parseAlias, type VaultBackend } from './vault.js';

export interface SecretServiceOptions {
  env?: NodeJS.ProcessEnv;
  /** The secret-tool executable (default `secret-tool` on PATH). */
  command?: string;
  /** Per call; a locked keyring may show an unlock dialog (default 120 s). */
  timeoutMs?: number;
}

const SERVICE = 'outloop';

export class SecretServiceVault implements VaultBackend {
  readonly name = 'secret-service' as const;
  private readonly command: string;

  constructor(private readonly options: SecretServiceOptions = {}) {
    this.command = options.command ?? 'secret-tool';
  }

  /** secret-tool is installed and a Secret Service answers on the session bus. */
  async available(): Promise<boolean> {
    const env = this.options.env ?? process.env;
    if (process.platform === 'win32' || process.platform === 'darwin') return false;
    if (!env.DBUS_SESSION_BUS_ADDRESS && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
    // A search for an alias nobody uses: exit 0 (no match is no error) only when the service answered.
    const r = await this.run(['search', 'service', SERVICE, 'alias', 'outloop://outloop-probe/none'], undefined, 10_000);
    return r.code === 0;
  }

  async put(alias: string, secret: string): Promise<void> {
    checkAlias(this.name, alias);
    checkSecret(this.name, alias, secret);
    const r = await this.run(['store', '--label', `outloop ${alias}`, 'service', SERVICE, 'alias', alias], secret);
    if (r.code !== 0) throw this.failure('store', alias, r);
  }

  async get(alias: string): Promise<string | null> {
    checkAlias(this.name, alias);
    const r = await this.run(['lookup', 'service', SERVICE, 'alias', alias]);
    if (r.code === 0) return r.stdout.toString('utf8');
    if (r.code === 1 && !r.stderr.trim()) return null;
    throw this.failure('lookup', alias, r);
  }

  async delete(alias: string): Promise<void> {
    checkAlias(this.name, alias);
    const r = await this.run(['clear', 'service', SERVICE, 'alias', alias]);
    if (r.code === 0 || (r.code === 1 && !r.stderr.trim())) return;
    throw this.failure('clear', alias, r);
  }

  async list(): Promise<string[]> {
    const r = await this.run(['search', '--all', 'service', SERVICE]);
    if (r.code !== 0) throw this.failure('search', null, r);
    // secret-tool prints attributes on stderr and label/secret on stdout; older builds put all on
    // stdout. Read stderr when it has attributes, so a secret's own text can never pose as an alias.
    const source = /^attribute\./m.test(r.stderr) ? r.stderr : r.stdout.toString('utf8');
    const aliases = new Set<string>();
    for (const m of source.matchAll(/^attribute\.alias = (.*)$/gm)) {
      const alias = m[1]!.trim();
      if (parseAlias(alias)) aliases.add(alias);
    }
    return [...aliases].sort();
  }

  private run(args: string[], input?: string, timeoutMs?: number): Promise<CliResult> {
    return runVaultCli({ ...this.options, command: this.command }, args, input, timeoutMs);
  }

  private failure(what: string, alias: string | null, r: CliResult): VaultError {
    return cliFailure(this.name, { tool: 'secret-tool', notInstalled: `${this.command} is not installed (Debian/Ubuntu: apt-get install libsecret-tools)`, noAnswer: 'a locked keyring waiting for an unlock?' }, what, alias, r);
  }
}
