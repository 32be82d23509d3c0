#!/usr/bin/env node
// Seeded benchmark corpus: an agency's client workspaces with code, config, lockfiles, bundles,
// agent transcripts and terminal logs, with fake secrets planted at a known rate.
//
// Usage: node dist/scripts/gen-bench-corpus.js OUTDIR [--mb 200] [--seed 1] [--secret-every-kb 256]
// Writes OUTDIR/** and OUTDIR.manifest.json (beside, not inside, so a scan of OUTDIR never sees it).
// The manifest lists every planted occurrence as { path, line, kind, fingerprint } and never a raw
// value; OUTDIR.raw.json (also beside) holds the raw values so a check can grep outputs for leaks.
// Same seed and size give byte-identical output.
//
// This is a TypeScript port of ../shared/bench/gen-corpus.mjs. It must stay byte-identical to it for
// the same arguments: every call to the random generator happens in the same order as there, so do
// not reorder expressions (template literals and argument lists evaluate left to right).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface BenchCorpusOptions {
  mb: number;
  seed: number;
  /** Average distance between planted secrets; 256 KB by default. */
  secretEveryKb?: number;
}

export interface PlantedSecret {
  /** Relative to the corpus root, `/`-separated. */
  path: string;
  /** 1-based. */
  line: number;
  kind: string;
  /** `sha256:` + hex of the raw value, as outloop computes it. */
  fingerprint: string;
}

