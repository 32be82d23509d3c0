/**
 * Build step (run by bundle-cli.ts): makes dist/src/cli/app.pack, the app bundle with V8's code
 * cache for it (src/cli/app-pack.ts). V8 writes into a cache only what is compiled when it is made,
 * and compiles functions lazily, so the cache is taken after the app has run what the pre-commit
 * hook runs: `scan --staged` in a throwaway repository, once with a staged (generated, fake) key and
 * once clean. Other commands work the same from it; only their own functions compile as they run.
 *
 *   node dist/scripts/train-app-pack.js APP.cjs ID PACK
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { encodePack, packKey, runCommonJs, wrapCommonJs, writePack } from '../src/cli/app-pack.js';
import type { Io } from '../src/cli/run.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';

const [appFile, id, packFile] = process.argv.slice(2) as [string, string, string];
const text = wrapCommonJs(fs.readFileSync(appFile, 'latin1'));
const { exports: app, script } = runCommonJs<typeof import('../src/cli/run.js')>(text, appFile, path.dirname(appFile), createRequire(appFile));

const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'outloop-train-'));
const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'outloop', GIT_AUTHOR_EMAIL: 'build@example.com', GIT_COMMITTER_NAME: 'outloop', GIT_COMMITTER_EMAIL: 'build@example.com' };
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, stdio: 'pipe' });
const io = (out: string[]): Io => ({
  stdout: { write: (s: string) => out.push(s) > 0, isTTY: false } as unknown as Io['stdout'],
  stderr: { write: (s: string) => out.push(s) > 0 } as unknown as Io['stderr'],
  readStdin: async () => Buffer.alloc(0),
  env: {},
});

const cwd = process.cwd();
try {
  fs.writeFileSync(path.join(repo, 'config.ts'), 'export const region = "eu";\n');
  fs.writeFileSync(path.join(repo, 'util.ts'), 'export const add = (a: number, b: number) => a + b;\n');
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  process.chdir(repo);
  // Generated at build time, never a real key: the rule's own template with a fixed seed.
  const key = expandTemplate('sk-ant-api03-{{urlsafe:93}}AA', seededRng('outloop-train')).text;
  fs.appendFileSync('config.ts', `export const apiKey = '${key}';\n`);
  fs.appendFileSync('util.ts', 'export const sub = (a: number, b: number) => a - b;\n');
  git('add', '-u');
  const found: string[] = [];
  const code = await app.run(['scan', '--staged'], io(found));
  if (code !== 1) throw new Error(`training scan: expected exit 1 (the staged key), got ${code}: ${found.join('')}`);
  git('checkout', '-q', 'HEAD', '--', 'config.ts');
  const clean: string[] = [];
  const cleanCode = await app.run(['scan', '--staged'], io(clean));
  if (cleanCode !== 0) throw new Error(`training scan: expected exit 0 (clean), got ${cleanCode}: ${clean.join('')}`);
} finally {
  process.chdir(cwd);
  fs.rmSync(repo, { recursive: true, force: true });
}
writePack(packFile, encodePack(packKey(id), text, script.createCachedData()));
