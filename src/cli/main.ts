#!/usr/bin/env node
/**
 * The `outloop` command: argv → library → report → exit code. The only code that touches process.
 * It starts git's staged diff for the pre-commit hook first (prefetch.ts), then loads the rest: in
 * the built CLI this file is a small bundle and `./run.js` the big one (scripts/bundle-cli.ts).
 */
import module from 'node:module';
import type { Io } from './run.js';
import { prefetchForCommand } from './prefetch.js';

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

import('./run.js')
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
