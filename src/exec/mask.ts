/**
 * Streaming masks for `outloop exec`: every occurrence of a resolved secret in the child's stdout or
 * stderr becomes `***` + its redacted hint, even when the occurrence is split across chunks.
 *
 * Each secret is searched in a few forms: its UTF-8 bytes, its JSON-escaped form (when escaping
 * changes it), its percent-encoded form (same), and its base64 and base64url encodings at the three
 * byte alignments it can have inside a longer encoded text (so `Basic base64(user:KEY)` is caught
 * too, minus the one or two characters at each end that mix in the neighbouring bytes). Encoded
 * forms are only searched for secrets of 8 bytes or more.
 *
 * Latency: bytes pass straight through unless the end of what has arrived could be the beginning of
 * a form; only that suffix (never more than the longest form − 1 bytes) is held back. A held suffix
 * is let out after a short idle only when it reveals no more than the redacted hint itself shows
 * (the family prefix and a few characters); it stays tracked, so if the rest of the secret follows
 * later, that rest is still masked. Everything held is let out when the stream ends.
 *
 * Not masked: a secret cut short (only whole occurrences are found), or transformed in any other way
 * (reversed, hex, split by other output). Masking keeps logs clean; it is not a boundary against a
 * child that means to leak what it was given.
 */
import { Transform } from 'node:stream';
import { redact } from '../detect/redact.js';

export interface MaskPattern {
  /** The bytes to find. */
  readonly bytes: Buffer;
  /** What an occurrence becomes: `***` + the secret's redacted hint. */
  readonly replacement: Buffer;
  /** How many leading bytes of `bytes` reveal nothing the hint doesn't (may be shown after an idle). */
  readonly safePrefix: number;
}

const ENCODED_MIN_BYTES = 8;

