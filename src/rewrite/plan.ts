/**
 * The rewrite plan: from a scan's findings, per file, the byte edits that replace each key (exactly
 * its span) with its broker alias, and what must be escrowed in the vault first. Nothing is written
 * here; the plan holds raw secrets only in memory (to escrow them), never in what it reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OutloopConfig } from '../config/load.js';
import type { Detector } from '../detect/engine.js';
import { fingerprint as fingerprintOf } from '../detect/redact.js';
import { sniff, type TextEncoding } from '../decode/text.js';
import { withSecrets } from '../enrich/finding.js';
import { scanFile } from '../scan-file.js';
import type { Finding } from '../model/finding.js';
import { isAccountRule, FOREIGN_ACCOUNT } from '../tenancy/accounts.js';
import { slug } from '../tenancy/bind.js';
import { aliasFor, type VaultBackend } from '../vault/vault.js';
import { spliceBytes } from '../splice.js';
import { sha256 } from './atomic.js';
import { decodeBytes, encodeText } from './text-codec.js';
import { checkerFor, formatOf, type FormatKind } from './formats.js';
import type { JournalEdit } from './journal.js';

/** Transcripts written to this recently belong to a live session: left alone unless --force. */
export const LIVE_TRANSCRIPT_MS = 5 * 60_000;

export interface NotRewritten {
  path: string;
  line: number;
  fingerprint: string;
  redacted: string;
  service: string;
  reason: string;
}

export interface PlanFile {
  abs: string;
  rel: string;
  kind: FormatKind;
  before: Buffer;
  beforeSha256: string;
  after: Buffer;
  afterSha256: string;
  mode: number;
  mtimeMs: number;
  edits: JournalEdit[];
  /** The findings each edit replaces (for the dry-run diff), index-aligned with `edits`. */
  findings: Finding[][];
  /** Every finding of the file, rewritten or not (for masking the diff). */
  allFindings: Finding[];
  stage: boolean;
  /** The file's text encoding, which the rewrite keeps, and the length of its byte order mark. */
  textEncoding: TextEncoding;
  bom: number;
}

/** A vault entry the run must hold before any file changes. */
export interface Escrow {
  alias: string;
  /** In memory only. */
  value: string;
  /** Fingerprint (`sha256:`) of the value when it is a key; sha256 hex of the bytes for an encoded span. */
  fingerprint: string;
  /** Already in the vault with this value. */
  present: boolean;
}

export interface Plan {
  files: PlanFile[];
  escrows: Escrow[];
  /** Bindings to add to the config (keys that had none). */
  bindings: Array<{ tenant: string; name: string; fingerprint: string; alias: string }>;
  notRewritten: NotRewritten[];
  /** Findings that are not keys (account ids): nothing to escrow, left where they are, said why. */
  leftInPlace: NotRewritten[];
}

/** Why an account id (a foreign-account finding) stays: it identifies a client, it grants nothing. */
export const ACCOUNT_LEFT = 'left in place: an account id, not a key (it grants no access; nothing to escrow)';

export interface PlanOptions {
  root: string;
  findings: Finding[];
  config: OutloopConfig;
  vault: VaultBackend | null;
  detector: Detector;
  force?: boolean;
  now?: number;
  /** Files to re-stage after writing (relative paths), for --staged. */
  stage?: Set<string>;
  /** Files refused before planning (relative path → reason), e.g. index and worktree differ. */
  refused?: Map<string, string>;
}

const ALIAS_NAME_MAX = 64;

