/**
 * The live view of `outloop audit` on a terminal, and its plain stand-in off one.
 *
 * startAuditView() renders with ink: a status line (spinner, phase, files, MB, findings, wrong-client
 * copies in red) over each tenant's running count, redrawn at most ten times a second; finish()
 * replaces it with the per-tenant table and a footer line and unmounts, so nothing is left holding
 * the process open.
 *
 * ink and React are loaded here only, with `await import()`, when the view starts: `scan`, the
 * pre-commit guard and an audit off a terminal never load them (the CLI bundle keeps dynamic
 * imports of packages as real imports, see scripts/bundle-cli.ts). No JSX: elements are built with
 * React.createElement.
 *
 * plainProgress() is the same interface for a long scan off a terminal: one progress line on stderr
 * at most every two seconds (none at all for a scan shorter than that), and nothing at the end, where
 * the command prints its report.
 */
import type { TenantRow } from '../report/audit.js';
import type { ReactElement } from 'react';

export interface AuditProgress {
  filesDone: number;
  bytesDone: number;
  findings: number;
  byTenant: Record<string, number>;
  wrongClient: number;
  phase: 'listing' | 'scanning' | 'transcripts' | 'done';
}

/** A row of the final per-client table: the same rows the plain report prints. */
export type AuditTableRow = TenantRow;

export interface AuditView {
  update(p: AuditProgress): void;
  finish(rows: AuditTableRow[], footer: string): Promise<void>;
}

export interface AuditViewOptions {
  /** Colours and bold (default true); pass the command's decision (`--no-color`, `NO_COLOR`). */
  color?: boolean;
}

export interface PlainProgressOptions {
  /** Least time between two lines, and before the first one (default 2000 ms). */
  intervalMs?: number;
  /** The clock (default Date.now); for tests. */
  now?: () => number;
}

/** Redraws per second, at most (the spinner's pace too). */
const FRAME_MS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Tenants shown in the live list; the rest are summed up in one "+N more". */
const LIVE_TENANTS = 24;

const PHASE: Record<AuditProgress['phase'], string> = {
  listing: 'listing files',
  scanning: 'scanning',
  transcripts: 'scanning transcripts',
  done: 'done',
};

const numberFormat = new Intl.NumberFormat('en-US');
const num = (n: number): string => numberFormat.format(n);
/** Same unit as the text report (src/report/text.ts). */
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function emptyProgress(): AuditProgress {
  return { filesDone: 0, bytesDone: 0, findings: 0, byTenant: {}, wrongClient: 0, phase: 'listing' };
}

/** The configured tenants in their order, then any other name the scan counted (e.g. unassigned). */
function tenantCounts(tenants: readonly string[], byTenant: Record<string, number>): Array<[string, number]> {
  const out: Array<[string, number]> = tenants.map((t) => [t, byTenant[t] ?? 0]);
  const known = new Set(tenants);
  for (const [t, n] of Object.entries(byTenant)) if (!known.has(t)) out.push([t, n]);
  return out;
}

type ReactModule = typeof import('react');
type InkModule = typeof import('ink');

interface ViewState {
  progress: AuditProgress;
  frame: number;
  final?: { rows: AuditTableRow[]; footer: string };
}

function buildView(React: ReactModule, ink: InkModule, tenants: readonly string[], color: boolean, s: ViewState): ReactElement {
  const h = React.createElement;
  const { Box, Text } = ink;
  const styled = (text: string, style: { color?: string; bold?: boolean; dimColor?: boolean }): ReactElement =>
    h(Text, color ? style : {}, text);

  if (s.final) return buildTable(React, ink, styled, s.final.rows, s.final.footer);

  const p = s.progress;
  const indicator = p.phase === 'done' ? '✔' : SPINNER[s.frame % SPINNER.length]!;
  const status = h(
    Text,
    { wrap: 'truncate-end' },
    styled(indicator, { color: 'cyan' }),
    ` ${PHASE[p.phase]}  ${num(p.filesDone)} files  ${mb(p.bytesDone)}  ${num(p.findings)} finding${p.findings === 1 ? '' : 's'}  `,
    p.wrongClient > 0 ? styled(`${num(p.wrongClient)} wrong-client`, { color: 'red', bold: true }) : '0 wrong-client',
  );

  let counts = tenantCounts(tenants, p.byTenant);
  let more = 0;
  if (counts.length > LIVE_TENANTS) {
    // Too many to list: the ones with findings first, most first.
    counts = [...counts].sort((a, b) => b[1] - a[1]);
    more = counts.length - LIVE_TENANTS;
    counts = counts.slice(0, LIVE_TENANTS);
  }
  const items = counts.map(([t, n]) =>
    h(Text, { key: t }, `${t} `, n > 0 ? styled(num(n), { color: 'yellow', bold: true }) : styled('0', { dimColor: true })),
  );
  if (more > 0) items.push(h(Text, { key: '\0more' }, `+${more} more`));

  return h(
    Box,
    { flexDirection: 'column' },
    status,
    items.length > 0 ? h(Box, { flexDirection: 'row', flexWrap: 'wrap', columnGap: 3, paddingLeft: 2 }, ...items) : null,
  );
}

