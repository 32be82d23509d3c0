/**
 * The `keychain` vault: the macOS login keychain through `/usr/bin/security`. Each secret is a generic
 * password with service `outloop` and account `<alias>`, labelled `outloop <alias>`.
 *
 * The secret never goes in argv (`-w SECRET` would show in `ps`), and not through the `-w` prompt
 * either: that prompt is getpass(3), which reads the terminal when there is one, asks twice, keeps at
 * most 128 characters and stores an EMPTY password, exit 0, when the two reads differ. Instead
 * `security -i` (interactive mode) reads one command line from stdin:
 *
 *   put     security -i   <<<  add-generic-password -U -s outloop -a "ALIAS" -l "outloop ALIAS" -X HEX
 *   get     security find-generic-password -s outloop -a ALIAS -w      (exit 44: not there)
 *   delete  security delete-generic-password -s outloop -a ALIAS       (exit 44: not there)
 *   list    security dump-keychain                                     (attributes only, no secrets)
 *
 * `-X` takes the password as hex, so the line holds nothing the line splitter could misread. The
 * interactive line is at most 4096 bytes (security.c MAX_LINE_LEN), which bounds the secret to about
 * 1.9 KB; longer secrets are refused with a clear error. `find-generic-password -w` prints a password
 * with any non-printable byte as bare hex (indistinguishable from a hex password), so a secret with
 * line breaks, tabs or non-ASCII characters is stored as `outloop:json:` + its JSON-escaped ASCII form
 * and decoded on the way back. Every put is read back and compared.
 *
 * Tested against a recorded contract of the CLI (a fake `security`), not a real keychain.
 */
import { checkAlias, checkSecret } from './alias.js';
import { VaultError } from './errors.js';
import { cliFailure, lastLine, runVaultCli, type CliResult } from './run.js';
import { parseAlias, type VaultBackend } from './vault.js';

export interface KeychainOptions {
  env?: NodeJS.ProcessEnv;
  /** The security executable (default `security` on PATH, which is /usr/bin/security on macOS). */
  command?: string;
  /** Which platform to behave as (default process.platform): the keychain is only available on darwin. */
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

const SERVICE = 'outloop';
/** errSecItemNotFound (-25300) as an exit status. */
const NOT_FOUND = 44;
/** security.c reads interactive lines into a 4096-byte buffer; keep well inside it. */
const MAX_LINE = 4000;
const ENCODED = 'outloop:json:';

export class KeychainVault implements VaultBackend {
  readonly name = 'keychain' as const;
  private readonly command: string;

  constructor(private readonly options: KeychainOptions = {}) {
    this.command = options.command ?? 'security';
  }

  /** On macOS, when `security` answers with a default keychain. */
  async available(): Promise<boolean> {
    if ((this.options.platform ?? process.platform) !== 'darwin') return false;
    const r = await this.run(['default-keychain'], undefined, 10_000);
    return r.code === 0 && r.stdout.toString('utf8').trim().length > 0;
  }

  async put(alias: string, secret: string): Promise<void> {
    checkAlias(this.name, alias);
    checkSecret(this.name, alias, secret);
    const stored = encodeForKeychain(secret);
    const hex = Buffer.from(stored, 'utf8').toString('hex');
    const line = ['add-generic-password', '-U', '-s', SERVICE, '-a', quote(alias), '-l', quote(`outloop ${alias}`), '-X', hex].join(' ');
    if (line.length > MAX_LINE) {
      const room = Math.floor((MAX_LINE - (line.length - hex.length)) / 2);
      throw new VaultError(this.name, `the secret for ${alias} is too long for the keychain CLI (${hex.length / 2} bytes as stored, at most ${room}); use the file or secret-service vault for it`);
    }
    const r = await this.run(['-i'], line + '\n');
    // Interactive mode exits with the last command's status and says "add-generic-password: returned N".
    if (r.code !== 0 || /returned -?\d+/.test(r.stderr)) throw this.failure('add-generic-password', alias, r);
    const back = await this.get(alias);
    if (back !== secret) throw new VaultError(this.name, `the keychain did not keep the secret for ${alias} as given (read back ${back === null ? 'nothing' : 'a different value'})`);
  }

  async get(alias: string): Promise<string | null> {
    checkAlias(this.name, alias);
    const r = await this.run(['find-generic-password', '-s', SERVICE, '-a', alias, '-w']);
    if (r.code === NOT_FOUND) return null;
    if (r.code !== 0) throw this.failure('find-generic-password', alias, r);
    // The password, then exactly one newline.
    const printed = r.stdout.toString('utf8').replace(/\n$/, '');
    return decodeFromKeychain(printed);
  }

  async delete(alias: string): Promise<void> {
    checkAlias(this.name, alias);
    const r = await this.run(['delete-generic-password', '-s', SERVICE, '-a', alias]);
    if (r.code === 0 || r.code === NOT_FOUND) return;
    throw this.failure('delete-generic-password', alias, r);
  }

  async list(): Promise<string[]> {
    const r = await this.run(['dump-keychain']);
    if (r.code !== 0) throw this.failure('dump-keychain', null, r);
    return aliasesInDump(r.stdout.toString('utf8'));
  }

  private run(args: string[], input?: string, timeoutMs?: number): Promise<CliResult> {
    // No controlling terminal: security never prompts on the user's terminal behind outloop's back.
    return runVaultCli({ ...this.options, command: this.command, detached: true }, args, input, timeoutMs);
  }

  private failure(what: string, alias: string | null, r: CliResult): VaultError {
    return cliFailure(
      this.name,
      {
        tool: 'security',
        notInstalled: `${this.command} was not found (the keychain vault needs macOS)`,
        noAnswer: 'a locked keychain waiting for a dialog?',
        why: (stderr) => lastLine(stderr.replace(/^.*returned -?\d+\s*$/m, '')),
      },
      what,
      alias,
      r,
    );
  }
}

/** Printable ASCII stays as it is; anything else becomes `outloop:json:` + a JSON-escaped ASCII body. */
export function encodeForKeychain(secret: string): string {
  if (/^[\x20-\x7e]*$/.test(secret) && !secret.startsWith(ENCODED)) return secret;
  const body = JSON.stringify(secret)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return ENCODED + body;
}

export function decodeFromKeychain(stored: string): string {
  if (!stored.startsWith(ENCODED)) return stored;
  return JSON.parse(`"${stored.slice(ENCODED.length)}"`) as string;
}

/** A `security -i` argument: double quotes, with `"` and `\` escaped (split_line in security.c). */
function quote(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new VaultError('keychain', 'a line break cannot be passed to security -i');
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The accounts of the generic passwords with service "outloop" in a `security dump-keychain` listing. */
export function aliasesInDump(dump: string): string[] {
  const aliases = new Set<string>();
  for (const block of dump.split(/^keychain: /m)) {
    if (!/^class: "genp"$/m.test(block)) continue;
    if (!/^\s*"svce"<blob>="outloop"$/m.test(block)) continue;
    const acct = /^\s*"acct"<blob>="(.*)"$/m.exec(block);
    if (acct && parseAlias(acct[1]!)) aliases.add(acct[1]!);
  }
  return [...aliases].sort();
}