export async function buildPlan(options: PlanOptions): Promise<Plan> {
  const now = options.now ?? Date.now();
  const plan: Plan = { files: [], escrows: [], bindings: [], notRewritten: [], leftInPlace: [] };
  const located = options.findings.filter((f) => f.path !== '-' && !f.path.startsWith('env:'));
  const isAccount = (f: Finding) => f.ruleId === FOREIGN_ACCOUNT || isAccountRule(f.ruleId);
  for (const f of located.filter(isAccount)) plan.leftInPlace.push({ path: f.path, line: f.line, fingerprint: f.fingerprint, redacted: f.redacted, service: f.service, reason: ACCOUNT_LEFT });
  const keyFindings = located.filter((f) => !isAccount(f));
  const skip = (f: Finding, reason: string) => plan.notRewritten.push({ path: f.path, line: f.line, fingerprint: f.fingerprint, redacted: f.redacted, service: f.service, reason });

  const byPath = new Map<string, Finding[]>();
  for (const f of keyFindings) {
    const list = byPath.get(f.path) ?? [];
    list.push(f);
    byPath.set(f.path, list);
  }

  const aliases = new AliasBook(options.config, options.vault);
  for (const [rel, findings] of [...byPath.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    const abs = path.resolve(options.root, rel);
    const refused = options.refused?.get(rel);
    if (refused) {
      findings.forEach((f) => skip(f, refused));
      continue;
    }
    if (!options.vault) {
      findings.forEach((f) => skip(f, 'not rewritten: no vault (its key would have nowhere to go; configure a vault backend)'));
      continue;
    }
    let bytes: Buffer;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(abs);
      if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file' });
      bytes = fs.readFileSync(abs);
    } catch (err) {
      findings.forEach((f) => skip(f, `not rewritten: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`));
      continue;
    }
    // Found in decompressed text (a `.jsonl.zst`): the key has no bytes of its own in the file.
    if (findings.some((f) => f.encoding?.startsWith('zstd'))) {
      findings.forEach((f) => skip(f, 'not rewritten: inside a zstd-compressed file (decompress it to rewrite it, or delete it)'));
      continue;
    }
    const sniffed = sniff(bytes.subarray(0, 8000));
    if (sniffed.kind !== 'text') {
      findings.forEach((f) => skip(f, 'not rewritten: binary file'));
      continue;
    }
    // The file keeps its encoding: spans are bytes, and only the replaced ones are encoded anew.
    const enc = sniffed.encoding;
    const textOf = (b: Buffer) => decodeBytes(b, enc);
    const body = bytes.subarray(sniffed.bom);
    if (!options.force && findings.some((f) => f.source === 'transcript') && now - stat.mtimeMs < LIVE_TRANSCRIPT_MS) {
      findings.forEach((f) => skip(f, `not rewritten: transcript modified ${Math.round((now - stat.mtimeMs) / 1000)}s ago (a session may still be writing it; --force to rewrite anyway)`));
      continue;
    }
    const kind = formatOf(rel, bytes);
    const checker = await checkerFor(kind);
    // For keys found by rendering or unescaping (see RESCANNED): what a fresh scan of the file finds
    // (once per file), each at its span with its secret.
    let found: Map<string, string> | null = null;
    const refound = (f: Finding): string | null => {
      if (!found) {
        const { result, secrets } = withSecrets(() => scanFile(abs, rel, options.detector, f.source));
        found = new Map(result.findings.map((x) => [spanKey(x), secrets.get(x.fingerprint)!]));
      }
      return found.get(spanKey(f)) ?? null;
    };
    const text = kind === 'js' || kind === 'ts' ? textOf(bytes) : '';
    const charAt = (byte: number) => textOf(bytes.subarray(0, byte)).length;

    // Findings sharing one span (two keys in one base64 run) make one edit.
    const groups: Finding[][] = [];
    for (const f of findings) {
      const last = groups[groups.length - 1];
      if (last && last[0]!.span.start === f.span.start && last[0]!.span.end === f.span.end) last.push(f);
      else groups.push([f]);
    }
    const edits: Array<{ start: number; end: number; replacement: string; source: Buffer; group: Finding[]; fps: string[]; aliases: string[]; encoding: string | null }> = [];
    let lastEnd = -1;
    for (const group of groups) {
      const first = group[0]!;
      const { start, end } = first.span;
      if (start < lastEnd) {
        group.forEach((f) => skip(f, 'not rewritten: overlaps another key in this file'));
        continue;
      }
      if (end > bytes.length || start < 0 || end <= start) {
        group.forEach((f) => skip(f, 'not rewritten: the file changed since it was scanned'));
        continue;
      }
      const source = bytes.subarray(start, end);
      const encoding = first.encoding ?? null;
      const secrets = extractSecrets(textOf(source), encoding, group, options.detector, rel, refound);
      if (secrets === ALREADY) continue;
      if (typeof secrets === 'string') {
        group.forEach((f) => skip(f, secrets));
        continue;
      }
      if (kind === 'js' || kind === 'ts') {
        const why = checker.spanOk(text, charAt(start), charAt(end));
        if (why) {
          group.forEach((f) => skip(f, `not rewritten: ${why}`));
          continue;
        }
      }
      const resolved: string[] = [];
      let failed: string | null = null;
      for (const s of secrets.list) {
        const r = await aliases.resolve(s.finding, s.secret);
        if (typeof r !== 'string') resolved.push(r.alias);
        else failed = r;
      }
      if (failed) {
        group.forEach((f) => skip(f, failed!));
        continue;
      }
      const replacement = secrets.rebuild(resolved);
      edits.push({ start, end, replacement, source, group, fps: secrets.list.map((s) => s.finding.fingerprint), aliases: resolved, encoding });
      lastEnd = end;
    }
    if (!edits.length) continue;

    const pieces: Array<{ start: number; end: number; bytes: Buffer }> = [];
    const journalEdits: JournalEdit[] = [];
    let shift = 0;
    for (const e of edits) {
      const rep = encodeText(e.replacement, enc);
      pieces.push({ start: e.start, end: e.end, bytes: rep });
      const newStart = e.start + shift;
      const plain = e.encoding === null;
      let sourceAlias: string | null = null;
      if (!plain) {
        sourceAlias = sourceAliasFor(e.aliases[0]!, e.source);
        aliases.escrowSource(sourceAlias, textOf(e.source));
      }
      journalEdits.push({ start: e.start, end: e.end, newStart, newEnd: newStart + rep.length, replacement: e.replacement, fingerprints: e.fps, aliases: e.aliases, encoding: e.encoding, sourceSha256: sha256(enc === 'utf8' ? e.source : textOf(e.source)), sourceAlias });
      shift += rep.length - (e.end - e.start);
    }
    const after = spliceBytes(bytes, pieces);
    if (kind !== 'text' && checker.parses(textOf(body)) === true && checker.parses(textOf(after.subarray(sniffed.bom))) === false) {
      edits.forEach((e) => e.group.forEach((f) => skip(f, `not rewritten: the rewritten file would no longer parse as ${kind}`)));
      continue;
    }
    plan.files.push({
      abs,
      rel,
      kind,
      before: bytes,
      beforeSha256: sha256(bytes),
      after,
      afterSha256: sha256(after),
      mode: stat.mode & 0o7777,
      mtimeMs: stat.mtimeMs,
      edits: journalEdits,
      findings: edits.map((e) => e.group),
      allFindings: findings,
      stage: options.stage?.has(rel) ?? false,
      textEncoding: enc,
      bom: sniffed.bom,
    });
  }
  plan.escrows = aliases.escrows();
  plan.bindings = aliases.newBindings().filter((b) => plan.files.some((f) => f.edits.some((e) => e.aliases.includes(b.alias))));
  plan.escrows = plan.escrows.filter((e) => plan.files.some((f) => f.edits.some((x) => x.aliases.includes(e.alias) || x.sourceAlias === e.alias)));
  return plan;
}

