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
 * A file name may end in a modifier that changes how the expanded text is written:
 *   name@crlf (CRLF line ends), name@bom (UTF-8 BOM), name@utf16le / name@utf16be (with BOM),
 *   name@invalid-utf8 (each ¤ in the template becomes a lone 0xFF byte), name@zsh-meta (the UTF-8
 *   bytes metafied as zsh writes its history: NUL and 0x83-0xA2 become 0x83, byte ^ 0x20; columns
 *   are counted on the bytes as written, like every finding's).
 *
 * Usage: node dist/scripts/expand-corpus.js [--out DIR] [--check]
 *   --check   fail if corpus/manifest.json is not what the templates produce
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

type Modifier = 'crlf' | 'bom' | 'utf16le' | 'utf16be' | 'invalid-utf8' | 'zsh-meta';

export function expandCorpus(outDir: string, templatesDir = TEMPLATES): CorpusManifest & { raw: string[] } {
  fs.rmSync(outDir, { recursive: true, force: true });
  const expected: ExpectedFinding[] = [];
  const decoys: Decoy[] = [];
  const raw: string[] = [];
  const files = listFiles(templatesDir);
  for (const rel of files) {
    const [name, modifier] = splitModifier(rel);
    const template = fs.readFileSync(path.join(templatesDir, rel), 'utf8');
    let text: string;
    let marks: Mark[];
    try {
      ({ text, marks } = expandCorpusTemplate(template, seededRng(`corpus:${name}`)));
    } catch (e) {
      throw new Error(`${rel}: ${(e as Error).message}`);
    }
    for (const s of marks) {
      if (!s.label) throw new Error(`${rel}: every « » in the corpus needs a [label]`);
      const { line, column } = modifier === 'zsh-meta' ? metafiedPosition(text, s.start) : position(text, s.start);
      if (s.label.startsWith('decoy:')) {
        const end = position(text, s.end);
        decoys.push({ path: name, line, column, endLine: end.line, endColumn: end.column, kind: s.label.slice(6) });
      }
      else {
        expected.push({ path: name, line, column, ruleId: s.label, fingerprint: fingerprint(s.value) });
        raw.push(s.value);
      }
    }
    const target = path.join(outDir, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, encode(text, modifier));
  }
  const sort = <T extends { path: string; line: number }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line);
  expected.sort(sort);
  decoys.sort(sort);
  return { files: files.length, expected, decoys, raw };
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

const ENCODED_MARKER = /«\[([^\]|]*)\|([^\]]+)\]/g;
const INSERT_OPEN = '⟦';
const INSERT_CLOSE = '⟧';

interface Node {
  start: number;
  end: number;
  label?: string;
  transforms: Transform[];
  children: Node[];
}

/**
 * expandTemplate plus the corpus's encodings: markers with `|transform`s and ⟦inserted⟧ text. A
 * template with neither expands exactly as expandTemplate does.
 */
export function expandCorpusTemplate(template: string, rng: Rng): { text: string; marks: Mark[] } {
  // Markers with transforms become «[xf:N]» for expandTemplate (whose labels can't hold a |); the
  // table keeps what N stands for. Markers take no randomness, so the expansion is unchanged.
  const table: Array<{ label?: string; transforms: Transform[] }> = [];
  const plain = template.replace(ENCODED_MARKER, (_m, label: string, specs: string) => {
    table.push({ ...(label ? { label } : {}), transforms: specs.split('|').map(parseTransform) });
    return `«[xf:${table.length - 1}]`;
  });
  const { text, secrets } = expandTemplate(plain, rng);
  if (!table.length && !text.includes(INSERT_OPEN) && !text.includes(INSERT_CLOSE)) {
    return { text, marks: secrets.map((s) => ({ start: s.start, end: s.end, value: s.value, ...(s.label ? { label: s.label } : {}) })) };
  }

  // The markers as a tree (outer before inner at the same start), then written out depth first.
  const nodes: Node[] = secrets.map((s) => {
    const xf = s.label?.startsWith('xf:') ? table[Number(s.label.slice(3))] : undefined;
    const label = xf ? xf.label : s.label;
    return { start: s.start, end: s.end, ...(label ? { label } : {}), transforms: xf?.transforms ?? [], children: [] };
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
  if (node.label !== undefined) marks.push({ start: 0, end: file.length, value: plain, label: node.label });
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
  const outIdx = args.indexOf('--out');
  const out = path.resolve(outIdx >= 0 ? args[outIdx + 1]! : path.join(repo, 'corpus/world'));
  const result = expandCorpus(out);
  const manifest: CorpusManifest = { files: result.files, expected: result.expected, decoys: result.decoys };
  const json = JSON.stringify(manifest, null, 1) + '\n';
  if (args.includes('--check')) {
    const current = fs.existsSync(MANIFEST) ? fs.readFileSync(MANIFEST, 'utf8') : '';
    if (current !== json) {
      console.error('corpus/manifest.json is out of date: run "npm run corpus" and commit it');
      process.exitCode = 1;
    }
  } else {
    fs.writeFileSync(MANIFEST, json);
  }
  console.log(`corpus: ${result.files} files in ${path.relative(process.cwd(), out) || '.'}, ${result.expected.length} planted secrets, ${result.decoys.length} decoys`);
}
