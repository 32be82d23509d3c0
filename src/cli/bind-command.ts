/**
 * `outloop bind TENANT NAME`: one key from stdin (hidden on a terminal) bound to a tenant by its
 * fingerprint. `outloop bind --learn ROOT [--write]`: bindings proposed from a scan of ROOT.
 * Nothing here ever prints the key: only its redacted hint, its fingerprint and its alias.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Detector } from '../detect/engine.js';
import { EXIT, UsageError } from '../model/errors.js';
import { loadRules } from '../scan.js';
import * as bind from '../tenancy/bind.js';
import type { Io } from './run.js';

/** An Io may carry the standard input itself (tests, embedders); otherwise process.stdin is asked whether it is a terminal. */
export type BindIo = Io & { stdin?: bind.KeyStdin; cwd?: string };

export const BIND_USAGE = 'usage: outloop bind TENANT NAME [--config FILE] [--force] < key   |   outloop bind --learn ROOT [--write] [--format text|json]';

const LEAK = `${bind.ARGV_KEY_MESSAGE} (if it was a real key, rotate it: your shell history has it now)`;

export async function runBind(args: string[], io: Io): Promise<number> {
  const bio = io as BindIo;
  // Before anything else, even before the flags are parsed: a key typed as an argument is already in
  // ps and the shell's history. The built-in rules decide (a team's --rules join them below).
  let detector = new Detector(await loadRules());
  if (args.some((a) => bind.containsKey(a, detector))) throw new UsageError(LEAK);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      force: { type: 'boolean' },
      learn: { type: 'boolean' },
      write: { type: 'boolean' },
      format: { type: 'string' },
      rules: { type: 'string', multiple: true },
    },
  });
  const rulesDirs = values.rules;
  if (rulesDirs?.length) {
    detector = new Detector(await loadRules({ rulesDirs }));
    if (args.some((a) => bind.containsKey(a, detector))) throw new UsageError(LEAK);
  }
  if (!values.learn && positionals.length > 2) throw new UsageError(LEAK);
  const cwd = bio.cwd ?? process.cwd();
  const configFile = values.config;

  if (values.learn) {
    if (values.force) throw new UsageError('--force is for binding one key by name, not with --learn');
    if (positionals.length > 1) throw new UsageError(`--learn takes one folder, not ${positionals.length}`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
    const learned = await bind.learnBindings({
      root: path.resolve(cwd, positionals[0] ?? '.'),
      ...(configFile ? { configFile: path.resolve(cwd, configFile) } : {}),
      ...(rulesDirs ? { rulesDirs } : {}),
    });
    const write = Boolean(values.write);
    if (write) bind.writeBindings(learned.config, learned.proposals);
    io.stdout.write(format === 'json' ? JSON.stringify({ schemaVersion: 1, ...learned, written: write && learned.proposals.length > 0 }, null, 2) + '\n' : learnText(learned, write));
    if (write) {
      const n = learned.proposals.length;
      io.stderr.write(n ? `outloop: ${n} binding${n === 1 ? '' : 's'} written to ${learned.config}\n` : `outloop: nothing to bind; ${learned.config} left as it was\n`);
    }
    return EXIT.clean;
  }

  if (values.write) throw new UsageError('--write applies the proposals of --learn');
  if (values.format !== undefined) throw new UsageError('--format is for --learn (binding one key prints no report)');
  if (positionals.length !== 2) throw new UsageError(BIND_USAGE);
  const [tenant, name] = positionals as [string, string];
  const force = Boolean(values.force);
  const target = await bind.checkBindTarget({ ...(configFile ? { configFile } : {}), cwd, tenant, name, force });
  let key: string;
  try {
    key = await bind.readKeyFromStdin({
      ...(bio.stdin ? { stdin: bio.stdin } : {}),
      stderr: io.stderr,
      readAll: io.readStdin,
      prompt: `Key for ${target.alias} (input hidden; press Enter when done): `,
    });
  } catch (err) {
    if (err instanceof bind.KeyEntryCancelled) {
      io.stderr.write(`outloop: ${err.message}; ${target.file} left as it was\n`);
      return err.signal === 'EOF' ? EXIT.error : 128 + (err.signal === 'SIGINT' ? 2 : err.signal === 'SIGHUP' ? 1 : 15);
    }
    throw err;
  }
  if (!key) throw new UsageError(`no key on standard input; pipe one in: outloop bind ${tenant} ${name} < key-file`);
  const result = await bind.bindKey({ configFile: target.file, cwd, tenant, name, force, key, detector });
  const what = result.status === 'unchanged' ? 'already bound' : result.status === 'replaced' ? 'rebound' : 'bound';
  io.stderr.write(
    `outloop: ${what} ${result.alias}: ${result.description} (${result.service}) ${result.redacted}\n` +
      `  fingerprint ${result.fingerprint}\n` +
      (result.renamedFrom ? `  was ${bind.aliasOf(tenant, result.renamedFrom)}\n` : '') +
      (result.status === 'unchanged' ? `  ${result.file} left as it was\n` : `  written to ${result.file}\n`),
  );
  return EXIT.clean;
}

function learnText(learned: bind.LearnResult, written: boolean): string {
  const lines: string[] = [];
  const n = learned.proposals.length;
  lines.push(`${n} binding${n === 1 ? '' : 's'} proposed from a scan of ${learned.root} (config ${learned.config}):`);
  for (const p of learned.proposals) {
    lines.push(`  ${p.alias}  ${p.service}  ${p.redacted}  ${p.fingerprint}`);
    lines.push(`      found at ${p.where.join(', ')}`);
  }
  if (learned.notProposed.length) {
    lines.push('', `Not proposed (${learned.notProposed.length}):`);
    for (const k of learned.notProposed) {
      lines.push(`  ${k.service}  ${k.redacted}  ${k.fingerprint}`);
      lines.push(`      ${k.reason}`);
      lines.push(`      found at ${k.where.join(', ')}`);
    }
  }
  if (n && !written) lines.push('', `Run again with --write to add ${n === 1 ? 'it' : 'them'} to ${learned.config}.`);
  return lines.join('\n') + '\n';
}
