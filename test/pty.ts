// A real pseudo-terminal for tests of what a person at a terminal sees and types: python's pty
// runs the command, waits for each prompt, types each answer, and hands back everything shown.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers.js';

const DRIVER = `import fcntl, json, os, pty, select, struct, sys, termios, time
spec = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.execvp(spec["cmd"][0], spec["cmd"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
out = b""
def pump(until, timeout):
    global out
    end = time.time() + timeout
    while time.time() < end:
        if until is not None and until.encode() in out:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        out += data
    return until is None
ok = True
for step in spec["steps"]:
    if "wait" in step:
        if not pump(step["wait"], spec["wait"]):
            ok = False
            break
    else:
        os.write(fd, step["send"].encode())
        time.sleep(0.2)
pump(None, spec["wait"] if ok else 2)
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode("utf-8", "replace"), "code": os.waitstatus_to_exitcode(status), "completed": ok}))
`;

export const HAVE_PTY = spawnSync('python3', ['-c', 'import pty, select, os; os.waitstatus_to_exitcode'], { encoding: 'utf8' }).status === 0;

export interface PtyRun {
  /** Everything the terminal showed (prompts, echoes, the command's output). */
  output: string;
  code: number;
  /** Every `wait` was seen in time. */
  completed: boolean;
}

export type PtyStep = { wait: string } | { send: string };

/**
 * Runs `cmd` on a 120×40 pseudo-terminal: waits (up to `waitSeconds`) for each `wait` text, types
 * each `send`, then reads until the command ends. `env` is its whole environment.
 */
export function onTerminal(cmd: string[], steps: PtyStep[], options: { cwd?: string; env?: NodeJS.ProcessEnv; waitSeconds?: number } = {}): PtyRun {
  const driver = path.join(tempDir('outloop-pty-'), 'drive.py');
  fs.writeFileSync(driver, DRIVER);
  const r = spawnSync('python3', [driver], {
    input: JSON.stringify({ cmd, steps, wait: options.waitSeconds ?? 60 }),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `python3 with its pty module drives this test: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as PtyRun;
}