function buildTable(
  React: ReactModule,
  ink: InkModule,
  styled: (text: string, style: { color?: string; bold?: boolean; dimColor?: boolean }) => ReactElement,
  rows: AuditTableRow[],
  footer: string,
): ReactElement {
  const h = React.createElement;
  const { Box, Text } = ink;
  const withNew = rows.some((r) => r.new !== undefined);
  const withFixed = rows.some((r) => r.fixed !== undefined);

  // Columns: [header, cell text per row, right-aligned, colour of a row's cell].
  type Column = { head: string; cells: string[]; right: boolean; tint?: (r: AuditTableRow) => string | undefined };
  const columns: Column[] = [
    { head: 'tenant', cells: rows.map((r) => r.tenant), right: false },
    { head: 'findings', cells: rows.map((r) => num(r.findings)), right: true },
    {
      head: 'wrong-client',
      cells: rows.map((r) => num(r.wrongClient)),
      right: true,
      tint: (r) => (r.wrongClient > 0 ? 'red' : undefined),
    },
  ];
  if (withNew) columns.push({ head: 'new', cells: rows.map((r) => (r.new === undefined ? '-' : num(r.new))), right: true });
  if (withFixed) {
    columns.push({ head: 'fixed', cells: rows.map((r) => (r.fixed === undefined ? '-' : num(r.fixed))), right: true });
  }
  const widths = columns.map((c) => Math.min(40, Math.max(c.head.length, ...c.cells.map((x) => x.length))));

  const cell = (text: string, i: number, key: string, tint?: string): ReactElement => {
    const col = columns[i]!;
    const w = widths[i]!;
    const padded = col.right ? text.padStart(w) : text.padEnd(w);
    return h(
      Box,
      { key, width: w + 2, flexShrink: 0 },
      h(Text, { wrap: 'truncate-end' }, tint ? styled(padded, { color: tint, bold: true }) : padded),
    );
  };

  const header = h(
    Box,
    { key: '\0head' },
    ...columns.map((c, i) => h(Box, { key: c.head, width: widths[i]! + 2, flexShrink: 0 }, styled(c.right ? c.head.padStart(widths[i]!) : c.head, { bold: true }))),
    h(Text, { key: 'services' }, styled('services', { bold: true })),
  );
  const body = rows.map((r, ri) =>
    h(
      Box,
      { key: `${ri}:${r.tenant}` },
      ...columns.map((c, i) => cell(c.cells[ri]!, i, c.head, c.tint?.(r))),
      h(Box, { key: 'services', flexShrink: 1 }, h(Text, null, r.services.length > 0 ? r.services.join(', ') : '-')),
    ),
  );

  return h(Box, { flexDirection: 'column' }, header, ...body, footer ? h(Box, { key: '\0foot', marginTop: 1 }, h(Text, null, footer)) : null);
}

/**
 * Starts the live view on `stdout` (a terminal). `tenants` are the configured tenants, listed in
 * this order with their running counts. The view redraws itself every 100 ms (the spinner) with the
 * latest progress given to update(); finish() draws the table and footer and resolves once ink is
 * unmounted and its output written.
 */
export async function startAuditView(
  stdout: NodeJS.WriteStream,
  tenants: string[],
  options: AuditViewOptions = {},
): Promise<AuditView> {
  // React's development build is slower to load and run and only adds warnings for developers.
  process.env.NODE_ENV ??= 'production';
  const [reactModule, ink] = await Promise.all([import('react'), import('ink')]);
  const React = reactModule.default;
  const color = options.color ?? true;
  const tenantList = [...tenants];

  const state: ViewState = { progress: emptyProgress(), frame: 0 };
  const instance = ink.render(buildView(React, ink, tenantList, color, state), {
    stdout,
    patchConsole: false,
    exitOnCtrlC: false,
    // Our ticker below already limits redraws to 1000 / FRAME_MS a second. ink's own throttle must
    // stay well under FRAME_MS: its trailing timer is not unref'd, and one always pending would keep
    // the process alive while the view is (a command that fails before finish() must still exit).
    maxFps: 30,
  });

  // Redraws with the latest progress: update() only stores it, however often a scan calls it.
  const ticker = setInterval(() => {
    state.frame++;
    instance.rerender(buildView(React, ink, tenantList, color, state));
  }, FRAME_MS);
  ticker.unref();

  let finished: Promise<void> | undefined;
  return {
    update(p) {
      if (finished) return;
      // Copied: the caller may keep mutating its own object (and its byTenant).
      state.progress = { ...p, byTenant: { ...p.byTenant } };
    },
    finish(rows, footer) {
      finished ??= (async () => {
        clearInterval(ticker);
        state.final = { rows: rows.map((r) => ({ ...r, services: [...r.services] })), footer };
        instance.rerender(buildView(React, ink, tenantList, color, state));
        const exited = instance.waitUntilExit();
        instance.unmount();
        await exited;
      })();
      return finished;
    },
  };
}

/**
 * The view off a terminal: one line on `stderr` at most every `intervalMs` (2 s), the first only
 * once a scan has run that long, so a short scan prints nothing. finish() prints nothing.
 */
export function plainProgress(stderr: NodeJS.WritableStream, options: PlainProgressOptions = {}): AuditView {
  const interval = options.intervalMs ?? 2000;
  const now = options.now ?? Date.now;
  let last = now();
  let done = false;
  return {
    update(p) {
      if (done) return;
      const t = now();
      if (t - last < interval) return;
      last = t;
      const wrong = p.wrongClient > 0 ? `, ${num(p.wrongClient)} wrong-client` : '';
      stderr.write(
        `outloop audit: ${PHASE[p.phase]}: ${num(p.filesDone)} files, ${mb(p.bytesDone)}, ` +
          `${num(p.findings)} finding${p.findings === 1 ? '' : 's'}${wrong}\n`,
      );
    },
    finish() {
      done = true;
      return Promise.resolve();
    },
  };
}
