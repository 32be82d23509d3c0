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
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineFlagsChanged } from '../engine-flags.js';
import { encodePack, packKey, readPack, runCommonJs, userPackFile, wrapCommonJs, writePack } from './app-pack.js';
import { prefetchForCommand } from './prefetch.js';
import type { Io } from './run.js';

type App = typeof import('./run.js');

/** Each app bundle's id (a hash of its .cjs), set by the bundler; undefined in tsc's build. */
declare const OUTLOOP_APP_IDS: { scan: string; app: string } | undefined;

const argv = process.argv.slice(2);
try {
  prefetchForCommand(argv, process.cwd());
} catch {
  // process.cwd() fails when the current folder was deleted: the command itself says so.
}

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

/** Set when this run compiled the app without a usable pack: saves one for the next run. */
let savePack: (() => void) | undefined;

/**
 * `outloop scan` loads scan.cjs, the app without the other commands (less to read); the rest app.cjs.
 * Each with its pack (app-pack.ts): the package's own, made at build time, or, when the package was
 * built with another Node version, the one an earlier run saved in the user's cache folder.
 */
function loadApp(): Promise<App> {
  if (typeof OUTLOOP_APP_IDS !== 'object') {
    // tsc's modules: Node 22.1+ can keep their compiled code in its compile cache (Node 20 can't).
    return import('node:module')
      .then((m) => (m.default as { enableCompileCache?: () => unknown }).enableCompileCache?.())
      .then(() => import('./run.js'));
  }
  return new Promise((resolve) => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const name = argv[0] === 'scan' ? 'scan' : 'app';
    const file = path.join(here, `${name}.cjs`);
    const key = packKey(OUTLOOP_APP_IDS[name]);
    let pack = readPack(path.join(here, `${name}.pack`), key);
    const userFile = pack ? null : userPackFile(name, key);
    if (userFile) pack = readPack(userFile, key);
    const script = pack?.script ?? wrapCommonJs(fs.readFileSync(file, 'latin1'));
    // The entry's own CommonJS `require`: the bundles sit beside the entry, so names resolve the same.
    const app = runCommonJs<App>(script, file, here, require, pack?.cachedData);
    if (userFile && !pack) savePack = () => writePack(userFile, encodePack(key, script, app.script.createCachedData()));
    resolve(app.exports);
  });
}

loadApp()
  .then(({ run }) => run(argv, io))
  .then(
    (code) => {
      process.exitCode = code;
      try {
        // After the command (its output is out): what this run compiled, for the next one.
        // Not once a scan retuned V8 (engine-flags.ts): V8 would refuse that cache next time.
        if (code !== 2 && !engineFlagsChanged()) savePack?.();
      } catch {
        // A read-only or full cache folder only means the next run compiles again.
      }
    },
    (err: unknown) => {
      // A bug (or a broken install), not a user error: say so plainly, exit 2 so a hook never
      // mistakes it for "clean" or for "secrets found".
      process.stderr.write(`outloop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
