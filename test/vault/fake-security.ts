/**
 * A recorded contract of macOS `/usr/bin/security` (SecurityTool), for testing the keychain vault on
 * machines without a keychain. It runs only as the fake CLI (OUTLOOP_FAKE_CLI=security); imported or
 * picked up by the test runner it does nothing.
 *
 * What it reproduces, from Apple's SecurityTool sources (security.c, keychain_add.c, keychain_find.c)
 * and the `security help` texts:
 * - global options `-i` (interactive: one command per stdin line, a line read into a 4096-byte buffer,
 *   so a longer one is cut and the rest read as the next command; split on whitespace with '"'/'\''
 *   quotes and backslash escapes; no prompt when stdin is not a terminal; a failing command prints
 *   "NAME: returned STATUS" on stderr; the exit status is the last command's), `-q`, `-v`;
 * - add-generic-password with getopt ":a:c:C:D:G:j:l:s:p:w:X:UAT:" (-X: the password as hex; -U:
 *   update an existing item, without it a duplicate fails with errSecDuplicateItem -25299, exit 45);
 *   account and service required, else usage and status 2;
 * - find-generic-password -s -a [-w] [-g]: with -w the password then one newline, printed as lowercase
 *   hex (each byte through a signed char, as the real printf("%02x") does) when any byte is not
 *   isprint; not found: "security: SecKeychainSearchCopyNext: The specified item could not be found
 *   in the keychain." and errSecItemNotFound -25300, exit 44;
 * - delete-generic-password -s -a: the item's attributes, "password has been deleted."; not found: 44;
 * - dump-keychain: every item's attributes (never the password data without -d);
 * - default-keychain: the login keychain's path.
 * Anything outside this recorded set (the `-w` prompt, other commands) exits 97 naming what it got,
 * so a change in how outloop calls `security` fails the tests instead of passing unnoticed.
 *
 * State: the JSON file FAKE_SECURITY_STATE. Every call is appended to FAKE_SECURITY_LOG as
 * { argv, stdin } so tests can check what travelled where.
 */
import fs from 'node:fs';

interface Item {
  service: string;
  account: string;
  label: string;
  /** The password bytes, hex. */
  password: string;
  created: string;
  modified: string;
}

interface State {
  items: Item[];
}

const KEYCHAIN = '/Users/test/Library/Keychains/login.keychain-db';
const NOT_FOUND = -25300;
const DUPLICATE = -25299;
const NOT_RECORDED = 97;

class Outside extends Error {}

function main(): void {
  const argv = process.argv.slice(2);
  let stdin = '';
  try {
    stdin = fs.readFileSync(0, 'utf8');
  } catch {
    // no stdin
  }
  if (process.env.FAKE_SECURITY_LOG) fs.appendFileSync(process.env.FAKE_SECURITY_LOG, JSON.stringify({ argv, stdin }) + '\n');
  const statePath = process.env.FAKE_SECURITY_STATE!;
  const state: State = fs.existsSync(statePath) ? (JSON.parse(fs.readFileSync(statePath, 'utf8')) as State) : { items: [] };
  let code: number;
  try {
    code = run(argv, stdin, state);
  } catch (err) {
    if (!(err instanceof Outside)) throw err;
    process.stderr.write(`fake security: not in the recorded contract: ${err.message}\n`);
    process.exit(NOT_RECORDED);
  }
  fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
  process.exit(code & 0xff);
}

function run(argv: string[], stdin: string, state: State): number {
  const g = getopt(argv, 'hilp:qv');
  if (g.error) return usage();
  let interactive = false;
  let quiet = false;
  for (const [ch] of g.opts) {
    if (ch === 'i' || ch === 'p') interactive = true;
    else if (ch === 'q') quiet = true;
    else if (ch === 'h' || ch === 'l') throw new Outside(`global option -${ch}`);
  }
  if (process.env.FAKE_SECURITY_LOCKED) {
    // A keychain that cannot be used from here (ssh session, locked, no GUI): errSecInteractionNotAllowed.
    process.stderr.write('security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.\n');
    return -25308;
  }
  if (g.rest.length > 0) return execute(g.rest, state);
  if (!interactive) return usage();
  let result = 0;
  for (const line of readLines(stdin)) {
    const av = splitLine(line);
    result = execute(av, state);
    if (result && !quiet) process.stderr.write(`${av[0]}: returned ${result}\n`);
  }
  return result;
}

