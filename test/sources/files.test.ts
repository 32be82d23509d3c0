import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprint } from '../../src/detect/redact.js';
import { scan } from '../../src/scan.js';
import { CHUNK_BYTES, inJsonString, MAX_LINE_BYTES, OVERLAP_BYTES } from '../../src/sources/files.js';
import { ANTHROPIC, fakeKey, tempDir, writeFiles } from '../helpers.js';

async function scanOne(name: string, content: Buffer | string) {
  const dir = tempDir();
  writeFiles(dir, { [name]: content });
  const result = await scan({ paths: [dir], workers: 0 });
  return { result, dir };
}

describe('reading files in every encoding', () => {
  it('reports exact lines, columns and byte spans in UTF-8 with multi-byte characters before the key', async () => {
    const key = ANTHROPIC('utf8');
    const text = `first line\nnaïve café → key: ${key}\n`;
    const { result, dir } = await scanOne('notes.txt', text);
    const f = result.findings[0]!;
    assert.equal(f.line, 2);
    assert.equal(f.column, 'naïve café → key: '.length + 1);
    const bytes = fs.readFileSync(path.join(dir, 'notes.txt'));
    assert.equal(bytes.subarray(f.span.start, f.span.end).toString('utf8'), key);
    assert.equal(f.fingerprint, fingerprint(key));
  });

  it('handles CRLF and a UTF-8 BOM', async () => {
    const key = ANTHROPIC('crlf');
    const { result, dir } = await scanOne('w.env', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`A=1\r\nKEY=${key}\r\n`)]));
    const f = result.findings[0]!;
    assert.deepEqual([f.line, f.column], [2, 5]);
    assert.equal(fs.readFileSync(path.join(dir, 'w.env')).subarray(f.span.start, f.span.end).toString(), key);
  });

  for (const [name, make] of [
    ['UTF-16LE with BOM', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])],
    ['UTF-16BE with BOM', (t: string) => { const b = Buffer.from(t, 'utf16le'); b.swap16(); return Buffer.concat([Buffer.from([0xfe, 0xff]), b]); }],
    ['UTF-16LE without BOM', (t: string) => Buffer.from(t, 'utf16le')],
  ] as const) {
    it(`decodes ${name}`, async () => {
      const key = ANTHROPIC(name);
      const { result, dir } = await scanOne('notes.txt', make(`line one\r\nkey = ${key}\r\n`));
      assert.equal(result.findings.length, 1, JSON.stringify(result.warnings));
      const f = result.findings[0]!;
      assert.deepEqual([f.line, f.column], [2, 7]);
      assert.equal(f.fingerprint, fingerprint(key));
      const raw = fs.readFileSync(path.join(dir, 'notes.txt')).subarray(f.span.start, f.span.end);
      assert.equal(raw.length, key.length * 2);
    });
  }

  it('scans invalid UTF-8 without losing the key or its byte span', async () => {
    const key = ANTHROPIC('invalid');
    const content = Buffer.concat([Buffer.from('bad \xff\xfe bytes\n', 'latin1'), Buffer.from(`\xc3(key ${key}\n`, 'latin1')]);
    const { result, dir } = await scanOne('dump.txt', content);
    const f = result.findings[0]!;
    assert.equal(f.line, 2);
    assert.equal(fs.readFileSync(path.join(dir, 'dump.txt')).subarray(f.span.start, f.span.end).toString('latin1'), key);
  });

  it('scans a 5 MB single-line minified bundle and reports columns on that line', async () => {
    const keys = [ANTHROPIC('min1'), ANTHROPIC('min2')];
    const filler = 'function(a,b){return a+b};var x=1;'.repeat(Math.ceil(2_600_000 / 35));
    const text = `${filler}var k="${keys[0]}";${filler}var j="${keys[1]}";`;
    assert.ok(text.length > 5_000_000);
    const { result } = await scanOne('bundle.min.js', text);
    assert.deepEqual(result.findings.map((f) => [f.line, f.column]), [
      [1, text.indexOf(keys[0]!) + 1],
      [1, text.indexOf(keys[1]!) + 1],
    ]);
  });

  it('streams a large UTF-16 file in chunks with exact lines and byte spans', async () => {
    const keys = [ANTHROPIC('u16a'), ANTHROPIC('u16b'), ANTHROPIC('u16c')];
    const line = 'INFO request served in 12ms for /api/v2/items\r\n';
    // The second key straddles the first chunk's end: 8 MB of bytes is 4M UTF-16 units.
    const boundary = CHUNK_BYTES / 2;
    let text = `key: ${keys[0]}\r\n`;
    text += line.repeat(Math.floor((boundary - 200 - text.length) / line.length));
    text += 'x'.repeat(boundary - 20 - text.length - 5) + `key: ${keys[1]}\r\n`;
    const secondLine = text.split('\n').length - 1;
    text += line.repeat(Math.ceil(boundary / line.length)) + `key: ${keys[2]}\r\n`;
    const thirdLine = text.split('\n').length - 1;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.ok(bytes.length > CHUNK_BYTES * 2);
    const { result, dir } = await scanOne('export.txt', bytes);
    const raw = fs.readFileSync(path.join(dir, 'export.txt'));
    assert.deepEqual(result.findings.map((f) => f.fingerprint), keys.map((k) => fingerprint(k)));
    assert.deepEqual(result.findings.map((f) => f.line), [1, secondLine, thirdLine]);
    for (const [i, f] of result.findings.entries()) assert.equal(raw.subarray(f.span.start, f.span.end).toString('utf16le'), keys[i]);
    const straddle = result.findings[1]!.span;
    assert.ok(straddle.start < CHUNK_BYTES + 2 && straddle.end > CHUNK_BYTES + 2, 'the second key crosses the chunk boundary');
  });

  it('skips binary files with a counted note and scans text beside them', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'img.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.from(ANTHROPIC('bin'))]), 'a.txt': ANTHROPIC('txt') });
    const result = await scan({ paths: [dir], workers: 0 });
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0]!.path, 'a.txt');
    assert.equal(result.stats.binarySkipped, 1);
  });

  it('streams a file larger than one chunk and reports keys on and around chunk boundaries once', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge.log');
    const keys = ['start', 'boundary', 'after', 'end'].map((s) => ANTHROPIC(s));
    const line = 'INFO request served in 12ms for /api/v2/items\n';
    const fd = fs.openSync(file, 'w');
    let written = 0;
    let lineNo = 1;
    const expected: Array<{ line: number; key: string; start: number }> = [];
    const put = (s: string) => {
      fs.writeSync(fd, s);
      written += Buffer.byteLength(s);
      lineNo += s.split('\n').length - 1;
    };
    const plant = (key: string) => {
      expected.push({ line: lineNo, key, start: written + 5 });
      put(`key: ${key}\n`);
    };
    plant(keys[0]!);
    while (written + line.length < CHUNK_BYTES - 100) put(line);
    put('x'.repeat(CHUNK_BYTES - 30 - written)); // the next key straddles the first chunk's end
    put('\n');
    plant(keys[1]!);
    while (written < CHUNK_BYTES * 2 + 1000) put(line);
    plant(keys[2]!);
    while (written < CHUNK_BYTES * 3 + 5000) put(line);
    plant(keys[3]!);
    fs.closeSync(fd);
    const result = await scan({ paths: [dir], workers: 0 });
    assert.deepEqual(result.findings.map((f) => [f.line, f.span.start, f.fingerprint]), expected.map((e) => [e.line, e.start, fingerprint(e.key)]));
  });

  it('reads JSON lines longer than MAX_LINE_BYTES in pieces, decoding escaped keys in each, every key once', async () => {
    // Tool outputs far longer than the cap, with \n escapes all through them as a Read result has.
    const dash = (key: string) => key.replace(/-/g, '\\u002d');
    const keys = ['across', 'after-owned', 'deep', 'stderr', 'last'].map((s) => ANTHROPIC(`overlong:${s}`));
    const [across, afterOwned, deep, inStderr, last] = keys as [string, string, string, string, string];
    // Offsets in a long line: where its first piece's owned part ends, and where the second starts.
    const ownedEnd = MAX_LINE_BYTES - OVERLAP_BYTES;
    const secondStart = MAX_LINE_BYTES - 2 * OVERLAP_BYTES;
    const filler = 'line of ordinary output\\n';
    let written = 0;
    const spans: Array<[number, number, string]> = []; // line, file offset, key
    /** A line of `length` bytes: each text at its offset, filler between; `{}` in a text is its key, JSON-escaped if so marked. */
    type Placed = { at: number; text: string; key?: string; escaped?: boolean };
    const longLine = (lineNo: number, placed: Placed[], length: number) => {
      let out = '';
      for (const { at, text, key, escaped } of [...placed, { at: length, text: '' }]) {
        const n = Math.floor((at - out.length) / filler.length);
        out += filler.repeat(n) + 'x'.repeat(at - out.length - n * filler.length);
        if (key) spans.push([lineNo, written + out.length + text.indexOf('{}'), key]);
        out += key ? text.replace('{}', escaped ? dash(key) : key) : text;
      }
      written += out.length + 1;
      return out + '\n';
    };
    const first = '{"type":"user","sessionId":"s1","uuid":"u-1","message":{"role":"user","content":"hi"}}\n';
    written = first.length;
    const head = '{"type":"user","sessionId":"s1","uuid":"u-2","message":{"role":"user","content":"ok"},"toolUseResult":{"stdout":"';
    // Line 2 checks the second piece starts inside the string: no quote in the output before the
    // deep key, which only a decoder that knows it is inside a string sees.
    const end = MAX_LINE_BYTES + 3 * 1024 * 1024;
    const line2 = longLine(
      2,
      [
        { at: 0, text: head },
        { at: ownedEnd - 50, text: ' {} ', key: across, escaped: true }, // across the first piece's owned end
        { at: ownedEnd + 100, text: ' {} ', key: afterOwned },
        { at: MAX_LINE_BYTES + 2 * 1024 * 1024, text: ' KEY={} ', key: deep, escaped: true },
        { at: end, text: '"}}' },
      ],
      end + 3,
    );
    // Line 3 checks a piece never starts after a backslash: there, \" would look like the closing
    // quote, and every string after it would be read inside out.
    const line3 = longLine(
      3,
      [
        { at: 0, text: head },
        { at: secondStart - 2, text: '5\\" screen' },
        { at: MAX_LINE_BYTES + 1024 * 1024, text: '","stderr":"' },
        { at: MAX_LINE_BYTES + 2 * 1024 * 1024, text: ' {} ', key: inStderr, escaped: true },
        { at: end, text: '"}}' },
      ],
      end + 3,
    );
    const tail = `{"type":"user","sessionId":"s1","uuid":"u-4","message":{"role":"user","content":"${last}"}}\n`;
    spans.push([4, written + tail.indexOf(last), last]);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'long.jsonl'), first + line2 + line3 + tail);
    const result = await scan({ paths: [dir], workers: 0 });
    assert.deepEqual(
      result.findings.map((f) => [f.line, f.span.start, f.fingerprint]),
      spans.map(([line, at, key]) => [line, at, fingerprint(key)]),
    );
  });
});

