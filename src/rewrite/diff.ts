/**
 * `rewrite --dry-run`: the plan as a unified-style diff where every key is shown only as its redacted
 * hint, with a little context on its line (clipped before any other key on the line).
 */
import type { Finding } from '../model/finding.js';
import type { Plan } from './plan.js';

const CONTEXT = 24;

export function renderDiff(plan: Plan): string {
  const out: string[] = [];
  for (const f of plan.files) {
    out.push(`--- a/${f.rel}`, `+++ b/${f.rel}`);
    f.edits.forEach((e, i) => {
      const group = f.findings[i]!;
      const bytes = f.before;
      const line = lineOf(bytes, e.start);
      const lineStart = bytes.lastIndexOf(0x0a, e.start - 1) + 1;
      let lineEnd = bytes.indexOf(0x0a, e.end);
      if (lineEnd < 0) lineEnd = bytes.length;
      let from = Math.max(lineStart, e.start - CONTEXT);
      let to = Math.min(lineEnd, e.end + CONTEXT);
      for (const o of f.allFindings) {
        if (group.includes(o)) continue;
        if (o.span.end <= e.start && o.span.end > from) from = o.span.end;
        if (o.span.start >= e.end && o.span.start < to) to = o.span.start;
        if (o.span.start < e.start && o.span.end > e.start) from = e.start;
      }
      const before = show(bytes.subarray(from, e.start).toString('utf8'));
      const after = show(bytes.subarray(e.end, to).toString('utf8'));
      const lead = from > lineStart ? '…' : '';
      const tail = to < lineEnd ? '…' : '';
      const old = e.encoding === 'base64' ? `[REDACTED base64 run holding ${hints(group)}]` : `[REDACTED ${hints(group)}]`;
      const neu = e.encoding === 'base64' ? `[base64 run re-encoded with ${e.aliases.join(', ')}]` : e.replacement;
      out.push(`@@ line ${line}${e.encoding ? ` (${e.encoding})` : ''} @@`, `-${lead}${before}${old}${after}${tail}`, `+${lead}${before}${neu}${after}${tail}`);
    });
  }
  if (plan.notRewritten.length) {
    out.push('', `Not rewritten (${plan.notRewritten.length}):`);
    for (const n of plan.notRewritten) out.push(`  ${n.path}:${n.line}  ${n.service}  ${n.redacted}  ${n.fingerprint.slice(0, 19)}…  ${n.reason}`);
  }
  if (!plan.files.length && !plan.notRewritten.length) out.push('Nothing to rewrite.');
  return out.join('\n') + '\n';
}

function hints(group: Finding[]): string {
  return group.map((f) => f.redacted).join(', ');
}

function lineOf(bytes: Buffer, offset: number): number {
  let n = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Control characters (escape codes in a log) shown as \xNN so the diff never drives a terminal. */
function show(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\t' ? '\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
