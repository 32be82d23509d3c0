/**
 * Binding keys to tenants: `outloop bind TENANT NAME` reads one key (never from argv, never echoed),
 * recognises it with the rules, and stores its fingerprint in the config as outloop://TENANT/NAME;
 * `outloop bind --learn ROOT` proposes bindings for keys that a scan finds inside one tenant's places
 * only. The config is rewritten whole (temp file + rename), its other fields and their order kept.
 * The raw key lives only in the caller's string: it is never printed, stored or put in an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { findConfigFile, loadConfig, type OutloopConfig } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import type { Detector } from '../detect/engine.js';
import { fingerprint as fingerprintOf, redact } from '../detect/redact.js';
import { UsageError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { writeFileWhole } from '../write-file.js';
import { FOREIGN_ACCOUNT, isAccountRule } from './accounts.js';
import { aliasFor as aliasOf } from '../vault/vault.js';
import { isJsonObject } from '../json-object.js';

/** What a binding's name must look like (the schema's rule): it becomes outloop://TENANT/NAME. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** More than this on stdin is a file, not a key (a PEM private key is a few KB). */
const MAX_KEY_BYTES = 64 * 1024;

export const ARGV_KEY_MESSAGE = 'a key on the command line leaks into ps and shell history; pipe it on stdin';

export { aliasOf };

export interface Binding {
  tenant: string;
  name: string;
  fingerprint: string;
}

// ---------------------------------------------------------------------------------------------
// Reading the key

/** The standard input as far as reading a key goes: a TTY gets raw mode, anything else is read whole. */
export interface KeyStdin {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ReadKeyOptions {
  /** Default: process.stdin. */
  stdin?: KeyStdin;
  /** Where the prompt goes on a TTY (never stdout: that may be a pipe). */
  stderr: NodeJS.WritableStream;
  /** Reads all of a non-TTY stdin. */
  readAll: () => Promise<Buffer>;
  prompt: string;
}

/** Ctrl-C (or a signal) while the key was being typed: nothing was read, nothing is written. */
export class KeyEntryCancelled extends Error {
  override name = 'KeyEntryCancelled';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'EOF') {
    super(signal === 'EOF' ? 'no key was entered' : 'cancelled');
  }
}

/**
 * One key from standard input. On a terminal: a prompt on stderr, then one line read in raw mode (so
 * nothing is echoed), the terminal restored on Enter, Ctrl-C, Ctrl-D, a signal or an error. Off a
 * terminal: everything on stdin, less one trailing newline.
 */
export async function readKeyFromStdin(options: ReadKeyOptions): Promise<string> {
  const stdin = options.stdin ?? (process.stdin as unknown as KeyStdin);
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') return readHidden(stdin, options.stderr, options.prompt);
  const bytes = await options.readAll();
  if (bytes.length > MAX_KEY_BYTES) throw new UsageError(`standard input holds ${bytes.length} bytes; pipe one key, not a file`);
  return bytes.toString('utf8').replace(/\r?\n$/, '');
}

function readHidden(stdin: KeyStdin, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const wasRaw = Boolean(stdin.isRaw);
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      try {
        stdin.setRawMode!(wasRaw);
      } catch {
        // The terminal is gone (hang-up): nothing left to restore.
      }
    };
    const decoder = new StringDecoder('utf8');
    let key = '';
    let escape: 'none' | 'esc' | 'csi' = 'none';
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      for (const s of SIGNALS) process.off(s, onSignal[s]);
      process.off('exit', restore);
      restore();
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(key);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (const ch of text) {
        const c = ch.codePointAt(0)!;
        if (escape === 'esc') {
          // ESC [ ... final byte: arrow keys, bracketed-paste markers; anything else after ESC is dropped.
          escape = ch === '[' ? 'csi' : 'none';
          continue;
        }
        if (escape === 'csi') {
          if (c >= 0x40 && c <= 0x7e) escape = 'none';
          continue;
        }
        if (ch === '\r' || ch === '\n') return finish(null);
        if (c === 0x03) return finish(new KeyEntryCancelled('SIGINT'));
        if (c === 0x04) return finish(key ? null : new KeyEntryCancelled('EOF'));
        if (c === 0x1b) escape = 'esc';
        else if (c === 0x7f || c === 0x08) key = Array.from(key).slice(0, -1).join('');
        else if (c === 0x15) key = '';
        else if (c >= 0x20) key += ch;
      }
    };
    const onEnd = () => finish(key ? null : new KeyEntryCancelled('EOF'));
    const onError = (err: Error) => finish(err);
    const onSignal = Object.fromEntries(SIGNALS.map((s) => [s, () => finish(new KeyEntryCancelled(s))])) as Record<(typeof SIGNALS)[number], () => void>;
    try {
      // Raw mode first, prompt second: whatever is typed after the prompt is never echoed.
      stdin.setRawMode!(true);
      process.once('exit', restore);
      for (const s of SIGNALS) process.once(s, onSignal[s]);
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.on('error', onError);
      stderr.write(prompt);
      stdin.resume();
    } catch (err) {
      finish(err as Error);
    }
  });
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// ---------------------------------------------------------------------------------------------
// Recognising the key

