/** What an audit adds to the scan reports: the per-client table, what changed since the last one, and what the broker did. */
import path from 'node:path';
import type { AuditResult } from '../audit/audit.js';
import type { AuditDiff } from '../audit/snapshot.js';
import { formatJson } from './json.js';
import { summarize } from './summary.js';

/** The scan's JSON contract plus `audit`: the transcripts included and the change since last time. */
export function formatAuditJson(result: AuditResult): string {
  const base = JSON.parse(formatJson(result)) as Record<string, unknown>;
  base.audit = {
    transcripts: result.transcripts,
    saved: result.saved,
    since: result.diff ? { ...result.diff.since, new: result.diff.new.length, fixed: result.diff.fixed.length, open: result.diff.open, newFindings: result.diff.new, fixedFindings: result.diff.fixed } : null,
    broker: result.broker,
  };
  return JSON.stringify(base, null, 2) + '\n';
}

export interface TenantRow {
  tenant: string;
  findings: number;
  wrongClient: number;
  services: string[];
  new?: number;
  fixed?: number;
}

/** One row per client (and one for places no client owns), with new/fixed counts when compared. */
export function tenantRows(result: AuditResult): TenantRow[] {
  const tenants = summarize(result).tenants ?? {};
  const rows: TenantRow[] = Object.entries(tenants).map(([tenant, t]) => ({ tenant, ...t }));
  const unowned = result.findings.filter((f) => f.tenant === null);
  if (unowned.length) rows.push({ tenant: '(no client)', findings: unowned.length, wrongClient: 0, services: [...new Set(unowned.map((f) => f.service))].sort() });
  if (result.diff) {
    for (const row of rows) {
      const name = row.tenant === '(no client)' ? null : row.tenant;
      row.new = result.diff.new.filter((e) => e.tenant === name).length;
      row.fixed = result.diff.fixed.filter((e) => e.tenant === name).length;
    }
  }
  return rows;
}

export function formatTenantTable(rows: TenantRow[]): string {
  if (!rows.length) return '';
  const withDiff = rows.some((r) => r.new !== undefined);
  const header = ['tenant', 'findings', 'wrong-client', ...(withDiff ? ['new', 'fixed'] : []), 'services'];
  const body = rows.map((r) => [r.tenant, String(r.findings), String(r.wrongClient), ...(withDiff ? [String(r.new ?? 0), String(r.fixed ?? 0)] : []), r.services.join(', ')]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

export function diffLine(diff: AuditDiff | null, saved: string | null): string {
  const parts: string[] = [];
  if (diff) parts.push(`since the audit of ${diff.since.date}: ${diff.new.length} new, ${diff.fixed.length} fixed, ${diff.open} still open`);
  else parts.push('no earlier audit snapshot to compare with');
  if (saved) parts.push(`snapshot saved to ${saved}`);
  return parts.join('; ') + '\n';
}

/** The broker's part of an audit: counts, and every refused attempt on its own line. */
export function brokerLines(result: AuditResult): string {
  const b = result.broker;
  if (!b) return '';
  const root = result.root;
  const head = `outloop exec since ${b.since}: ${b.resolved} key${b.resolved === 1 ? '' : 's'} resolved, ${b.denied.length} refused, ${b.missing} not in the vault (log: ${b.file})`;
  const refused = b.denied.map((r) => `  refused ${r.time} ${r.alias} in ${path.relative(root, r.workspace) || '.'} (${r.variables.join(', ')}, ${r.command}): ${r.why}`);
  const granted = b.granted.map((g) => `  granted ${g.alias} in ${path.relative(root, g.workspace) || '.'}: ${g.times} time${g.times === 1 ? '' : 's'}, last ${g.last} (${g.why})`);
  const unreadable = b.unreadableLines ? [`  ${b.unreadableLines} line${b.unreadableLines === 1 ? '' : 's'} of the log could not be read`] : [];
  return [head, ...refused, ...granted, ...unreadable].join('\n') + '\n';
}
