/**
 * Renders a terminal byte stream (a script(1) typescript, a tmux or screen log, asciinema output) into
 * what a person saw. The bytes on disk are not the screen: colour codes split a key in two, a
 * progress line redrawn with CR leaves every old frame in the file, `x BS x` makes bold. The raw scan
 * still reads the bytes; this layer adds the view a reader had, mapped back to the bytes it shows.
 *
 * Input and output hold one byte per character (latin1). Escape sequences are stripped (formats.md
 * §2.4), each one bounded so hostile input stays linear; CR, BS, CSI K/C/D/G act on a line model.
 */
import { insideUtf8, RunBuilder, utf8Length } from './bytes.js';
import { LineModel } from './line-model.js';
import { lazy, type DecodedRun, type Decoder } from './piece.js';

const BEL = 0x07;
const BS = 0x08;
const HT = 0x09;
const LF = 0x0a;
const VT = 0x0b;
const FF = 0x0c;
const CR = 0x0d;
const CAN = 0x18;
const SUB = 0x1a;
const ESC = 0x1b;
const BACKSLASH = 0x5c;
const C1_DCS = 0x90;
const C1_SOS = 0x98;
const C1_CSI = 0x9b;
const C1_ST = 0x9c;
const C1_OSC = 0x9d;
const C1_PM = 0x9e;
const C1_APC = 0x9f;

/** An OSC/DCS/APC string with no terminator ends after this many bytes (or at a newline). */
export const MAX_STRING = 4096;
/** Parameter and intermediate bytes a CSI may have before it counts as garbage. */
const MAX_CSI = 256;
/** Cursor-move counts above this are clamped (they only matter up to a screen width anyway). */
const MAX_COUNT = 9999;

/** True for the C1 bytes that open a sequence: DCS, SOS, CSI, OSC, PM, APC. */
function isC1Introducer(c: number): boolean {
  return c === C1_DCS || c === C1_SOS || c === C1_CSI || c === C1_OSC || c === C1_PM || c === C1_APC;
}

// ESC, BS, a C1 introducer, or a CR that more text on the same line will overwrite.
// eslint-disable-next-line no-control-regex
const TRIGGER = /[\x1b\x08\x90\x98\x9b\x9d-\x9f]|\r(?=[^\r\n])/g;

/** Whether rendering would change anything a detector cares about (other stray controls don't). */
export function needsRendering(input: string): boolean {
  TRIGGER.lastIndex = 0;
  for (let m = TRIGGER.exec(input); m; m = TRIGGER.exec(input)) {
    const c = input.charCodeAt(m.index);
    // A C1 byte inside valid UTF-8 is a continuation byte ('é' is C3 A9, 'Ü' is C3 9C), not a control.
    if (c < 0x80 || !insideUtf8(input, m.index)) return true;
  }
  return false;
}

/** Strips a terminal stream's escapes and applies its line edits (CR, BS, CSI K/C/D/G). */
export function renderTerminalStream(input: string, withMap: boolean): { text: string; map: Int32Array | null } {
  const out = new RunBuilder(input.length + 1, withMap);
  new Renderer(input, new LineModel(input, out)).run();
  return { text: out.text(), map: withMap ? out.finishMap(input.length) : null };
}

export const renderTerminal: Decoder = (input: string): DecodedRun[] => (needsRendering(input) ? [rendered(input)] : []);

/** The rendered view of `input`: by cutting colour codes out when that is all it takes, else by the screen model. */
export function rendered(input: string): DecodedRun {
  const simple = renderColoursOnly(input);
  if (simple) return simple;
  const { text } = renderTerminalStream(input, false);
  // The map is a second pass with bookkeeping, paid for only when a run holds a finding.
  return { text, map: lazy(() => renderTerminalStream(input, true).map!), encoding: 'terminal', latin1: true };
}

