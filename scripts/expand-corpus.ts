/**
 * Expands the labeled example world: corpus/templates/** → corpus/world/**, plus
 * corpus/manifest.json listing every expected finding (rule, path, line, column, fingerprint) and
 * every decoy that must not be flagged. Templates hold no raw key: see src/rules/template.ts.
 *
 *   «[rule-id]...»        an expected finding of that rule
 *   «[decoy:kind]...»     a decoy (placeholder, publishable key, hash...) that must not be flagged
 *
 * Encoded secrets (agent transcripts, terminal logs, Kubernetes secrets write keys escaped or
 * encoded): a marker may name transforms after a `|`, applied in order to the marked text as it is
 * written to the file. The manifest keeps the fingerprint of the plain secret and the line and
 * column where its ENCODED form starts (see ENCODINGS for the list):
 *
 *   «[rule-id|json-u]...»       every character but [A-Za-z0-9] written as \u00XX (json-u:-_ : only those)
 *   «[rule-id|json-slash]...»   every / written as \/
 *   «[rule-id|percent]...»      percent-encoded like encodeURIComponent (percent-all: every non-alphanumeric)
 *   «[rule-id|split-sgr]...»    an SGR colour change inserted in the middle of the written key
 *   «[|json]...»                an envelope: no finding of its own, its text written as a JSON string body
 *   «[|base64]user:«[rule-id]...»»   an envelope written as base64 of its UTF-8 text: the inner secret
 *                               is expected at the start of the whole base64 run (base64 can't point
 *                               inside a run), with the fingerprint of the decoded secret
 *
 * Transforms that map characters one to one (json, json-u, json-slash, percent, split-sgr) move the
 * markers inside them with their characters; whole-run transforms (base64, base64url) put every inner
 * marker at the run. Text between ⟦ and ⟧ is written to the file but is no part of the enclosing
 * secret: a key split across two asciinema events, an erased typo, a colour change inside a key:
 *
 *   «[anthropic-api-key]sk-ant-api03-{{urlsafe:40}}⟦"]\n[0.0004, "o", "⟧{{urlsafe:53}}AA»
 *
 * Named secrets (the agency fixture, corpus/agency/: one client's key copied into another client's
 * files, and the config that binds it by fingerprint):
 *
 *   «[rule-id#NAME]...»        an expected finding whose secret is called NAME (defined once per corpus)
 *   «[rule-id=NAME]»           the NAME secret written again, the same value (a copy: a wrong-client
 *                              .env, a transcript); takes transforms like any marker: «[rule=NAME|json-u]»
 *   {{fingerprint:NAME}}       the `sha256:` fingerprint of NAME's plain value (in any file, e.g. an
 *                              outloop.config.json key binding); resolved after every file is expanded
 *
 * NAME is a letter, then letters, digits, dot, dash and underscore. An unknown NAME, a NAME defined
 * twice, a reference that holds text, or a reference inside a named secret is an error. References
 * take no randomness, so every other secret expands as it would without them; manifest entries of
 * named secrets and their copies carry `name`.
 *
 * A file name may end in a modifier that changes how the expanded text is written:
 *   name@crlf (CRLF line ends), name@bom (UTF-8 BOM), name@utf16le / name@utf16be (with BOM),
 *   name@invalid-utf8 (each ¤ in the template becomes a lone 0xFF byte), name@zsh-meta (the UTF-8
 *   bytes metafied as zsh writes its history: NUL and 0x83-0xA2 become 0x83, byte ^ 0x20; columns
 *   are counted on the bytes as written, like every finding's).
 *
 * With `{ dotGit: true }` (the agency corpus), a path segment `_git` is written as `.git`: git can't
 * track a nested repository's `.git/config`, whose remotes tell which client a folder belongs to.
 *
 * Usage: node dist/scripts/expand-corpus.js [--out DIR] [--agency-out DIR] [--check]
 *   expands corpus/templates → corpus/world (or DIR) with corpus/manifest.json, and
 *   corpus/agency/templates → corpus/agency/world (or DIR) with corpus/agency/manifest.json
 *   --check   fail if a committed manifest is not what its templates produce
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint } from '../src/detect/redact.js';
import { expandTemplate, seededRng, type Rng } from '../src/rules/template.js';

export interface ExpectedFinding {
  path: string;
  line: number;
  column: number;
  ruleId: string;
  fingerprint: string;
  /** For a named secret («[rule#NAME]») and its copies («[rule=NAME]»): NAME. */
  name?: string;
}

