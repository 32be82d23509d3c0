/**
 * `outloop rewrite [PATH...]`: every raw key found becomes its broker alias (see src/rewrite).
 * Prints aliases, redacted hints and fingerprints only. Exit 0 when every key found was rewritten,
 * 1 when some stay in place (each with why), 2 on errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../model/errors.js';
import type { VaultBackend } from '../vault/vault.js';
import type { Io } from './run.js';

/** An Io may carry the vault (tests, embedders) and the folder commands run in. */
export type RewriteIo = Io & { vault?: VaultBackend | null; cwd?: string; ask?: (question: string) => Promise<string> };

export const REWRITE_USAGE = 'usage: outloop rewrite [PATH...] [--dry-run] [--yes] [--force] [--staged] [--transcripts] [--config FILE] [--format text|json]';

export async function runRewrite(args: string[], io: Io): Promise<number> {
  const rio = io as RewriteIo;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      force: { type: 'boolean' },
      staged: { type: 'boolean' },
      transcripts: { type: 'boolean' },
      config: { type: 'string' },
      format: { type: 'string' },
      rules: { type: 'string', multiple: true },
      workers: { type: 'string' },
    },
  });
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
  if (values.staged && positionals.length) throw new UsageError('--staged takes no paths (it rewrites what the next commit adds)');
  const cwd = rio.cwd ?? process.cwd();
  const targets = positionals.map((p) => path.resolve(cwd, p));
  const root = targets.length === 1 && isDir(targets[0]!) ? targets[0]! : cwd;
  const vault = rio.vault !== undefined ? rio.vault : await openConfiguredVault(io.env, root);
  const dryRun = Boolean(values['dry-run']);
  const interactive = Boolean(io.stdout.isTTY && (rio.ask || process.stdin.isTTY));
  if (!dryRun && !values.yes && !interactive) throw new UsageError('rewrite changes files: pass --yes to confirm (or --dry-run to see the plan first)');
  const { rewrite } = await import('../rewrite/rewrite.js');
  const { renderDiff } = await import('../rewrite/diff.js');
  const workers = values.workers === undefined ? 'auto' : Number(values.workers);
  if (typeof workers === 'number' && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError('--workers must be a whole number');
  const result = await rewrite({
    root,
    ...(targets.length && !(targets.length === 1 && targets[0] === root) ? { paths: targets } : {}),
    vault,
    ...(values.config ? { configFile: path.resolve(cwd, values.config) } : {}),
    dryRun,
    force: Boolean(values.force),
    staged: Boolean(values.staged),
    transcripts: Boolean(values.transcripts),
    environment: io.env,
    ...(values.rules ? { rulesDirs: values.rules } : {}),
    workers,
    ...(values.yes || dryRun
      ? {}
      : {
          confirm: async (plan) => {
            io.stderr.write(renderDiff(plan));
            const keys = plan.files.reduce((n, f) => n + f.edits.reduce((m, e) => m + e.fingerprints.length, 0), 0);
            const answer = await (rio.ask ?? askLine)(`Rewrite ${keys} key${keys === 1 ? '' : 's'} in ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}? [y/N] `);
            return /^y(es)?$/i.test(answer.trim());
          },
        }),
  });
  if (format === 'json') {
    const { diff, ...rest } = result;
    io.stdout.write(JSON.stringify({ schemaVersion: 1, ...rest, ...(dryRun ? { diff } : {}) }, null, 2) + '\n');
  } else if (dryRun) {
    io.stdout.write(result.diff ?? '');
  } else {
    io.stdout.write(text(result));
  }
  if (result.cancelled) return EXIT.clean;
  return result.notRewritten.length || result.conflicts.length ? EXIT.findings : EXIT.clean;
}

function text(r: Awaited<ReturnType<typeof import('../rewrite/rewrite.js').rewrite>>): string {
  const lines: string[] = [];
  for (const x of r.resumed) lines.push(`Completed interrupted run ${x.runId}: ${x.files} file(s) written${x.conflicts ? `, ${x.conflicts} changed since and left alone` : ''}.`);
  if (r.cancelled) lines.push('Cancelled; nothing was changed.');
  const keys = r.rewritten.reduce((n, f) => n + f.keys, 0);
  if (r.runId) lines.push(`Rewrote ${keys} key${keys === 1 ? '' : 's'} in ${r.rewritten.length} file${r.rewritten.length === 1 ? '' : 's'} (run ${r.runId}; undo with: outloop undo ${r.runId}).`);
  for (const f of r.rewritten) lines.push(`  ${f.path}: ${f.aliases.join(', ')}`);
  for (const b of r.bindings) lines.push(`  escrowed and bound ${b.alias} (${b.fingerprint.slice(0, 19)}…) in ${r.config}`);
  for (const c of r.conflicts) lines.push(`  ${c.path}: ${c.reason}`);
  if (r.notRewritten.length) {
    lines.push(`Not rewritten (${r.notRewritten.length}):`);
    for (const n of r.notRewritten) lines.push(`  ${n.path}:${n.line}  ${n.service}  ${n.redacted}  ${n.fingerprint.slice(0, 19)}…  ${n.reason}`);
  }
  if (r.leftInPlace.length) {
    lines.push(`Left in place (${r.leftInPlace.length} account id${r.leftInPlace.length === 1 ? '' : 's'}, not keys):`);
    for (const n of r.leftInPlace) lines.push(`  ${n.path}:${n.line}  ${n.service}  ${n.redacted}  ${n.fingerprint.slice(0, 19)}…  ${n.reason}`);
  }
  if (!r.runId && !r.notRewritten.length && !r.cancelled) lines.push('Nothing to rewrite.');
  return lines.join('\n') + '\n';
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The vault the environment configures (src/vault/open.ts), or null when there is none. */
export async function openConfiguredVault(env: NodeJS.ProcessEnv, root: string): Promise<VaultBackend | null> {
  let mod: { openVault?: (options: { env: NodeJS.ProcessEnv; root: string; cwd?: string }) => Promise<VaultBackend | null> };
  try {
    // A literal, so the built CLI bundles it (app.cjs has no import() of its own: scripts/bundle-cli.ts).
    mod = (await import('../vault/open.js')) as typeof mod;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
  if (typeof mod.openVault !== 'function') return null;
  return mod.openVault({ env, root, cwd: root });
}

async function askLine(question: string): Promise<string> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
