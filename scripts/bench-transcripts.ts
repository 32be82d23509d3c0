#!/usr/bin/env node
// The transcript part of `npm run bench` (issue 5): a 1 GiB agent-transcript folder must scan at no
// less than half the workspace scan's MiB/s, with peak RSS under 300 MB.
//
//   node dist/scripts/bench-transcripts.js [--transcripts-mb 1024] [--seed 1] [--runs 1]
//                                          [--workspace-mb 200] [--timeout-min 30] [--outloop path/to/cli.js]
//   npm run bench -- --transcripts-mb 200      (this script runs last in `npm run bench`, so npm hands it the arguments)
//
// The transcript folder (scripts/gen-transcripts.ts) is generated once per (size, seed, generator
// version) into bench-out/transcripts-1g (bench-out/transcripts-<N>mb for other sizes) and reused.
// The workspace figure is measured here too, on bench.ts's big corpus (bench-out/corpus-200mb-seed1,
// reused or generated), right before the transcript scan with the same page-cache warm-up, so the
// ratio compares two scans made under the same load; bench.js's own figure from
// bench-out/bench-result.json is printed beside it when present.
// Recall counts a planted secret as found when the report has a finding on its path and line with
// its fingerprint (the unescaped value's), broken down by encoding, agent, kind and JSON site.
// Results go to stdout and bench-out/bench-transcripts.json; no raw secret is ever printed (reports
// go to files, which are leak-checked against every planted value).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBenchCorpus, type BenchManifest } from './gen-bench-corpus.js';
import { generateTranscripts, TRANSCRIPTS_GENERATOR, type TranscriptManifest, type TranscriptSecret } from './gen-transcripts.js';
import { measure, type Corpus, type ToolResult } from './bench/measure.js';
import { rssMethod } from './bench/run.js';
import { leakCheck, type LeakCheck } from './bench/score.js';
import { outloopBin, outloopTool, type Tool } from './bench/tools.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(REPO, 'bench-out');
const RUNS = path.join(OUT, 'runs-transcripts');
const MiB = 1048576;
const MIN_RATIO = 0.5;
const MAX_RSS_MB = 300;

