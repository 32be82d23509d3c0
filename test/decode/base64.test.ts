import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64Runs } from '../../src/decode/base64.js';
import type { DecodedRun } from '../../src/decode/piece.js';
import { seededRng } from '../../src/rules/template.js';
import { fakeKey } from '../helpers.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function randomBytes(n: number, seed: string): Buffer {
  const rng = seededRng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * 256);
  return out;
}

/** The run must span exactly [start, end) of the input, as the map tells the rewriter. */
function assertSpan(run: DecodedRun, start: number, end: number): void {
  const map = run.map();
  assert.equal(map.length, run.text.length + 1);
  assert.equal(map[0], start);
  assert.equal(map[run.text.length], end);
  for (let i = 0; i < run.text.length; i++) assert.equal(map[i], start);
  assert.equal(run.encoding, 'base64');
  assert.equal(run.wholeRun, true);
}

describe('base64Runs', () => {
  it('decodes a Kubernetes Secret data value and maps it to the encoded run', () => {
    const key = fakeKey('sk-ant-api03-{{urlsafe:93}}AA', 'k8s');
    const value = b64(key);
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: anthropic\ntype: Opaque\ndata:\n  api-key: ${value}\n`;
    const runs = base64Runs(yaml);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, key);
    const start = yaml.indexOf(value);
    assertSpan(runs[0]!, start, start + value.length);
  });

  it('decodes a JWT payload segment on its own, not the signature', () => {
    const token = fakeKey('ghp_{{alnum:36}}', 'jwt');
    const header = b64url('{"alg":"HS256","typ":"JWT"}');
    const payload = b64url(JSON.stringify({ sub: 'dev@example.com', scope: 'repo', gh: token, iat: 1700000000 }));
    const signature = b64url(randomBytes(32, 'jwt-sig'));
    const line = `Authorization: Bearer ${header}.${payload}.${signature}`;
    const runs = base64Runs(line);
    const texts = runs.map((r) => r.text);
    assert.deepEqual(texts, ['{"alg":"HS256","typ":"JWT"}', JSON.stringify({ sub: 'dev@example.com', scope: 'repo', gh: token, iat: 1700000000 })]);
    const start = line.indexOf(payload);
    assertSpan(runs[1]!, start, start + payload.length);
  });

  it('decodes a Docker config auth value to user:token', () => {
    const token = fakeKey('dckr_pat_{{urlsafe:27}}', 'docker');
    const auth = b64(`deploy:${token}`);
    const config = JSON.stringify({ auths: { 'registry.example.com': { auth } } }, null, 2);
    const runs = base64Runs(config);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, `deploy:${token}`);
    const start = config.indexOf(auth);
    assertSpan(runs[0]!, start, start + auth.length);
  });

  it('splits key=value and .npmrc _auth= at the equals sign', () => {
    const secret = fakeKey('{{alnum:20}}', 'npmrc');
    const auth = b64(`ci-user:${secret}`);
    const npmrc = `//registry.example.com/:_auth=${auth}\nalways-auth=true\n`;
    const runs = base64Runs(npmrc);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, `ci-user:${secret}`);
    assertSpan(runs[0]!, npmrc.indexOf(auth), npmrc.indexOf(auth) + auth.length);
  });

  it('drops the n of an escaped newline glued to a value in raw JSON', () => {
    const value = b64('user:correct-horse-battery-staple');
    const raw = `{"stdout":"secret:\\n${value}\\n"}`;
    assert.ok(raw.includes(`\\n${value}`));
    const runs = base64Runs(raw);
    assert.equal(runs[0]?.text, 'user:correct-horse-battery-staple');
    assertSpan(runs[0]!, raw.indexOf(value), raw.indexOf(value) + value.length);
  });

  it('reads both alphabets, but not one run mixing them as a whole', () => {
    const text = `user:${fakeKey('{{alnum:24}}', 'alpha')} a>~ and ab?`;
    const std = b64(text);
    const url = b64url(text);
    assert.match(std, /[+/]/);
    assert.match(url, /[-_]/);
    assert.equal(base64Runs(`x ${std} y`)[0]?.text, text);
    assert.equal(base64Runs(`x ${url} y`)[0]?.text, text);
    // A word glued on with `-`/`_` is dropped: only the suffix in one alphabet is the value.
    const glued = `path_to-${std}`;
    const runs = base64Runs(glued);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.text, text);
    assertSpan(runs[0]!, 8, glued.length);
  });

  it('accepts correct padding, no padding, and rejects wrong padding', () => {
    const one = 'password: correct-horse-battery-xy'; // 34 bytes: two padding characters
    const two = 'password: correct-horse-battery-xyz'; // 35 bytes: one
    assert.match(b64(one), /[^=]==$/);
    assert.match(b64(two), /[^=]=$/);
    for (const text of [one, two]) {
      const padded = b64(text);
      assert.match(padded, /=$/);
      const runs = base64Runs(`"${padded}"`);
      assert.equal(runs[0]?.text, text);
      assertSpan(runs[0]!, 1, 1 + padded.length);
      const bare = padded.replace(/=+$/, '');
      assert.equal(base64Runs(`"${bare}"`)[0]?.text, text);
    }
    assert.deepEqual(base64Runs(`"${b64(two)}="`), []); // one byte short of a group needs exactly one `=`
    assert.deepEqual(base64Runs(`"${b64(one).slice(0, -2)}="`), []);
  });

  it('skips integrity digests, also when the digest would decode to text', () => {
    const hash = b64(randomBytes(64, 'sri'));
    assert.deepEqual(base64Runs(`"integrity": "sha512-${hash}",`), []);
    const textual = b64('this would decode to readable text if it were not a digest');
    assert.equal(base64Runs(`"v": "${textual}"`).length, 1);
    assert.deepEqual(base64Runs(`"integrity": "sha512-${textual}"`), []);
    assert.deepEqual(base64Runs(`"integrity": "sha256-${textual}"`), []);
  });

  it('skips images in data: URIs, even SVG text, but not text/plain ones', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200, 'png')]);
    assert.deepEqual(base64Runs(`<img src="data:image/png;base64,${b64(png)}">`), []);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>hello</text></svg>';
    assert.deepEqual(base64Runs(`url(data:image/svg+xml;base64,${b64(svg)})`), []);
    assert.equal(base64Runs(`data:text/plain;base64,${b64(svg)}`)[0]?.text, svg);
  });

  it('finds nothing in random keys, hashes and binary', () => {
    for (let s = 0; s < 200; s++) {
      const aws = fakeKey('{{b64:40}}', `aws-${s}`);
      assert.deepEqual(base64Runs(`aws_secret_access_key = ${aws}\n`), [], aws);
      assert.deepEqual(base64Runs(`"${fakeKey('{{urlsafe:43}}', `u-${s}`)}"`), []);
    }
    assert.deepEqual(base64Runs(`sha256: ${fakeKey('{{hex:64}}', 'sha')}`), []);
    // All hex digits is a digest even when the characters happen to decode to letters.
    assert.equal(Buffer.from('a0da'.repeat(8), 'base64').toString('latin1'), 'kGZ'.repeat(8));
    assert.deepEqual(base64Runs(`id ${'a0da'.repeat(8)} end`), []);
    assert.deepEqual(base64Runs(`/usr/local/lib/node_modules/typescript/lib/tsc.js`), []);
  });

  it('rejects control bytes beyond a small allowance', () => {
    assert.deepEqual(base64Runs(b64(Buffer.alloc(30))), []); // NULs
    const text = `line one\x1b[0m and a long enough line of ordinary text to pass ${'.'.repeat(40)}`;
    assert.equal(base64Runs(b64(text))[0]?.text, text); // one ESC in over 64 bytes
    assert.deepEqual(base64Runs(b64(`\x1b\x1b${text}`)), []);
  });

  it('handles megabyte adversarial inputs', () => {
    const mb = 1 << 20;
    assert.deepEqual(base64Runs('A'.repeat(mb)), []); // one run, far past the size limit
    assert.deepEqual(base64Runs('A'.repeat(60000)), []); // within it, but NUL bytes
    assert.deepEqual(base64Runs('A=A='.repeat(mb / 4)), []);
    assert.deepEqual(base64Runs('%'.repeat(mb)), []);
    assert.deepEqual(base64Runs(`${'A'.repeat(23)} `.repeat(mb / 24)), []);
    const value = b64('token: not-a-real-secret-but-text');
    const many = `${value}\n`.repeat(Math.floor(mb / (value.length + 1)));
    const runs = base64Runs(many);
    assert.equal(runs.length, Math.floor(mb / (value.length + 1)));
    assert.ok(runs.every((r) => r.text === 'token: not-a-real-secret-but-text'));
    assertSpan(runs[1]!, value.length + 1, 2 * value.length + 1);
  });
});
