/**
 * A recorded contract of the 1Password CLI (`op`, version 2), for testing the 1password vault without
 * an account. It runs only as the fake CLI (OUTLOOP_FAKE_CLI=op); imported or picked up by the test
 * runner it does nothing.
 *
 * What it reproduces, from 1Password's CLI reference and item-template documentation and from how
 * 1Password's own Terraform provider drives `op item create -`:
 * - flags anywhere, `--flag value` or `--flag=value`; an unknown flag or command fails with
 *   `[ERROR] YYYY/MM/DD hh:mm:ss unknown flag: --x` and exit 1, as every error is printed;
 * - `op whoami [--format json]`: the signed-in account, or "account is not signed in" (exit 1);
 * - `op item create [--vault V] [--category C] [--title T] [--tags a,b] [--format json] [-]
 *   [assignment...]`: with `-`, the item is the JSON template read from stdin (title, category,
 *   tags, fields with id/type/label/value); prints the created item (JSON with --format json, every
 *   field value included); an unknown vault: `"V" isn't a vault in this account`;
 * - `op item list [--vault V] [--tags a,b] [--format json]`: item summaries without fields;
 * - `op item delete ITEM [--vault V]`: ITEM by id or title; several with that title: "More than one
 *   item matches"; none: `"ITEM" isn't an item in the "V" vault`;
 * - `op read [-n|--no-newline] op://VAULT/ITEM[/SECTION]/FIELD`: the field's value then a newline
 *   (none with -n); the same not-found and several-match errors, prefixed "could not read secret".
 * Anything else exits 97 naming what it got.
 *
 * State: FAKE_OP_STATE (JSON, vaults and items). FAKE_OP_SIGNED_OUT=1 plays a CLI with no session.
 * Every call is appended to FAKE_OP_LOG as { argv, stdin }.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

interface Field {
  id: string;
  type: string;
  label: string;
  value?: string;
  section?: { id: string };
}

interface Item {
  id: string;
  title: string;
  vault: string;
  category: string;
  tags: string[];
  fields: Field[];
  created_at: string;
  updated_at: string;
  version: number;
}

interface State {
  vaults: string[];
  items: Item[];
  /** Makes timestamps strictly increase across calls. */
  clock?: number;
}

const NOT_RECORDED = 97;
const CATEGORIES = ['LOGIN', 'PASSWORD', 'API_CREDENTIAL', 'SECURE_NOTE', 'SERVER', 'DATABASE'];

class Fail extends Error {}
class Outside extends Error {}