export interface BenchManifest {
  seed: number;
  bytes: number;
  files: number;
  secrets: PlantedSecret[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URLSAFE = ALNUM + '_-';
const HEX = '0123456789abcdef';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = ALNUM + '+/';

const sha = (x: string): string => 'sha256:' + crypto.createHash('sha256').update(x, 'utf8').digest('hex');

/** The original's LCG and helpers, bound to one generator state so runs do not share it. */
function makeRandom(seed: number) {
  let s = seed >>> 0 || 1;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const int = (n: number): number => Math.floor(rnd() * n);
  const choose = <T>(arr: readonly T[]): T => arr[int(arr.length)] as T;
  const pick = (alphabet: string, n: number): string => {
    let r = '';
    for (let i = 0; i < n; i++) r += alphabet[int(alphabet.length)];
    return r;
  };
  return { rnd, int, choose, pick };
}
type Random = ReturnType<typeof makeRandom>;

interface FileKind {
  ext: string;
  weight: number;
  make: (n: number) => string[];
}

/** Everything that draws random numbers, in the original's shape and order. */
function makeContent(r: Random) {
  const { rnd, int, choose, pick } = r;
  const uuid = (): string => [8, 4, 4, 4, 12].map((n) => pick(HEX, n)).join('-');

  // Fake keys in the shapes the services use (see ../shared/formats.md). Values are random, never real.
  const makers: Record<string, () => string> = {
    anthropic: () => 'sk-ant-api03-' + pick(URLSAFE, 93) + 'AA',
    'anthropic-admin': () => 'sk-ant-admin01-' + pick(URLSAFE, 93) + 'AA',
    openai: () => 'sk-proj-' + pick(URLSAFE, 74) + 'T3BlbkFJ' + pick(URLSAFE, 74),
    stripe: () => 'sk_live_51' + pick(ALNUM, 97),
    'aws-access-key-id': () => 'AKIA' + pick(UPPER32, 16),
    'slack-bot-token': () => `xoxb-${pick('0123456789', 12)}-${pick('0123456789', 13)}-${pick(ALNUM, 24)}`,
    'google-api-key': () => 'AIza' + pick(URLSAFE, 35),
    airtable: () => 'pat' + pick(ALNUM, 14) + '.' + pick(HEX, 64),
    apify: () => 'apify_api_' + pick(ALNUM, 36),
    hubspot: () => 'pat-na1-' + uuid(),
    sendgrid: () => 'SG.' + pick(URLSAFE, 22) + '.' + pick(URLSAFE, 43),
  };
  const kinds = Object.keys(makers);

  // Filler that looks like what workspaces hold: identifiers, hashes, uuids, urls, base64 blobs.
  const words = 'const let return function import export from async await if else for while new this class extends interface type string number boolean null undefined true false public private static readonly user account invoice customer order payment token request response handler config options client server error result value data items list map set get post put delete update create remove fetch query table row column index cache session auth login logout'.split(' ');
  const ident = (): string => choose(words) + choose(['', 'Id', 'Name', 'List', 'Map', 'Count', 'Url', 'Key', 'Hash', 'Ref']);
  const idents = (n: number): string => Array.from({ length: n }, ident).join(' ');
  const codeLine = (lang: 'ts' | 'py'): string => {
    const x = rnd();
    if (lang === 'py') {
      if (x < 0.2) return `def ${ident()}(${ident()}, ${ident()}=None):`;
      if (x < 0.4) return `    ${ident()} = ${ident()}.${ident()}(${JSON.stringify(ident())}, ${int(1000)})`;
      if (x < 0.5) return `    # ${idents(6)}`;
      if (x < 0.6) return `    return {${JSON.stringify(ident())}: ${ident()}, "id": "${uuid()}"}`;
      return `    if ${ident()} and ${ident()} > ${int(100)}: ${ident()}.append(${ident()})`;
    }
    if (x < 0.15) return `export async function ${ident()}(${ident()}: string, ${ident()}?: number) {`;
    if (x < 0.35) return `  const ${ident()} = await ${ident()}.${ident()}({ ${ident()}, ${ident()}: ${JSON.stringify(ident())} });`;
    if (x < 0.45) return `  // ${idents(7)}`;
    if (x < 0.55) return `  const ${ident()}Hash = '${pick(HEX, 40)}';`;
    if (x < 0.62) return `  const ${ident()}Url = 'https://api.example.com/v2/${ident()}/${uuid()}';`;
    if (x < 0.7) return `  if (!${ident()}) throw new Error('${idents(4)}');`;
    if (x < 0.75) return '}';
    return `  ${ident()}.${ident()}(${ident()}, ${int(10000)});`;
  };
  const lines = (n: number, line: () => string): string[] => Array.from({ length: n }, line);

  // File makers: each returns lines; a planted secret is inserted by the caller at a random line.
  const fileKinds: FileKind[] = [
    { ext: 'ts', weight: 30, make: (n) => lines(n, () => codeLine('ts')) },
    { ext: 'py', weight: 12, make: (n) => lines(n, () => codeLine('py')) },
    { ext: 'md', weight: 6, make: (n) => lines(n, () => idents(10)) },
    { ext: 'json', weight: 8, make: (n) => ['{', ...lines(n, () => `  "${ident()}": "${choose([pick(HEX, 40), uuid(), ident(), String(int(1e6))])}",`), '  "end": true', '}'] },
    { ext: 'lock.json', weight: 3, make: (n) => lines(n, () => `    "integrity": "sha512-${pick(B64, 86)}==",`) },
    { ext: 'log', weight: 6, make: (n) => lines(n, () => `\x1b[2m2026-11-20T10:${String(int(60)).padStart(2, '0')}:00Z\x1b[0m \x1b[${choose(['32mINFO', '33mWARN', '31mERROR'])}\x1b[0m ${idents(8)}`) },
    { ext: 'jsonl', weight: 6, make: (n) => lines(n, () => JSON.stringify({ parentUuid: uuid(), sessionId: uuid(), type: choose(['user', 'assistant']), message: { role: choose(['user', 'assistant']), content: [{ type: 'text', text: idents(30) }] }, uuid: uuid(), timestamp: '2026-11-20T10:00:00.000Z' })) },
    { ext: 'env', weight: 2, make: (n) => lines(Math.min(n, 12), () => `${ident().toUpperCase()}_${choose(['URL', 'MODE', 'NAME', 'PORT'])}=${choose([ident(), String(int(65535)), 'https://localhost:' + int(9999)])}`) },
    { ext: 'b64.txt', weight: 1, make: (n) => lines(n, () => pick(B64, 76)) },
  ];
  const totalWeight = fileKinds.reduce((a, k) => a + k.weight, 0);
  const chooseKind = (): FileKind => {
    let x = rnd() * totalWeight;
    for (const k of fileKinds) if ((x -= k.weight) < 0) return k;
    return fileKinds[0] as FileKind;
  };

  /** A minified bundle: one very long line of 2–5 MB. */
  const bundle = (): string[] => {
    const parts: string[] = [];
    for (let n = 0, size = 2_000_000 + int(3_000_000); n < size;) {
      const c = codeLine('ts').trim();
      parts.push(c);
      n += c.length + 1;
    }
    return [parts.join(';')];
  };

  /** Picks a kind and value and the line that carries it, shaped for the file's type. */
  const secret = (ext: string): { kind: string; value: string; carrier: string } => {
    const kind = choose(kinds);
    const value = (makers[kind] as () => string)();
    const carrier = ext === 'env' ? `${kind.toUpperCase().replace(/-/g, '_')}=${value}`
      : ext === 'jsonl' ? JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: `export KEY=${value}\n` }] } })
      : ext === 'py' ? `    api_key = "${value}"`
      : ext === 'log' ? `\x1b[33mwarn\x1b[0m using key \x1b[36m${value}\x1b[0m`
      : `  const apiKey = '${value}';`;
    return { kind, value, carrier };
  };

  return { chooseKind, bundle, secret };
}