describe('multi-MB JSON lines', () => {
  it('are JSON-decoded a block at a time: escaped keys at block seams and in nested JSON, each once', async () => {
    const dash = (key: string) => key.replace(/-/g, '\\u002d');
    const [nested, acrossSeam, atSeam, plainAtSeam] = ['nested', 'across', 'at', 'plain'].map((s) => ANTHROPIC(`blocks:${s}`)) as [string, string, string, string];
    // A Codex tool call whose arguments (JSON in a JSON string) run past a MB, with the key deep
    // inside, escaped in the inner JSON: only decoding twice reveals it.
    const inner = JSON.stringify({ command: ['bash', '-lc', 'cat build.log\n' + 'compiled module 42 of 9000 in 3ms\n'.repeat(40_000) + `KEY=${nested}\n`] }).replace(nested, dash(nested));
    const codex = JSON.stringify({ timestamp: 't', type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: inner, call_id: 'c1' } });
    // A tool output past a MB with keys where its 512 KB blocks meet (offsets in the line).
    const head = '{"type":"user","message":{"role":"user","content":"ok"},"toolUseResult":{"stdout":"';
    const filler = 'compiled module 42 of 9000 in 3ms\\n';
    let output = head;
    const place = (at: number, text: string) => {
      const n = Math.floor((at - output.length) / filler.length);
      output += filler.repeat(n) + 'x'.repeat(at - output.length - n * filler.length) + text;
    };
    const BLOCK = 512 * 1024;
    place(BLOCK - 40, ` ${dash(acrossSeam)} `);
    // Cut short where the first block's text ends, it would still look like a key there (a Stripe
    // key has no fixed length): only the next block, which owns it and sees it whole, reports it.
    const stripe = fakeKey('sk_live_51{{alnum:97}}', 'blocks:stripe');
    place(BLOCK + 64 * 1024 - 50, ` ${stripe} `);
    place(2 * BLOCK + 1, ` ${dash(atSeam)} `);
    place(3 * BLOCK - 10, ` ${plainAtSeam} `);
    place(3 * BLOCK + 200_000, '"}}');
    const first = '{"type":"user","message":{"role":"user","content":"hi"}}\n';
    const text = first + codex + '\n' + output + '\n';
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'big.jsonl'), text);
    assert.ok(codex.length > 1024 * 1024 && output.length > 1024 * 1024);
    const result = await scan({ paths: [dir], workers: 0 });
    const at = (written: string) => Buffer.byteLength(text.slice(0, text.indexOf(written)));
    assert.deepEqual(
      result.findings.map((f) => [f.line, f.span.start, f.fingerprint, f.encoding ?? 'raw']),
      [
        [2, at(JSON.stringify(dash(nested)).slice(1, -1)), fingerprint(nested), 'json+json'],
        [3, at(dash(acrossSeam)), fingerprint(acrossSeam), 'json'],
        [3, at(stripe), fingerprint(stripe), 'raw'],
        [3, at(dash(atSeam)), fingerprint(atSeam), 'json'],
        [3, at(plainAtSeam), fingerprint(plainAtSeam), 'raw'],
      ],
    );
  });
});

describe('inJsonString', () => {
  it('follows quotes, skipping escaped ones, from a known start', () => {
    const at = (s: string, inString = false) => inJsonString(Buffer.from(s), s.length, inString);
    assert.equal(at('{"a":"b'), true);
    assert.equal(at('{"a":"b\\"c'), true, 'an escaped quote');
    assert.equal(at('{"a":"b\\\\"'), false, 'an escaped backslash, then the closing quote');
    assert.equal(at('more text", "next":"', true), true, 'starting inside a string');
    assert.equal(at('more text", "next":1', true), false);
  });
});