/**
 * What the renderer does to a colour code (SGR, `ESC [ ... m`) and to CRs that end a line: drops
 * them, and nothing else. Only a code after an ASCII byte (or at the start) is taken: cutting one out
 * from between two bytes >= 0x80 could join them into a UTF-8 character the renderer never saw whole.
 * The parameter count stays within the renderer's own limit (MAX_CSI), past which a code breaks.
 * One CR at a time: `\r+(?=\n)` would backtrack through a megabyte of CRs at each of them.
 */
// The look-behind is written as "not after a byte >= 0x80", not "at the start or after an ASCII
// byte": the same test, but V8 then scans for ESC and CR natively instead of trying the look-behind
// at every position (five times faster on the bench corpus's logs).
// eslint-disable-next-line no-control-regex
const COLOUR_OR_LINE_END_CR = /(?<![\x80-\uffff])\x1b\[[0-?]{0,256}m|\r(?=\n|$)/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0d-\x1f\x7f]/;
/** Whatever OTHER_CONTROLS or needsRendering could object to, in one pass: C0 controls, DEL, C1 introducers. */
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\x00-\x08\x0d-\x1f\x7f\x90\x98\x9b\x9d-\x9f]/;

/**
 * The common case without the screen model: most logs only colour their text and end lines with
 * CRLF, and for them rendering is cutting those codes out, which native string replacement does
 * many times faster than a model that handles every character. Null when anything else is left (a
 * cursor move, a CR that overwrites, BS, another escape, a stray control or C1 code): then the
 * screen model renders it. The map is built from the same cuts, so text and map agree by construction
 * (and a test checks both against the screen model's).
 */
export function renderColoursOnly(input: string): DecodedRun | null {
  const text = input.replace(COLOUR_OR_LINE_END_CR, '');
  // Most cut texts hold no control at all: one pass says so; the two exact tests run otherwise.
  if (ANY_CONTROL.test(text) && (OTHER_CONTROLS.test(text) || needsRendering(text))) return null;
  return { text, map: lazy(() => cutMap(input, text.length)), encoding: 'terminal', latin1: true };
}

/** Where each character left by COLOUR_OR_LINE_END_CR came from, closed with input.length. */
function cutMap(input: string, length: number): Int32Array {
  const map = new Int32Array(length + 1);
  let out = 0;
  let from = 0;
  const keep = (to: number) => {
    for (let i = from; i < to; i++) map[out++] = i;
  };
  COLOUR_OR_LINE_END_CR.lastIndex = 0;
  for (let m = COLOUR_OR_LINE_END_CR.exec(input); m; m = COLOUR_OR_LINE_END_CR.exec(input)) {
    keep(m.index);
    from = m.index + m[0].length;
    if (m[0].length === 0) COLOUR_OR_LINE_END_CR.lastIndex++; // never: both alternatives take a character
  }
  keep(input.length);
  map[out] = input.length;
  return map;
}

class Renderer {
  private readonly n: number;

  constructor(
    private readonly s: string,
    private readonly line: LineModel,
  ) {
    this.n = s.length;
  }

