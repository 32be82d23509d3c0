/**
 * A detector match becomes a Finding here: the secret is hashed and redacted, its position turned
 * into line/column and exact bytes, and the raw value dropped. Nothing downstream ever sees it.
 */
import { columnWidth } from '../decode/text.js';
import { pieceSpan, type DecodedPiece } from '../decode/piece.js';
import { bytesView, stringView, type TextView } from '../decode/view.js';
import { inlineAllowReason } from './suppress.js';
import type { Match } from '../detect/engine.js';
import { fingerprint, redact } from '../detect/redact.js';
import type { Finding, ScanWarning } from '../model/finding.js';
import type { Fragment } from '../model/fragment.js';

/** A match placed in the fragment's text: where its secret's bytes are, and how it was held. */
interface Located {
  match: Match;
  /** The secret's range in the fragment's text (for a decoded secret: the encoded bytes). */
  start: number;
  end: number;
  /** Whether the secret's characters are the file's bytes one per character (see decode/text.ts). */
  latin1: boolean;
  /** Decoding layers the secret was found under, joined by `+`. */
  encoding?: string;
}

/**
 * Findings never carry their secret. The rewriter must escrow a key it found by rendering or
 * unescaping the file (it can't cut it out of the span), so it borrows the secrets here for the
 * length of one synchronous scan: fingerprint → secret.
 */
let secretSink: Map<string, string> | null = null;

export function withSecrets<T>(scan: () => T): { result: T; secrets: Map<string, string> } {
  const secrets = new Map<string, string>();
  secretSink = secrets;
  try {
    return { result: scan(), secrets };
  } finally {
    secretSink = null;
  }
}

/** Matches in the fragment's own text; they must be sorted by start. */
export function toFindings(fragment: Fragment, matches: Match[], warnings?: ScanWarning[]): Finding[] {
  const latin1 = fragment.encoding === 'utf8';
  return locatedFindings(fragment, matches.map((match) => ({ match, start: match.start, end: match.end, latin1 })), warnings);
}

/**
 * Matches in a decoded piece of the fragment: each is placed back at the bytes it was decoded
 * from, and kept only if those start in the fragment's owned range.
 */
export function pieceFindings(fragment: Fragment, piece: DecodedPiece, matches: Match[], warnings?: ScanWarning[]): Finding[] {
  const located: Located[] = [];
  const encoding = piece.layers.join('+');
  for (const match of matches) {
    const span = pieceSpan(piece, match.start, match.end);
    const start = (span.start - fragment.byteOffset) / fragment.unit;
    const end = (span.end - fragment.byteOffset) / fragment.unit;
    if (start < fragment.ownedStart || start >= fragment.ownedEnd) continue;
    located.push({ match, start, end, latin1: piece.latin1, encoding });
  }
  located.sort((a, b) => a.start - b.start);
  return locatedFindings(fragment, located, warnings);
}

function locatedFindings(fragment: Fragment, located: Located[], warnings?: ScanWarning[]): Finding[] {
  const text = fragment.text !== undefined ? stringView(fragment.text) : bytesView(fragment.bytes!);
  const out: Finding[] = [];
  let line = fragment.firstLine;
  let counted = 0;
  let lineStart = 0; // text index where `line` starts (may be before the fragment: see firstColumn)
  const advanceTo = (index: number) => {
    for (let i = text.newlineAfter(counted, index); i >= 0; i = text.newlineAfter(i + 1, index)) {
      line++;
      lineStart = i + 1;
    }
    counted = Math.max(counted, index);
  };
  const columnAt = (index: number) =>
    (lineStart === 0 ? fragment.firstColumn : 0) + columnWidth(text.slice(lineStart, index), fragment.encoding) + 1;

  for (const loc of located) {
    const m = loc.match;
    advanceTo(loc.start);
    const startLine = line;
    const startColumn = columnAt(loc.start);
    const savedLine = line;
    const savedLineStart = lineStart;
    const savedCounted = counted;
    advanceTo(loc.end);
    const endLine = line;
    const endColumn = columnAt(loc.end);
    // Later matches may start inside this one's span (rare: overlapping rules); rewind.
    line = savedLine;
    lineStart = savedLineStart;
    counted = savedCounted;
    const rule = m.rule;
    const secretText = loc.latin1 ? Buffer.from(m.secret, 'latin1').toString('utf8') : m.secret;
    const finding: Finding = {
      ruleId: rule.id,
      service: rule.service,
      severity: rule.severity,
      confidence: rule.confidence,
      description: rule.description,
      source: fragment.source,
      path: fragment.path,
      line: startLine,
      column: startColumn,
      endLine,
      endColumn,
      span: {
        start: fragment.byteOffset + loc.start * fragment.unit,
        end: fragment.byteOffset + loc.end * fragment.unit,
      },
      fingerprint: fingerprint(loc.latin1 ? Buffer.from(m.secret, 'latin1') : Buffer.from(m.secret, 'utf8')),
      redacted: redact(secretText),
      tenant: null,
      owner: null,
    };
    secretSink?.set(finding.fingerprint, secretText);
    if (fragment.lines && !onLines(fragment.lines, startLine)) continue;
    const reason = inlineAllow(text, savedLineStart, loc.start);
    if (reason) finding.suppressed = { by: 'inline', reason };
    else if (reason === '') {
      warnings?.push({ path: fragment.path, kind: 'allow-without-reason', message: `line ${startLine}: "outloop:allow" needs a reason after it, so the finding is still reported` });
    }
    if (m.checksumValid) finding.checksum = 'valid';
    if (loc.encoding) finding.encoding = loc.encoding;
    if (fragment.commit) {
      finding.commit = fragment.commit.sha;
      finding.author = fragment.commit.author;
      finding.date = fragment.commit.date;
    }
    if (rule.revokeUrl) finding.revokeUrl = rule.revokeUrl;
    out.push(finding);
  }
  return out;
}

/** A line holding only a comment with the marker: `# outloop:allow ...`, `// outloop:allow ...`. */
const COMMENT_LINE_MARKER = /^\s*(?:#|\/\/|\/\*|\*|--|;|<!--|%|'|rem\b)?\s*outloop:allow\b/i;

/** Lines are looked at up to this far from the key: a minified bundle is one very long line. */
const NEAR = 2000;

/**
 * The reason of an `outloop:allow <reason>` on the finding's line (before or after it) or on the
 * line before; '' when the marker is there without a reason; null when there is none.
 */
function inlineAllow(text: TextView, lineStart: number, index: number): string | null {
  const nl = text.newlineAfter(index, Math.min(text.length, index + NEAR));
  const lineEnd = nl >= 0 ? nl : Math.min(text.length, index + NEAR);
  const own = inlineAllowReason(text.slice(Math.max(lineStart, index - NEAR), lineEnd));
  if (own) return own;
  // The line before counts only when the marker is all it holds (a comment line): a marker after
  // code on that line speaks for that line's own key, not for the next one.
  const previous = lineStart === 0 ? '' : text.slice(Math.max(text.newlineBefore(lineStart - 1) + 1, lineStart - 1 - NEAR), lineStart - 1);
  const before = COMMENT_LINE_MARKER.test(previous) ? inlineAllowReason(previous) : null;
  return before || (own === '' || before === '' ? '' : null);
}

function onLines(ranges: Array<[number, number]>, line: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (line < a) hi = mid - 1;
    else if (line > b) lo = mid + 1;
    else return true;
  }
  return false;
}