export interface Decoy {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  kind: string;
}

export interface CorpusManifest {
  files: number;
  expected: ExpectedFinding[];
  decoys: Decoy[];
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEMPLATES = path.join(repo, 'corpus/templates');
export const MANIFEST = path.join(repo, 'corpus/manifest.json');
export const AGENCY_TEMPLATES = path.join(repo, 'corpus/agency/templates');
export const AGENCY_MANIFEST = path.join(repo, 'corpus/agency/manifest.json');

export interface CorpusOptions {
  /** Write a path segment `_git` as `.git` (a nested repository's config; see the header). */
  dotGit?: boolean;
}

type Modifier = 'crlf' | 'bom' | 'utf16le' | 'utf16be' | 'invalid-utf8' | 'zsh-meta';

export function expandCorpus(outDir: string, templatesDir = TEMPLATES, options: CorpusOptions = {}): CorpusManifest & { raw: string[] } {
  fs.rmSync(outDir, { recursive: true, force: true });
  const expected: ExpectedFinding[] = [];
  const decoys: Decoy[] = [];
  const raw: string[] = [];
  const files = listFiles(templatesDir);
  const sources = files.map((rel) => {
    const [name, modifier] = splitModifier(rel);
    return { rel, name, target: options.dotGit ? name.split('/').map((s) => (s === '_git' ? '.git' : s)).join('/') : name, modifier, template: fs.readFileSync(path.join(templatesDir, rel), 'utf8') };
  });
  const expandOne = (s: (typeof sources)[number], lookup: (name: string) => string | undefined) => {
    try {
      return expandCorpusTemplate(s.template, seededRng(`corpus:${s.name}`), lookup);
    } catch (e) {
      throw new Error(`${s.rel}: ${(e as Error).message}`);
    }
  };
  // Pass 1 learns every named secret's value: references take no randomness, so what they write
  // changes no other secret. Pass 2 expands the files that hold references with the real values.
  let outputs = sources.map((s) => expandOne(s, () => ''));
  const named = new Map<string, { value: string; rel: string }>();
  sources.forEach((s, i) => {
    for (const m of outputs[i]!.marks) {
      if (m.name === undefined || m.reference) continue;
      const other = named.get(m.name);
      if (other) throw new Error(`${s.rel}: secret name "${m.name}" is already defined in ${other.rel}`);
      named.set(m.name, { value: m.value, rel: s.rel });
    }
  });
  outputs = outputs.map((out, i) => {
    if (!out.marks.some((m) => m.reference)) return out;
    const again = expandOne(sources[i]!, (name) => named.get(name)?.value);
    for (const m of again.marks) {
      if (m.name !== undefined && !m.reference && named.get(m.name)!.value !== m.value) throw new Error(`${sources[i]!.rel}: the named secret "${m.name}" holds a «[rule=NAME]» reference`);
    }
    return again;
  });
  sources.forEach((s, i) => {
    let text: string;
    let marks: Mark[];
    try {
      const placeholders = (t: string) => t.split('{{fingerprint:').length - 1;
      if (placeholders(outputs[i]!.text) !== placeholders(s.template)) throw new Error('{{fingerprint:NAME}} inside an encoded «[…|…]» marker would be encoded, not resolved');
      ({ text, marks } = resolveFingerprints(outputs[i]!.text, outputs[i]!.marks, (name) => named.get(name)?.value));
    } catch (e) {
      throw new Error(`${s.rel}: ${(e as Error).message}`);
    }
    for (const m of marks) {
      if (!m.label) throw new Error(`${s.rel}: every « » in the corpus needs a [label]`);
      const { line, column } = s.modifier === 'zsh-meta' ? metafiedPosition(text, m.start) : position(text, m.start);
      if (m.label.startsWith('decoy:')) {
        const end = position(text, m.end);
        decoys.push({ path: s.target, line, column, endLine: end.line, endColumn: end.column, kind: m.label.slice(6) });
      }
      else {
        expected.push({ path: s.target, line, column, ruleId: m.label, fingerprint: fingerprint(m.value), ...(m.name !== undefined ? { name: m.name } : {}) });
        raw.push(m.value);
      }
    }
    const target = path.join(outDir, s.target);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, encode(text, s.modifier));
  });
  const sort = <T extends { path: string; line: number }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line);
  expected.sort(sort);
  decoys.sort(sort);
  return { files: files.length, expected, decoys, raw };
}

