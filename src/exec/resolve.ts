/**
 * `outloop exec`'s environment: the inherited variables plus the given env files, with every broker
 * alias in their values replaced by the secret the vault holds for it. Nothing here writes anything:
 * the resolved environment only ever exists in memory, to be handed to the child.
 *
 * Env files (dotenv syntax):
 *   KEY=value                 unquoted: trimmed; ` #` (whitespace then #) starts a comment, a `#`
 *                             glued to the value is part of it (`a#b` stays `a#b`)
 *   export KEY=value          the `export ` prefix is ignored
 *   KEY='literal'             single quotes (and backticks): taken as they are, may span lines
 *   KEY="a\nb"                double quotes: \n \r \t \" \\ unescaped, may span lines
 *   # comment, blank lines    ignored
 * No `${VAR}` expansion. A line that is none of these is an error naming the file and line (never
 * its content). A key given twice: the last one wins.
 *
 * Precedence (as `node --env-file` and dotenv do): a variable already in the environment wins over
 * the files; among the files, a later file wins over an earlier one.
 *
 * Aliases: every `outloop://TENANT/NAME` in a value (the grammar of parseAlias) is replaced, whether
 * it is the whole value or embedded (`postgres://u:outloop://acme/db@host/app`). The name is matched
 * as far as the alias characters go (letters, digits, `.`, `_`, `-`), so `outloop://acme/db.prod`
 * is the alias `outloop://acme/db.prod`; an alias must not be glued to a letter or digit before it.
 * The secret is substituted verbatim (no URL-encoding). Text that starts like an alias but is not one
 * (`outloop://Acme/x`, a name over 64 characters) is left as it is, with a warning.
 */
import fs from 'node:fs';
import { fingerprint } from '../detect/redact.js';
import { UsageError } from '../model/errors.js';
import type { VaultBackend } from '../vault/vault.js';

/** Every alias inside a text: maximal munch over the alias grammar, not glued to a letter or digit before it. */
const ALIAS_IN_TEXT = /(?<![A-Za-z0-9])outloop:\/\/[a-z0-9][a-z0-9._-]{0,63}\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}(?![A-Za-z0-9._-])/g;
const ALIAS_LIKE = /(?<![A-Za-z0-9])outloop:\/\//g;

export interface AliasSpan {
  alias: string;
  start: number;
  end: number;
}