/** The forms of each secret to mask, deduplicated; empty secrets are skipped. */
export function maskPatterns(secrets: Iterable<string>): MaskPattern[] {
  const byForm = new Map<string, MaskPattern>();
  const add = (bytes: Buffer, replacement: Buffer, safePrefix: number) => {
    if (bytes.length === 0) return;
    const key = bytes.toString('latin1');
    const seen = byForm.get(key);
    // Two secrets sharing a form: keep the smaller safe prefix.
    if (!seen || seen.safePrefix > safePrefix) byForm.set(key, { bytes, replacement, safePrefix: Math.min(safePrefix, bytes.length) });
  };
  for (const secret of new Set(secrets)) {
    if (secret === '') continue;
    const hint = redact(secret);
    const replacement = Buffer.from('***' + hint, 'utf8');
    // The characters the hint shows at the start (redact() may turn line breaks into spaces).
    const hintHead = hint.slice(0, Math.max(0, hint.indexOf('…')));
    let shown = 0;
    while (shown < hintHead.length && shown < secret.length && hintHead[shown] === secret[shown]) shown++;
    if (shown > 0 && isHighSurrogate(secret.charCodeAt(shown - 1))) shown--;
    const shownText = secret.slice(0, shown);
    const raw = Buffer.from(secret, 'utf8');
    const shownBytes = Buffer.byteLength(shownText, 'utf8');
    add(raw, replacement, shownBytes);

    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) add(Buffer.from(json, 'utf8'), replacement, JSON.stringify(shownText).length - 2);
    const pct = encodeURIComponent(secret);
    if (pct !== secret) add(Buffer.from(pct, 'utf8'), replacement, encodeURIComponent(shownText).length);

    if (raw.length < ENCODED_MIN_BYTES) continue;
    for (let k = 0; k < 3; k++) {
      const enc = Buffer.concat([Buffer.alloc(k), raw]).toString('base64');
      const n = k + raw.length;
      // Characters fully determined by the secret's bytes: skip those mixing in the k bytes before
      // it, and the last one mixing in whatever follows it.
      const start = k === 0 ? 0 : k === 1 ? 2 : 3;
      const r = n % 3;
      const end = 4 * Math.floor(n / 3) + (r === 1 ? 1 : r === 2 ? 2 : 0);
      // Character c covers bits 6c..6c+5 of the stream, i.e. bytes up to (6c+5)>>3; it reveals
      // nothing new while those bytes are among the hint's shown ones.
      let safe = 0;
      for (let c = start; c < end && ((6 * c + 5) >> 3) - k < shownBytes; c++) safe++;
      const forms = [enc.slice(start, end)];
      if (k === 0) forms.push(enc, enc.replace(/=+$/, ''));
      for (const form of forms) {
        add(Buffer.from(form, 'latin1'), replacement, safe);
        const url = form.replace(/\+/g, '-').replace(/\//g, '_');
        if (url !== form) add(Buffer.from(url.replace(/=+$/, ''), 'latin1'), replacement, safe);
      }
    }
  }
  return [...byForm.values()].sort((a, b) => b.bytes.length - a.bytes.length);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The masking state machine, free of streams and timers: push() chunks, idle() when nothing came for
 * a while, end() once. Each returns the bytes that may be written now.
 */
export class Masker {
  private readonly patterns: readonly MaskPattern[];
  private readonly maxLen: number;
  private readonly firstBytes = new Set<number>();
  /** Bytes not yet written, or written after an idle but still tracked as a possible secret's start. */
  private buf: Buffer = Buffer.alloc(0);
  /** How many leading bytes of buf were already written. */
  private shown = 0;

  constructor(patterns: readonly MaskPattern[]) {
    this.patterns = patterns;
    this.maxLen = patterns.reduce((m, p) => Math.max(m, p.bytes.length), 0);
    for (const p of patterns) this.firstBytes.add(p.bytes[0]!);
  }

  /** Bytes held back (not yet written). */
  get pending(): number {
    return this.buf.length - this.shown;
  }

  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    if (this.patterns.length === 0) return chunk;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return this.process(false);
  }

  end(): Buffer {
    const out = this.process(true);
    this.buf = EMPTY;
    this.shown = 0;
    return out;
  }

  /**
   * Nothing arrived for a while: let out the held bytes if they show no more of any secret than its
   * hint does and hold no whole form; they stay tracked, so a secret completed later is still masked.
   */
  idle(): Buffer {
    const buf = this.buf;
    if (this.pending === 0) return EMPTY;
    for (const p of this.patterns) if (buf.indexOf(p.bytes) >= 0) return EMPTY;
    for (let at = 0; at < buf.length; at++) {
      const n = buf.length - at;
      for (const p of this.patterns) {
        if (p.bytes.length > n && n > p.safePrefix && buf.compare(p.bytes, 0, n, at, buf.length) === 0) return EMPTY;
      }
    }
    const out = Buffer.from(buf.subarray(this.shown));
    this.shown = buf.length;
    return out;
  }

  private process(final: boolean): Buffer {
    const buf = this.buf;
    const out: Buffer[] = [];
    const shown = this.shown;
    const emit = (from: number, to: number) => {
      const a = Math.max(from, shown);
      if (to > a) out.push(buf.subarray(a, to));
    };
    // Next occurrence of each pattern at or after `pos` (-1: none left).
    const next = this.patterns.map(() => -2);
    let pos = 0;
    let hold = final ? buf.length : this.holdPoint(buf, 0);
    for (;;) {
      let best = -1;
      let bestStart = Infinity;
      for (let i = 0; i < this.patterns.length; i++) {
        if (next[i]! !== -1 && next[i]! < pos) next[i] = buf.indexOf(this.patterns[i]!.bytes, pos);
        const at = next[i]!;
        // Patterns are sorted longest first: the first at the smallest start is the longest there.
        if (at >= 0 && at < bestStart) {
          bestStart = at;
          best = i;
        }
      }
      if (best < 0 || bestStart >= hold) break;
      const p = this.patterns[best]!;
      emit(pos, bestStart);
      out.push(p.replacement);
      pos = bestStart + p.bytes.length;
      if (pos > hold) hold = final ? buf.length : this.holdPoint(buf, pos);
    }
    emit(pos, hold);
    const rest = buf.subarray(hold);
    // Copy the small tail so a big chunk isn't kept alive by it.
    this.buf = rest.length ? Buffer.from(rest) : EMPTY;
    this.shown = Math.max(0, shown - hold);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** The first index ≥ from where the rest of buf is a proper prefix of some pattern (buf.length: none). */
  private holdPoint(buf: Buffer, from: number): number {
    for (let at = Math.max(from, buf.length - (this.maxLen - 1)); at < buf.length; at++) {
      if (!this.firstBytes.has(buf[at]!)) continue;
      const n = buf.length - at;
      for (const p of this.patterns) {
        if (p.bytes.length > n && buf.compare(p.bytes, 0, n, at, buf.length) === 0) return at;
      }
    }
    return buf.length;
  }
}

const EMPTY = Buffer.alloc(0);

/** A Transform masking the given patterns; held bytes are re-examined after `idleMs` without input. */
export function maskStream(patterns: readonly MaskPattern[], options: { idleMs?: number } = {}): Transform {
  const idleMs = options.idleMs ?? 50;
  const masker = new Masker(patterns);
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      stop();
      const out = masker.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      if (out.length) this.push(out);
      if (masker.pending > 0 && idleMs >= 0) {
        timer = setTimeout(() => {
          timer = undefined;
          const later = masker.idle();
          if (later.length && !stream.destroyed) stream.push(later);
        }, idleMs);
        timer.unref();
      }
      callback();
    },
    flush(callback) {
      stop();
      const out = masker.end();
      if (out.length) this.push(out);
      callback();
    },
    destroy(err, callback) {
      stop();
      callback(err);
    },
  });
  return stream;
}
