/** The only forms of a secret outloop ever shows or stores: a hash and a hint. */
import { createHash } from 'node:crypto';

/** `sha256:` + hex SHA-256 of the secret's exact bytes (its UTF-8 characters). */
export function fingerprint(secretBytes: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(secretBytes).digest('hex');
}

/**
 * Prefix and last 4 characters, e.g. `sk-ant-api03-R2D…igAA`, never more than a third of the secret:
 * the family prefix (up to the last `-` or `_` in the first 16 characters) plus a few characters.
 */
export function redact(secret: string): string {
  const chars = Array.from(secret.replace(/\r?\n|\\n/g, ' '));
  const budget = Math.floor(chars.length / 3);
  const tail = Math.min(4, Math.floor(budget / 2));
  const head16 = chars.slice(0, 16).join('');
  const familyEnd = Math.max(head16.lastIndexOf('-'), head16.lastIndexOf('_')) + 1;
  const head = Math.max(0, Math.min(familyEnd + 3, budget - tail));
  return chars.slice(0, head).join('') + '…' + (tail > 0 ? chars.slice(chars.length - tail).join('') : '');
}
