/**
 * Offline checksums some token formats carry. A token whose checksum fails is a typo, a fake or a
 * truncated copy, so checksum rules reject it (that is what makes them nearly free of false positives).
 */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Standard CRC-32 (IEEE, reflected, as zlib computes it) over the characters' low bytes. */
export function crc32(ascii: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) c = CRC_TABLE[(c ^ ascii.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function toBase62(n: number, width: number): string {
  let s = '';
  do {
    s = BASE62[n % 62] + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(width, '0');
}

/**
 * GitHub (`ghp_` and friends) and npm (`npm_`) tokens: the last 6 characters are the CRC-32 of the
 * random part between the prefix's underscore and the checksum, written in base 62.
 */
function crc32Base62Tail6(token: string): boolean {
  const underscore = token.lastIndexOf('_', token.length - 7);
  if (underscore < 0 || token.length - underscore - 1 <= 6) return false;
  const payload = token.slice(underscore + 1, -6);
  return toBase62(crc32(payload), 6) === token.slice(-6);
}

/** Cloudflare `cfut_`/`cfat_`/`cfk_`: 40 characters, then their CRC-32 as 8 lowercase hex digits. */
function crc32HexTail8(token: string): boolean {
  const underscore = token.indexOf('_');
  const payload = token.slice(underscore + 1, -8);
  return crc32(payload).toString(16).padStart(8, '0') === token.slice(-8);
}

export const CHECKSUMS = {
  'crc32-base62-tail6': crc32Base62Tail6,
  'crc32-hex-tail8': crc32HexTail8,
} as const;