function usage(): number {
  process.stdout.write('Usage: security [-h] [-i] [-l] [-p prompt] [-q] [-v] [command] [opt ...]\n');
  return 2;
}

/** fgets into a 4096-byte buffer: at most 4095 characters a read, the newline stripped. */
function readLines(stdin: string): string[] {
  const raw = stdin.split('\n');
  if (stdin.endsWith('\n')) raw.pop();
  const lines: string[] = [];
  for (const line of raw) {
    if (!line) lines.push('');
    for (let i = 0; i < line.length; i += 4095) lines.push(line.slice(i, i + 4095));
  }
  return lines;
}

/** security.c split_line: whitespace separates, '"' or '\'' quote, a backslash takes the next character. */
function splitLine(line: string): string[] {
  const args: string[] = [];
  let cur: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (cur === null) {
      if (/\s/.test(c)) continue;
      cur = '';
      if (c === '"' || c === "'") {
        quote = c;
        continue;
      }
    }
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      continue;
    }
    if (quote !== null ? c === quote : /\s/.test(c)) {
      args.push(cur);
      cur = null;
      quote = null;
      continue;
    }
    cur += c;
  }
  if (cur !== null) args.push(cur);
  return args;
}

interface Getopt {
  opts: Array<[string, string | undefined]>;
  rest: string[];
  error?: { kind: 'missing' | 'unknown'; optopt: string };
}

/** BSD getopt: options until the first operand or `--`; a leading ':' in the spec reports a missing argument. */
function getopt(args: string[], spec: string): Getopt {
  const opts: Array<[string, string | undefined]> = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      const at = spec.indexOf(ch);
      if (ch === ':' || at < 0) return { opts, rest: args.slice(i + 1), error: { kind: 'unknown', optopt: ch } };
      if (spec[at + 1] === ':') {
        const inline = a.slice(j + 1);
        if (inline) opts.push([ch, inline]);
        else if (i + 1 < args.length) opts.push([ch, args[++i]]);
        else return { opts, rest: [], error: { kind: 'missing', optopt: ch } };
        break;
      }
      opts.push([ch, undefined]);
    }
  }
  return { opts, rest: args.slice(i) };
}

function execute(av: string[], state: State): number {
  if (av.length === 0) return 0;
  const commands = ['add-generic-password', 'find-generic-password', 'delete-generic-password', 'dump-keychain', 'default-keychain'];
  // match_command: the first command whose name starts with what was typed.
  const command = commands.find((c) => c.startsWith(av[0]!));
  if (!command) throw new Outside(`command ${JSON.stringify(av[0])}`);
  const args = av.slice(1);
  switch (command) {
    case 'add-generic-password':
      return add(args, state);
    case 'find-generic-password':
      return find(args, state);
    case 'delete-generic-password':
      return remove(args, state);
    case 'dump-keychain':
      if (args.length) throw new Outside(`dump-keychain ${args.join(' ')}`);
      for (const item of state.items) process.stdout.write(attributes(item));
      return 0;
    case 'default-keychain':
      if (args.length) throw new Outside(`default-keychain ${args.join(' ')}`);
      process.stdout.write(`    "${KEYCHAIN}"\n`);
      return 0;
  }
  return 1;
}

function add(args: string[], state: State): number {
  const g = getopt(args, ':a:c:C:D:G:j:l:s:p:w:X:UAT:');
  if (g.error) {
    if (g.error.kind === 'missing' && (g.error.optopt === 'w' || g.error.optopt === 'p')) throw new Outside('the -w prompt (getpass on the terminal, asked twice)');
    return addUsage();
  }
  let account: string | undefined;
  let service: string | undefined;
  let label: string | undefined;
  let password: Buffer | undefined;
  let update = false;
  for (const [ch, value] of g.opts) {
    if (ch === 'a') account = value;
    else if (ch === 's') service = value;
    else if (ch === 'l') label = value;
    else if (ch === 'w' || ch === 'p') password = Buffer.from(value!, 'utf8');
    else if (ch === 'X') {
      if (!/^([0-9a-fA-F]{2})*$/.test(value!)) {
        process.stderr.write('security: Invalid hex string\n');
        return 1;
      }
      password = Buffer.from(value!, 'hex');
    } else if (ch === 'U') update = true;
    else throw new Outside(`add-generic-password -${ch}`);
  }
  if (!account || !service || g.rest.length > 1) return addUsage();
  const now = new Date().toISOString();
  const existing = state.items.find((i) => i.service === service && i.account === account);
  if (existing) {
    if (!update) {
      process.stderr.write('security: SecKeychainItemCreateFromContent (<default>): The specified item already exists in the keychain.\n');
      return DUPLICATE;
    }
    existing.password = (password ?? Buffer.alloc(0)).toString('hex');
    if (label !== undefined) existing.label = label;
    existing.modified = now;
    return 0;
  }
  state.items.push({ service, account, label: label ?? service, password: (password ?? Buffer.alloc(0)).toString('hex'), created: now, modified: now });
  return 0;
}

