// On a terminal, `outloop rewrite` shows its plan and asks before it changes anything: run on a
// real pseudo-terminal (python's pty), answered the way a person would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANTHROPIC, CLI, tempDir, writeFiles } from '../helpers.js';
import { onTerminal } from '../pty.js';

function project() {
  const root = tempDir('outloop-prompt-');
  const key = ANTHROPIC('prompt:key');
  writeFiles(root, { 'app/.env': `ANTHROPIC_API_KEY=${key}\n` });
  const env = { ...process.env, HOME: root, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(root, 'vault.json'), OUTLOOP_VAULT_PASSPHRASE: 'a long test passphrase', NO_COLOR: '1' };
  return { root, key, env, file: path.join(root, 'app/.env') };
}

/** `outloop rewrite ROOT` on a terminal, answering its [y/N] question with `answer`. */
const answering = (answer: string, root: string, env: NodeJS.ProcessEnv) =>
  onTerminal([process.execPath, CLI, 'rewrite', root], [{ wait: '[y/N]' }, { send: answer + '\r' }], { env });

describe('rewrite asks on a terminal', () => {
  it('changes nothing when the answer is no', () => {
    const { root, key, env, file } = project();
    const r = answering('n', root, env);
    assert.match(r.output, /\[y\/N\]/);
    assert.equal(fs.readFileSync(file, 'utf8'), `ANTHROPIC_API_KEY=${key}\n`);
    assert.ok(!r.output.includes(key), 'the plan shows no raw key');
  });

  it('rewrites when the answer is yes', () => {
    const { root, key, env, file } = project();
    const r = answering('y', root, env);
    assert.equal(r.completed, true, r.output.slice(-400));
    const after = fs.readFileSync(file, 'utf8');
    assert.ok(!after.includes(key), r.output.slice(-400));
    assert.match(after, /^ANTHROPIC_API_KEY=outloop:\/\/[a-z0-9._-]+\/[A-Za-z0-9._-]+\n$/);
    assert.ok(!r.output.includes(key));
  });
});