export interface RecognisedKey {
  ruleId: string;
  service: string;
  description: string;
  fingerprint: string;
  redacted: string;
}

/** The rule that matches `key` whole (its secret is all of it), or null. */
export function recogniseKey(key: string, detector: Detector): RecognisedKey | null {
  if (!key) return null;
  for (const pad of ['', '\n']) {
    const text = `${pad}${key}${pad}`;
    const whole = detector
      .detect(text, null)
      .find((m) => !isAccountRule(m.rule.id) && m.start === pad.length && m.end === pad.length + key.length && m.secret === key);
    if (whole) {
      return { ruleId: whole.rule.id, service: whole.rule.service, description: whole.rule.description, fingerprint: fingerprintOf(key), redacted: redact(key) };
    }
  }
  return null;
}

/** True when some key rule finds a key anywhere in `text` (a command-line argument, say). */
export function containsKey(text: string, detector: Detector): boolean {
  return detector.detect(` ${text} `, null).some((m) => !isAccountRule(m.rule.id));
}

// ---------------------------------------------------------------------------------------------
// Binding one key

export interface BindTargetOptions {
  /** `--config FILE`; default: the first outloop.config.json in `cwd` or its ancestors. */
  configFile?: string;
  cwd?: string;
  tenant: string;
  name: string;
  /** Rebind NAME (and move this key from another name in the same tenant). */
  force?: boolean;
}

export interface BindTarget {
  /** The config file, resolved. */
  file: string;
  config: OutloopConfig;
  tenant: string;
  name: string;
  alias: string;
}

/**
 * Everything about a binding that can be checked before the key is read: the config exists and is
 * valid, the tenant is in it, the name is well formed and free (or --force).
 */
export async function checkBindTarget(options: BindTargetOptions): Promise<BindTarget> {
  const file = options.configFile ? path.resolve(options.cwd ?? '.', options.configFile) : findConfigFile(options.cwd ?? process.cwd());
  if (!file) throw new UsageError(`no outloop.config.json in ${path.resolve(options.cwd ?? '.')} or above; create one with your tenants, or give --config FILE`);
  if (!fs.existsSync(file)) throw new UsageError(`cannot read config ${file}: ENOENT`);
  const config = await loadConfig({ file, startDir: path.dirname(file) });
  const known = Object.keys(config.tenants).sort();
  if (!known.length) throw new UsageError(`${file} has no tenants; add "${options.tenant}" under "tenants" first`);
  if (!Object.hasOwn(config.tenants, options.tenant)) throw new UsageError(`unknown tenant "${options.tenant}" in ${file}; known tenants: ${known.join(', ')}`);
  if (!NAME.test(options.name)) throw new UsageError(`invalid name "${options.name}": letters, digits, dot, dash and underscore, up to 64 (it becomes ${aliasOf(options.tenant, 'NAME')})`);
  const alias = aliasOf(options.tenant, options.name);
  // Checked before the key is read, so nobody pastes a key only to be told the name is taken.
  if (!options.force && config.tenants[options.tenant]!.keys.some((k) => k.name === options.name)) {
    throw new UsageError(`${alias} is already bound; use --force to rebind it`);
  }
  return { file, config, tenant: options.tenant, name: options.name, alias };
}

export interface BindKeyOptions extends BindTargetOptions {
  /** The key itself. Used to recognise and fingerprint it; never stored, printed or put in an error. */
  key: string;
  /** The rules' detector (default: the built-in rules). */
  detector?: Detector;
}

export interface BindResult extends RecognisedKey {
  tenant: string;
  name: string;
  alias: string;
  /** The config file written (or left alone when `unchanged`). */
  file: string;
  /** added: a new name; replaced: NAME held another key (--force); unchanged: already bound so. */
  status: 'added' | 'replaced' | 'unchanged';
  /** When --force moved this key from another name in the same tenant: that name. */
  renamedFrom?: string;
}

