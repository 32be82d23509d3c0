// Terminal logs: a key printed in colour is replaced inside its escape codes, which stay as they
// were, so the log still renders the same, minus the key; undo brings the key back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANTHROPIC, fakeKey, runCli, tempDir, writeFiles } from '../helpers.js';

describe('rewrite in a terminal log', () => {
  it('replaces the key between its colour codes and keeps every escape byte; undo restores it', () => {
    const root = tempDir('outloop-rewrite-log-');
    const key = ANTHROPIC('rewrite-log:a');
    const token = fakeKey('ghp_{{alnum:30}}{{crc32b62}}', 'rewrite-log:g');
    const log = `\x1b[1mdeploy\x1b[0m starting\r\n\x1b[32m${key}\x1b[0m loaded\r\nprogress 10%\rprogress 100%\r\ntoken=${token}\x1b[K\n`;
    writeFiles(root, { 'logs/deploy.log': log });
    const env = { HOME: root, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(root, '..', `${path.basename(root)}-vault.json`), OUTLOOP_VAULT_PASSPHRASE: 'a long test passphrase' };
    const r = runCli(['rewrite', root, '--yes'], { env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const after = fs.readFileSync(path.join(root, 'logs/deploy.log'), 'latin1');
    assert.ok(!after.includes(key) && !after.includes(token));
    // Everything but the two keys is byte for byte what it was.
    const aliases = after.match(/outloop:\/\/[a-z0-9._-]+\/[A-Za-z0-9._-]+/g) ?? [];
    assert.equal(aliases.length, 2);
    assert.equal(after.replace(aliases[0]!, key).replace(aliases[1]!, token), log);
    const scan = runCli(['scan', root, '--format', 'json'], { env });
    assert.equal(scan.code, 0, scan.stdout.slice(0, 400));
    const undo = runCli(['undo'], { env, cwd: root });
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal(fs.readFileSync(path.join(root, 'logs/deploy.log'), 'latin1'), log);
    for (const out of [r.stdout, r.stderr, undo.stdout, undo.stderr]) assert.ok(!out.includes(key) && !out.includes(token));
  });
});

describe('rewrite of keys found by rendering or unescaping', () => {
  it('replaces the whole encoded span (escape codes inside a key, percent-encoding, cast events) with the alias, keeps a cast event by event, refuses a span across a keystroke event, and undo restores every byte', () => {
    const root = tempDir('outloop-rewrite-enc-');
    const [k1, k2, k3, k4, k5] = ['term', 'pct', 'cast', 'cast-split', 'cast-input'].map((s) => ANTHROPIC(`rewrite-enc:${s}`)) as [string, string, string, string, string];
    const files = {
      // A colour change in the middle of the key: only the rendered text holds it.
      'logs/build.log': `step 1\n\x1b[32m${k1.slice(0, 20)}\x1b[1m${k1.slice(20)}\x1b[0m loaded\nstep 2\n`,
      'notes/urls.txt': `GET https://api.example.com/v1/models?key=${encodeURIComponent(k2).replace(/-/g, '%2D')}&x=1\n`,
      // One key inside one recorded event behind an escape code; one split over three output events.
      'casts/demo.cast': `{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "$ export KEY=${k3.slice(0, 30)}\\u001b[1m${k3.slice(30)}\\r\\n"]\n[0.2, "o", "${k4.slice(0, 25)}"]\n[0.3, "o", "${k4.slice(25, 60)}"]\n[0.4, "o", "${k4.slice(60)}\\r\\n"]\n`,
      // Split around a keystroke event: no output event of its own to hold the alias.
      'casts/typed.cast': `{"version": 2, "width": 80, "height": 24}\n[0.2, "o", "${k5.slice(0, 25)}"]\n[0.25, "i", "x"]\n[0.3, "o", "${k5.slice(25)}\\r\\n"]\n`,
    };
    writeFiles(root, files);
    const env = { HOME: root, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(root, '..', `${path.basename(root)}-vault.json`), OUTLOOP_VAULT_PASSPHRASE: 'a long test passphrase' };
    const r = runCli(['rewrite', root, '--yes', '--format', 'json'], { env });
    assert.equal(r.code, 1, 'one key is left, so the run says so');
    const report = JSON.parse(r.stdout) as { notRewritten: Array<{ path: string; reason: string }> };
    assert.deepEqual(
      report.notRewritten.map((n) => [n.path, n.reason]),
      [['casts/typed.cast', 'not rewritten: the asciinema span runs over several lines']],
    );
    const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
    const alias = /outloop:\/\/[a-z0-9._-]+\/[A-Za-z0-9._-]+/g;
    assert.equal(read('logs/build.log').replace(alias, 'ALIAS'), 'step 1\n\x1b[32mALIAS\x1b[0m loaded\nstep 2\n', 'the span, escape code inside it included, became the alias');
    assert.match(read('notes/urls.txt'), /\?key=outloop:\/\/[a-z0-9._-]+\/[A-Za-z0-9._-]+&x=1\n$/);
    assert.equal(
      read('casts/demo.cast').replace(alias, 'ALIAS'),
      '{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "$ export KEY=ALIAS\\r\\n"]\n[0.2, "o", "ALIAS"]\n[0.3, "o", ""]\n[0.4, "o", "\\r\\n"]\n',
      'the split key: its alias in the first event, its rest cut from the others, every event kept',
    );
    // A fresh scan finds only the key that was left.
    const scan = JSON.parse(runCli(['scan', root, '--format', 'json'], { env }).stdout) as { findings: Array<{ path: string; line: number }> };
    assert.deepEqual(scan.findings.map((f) => [f.path, f.line]), [['casts/typed.cast', 2]]);
    const undo = runCli(['undo'], { env, cwd: root });
    assert.equal(undo.code, 0, undo.stderr);
    for (const [rel, text] of Object.entries(files)) assert.equal(read(rel), text, `${rel} restored byte for byte`);
    for (const out of [r.stdout, r.stderr, undo.stdout, undo.stderr]) for (const k of [k1, k2, k3, k4, k5]) assert.ok(!out.includes(k));
  });
});

describe('rewrite of UTF-16 files', () => {
  it('keeps a UTF-16 file UTF-16 (LE with BOM and CRLF, BE, LE without BOM): the alias is written in its encoding, the dry run reads as text, and undo restores every byte', () => {
    const root = tempDir('outloop-rewrite-utf16-');
    const [k1, k2, k3] = ['le', 'be', 'nobom'].map((s) => fakeKey('sk_live_{{alnum:24}}', `rewrite-utf16:${s}`)) as [string, string, string];
    const le = (s: string) => Buffer.from(s, 'utf16le');
    const be = (s: string) => Buffer.from(s, 'utf16le').swap16();
    const texts = {
      'exports/billing.reg': `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Billing]\r\n"StripeKey"="${k1}"\r\n"Region"="eu"\r\n`,
      'notes/be.txt': `deploy notes\nSTRIPE_SECRET_KEY=${k2}\nend\n`,
      'notes/le-nobom.txt': `more notes here\nSTRIPE_SECRET_KEY=${k3}\nend of the notes\n`,
    };
    const files: Record<string, Buffer> = {
      'exports/billing.reg': Buffer.concat([Buffer.from([0xff, 0xfe]), le(texts['exports/billing.reg'])]),
      'notes/be.txt': Buffer.concat([Buffer.from([0xfe, 0xff]), be(texts['notes/be.txt'])]),
      'notes/le-nobom.txt': le(texts['notes/le-nobom.txt']),
    };
    writeFiles(root, files);
    const env = { HOME: root, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(root, '..', `${path.basename(root)}-vault.json`), OUTLOOP_VAULT_PASSPHRASE: 'a long test passphrase' };
    const dry = runCli(['rewrite', root, '--dry-run'], { env });
    assert.match(dry.stdout, /-"StripeKey"="\[REDACTED sk_\S+…\S+\]"/, dry.stdout);
    assert.doesNotMatch(dry.stdout, /\\x00/, 'the diff is decoded text');
    const r = runCli(['rewrite', root, '--yes'], { env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const alias = /outloop:\/\/[a-z0-9._-]+\/[A-Za-z0-9._-]+/;
    const decoded = (rel: keyof typeof texts, swap: boolean, bom: number) => {
      const b = Buffer.from(fs.readFileSync(path.join(root, rel)).subarray(bom));
      return (swap ? b.swap16() : b).toString('utf16le');
    };
    const after = fs.readFileSync(path.join(root, 'exports/billing.reg'));
    assert.deepEqual([...after.subarray(0, 2)], [0xff, 0xfe], 'BOM kept');
    assert.equal(decoded('exports/billing.reg', false, 2).replace(alias, 'ALIAS'), texts['exports/billing.reg'].replace(k1, 'ALIAS'));
    assert.equal(decoded('notes/be.txt', true, 2).replace(alias, 'ALIAS'), texts['notes/be.txt'].replace(k2, 'ALIAS'));
    assert.equal(decoded('notes/le-nobom.txt', false, 0).replace(alias, 'ALIAS'), texts['notes/le-nobom.txt'].replace(k3, 'ALIAS'));
    const scan = JSON.parse(runCli(['scan', root, '--format', 'json'], { env }).stdout) as { findings: unknown[] };
    assert.equal(scan.findings.length, 0);
    const undo = runCli(['undo'], { env, cwd: root });
    assert.equal(undo.code, 0, undo.stderr);
    for (const [rel, bytes] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(root, rel)).equals(bytes), `${rel} restored byte for byte`);
    for (const out of [dry.stdout, r.stdout, r.stderr, undo.stdout]) for (const k of [k1, k2, k3]) assert.ok(!out.includes(k));
  });
});
