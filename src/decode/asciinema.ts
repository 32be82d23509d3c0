/**
 * asciinema recordings (`.cast`, asciicast v2 and v3, formats.md §2.5) keep the terminal stream as
 * JSON strings cut into timed events, so a key can be JSON-escaped (`\u001b[1m` glued to it), split
 * across two events, and still wrapped in terminal colour codes. This decoder joins the events'
 * data, undoes the JSON escapes and renders the result like a terminal log.
 *
 * Output ("o") and input ("i", only recorded with --capture-input) become two separate runs: a typed
 * key comes back as its echo in the output, and one joint stream would interleave the two copies
 * keystroke by keystroke (or glue a pasted key to its echo), destroying the very key it should show.
 *
 * Input is the file as one byte per character (latin1), like the raw scan; the streams are bytes
 * too: raw UTF-8 passes through, `\uXXXX` above ASCII becomes its UTF-8 bytes. The header is left
 * alone (the raw scan reads it). Lines that are not well-formed events are skipped.
 */
import { RunBuilder, utf8Bytes } from './bytes.js';
import { lazy, type DecodedRun, type Decoder } from './piece.js';
import { renderTerminalStream } from './terminal.js';

interface Streams {
  output: RunBuilder;
  input: RunBuilder;
  /** Where each stream's last data string ends (its closing quote): the map's final entry. */
  outputEnd: number;
  inputEnd: number;
}

export const asciinemaOutput: Decoder = (input: string): DecodedRun[] => {
  const streams = readEvents(input, false);
  if (!streams) return [];
  const runs: DecodedRun[] = [];
  for (const kind of ['output', 'input'] as const) {
    const stream = streams[kind];
    if (stream.length === 0) continue;
    const raw = kind === 'input' ? asTyped(stream.text()) : stream.text();
    const { text } = renderTerminalStream(raw, false);
    const map = lazy(() => {
      // Second pass with maps: event data → stream bytes, then stream → rendered text.
      const again = readEvents(input, true)!;
      const streamMap = again[kind].finishMap(kind === 'input' ? again.inputEnd : again.outputEnd);
      const rendered = renderTerminalStream(raw, true).map!;
      const m = new Int32Array(rendered.length);
      for (let i = 0; i < rendered.length; i++) m[i] = streamMap[rendered[i]!]!;
      return m;
    });
    runs.push({ text, map, encoding: 'asciinema', latin1: true });
  }
  return runs;
};

/**
 * Keystrokes are not screen output: Enter arrives as CR, which would send the next command back over
 * this one, and the Backspace key sends DEL. As a line editor sees them, they are a newline and a
 * step back. Same length, so the stream map still fits.
 */
function asTyped(keys: string): string {
  // eslint-disable-next-line no-control-regex
  return keys.replace(/[\r\x7f]/g, (c) => (c === '\r' ? '\n' : '\b'));
}

/** Null when the text is not a cast file: its first line that isn't a comment must be a v2/v3 header. */
function readEvents(input: string, withMap: boolean): Streams | null {
  const streams: Streams = {
    output: new RunBuilder(input.length >> 1, withMap),
    input: new RunBuilder(16, withMap),
    outputEnd: 0,
    inputEnd: 0,
  };
  let header = false;
  for (let line = input.startsWith('\xef\xbb\xbf') ? 3 : 0; line < input.length; ) {
    const nl = input.indexOf('\n', line);
    const end = nl < 0 ? input.length : nl;
    const first = skipSpace(input, line, end);
    if (first < end && input[first] !== '#') {
      if (!header) {
        if (input[first] !== '{' || !isHeader(input.slice(first, end))) return null;
        header = true;
      } else {
        readEvent(input, line, end, streams);
      }
    }
    line = end + 1;
  }
  return header ? streams : null;
}

function isHeader(line: string): boolean {
  try {
    const h: unknown = JSON.parse(line);
    if (typeof h !== 'object' || h === null || Array.isArray(h)) return false;
    const version = (h as { version?: unknown }).version;
    return version === 2 || version === 3;
  } catch {
    return false;
  }
}

// Sticky, so it matches only where the event's time stands.
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** `[time, "o" | "i", "data"]` between start and end: appends the data to its stream. */
function readEvent(s: string, start: number, end: number, streams: Streams): void {
  let p = skipSpace(s, start, end);
  if (s[p] !== '[') return;
  NUMBER.lastIndex = skipSpace(s, p + 1, end);
  if (!NUMBER.exec(s)) return;
  p = skipSpace(s, NUMBER.lastIndex, end);
  if (s[p] !== ',') return;
  p = skipSpace(s, p + 1, end);
  // Codes are one letter and never escaped.
  const code = s.slice(p, p + 3);
  if (code !== '"o"' && code !== '"i"') return;
  p = skipSpace(s, p + 3, end);
  if (s[p] !== ',') return;
  p = skipSpace(s, p + 1, end);
  if (s[p] !== '"') return;
  const stream = code === '"o"' ? streams.output : streams.input;
  const before = stream.length;
  const close = decodeString(s, p + 1, end, stream);
  if (close >= 0) {
    p = skipSpace(s, close + 1, end);
    if (s[p] === ']' && skipSpace(s, p + 1, end) === end) {
      if (code === '"o"') streams.outputEnd = close;
      else streams.inputEnd = close;
      return;
    }
  }
  stream.truncate(before); // malformed: the raw scan still reads the line
}

/**
 * Decodes a JSON string body from p into `out` (bytes, each mapped to the start of its escape).
 * Returns the index of the closing quote, or -1 when the string is malformed or unterminated.
 */
function decodeString(s: string, p: number, end: number, out: RunBuilder): number {
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c === 0x22) return p;
    if (c !== 0x5c) {
      if (c > 0xff) utf8Bytes(c, (b) => out.push(b, p)); // the caller passed real text: re-encode
      else out.push(c, p);
      p++;
      continue;
    }
    const start = p;
    const e = s[p + 1];
    const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out.push(simple, start);
      p += 2;
      continue;
    }
    if (e !== 'u') return -1;
    let cp = hex4(s, p + 2);
    if (cp < 0) return -1;
    p += 6;
    if (cp >= 0xd800 && cp <= 0xdbff && s[p] === '\\' && s[p + 1] === 'u') {
      const low = hex4(s, p + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        p += 6;
      }
    }
    utf8Bytes(cp, (b) => out.push(b, start));
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, number> = { '"': 0x22, '\\': 0x5c, '/': 0x2f, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 };

function hex4(s: string, p: number): number {
  const h = s.slice(p, p + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

function skipSpace(s: string, p: number, end: number): number {
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
    p++;
  }
  return p;
}
