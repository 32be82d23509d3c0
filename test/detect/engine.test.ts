import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, CHECKSUMS, toBase62 } from '../../src/detect/checksum.js';
import { Detector } from '../../src/detect/engine.js';
import { shannonEntropy } from '../../src/detect/entropy.js';
import { fingerprint, redact } from '../../src/detect/redact.js';
import { loadRules } from '../../src/scan.js';
import { ANTHROPIC, fakeKey } from '../helpers.js';

const detector = new Detector(await loadRules());

describe('detector', () => {
  it('finds a key at the very start and the very end of the text', () => {
    const key = ANTHROPIC('edge');
    for (const text of [key, `x ${key}`, `${key}\n`]) {
      const m = detector.detect(text, 'a.txt');
      assert.equal(m.length, 1);
      assert.equal(text.slice(m[0]!.start, m[0]!.end), key);
    }
  });

  it('finds many keys on one long line (a minified bundle)', () => {
    const keys = Array.from({ length: 50 }, (_, i) => ANTHROPIC(`line${i}`));
    const text = keys.map((k, i) => `var a${i}="${k}";${'x=1;'.repeat(2000)}`).join('');
    const m = detector.detect(text, 'bundle.min.js');
    assert.deepEqual(m.map((x) => text.slice(x.start, x.end)), keys);
  });

  it('does not match a key glued inside a longer token', () => {
    const key = ANTHROPIC('glued');
    assert.equal(detector.detect(`abc${key}`, 'a.txt').length, 0);
    assert.equal(detector.detect(`${key}Z`, 'a.txt').length, 0);
  });

  it('lets the specific rule win over the generic one on the same value', () => {
    const key = ANTHROPIC('overlap');
    const m = detector.detect(`ANTHROPIC_API_KEY=${key}\n`, '.env');
    assert.deepEqual(m.map((x) => x.rule.id), ['anthropic-api-key']);
  });

  it('scopes the generic rule to config files', () => {
    const value = fakeKey('{{alnum:32}}', 'generic');
    assert.equal(detector.detect(`API_KEY=${value}`, 'deploy/.env')[0]?.rule.id, 'generic-credential-assignment');
    assert.equal(detector.detect(`API_KEY=${value}`, 'src/app.ts').length, 0);
    assert.equal(detector.detect(`API_KEY=${value}`, null).length, 0);
  });
});

describe('checksums, entropy, fingerprints and redaction', () => {
  it('computes zlib CRC-32 and base62 as GitHub tokens use them', () => {
    assert.equal(crc32('123456789'), 0xcbf43926); // the standard check value
    assert.equal(toBase62(0, 6), '000000');
    assert.equal(toBase62(61, 1), 'z');
    assert.equal(toBase62(62, 2), '10');
    const good = fakeKey('ghp_{{alnum:30}}{{crc32b62}}', 'gh');
    assert.equal(CHECKSUMS['crc32-base62-tail6'](good), true);
    const bad = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    assert.equal(CHECKSUMS['crc32-base62-tail6'](bad), false);
  });

  it('scores random keys above words', () => {
    assert.ok(shannonEntropy(fakeKey('{{alnum:40}}', 'e')) > 4);
    assert.ok(shannonEntropy('passwordpassword') < 3);
    assert.equal(shannonEntropy(''), 0);
  });

  it('fingerprints the exact UTF-8 bytes', () => {
    assert.equal(fingerprint('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('never shows more than a third of a secret', () => {
    for (const len of [6, 9, 12, 16, 20, 40, 108, 400]) {
      const secret = fakeKey(`{{alnum:${len}}}`, `r${len}`);
      const shown = redact(secret).replace('…', '');
      assert.ok(shown.length <= Math.floor(len / 3), `${len}: showed ${shown.length}`);
    }
    const key = ANTHROPIC('redact');
    const r = redact(key);
    assert.ok(r.startsWith('sk-ant-api03-') && r.endsWith(key.slice(-4)), r);
  });
});