/** The vault alias holding an encoded span's original bytes, next to its key's alias. */
function sourceAliasFor(alias: string, source: Buffer): string {
  const m = /^outloop:\/\/([^/]+)\/(.+)$/.exec(alias)!;
  const suffix = `.src-${sha256(source).slice(0, 10)}`;
  return aliasFor(m[1]!, m[2]!.slice(0, ALIAS_NAME_MAX - suffix.length) + suffix);
}

interface Extracted {
  list: Array<{ finding: Finding; secret: string }>;
  /** The span's new text, given each secret's alias (same order as list). */
  rebuild(aliases: string[]): string;
}

/**
 * Layers whose decoding renders or unescapes the bytes around a key (terminal output with escape
 * codes between its characters, shell history escapes, percent-encoding, a cast's event text, and
 * JSON strings holding any of these): the span's bytes are not the key's own, so the whole span
 * becomes the alias (its original bytes escrowed, as for every encoded span), once a fresh scan of
 * the file shows the same key at the same span. Within one line only: a span across lines crosses
 * the file's own structure (two recorded events, two history entries).
 */
const RESCANNED = new Set(['json', 'terminal', 'percent', 'fish-history', 'zsh-history', 'asciinema']);

/** Between two output events of an asciinema cast: the end of one event's text and the start of the next's (v2: absolute time; v3: interval). */
const CAST_EVENT_BREAK = /("\]\r?\n\[\s*[0-9.eE+-]+\s*,\s*"o"\s*,\s*")/;

