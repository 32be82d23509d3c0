/**
 * Which decoding layers run on a piece of input, and in what order. The raw scan has already seen
 * the bytes as they are; each layer here adds a view in which a hidden key shows: JSON escapes
 * undone, base64 and percent runs decoded, terminal output rendered, shell history unquoted.
 * Layers nest one level (a base64 value inside a JSON string, JSON inside a JSON string), which is
 * as deep as real files go and keeps the work bounded.
 */
import { asciinemaOutput } from './asciinema.js';
import { base64Runs } from './base64.js';
import { decodeJsonLine, nestedJsonLiterals, quoteReader } from './json-strings.js';
import { percentRuns } from './percent.js';
import { compose, type DecodedPiece, type Decoder, type RawText } from './piece.js';
import { unescapeFish, unmetafyZsh } from './shell-history.js';
import { needsRendering as hasTerminalSigns, renderTerminal, rendered } from './terminal.js';

export type FormatLayer = 'zsh-history' | 'fish-history' | 'asciinema';

export interface LayerPlan {
  /** Undo JSON escapes on the lines where the prefilter saw a keyword or a JSON sign. */
  json: boolean;
  /** The input starts inside a JSON string: a piece of a line too long to read whole. */
  jsonInString?: boolean;
  /** Decode base64 runs: everywhere ('all'), on the lines holding these positions, or not at all. */
  base64: 'all' | number[] | false;
  /** Decode percent-encoded runs on the lines holding these positions. */
  percent: number[] | false;
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
  return plan.json || plan.base64 !== false || plan.percent !== false || plan.terminal || plan.format !== null;
}

/**
 * Calls `scan` on every decoded piece of `raw` worth scanning, as soon as the piece is made, and
 * returns what the calls returned. `hits` are the sorted positions in raw's text where the
 * prefilter saw a keyword: only those lines are JSON-decoded.
 *
 * Memory stays bounded by a line or a block of lines, not by the fragment (2 MB, or a 16 MB line):
 * - a piece is dropped once scanned. A transcript chunk decodes into megabytes of lines; holding
 *   them all until the last one was scanned carried them through young-generation collections into
 *   the old generation, which only a full collection empties: tens of MB per thread;
 * - the JSON layer reads only the lines with a hit (one over 1 MB a block at a time, see
 *   WHOLE_LINE), and the terminal, base64 and percent layers a block of lines at a time (see
 *   forEachLineBlock), so no layer but a whole-file format copies the fragment into one string.
 * The results still come back in one fixed order (format, JSON lines, rendered text, base64 runs,
 * percent runs, then each JSON line's base64, percent and rendering), so the merge that picks
 * between overlapping findings sees them as it always has.
 */
export function scanDecoded<T extends { span: { start: number } }>(raw: RawText, plan: LayerPlan, hits: readonly number[], scan: (piece: DecodedPiece) => T[]): T[] {
  const apply = (piece: DecodedPiece, decoder: Decoder, into: T[], owned: Owned | null = null) => {
    for (const run of decoder(piece.text)) into.push(...own(scan(compose(piece, run)), owned));
  };
  const format: T[] = [];
  const json: T[] = [];
  const rendered: T[] = [];
  const base64: T[] = [];
  const percent: T[] = [];
  const jsonDeep: T[] = [];
  const jsonRendered: T[] = [];
  if (plan.format) apply(raw.piece(0, raw.length), FORMAT_DECODERS[plan.format], format);
  if (plan.json) {
    forEachJsonPiece(raw, hits, plan.jsonInString === true, (piece, owned) => {
      json.push(...own(scan(piece), owned));
      // One level deeper: what JSON decoding revealed may itself be base64, percent-encoded or
      // terminal output (tool results carry colour codes and progress lines).
      if (plan.base64) apply(piece, base64Runs, jsonDeep, owned);
      if (plan.percent) apply(piece, percentRuns, jsonDeep, owned);
      if (needsRendering(piece.text)) apply(piece, renderTerminal, jsonRendered, owned);
    });
  }
  const allBase64 = plan.base64 === 'all';
  if (plan.terminal || allBase64) {
    forEachLineBlock(raw, (start, end, tailEnd) => {
      if (plan.terminal) apply(raw.piece(start, tailEnd), renderBlock, rendered);
      // Base64 runs end at a line break: a block without its tail holds them whole.
      if (allBase64) apply(raw.piece(start, end), base64Runs, base64);
    });
  }
  if (Array.isArray(plan.base64)) forEachSignLine(raw, plan.base64, (piece) => apply(piece, base64Runs, base64));
  if (plan.percent) forEachSignLine(raw, plan.percent, (piece) => apply(piece, percentRuns, percent));
  return [...format, ...json, ...rendered, ...base64, ...percent, ...jsonDeep, ...jsonRendered];
}

