/**
 * Shared by the crash tests: the rewrite (and the undo) run in a child process that SIGKILLs itself at its Nth
 * durable step (OUTLOOP_TEST_KILL_AT), for every N. After each kill: every file is wholly old or
 * wholly new, no key is lost (each is in its file or in the vault), and a re-run or an undo
 * completes the job.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANTHROPIC, tempDir, writeFiles } from '../helpers.js';
import { DirVault } from './dir-vault.js';
import { leaks } from './fixture.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
export const KEYS = Array.from({ length: 6 }, (_, i) => ANTHROPIC(`kill-${i}`));
export const FILES: Record<string, string> = {
  '.env': `A=${KEYS[0]}\nB="${KEYS[1]}"\n`,
  'session.jsonl': [
    JSON.stringify({ type: 'user', sessionId: 's', uuid: 'u1', cwd: '/work/acme', message: { role: 'user', content: `key ${KEYS[2]}` } }),
    JSON.stringify({ type: 'user', sessionId: 's', uuid: 'u2', cwd: '/work/acme', message: { role: 'user', content: 'x' } }).replace('"x"', `"esc ${KEYS[3]!.replace(/-/g, '\\u002d')}"`),
    '',
  ].join('\n'),
  'k8s/secret.yaml': `kind: Secret\ndata:\n  token: ${Buffer.from(KEYS[4]!).toString('base64')}\n`,
  'src/client.ts': `export const key = '${KEYS[5]}';\nexport const again = "${KEYS[0]}";\n`,
};
const OLD = new Date(Date.now() - 3600_000);

export function world(): { root: string; vault: DirVault } {
  const root = tempDir('outloop-kill-');
  writeFiles(root, FILES);
  fs.utimesSync(path.join(root, 'session.jsonl'), OLD, OLD);
  return { root, vault: new DirVault(tempDir('outloop-kill-vault-')) };
}

export function child(vault: DirVault, root: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CHILD, vault.dir, root, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

export const hash = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
export const hashes = (root: string) => Object.fromEntries(Object.keys(FILES).map((rel) => [rel, hash(fs.readFileSync(path.join(root, rel)))]));

/** Each planted key is still in some file (in any form it was written in) or in the vault. */
export function noKeyLost(root: string, vault: DirVault): void {
  const text = Object.keys(FILES).map((rel) => fs.readFileSync(path.join(root, rel), 'utf8')).join('\n');
  const inFiles = new Set(leaks(text, KEYS));
  const held = new Set(vault.secrets());
  KEYS.forEach((k, i) => assert.ok(inFiles.has(i) || held.has(k), `key ${i} lost`));
}

/** The reference: hashes before and after an uninterrupted run, and how many steps it takes. */
export function reference(command: 'rewrite' | 'undo'): { before: Record<string, string>; after: Record<string, string>; steps: number } {
  const { root, vault } = world();
  const log = path.join(tempDir('outloop-steps-'), 'steps');
  if (command === 'undo') assert.equal(child(vault, root, ['rewrite', '--yes', '--workers', '0']).status, 0);
  const before = hashes(root);
  const r = child(vault, root, command === 'undo' ? ['undo'] : ['rewrite', '--yes', '--workers', '0'], { OUTLOOP_TEST_STEP_LOG: log });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return { before, after: hashes(root), steps: fs.readFileSync(log, 'utf8').trim().split('\n').length };
}