function addUsage(): number {
  process.stderr.write('Usage: add-generic-password [-a account] [-s service] [-w password] [options...] [-A|-T appPath] [keychain]\n');
  return 2;
}

function lookup(args: string[], spec: string, state: State): { item: Item | undefined; flags: Set<string> } | number {
  const g = getopt(args, spec);
  if (g.error || g.rest.length > 1) return 2;
  const want: Partial<Record<'account' | 'service' | 'label', string>> = {};
  const flags = new Set<string>();
  for (const [ch, value] of g.opts) {
    if (ch === 'a') want.account = value!;
    else if (ch === 's') want.service = value!;
    else if (ch === 'l') want.label = value!;
    else if (ch === 'w' || ch === 'g') flags.add(ch);
    else throw new Outside(`-${ch}`);
  }
  const item = state.items.find((i) => (want.account === undefined || i.account === want.account) && (want.service === undefined || i.service === want.service) && (want.label === undefined || i.label === want.label));
  return { item, flags };
}

function notFound(): number {
  process.stderr.write('security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n');
  return NOT_FOUND;
}

function find(args: string[], state: State): number {
  const r = lookup(args, 'a:c:C:D:G:j:l:s:gw', state);
  if (typeof r === 'number') return r;
  if (!r.item) return notFound();
  const bytes = Buffer.from(r.item.password, 'hex');
  if (r.flags.has('w')) {
    const printable = [...bytes].every((b) => b >= 0x20 && b <= 0x7e);
    // printf("%02x", password[i]) with a signed char: a byte of 0x80 or more prints as ffffffXX.
    const out = printable ? bytes.toString('latin1') : [...bytes].map((b) => (b >= 0x80 ? `ffffff${b.toString(16)}` : b.toString(16).padStart(2, '0'))).join('');
    process.stdout.write(out + '\n');
    return 0;
  }
  process.stdout.write(attributes(r.item));
  if (r.flags.has('g')) throw new Outside('find-generic-password -g');
  return 0;
}

function remove(args: string[], state: State): number {
  const r = lookup(args, 'a:c:C:D:G:j:l:s:', state);
  if (typeof r === 'number') return r;
  if (!r.item) return notFound();
  process.stdout.write(attributes(r.item));
  state.items.splice(state.items.indexOf(r.item), 1);
  process.stdout.write('password has been deleted.\n');
  return 0;
}

function blob(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !value.includes('"') ? `"${value}"` : `0x${Buffer.from(value, 'utf8').toString('hex').toUpperCase()}  "${value.replace(/[^\x20-\x7e]/g, '?')}"`;
}

function timedate(iso: string): string {
  const t = iso.replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return `0x${Buffer.from(t + '\0').toString('hex').toUpperCase()}  "${t}\\000"`;
}

/** print_keychain_item_attributes for a generic password. */
function attributes(item: Item): string {
  return [
    `keychain: "${KEYCHAIN}"`,
    'version: 512',
    'class: "genp"',
    'attributes:',
    `    0x00000007 <blob>=${blob(item.label)}`,
    '    0x00000008 <blob>=<NULL>',
    `    "acct"<blob>=${blob(item.account)}`,
    `    "cdat"<timedate>=${timedate(item.created)}`,
    '    "crtr"<uint32>=<NULL>',
    '    "cusi"<sint32>=<NULL>',
    '    "desc"<blob>=<NULL>',
    '    "gena"<blob>=<NULL>',
    '    "icmt"<blob>=<NULL>',
    '    "invi"<sint32>=<NULL>',
    `    "mdat"<timedate>=${timedate(item.modified)}`,
    '    "nega"<sint32>=<NULL>',
    '    "prot"<blob>=<NULL>',
    '    "scrp"<sint32>=<NULL>',
    `    "svce"<blob>=${blob(item.service)}`,
    '    "type"<uint32>=<NULL>',
    '',
  ].join('\n');
}

// Last, so every constant above is initialised when it runs.
if (process.env.OUTLOOP_FAKE_CLI === 'security') main();