const spanKey = (f: Finding) => `${f.span.start}:${f.span.end}:${f.fingerprint}`;

/** The secrets a span holds, checked against the findings' fingerprints; a string says why not. */
function extractSecrets(text: string, encoding: string | null, group: Finding[], detector: Detector, rel: string, refound: (f: Finding) => string | null): Extracted | string {
  if (encoding === null) {
    const f = group[0]!;
    if (isEncodedAlias(text)) return ALREADY;
    if (group.length > 1 || fingerprintOf(text) !== f.fingerprint) return 'not rewritten: the file changed since it was scanned';
    return { list: [{ finding: f, secret: text }], rebuild: (a) => a[0]! };
  }
  if (/^json(\+json)*$/.test(encoding)) {
    const f = group[0]!;
    if (group.length > 1) return 'not rewritten: several keys in one JSON-escaped span';
    let v = text;
    for (let depth = 0; depth < 4 && fingerprintOf(v) !== f.fingerprint; depth++) {
      try {
        v = JSON.parse(`"${v}"`) as string;
      } catch {
        break;
      }
    }
    if (fingerprintOf(v) !== f.fingerprint) return 'not rewritten: the file changed since it was scanned';
    // The alias has no character JSON escapes, so it is written as it is, at any depth.
    return { list: [{ finding: f, secret: v }], rebuild: (a) => a[0]! };
  }
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return 'not rewritten: base64 run with line breaks or other characters inside';
    const url = /[-_]/.test(text);
    const padded = text.endsWith('=');
    const raw = Buffer.from(text, url ? 'base64url' : 'base64');
    const encode = (b: Buffer) => {
      let s = b.toString(url ? 'base64url' : 'base64');
      s = s.replace(/=+$/, '');
      if (padded || (!url && text.length % 4 === 0 && s.length % 4 === 0)) while (s.length % 4) s += '=';
      return s;
    };
    if (encode(raw) !== text) return 'not rewritten: the base64 run does not re-encode to the same text';
    const decoded = raw.toString('utf8');
    if (!Buffer.from(decoded, 'utf8').equals(raw)) return 'not rewritten: the base64 run does not decode to UTF-8 text';
    const want = new Set(group.map((f) => f.fingerprint));
    const matches = detector.detect(decoded, rel).filter((m) => want.has(fingerprintOf(m.secret)));
    const seen = new Set<string>();
    const picked: typeof matches = [];
    for (const m of matches.sort((a, b) => a.start - b.start)) {
      if (picked.length && m.start < picked[picked.length - 1]!.end) continue;
      picked.push(m);
      seen.add(fingerprintOf(m.secret));
    }
    if (seen.size !== want.size) return 'not rewritten: the file changed since it was scanned';
    const byFp = new Map(group.map((f) => [f.fingerprint, f]));
    return {
      list: picked.map((m) => ({ finding: byFp.get(fingerprintOf(m.secret))!, secret: m.secret })),
      rebuild: (a) => {
        let out = '';
        let at = 0;
        picked.forEach((m, i) => {
          out += decoded.slice(at, m.start) + a[i]!;
          at = m.end;
        });
        return encode(Buffer.from(out + decoded.slice(at), 'utf8'));
      },
    };
  }
  if (encoding.split('+').every((layer) => RESCANNED.has(layer))) {
    const f = group[0]!;
    if (group.length > 1) return `not rewritten: several keys in one ${encoding} span`;
    // A key a recording split over output events: the alias goes in the first event's text and the
    // key's rest is cut from the later ones, whose event structure (time, type) stays as it was.
    const events = encoding === 'asciinema' ? text.split(CAST_EVENT_BREAK) : [text];
    if (events.some((part, i) => i % 2 === 0 && /[\r\n]/.test(part))) return `not rewritten: the ${encoding} span runs over several lines`;
    const secret = refound(f);
    if (secret === null) return 'not rewritten: the file changed since it was scanned';
    return { list: [{ finding: f, secret }], rebuild: (a) => events.map((part, i) => (i === 0 ? a[0]! : i % 2 ? part : '')).join('') };
  }
  return `not rewritten: ${encoding} (keys found through this encoding are not rewritten yet)`;
}

