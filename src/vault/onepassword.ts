/**
 * The `1password` vault: the 1Password CLI (`op`, version 2). Each secret is an API Credential item
 * titled `outloop TENANT NAME` (secret references allow letters, digits, `-`, `_`, `.` and spaces, not
 * the slashes of an alias) in one vault (OUTLOOP_OP_VAULT, default `Private`), tagged `outloop`, with
 * the secret in its `credential` field and the alias in an `alias` text field.
 *
 *   put     op item create --vault V --format json -        (the item as a JSON template on stdin)
 *           then op item delete ID --vault V                 (the items it replaces, by id)
 *   get     op read --no-newline "op://V/outloop TENANT NAME/credential"
 *   delete  op item delete ID --vault V                      (each item with that title)
 *   list    op item list --vault V --tags outloop --format json
 *
 * The secret goes in the JSON template on stdin: assignment statements (`credential=...`) are argv,
 * which 1Password's own documentation says not to use for sensitive values. A replacement is created
 * before the old item is deleted, so a failure never leaves the alias with no secret; while both exist
 * a read picks the newest.
 *
 * Tested against a recorded contract of the CLI (a fake `op`), not a real 1Password account.
 */
import { checkAlias, checkSecret } from './alias.js';
import { VaultError } from './errors.js';
import { cliFailure, lastLine, runVaultCli, type CliResult } from './run.js';
import { aliasFor, type VaultBackend } from './vault.js';

export const OP_VAULT_ENV = 'OUTLOOP_OP_VAULT';

export interface OnePasswordOptions {
  env?: NodeJS.ProcessEnv;
  /** The op executable (default `op` on PATH). */
  command?: string;
  /** The 1Password vault holding outloop's items (default OUTLOOP_OP_VAULT, else `Private`). */
  vault?: string;
  timeoutMs?: number;
}

const TAG = 'outloop';
const FIELD = 'credential';
const TITLE = /^outloop ([a-z0-9][a-z0-9._-]{0,63}) ([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

interface ListedItem {
  id: string;
  title: string;
  updated_at?: string;
  created_at?: string;
}

export class OnePasswordVault implements VaultBackend {
  readonly name = '1password' as const;
  readonly vault: string;
  private readonly command: string;

  constructor(private readonly options: OnePasswordOptions = {}) {
    this.command = options.command ?? 'op';
    this.vault = options.vault ?? (options.env ?? process.env)[OP_VAULT_ENV] ?? 'Private';
    if (/[/\n]/.test(this.vault) || !this.vault.trim()) throw new VaultError(this.name, `invalid 1Password vault name ${JSON.stringify(this.vault)}`);
  }

  /** `op` is installed and signed in (an account session, the desktop app, or a service account token). */
  async available(): Promise<boolean> {
    const r = await this.run(['whoami', '--format', 'json'], undefined, 15_000);
    return r.code === 0;
  }

  async put(alias: string, secret: string): Promise<void> {
    const { tenant, name } = checkAlias(this.name, alias);
    checkSecret(this.name, alias, secret);
    const title = titleFor(tenant, name);
    const before = (await this.items()).filter((i) => i.title === title);
    const template = {
      title,
      category: 'API_CREDENTIAL',
      tags: [TAG],
      fields: [
        { id: FIELD, type: 'CONCEALED', label: FIELD, value: secret },
        { id: 'alias', type: 'STRING', label: 'alias', value: alias },
      ],
    };
    const r = await this.run(['item', 'create', '--vault', this.vault, '--format', 'json', '-'], JSON.stringify(template));
    if (r.code !== 0) throw this.failure('item create', alias, r);
    let created: string | undefined;
    try {
      created = (JSON.parse(r.stdout.toString('utf8')) as { id?: unknown }).id as string | undefined;
    } catch {
      // checked below
    }
    if (typeof created !== 'string' || !created) throw new VaultError(this.name, `op item create for ${alias} printed no item id; the old item (if any) was kept`);
    for (const old of before) {
      if (old.id === created) continue;
      const d = await this.run(['item', 'delete', old.id, '--vault', this.vault]);
      if (d.code !== 0 && !notFound(d)) throw this.failure('item delete', alias, d);
    }
  }

  async get(alias: string): Promise<string | null> {
    const { tenant, name } = checkAlias(this.name, alias);
    const title = titleFor(tenant, name);
    const r = await this.read(title);
    if (r.code === 0) return r.stdout.toString('utf8');
    if (notFound(r)) return null;
    if (/more than one item/i.test(r.stderr)) {
      // A put replaced the item and has not deleted the old one yet: the newest is the current one.
      const newest = (await this.items())
        .filter((i) => i.title === title)
        .sort((a, b) => (b.updated_at ?? b.created_at ?? '').localeCompare(a.updated_at ?? a.created_at ?? ''))[0];
      if (!newest) return null;
      const again = await this.read(newest.id);
      if (again.code === 0) return again.stdout.toString('utf8');
      if (notFound(again)) return null;
      throw this.failure('read', alias, again);
    }
    throw this.failure('read', alias, r);
  }

  async delete(alias: string): Promise<void> {
    const { tenant, name } = checkAlias(this.name, alias);
    const title = titleFor(tenant, name);
    for (const item of (await this.items()).filter((i) => i.title === title)) {
      const r = await this.run(['item', 'delete', item.id, '--vault', this.vault]);
      if (r.code !== 0 && !notFound(r)) throw this.failure('item delete', alias, r);
    }
  }

  async list(): Promise<string[]> {
    const aliases = new Set<string>();
    for (const item of await this.items()) {
      const m = TITLE.exec(item.title);
      if (m) aliases.add(aliasFor(m[1]!, m[2]!));
    }
    return [...aliases].sort();
  }

  private read(item: string): Promise<CliResult> {
    return this.run(['read', '--no-newline', `op://${this.vault}/${item}/${FIELD}`]);
  }

  private async items(): Promise<ListedItem[]> {
    const r = await this.run(['item', 'list', '--vault', this.vault, '--tags', TAG, '--format', 'json']);
    if (r.code !== 0) throw this.failure('item list', null, r);
    let data: unknown;
    try {
      data = JSON.parse(r.stdout.toString('utf8') || '[]');
    } catch {
      throw new VaultError(this.name, 'op item list printed something that is not JSON');
    }
    if (!Array.isArray(data)) throw new VaultError(this.name, 'op item list printed something that is not a list');
    return data.filter((i): i is ListedItem => typeof i === 'object' && i !== null && typeof i.id === 'string' && typeof i.title === 'string');
  }

  private run(args: string[], input?: string, timeoutMs?: number): Promise<CliResult> {
    return runVaultCli({ ...this.options, command: this.command }, args, input, timeoutMs);
  }

  private failure(what: string, alias: string | null, r: CliResult): VaultError {
    return cliFailure(
      this.name,
      {
        tool: 'op',
        notInstalled: `${this.command} is not installed (the 1Password CLI, version 2)`,
        noAnswer: 'waiting for the desktop app to be unlocked?',
        // `[ERROR] 2024/01/02 03:04:05 message`: keep the message.
        why: (stderr) => lastLine(stderr).replace(/^\[ERROR\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /, ''),
      },
      what,
      alias,
      r,
    );
  }
}

export function titleFor(tenant: string, name: string): string {
  return `outloop ${tenant} ${name}`;
}

function notFound(r: CliResult): boolean {
  return r.code !== 0 && /isn't an item|not found|no item/i.test(r.stderr);
}
