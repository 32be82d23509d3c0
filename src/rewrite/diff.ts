/**
 * `rewrite --dry-run`: the plan as a unified-style diff where every key is shown only as its redacted
 * hint, with a little context on its line (clipped before any other key on the line).
 */
import type { Finding } from '../model/finding.js';
import type { TextEncoding } from '../decode/text.js';
import type { Plan } from './plan.js';
import { decodeBytes, unitAt, unitOf } from './text-codec.js';

const CONTEXT = 24;

export function renderDiff(plan: Plan): string {
  const out: string[] = [];
  for (const f of plan.files) {
    out.push(`--- a/${f.rel}`, `+++ b/${f.rel}`);
    f.edits.forEach((e, i) => {
      const group = f.findings[i]!;
      const bytes = f.before;
      const enc = f.textEncoding;
      const unit = unitOf(enc);
      // UTF-16 text starts after its byte order mark (a UTF-8 one is shown as it always was).
      const first = enc === 'utf8' ? 0 : f.bom;
      const line = lineOf(bytes, e.start, enc, first);
      const lineStart = lineStartOf(bytes, e.start, enc, first);
      const lineEnd = lineEndOf(bytes, e.end, enc);
      let from = Math.max(lineStart, e.start - CONTEXT * unit);
      let to = Math.min(lineEnd, e.end + CONTEXT * unit);
      for (const o of f.allFindings) {
        if (group.includes(o)) continue;
        if (o.span.end <= e.start && o.span.end > from) from = o.span.end;
        if (o.span.start >= e.end && o.span.start < to) to = o.span.start;
        if (o.span.start < e.start && o.span.end > e.start) from = e.start;
      }
      const before = show(decodeBytes(bytes.subarray(from, e.start), enc));
      const after = show(decodeBytes(bytes.subarray(e.end, to), enc));
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

// Lines by code unit, so a UTF-16 file's line breaks are found on whole characters.
function lineOf(bytes: Buffer, offset: number, enc: TextEncoding, first: number): number {
  let n = 1;
  if (enc === 'utf8') {
    for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) n++;
    return n;
  }
  for (let i = first; i < offset; i += 2) if (unitAt(bytes, i, enc) === 0x0a) n++;
  return n;
}

function lineStartOf(bytes: Buffer, offset: number, enc: TextEncoding, first: number): number {
  const unit = unitOf(enc);
  let i = offset - unit;
  while (i >= first && unitAt(bytes, i, enc) !== 0x0a) i -= unit;
  return Math.max(i + unit, first);
}

function lineEndOf(bytes: Buffer, offset: number, enc: TextEncoding): number {
  const unit = unitOf(enc);
  let i = offset;
  while (i + unit <= bytes.length && unitAt(bytes, i, enc) !== 0x0a) i += unit;
  return Math.min(i, bytes.length);
}


/** Control characters (escape codes in a log) shown as \xNN so the diff never drives a terminal. */
function show(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\t' ? '\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
