import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKSUMS } from '../../src/detect/checksum.js';
import { expandTemplate, seededRng } from '../../src/rules/template.js';

describe('example templates', () => {
  it('expands classes, repeats and checksums, and records marked spans with labels', () => {
    const { text, secrets } = expandTemplate('id={{rep:3:ab}} key=«[github-pat]ghp_{{alnum:30}}{{crc32b62}}» u={{uuid}}', seededRng('t'));
    assert.match(text, /^id=ababab key=ghp_[A-Za-z0-9]{36} u=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(secrets.length, 1);
    const s = secrets[0]!;
    assert.equal(s.label, 'github-pat');
    assert.equal(text.slice(s.start, s.end), s.value);
    assert.equal(CHECKSUMS['crc32-base62-tail6'](s.value), true);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const t = 'x={{urlsafe:40}}';
    assert.equal(expandTemplate(t, seededRng('a')).text, expandTemplate(t, seededRng('a')).text);
    assert.notEqual(expandTemplate(t, seededRng('a')).text, expandTemplate(t, seededRng('b')).text);
  });

  it('rejects unknown tokens and unbalanced markers', () => {
    assert.throws(() => expandTemplate('{{nope:3}}', seededRng('x')), /unknown template token/);
    assert.throws(() => expandTemplate('«abc', seededRng('x')), /without »/);
    assert.throws(() => expandTemplate('abc»', seededRng('x')), /without «/);
  });
});
