/**
 * Base64 hides keys in Kubernetes Secret `data:` values, Docker `auth` (`user:token`), `.npmrc`
 * `_auth`, OSC 52 clipboard payloads and JWT segments. This layer finds base64 runs, decodes each one
 * level, and keeps only those that decode to readable UTF-8 text: random keys, digests, images and
 * other binary would otherwise hand the detector megabytes of noise.
 *
 * It runs over every string of large transcript folders, so it is one linear pass with table
 * lookups. A run is proven to be text byte by byte while it is decoded into a reused scratch buffer,
 * and most runs that are not text fail on their first few bytes, so nothing is allocated for them.
 */
import { lazy, type DecodedRun, type Decoder } from './piece.js';
import { isPrintable, Utf8Stream, UTF8_INVALID, UTF8_MORE } from './utf8.js';

/** Shorter runs are words and identifiers; 24 characters (padding included) hold 16 to 18 bytes. */
export const MIN_BASE64_RUN = 24;
/** Longer runs are files (images, fonts, bundles), not a config value holding a key. */
export const MAX_BASE64_RUN = 64 * 1024;

const NONE = 0;
const COMMON = 1; // G-Z g-z: in both alphabets
const HEXDIGIT = 5; // 0-9 A-F a-f: in both alphabets, and in digests
const STD = 2; // + /
const URL = 3; // - _
const PAD = 4; // =

const CLASS = new Uint8Array(128);
const VALUE = new Uint8Array(128);
{
  const common = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let v = 0; v < 62; v++) {
    CLASS[common.charCodeAt(v)] = COMMON;
    VALUE[common.charCodeAt(v)] = v;
  }
  CLASS[43] = STD; // +
  CLASS[47] = STD; // /
  CLASS[45] = URL; // -
  CLASS[95] = URL; // _
  CLASS[61] = PAD; // =
  VALUE[43] = VALUE[45] = 62;
  VALUE[47] = VALUE[95] = 63;
  for (const c of '0123456789abcdefABCDEF') CLASS[c.charCodeAt(0)] = HEXDIGIT;
}

/** Subresource-integrity and npm lockfile digests: `sha512-<base64>` is a hash, never text. */
const DIGEST_PREFIXES = ['sha512-', 'sha384-', 'sha256-', 'sha1-'];
/** Media types of data: URIs that are never text worth scanning (SVG is text, but an image). */
const BINARY_MEDIA = /^(?:image|audio|video|font)\/|^application\/(?:octet-stream|pdf|zip|gzip|wasm)/i;

// Reused across calls: decoding is synchronous, and a run is never longer than MAX_BASE64_RUN.
const scratch = Buffer.allocUnsafe((MAX_BASE64_RUN / 4) * 3);
const utf8 = new Utf8Stream();

export const base64Runs: Decoder = (input) => {
  const out: DecodedRun[] = [];
  const n = input.length;
  if (n < MIN_BASE64_RUN) return out;
  let i = 0;
  while (i < n) {
    let c = input.charCodeAt(i);
    if (c >= 128 || CLASS[c] === NONE || CLASS[c] === PAD) {
      i++;
      continue;
    }
    const start = i;
    let lastStd = -1;
    let lastUrl = -1;
    let lastNonHex = -1;
    for (; i < n; i++) {
      c = input.charCodeAt(i);
      const k = c < 128 ? CLASS[c]! : NONE;
      if (k === HEXDIGIT) continue;
      if (k === COMMON) {
        lastNonHex = i;
      } else if (k === STD) {
        lastStd = lastNonHex = i;
      } else if (k === URL) {
        lastUrl = lastNonHex = i;
      } else break;
    }
    const bodyEnd = i;
    let eq = 0;
    while (i < n && input.charCodeAt(i) === 61) {
      eq++;
      i++;
    }
    // `===` and longer are separators or `key==value`, not padding.
    const pads = eq <= 2 ? eq : 0;
    const from = candidateStart(input, start, lastStd, lastUrl);
    const end = bodyEnd + pads;
    if (end - from < MIN_BASE64_RUN || end - from > MAX_BASE64_RUN) continue;
    if (lastNonHex < from) continue; // all hex digits: a digest
    if (!wellFormed(input, from, bodyEnd, pads)) continue;
    if (digestPrefixed(input, from) || binaryDataUri(input, from)) continue;
    const text = decodeText(input, from, bodyEnd);
    if (text !== null) out.push(base64Run(text, from, end));
  }
  return out;
};

/**
 * Where the encoded value starts in a run of alphabet characters. A run mixing `+/` with `-_` is a
 * word glued to a value (`sha512-…+…`, `/path/to_dir/…`): only the suffix in one alphabet can be it.
 * In raw JSON, `\n` before a value glues an `n` to it.
 */
function candidateStart(input: string, start: number, lastStd: number, lastUrl: number): number {
  if (lastStd >= 0 && lastUrl >= 0) return Math.min(lastStd, lastUrl) + 1;
  if (start > 0 && input.charCodeAt(start - 1) === 92 /* \ */) {
    const c = input.charCodeAt(start);
    if (c === 110 || c === 114 || c === 116) return start + 1; // n r t
  }
  return start;
}

/** Length and padding fit, and the unused low bits of the last character are zero, as encoders write them. */
function wellFormed(input: string, from: number, bodyEnd: number, pads: number): boolean {
  const rem = (bodyEnd - from) % 4;
  if (rem === 1) return false;
  if (pads > 0 && rem + pads !== 4) return false;
  if (rem === 0) return true;
  const last = VALUE[input.charCodeAt(bodyEnd - 1)]!;
  return (last & (rem === 2 ? 0x0f : 0x03)) === 0;
}

function digestPrefixed(input: string, from: number): boolean {
  for (const p of DIGEST_PREFIXES) {
    if (input.startsWith(p, from)) return true;
    if (from >= p.length && input.startsWith(p, from - p.length)) return true;
  }
  return false;
}

function binaryDataUri(input: string, from: number): boolean {
  const marker = from - 8;
  if (marker < 5 || !input.startsWith(';base64,', marker)) return false;
  // A media type is short: look back a bounded distance, so many markers can't make this quadratic.
  const head = input.slice(Math.max(0, marker - 128), marker);
  const at = head.lastIndexOf('data:');
  return at >= 0 && BINARY_MEDIA.test(head.slice(at + 5));
}

/**
 * Decodes [from, to) (no padding) into the scratch buffer while checking the bytes are UTF-8 text;
 * null as soon as they are not. One control character per 64 bytes is tolerated (an ESC, a stray NUL).
 */
function decodeText(input: string, from: number, to: number): string | null {
  utf8.reset();
  let budget = Math.floor(((to - from) * 3) / 4 / 64);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    acc = ((acc << 6) | VALUE[input.charCodeAt(i)]!) & 0xfff;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    const b = (acc >> bits) & 0xff;
    scratch[n++] = b;
    const cp = utf8.push(b);
    if (cp === UTF8_MORE) continue;
    if (cp === UTF8_INVALID) return null;
    if (!isPrintable(cp) && --budget < 0) return null;
  }
  if (!utf8.idle) return null;
  return scratch.toString('utf8', 0, n);
}

/** Three bytes come from four characters, so every character stands for the whole run. */
function base64Run(text: string, start: number, end: number): DecodedRun {
  return {
    text,
    encoding: 'base64',
    wholeRun: true,
    map: lazy(() => {
      const map = new Int32Array(text.length + 1).fill(start);
      map[text.length] = end;
      return map;
    }),
  };
}