const FINGERPRINT_TOKEN = /\{\{fingerprint:([^}]*)\}\}/g;
const SECRET_NAME = /^[A-Za-z][A-Za-z0-9._-]*$/;

/**
 * Writes `{{fingerprint:NAME}}` as the fingerprint of NAME's value, moving the marks after it; an
 * unknown NAME, or one inside a marked span, is an error.
 */
export function resolveFingerprints(text: string, marks: Mark[], lookup: (name: string) => string | undefined): { text: string; marks: Mark[] } {
  const found = [...text.matchAll(FINGERPRINT_TOKEN)];
  if (!found.length) return { text, marks };
  let out = text;
  let moved = marks.map((m) => ({ ...m }));
  for (const t of found.reverse()) {
    const name = t[1]!;
    const value = SECRET_NAME.test(name) ? lookup(name) : undefined;
    if (value === undefined) throw new Error(`unknown secret name "${name}" in {{fingerprint:${name}}}`);
    const start = t.index;
    const end = start + t[0].length;
    if (moved.some((m) => m.start < end && m.end > start)) throw new Error(`{{fingerprint:${name}}} inside a « » marker`);
    const fp = fingerprint(value);
    out = out.slice(0, start) + fp + out.slice(end);
    const delta = fp.length - t[0].length;
    moved = moved.map((m) => (m.start >= end ? { ...m, start: m.start + delta, end: m.end + delta } : m));
  }
  return { text: out, marks: moved };
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

function splitModifier(rel: string): [string, Modifier | undefined] {
  const m = /^(.*)@(crlf|bom|utf16le|utf16be|invalid-utf8|zsh-meta)$/.exec(rel);
  return m ? [m[1]!, m[2] as Modifier] : [rel, undefined];
}

/** zsh's metafication (Src/utils.c): NUL and the bytes 0x83-0xA2 are written as 0x83, byte ^ 0x20. */
export function metafy(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0 || (b >= 0x83 && b <= 0xa2)) out.push(0x83, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** A marked span in the text as written to the file; `value` is the plain (decoded) secret. */
export interface Mark {
  start: number;
  end: number;
  value: string;
  label?: string;
  /** A named secret («[rule#NAME]») or a copy of one («[rule=NAME]», with `reference`). */
  name?: string;
  reference?: true;
}

/**
 * What a transform writes for a run of text. `offsets[i]` is where input character i starts in the
 * output (`offsets[input.length]` is the output's length); null for a whole-run encoding such as
 * base64, where no character of the output belongs to one character of the input.
 */
interface Encoded {
  out: string;
  offsets: number[] | null;
}

type Transform = (input: string) => Encoded;

/** Writes each code point through `f`, keeping where each input character went. */
function perChar(f: (ch: string) => string): Transform {
  return (input) => {
    let out = '';
    const offsets: number[] = [];
    for (const ch of input) {
      for (let k = 0; k < ch.length; k++) offsets.push(out.length);
      out += f(ch);
    }
    offsets.push(out.length);
    return { out, offsets };
  };
}

const hex4 = (ch: string) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
const SGR_SPLIT = '\x1b[0m\x1b[1;32m';

/** The encodings a corpus marker can name after `|` (see the header). */
export const ENCODINGS: Record<string, (arg: string | undefined) => Transform> = {
  // A JSON string body, as JSON.stringify writes it (without the quotes).
  json: () => perChar((ch) => JSON.stringify(ch).slice(1, -1)),
  // \u00XX escapes for every character but [A-Za-z0-9], or only for the characters given (json-u:-_).
  'json-u': (arg) => perChar((ch) => ((arg === undefined ? !/^[A-Za-z0-9]$/.test(ch) : arg.includes(ch)) ? hex4(ch) : ch)),
  'json-slash': () => perChar((ch) => (ch === '/' ? '\\/' : ch)),
  percent: () => perChar((ch) => encodeURIComponent(ch)),
  'percent-all': () => perChar((ch) => (/^[A-Za-z0-9]$/.test(ch) ? ch : encodeURIComponent(ch).replace(/^[^%]$/, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()))),
  base64: () => (input) => ({ out: Buffer.from(input, 'utf8').toString('base64'), offsets: null }),
  base64url: () => (input) => ({ out: Buffer.from(input, 'utf8').toString('base64url'), offsets: null }),
  // An SGR reset + colour in the middle of the text (a key printed in two colours).
  'split-sgr': () => (input) => {
    const k = Math.floor(input.length / 2);
    const offsets: number[] = [];
    for (let i = 0; i <= input.length; i++) offsets.push(i < k ? i : i + SGR_SPLIT.length);
    return { out: input.slice(0, k) + SGR_SPLIT + input.slice(k), offsets };
  },
};

function parseTransform(spec: string): Transform {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const make = ENCODINGS[name];
  if (!make) throw new Error(`unknown encoding |${name} (known: ${Object.keys(ENCODINGS).join(', ')})`);
  return make(colon < 0 ? undefined : spec.slice(colon + 1));
}

// «[label#NAME|transforms]», «[label=NAME|transforms]»: the name and the transforms are optional.
const EXTENDED_MARKER = /«\[([^\]|#=]*)(?:([#=])([^\]|]*))?(?:\|([^\]]+))?\]/g;
const INSERT_OPEN = '⟦';
const INSERT_CLOSE = '⟧';

interface Node {
  start: number;
  end: number;
  label?: string;
  transforms: Transform[];
  children: Node[];
  name?: string;
  reference?: true;
}

/**
 * expandTemplate plus the corpus's encodings: markers with `|transform`s, named secrets and their
 * copies (`lookup` gives a NAME's value for «[rule=NAME]»), and ⟦inserted⟧ text. A template with
 * none of these expands exactly as expandTemplate does.
 */
export function expandCorpusTemplate(template: string, rng: Rng, lookup: (name: string) => string | undefined = () => undefined): { text: string; marks: Mark[] } {
  // Markers with transforms or a name become «[xf:N]» for expandTemplate (whose labels can't hold
  // a | # or =); the table keeps what N stands for. A reference writes its secret's value, which
  // takes no randomness: every other secret expands as it would without it.
  const table: Array<{ label?: string; transforms: Transform[]; name?: string; reference?: true }> = [];
  const plain = template.replace(EXTENDED_MARKER, (m, label: string, kind: string | undefined, name: string | undefined, specs: string | undefined, offset: number) => {
    if (kind === undefined && specs === undefined) return m;
    if (kind !== undefined && !SECRET_NAME.test(name!)) throw new Error(`bad secret name "${name}" in ${m} (a letter, then letters, digits, . _ -)`);
    table.push({ ...(label ? { label } : {}), transforms: specs === undefined ? [] : specs.split('|').map(parseTransform), ...(kind !== undefined ? { name: name! } : {}), ...(kind === '=' ? { reference: true as const } : {}) });
    if (kind !== '=') return `«[xf:${table.length - 1}]`;
    if (template[offset + m.length] !== '»') throw new Error(`a reference ${m}» holds no text of its own: write ${m}»`);
    const value = lookup(name!);
    if (value === undefined) throw new Error(`unknown secret name "${name}" in ${m}»`);
    if (/[«»⟦⟧]|\{\{/.test(value)) throw new Error(`the value of "${name}" can't be written by a reference`);
    return `«[xf:${table.length - 1}]${value}`;
  });
  const { text, secrets } = expandTemplate(plain, rng);
  if (!table.length && !text.includes(INSERT_OPEN) && !text.includes(INSERT_CLOSE)) {
    return { text, marks: secrets.map((s) => ({ start: s.start, end: s.end, value: s.value, ...(s.label ? { label: s.label } : {}) })) };
  }

  // The markers as a tree (outer before inner at the same start), then written out depth first.
  const nodes: Node[] = secrets.map((s) => {
    const xf = s.label?.startsWith('xf:') ? table[Number(s.label.slice(3))] : undefined;
    const label = xf ? xf.label : s.label;
    return { start: s.start, end: s.end, ...(label ? { label } : {}), transforms: xf?.transforms ?? [], children: [], ...(xf?.name !== undefined ? { name: xf.name } : {}), ...(xf?.reference ? { reference: xf.reference } : {}) };
  });
  nodes.sort((a, b) => a.start - b.start || b.end - a.end);
  const root: Node = { start: 0, end: text.length, transforms: [], children: [] };
  const stack: Node[] = [root];
  for (const n of nodes) {
    while (stack.length > 1 && !(n.start >= stack[stack.length - 1]!.start && n.end <= stack[stack.length - 1]!.end)) stack.pop();
    stack[stack.length - 1]!.children.push(n);
    stack.push(n);
  }
  const inserts = insertions(text);
  for (const [o, e] of inserts) {
    for (const n of nodes) {
      const inside = (i: number) => i > o && i <= e;
      if (inside(n.start) || inside(n.end) || (n.start <= o && n.end > o && n.end <= e)) throw new Error('a « » marker starts or ends inside ⟦ ⟧');
    }
  }
  const out = render(root, text, inserts);
  // Same order as expandTemplate: by start, inner before outer at the same start.
  return { text: out.file, marks: out.marks.map((m, i) => ({ m, i })).sort((a, b) => a.m.start - b.m.start || a.i - b.i).map(({ m }) => m) };
}

/** The [open, close] indices of each ⟦…⟧ pair (no nesting). */
function insertions(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf(INSERT_OPEN, i);
    const close = text.indexOf(INSERT_CLOSE, i);
    if (open < 0 && close < 0) return out;
    if (close < 0) throw new Error('template has ⟦ without ⟧');
    if (open < 0 || close < open) throw new Error('template has ⟧ without ⟦');
    const end = text.indexOf(INSERT_CLOSE, open + 1);
    const nested = text.indexOf(INSERT_OPEN, open + 1);
    if (end < 0 || (nested >= 0 && nested < end)) throw new Error('template has ⟦ without ⟧');
    out.push([open, end]);
    i = end + 1;
  }
}

interface Rendered {
  file: string;
  plain: string;
  marks: Mark[];
}

function render(node: Node, text: string, inserts: Array<[number, number]>): Rendered {
  let file = '';
  let plain = '';
  let marks: Mark[] = [];
  let p = node.start;
  const children = node.children;
  let c = 0;
  while (p < node.end) {
    const child = children[c];
    const ins = inserts.find(([o, e]) => o >= p && e < node.end && (!child || o < child.start));
    const next = Math.min(child ? child.start : node.end, ins ? ins[0] : node.end);
    const lit = text.slice(p, next);
    file += lit;
    plain += lit;
    p = next;
    if (ins && ins[0] === p) {
      // Written to the file, not part of the secret; a marker can't start inside one.
      file += text.slice(ins[0] + 1, ins[1]);
      p = ins[1] + 1;
      continue;
    }
    if (child && child.start === p) {
      const r = render(child, text, inserts);
      for (const m of r.marks) marks.push({ ...m, start: m.start + file.length, end: m.end + file.length });
      file += r.file;
      plain += r.plain;
      p = child.end;
      c++;
    }
  }
  for (const t of node.transforms) {
    const { out, offsets } = t(file);
    marks = marks.map((m) => (offsets ? { ...m, start: offsets[m.start]!, end: offsets[m.end]! } : { ...m, start: 0, end: out.length }));
    file = out;
  }
  if (node.label !== undefined || node.name !== undefined) {
    marks.push({ start: 0, end: file.length, value: plain, ...(node.label !== undefined ? { label: node.label } : {}), ...(node.name !== undefined ? { name: node.name } : {}), ...(node.reference ? { reference: node.reference } : {}) });
  }
  return { file, plain, marks };
}

/** Line and column (1-based, UTF-16 units) as the scanner reports them. */
function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - (before.lastIndexOf('\n') + 1) + 1 };
}

/**
 * The position the scanner reports in a metafied file: columns count the line's bytes as written
 * (the span's bytes are what a rewrite replaces), read as UTF-8 like any other file.
 */
function metafiedPosition(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const lineText = before.slice(before.lastIndexOf('\n') + 1);
  return { line: before.split('\n').length, column: metafy(Buffer.from(lineText, 'utf8')).toString('utf8').length + 1 };
}

function encode(text: string, modifier: Modifier | undefined): Buffer {
  switch (modifier) {
    case 'crlf':
      return Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be': {
      const b = Buffer.from(text, 'utf16le');
      b.swap16();
      return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
    }
    case 'invalid-utf8':
      // Every "¤" becomes a lone 0xFF byte: invalid UTF-8 that must not stop the scan.
      return Buffer.concat(text.split('¤').flatMap((part, i) => (i === 0 ? [Buffer.from(part, 'utf8')] : [Buffer.from([0xff]), Buffer.from(part, 'utf8')])));
    case 'zsh-meta':
      return metafy(Buffer.from(text, 'utf8'));
    default:
      return Buffer.from(text, 'utf8');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
  const corpora = [
    { templates: TEMPLATES, out: flag('--out') ?? path.join(repo, 'corpus/world'), manifest: MANIFEST, options: {} },
    { templates: AGENCY_TEMPLATES, out: flag('--agency-out') ?? path.join(repo, 'corpus/agency/world'), manifest: AGENCY_MANIFEST, options: { dotGit: true } },
  ];
  for (const c of corpora) {
    const out = path.resolve(c.out);
    const result = expandCorpus(out, c.templates, c.options);
    const manifest: CorpusManifest = { files: result.files, expected: result.expected, decoys: result.decoys };
    const json = JSON.stringify(manifest, null, 1) + '\n';
    const shown = path.relative(repo, c.manifest);
    if (args.includes('--check')) {
      const current = fs.existsSync(c.manifest) ? fs.readFileSync(c.manifest, 'utf8') : '';
      if (current !== json) {
        console.error(`${shown} is out of date: run "npm run corpus" and commit it`);
        process.exitCode = 1;
      }
    } else {
      fs.writeFileSync(c.manifest, json);
    }
    console.log(`${shown}: ${result.files} files in ${path.relative(process.cwd(), out) || '.'}, ${result.expected.length} planted secrets, ${result.decoys.length} decoys`);
  }
}
