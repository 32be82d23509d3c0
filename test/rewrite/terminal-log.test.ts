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