export function findAliases(value: string): AliasSpan[] {
  return [...value.matchAll(ALIAS_IN_TEXT)].map((m) => ({ alias: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Whether the value holds `outloop://` somewhere that is not a well-formed alias. */
export function hasMalformedAlias(value: string): boolean {
  const good = new Set(findAliases(value).map((a) => a.start));
  return [...value.matchAll(ALIAS_LIKE)].some((m) => !good.has(m.index));
}

export interface EnvFileEntry {
  key: string;
  value: string;
  /** 1-based line the entry starts on. */
  line: number;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses dotenv text (see the module comment). `file` only names the file in errors. */
export function parseEnvFile(text: string, file: string): EnvFileEntry[] {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const entries: EnvFileEntry[] = [];
  let i = 0;
  let line = 1;
  const fail = (at: number, problem: string): never => {
    throw new UsageError(`${file}:${at}: ${problem}`);
  };
  while (i < src.length) {
    const eol = src.indexOf('\n', i);
    const lineEnd = eol < 0 ? src.length : eol;
    const raw = src.slice(i, lineEnd);
    const trimmed = raw.trim();
    const startLine = line;
    if (trimmed === '' || trimmed.startsWith('#')) {
      i = lineEnd + 1;
      line++;
      continue;
    }
    const m = /^\s*(?:export\s+)?([^=\s]+)\s*=[ \t]*/.exec(raw);
    if (!m || !KEY.test(m[1]!)) fail(startLine, 'not a KEY=value line');
    const key = m![1]!;
    let j = i + m![0].length;
    const quote = src[j];
    let value: string;
    if (quote === '"' || quote === "'" || quote === '`') {
      // A quoted value runs to the matching quote, across lines if need be.
      let k = j + 1;
      let out = '';
      for (;;) {
        if (k >= src.length) fail(startLine, `${key}: the ${quote} quote is never closed`);
        const c = src[k]!;
        if (c === quote) break;
        if (c === '\\' && quote === '"' && k + 1 < src.length) {
          const e = src[k + 1]!;
          const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
          if (e in esc) {
            out += esc[e];
            k += 2;
            continue;
          }
        }
        if (c === '\n') line++;
        out += c;
        k++;
      }
      value = out;
      // After the closing quote: nothing but blanks and a comment.
      const after = src.indexOf('\n', k + 1);
      const restEnd = after < 0 ? src.length : after;
      const rest = src.slice(k + 1, restEnd);
      if (!/^\s*(?:#.*)?$/.test(rest)) fail(line, `${key}: unexpected text after the closing quote`);
      i = restEnd + 1;
      line++;
    } else {
      const rest = src.slice(j, lineEnd);
      const comment = /(^|\s)#/.exec(rest);
      value = (comment ? rest.slice(0, comment.index) : rest).trim();
      i = lineEnd + 1;
      line++;
    }
    entries.push({ key, value, line: startLine });
  }
  return entries;
}

export function readEnvFile(file: string): EnvFileEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read env file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseEnvFile(text, file);
}

export interface EnvSource {
  /** Where the variables come from, for messages: a file name. */
  name: string;
  entries: EnvFileEntry[];
}

export interface MergedEnv {
  env: Record<string, string>;
  /** Where each variable came from: `environment` or `FILE:LINE`. */
  origin: Map<string, string>;
}

/** The inherited environment over the files, later files over earlier ones. */
export function mergeEnv(base: NodeJS.ProcessEnv, files: EnvSource[]): MergedEnv {
  const env: Record<string, string> = {};
  const origin = new Map<string, string>();
  for (const f of files) {
    for (const e of f.entries) {
      env[e.key] = e.value;
      origin.set(e.key, `${f.name}:${e.line}`);
    }
  }
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    env[k] = v;
    origin.set(k, 'environment');
  }
  return { env, origin };
}

export interface ResolvedEnv {
  env: Record<string, string>;
  /** The secrets put into env (to mask in the child's output). */
  secrets: string[];
  /** Each alias resolved, with the variables that held it. */
  aliases: Map<string, string[]>;
  /** Variables holding text that starts like an alias but is not one (left as they are). */
  malformed: string[];
  /** Each resolved alias's key fingerprint (for the broker's log). */
  fingerprints: Map<string, string>;
}

/** No vault entry for some aliases: names them and where they were, never a value. */
export class MissingAliasError extends UsageError {
  override name = 'MissingAliasError';
  constructor(readonly missing: Array<{ alias: string; where: string[] }>) {
    super(
      missing.length === 1
        ? `no vault entry for ${missing[0]!.alias} (in ${missing[0]!.where.join(', ')}); nothing was run`
        : `no vault entry for ${missing.length} aliases: ${missing.map((m) => `${m.alias} (in ${m.where.join(', ')})`).join('; ')}; nothing was run`,
    );
  }
}

/**
 * Replaces every alias in the merged environment with its secret. The vault is only opened (and
 * asked whether it is available) when there is an alias to resolve.
 */
/** Every alias the merged environment holds, with the variables holding it; and the variables with a malformed one. */
export function wantedAliases(merged: MergedEnv): { aliases: Map<string, string[]>; malformed: string[] } {
  const aliases = new Map<string, string[]>();
  const malformed: string[] = [];
  for (const [k, v] of Object.entries(merged.env)) {
    if (!v.includes('outloop://')) continue;
    for (const a of findAliases(v)) {
      const where = aliases.get(a.alias) ?? [];
      if (!where.includes(k)) where.push(k);
      aliases.set(a.alias, where);
    }
    if (hasMalformedAlias(v)) malformed.push(k);
  }
  return { aliases, malformed };
}

export async function resolveEnv(merged: MergedEnv, openVault: () => Promise<VaultBackend>): Promise<ResolvedEnv> {
  const { aliases, malformed } = wantedAliases(merged);
  const env = { ...merged.env };
  if (aliases.size === 0) return { env, secrets: [], aliases, malformed, fingerprints: new Map() };

  const vault = await openVault();
  if (!(await vault.available())) {
    throw new UsageError(`vault ${vault.name} is not available here, so ${aliases.size === 1 ? 'the alias' : `${aliases.size} aliases`} cannot be resolved; nothing was run`);
  }
  const secrets = new Map<string, string>();
  const missing: Array<{ alias: string; where: string[] }> = [];
  // One at a time: backends may run a CLI or prompt for a passphrase.
  for (const [alias, vars] of aliases) {
    const secret = await vault.get(alias);
    if (secret === null) missing.push({ alias, where: vars.map((v) => describe(v, merged.origin.get(v))) });
    else secrets.set(alias, secret);
  }
  if (missing.length) throw new MissingAliasError(missing);
  for (const [k, v] of Object.entries(env)) {
    if (!v.includes('outloop://')) continue;
    env[k] = v.replace(ALIAS_IN_TEXT, (alias) => secrets.get(alias)!);
  }
  const fingerprints = new Map([...secrets].map(([alias, secret]) => [alias, fingerprint(secret)]));
  return { env, secrets: [...new Set(secrets.values())], aliases, malformed, fingerprints };
}

function describe(variable: string, origin: string | undefined): string {
  return origin && origin !== 'environment' ? `${variable} from ${origin}` : variable;
}
