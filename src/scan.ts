/**
 * scan(options): lists the inputs, runs them through the stages (in worker threads when there is
 * enough to share) and returns every finding, warning and figure. Never prints, never exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Detector } from './detect/engine.js';
import { SEVERITY_ORDER, type Finding, type ScanWarning, type SourceKind } from './model/finding.js';
import type { TextInput } from './model/text-input.js';
import { readRuleCache } from './rules/cache.js';
import { compilePacks, type RuleSet } from './rules/compile.js';
import { loadBuiltinPacks, loadPackDir, type LoadedPack } from './rules/load.js';
import { addFileResult, emptyTally, scanFile, scanFragments, type ScanTally } from './scan-file.js';
import { wholeFragment } from './sources/files.js';
import type { WorkspaceFile } from './sources/workspace.js';
import { sniff } from './decode/text.js';
import { loadConfig, type OutloopConfig } from './config/load.js';
import { readBaseline, type Baseline } from './enrich/baseline.js';
import { applyBaseline, applyConfigAllow } from './enrich/suppress.js';
import type { AccountOwner } from './tenancy/accounts.js';
import { defaultWorkerCount, dropPrestartedWorkers } from './worker-start.js';
import { isFolder, pathsToWalk } from './scan-paths.js';

export type { TextInput };

export interface ScanOptions {
  /** Folder that report paths are relative to; default: the single folder target, else the cwd. */
  root?: string;
  /** Files or folders to scan; default: the root. */
  paths?: string[];
  /** Scan these bytes instead of files (`outloop scan -`). */
  stdin?: Buffer;
  /** Scan these texts instead of files: what an agent is about to send or write (see TextInput). */
  texts?: TextInput[];
  include?: string[];
  exclude?: string[];
  includeNodeModules?: boolean;
  /** Extra rule folders (`--rules DIR`). */
  rulesDirs?: string[];
  /** Turn the built-in rules off (for testing a team's own rules alone). */
  builtinRules?: boolean;
  /** Worker threads: a number, or 'auto' (one per core when the input is large enough). */
  workers?: number | 'auto';
  /** outloop.config.json to use; default: the first one in the root or its ancestors. */
  configFile?: string;
  /** A baseline file: findings in it are suppressed (reported only with their reason). */
  baseline?: string;
  /** Scan what the next commit adds (the git index) instead of files. */
  staged?: boolean;
  /** Scan what commits added: these revisions/ranges (default all history), or since a ref. */
  git?: { revisions?: string[]; since?: string };
  /** Where to find the git repository for `staged` and `git` (default: the current folder). */
  cwd?: string;
  /** Also scan every coding agent's transcripts in their default locations (`--transcripts`). */
  transcripts?: boolean;
  /** Only transcripts whose files lie inside this folder (absolute). */
  transcriptsWithin?: string;
  /** Also scan the user's shell history files and profiles (`--shell`). */
  shell?: boolean;
  /** Also scan the process environment, reporting variable names only (`--env`). */
  env?: boolean;
  /** Single files to scan besides the paths (an audit's transcripts), with the source they come from. */
  extraFiles?: Array<{ abs: string; source: SourceKind }>;
  /** The environment that locates HOME, CLAUDE_CONFIG_DIR, CODEX_HOME... and that `env` scans (default: process.env). */
  environment?: NodeJS.ProcessEnv;
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  filesDone: number;
  bytesDone: number;
  findings: number;
  /** The findings added since the last report (for live per-client counts). */
  latest?: Finding[];
}

export interface ScanStats {
  files: number;
  bytes: number;
  binarySkipped: number;
  warnings: number;
  durationMs: number;
  workers: number;
  rules: number;
}

export interface ScanResult {
  root: string;
  /** The config file that applied, or null. */
  config: string | null;
  /** The config's tenants, when it binds any (then every finding has its tenant and owner). */
  tenants?: string[];
  /** Active findings: these decide the exit code. */
  findings: Finding[];
  /** Findings an allowlist or the baseline silenced, each with its reason. */
  suppressed: Finding[];
  warnings: ScanWarning[];
  stats: ScanStats;
}

/** Below this much input, starting worker threads costs more than it saves. */
const WORKER_MIN_BYTES = 8 * 1024 * 1024;
const WORKER_MIN_FILES = 400;

