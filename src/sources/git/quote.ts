/**
 * Path names in git's patch headers. Names git considers unusual (control characters such as a
 * newline or tab, `"` and `\`, and non-ASCII bytes unless core.quotePath is false, which we set) are
 * written C-style between double quotes with octal escapes for raw bytes; others are written as they
 * are, with a trailing tab after a name that contains a space (so GNU patch knows where it ends).
 */

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** The bytes of a name as git prints it in `+++ b/name`, `rename to name` or `diff --cc name`. */
export function unquotePath(raw: Buffer): Buffer {
  if (raw.length >= 2 && raw[0] === 0x22 /* " */) {
    const out: number[] = [];
    for (let i = 1; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === 0x22) break; // closing quote
      if (c !== 0x5c /* \ */) {
        out.push(c);
        continue;
      }
      const e = raw[++i];
      if (e === undefined) break;
      if (e >= 0x30 && e <= 0x37) {
        // Up to three octal digits: one raw byte.
        let v = e - 0x30;
        for (let k = 0; k < 2 && i + 1 < raw.length && raw[i + 1]! >= 0x30 && raw[i + 1]! <= 0x37; k++) v = v * 8 + (raw[++i]! - 0x30);
        out.push(v & 0xff);
        continue;
      }
      const ch = String.fromCharCode(e);
      out.push(SIMPLE_ESCAPES[ch] ?? e);
    }
    return Buffer.from(out);
  }
  // Unquoted: drop the tab git appends after a name with a space (an unquoted name has no tab).
  return raw.length && raw[raw.length - 1] === 0x09 ? raw.subarray(0, raw.length - 1) : raw;
}

/** A path as report paths are written: UTF-8 text (invalid bytes become U+FFFD), `/`-separated. */
export function pathText(bytes: Buffer): string {
  return bytes.toString('utf8');
}

/** `+++ b/name` → `name`; `+++ /dev/null` → null. `raw` is what follows `+++ `. */
export function newSidePath(raw: Buffer, prefix: string): string | null {
  const name = unquotePath(raw);
  const text = pathText(name);
  if (text === '/dev/null') return null;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/**
 * The new-side name from a `diff --git a/X b/Y` line, for the rare header that has no `+++` line (a
 * binary file). Only used to name a warning: quoted names are exact; unquoted ones with spaces are
 * split in the middle when both sides are the same name (the usual case), else after the last ` b/`.
 */
export function pathFromDiffGit(rest: Buffer): string | null {
  if (rest[0] === 0x22) {
    // "a/..." "b/..." or a/... "b/...": find the second name.
    const end = closingQuote(rest, 0);
    const second = rest.subarray(end + 2);
    return newSidePath(second, 'b/');
  }
  const text = rest.toString('utf8');
  const q = text.indexOf(' "b/');
  if (q >= 0) return newSidePath(rest.subarray(Buffer.byteLength(text.slice(0, q + 1))), 'b/');
  const n = text.length;
  if ((n - 1) % 2 === 0) {
    const half = (n - 1) / 2;
    const a = text.slice(0, half);
    const b = text.slice(half + 1);
    if (a.startsWith('a/') && b.startsWith('b/') && a.slice(2) === b.slice(2)) return b.slice(2);
  }
  const at = text.lastIndexOf(' b/');
  return at >= 0 ? text.slice(at + 3) : null;
}

function closingQuote(raw: Buffer, open: number): number {
  for (let i = open + 1; i < raw.length; i++) {
    if (raw[i] === 0x5c) i++;
    else if (raw[i] === 0x22) return i;
  }
  return raw.length;
}
