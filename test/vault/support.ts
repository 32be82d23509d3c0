/** Shared pieces of the vault tests: fake CLIs on a PATH of their own, child processes, call logs. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const CHILD = path.join(HERE, 'children.js');

/**
 * A bin folder holding the fake `security` and/or `op` (small scripts that run the compiled fakes with
 * this Node), and the environment that puts it first on PATH with the fakes' state and log files.
 */
export function fakeCli(names: Array<'security' | 'op'>): { bin: string; env: NodeJS.ProcessEnv; dir: string; log: (name: 'security' | 'op') => Array<{ argv: string[]; stdin: string }> } {
  const dir = tempDir('outloop-vault-fake-');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, HOME: dir };
  for (const name of names) {
    const script = path.join(HERE, `fake-${name}.js`);
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nOUTLOOP_FAKE_CLI=${name} exec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
    const upper = name.toUpperCase();
    env[`FAKE_${upper}_STATE`] = path.join(dir, `${name}-state.json`);
    env[`FAKE_${upper}_LOG`] = path.join(dir, `${name}-log.jsonl`);
  }
  const log = (name: 'security' | 'op') => {
    const file = env[`FAKE_${name.toUpperCase()}_LOG`]!;
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { argv: string[]; stdin: string });
  };
  return { bin, env, dir, log };
}

/** True when no argv of any logged call holds the secret (or a hex or base64 spelling of it). */
export function argvNeverHolds(calls: Array<{ argv: string[] }>, secret: string): boolean {
  const spellings = [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')];
  return calls.every((c) => c.argv.every((a) => spellings.every((s) => !a.includes(s))));
}
