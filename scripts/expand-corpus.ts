/**
 * Expands the labeled example world: corpus/templates/** → corpus/world/**, plus
 * corpus/manifest.json listing every expected finding (rule, path, line, column, fingerprint) and
 * every decoy that must not be flagged. Templates hold no raw key: see src/rules/template.ts.
 *
 *   «[rule-id]...»        an expected finding of that rule
 *   «[decoy:kind]...»     a decoy (placeholder, publishable key, hash...) that must not be flagged
 *
 * A file name may end in a modifier that changes how the expanded text is written:
 *   name@crlf (CRLF line ends), name@bom (UTF-8 BOM), name@utf16le / name@utf16be (with BOM),
 *   name@invalid-utf8 (each ¤ in the template becomes a lone 0xFF byte).
 *
 * Usage: node dist/scripts/expand-corpus.js [--out DIR] [--check]
 *   --check   fail if corpus/manifest.json is not what the templates produce
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint } from '../src/detect/redact.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';

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

type Modifier = 'crlf' | 'bom' | 'utf16le' | 'utf16be' | 'invalid-utf8';

export function expandCorpus(outDir: string, templatesDir = TEMPLATES): CorpusManifest & { raw: string[] } {
  fs.rmSync(outDir, { recursive: true, force: true });
  const expected: ExpectedFinding[] = [];
  const decoys: Decoy[] = [];
  const raw: string[] = [];
  const files = listFiles(templatesDir);
  for (const rel of files) {
    const [name, modifier] = splitModifier(rel);
    const template = fs.readFileSync(path.join(templatesDir, rel), 'utf8');
    const { text, secrets } = expandTemplate(template, seededRng(`corpus:${name}`));
    for (const s of secrets) {
      if (!s.label) throw new Error(`${rel}: every « » in the corpus needs a [label]`);
      const { line, column } = position(text, s.start);
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
  const m = /^(.*)@(crlf|bom|utf16le|utf16be|invalid-utf8)$/.exec(rel);
  return m ? [m[1]!, m[2] as Modifier] : [rel, undefined];
}

/** Line and column (1-based, UTF-16 units) as the scanner reports them. */
function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - (before.lastIndexOf('\n') + 1) + 1 };
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