/** Writes the corpus at `out` plus `out.manifest.json` and `out.raw.json`; returns the manifest. */
export function generateBenchCorpus(out: string, opts: BenchCorpusOptions): BenchManifest {
  const targetBytes = opts.mb * 1024 * 1024;
  const secretEvery = (opts.secretEveryKb ?? 256) * 1024;
  const r = makeRandom(opts.seed);
  const { rnd, int, choose } = r;
  const content = makeContent(r);

  const manifest: BenchManifest = { seed: opts.seed, bytes: 0, files: 0, secrets: [] };
  const raw = new Set<string>();
  let written = 0;
  let nextSecretAt = secretEvery * (0.5 + rnd());
  fs.rmSync(out, { recursive: true, force: true });

  const plantInto = (lines: string[], rel: string, ext: string): void => {
    // The secret is chosen before its line index, as in the original.
    const { kind, value, carrier } = content.secret(ext);
    const i = int(lines.length);
    lines.splice(i, 0, carrier);
    manifest.secrets.push({ path: rel, line: i + 1, kind, fingerprint: sha(value) });
    raw.add(value);
  };

  let fileNo = 0;
  while (written < targetBytes) {
    const client = `client-${String(int(40)).padStart(2, '0')}`;
    const project = choose(['web', 'api', 'data', 'ops', 'scripts']);
    const dir = choose(['src', 'src/lib', 'src/routes', 'config', 'notes', 'logs', 'test', 'sessions']);
    const kind = content.chooseKind();
    const rel = `${client}/${project}/${dir}/f${fileNo++}.${kind.ext}`;
    const lines = rnd() < 0.002 ? content.bundle() : kind.make(10 + int(250));
    let body = lines.join('\n') + '\n';
    // String length, not bytes, decides planting, as in the original (the text is ASCII anyway).
    if (written + body.length >= nextSecretAt) {
      plantInto(lines, rel, kind.ext);
      body = lines.join('\n') + '\n';
      nextSecretAt += secretEvery * (0.5 + rnd());
    }
    const p = path.join(out, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
    written += Buffer.byteLength(body);
    manifest.files++;
  }
  manifest.bytes = written;
  fs.writeFileSync(out + '.manifest.json', JSON.stringify(manifest, null, 1) + '\n');
  fs.writeFileSync(out + '.raw.json', JSON.stringify([...raw]) + '\n');
  return manifest;
}

/** Parses the original's argv shape: OUTDIR anywhere that is not an option's value. */
function parseArgs(args: string[]): { out: string; opts: BenchCorpusOptions } {
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? dflt : Number(args[i + 1]);
  };
  const outArg = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  return {
    out: path.resolve(outArg ?? 'bench-corpus'),
    opts: { mb: opt('mb', 200), seed: opt('seed', 1), secretEveryKb: opt('secret-every-kb', 256) },
  };
}

function main(): void {
  const { out, opts } = parseArgs(process.argv.slice(2));
  const m = generateBenchCorpus(out, opts);
  console.log(`corpus at ${out}: ${(m.bytes / 1048576).toFixed(1)} MiB in ${m.files} files, ${m.secrets.length} planted secrets`);
}

// Run as a CLI only when executed directly, so bench.ts can import generateBenchCorpus.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