interface Options {
  transcriptsMb: number;
  workspaceMb: number;
  seed: number;
  runs: number;
  timeoutMs: number;
  outloopCli: string;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const number = (names: string[], dflt: number): number => {
    const name = names.find((n) => value(n) !== undefined);
    const v = name === undefined ? undefined : value(name);
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${names[0]} wants a positive number, got ${v}`);
    return n;
  };
  return {
    transcriptsMb: number(['transcripts-mb'], 1024),
    workspaceMb: number(['workspace-mb'], 200),
    seed: number(['seed'], 1),
    runs: Math.round(number(['transcripts-runs', 'runs'], 1)),
    timeoutMs: number(['timeout-min'], 30) * 60_000,
    outloopCli: path.resolve(value('outloop') ?? outloopBin(REPO)),
  };
}

const log = (line: string): void => void process.stderr.write(line + '\n');

/** measure() only uses a corpus's label as a folder name and in log lines; ours are not big/small. */
function corpus(label: string, dir: string, mb: number, seed: number, manifest: BenchManifest): Corpus {
  return { label: label as Corpus['label'], dir, mb, seed, manifest, rawFile: dir + '.raw.json' };
}

function ensureTranscripts(mb: number, seed: number): { c: Corpus; m: TranscriptManifest } {
  const dir = path.join(OUT, mb === 1024 ? 'transcripts-1g' : `transcripts-${mb}mb`);
  const manifestFile = dir + '.manifest.json';
  let m: TranscriptManifest | null = null;
  if (fs.existsSync(manifestFile) && fs.existsSync(dir)) {
    const old = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as TranscriptManifest;
    if (old.generator === TRANSCRIPTS_GENERATOR && old.seed === seed && old.mb === mb) {
      m = old;
      log(`transcripts: reusing ${path.relative(REPO, dir)}`);
    }
  }
  if (!m) {
    log(`transcripts: generating ${mb} MiB, seed ${seed} into ${path.relative(REPO, dir)} …`);
    const t = Date.now();
    m = generateTranscripts(dir, { mb, seed });
    log(`transcripts: ${m.files} files, ${m.secrets.length} planted, in ${((Date.now() - t) / 1000).toFixed(0)}s`);
  }
  return { c: corpus('transcripts', dir, mb, seed, m), m };
}

/** bench.ts's big corpus, same folder name, so the two benches share it. */
function ensureWorkspace(mb: number, seed: number): Corpus {
  const dir = path.join(OUT, `corpus-${mb}mb-seed${seed}`);
  const manifestFile = dir + '.manifest.json';
  let m: BenchManifest;
  if (fs.existsSync(manifestFile) && fs.existsSync(dir)) {
    m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BenchManifest;
    log(`workspace: reusing ${path.relative(REPO, dir)}`);
  } else {
    log(`workspace: generating ${mb} MiB, seed ${seed} …`);
    m = generateBenchCorpus(dir, { mb, seed });
  }
  return corpus('workspace', dir, mb, seed, m);
}

function warmCache(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) fs.readFileSync(path.join(e.parentPath ?? e.path, e.name));
  }
}

// ---- recall by encoding, agent, kind and site, from the last report ----

type Tally = Record<string, { planted: number; found: number; onLine: number }>;

interface Breakdown {
  planted: number;
  /** A finding on the planted path:line carrying the planted fingerprint. */
  found: number;
  /** Any finding on the planted path:line (a wrong fingerprint means the value was cut or mis-decoded). */
  onLine: number;
  byEncoding: Tally;
  byAgent: Tally;
  byKind: Tally;
  bySite: Tally;
  /** How many findings carry a `transcript` object or a `source`, per source: the transcript reader at work. */
  findingsWithTranscript: number;
  findingsBySource: Record<string, number>;
  /** Up to 20 missed plants as path:line (kind, encoding, site); never the value. */
  missedSample: string[];
}

function breakdown(reportFile: string, secrets: TranscriptSecret[]): Breakdown {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { findings?: unknown[] };
  const byLine = new Map<string, Set<string>>();
  let findingsWithTranscript = 0;
  const findingsBySource: Record<string, number> = {};
  for (const f of report.findings ?? []) {
    if (typeof f !== 'object' || f === null) continue;
    const o = f as Record<string, unknown>;
    const k = `${String(o.path)}:${String(o.line)}`;
    let set = byLine.get(k);
    if (!set) byLine.set(k, (set = new Set()));
    set.add(String(o.fingerprint));
    if (o.transcript && typeof o.transcript === 'object') findingsWithTranscript++;
    const source = typeof o.source === 'string' ? o.source : '(none)';
    findingsBySource[source] = (findingsBySource[source] ?? 0) + 1;
  }
  const b: Breakdown = { planted: secrets.length, found: 0, onLine: 0, byEncoding: {}, byAgent: {}, byKind: {}, bySite: {}, findingsWithTranscript, findingsBySource, missedSample: [] };
  const add = (t: Tally, key: string, found: boolean, onLine: boolean): void => {
    const e = (t[key] ??= { planted: 0, found: 0, onLine: 0 });
    e.planted++;
    if (found) e.found++;
    if (onLine) e.onLine++;
  };
  for (const s of secrets) {
    const there = byLine.get(`${s.path}:${s.line}`);
    const found = there?.has(s.fingerprint) ?? false;
    const onLine = there !== undefined;
    if (found) b.found++;
    if (onLine) b.onLine++;
    else if (b.missedSample.length < 20) b.missedSample.push(`${s.path}:${s.line} (${s.kind}, ${s.encoding}, ${s.site})`);
    add(b.byEncoding, s.encoding, found, onLine);
    add(b.byAgent, s.agent, found, onLine);
    add(b.byKind, s.kind, found, onLine);
    add(b.bySite, `${s.agent} ${s.site}`, found, onLine);
  }
  return b;
}

// ---- output ----

const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(0)}%` : '—');
const fixed = (x: number | null | undefined, d: number): string => (x === null || x === undefined ? '—' : x.toFixed(d));
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function tallyLines(title: string, t: Tally): string[] {
  const width = Math.max(...Object.keys(t).map((k) => k.length), 10);
  return [title, ...Object.entries(t).sort((a, b) => b[1].planted - a[1].planted).map(([k, v]) =>
    `  ${pad(k, width)}  ${lpad(`${v.found}/${v.planted}`, 11)} ${lpad(pct(v.found, v.planted), 4)}   (finding on the line: ${v.onLine})`)];
}

function resultRow(label: string, r: ToolResult, files: number): string {
  const a = r.accuracy;
  return [pad(label, 12), lpad(r.ok ? `${fixed((r.medianMs ?? 0) / 1000, 2)}s` : 'FAILED', 9), lpad(fixed(r.mibPerSec, 1), 7),
    lpad(r.peakRssMib === null ? '—' : `${Math.round(r.peakRssMib)} MiB`, 9), lpad(String(files), 6),
    lpad(a ? String(a.findings) : '—', 8), lpad(a ? String(a.falsePositives) : '—', 6)].join('  ');
}

/** bench.js's outloop figure on the big corpus, when its result file is there (any age: the date is printed). */
function benchJsFigure(): { date: string; mibPerSec: number } | null {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(OUT, 'bench-result.json'), 'utf8')) as { date?: string; big?: { results?: ToolResult[] } };
    const r = j.big?.results?.find((x) => x.tool === 'outloop');
    return r?.mibPerSec ? { date: String(j.date), mibPerSec: r.mibPerSec } : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(OUT, { recursive: true });
  fs.rmSync(RUNS, { recursive: true, force: true });
  fs.mkdirSync(RUNS, { recursive: true });
  if (!fs.existsSync(opts.outloopCli)) throw new Error(`${path.relative(REPO, opts.outloopCli)} not found (npm run build)`);
  const pj = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version?: string };
  const tool: Tool = outloopTool(opts.outloopCli, REPO, pj.version ?? '');

  const ws = ensureWorkspace(opts.workspaceMb, opts.seed);
  const { c: tx, m } = ensureTranscripts(opts.transcriptsMb, opts.seed);
  const measureOpts = { runs: opts.runs, runsDir: RUNS, timeoutMs: opts.timeoutMs, log };
  log('warming the page cache (workspace) …');
  warmCache(ws.dir);
  const wsResult = await measure(tool, ws, measureOpts);
  log('warming the page cache (transcripts) …');
  warmCache(tx.dir);
  const txResult = await measure(tool, tx, measureOpts);

  const report = [...txResult.outputFiles].reverse().find((f) => f.endsWith('.report.json') && fs.existsSync(f));
  const b = txResult.ok && report ? breakdown(report, m.secrets) : null;
  const raw = [ws, tx].flatMap((c) => JSON.parse(fs.readFileSync(c.rawFile, 'utf8')) as string[]);
  const leaks: LeakCheck = leakCheck([...wsResult.outputFiles, ...txResult.outputFiles], [...new Set(raw)]);
  const ratio = wsResult.mibPerSec && txResult.mibPerSec ? txResult.mibPerSec / wsResult.mibPerSec : null;
  const rssMb = txResult.peakRssMib === null ? null : (txResult.peakRssMib * MiB) / 1e6;
  const benchJs = benchJsFigure();

  const result = {
    date: new Date().toISOString(),
    rss: rssMethod(),
    options: { ...opts, outloopCli: path.relative(REPO, opts.outloopCli) },
    transcripts: { dir: path.relative(REPO, tx.dir), bytes: m.bytes, files: m.files, lines: m.lines, hugeLines: m.hugeLines, truncatedFiles: m.truncatedFiles, planted: m.secrets.length },
    workspace: { dir: path.relative(REPO, ws.dir), bytes: ws.manifest.bytes, files: ws.manifest.files },
    results: { workspace: wsResult, transcripts: txResult },
    transcriptsOverWorkspaceMibPerSec: ratio,
    peakRssMb: rssMb,
    targets: { ratio: ratio === null ? null : ratio >= MIN_RATIO, rss: rssMb === null ? null : rssMb < MAX_RSS_MB },
    benchJsWorkspaceMibPerSec: benchJs,
    recall: b,
    leakCheck: leaks,
  };
  const resultFile = path.join(OUT, 'bench-transcripts.json');
  fs.writeFileSync(resultFile, JSON.stringify(result, null, 1) + '\n');

  const out: string[] = [''];
  out.push(`transcript bench · ${(m.bytes / MiB).toFixed(1)} MiB, ${m.files} files, ${m.lines} lines (${m.hugeLines} multi-MB, ${m.truncatedFiles} truncated), ${m.secrets.length} planted (seed ${opts.seed}; ${path.relative(REPO, tx.dir)}) · median of ${opts.runs} · RSS via ${rssMethod()}`);
  out.push([pad('scan', 12), lpad('median', 9), lpad('MiB/s', 7), lpad('peak RSS', 9), lpad('files', 6), lpad('findings', 8), lpad('FP', 6)].join('  '));
  out.push(resultRow(`workspace`, wsResult, ws.manifest.files), resultRow('transcripts', txResult, m.files));
  for (const r of [wsResult, txResult]) if (r.note) out.push(`  ${r.note}`);
  if (benchJs) out.push(`  (bench.js measured the workspace corpus at ${benchJs.mibPerSec.toFixed(1)} MiB/s on ${benchJs.date})`);
  const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'ok' : 'NOT MET');
  out.push(`transcripts/workspace MiB/s: ${fixed(ratio, 2)} (wants ≥ ${MIN_RATIO}): ${verdict(result.targets.ratio)}`);
  out.push(`transcripts peak RSS: ${fixed(rssMb, 0)} MB (wants < ${MAX_RSS_MB} MB): ${verdict(result.targets.rss)}`);
  if (b) {
    out.push(`recall (finding on the planted path:line with the planted fingerprint): ${b.found}/${b.planted} ${pct(b.found, b.planted)}; any finding on the line: ${b.onLine}`);
    out.push(...tallyLines('by encoding', b.byEncoding), ...tallyLines('by agent', b.byAgent), ...tallyLines('by kind', b.byKind), ...tallyLines('by site', b.bySite));
    out.push(`findings with a transcript object: ${b.findingsWithTranscript}; by source: ${Object.entries(b.findingsBySource).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  out.push(`outloop outputs contain no planted secret: ${leaks.clean ? 'yes' : 'NO'} (${leaks.filesChecked} files checked)`);
  for (const l of leaks.leaks) out.push(`  ${path.relative(REPO, l.file)}: ${l.values} planted value(s)`);
  out.push(`full results: ${path.relative(REPO, resultFile)}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => {
  log(`transcript bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exitCode = 1;
});
