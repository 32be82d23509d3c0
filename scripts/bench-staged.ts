#!/usr/bin/env node
// The pre-commit guard's speed: `outloop scan --staged` in repositories of 5,000 and 50,000 files
// with 10 staged files, process start included, median of --runs runs; `node -e 0` in the same run
// says how much of that is Node's own start. The 50,000-file figure shows the time doesn't grow
// with the repository (no folder listing on this path).
//
//   node dist/scripts/bench-staged.js [--runs 21] [--sizes 5000,50000]
//
// 21 runs by default: the development VM's speed drifts within a minute, and a few more runs steady
// the median a little (they don't remove the drift: compare with `node -e 0` of the same run).
//
// Repositories are generated once into bench-out/staged-<files>/ (synthetic code files, one commit,
// then 10 files changed and staged, one of them with a fake key so the scan does real work).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { median } from './bench/measure.js';
import { outloopBin } from './bench/tools.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// What the hook runs: the package's "bin".
const CLI = outloopBin(REPO);
const OUT = path.join(REPO, 'bench-out');

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1]!;
};
const runs = Number(arg('runs', '21'));
const sizes = arg('sizes', '5000,50000').split(',').map(Number);

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args], { cwd, stdio: 'pipe' });

function makeRepo(files: number): string {
  const dir = path.join(OUT, `staged-${files}`);
  if (fs.existsSync(path.join(dir, '.git'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < files; i++) {
    const p = path.join(dir, `pkg${i % 50}`, `sub${i % 7}`, `file${i}.ts`);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, `export const value${i} = ${i};\nexport function f${i}(a: number) {\n  return a + ${i};\n}\n`);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  const key = expandTemplate('sk-ant-api03-{{urlsafe:93}}AA', seededRng(`staged-bench-${files}`)).text;
  for (let i = 0; i < 10; i++) {
    const p = path.join(dir, `pkg${i % 50}`, `sub${i % 7}`, `file${i}.ts`);
    fs.appendFileSync(p, i === 0 ? `const leaked = '${key}';\n` : `export const extra${i} = ${i * 2};\n`);
  }
  git(dir, 'add', '-u');
  return dir;
}


function time(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: 'ignore', env });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
}

// `npm run build` bundles the CLI (scripts/bundle-cli.ts) and makes its code cache.
if (!fs.existsSync(CLI) || !fs.existsSync(path.join(path.dirname(CLI), 'scan.pack'))) {
  throw new Error(`${path.relative(REPO, CLI)} or its scan.pack is missing: run "npm run build"`);
}

fs.mkdirSync(OUT, { recursive: true });
// Node reads every certificate in NODE_EXTRA_CA_CERTS at each start, before any JavaScript runs
// (some development VMs set it for their proxy): when it is set, Node's start is also timed without.
const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
const { NODE_EXTRA_CA_CERTS: _, ...envWithoutExtraCerts } = process.env;
const rows: Array<{ files: number; outloopMs: number; nodeMs: number; gitDiffMs: number; nodeWithoutExtraCertsMs?: number }> = [];
for (const files of sizes) {
  const dir = makeRepo(files);
  const outloop: number[] = [];
  const node: number[] = [];
  const bareNode: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < runs; i++) {
    outloop.push(time(process.execPath, [CLI, 'scan', '--staged'], dir));
    node.push(time(process.execPath, ['-e', '0'], dir));
    if (extraCerts) bareNode.push(time(process.execPath, ['-e', '0'], dir, envWithoutExtraCerts));
    diff.push(time('git', ['diff', '--cached', '--quiet'], dir));
  }
  rows.push({ files, outloopMs: median(outloop), nodeMs: median(node), gitDiffMs: median(diff), ...(extraCerts ? { nodeWithoutExtraCertsMs: median(bareNode) } : {}) });
}
console.log(`\npre-commit guard: outloop scan --staged, 10 staged files, median of ${runs} runs (process start included)`);
console.log('repo files   outloop   node -e 0   git diff --cached   outloop minus node start');
for (const r of rows) {
  console.log(`${String(r.files).padStart(10)}   ${r.outloopMs.toFixed(0).padStart(5)} ms   ${r.nodeMs.toFixed(0).padStart(6)} ms   ${r.gitDiffMs.toFixed(0).padStart(12)} ms   ${(r.outloopMs - r.nodeMs).toFixed(0).padStart(10)} ms`);
}
if (extraCerts) {
  const bare = rows.map((r) => `${r.nodeWithoutExtraCertsMs!.toFixed(0)} ms`).join(' / ');
  console.log(`NODE_EXTRA_CA_CERTS is set (${extraCerts}): Node loads it at every start, before outloop runs; \`node -e 0\` without it: ${bare}`);
}
fs.writeFileSync(path.join(OUT, 'bench-staged.json'), JSON.stringify({ runs, nodeExtraCaCerts: extraCerts ?? null, rows }, null, 2) + '\n');