/** Recognises `key` and binds its fingerprint as outloop://TENANT/NAME in the config. */
export async function bindKey(options: BindKeyOptions): Promise<BindResult> {
  const target = await checkBindTarget(options);
  const detector = options.detector ?? new (await import('../detect/engine.js')).Detector(await (await import('../scan.js')).loadRules());
  const key = recogniseKey(options.key, detector);
  if (!key) {
    const hint = /\s/.test(options.key.trim()) ? ' (it holds spaces or several lines: pipe the key alone)' : options.key.trim() !== options.key ? ' (it has spaces or extra newlines around it)' : '';
    throw new UsageError(`not a key outloop recognises${hint}; the built-in rules must match the whole input (see \`outloop rules\`)`);
  }
  const { tenant, name, alias, file, config } = target;
  for (const [other, spec] of Object.entries(config.tenants)) {
    if (other === tenant) continue;
    const bound = spec.keys.find((k) => k.fingerprint === key.fingerprint);
    if (bound) throw new UsageError(`this key is already bound to tenant "${other}" as ${aliasOf(other, bound.name)}; a key has one owner (unbind it there first)`);
  }
  const keys = config.tenants[tenant]!.keys;
  const taken = keys.find((k) => k.name === name);
  const sameKey = keys.find((k) => k.fingerprint === key.fingerprint);
  const result = { ...key, tenant, name, alias, file };
  if (taken && taken.fingerprint === key.fingerprint) return { ...result, status: 'unchanged' };
  if (taken && !options.force) throw new UsageError(`${alias} is already bound to another key; use --force to rebind it`);
  if (sameKey && !options.force) throw new UsageError(`this key is already bound to "${tenant}" as ${aliasOf(tenant, sameKey.name)}; use --force to rename it to ${name}`);
  writeBindings(file, [{ tenant, name, fingerprint: key.fingerprint }]);
  return { ...result, status: taken ? 'replaced' : 'added', ...(sameKey ? { renamedFrom: sameKey.name } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Writing bindings

/**
 * Adds bindings to the config file: NAME takes the fingerprint (replacing what it held), and the same
 * fingerprint under another name in that tenant is dropped. The rest of the file is kept (fields,
 * their order), written back with 2-space indent and a trailing newline, through a temp file and a
 * rename, with the file's mode. Refuses a fingerprint bound to another tenant and any result the
 * schema would reject, so a bad write never replaces a good config.
 */
export function writeBindings(configFile: string, bindings: Binding[]): void {
  if (!bindings.length) return;
  // Through a symlink to the real file, so the link stays a link.
  const file = realPath(configFile);
  const before = readText(file);
  let data: unknown;
  try {
    data = JSON.parse(before);
  } catch (err) {
    throw new UsageError(`${configFile} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(data) || !isJsonObject(data.tenants)) throw new UsageError(`${configFile} has no "tenants"`);
  const tenants = data.tenants;
  for (const b of bindings) {
    const spec = tenants[b.tenant];
    if (!Object.hasOwn(tenants, b.tenant) || !isJsonObject(spec)) throw new UsageError(`unknown tenant "${b.tenant}" in ${configFile}; known tenants: ${Object.keys(tenants).sort().join(', ')}`);
    for (const [other, o] of Object.entries(tenants)) {
      if (other === b.tenant || !isJsonObject(o) || !Array.isArray(o.keys)) continue;
      const bound = o.keys.find((k) => isJsonObject(k) && k.fingerprint === b.fingerprint) as { name?: unknown } | undefined;
      if (bound) throw new UsageError(`this key is already bound to tenant "${other}" as ${aliasOf(other, String(bound.name))}; a key has one owner`);
    }
    if (spec.keys === undefined) spec.keys = [];
    if (!Array.isArray(spec.keys)) throw new UsageError(`${configFile}: tenants.${b.tenant}.keys is not a list`);
    const keys = spec.keys as unknown[];
    const at = keys.findIndex((k) => isJsonObject(k) && k.name === b.name);
    const entry = { name: b.name, fingerprint: b.fingerprint };
    if (at >= 0) keys[at] = entry;
    else keys.push(entry);
    spec.keys = keys.filter((k) => k === entry || !(isJsonObject(k) && k.fingerprint === b.fingerprint));
  }
  // Never write what loading would refuse (a malformed name, say).
  checkSchema(configFile, data);
  const text = JSON.stringify(data, null, 2) + '\n';
  if (readText(file) !== before) throw new UsageError(`${configFile} changed while outloop was writing it; run again`);
  writeFileWhole(file, text, { mode: fs.statSync(file).mode & 0o7777, what: configFile });
}

function checkSchema(configFile: string, data: unknown): void {
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`${configFile}: the bindings would make the config invalid at ${issue.path.join('.')}: ${issue.message}`);
  }
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Learning bindings from a scan

export interface LearnOptions {
  /** The folder to scan; its config (or `configFile`) says what the tenants are. */
  root: string;
  configFile?: string;
  rulesDirs?: string[];
  workers?: number | 'auto';
}

export interface Proposal extends Binding {
  alias: string;
  service: string;
  ruleId: string;
  redacted: string;
  /** Where the key was found: `path:line`, paths relative to the root. */
  where: string[];
}

export interface NotProposed {
  fingerprint: string;
  service: string;
  ruleId: string;
  redacted: string;
  /** The tenants whose places hold it (none when it was found in no tenant's places). */
  tenants: string[];
  reason: string;
  where: string[];
}

export interface LearnResult {
  root: string;
  /** The config file the scan used (and that `writeBindings` would change). */
  config: string;
  proposals: Proposal[];
  notProposed: NotProposed[];
}

/**
 * Scans `root` with its config and proposes a binding for every unbound key whose findings all lie in
 * one tenant's places; keys seen in several tenants' places, or outside any, are listed with why.
 */
export async function learnBindings(options: LearnOptions): Promise<LearnResult> {
  const root = path.resolve(options.root);
  let isDir = false;
  try {
    isDir = fs.statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UsageError(`${options.root} is not a folder`);
  const { scan } = await import('../scan.js');
  const result = await scan({ paths: [root], root, ...(options.configFile ? { configFile: options.configFile } : {}), ...(options.rulesDirs ? { rulesDirs: options.rulesDirs } : {}), ...(options.workers !== undefined ? { workers: options.workers } : {}) });
  if (!result.config) throw new UsageError(`no outloop.config.json in ${root} or above; create one with your tenants, or give --config FILE`);
  if (!result.tenants?.length) throw new UsageError(`${result.config} has no tenants; add them under "tenants" first`);
  const config = await loadConfig({ file: result.config, startDir: root });

  const byKey = new Map<string, Finding[]>();
  for (const f of [...result.findings, ...result.suppressed]) {
    if (f.owner !== null || f.ruleId === FOREIGN_ACCOUNT || isAccountRule(f.ruleId)) continue;
    const list = byKey.get(f.fingerprint) ?? [];
    list.push(f);
    byKey.set(f.fingerprint, list);
  }
  const candidates: Array<Omit<Proposal, 'name' | 'alias'>> = [];
  const notProposed: NotProposed[] = [];
  for (const [fp, findings] of byKey) {
    const first = findings[0]!;
    const where = locations(findings);
    const tenants = [...new Set(findings.flatMap((f) => [...(f.tenant !== null ? [f.tenant] : []), ...(f.sharedWith ?? [])]))].sort();
    const outside = findings.filter((f) => f.tenant === null);
    const base = { fingerprint: fp, service: first.service, ruleId: first.ruleId, redacted: first.redacted, where };
    if (tenants.length === 1 && outside.length === 0) {
      candidates.push({ ...base, tenant: tenants[0]! });
      continue;
    }
    const reason =
      tenants.length > 1
        ? `found in several tenants' places (${tenants.join(', ')}): one key shared by clients; bind it by hand to its owner`
        : tenants.length === 1
          ? `found in ${tenants[0]}'s places and outside any tenant's (${locations(outside).join(', ')})`
          : "found in no tenant's places";
    notProposed.push({ ...base, tenants, reason });
  }
  candidates.sort((a, b) => cmp(a.tenant, b.tenant) || cmp(a.service, b.service) || cmpWhere(a.where[0]!, b.where[0]!) || cmp(a.fingerprint, b.fingerprint));
  const taken = new Map<string, Set<string>>();
  const proposals: Proposal[] = candidates.map((c) => {
    let names = taken.get(c.tenant);
    if (!names) taken.set(c.tenant, (names = new Set((config.tenants[c.tenant]?.keys ?? []).map((k) => k.name.toLowerCase()))));
    const name = freeName(slug(c.service), names);
    names.add(name);
    return { tenant: c.tenant, name, alias: aliasOf(c.tenant, name), fingerprint: c.fingerprint, service: c.service, ruleId: c.ruleId, redacted: c.redacted, where: c.where };
  });
  notProposed.sort((a, b) => cmpWhere(a.where[0]!, b.where[0]!) || cmp(a.fingerprint, b.fingerprint));
  return { root, config: result.config, proposals, notProposed };
}

/** A service as a binding name: `Hugging Face` → `hugging-face`. */
export function slug(service: string): string {
  const s = service
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s || 'key';
}

function freeName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function locations(findings: Finding[]): string[] {
  const seen = new Map<string, [string, number]>();
  for (const f of findings) seen.set(`${f.path}:${f.line}`, [f.path, f.line]);
  return [...seen.entries()].sort((a, b) => cmp(a[1][0], b[1][0]) || a[1][1] - b[1][1]).map(([k]) => k);
}

function cmpWhere(a: string, b: string): number {
  const [pa, la] = splitWhere(a);
  const [pb, lb] = splitWhere(b);
  return cmp(pa, pb) || la - lb;
}

function splitWhere(w: string): [string, number] {
  const i = w.lastIndexOf(':');
  return [w.slice(0, i), Number(w.slice(i + 1))];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
