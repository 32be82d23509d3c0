// Runs one tool N times on one corpus, sequentially, and turns the runs into figures.
import fs from 'node:fs';
import path from 'node:path';
import { run, type RunResult } from './run.js';
import { score, type Accuracy } from './score.js';
import type { Tool } from './tools.js';
import type { BenchManifest } from '../gen-bench-corpus.js';

export interface Corpus {
  label: 'big' | 'small';
  dir: string;
  mb: number;
  seed: number;
  manifest: BenchManifest;
  rawFile: string;
}

export interface ToolResult {
  tool: string;
  version: string;
  ok: boolean;
  /** Why the tool has no figures (failed run); absent when ok. */
  note?: string;
  runs: { wallMs: number; peakRssKb: number | null; exitCode: number | null; ok: boolean }[];
  medianMs: number | null;
  minMs: number | null;
  /** MiB = 2^20 bytes, the unit of the corpus's --mb. From the median time. */
  mibPerSec: number | null;
  filesPerSec: number | null;
  /** Highest peak RSS over the runs, MiB. */
  peakRssMib: number | null;
  accuracy?: Accuracy;
  /** ripgrep: files with at least one keyword hit. */
  matchedFiles?: number;
  /** Files the tool wrote (reports, stdout, stderr), for the leak check. */
  outputFiles: string[];
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export interface MeasureOptions {
  runs: number;
  runsDir: string;
  timeoutMs: number;
  log: (line: string) => void;
}

export async function measure(tool: Tool, corpus: Corpus, opts: MeasureOptions): Promise<ToolResult> {
  const dir = path.join(opts.runsDir, corpus.label);
  fs.mkdirSync(dir, { recursive: true });
  const runs: ToolResult['runs'] = [];
  const outputFiles: string[] = [];
  let lastGoodReport: string | null = null;
  let lastGoodStdout: string | null = null;
  let failure: string | undefined;
  for (let i = 1; i <= opts.runs; i++) {
    const base = path.join(dir, `${tool.name}-${i}`);
    const files = { report: base + '.report.json', stdout: base + '.stdout', stderr: base + '.stderr' };
    fs.rmSync(files.report, { force: true });
    const inv = tool.invoke(corpus.dir, files.report);
    const r: RunResult = await run({ ...inv, stdoutFile: files.stdout, stderrFile: files.stderr, timeoutMs: opts.timeoutMs });
    const ok = tool.succeeded(r, files.report);
    runs.push({ wallMs: r.wallMs, peakRssKb: r.peakRssKb, exitCode: r.exitCode, ok });
    outputFiles.push(files.report, files.stdout, files.stderr);
    opts.log(`  ${corpus.label} ${tool.name} run ${i}/${opts.runs}: ${(r.wallMs / 1000).toFixed(2)}s${ok ? '' : ' FAILED'}`);
    if (!ok) {
      // Say where to look rather than print stderr, which may quote file contents.
      failure = `run ${i} failed (exit ${r.exitCode ?? 'none'}${r.error ? `, ${r.error}` : ''}); see ${files.stderr}`;
      break;
    }
    if (lastGoodReport && tool.discardReport) fs.rmSync(lastGoodReport, { force: true });
    lastGoodReport = files.report;
    lastGoodStdout = files.stdout;
  }
  const result = summarize(tool, corpus, runs, outputFiles, failure);
  if (result.ok && tool.parse && lastGoodReport) {
    result.accuracy = score(tool.parse(lastGoodReport, corpus.dir), corpus.manifest.secrets, tool.name === 'outloop');
  }
  if (result.ok && tool.matchedFiles && lastGoodStdout) result.matchedFiles = tool.matchedFiles(lastGoodStdout);
  if (tool.discardReport && lastGoodReport) fs.rmSync(lastGoodReport, { force: true });
  return result;
}

function summarize(tool: Tool, corpus: Corpus, runs: ToolResult['runs'], outputFiles: string[], failure?: string): ToolResult {
  const times = runs.filter((r) => r.ok).map((r) => r.wallMs);
  const rss = runs.map((r) => r.peakRssKb).filter((k): k is number => k !== null);
  const ok = failure === undefined && times.length > 0;
  const med = ok ? median(times) : null;
  const result: ToolResult = {
    tool: tool.name,
    version: tool.version,
    ok,
    runs,
    medianMs: med,
    minMs: ok ? Math.min(...times) : null,
    mibPerSec: med ? corpus.manifest.bytes / 1048576 / (med / 1000) : null,
    filesPerSec: med ? corpus.manifest.files / (med / 1000) : null,
    peakRssMib: rss.length ? Math.max(...rss) / 1024 : null,
    outputFiles,
  };
  if (failure) result.note = failure;
  return result;
}

/** A tool that could not run at all (not installed, no CLI): kept in the results with its reason. */
export function skipped(tool: string, note: string): ToolResult {
  return { tool, version: '', ok: false, note, runs: [], medianMs: null, minMs: null, mibPerSec: null, filesPerSec: null, peakRssMib: null, outputFiles: [] };
}