/** What a piece found, less what starts outside the part it owns (when it owns only a part). */
function own<T extends { span: { start: number } }>(found: T[], owned: Owned | null): T[] {
  return owned ? found.filter((t) => t.span.start >= owned.start && t.span.start < owned.end) : found;
}

/** A line holding a sign is read this far around the sign at most (a minified bundle is one line). */
const SIGN_REACH = 16 * 1024;

/** The lines (clipped around the signs) that hold the given sign positions, each once, in order. */
function forEachSignLine(raw: RawText, positions: number[], visit: (piece: DecodedPiece) => void): void {
  let done = -1;
  for (const at of [...positions].sort((a, b) => a - b)) {
    if (at < done) continue;
    const lineStart = Math.max(raw.lastIndexOf(10, at) + 1, at - SIGN_REACH, done);
    const nl = raw.indexOf(10, at);
    const lineEnd = Math.min(nl >= 0 ? nl : raw.length, at + SIGN_REACH);
    visit(raw.piece(lineStart, lineEnd));
    done = lineEnd;
  }
}

/**
 * The byte range of the input a piece owns, when it overlaps its neighbours: only findings that
 * start there are its own.
 */
interface Owned {
  start: number;
  end: number;
}

/**
 * The JSON-decoded pieces of the lines with a hit and a backslash, in order, one at a time.
 * `inString`: the first line starts inside a string literal.
 */
function forEachJsonPiece(raw: RawText, hits: readonly number[], inString: boolean, visit: (piece: DecodedPiece, owned: Owned | null) => void): void {
  let lineEnd = -1;
  let backslash = -2; // the next backslash, searched again only once passed
  for (let h = 0; h < hits.length; h++) {
    if (hits[h]! < lineEnd) continue;
    const lineStart = raw.lastIndexOf(10, hits[h]!) + 1;
    const nl = raw.indexOf(10, hits[h]!);
    lineEnd = nl >= 0 ? nl : raw.length;
    if (backslash !== -1 && backslash < lineStart) backslash = raw.indexOf(92, lineStart);
    if (backslash < 0 || backslash >= lineEnd) continue;
    const opened = inString && lineStart === 0;
    if (lineEnd - lineStart <= WHOLE_LINE) {
      decodeJsonPiece(raw.piece(lineStart, lineEnd), opened, (piece) => visit(piece, null));
      continue;
    }
    let last = h;
    while (last + 1 < hits.length && hits[last + 1]! < lineEnd) last++;
    for (const b of lineBlocks(raw, lineStart, lineEnd, hits.slice(h, last + 1), opened)) {
      const piece = raw.piece(b.start, b.end);
      const owned = { start: piece.at(b.ownStart - b.start), end: piece.at(b.ownEnd - b.start) };
      decodeJsonPiece(piece, b.inString, (decoded) => visit(decoded, owned));
    }
  }
}

/** One line, or a block of one, with its JSON escapes undone; then the JSON nested in its strings. */
function decodeJsonPiece(line: DecodedPiece, inString: boolean, visit: (piece: DecodedPiece) => void): void {
  const text = line.text;
  const decoded = decodeJsonLine(text, 0, text.length, inString);
  if (decoded) visit(compose(line, decoded));
  // JSON inside a JSON string (Codex tool-call arguments): decode its lines once more.
  for (const run of nestedJsonLiterals(text, 0, text.length, inString)) {
    const inner = compose(line, run);
    const t = inner.text;
    for (let start = 0; start < t.length; ) {
      const end = t.indexOf('\n', start) < 0 ? t.length : t.indexOf('\n', start);
      const decoded = decodeJsonLine(t, start, end);
      if (decoded) visit(compose(inner, decoded));
      start = end + 1;
    }
  }
}

/**
 * A line up to this long is JSON-decoded whole. A longer one (a tool output of several MB) is
 * decoded a block at a time: decoded whole, it cost a thread its text, its decoded text and their
 * garbage, some 40 MB of a transcript scan's peak for lines of 6 MB. Under 1 MB with its reach, a
 * block's text is an ordinary heap string (longer ones are made external, freed later).
 */
const WHOLE_LINE = 1024 * 1024;
const BLOCK = 512 * 1024;
/**
 * How far a block reads past its own part either side, so that a match starting in its own part
 * is seen whole with its keyword: past any rule's window (8 KB after a keyword at most) even when
 * written all in escapes, six bytes a character.
 */
const BLOCK_REACH = 64 * 1024;

interface Block {
  /** The block's text: raw[start, end). */
  start: number;
  end: number;
  /** Whether `start` is inside a string literal. */
  inString: boolean;
  /** Its own part: findings that start there are its own. */
  ownStart: number;
  ownEnd: number;
}

/**
 * The blocks of the line raw[lineStart, lineEnd) that have a hit within reach, each told whether it
 * starts inside a string. A block never starts after a backslash (mid-escape), and takes in the
 * whole of a literal holding JSON (`"{…}"`, `"[…]"`) that it starts or ends inside, so the nested
 * layer sees that JSON from its start.
 */