/** Milliseconds, for durationMs: the global `performance` loads perf_hooks, ~2 ms of the pre-commit hook. */
const now = () => Number(process.hrtime.bigint()) / 1e6;

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const started = now();
  if (options.staged || options.git) return scanGitSources(options, started);
  const environment = options.environment ?? process.env;
  // --transcripts, --shell and --env alone scan no folder; their paths are shown from HOME.
  const targets = pathsToWalk(options.paths, options).map((p) => path.resolve(p));
  const home = environment.HOME ? path.resolve(environment.HOME) : process.cwd();
  const root = path.resolve(options.root ?? (targets.length === 1 && !options.stdin && isFolder(targets[0]!) ? targets[0]! : targets.length === 0 ? home : '.'));
  const config = await loadConfig({ file: options.configFile, startDir: options.stdin ? process.cwd() : root });
  const rules = await loadPacks(options, config);
  const baseline = options.baseline ? readBaseline(options.baseline) : null;
  // A text bound for a file the config ignores (a fixture folder of fake keys) is ignored like the file.
  const texts = options.texts?.filter((t) => t.transcript || !config.isIgnored(path.resolve(root, t.path)));
  const out = texts ? scanTexts(texts, rules.ruleSet) : options.stdin ? scanStdin(options.stdin, rules.ruleSet) : await scanWorkspace(options, rules, root, targets, config, await listElsewhere(options, environment));
  if (options.env) {
    const { scanEnvironment } = await import('./scan-env.js');
    out.findings.push(...scanEnvironment(environment, new Detector(rules.ruleSet)));
  }
  return finishScan(root, config, rules, baseline, out.findings, out.warnings, { ...out.stats, rules: rules.ruleSet.rules.length }, started);
}

/** Files the options ask for beyond the folders: agent transcripts, shell history and profiles. */
async function listElsewhere(options: ScanOptions, env: NodeJS.ProcessEnv): Promise<{ files: Array<{ abs: string; source: SourceKind }>; warnings: ScanWarning[] }> {
  const files: Array<{ abs: string; source: SourceKind }> = [...(options.extraFiles ?? [])];
  const warnings: ScanWarning[] = [];
  if (options.transcripts) {
    const { listAgentFiles } = await import('./sources/agent-stores.js');
    const listed = await listAgentFiles(env, options.transcriptsWithin ? { within: options.transcriptsWithin } : {});
    for (const f of listed.files) files.push({ abs: f.abs, source: 'transcript' });
    warnings.push(...listed.warnings);
  }
  if (options.shell) {
    const { shellFiles } = await import('./sources/shell-files.js');
    for (const f of shellFiles(env)) files.push({ abs: f.abs, source: 'terminal' });
  }
  return { files, warnings };
}

type Elsewhere = Awaited<ReturnType<typeof listElsewhere>>;

type SourceOutput = { findings: Finding[]; warnings: ScanWarning[]; stats: Omit<ScanStats, 'durationMs' | 'warnings' | 'rules'> };

function scanStdin(bytes: Buffer, ruleSet: RuleSet): SourceOutput {
  const sniffed = sniff(bytes.subarray(0, 8000));
  const encoding = sniffed.kind === 'text' ? sniffed.encoding : 'utf8';
  const bom = sniffed.kind === 'text' ? sniffed.bom : 0;
  const warnings: ScanWarning[] = [];
  const findings = scanFragments([wholeFragment(bytes, encoding, bom, '-', 'stdin')], new Detector(ruleSet), warnings);
  return { findings, warnings, stats: { files: 1, bytes: bytes.length, binarySkipped: 0, workers: 0 } };
}

