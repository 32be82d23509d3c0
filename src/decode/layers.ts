/**
 * Which decoding layers run on a piece of input, and in what order. The raw scan has already seen
 * the bytes as they are; each layer here adds a view in which a hidden key shows: JSON escapes
 * undone, base64 and percent runs decoded, terminal output rendered, shell history unquoted.
 * Layers nest one level (a base64 value inside a JSON string, JSON inside a JSON string), which is
 * as deep as real files go and keeps the work bounded.
 */
import { asciinemaOutput } from './asciinema.js';
import { base64Runs } from './base64.js';
import { decodeJsonLine, nestedJsonLiterals } from './json-strings.js';
import { percentRuns } from './percent.js';
import { compose, type DecodedPiece, type Decoder } from './piece.js';
import { unescapeFish, unmetafyZsh } from './shell-history.js';
import { renderTerminal } from './terminal.js';

export type FormatLayer = 'zsh-history' | 'fish-history' | 'asciinema';

export interface LayerPlan {
  /** Undo JSON escapes on the lines where the prefilter saw a keyword or a JSON sign. */
  json: boolean;
  base64: boolean;
  percent: boolean;
  /** Render terminal output (escape sequences, carriage returns, backspaces). */
  terminal: boolean;
  /** A whole-file format decoder, chosen by the file's kind. */
  format: FormatLayer | null;
}

const FORMAT_DECODERS: Record<FormatLayer, Decoder> = {
  'zsh-history': unmetafyZsh,
  'fish-history': unescapeFish,
  asciinema: asciinemaOutput,
};

export function hasLayers(plan: LayerPlan): boolean {
  return plan.json || plan.base64 || plan.percent || plan.terminal || plan.format !== null;
}

/**
 * Every decoded piece of `root` worth scanning. `hits` are the sorted positions in root's text
 * where the prefilter saw a keyword: only those lines are JSON-decoded.
 */
export function decodedPieces(root: DecodedPiece, plan: LayerPlan, hits: readonly number[]): DecodedPiece[] {
  const out: DecodedPiece[] = [];
  const apply = (piece: DecodedPiece, decoder: Decoder) => {
    for (const run of decoder(piece.text)) out.push(compose(piece, run));
  };
  if (plan.format) apply(root, FORMAT_DECODERS[plan.format]);
  const json = plan.json ? jsonPieces(root, hits) : [];
  out.push(...json);
  if (plan.terminal) apply(root, renderTerminal);
  // One level deeper: what JSON decoding revealed may itself be base64, percent-encoded or
  // terminal output (tool results carry colour codes and progress lines).
  for (const piece of [root, ...json]) {
    if (plan.base64) apply(piece, base64Runs);
    if (plan.percent) apply(piece, percentRuns);
  }
  for (const piece of json) if (needsRendering(piece.text)) apply(piece, renderTerminal);
  return out;
}

function jsonPieces(root: DecodedPiece, hits: readonly number[]): DecodedPiece[] {
  const text = root.text;
  const out: DecodedPiece[] = [];
  let lineEnd = -1;
  let backslash = -2; // the next backslash, searched again only once passed
  for (const hit of hits) {
    if (hit < lineEnd) continue;
    const lineStart = text.lastIndexOf('\n', hit) + 1;
    const nl = text.indexOf('\n', hit);
    lineEnd = nl >= 0 ? nl : text.length;
    if (backslash !== -1 && backslash < lineStart) backslash = text.indexOf('\\', lineStart);
    if (backslash < 0 || backslash >= lineEnd) continue;
    const line = decodeJsonLine(text, lineStart, lineEnd);
    if (line) out.push(compose(root, line));
    // JSON inside a JSON string (Codex tool-call arguments): decode its lines once more.
    for (const run of nestedJsonLiterals(text, lineStart, lineEnd)) {
      const inner = compose(root, run);
      const t = inner.text;
      for (let start = 0; start < t.length; ) {
        const end = t.indexOf('\n', start) < 0 ? t.length : t.indexOf('\n', start);
        const decoded = decodeJsonLine(t, start, end);
        if (decoded) out.push(compose(inner, decoded));
        start = end + 1;
      }
    }
  }
  return out;
}

/** Carriage returns that overwrite (not CRLF line ends) or backspaces. */
export function needsRendering(text: string): boolean {
  if (text.indexOf('\b') >= 0) return true;
  for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', cr + 1)) {
    if (text.charCodeAt(cr + 1) !== 10) return true;
  }
  return false;
}
