import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { redact } from '../../src/detect/redact.js';
import { Masker, maskPatterns, maskStream } from '../../src/exec/mask.js';
import { ANTHROPIC, fakeKey } from '../helpers.js';

const KEY = ANTHROPIC('mask-unit');
const MASK = '***' + redact(KEY);

/** Every 17-character window of the secret: none may reach the output (the hint shows at most 16 leading ones). */
function assertNoLeak(out: string, secret: string): void {
  assert.ok(!out.includes(secret), 'the raw secret reached the output');
  for (let i = 0; i + 17 <= secret.length; i++) assert.ok(!out.includes(secret.slice(i, i + 17)), `17 characters of the secret from ${i} reached the output`);
}

function runChunks(secrets: string[], chunks: Buffer[]): Buffer {
  const m = new Masker(maskPatterns(secrets));
  return Buffer.concat([...chunks.map((c) => m.push(c)), m.end()]);
}

describe('Masker', () => {
  it('masks a whole occurrence and leaves everything else alone', () => {
    const out = runChunks([KEY], [Buffer.from(`key=${KEY}\nagain ${KEY}.\n`)]).toString();
    assert.equal(out, `key=${MASK}\nagain ${MASK}.\n`);
  });

  it('masks an occurrence split at every possible chunk boundary', () => {
    const text = Buffer.from(`before ${KEY} after`);
    for (let cut = 0; cut <= text.length; cut++) {
      const out = runChunks([KEY], [text.subarray(0, cut), text.subarray(cut)]).toString();
      assert.equal(out, `before ${MASK} after`, `cut at ${cut}`);
    }
  });

  it('masks an occurrence arriving one byte at a time, with idle flushes between bytes', () => {
    const m = new Masker(maskPatterns([KEY]));
    const text = Buffer.from(`x ${KEY} y`);
    const parts: Buffer[] = [];
    for (let i = 0; i < text.length; i++) {
      parts.push(m.push(text.subarray(i, i + 1)));
      parts.push(m.idle());
    }
    parts.push(m.end());
    const out = Buffer.concat(parts).toString();
    assertNoLeak(out, KEY);
    assert.ok(out.includes(MASK), out);
    assert.ok(out.startsWith('x ') && out.endsWith(' y'));
  });

  it('lets a held tail out after an idle only up to what the hint shows', () => {
    const m = new Masker(maskPatterns([KEY]));
    const head = redact(KEY).split('…')[0]!;
    assert.equal(m.push(Buffer.from('log: ' + KEY.slice(0, head.length))).toString(), 'log: ');
    assert.equal(m.idle().toString(), KEY.slice(0, head.length), 'the hint-sized prefix is let out after an idle');
    assert.equal(m.push(Buffer.from(KEY.slice(head.length, head.length + 1))).toString(), '');
    assert.equal(m.idle().toString(), '', 'one more character than the hint shows stays held');
    assert.equal(m.push(Buffer.from(KEY.slice(head.length + 1) + '\n')).toString(), MASK + '\n');
  });

  it('adds no latency when the end of a chunk cannot start a secret', () => {
    const m = new Masker(maskPatterns([KEY]));
    assert.equal(m.push(Buffer.from('hello world\n')).toString(), 'hello world\n');
    assert.equal(m.pending, 0);
    // "sk-a" could be the start: held until more comes, then let out.
    assert.equal(m.push(Buffer.from('try sk-a')).toString(), 'try ');
    assert.equal(m.pending, 4);
    assert.equal(m.push(Buffer.from('bc\n')).toString(), 'sk-abc\n');
    assert.equal(m.end().length, 0);
  });

  it('passes binary data through byte for byte', () => {
    const bin = Buffer.alloc(70_000);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919 + (i >> 8)) & 0xff;
    for (const size of [1, 7, 4096, 65536]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bin.length; i += size) chunks.push(bin.subarray(i, i + size));
      assert.ok(runChunks([KEY], chunks).equals(bin), `chunks of ${size}`);
    }
    // And around a secret.
    const mixed = Buffer.concat([bin.subarray(0, 1000), Buffer.from(KEY), bin.subarray(1000, 2000)]);
    assert.ok(runChunks([KEY], [mixed]).equals(Buffer.concat([bin.subarray(0, 1000), Buffer.from(MASK), bin.subarray(1000, 2000)])));
  });

  it('masks the JSON-escaped, percent-encoded, base64 and base64url forms', () => {
    const pem = `-----BEGIN KEY-----\n${fakeKey('{{alnum:40}}', 'pem')}\n-----END KEY-----`;
    const plus = fakeKey('ab+/{{alnum:30}}é"', 'odd');
    const secrets = [KEY, pem, plus];
    for (const s of secrets) {
      const forms = [
        JSON.stringify(s),
        encodeURIComponent(s),
        Buffer.from(s).toString('base64'),
        Buffer.from(s).toString('base64url'),
        // Embedded in a longer encoded text at each alignment (HTTP Basic auth).
        Buffer.from('u:' + s).toString('base64'),
        Buffer.from('us:' + s).toString('base64'),
        Buffer.from('usr:' + s).toString('base64'),
        Buffer.from('u:' + s + ':x').toString('base64url'),
      ];
      for (const form of forms) {
        const out = runChunks(secrets, [Buffer.from(`> ${form} <`)]).toString();
        assert.ok(out.includes('***' + redact(s)), `form ${forms.indexOf(form)} of ${secrets.indexOf(s)} masked`);
        // What survives of an encoded form: at most 3 characters at each end of it.
        const core = form.slice(4, -4);
        assert.ok(!out.includes(core), `form ${forms.indexOf(form)} of ${secrets.indexOf(s)} leaked`);
      }
    }
  });

  it('prefers the longest secret where two start at the same place', () => {
    const short = fakeKey('tok_{{alnum:20}}', 'short');
    const long = short + 'XYZ_extra_part';
    const out = runChunks([short, long], [Buffer.from(`${long} ${short}`)]).toString();
    assert.equal(out, `***${redact(long)} ***${redact(short)}`);
    // Split so the short one is complete first: the longer is still preferred.
    const out2 = runChunks([short, long], [Buffer.from(long.slice(0, short.length + 2)), Buffer.from(long.slice(short.length + 2))]).toString();
    assert.equal(out2, `***${redact(long)}`);
  });

  it('passes everything through when there is nothing to mask', () => {
    const m = new Masker(maskPatterns([]));
    assert.equal(m.push(Buffer.from('sk-ant-')).toString(), 'sk-ant-');
    assert.equal(maskPatterns(['']).length, 0);
  });
});

describe('maskStream', () => {
  it('lets a harmless tail out without waiting, and a held one after the idle delay', async () => {
    const s = maskStream(maskPatterns([KEY]), { idleMs: 400 });
    const got: string[] = [];
    s.on('data', (c: Buffer) => got.push(c.toString()));
    s.write(Buffer.from('plain\n'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ['plain\n']);
    s.write(Buffer.from('prompt sk'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ['plain\n', 'prompt '], '"sk" could start the key: held');
    for (let waited = 0; got.length < 3 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['plain\n', 'prompt ', 'sk'], 'let out after the idle delay');
    s.end();
    await new Promise((r) => s.on('end', r));
  });

  it('masks through a pipeline of tiny chunks', async () => {
    const text = Buffer.from(`a ${KEY} b ${KEY}`);
    const chunks = Array.from({ length: text.length }, (_, i) => text.subarray(i, i + 1));
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(chunks),
      maskStream(maskPatterns([KEY])),
      new Writable({
        write(c: Buffer, _e, cb) {
          out.push(c);
          cb();
        },
      }),
    );
    assert.equal(Buffer.concat(out).toString(), `a ${MASK} b ${MASK}`);
  });
});