function scanTexts(texts: TextInput[], ruleSet: RuleSet): SourceOutput {
  const detector = new Detector(ruleSet);
  const warnings: ScanWarning[] = [];
  const findings: Finding[] = [];
  let bytes = 0;
  const scanText = (t: TextInput, text: string) => {
    const buffer = Buffer.from(text, 'utf8');
    bytes += buffer.length;
    return scanFragments([wholeFragment(buffer, 'utf8', 0, t.path, t.source)], detector, warnings);
  };
  // The file on disk is the `before` of every edit of a MultiEdit: its keys are found once.
  const known = new Map<string, Map<string, string[]>>();
  const keysIn = (t: TextInput, text: string) => {
    const byText = known.get(t.path) ?? known.set(t.path, new Map()).get(t.path)!;
    let fps = byText.get(text);
    if (!fps) byText.set(text, (fps = scanText(t, text).map((f) => f.fingerprint)));
    return fps;
  };
  for (const t of texts) {
    const already = new Set((t.before ?? []).flatMap((b) => keysIn(t, b)));
    for (const f of scanText(t, t.text)) {
      if (already.has(f.fingerprint)) continue;
      // The kind of file a path names (a .jsonl, a log) doesn't make an agent's text a transcript.
      f.source = t.source;
      if (t.transcript) f.transcript = { ...t.transcript };
      findings.push(f);
    }
  }
  return { findings, warnings, stats: { files: texts.length, bytes, binarySkipped: 0, workers: 0 } };
}

async function scanWorkspace(options: ScanOptions, rules: LoadedRules, root: string, targets: string[], config: OutloopConfig, elsewhere: Elsewhere): Promise<SourceOutput> {
  // Loaded here, not at the top: the staged and stdin paths never list folders or start threads.
  const [{ walkWorkspace }, { WorkerPool }] = await Promise.all([import('./sources/workspace.js'), import('./worker-pool.js')]);
  const startPool = (size: number) => new WorkerPool(rules.packs, rules.cached, size);
  const requested = typeof options.workers === 'number' ? options.workers : null;
  // Threads start while folders are listed (a list of files alone never needs them early); if the
  // scan turns out small they are let go.
  let pool = requested !== 0 && (requested !== null || targets.some(isFolder)) ? startPool(requested ?? defaultWorkerCount()) : null;
  const warnings: ScanWarning[] = [...elsewhere.warnings];
  const walk = walkWorkspace(
    { root, targets, include: options.include, exclude: options.exclude, includeNodeModules: options.includeNodeModules, isIgnored: config.isIgnored, extraFiles: elsewhere.files },
    warnings,
  );
  // Look at the first files to decide whether threads pay off; the walk goes on while they scan.
  const first: WorkspaceFile[] = [];
  let more = true;
  while (more && first.length < WORKER_MIN_FILES) {
    const next = walk.next();
    if (next.done) more = false;
    else first.push(next.value);
  }
  const useThreads = requested !== 0 && (requested !== null || more || worthThreads(first));
  const all = chain(first, more ? walk : null);
  const tally = emptyTally();
  // Threads the CLI started early that this scan doesn't use (see worker-start.ts).
  await dropPrestartedWorkers();
  if (useThreads) {
    pool ??= startPool(defaultWorkerCount());
    await pool.run(all, tally, new Detector(rules.ruleSet), options.onProgress);
  } else {
    await pool?.close();
    scanInline(all, rules.ruleSet, tally, options.onProgress);
  }
  warnings.push(...tally.warnings);
  const { findings, bytes, files, binarySkipped } = tally;
  return { findings, warnings, stats: { files, bytes, binarySkipped, workers: useThreads && pool ? pool.size : 0 } };
}

interface LoadedRules {
  packs: LoadedPack[];
  /** The tenants' account ids as rules (see tenancy/accounts), and whose account each rule finds. */
  accounts: Map<string, AccountOwner> | null;
  /** The build step's precomputed automata and globs: only for the built-in rules as shipped. */
  cached: boolean;
  ruleSet: RuleSet;
}

async function loadPacks(options: ScanOptions, config?: OutloopConfig, examples = false): Promise<LoadedRules> {
  // Without the built-in rules, the shared placeholder allowlist still applies: a team's own rule
  // shouldn't report YOUR_API_KEY either.
  const builtin = loadBuiltinPacks({ examples });
  const packs = options.builtinRules === false ? builtin.map((p) => ({ file: p.file, pack: { ...p.pack, rules: [] } })) : builtin;
  for (const dir of options.rulesDirs ?? []) packs.push(...(await loadPackDir(dir)));
  const accounts = config && Object.keys(config.tenants).length ? (await import('./tenancy/accounts.js')).accountPack(config) : null;
  if (accounts) packs.push(accounts.pack);
  const cache = options.builtinRules !== false && !options.rulesDirs?.length && !accounts ? readRuleCache() : null;
  const ruleSet = compilePacks(packs, cache);
  if (config && Object.keys(config.tenants).length) (await import('./tenancy/check-config.js')).refuseRawKeys(config, new Detector(ruleSet));
  return { packs, cached: cache !== null, ruleSet, accounts: accounts?.owners ?? null };
}