function main(): void {
  const argv = process.argv.slice(2);
  let stdin = '';
  try {
    stdin = fs.readFileSync(0, 'utf8');
  } catch {
    // no stdin
  }
  if (process.env.FAKE_OP_LOG) fs.appendFileSync(process.env.FAKE_OP_LOG, JSON.stringify({ argv, stdin }) + '\n');
  const statePath = process.env.FAKE_OP_STATE!;
  const state: State = fs.existsSync(statePath) ? (JSON.parse(fs.readFileSync(statePath, 'utf8')) as State) : { vaults: ['Private'], items: [] };
  try {
    run(argv, stdin, state);
  } catch (err) {
    if (err instanceof Fail) {
      process.stderr.write(`[ERROR] ${stamp()} ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof Outside) {
      process.stderr.write(`fake op: not in the recorded contract: ${err.message}\n`);
      process.exit(NOT_RECORDED);
    }
    throw err;
  }
  fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
}

function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['vault', 'format', 'category', 'title', 'tags', 'account', 'url', 'template', 'generate-password', 'out-file', 'categories', 'file-mode', 'session', 'encoding', 'config', 'cache']);
const BOOL_FLAGS = new Set(['no-newline', 'force', 'dry-run', 'archive', 'favorite', 'reveal', 'debug', 'iso-timestamps', 'long', 'include-archive']);
const SHORT: Record<string, string> = { n: 'no-newline', f: 'force', o: 'out-file' };

function parse(args: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-' || !a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    let name = a.startsWith('--') ? a.slice(2) : (SHORT[a.slice(1)] ?? a.slice(1));
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (VALUE_FLAGS.has(name)) {
      if (value === undefined) {
        if (i + 1 >= args.length) throw new Fail(`flag needs an argument: --${name}`);
        value = args[++i]!;
      }
      flags.set(name, value);
    } else if (BOOL_FLAGS.has(name)) flags.set(name, true);
    else throw new Fail(`unknown flag: ${a.startsWith('--') ? '--' : '-'}${name}`);
  }
  return { positional, flags };
}

function run(argv: string[], stdin: string, state: State): void {
  const { positional, flags } = parse(argv);
  const [command, sub, ...rest] = positional;
  if (process.env.FAKE_OP_SIGNED_OUT) throw new Fail('account is not signed in');
  const format = flags.get('format') ?? process.env.OP_FORMAT ?? 'human-readable';
  if (command === 'whoami' && sub === undefined) {
    const who = { url: 'https://my.1password.com', email: 'test@example.com', user_uuid: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', account_uuid: 'ZYXWVUTSRQPONMLKJIHGFEDCBA', user_type: 'HUMAN' };
    process.stdout.write(format === 'json' ? JSON.stringify(who, null, 2) + '\n' : `URL:        ${who.url}\nEmail:      ${who.email}\nUser ID:    ${who.user_uuid}\n`);
    return;
  }
  if (command === 'read') {
    if (sub === undefined || rest.length) throw new Fail('expected exactly one secret reference');
    const value = read(sub, state);
    process.stdout.write(flags.has('no-newline') ? value : value + '\n');
    return;
  }
  if (command !== 'item') throw new Outside(`op ${positional.join(' ')}`);
  const vault = flags.get('vault');
  if (vault !== undefined && (vault === true || !state.vaults.includes(vault))) throw new Fail(`"${String(vault)}" isn't a vault in this account. Specify the vault with its ID or name.`);
  if (sub === 'create') return create(rest, flags, stdin, state, format);
  if (sub === 'list') {
    if (rest.length) throw new Fail(`unknown command "${rest[0]}" for "op item list"`);
    const tags = typeof flags.get('tags') === 'string' ? (flags.get('tags') as string).split(',') : [];
    const items = state.items.filter((i) => (vault === undefined || i.vault === vault) && tags.every((t) => i.tags.includes(t)));
    if (format !== 'json') throw new Outside('op item list without --format json');
    process.stdout.write(JSON.stringify(items.map(summary), null, 2) + '\n');
    return;
  }
  if (sub === 'delete') {
    if (rest.length !== 1) throw new Fail('expected exactly one item');
    const item = findItem(rest[0]!, typeof vault === 'string' ? vault : undefined, state);
    state.items.splice(state.items.indexOf(item), 1);
    return;
  }
  throw new Outside(`op item ${sub ?? ''}`);
}

function now(state: State): string {
  state.clock = Math.max(Date.now(), (state.clock ?? 0) + 1000);
  return new Date(state.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function create(rest: string[], flags: Map<string, string | true>, stdin: string, state: State, format: string | true): void {
  let template: Partial<Item> & { fields?: Field[] } = {};
  const assignments = rest.filter((a) => a !== '-');
  if (rest.includes('-')) {
    try {
      template = JSON.parse(stdin) as typeof template;
    } catch {
      throw new Fail('could not parse the item template from stdin: invalid JSON');
    }
  } else if (flags.has('template')) throw new Outside('op item create --template FILE');
  const category = String(flags.get('category') ?? template.category ?? '').toUpperCase().replace(/\s+/g, '_');
  if (!CATEGORIES.includes(category)) throw new Fail(`"${category}" isn't a valid category`);
  const fields: Field[] = [];
  for (const f of template.fields ?? []) {
    if (typeof f.id !== 'string' || typeof f.type !== 'string') throw new Fail('could not parse the item template: a field has no id or type');
    fields.push({ id: f.id, type: f.type, label: f.label ?? f.id, value: f.value ?? '' });
  }
  for (const a of assignments) {
    const m = /^([^=[]+)(?:\[(\w+)\])?=(.*)$/s.exec(a);
    if (!m) throw new Fail(`invalid assignment statement: ${a.split('=')[0]}`);
    fields.push({ id: m[1]!, type: m[2] === 'text' ? 'STRING' : 'CONCEALED', label: m[1]!, value: m[3]! });
  }
  const vault = typeof flags.get('vault') === 'string' ? (flags.get('vault') as string) : state.vaults[0]!;
  const tags = typeof flags.get('tags') === 'string' ? (flags.get('tags') as string).split(',') : (template.tags ?? []);
  const at = now(state);
  const item: Item = {
    id: crypto.randomBytes(16).toString('hex').replace(/[^a-z2-7]/g, '').padEnd(26, 'a').slice(0, 26),
    title: String(flags.get('title') ?? template.title ?? `Untitled ${category} item`),
    vault,
    category,
    tags,
    fields,
    created_at: at,
    updated_at: at,
    version: 1,
  };
  state.items.push(item);
  if (format !== 'json') throw new Outside('op item create without --format json');
  const full = { ...summary(item), fields: item.fields.map((f) => ({ ...f, reference: `op://${vault}/${item.title}/${f.label}` })) };
  process.stdout.write(JSON.stringify(full, null, 2) + '\n');
}

function summary(item: Item): object {
  return {
    id: item.id,
    title: item.title,
    ...(item.tags.length ? { tags: item.tags } : {}),
    version: item.version,
    vault: { id: `vault-${item.vault}`, name: item.vault },
    category: item.category,
    last_edited_by: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    created_at: item.created_at,
    updated_at: item.updated_at,
    additional_information: '',
  };
}

function findItem(ref: string, vault: string | undefined, state: State, prefix = ''): Item {
  const inVault = state.items.filter((i) => vault === undefined || i.vault === vault);
  const byId = inVault.find((i) => i.id === ref);
  if (byId) return byId;
  const byTitle = inVault.filter((i) => i.title === ref);
  if (byTitle.length > 1) {
    throw new Fail(`${prefix}More than one item matches "${ref}". Try again and specify the item by its ID:\n${byTitle.map((i) => `\t* for the item "${i.title}" in vault ${i.vault}: ${i.id}`).join('\n')}`);
  }
  if (!byTitle.length) throw new Fail(`${prefix}"${ref}" isn't an item in the "${vault ?? state.vaults[0]}" vault. Specify the item with its ID, name, or domain.`);
  return byTitle[0]!;
}

function read(reference: string, state: State): string {
  const m = /^op:\/\/([^/]+)\/([^/]+)\/(?:([^/]+)\/)?([^/]+)$/.exec(reference);
  const prefix = `could not read secret '${reference}': `;
  if (!m) {
    if (/^op:\/\//.test(reference) && reference.split('/').length > 6) throw new Fail(`${prefix}too many '/': secret references should match op://<vault>/<item>[/<section>]/<field>`);
    throw new Fail(`${prefix}invalid secret reference`);
  }
  const [, vault, itemRef, , fieldRef] = m;
  if (!state.vaults.includes(vault!)) throw new Fail(`${prefix}"${vault}" isn't a vault in this account. Specify the vault with its ID or name.`);
  const item = findItem(itemRef!, vault, state, prefix);
  const field = item.fields.find((f) => f.id === fieldRef || f.label.toLowerCase() === fieldRef!.toLowerCase());
  if (!field) throw new Fail(`${prefix}item '${vault}/${item.title}' does not have a field '${fieldRef}'`);
  return field.value ?? '';
}

// Last, so every constant above is initialised when it runs.
if (process.env.OUTLOOP_FAKE_CLI === 'op') main();
