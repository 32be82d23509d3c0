/**
 * `outloop audit ROOT`: the agency's periodic look at every client folder and the transcripts of
 * sessions run in them. On a terminal (and with no --format) a live view shows progress per client
 * and ends with a per-client table; otherwise plain reports, with progress on stderr for long scans.
 */
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { emit, type Io } from './run.js';

const FORMATS = ['text', 'json', 'sarif', 'html'];

export async function runAudit(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      save: { type: 'boolean' },
      config: { type: 'string' },
      'no-transcripts': { type: 'boolean' },
      exclude: { type: 'string', multiple: true },
      workers: { type: 'string' },
      'no-color': { type: 'boolean' },
      rewrite: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
    },
  });
  if (!values.rewrite && (values.yes || values['dry-run'] || values.force)) throw new UsageError('--yes, --dry-run and --force go with --rewrite');
  if (positionals.length > 1) throw new UsageError('audit takes one folder: outloop audit ROOT');
  const format = (values.format as string | undefined) ?? 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}, not "${format}"`);
  if (format === 'html' && !values.output) throw new UsageError('--format html needs --output FILE (a page for a browser, not for a terminal)');
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0) throw new UsageError(`--workers must be a whole number, not "${String(values.workers)}"`);
  }
  const live = values.format === undefined && !values.output && Boolean(io.stdout.isTTY);
  const { audit } = await import('../audit/audit.js');
  const { Tenancy } = await import('../tenancy/tenancy.js');
  const { locationTenant } = await import('../tenancy/apply.js');
  const { loadConfig } = await import('../config/load.js');
  const root = positionals[0] ?? '.';
  const config = await loadConfig({ file: values.config as string | undefined, startDir: root });
  const tenancy = new Tenancy(config);
  const color = !values['no-color'] && io.env.NO_COLOR === undefined;
  const progress = await startProgress(io, live, tenancy.names, color);
  const byTenant: Record<string, number> = Object.fromEntries(tenancy.names.map((n) => [n, 0]));
  let wrongClient = 0;
  const count = (found: Finding[] | undefined, root: string) => {
    for (const f of found ?? []) {
      const owner = tenancy.ownerOf(f.fingerprint)?.tenant ?? null;
      // Overlapping clients are reported by the scan itself, once; the live count just skips them.
      let where: string | null = null;
      try {
        where = locationTenant(f, tenancy, root);
      } catch {
        where = null;
      }
      if (where) byTenant[where] = (byTenant[where] ?? 0) + 1;
      if (where && owner && where !== owner) wrongClient++;
    }
  };
  const path = await import('node:path');
  const absRoot = path.resolve(root);
  let result: Awaited<ReturnType<typeof audit>>;
  try {
    result = await audit({
      root,
      configFile: values.config as string | undefined,
      environment: io.env,
      save: Boolean(values.save),
      transcripts: !values['no-transcripts'],
      exclude: values.exclude as string[] | undefined,
      workers,
      onProgress: (p) => {
        count(p.latest, absRoot);
        progress?.update({ filesDone: p.filesDone, bytesDone: p.bytesDone, findings: p.findings, byTenant, wrongClient, phase: 'scanning' });
      },
    });
  } catch (err) {
    await progress?.finish([], '');
    throw err;
  }
  const report = await import('../report/audit.js');
  const rows = report.tenantRows(result);
  const footer = report.diffLine(result.diff, result.saved) + report.brokerLines(result);
  await progress?.finish(rows, footer.trimEnd());
  const output = values.output as string | undefined;
  if (format === 'json') emit(report.formatAuditJson(result), output, io);
  else if (format === 'sarif') {
    const [{ formatSarif }, { VERSION }] = await Promise.all([import('../report/sarif.js'), import('./help.js')]);
    emit(formatSarif(result, VERSION), output, io);
  } else if (format === 'html') {
    const { formatHtml } = await import('../report/html.js');
    const diff = result.diff ? { since: result.diff.since.date, new: result.diff.new.length, fixed: result.diff.fixed.length, open: result.diff.open } : undefined;
    emit(formatHtml(result, { title: `outloop audit of ${absRoot}`, generatedAt: new Date().toISOString(), ...(diff ? { diff } : {}) }), output, io);
  } else {
    const { formatText } = await import('../report/text.js');
    const textColor = color && !output && Boolean(io.stdout.isTTY);
    // The live view already drew the table; the plain report carries it itself.
    const text = formatText(result, { color: textColor }) + (live ? '' : '\n' + report.formatTenantTable(rows) + footer);
    emit(text, output, io);
  }
  if (output) io.stderr.write(`outloop: audit of ${absRoot}: ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}; ${format} report written to ${output}\n`);
  if (values.rewrite && result.findings.length) {
    // Then take the keys out of ROOT and out of its sessions' transcripts, as `outloop rewrite
    // ROOT --transcripts` does; its plan and results follow the audit's report (on stderr when the
    // report went to stdout as data).
    const { runRewrite } = await import('./rewrite-command.js');
    const passed = ['yes', 'dry-run', 'force'].filter((k) => values[k as 'yes' | 'dry-run' | 'force']).map((k) => `--${k}`);
    const config = values.config ? ['--config', values.config as string] : [];
    const rewriteIo = format === 'text' && !output ? io : { ...io, stdout: io.stderr };
    return runRewrite([absRoot, ...(values['no-transcripts'] ? [] : ['--transcripts']), ...config, ...passed], rewriteIo);
  }
  return result.findings.length > 0 ? EXIT.findings : EXIT.clean;
}

/** The live view on a terminal; off one, progress lines on stderr for scans that take a while. */
async function startProgress(io: Io, live: boolean, tenants: string[], color: boolean) {
  const view = await import('./audit-view.js');
  if (live) return view.startAuditView(io.stdout as NodeJS.WriteStream, tenants, { color });
  return view.plainProgress(io.stderr);
}
