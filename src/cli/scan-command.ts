import { EXIT, UsageError } from '../model/errors.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { formatText } from '../report/text.js';
import type { ScanOptions } from '../scan.js';
import { VERSION } from './help.js';
import { parseArgs } from 'node:util';
import { emit, type Io } from './run.js';
import { SCAN_OPTIONS } from './scan-options.js';

export async function runScan(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: SCAN_OPTIONS,
  });
  const format = values.format as string;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  const options: ScanOptions = {
    include: values.include as string[] | undefined,
    exclude: values.exclude as string[] | undefined,
    includeNodeModules: Boolean(values['include-node-modules']),
    rulesDirs: values.rules as string[] | undefined,
    builtinRules: !values['no-builtin-rules'],
    configFile: values.config as string | undefined,
  };
  const baselineFile = values.baseline as string | undefined;
  const updateBaseline = Boolean(values['update-baseline']);
  if (updateBaseline && !baselineFile) throw new UsageError('--update-baseline needs --baseline FILE (where to write it)');
  // Updating rewrites the baseline from this scan, so the old one must not hide anything first.
  if (baselineFile && !updateBaseline) options.baseline = baselineFile;
  if (values.workers !== undefined) {
    const n = Number(values.workers);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers must be a whole number, not "${String(values.workers)}"`);
    options.workers = n;
  }
  if (values.staged && (values.git || values.since !== undefined)) throw new UsageError('--staged and --git/--since scan different things; use one');
  const elsewhere = ['transcripts', 'shell', 'env'].filter((k) => values[k as 'transcripts' | 'shell' | 'env']);
  if (elsewhere.length && (values.staged || values.git || values.since !== undefined || positionals.includes('-'))) {
    throw new UsageError(`--${elsewhere[0]} scans files and the environment; it can't be combined with --staged, --git or standard input`);
  }
  options.transcripts = Boolean(values.transcripts);
  // --shell covers the history files, the profiles and the environment a shell passes on.
  options.shell = Boolean(values.shell);
  options.env = Boolean(values.env || values.shell);
  if (values.staged) {
    if (positionals.length) throw new UsageError('--staged scans the git index; it takes no paths');
    options.staged = true;
  } else if (values.git || values.since !== undefined) {
    // With --git, the positionals are revisions and ranges (main..feature), not paths.
    options.git = { revisions: positionals, ...(values.since !== undefined ? { since: values.since as string } : {}) };
  } else if (positionals.includes('-')) {
    if (positionals.length > 1) throw new UsageError('"-" (standard input) cannot be combined with paths');
    options.stdin = await io.readStdin();
  } else {
    options.paths = positionals;
  }
  if (options.staged) {
    // Start git's diff before loading the scanner: they overlap (the hook's time budget is tight).
    const staged = await import('../sources/staged.js');
    staged.prefetchStagedDiff(await staged.repoRoot(process.cwd()));
  }
  const { scan } = await import('../scan.js');
  const result = await scan(options);
  if (updateBaseline) {
    const { baselineOf, writeBaseline } = await import('../enrich/baseline.js');
    const baseline = baselineOf(result.findings);
    writeBaseline(baselineFile!, baseline);
    io.stderr.write(`outloop: baseline ${baselineFile} written with ${baseline.findings.length} finding${baseline.findings.length === 1 ? '' : 's'} (fingerprints and locations only)\n`);
    return EXIT.clean;
  }
  const showSuppressed = Boolean(values['show-suppressed']);
  const output = values.output as string | undefined;
  const color = !output && !values['no-color'] && Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
  const text =
    format === 'json'
      ? formatJson(result, { showSuppressed })
      : format === 'sarif'
        ? formatSarif(result, VERSION, { showSuppressed })
        : formatText(result, { color, showSuppressed });
  emit(text, output, io);
  if (output && format !== 'text') {
    const n = result.findings.length;
    io.stderr.write(`outloop: ${n} secret${n === 1 ? '' : 's'} found; ${format} report written to ${output}\n`);
  }
  return result.findings.length > 0 ? EXIT.findings : EXIT.clean;
}