function lineBlocks(raw: RawText, lineStart: number, lineEnd: number, hits: readonly number[], startsInString: boolean): Block[] {
  const blocks: Block[] = [];
  let h = 0;
  for (let own = lineStart; own < lineEnd; own += BLOCK) {
    const start = Math.max(lineStart, own - BLOCK_REACH);
    const end = Math.min(lineEnd, own + BLOCK + BLOCK_REACH);
    while (h < hits.length && hits[h]! < start) h++;
    if (h < hits.length && hits[h]! < end) blocks.push({ start, end, inString: false, ownStart: own, ownEnd: Math.min(lineEnd, own + BLOCK) });
  }
  // Blocks overlap, so their starts and their ends are each read in one pass over the quotes.
  const starts = quoteReader(raw, lineStart, startsInString);
  for (const b of blocks) {
    starts.readTo(b.start);
    if (starts.nestedOpen() >= 0) b.start = starts.nestedOpen();
    else if (starts.inString()) {
      b.inString = true;
      while (b.start > lineStart && raw.codeAt(b.start - 1) === 92) b.start--;
    }
  }
  const ends = quoteReader(raw, lineStart, startsInString);
  let nested = { open: -1, end: -1 }; // the last literal holding JSON that a block was stretched to
  for (const b of blocks) {
    if (b.end > nested.open && b.end < nested.end) {
      b.end = nested.end;
      continue;
    }
    ends.readTo(b.end);
    const open = ends.nestedOpen();
    if (open >= 0) {
      b.end = ends.readToClose(lineEnd);
      nested = { open, end: b.end };
    }
  }
  return blocks;
}

/**
 * Line-local layers read a block of whole lines at a time, never a whole fragment. The terminal
 * renderer keeps some 20 bytes per character (screen cells, output codes and, for a finding's
 * map, a second pass): a log chunk rendered whole cost more than a hundred MB, and a 4 MB minified
 * line under one coloured line was rendered whole for the sake of that one line. The screen model
 * starts afresh at every line feed, so blocks of lines render to the same text as the whole.
 * 64 KB keeps a block's string, with its tail, under V8's large-object size: 256 KB blocks, each
 * given pages of its own, spent four times as long just being copied out of the file's bytes.
 */
const LINE_BLOCK = 64 * 1024;
/**
 * The terminal layer's block also takes the short lines after it, up to this much, so a secret
 * spread over lines (a PEM key is a few KB) that crosses into the next block is still seen whole
 * once. A finding seen by two blocks is the same finding, and the merge keeps one.
 */
const RENDER_TAIL = 8 * 1024;

/**
 * The terminal layer on one block of a fragment that needs rendering. Rendering the fragment whole
 * also dropped stray controls (a NUL or BEL inside a key) in lines far from any escape sequence, so
 * a block is rendered whenever rendering changes anything in it, not only when it holds a sign of
 * terminal output; only a block that would render to itself is skipped.
 */
const renderBlock: Decoder = (input) => (CHANGED_BY_RENDERING.test(input) || hasTerminalSigns(input) ? [rendered(input)] : []);

/**
 * Characters the renderer drops or acts on: C0 controls but tab, line feed, VT and FF (which it
 * keeps), and DEL. C1 sequence introducers are found by the renderer's own sign test.
 */
// eslint-disable-next-line no-control-regex
const CHANGED_BY_RENDERING = /[\x00-\x08\x0d-\x1f\x7f]/;

/**
 * Calls `visit` with consecutive blocks [start, end) of whole lines (one longer line is a block
 * alone), and where the short lines after each block, up to RENDER_TAIL, end.
 */
function forEachLineBlock(raw: RawText, visit: (start: number, end: number, tailEnd: number) => void): void {
  for (let start = 0; start < raw.length; ) {
    const end = linesWithin(raw, start, LINE_BLOCK, true);
    visit(start, end, linesWithin(raw, end, RENDER_TAIL, false));
    start = end;
  }
}

/**
 * Where the whole lines from `from` that fit in `size` end (after their line feed); at least one
 * line when `atLeastOne`, else possibly none (returns `from`).
 */
function linesWithin(raw: RawText, from: number, size: number, atLeastOne: boolean): number {
  let end = from;
  while (end < raw.length) {
    const nl = raw.indexOf(10, end);
    const next = nl < 0 ? raw.length : nl + 1;
    if (next - from > size && (end > from || !atLeastOne)) break;
    end = next;
  }
  return end;
}

/** Carriage returns that overwrite (not CRLF line ends) or backspaces. */
export function needsRendering(text: string): boolean {
  if (text.indexOf('\b') >= 0) return true;
  for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', cr + 1)) {
    if (text.charCodeAt(cr + 1) !== 10) return true;
  }
  return false;
}