/** A run that base64-decodes to text holding an alias: a run this rewriter already re-encoded (a generic rule may take it for a key). */
function isEncodedAlias(text: string): boolean {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(text)) return false;
  return Buffer.from(text, /[-_]/.test(text) ? 'base64url' : 'base64').toString('latin1').includes('outloop://');
}

const ALREADY = 'already an alias';

/** Alias for every key: its binding, or a new name in the place's tenant; what to escrow. */
class AliasBook {
  private byFp = new Map<string, { alias: string; tenant: string; name: string; value: string; present: boolean; isNew: boolean } | string>();
  private taken = new Map<string, Set<string>>();
  private sources = new Map<string, Escrow>();

  constructor(
    private config: OutloopConfig,
    private vault: VaultBackend | null,
  ) {}

  async resolve(f: Finding, secret: string): Promise<{ alias: string } | string> {
    const known = this.byFp.get(f.fingerprint);
    if (known !== undefined) return typeof known === 'string' ? known : { alias: known.alias };
    const result = await this.decide(f, secret);
    this.byFp.set(f.fingerprint, result);
    return typeof result === 'string' ? result : { alias: result.alias };
  }

  private async decide(f: Finding, secret: string) {
    const vault = this.vault!;
    if (f.owner !== null) {
      const binding = this.config.tenants[f.owner]?.keys.find((k) => k.fingerprint === f.fingerprint);
      if (binding) {
        const alias = aliasFor(f.owner, binding.name);
        const held = await vault.get(alias);
        if (held !== null && fingerprintOf(held) !== f.fingerprint) return `not rewritten: the vault holds another key under ${alias}`;
        return { alias, tenant: f.owner, name: binding.name, value: secret, present: held !== null, isNew: false };
      }
    }
    const tenant = f.tenant ?? 'default';
    let names = this.taken.get(tenant);
    if (!names) this.taken.set(tenant, (names = new Set((this.config.tenants[tenant]?.keys ?? []).map((k) => k.name.toLowerCase()))));
    const base = slug(f.service).slice(0, 40);
    for (let n = 1; n < 1000; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (names.has(name.toLowerCase())) continue;
      const alias = aliasFor(tenant, name);
      const held = await vault.get(alias);
      if (held !== null && fingerprintOf(held) !== f.fingerprint) continue; // that name holds another key
      names.add(name.toLowerCase());
      return { alias, tenant, name, value: secret, present: held !== null, isNew: true };
    }
    return 'not rewritten: no free alias name';
  }

  escrowSource(alias: string, value: string): void {
    if (!this.sources.has(alias)) this.sources.set(alias, { alias, value, fingerprint: sha256(value), present: false });
  }

  escrows(): Escrow[] {
    const out: Escrow[] = [];
    for (const [fp, v] of this.byFp) if (typeof v !== 'string') out.push({ alias: v.alias, value: v.value, fingerprint: fp, present: v.present });
    return [...out, ...this.sources.values()];
  }

  newBindings(): Array<{ tenant: string; name: string; fingerprint: string; alias: string }> {
    const out = [];
    for (const [fp, v] of this.byFp) if (typeof v !== 'string' && v.isNew) out.push({ tenant: v.tenant, name: v.name, fingerprint: fp, alias: v.alias });
    return out;
  }
}