/** The rules a scan with these options would use, with the built-in rules' examples (for `rules test`). */
export async function loadRules(options: Pick<ScanOptions, 'rulesDirs' | 'builtinRules'> = {}): Promise<RuleSet> {
  return (await loadPacks(options, undefined, true)).ruleSet;
}

async function scanGitSources(options: ScanOptions, started: number): Promise<ScanResult> {
  const { gitRoot, scanGit, startGitSource } = await import('./scan-git.js');
  const request = { cwd: path.resolve(options.cwd ?? '.'), staged: options.staged, history: options.git };
  const root = await gitRoot(request);
  const source = await startGitSource(request, root);
  const config = await loadConfig({ file: options.configFile, startDir: root });
  const rules = await loadPacks(options, config);
  const ruleSet = rules.ruleSet;
  const detector = new Detector(ruleSet);
  const baseline = options.baseline ? readBaseline(options.baseline) : null;
  const out = await scanGit(request, root, source, detector, config.isIgnored);
  const stats = { files: out.files, bytes: out.bytes, binarySkipped: out.binarySkipped, workers: 0, rules: ruleSet.rules.length };
  return finishScan(root, config, rules, baseline, out.findings, out.warnings, stats, started);
}

async function finishScan(
  root: string,
  config: OutloopConfig,
  rules: LoadedRules,
  baseline: Baseline | null,
  found: Finding[],
  warnings: ScanWarning[],
  s: Omit<ScanStats, 'durationMs' | 'warnings'>,
  started: number,
): Promise<ScanResult> {
  let all = found;
  let tenants: string[] | undefined;
  if (Object.keys(config.tenants).length) {
    const [{ Tenancy }, { applyTenancy }] = await Promise.all([import('./tenancy/tenancy.js'), import('./tenancy/apply.js')]);
    const tenancy = new Tenancy(config);
    all = applyTenancy(all, tenancy, root, rules.accounts);
    tenants = tenancy.names;
  }
  applyConfigAllow(all, config.allow);
  if (baseline) applyBaseline(all, baseline);
  const findings = all.filter((f) => !f.suppressed);
  const suppressed = all.filter((f) => f.suppressed);
  for (const list of [findings, suppressed]) sortFindings(list);
  warnings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const nonBinary = warnings.filter((w) => w.kind !== 'binary').length;
  return { root, config: config.file, ...(tenants ? { tenants } : {}), findings, suppressed, warnings, stats: { ...s, warnings: nonBinary, durationMs: Math.round(now() - started) } };
}

export function sortFindings(findings: Finding[]): void {
  // One client's key in another client's place comes first, in every format.
  findings.sort(
    (a, b) =>
      Number(b.wrongClient === true) - Number(a.wrongClient === true) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

function* chain(first: WorkspaceFile[], rest: Generator<WorkspaceFile> | null): Generator<WorkspaceFile> {
  yield* first;
  if (rest) yield* rest;
}

/** A walk that ended early: threads pay off only for a few big files. */
function worthThreads(files: WorkspaceFile[]): boolean {
  if (os.availableParallelism() < 2 || files.length < 2) return false;
  let bytes = 0;
  for (const f of files) bytes += f.size >= 0 ? f.size : sizeOf(f.abs);
  return bytes >= WORKER_MIN_BYTES;
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function scanInline(files: Iterable<WorkspaceFile>, ruleSet: RuleSet, tally: ScanTally, onProgress?: (p: ScanProgress) => void): void {
  const detector = new Detector(ruleSet);
  let filesDone = 0;
  for (const f of files) {
    const result = scanFile(f.abs, f.rel, detector, f.source);
    addFileResult(tally, result);
    onProgress?.({ filesDone: ++filesDone, bytesDone: tally.bytes, findings: tally.findings.length, latest: result.findings });
  }
}

