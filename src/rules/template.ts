/**
 * Fake secrets are generated, not committed: rule examples and the corpus are templates that this
 * module expands with a seeded generator. Same seed, same text.
 *
 *   {{alnum:36}}   36 random characters of a class (see CLASSES)
 *   {{uuid}}       a random lowercase UUID
 *   {{crc32b62}}   6 base-62 characters: CRC-32 of the previous random run (GitHub/npm checksum)
 *   {{crc32hex}}   8 hex characters: CRC-32 of the previous random run (Cloudflare checksum)
 *   {{space}}      one space (to keep literal key headers out of tracked files)
 *   {{rep:N:ab}}   "ab" N times: low-entropy look-alikes (AKIA + 16 A's) without writing them out
 *   «...»          marks an expected secret; «[label]...» gives it a label (a rule id, a decoy kind)
 *
 * Example: 'token: «ghp_{{alnum:30}}{{crc32b62}}»' expands to a GitHub token with a valid checksum
 * and records where the secret sits in the expanded text.
 */
import { crc32, toBase62 } from '../detect/checksum.js';

export const CLASSES: Record<string, string> = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  urlsafe: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  lowernum: 'abcdefghijklmnopqrstuvwxyz0123456789',
  upper32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
};

export type Rng = () => number;

/** mulberry32: small, fast, good enough for fake keys; seeded from any string. */
export function seededRng(seed: string | number): Rng {
  let h = typeof seed === 'number' ? seed >>> 0 : 2166136261;
  if (typeof seed === 'string') {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  }
  let a = h || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomFrom(alphabet: string, n: number, rng: Rng): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(rng() * alphabet.length)];
  return out;
}

export interface MarkedSecret {
  start: number;
  end: number;
  value: string;
  label?: string;
}

export interface Expanded {
  text: string;
  secrets: MarkedSecret[];
}

const TOKEN = /\{\{rep:(\d+):([A-Za-z0-9_-]+)\}\}|\{\{([a-zA-Z0-9]+)(?::(\d+))?\}\}|«(?:\[([a-z0-9:-]+)\])?|»/g;

export function expandTemplate(template: string, rng: Rng): Expanded {
  let text = '';
  let last = 0;
  let lastRandom = '';
  const secrets: MarkedSecret[] = [];
  const open: Array<{ start: number; label?: string }> = [];
  for (const m of template.matchAll(TOKEN)) {
    text += template.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0].startsWith('«')) {
      open.push({ start: text.length, ...(m[5] ? { label: m[5] } : {}) });
      continue;
    }
    if (m[0] === '»') {
      const o = open.pop();
      if (!o) throw new Error(`template has » without «: ${abbreviate(template)}`);
      secrets.push({ start: o.start, end: text.length, value: text.slice(o.start), ...(o.label ? { label: o.label } : {}) });
      continue;
    }
    if (m[1] !== undefined) {
      text += m[2]!.repeat(Number(m[1]));
      continue;
    }
    const name = m[3]!;
    const count = m[4] === undefined ? undefined : Number(m[4]);
    text += expandToken(name, count, lastRandom, rng, template);
    if (count !== undefined) lastRandom = text.slice(text.length - count);
  }
  text += template.slice(last);
  if (open.length) throw new Error(`template has « without »: ${abbreviate(template)}`);
  secrets.sort((a, b) => a.start - b.start);
  return { text, secrets };
}

function expandToken(name: string, count: number | undefined, lastRandom: string, rng: Rng, template: string): string {
  switch (name) {
    case 'uuid':
      return [8, 4, 4, 4, 12].map((n) => randomFrom(CLASSES.hex!, n, rng)).join('-');
    case 'crc32b62':
      return toBase62(crc32(lastRandom), 6);
    case 'crc32hex':
      return crc32(lastRandom).toString(16).padStart(8, '0');
    case 'space':
      return ' ';
    default: {
      const alphabet = CLASSES[name];
      if (!alphabet || count === undefined) throw new Error(`unknown template token {{${name}}} in: ${abbreviate(template)}`);
      return randomFrom(alphabet, count, rng);
    }
  }
}

function abbreviate(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
