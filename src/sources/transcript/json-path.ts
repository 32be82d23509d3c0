/**
 * The JSON path of a byte offset inside one JSON line, such as `message.content[2].input.command`,
 * found by a small structural walk over the raw text (no full parse, so a truncated line still gets
 * a path for everything before the cut).
 */

/**
 * A JSON line as the scanner holds it: its UTF-8 bytes (a view into the read buffer, so a multi-MB
 * line is walked without being copied into a string), or a string of one character per byte.
 */
export type LineText = string | Buffer;

export function codeAt(line: LineText, i: number): number {
  return typeof line === 'string' ? line.charCodeAt(i) : (line[i] ?? NaN);
}

export function indexOf(line: LineText, code: number, from: number): number {
  return typeof line === 'string' ? line.indexOf(String.fromCharCode(code), from) : line.indexOf(code, from);
}

/** line[start, end) as a string of one character per byte. */
export function slice(line: LineText, start: number, end: number): string {
  return typeof line === 'string' ? line.slice(start, end) : line.toString('latin1', start, end);
}

type Frame = { kind: 'object'; key: string | null; expectKey: boolean } | { kind: 'array'; index: number };

export type PathSegment = string | number;

export function jsonPathAt(line: LineText, offset: number): PathSegment[] | null {
  const stack: Frame[] = [];
  let i = 0;
  while (i < line.length && i <= offset) {
    const c = codeAt(line, i);
    if (c === 34) {
      const end = stringEnd(line, i);
      const top = stack[stack.length - 1];
      if (offset > i && offset < end) return segments(stack);
      if (top?.kind === 'object' && top.expectKey) {
        top.key = decodeString(line, i + 1, end);
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 123) stack.push({ kind: 'object', key: null, expectKey: true });
    else if (c === 91) stack.push({ kind: 'array', index: 0 });
    else if (c === 125 || c === 93) stack.pop();
    else if (c === 44) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectKey = true;
    }
    i++;
  }
  return stack.length ? segments(stack) : null;
}

/** The index of the quote that closes the string opened at `open`, or the line's length. */
export function stringEnd(line: LineText, open: number): number {
  for (let q = indexOf(line, 34, open + 1); q >= 0; q = indexOf(line, 34, q + 1)) {
    let k = q - 1;
    while (codeAt(line, k) === 92) k--;
    if ((q - 1 - k) % 2 === 0) return q;
  }
  return line.length;
}

/**
 * The content of a JSON string, line[start, end), as real characters (the line holds UTF-8 bytes,
 * one per character). Most keys and ids are plain ASCII and are taken as they are.
 */
export function decodeString(line: LineText, start: number, end: number): string {
  let plain = true;
  for (let k = start; k < end && plain; k++) {
    const c = codeAt(line, k);
    plain = c !== 92 && c < 128;
  }
  if (plain) return slice(line, start, end);
  const quoted = typeof line === 'string' ? Buffer.from(line.slice(start - 1, end + 1), 'latin1').toString('utf8') : line.toString('utf8', start - 1, end + 1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return slice(line, start, end);
  }
}

function segments(stack: Frame[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (const f of stack) {
    if (f.kind === 'array') out.push(f.index);
    else if (f.key !== null) out.push(f.key);
  }
  return out;
}

/** `message.content[2].input.command` */
export function formatPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}