  run(): void {
    const { s, n, line } = this;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x7f) {
        line.write(i, 1);
        i++;
      } else if (c === ESC) {
        i = this.escape(i);
      } else if (c === LF || c === VT || c === FF) {
        line.flush(i, c);
        i++;
      } else if (c >= 0x80 && c <= 0x9f) {
        // Valid UTF-8 is consumed from its lead byte below, so a C1 byte seen here stands alone.
        if (isC1Introducer(c)) i = this.introduced(c, i + 1);
        else {
          // Other lone C1 bytes are far likelier cp1252 text ('œ' is 9C) than controls: keep them.
          line.write(i, 1);
          i++;
        }
      } else if (c >= 0xa0) {
        const len = utf8Length(s, i) || 1;
        line.write(i, len);
        i += len;
      } else {
        if (c === CR) line.carriageReturn();
        else if (c === BS) line.left(1);
        else if (c === HT) line.write(i, 1); // a tab still separates words; dropping it would glue them
        // Every other C0 control and DEL shows nothing.
        i++;
      }
    }
    line.flush(n, -1);
  }

  /** ESC at i: returns where the text after the sequence starts. */
  private escape(i: number): number {
    const { s, n } = this;
    const j = i + 1;
    if (j >= n) return n;
    const b = s.charCodeAt(j);
    if (b === 0x5b) return this.csi(j + 1); // [
    if (b === 0x5d) return this.string(j + 1, true); // ]
    if (b === 0x50 || b === 0x58 || b === 0x5e || b === 0x5f) return this.string(j + 1, false); // P X ^ _
    if (b >= 0x20 && b <= 0x2f) {
      // nF: charset designations `ESC ( B`, `ESC - A`, DEC line attributes `ESC # 8`, `ESC % G`.
      let k = j;
      while (k < n && k < j + 4 && isIntermediate(s.charCodeAt(k))) k++;
      const f = s.charCodeAt(k);
      return f >= 0x30 && f <= 0x7e ? k + 1 : k;
    }
    if (b >= 0x30 && b <= 0x7e) return j + 1; // Fp/Fe/Fs: `ESC 7`, `ESC =`, `ESC M`, a lone `ESC \`
    // ESC before a control or another ESC: the ESC alone is dropped and what follows acts normally.
    return j;
  }

  private introduced(c: number, j: number): number {
    if (c === C1_CSI) return this.csi(j);
    return this.string(j, c === C1_OSC);
  }

  /** CSI body from j: parameters, intermediates, one final byte; acts on K, C, D and G. */
  private csi(j: number): number {
    const { s, n, line } = this;
    const limit = Math.min(n, j + MAX_CSI);
    let k = j;
    let privateMarker = false;
    let first = 0; // the first parameter: the only one the modelled sequences use
    let inFirst = true;
    for (; k < limit; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x30 || c > 0x3f) break;
      if (c >= 0x3c) privateMarker = true; // < = > ?
      else if (c === 0x3b || c === 0x3a) inFirst = false; // ; :
      else if (inFirst) first = Math.min(MAX_COUNT, first * 10 + (c - 0x30));
    }
    let intermediates = false;
    for (; k < limit && isIntermediate(s.charCodeAt(k)); k++) intermediates = true;
    const f = k < n ? s.charCodeAt(k) : -1;
    // No final byte: a broken sequence. What was read is dropped; the byte that broke it acts.
    if (f < 0x40 || f > 0x7e) return k;
    if (!privateMarker && !intermediates) {
      const count = Math.max(1, first);
      if (f === 0x4b) line.erase(first); // K
      else if (f === 0x43) line.right(count); // C
      else if (f === 0x44) line.left(count); // D
      else if (f === 0x47) line.column(count); // G
    }
    return k + 1;
  }

  /**
   * OSC/DCS/SOS/PM/APC body from j, dropped whole (OSC 52 clipboard payloads included; an OSC 8
   * hyperlink's visible text sits between two of these and stays). Ends at ST (ESC \ or 0x9C), at
   * BEL for OSC, at CAN/SUB; an ESC starting anything else ends it too. A string with no terminator
   * ends at the next newline or after MAX_STRING bytes, so it can't swallow a whole file.
   */
  private string(j: number, bel: boolean): number {
    const { s, n } = this;
    const limit = Math.min(n, j + MAX_STRING);
    let k = j;
    while (k < limit) {
      const c = s.charCodeAt(k);
      if (c === ESC) return s.charCodeAt(k + 1) === BACKSLASH ? k + 2 : k;
      if (c === LF) return k;
      if ((c === BEL && bel) || c === C1_ST || c === CAN || c === SUB) return k + 1;
      // Skip valid UTF-8 whole: a title or URL with 'Ü' (C3 9C) must not end at its 9C.
      k += c >= 0xc2 ? utf8Length(s, k) || 1 : 1;
    }
    return k; // may pass limit by the rest of one UTF-8 character, which must not be split
  }
}

function isIntermediate(c: number): boolean {
  return c >= 0x20 && c <= 0x2f;
}
