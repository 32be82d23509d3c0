/**
 * History scan benchmark: outloop's history source + detector over a repository's whole history
 * (`--all`) against the lower bound any history scanner has to pay, `git log -p --all` piped into
 * ripgrep searching outloop's keyword list (fixed strings, case-insensitive).
 *
 *   node dist/scripts/bench-git.js REPO [--runs N] [--cli]
 *
 * REPO is a work tree or a bare git directory. Each measurement runs in its own process; the figures
 * are the best of N runs (default 3). `--cli` also times `outloop scan --git --format json` when the
 * CLI has that flag. Peak RSS is the measured process's own (git's memory is not counted on either
 * side: both run the same git log).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { outloopBin } from './bench/tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = outloopBin(path.resolve(here, '../..'));

interface InnerResult {
  ms: number;
  fragments: number;
  bytes: number;
  findings: number;
  firstFindings: number;
  rules: Record<string, number>;
  spansResolved: number;
  commits: number;
  maxRssMb: number;
}

async function inner(repo: string): Promise<void> {
  const { historyFragments, resolveHistorySpans } = await import('../src/sources/history.js');
  const { scanFragments } = await import('../src/scan-file.js');
  const { firstIntroductions } = await import('../src/enrich/first-introduced.js');
  const { Detector } = await import('../src/detect/engine.js');
  const { loadRules } = await import('../src/scan.js');
  const started = performance.now();
  const detector = new Detector(await loadRules());
  const warnings: import('../src/model/finding.js').ScanWarning[] = [];
  const findings: import('../src/model/finding.js').Finding[] = [];
  let fragments = 0;
  let bytes = 0;
  const commits = new Set<string>();
  const one: import('../src/model/fragment.js').Fragment[] = [];
  for await (const f of historyFragments(repo, {}, warnings)) {
    fragments++;
    bytes += f.bytes?.length ?? f.text?.length ?? 0;
    commits.add(f.commit!.sha);
    one[0] = f;
    for (const x of scanFragments(one, detector)) findings.push(x);
  }
  const first = firstIntroductions(findings);
  const spansResolved = await resolveHistorySpans(repo, first, warnings);
  const ms = performance.now() - started;
  const rules: Record<string, number> = {};
  for (const f of first) rules[f.ruleId] = (rules[f.ruleId] ?? 0) + 1;
  const result: InnerResult = {
    ms,
    fragments,
    bytes,
    findings: findings.length,
    firstFindings: first.length,
    rules,
    spansResolved,
    commits: commits.size,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
}

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): { ms: number; stdout: string; status: number | null; stderr: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  return { ms: performance.now() - t, stdout: r.stdout, status: r.status, stderr: r.stderr };
}

function best<T extends { ms: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--inner') return inner(argv[1]!);
  const repo = path.resolve(argv.find((a) => !a.startsWith('--')) ?? '.');
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  const withCli = argv.includes('--cli');

  const commits = sh('git', ['-C', repo, 'rev-list', '--all', '--count']).stdout.trim();
  const merges = sh('git', ['-C', repo, 'rev-list', '--all', '--merges', '--count']).stdout.trim();
  const kw = sh(process.execPath, [CLI, 'rules', '--keywords']);
  if (kw.status !== 0 || !kw.stdout.trim()) throw new Error(`rules --keywords failed: ${kw.stderr}`);
  const kwFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outloop-bench-git-')), 'keywords.txt');
  fs.writeFileSync(kwFile, kw.stdout);
  const rg = sh('bash', ['-c', 'command -v rg']).stdout.trim();
  const logBytes = Number(sh('bash', ['-c', `git -C ${q(repo)} log -p --all | wc -c`]).stdout.trim());
  console.log(`repo ${repo}: ${commits} commits (${merges} merges), git log -p --all: ${(logBytes / 1e6).toFixed(1)} MB, ${kw.stdout.trim().split('\n').length} keywords, ${os.cpus().length} cores`);

  // Warm the page cache (both sides read the same packs).
  sh('bash', ['-c', `git -C ${q(repo)} log -p --all > /dev/null`]);

  const { historyLogArgs } = await import('../src/sources/history.js');
  const ourLog = ['git', '-C', repo, ...historyLogArgs({})].map(q).join(' ');
  const gitOnly: Array<{ ms: number }> = [];
  const gitOurs: Array<{ ms: number }> = [];
  const pipe: Array<{ ms: number; matches: string }> = [];
  const lib: InnerResult[] = [];
  const cli: Array<{ ms: number; findings: number }> = [];
  for (let i = 0; i < runs; i++) {
    gitOnly.push(sh('bash', ['-c', `git -C ${q(repo)} log -p --all > /dev/null`]));
    gitOurs.push(sh('bash', ['-c', `${ourLog} > /dev/null`]));
    if (rg) {
      const r = sh('bash', ['-c', `set -o pipefail; git -C ${q(repo)} log -p --all | rg -c -F -i -f ${q(kwFile)} || test $? -eq 1`]);
      if (r.status !== 0) throw new Error(`git log | rg failed: ${r.stderr}`);
      pipe.push({ ms: r.ms, matches: r.stdout.trim() || '0' });
    }
    const r = sh(process.execPath, [fileURLToPath(import.meta.url), '--inner', repo]);
    if (r.status !== 0) throw new Error(`library run failed: ${r.stderr}`);
    lib.push(JSON.parse(r.stdout) as InnerResult);
    if (withCli) {
      const c = sh(process.execPath, [CLI, 'scan', '--git', '--format', 'json'], { cwd: repo });
      if (c.status !== 0 && c.status !== 1) throw new Error(`outloop scan --git failed: ${c.stderr}`);
      cli.push({ ms: c.ms, findings: (JSON.parse(c.stdout) as { findings: unknown[] }).findings.length });
    }
  }
  const l = best(lib);
  const g = best(gitOnly);
  console.log(`git log -p --all > /dev/null            ${fmt(g.ms)}`);
  console.log(`git log -p -U0 -M --cc … (ours) > null  ${fmt(best(gitOurs).ms)}`);
  if (pipe.length) {
    const p = best(pipe);
    console.log(`git log -p --all | rg -c -F -i -f kw    ${fmt(p.ms)}  (${p.matches} matching lines)`);
    console.log(
      `outloop history (library)                ${fmt(l.ms)}  ${l.commits} commits with added text, ${l.fragments} fragments, ${(l.bytes / 1e6).toFixed(1)} MB added text, ` +
        `${l.findings} findings → ${l.firstFindings} first introductions ${JSON.stringify(l.rules)} (${l.spansResolved} spans resolved), peak RSS ${l.maxRssMb.toFixed(0)} MB`,
    );
    console.log(`ratio outloop / (git log | rg)          ${(l.ms / p.ms).toFixed(2)}x`);
  } else {
    console.log('ripgrep not installed: no pipeline baseline (apt-get install ripgrep)');
    console.log(`outloop history (library)                ${fmt(l.ms)}  peak RSS ${l.maxRssMb.toFixed(0)} MB`);
  }
  console.log(`ratio outloop / (git log > /dev/null)   ${(l.ms / g.ms).toFixed(2)}x`);
  if (cli.length) {
    const c = best(cli);
    console.log(`outloop scan --git --format json         ${fmt(c.ms)}  (${c.findings} findings)`);
  }
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`.padStart(8);
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

await main();
