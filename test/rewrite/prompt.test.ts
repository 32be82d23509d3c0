// On a terminal, `outloop rewrite` shows its plan and asks before it changes anything: run on a
// real pseudo-terminal (python's pty), answered the way a person would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ANTHROPIC, CLI, tempDir, writeFiles } from '../helpers.js';

/** Runs argv[2:] on a pty; when the output shows argv[1], types it back as the answer. */
const PTY_ANSWER = `
import fcntl, os, pty, struct, sys, termios, time
answer = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
seen = b''
answered = False
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    seen += data
    sys.stdout.buffer.write(data)
    if not answered and b'[y/N]' in seen:
        time.sleep(0.1)
        os.write(fd, answer.encode() + b'\\r')
        answered = True
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

function project() {
  const root = tempDir('outloop-prompt-');
  const key = ANTHROPIC('prompt:key');
  writeFiles(root, { 'app/.env': `ANTHROPIC_API_KEY=${key}\n` });
  const env = { ...process.env, HOME: root, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(root, 'vault.json'), OUTLOOP_VAULT_PASSPHRASE: 'a long test passphrase', NO_COLOR: '1' };
  return { root, key, env, file: path.join(root, 'app/.env') };
}

const onTerminal = (answer: string, root: string, env: NodeJS.ProcessEnv) =>
  spawnSync('python3', ['-c', PTY_ANSWER, answer, process.execPath, CLI, 'rewrite', root], { env, encoding: 'utf8', timeout: 60_000 });

describe('rewrite asks on a terminal', () => {
  it('changes nothing when the answer is no', () => {
    const { root, key, env, file } = project();
    const r = onTerminal('n', root, env);
    assert.equal(r.error, undefined, 'python3 with its pty module is needed for this test');
    assert.match(r.stdout, /\[y\/N\]/);
    assert.equal(fs.readFileSync(file, 'utf8'), `ANTHROPIC_API_KEY=${key}\n`);
    assert.ok(!r.stdout.includes(key), 'the plan shows no raw key');
  });

  it('rewrites when the answer is yes', () => {
    const { root, key, env, file } = project();
    const r = onTerminal('y', root, env);
    assert.equal(r.error, undefined);
    const after = fs.readFileSync(file, 'utf8');
    assert.ok(!after.includes(key), r.stdout.slice(-400));
    assert.match(after, /^ANTHROPIC_API_KEY=outloop:\/\/[a-z0-9._-]+\/[A-Za-z0-9._-]+\n$/);
    assert.ok(!r.stdout.includes(key));
  });
});
