#!/usr/bin/env node
/**
 * The `outloop` command: argv → library → report → exit code. The only code that touches process.
 * It starts git's staged diff for the pre-commit hook first (prefetch.ts), then loads the rest.
 *
 * Built (scripts/bundle-cli.ts), this file is dist/src/cli/outloop.cjs, the package's "bin": small
 * CommonJS (an ES module entry makes Node set up its ES module loader first), which loads the app
 * bundle with its build-time code cache (app-pack.ts). Compiled by tsc alone, it imports ./run.js.
 */
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPack, runCommonJs } from './app-pack.js';
import { prefetchForCommand } from './prefetch.js';
import type { Io } from './run.js';

type App = typeof import('./run.js');

/** Each app bundle's id (a hash of its .cjs), set by the bundler; undefined in tsc's build. */
declare const OUTLOOP_APP_IDS: { scan: string; app: string } | undefined;

const argv = process.argv.slice(2);
prefetchForCommand(argv, process.cwd());

// Node 22.1+ keeps the compiled code of what follows in its compile cache (a no-op on Node 20).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const io: Io = {
  // Getters: Node builds a stream the first time each is touched, and most runs never write to stderr.
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  env: process.env,
};

/** `outloop scan` loads scan.cjs, the app without the other commands (less to read); the rest app.cjs. */
function loadApp(): Promise<App> {
  if (typeof OUTLOOP_APP_IDS !== 'object') return import('./run.js');
  return new Promise((resolve) => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const name = argv[0] === 'scan' ? 'scan' : 'app';
    const file = path.join(here, `${name}.cjs`);
    const pack = readPack(path.join(here, `${name}.pack`), OUTLOOP_APP_IDS[name]);
    const source = pack?.source ?? fs.readFileSync(file, 'latin1');
    resolve(runCommonJs<App>(source, file, here, module.createRequire(file), pack?.cachedData).exports);
  });
}

loadApp()
  .then(({ run }) => run(argv, io))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A bug (or a broken install), not a user error: say so plainly, exit 2 so a hook never
      // mistakes it for "clean" or for "secrets found".
      process.stderr.write(`outloop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
