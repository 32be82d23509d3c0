/** `outloop undo [RUN]`: restores every file of a rewrite run (default: the latest) byte for byte. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../model/errors.js';
import { openConfiguredVault, type RewriteIo } from './rewrite-command.js';
import type { Io } from './run.js';

export async function runUndo(args: string[], io: Io): Promise<number> {
  const rio = io as RewriteIo;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { root: { type: 'string' }, format: { type: 'string' } } });
  if (positionals.length > 1) throw new UsageError('usage: outloop undo [RUN] [--root DIR] [--format text|json]');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
  const root = path.resolve(rio.cwd ?? process.cwd(), values.root ?? '.');
  const vault = rio.vault !== undefined ? rio.vault : await openConfiguredVault(io.env, root);
  const { undo } = await import('../rewrite/undo.js');
  const r = await undo({ root, ...(positionals[0] ? { runId: positionals[0] } : {}), vault });
  if (format === 'json') io.stdout.write(JSON.stringify({ schemaVersion: 1, ...r }, null, 2) + '\n');
  else {
    const lines = [`Run ${r.runId}: ${r.restored.length} file${r.restored.length === 1 ? '' : 's'} restored${r.unchanged.length ? `, ${r.unchanged.length} already as before` : ''}; ${r.status === 'undone' ? 'marked undone' : 'NOT fully undone'}.`];
    for (const p of r.restored) lines.push(`  restored ${p}`);
    for (const p of r.problems) lines.push(`  ${p.path}: ${p.reason}`);
    if (r.config && r.config.outcome !== 'unchanged') lines.push(`  ${r.config.path}: ${r.config.outcome === 'left' ? `left as it is (${r.config.reason})` : r.config.outcome === 'removed' ? 'removed (the run created it)' : 'restored (without the bindings the run added)'}`);
    io.stdout.write(lines.join('\n') + '\n');
  }
  return r.problems.length ? EXIT.error : EXIT.clean;
}
