/** Human output: findings grouped by file, a one-line summary; colour only when asked. */
import type { Finding, Severity } from '../model/finding.js';
import type { ScanResult } from '../scan.js';
import { summarize } from './summary.js';

export interface TextOptions {
  color: boolean;
  showSuppressed?: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m' };

export function formatText(result: ScanResult, options: TextOptions): string {
  const c = (code: string, s: string) => (options.color ? `${code}${s}\x1b[0m` : s);
  const lines: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.path) ?? [];
    list.push(f);
    byFile.set(f.path, list);
  }
  for (const [file, findings] of byFile) {
    lines.push(c('\x1b[1;4m', file));
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    for (const f of findings) {
      const where = `${f.line}:${f.column}`.padEnd(9);
      lines.push(`  ${c('\x1b[2m', where)}${c(SEVERITY_COLOR[f.severity], f.severity.padEnd(9))}${f.service}: ${f.description}  ${c('\x1b[1m', f.redacted)}`);
      lines.push(`  ${' '.repeat(9)}${c('\x1b[2m', `${f.ruleId}  ${f.fingerprint.slice(0, 23)}…${f.revokeUrl ? `  revoke: ${f.revokeUrl}` : ''}`)}`);
      const tenancy = tenancyLine(f);
      if (tenancy) lines.push(`  ${' '.repeat(9)}${f.wrongClient ? c('\x1b[1;31m', tenancy) : c('\x1b[2m', tenancy)}`);
      if (f.commit) lines.push(`  ${' '.repeat(9)}${c('\x1b[2m', `added in ${f.commit.slice(0, 12)} by ${f.author ?? '?'} on ${f.date ?? '?'}`)}`);
    }
    lines.push('');
  }
  if (options.showSuppressed && result.suppressed.length) {
    lines.push(c('\x1b[1m', `suppressed (${result.suppressed.length})`));
    for (const f of result.suppressed) {
      lines.push(`  ${f.path}:${f.line}:${f.column}  ${f.ruleId}  ${f.redacted}  ${c('\x1b[2m', `${f.suppressed!.by}: ${f.suppressed!.reason}`)}`);
    }
    lines.push('');
  }
  const warnings = result.warnings.filter((w) => w.kind !== 'binary');
  for (const w of warnings) lines.push(c('\x1b[33m', `warning: ${w.path}: ${w.message}`));
  if (warnings.length) lines.push('');
  if (result.findings.some((f) => f.source === 'staged')) lines.push(...waysOut(c), '');
  lines.push(summaryLine(result, c));
  return lines.join('\n') + '\n';
}

/** What a blocked commit can do next: the guard is only useful if the way forward is clear. */
function waysOut(c: (code: string, s: string) => string): string[] {
  return [
    c('\x1b[1m', 'This commit is blocked. Ways out:'),
    '  - remove the key from the staged file (and revoke it if it was ever pushed or shared), then git add it again',
    '  - load it at run time instead (an environment variable or a secret store), keeping only a reference in the file',
    '  - if it is not a live secret, mark the line: a comment "outloop:allow <why>" on it or on the line before,',
    '    or add its fingerprint with a reason to "allow" in outloop.config.json',
    '  - git commit --no-verify skips this check entirely: the key then lands in history, where every clone keeps it',
  ];
}

function summaryLine(result: ScanResult, c: (code: string, s: string) => string): string {
  const s = summarize(result);
  const scanned = `${s.filesScanned} files, ${formatBytes(s.bytesScanned)} scanned in ${(s.durationMs / 1000).toFixed(2)} s`;
  const extras = [
    s.binarySkipped ? `${s.binarySkipped} binary skipped` : '',
    s.suppressed ? `${s.suppressed} suppressed` : '',
    s.warnings ? `${s.warnings} warning${s.warnings === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const tail = [scanned, ...extras].join(', ');
  if (s.findings === 0) return c('\x1b[32m', `✔ no secrets found`) + ` (${tail})`;
  const parts = (Object.keys(s.bySeverity) as Severity[]).filter((k) => s.bySeverity[k] > 0).map((k) => `${s.bySeverity[k]} ${k}`);
  return c('\x1b[1;31m', `✖ ${s.findings} secret${s.findings === 1 ? '' : 's'} found`) + ` (${parts.join(', ')}) in ${s.filesWithFindings} file${s.filesWithFindings === 1 ? '' : 's'}; ${tail}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Whose place, whose key: the line an agency owner reads first. */
function tenancyLine(f: Finding): string | null {
  if (f.wrongClient) return `WRONG CLIENT: key of "${f.owner}" found in "${f.tenant}"`;
  if (f.ruleId === 'foreign-account') return `account of "${f.owner}" found in "${f.tenant}"`;
  if (f.sharedWith) return `one key shared by clients ${f.sharedWith.map((t) => `"${t}"`).join(', ')}`;
  if (f.tenant || f.owner) return `client: ${f.tenant ?? '-'}${f.owner ? `, key of ${f.owner}` : ''}`;
  return null;
}
