/**
 * `outloop exec` with real child processes: a launcher process runs execWithVault (the command is
 * not registered in run.ts by this file) with a file vault in a temp folder, and a small node script
 * plays the child.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { execWithVault, parseExecArgs } from '../../src/cli/exec-command.js';
import { fingerprint, redact } from '../../src/detect/redact.js';
import { UsageError } from '../../src/model/errors.js';
import { FileVault } from '../../src/vault/file.js';
import { ANTHROPIC, fakeKey, REPO, tempDir } from '../helpers.js';
import { memoryVault } from './helpers.js';

const KEY = ANTHROPIC('exec-child');
const DB_PASSWORD = fakeKey('{{alnum:28}}', 'exec-db');
const MASK = '***' + redact(KEY);
const PASSPHRASE = 'exec test passphrase';

const CHILD = `
import { createHash } from 'node:crypto';
import fs from 'node:fs';
const [mode, ...rest] = process.argv.slice(2);
const fp = (v) => 'sha256:' + createHash('sha256').update(v).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
switch (mode) {
  case 'print': {
    const v = process.env[rest[0]] ?? '';
    console.log('fingerprint=' + fp(v));
    console.log('value=' + v);
    console.error('stderr value: ' + v);
    console.log(JSON.stringify({ key: v }));
    console.log('b64=' + Buffer.from(v).toString('base64'));
    console.log('basic=' + Buffer.from('user:' + v).toString('base64'));
    break;
  }
  case 'bytes': {
    // One byte per write, straight to the fd; some pauses longer than the 50 ms idle flush.
    const v = Buffer.from(process.env[rest[0]] ?? '');
    const pauses = new Set([0, 3, 14, 15, 16, 17, 40, v.length - 2, v.length - 1]);
    for (const fd of [1, 2]) {
      fs.writeSync(fd, 'start ');
      for (let i = 0; i < v.length; i++) {
        fs.writeSync(fd, v.subarray(i, i + 1));
        await sleep(pauses.has(i) ? 120 : 1);
      }
      fs.writeSync(fd, ' end\\n');
    }
    break;
  }
  case 'env':
    console.log(JSON.stringify(Object.fromEntries(rest.map((k) => [k, process.env[k] === undefined ? null : fp(process.env[k])]))));
    break;
  case 'exit':
    console.log('exiting');
    process.exit(Number(rest[0]));
  case 'signal':
    process.kill(process.pid, rest[0]);
    await sleep(5000);
    break;
  case 'trap':
    process.on('SIGTERM', () => {
      console.log('caught SIGTERM');
      process.exit(7);
    });
    console.log('ready');
    setInterval(() => {}, 1000);
    break;
  case 'wait':
    console.log('ready');
    setInterval(() => {}, 1000);
    break;
  case 'binary':
    process.stdout.write(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    break;
}
`;

let dir: string;
let vaultFile: string;
let brokerLog: string;
let launcher: string;
let child: string;

before(async () => {
  dir = tempDir('outloop-exec-');
  vaultFile = path.join(dir, 'vault.json');
  brokerLog = path.join(dir, 'broker.jsonl');
  const vault = new FileVault({ file: vaultFile, passphrase: PASSPHRASE, kdf: { N: 1024, r: 8, p: 1 } });
  await vault.put('outloop://acme/anthropic', KEY);
  await vault.put('outloop://acme/db', DB_PASSWORD);
  child = path.join(dir, 'child.mjs');
  fs.writeFileSync(child, CHILD);
  launcher = path.join(dir, 'launcher.mjs');
  const url = (rel: string) => JSON.stringify(pathToFileURL(path.join(REPO, rel)).href);
  fs.writeFileSync(
    launcher,
    `import { execWithVault } from ${url('dist/src/cli/exec-command.js')};
import { FileVault } from ${url('dist/src/vault/file.js')};
process.exitCode = await execWithVault(process.argv.slice(2), { vault: async () => new FileVault({ env: process.env }) });
`,
  );
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

/** Runs `outloop exec ARGS` in a launcher process; `onStdout` sees the output as it arrives. */
function exec(args: string[], options: { env?: Record<string, string>; onStdout?: (text: string, pid: number) => void } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, OUTLOOP_VAULT_FILE: vaultFile, OUTLOOP_VAULT_PASSPHRASE: PASSPHRASE, OUTLOOP_BROKER_LOG: brokerLog, ...options.env };
  for (const k of ['ANTHROPIC_API_KEY', 'DATABASE_URL', 'PLAIN']) if (!options.env || !(k in options.env)) delete env[k];
  const p = spawn(process.execPath, [launcher, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  p.stdout.on('data', (c: Buffer) => {
    out.push(c);
    options.onStdout?.(Buffer.concat(out).toString(), p.pid!);
  });
  p.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve, reject) => {
    p.on('error', reject);
    p.on('close', (code, signal) => {
      const raw = Buffer.concat(out);
      resolve({ code, signal, stdout: raw.toString(), stderr: Buffer.concat(err).toString(), raw });
    });
  });
}

/** Neither the raw key nor any 17 characters of it (the hint shows at most 16 leading ones). */
function assertNoLeak(text: string, secret: string): void {
  assert.ok(!text.includes(secret), 'the raw secret reached the output');
  for (let i = 0; i + 17 <= secret.length; i++) assert.ok(!text.includes(secret.slice(i, i + 17)), `17 characters of the secret from ${i} reached the output`);
}

describe('outloop exec (real processes)', () => {
  it('gives the child the real key, and masks it in stdout and stderr', async () => {
    const r = await exec(['--', process.execPath, child, 'print', 'ANTHROPIC_API_KEY'], { env: { ANTHROPIC_API_KEY: 'outloop://acme/anthropic' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^fingerprint=${fingerprint(KEY)}$`, 'm'), 'the child got the planted key');
    for (const text of [r.stdout, r.stderr]) assertNoLeak(text, KEY);
    assert.ok(r.stdout.includes(`value=${MASK}\n`), r.stdout);
    assert.ok(r.stdout.includes(`{"key":"${MASK}"}`), r.stdout);
    assert.ok(r.stdout.includes(`b64=${MASK}`), r.stdout);
    assert.ok(!r.stdout.includes(Buffer.from(KEY).toString('base64').slice(0, 40)));
    assert.ok(!r.stdout.includes(Buffer.from('user:' + KEY).toString('base64').slice(8, 40)));
    assert.ok(r.stderr.includes(`stderr value: ${MASK}\n`), r.stderr);
  });

  it('masks a key written one byte at a time, with pauses longer than the idle flush', async () => {
    const r = await exec(['--', process.execPath, child, 'bytes', 'ANTHROPIC_API_KEY'], { env: { ANTHROPIC_API_KEY: 'outloop://acme/anthropic' } });
    assert.equal(r.code, 0, r.stderr);
    for (const text of [r.stdout, r.stderr]) {
      assertNoLeak(text, KEY);
      assert.match(text, /^start .*\*\*\*.* end\n$/s);
      assert.ok(text.includes(MASK), text);
    }
  });

  it('reads env files: export, quotes, comments, an alias embedded in a URL', async () => {
    fs.writeFileSync(
      path.join(dir, '.env'),
      [
        '# project settings',
        'export ANTHROPIC_API_KEY="outloop://acme/anthropic"',
        'DATABASE_URL=postgres://app:outloop://acme/db@localhost:5432/app # local database',
        "PLAIN='kept as it is'",
      ].join('\n') + '\n',
    );
    fs.writeFileSync(path.join(dir, 'override.env'), 'PLAIN=from the second file\n');
    const names = ['ANTHROPIC_API_KEY', 'DATABASE_URL', 'PLAIN', 'OUTLOOP_VAULT_PASSPHRASE'];
    const r = await exec(['--env-file', '.env', '--', process.execPath, child, 'env', ...names]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      ANTHROPIC_API_KEY: fingerprint(KEY),
      DATABASE_URL: fingerprint(`postgres://app:${DB_PASSWORD}@localhost:5432/app`),
      PLAIN: fingerprint('kept as it is'),
      OUTLOOP_VAULT_PASSPHRASE: null,
    });
    // A later file wins over an earlier one; the environment wins over both.
    const r2 = await exec(['--env-file=.env', '--env-file', 'override.env', process.execPath, child, 'env', 'PLAIN']);
    assert.deepEqual(JSON.parse(r2.stdout), { PLAIN: fingerprint('from the second file') });
    const r3 = await exec(['--env-file', '.env', '--env-file', 'override.env', '--', process.execPath, child, 'env', 'PLAIN'], { env: { PLAIN: 'from the environment' } });
    assert.deepEqual(JSON.parse(r3.stdout), { PLAIN: fingerprint('from the environment') });
  });

  it('refuses an alias with no vault entry, naming the alias and never a value, and runs nothing', async () => {
    const r = await exec(['--', process.execPath, child, 'print', 'ANTHROPIC_API_KEY'], {
      env: { ANTHROPIC_API_KEY: 'outloop://acme/anthropic', OTHER_KEY: 'prefix-outloop://acme/missing' },
    });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no vault entry for outloop:\/\/acme\/missing \(in OTHER_KEY\); nothing was run/);
    assertNoLeak(r.stderr, KEY);
    assert.ok(!r.stderr.includes(PASSPHRASE));
  });

  it('says which env file and line is wrong, and what is missing', async () => {
    fs.writeFileSync(path.join(dir, 'bad.env'), `OK=1\nnot a line\n`);
    const r = await exec(['--env-file', 'bad.env', '--', process.execPath, child, 'exit', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.env:2: not a KEY=value line/);
    // In process: Node 20 itself exits 9 when any `--env-file` in a script's argv names a missing file.
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (c: Buffer) => err.push(c));
    const code = await execWithVault(['--env-file', 'nope.env', '--', process.execPath, child, 'exit', '0'], {
      vault: memoryVault({}),
      env: {},
      cwd: dir,
      stdio: { stdout: new PassThrough(), stderr, stdin: 'ignore' },
      forwardSignals: false,
    });
    assert.equal(code, 2);
    assert.match(Buffer.concat(err).toString(), /cannot read env file .*nope\.env: ENOENT/);
  });

  it('passes the exit code through', async () => {
    for (const code of [0, 3]) {
      const r = await exec(['--', process.execPath, child, 'exit', String(code)]);
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout, 'exiting\n');
    }
    const r = await exec(['--', path.join(dir, 'no-such-command')]);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /no-such-command: command not found/);
  });

  it('exits 128+N when the child dies of signal N', async () => {
    assert.equal((await exec(['--', process.execPath, child, 'signal', 'SIGTERM'])).code, 143);
    assert.equal((await exec(['--', process.execPath, child, 'signal', 'SIGKILL'])).code, 137);
  });

  it('forwards SIGTERM to the child, which may trap it', async () => {
    let sent = false;
    const r = await exec(['--', process.execPath, child, 'trap'], {
      onStdout: (text, pid) => {
        if (!sent && text.includes('ready\n')) {
          sent = true;
          process.kill(pid, 'SIGTERM');
        }
      },
    });
    assert.ok(sent);
    assert.equal(r.stdout, 'ready\ncaught SIGTERM\n');
    assert.equal(r.code, 7);
    assert.equal(r.signal, null);
  });

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`forwards ${signal} to a child that does not trap it, and exits ${code}`, async () => {
      const r = await exec(['--', process.execPath, child, 'wait'], {
        onStdout: (text, pid) => {
          if (text === 'ready\n') process.kill(pid, signal);
        },
      });
      assert.equal(r.code, code, r.stderr);
    });
  }

  it('passes binary output through byte for byte', async () => {
    const r = await exec(['--', process.execPath, child, 'binary'], { env: { ANTHROPIC_API_KEY: 'outloop://acme/anthropic' } });
    assert.equal(r.code, 0);
    assert.ok(r.raw.equals(Buffer.from(Array.from({ length: 256 }, (_, i) => i))));
  });
});

describe('execWithVault (in process)', () => {
  it('takes an injected vault and streams, and leaves the given environment alone', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ANTHROPIC_API_KEY: 'outloop://acme/anthropic', OUTLOOP_BROKER_LOG: brokerLog };
    const before = JSON.stringify(env);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    stdout.on('data', (c: Buffer) => out.push(c));
    const code = await execWithVault(['--', process.execPath, child, 'print', 'ANTHROPIC_API_KEY'], {
      vault: memoryVault({ 'outloop://acme/anthropic': KEY }),
      env,
      stdio: { stdout, stderr, stdin: 'ignore' },
      forwardSignals: false,
    });
    assert.equal(code, 0);
    const text = Buffer.concat(out).toString();
    assert.match(text, new RegExp(`fingerprint=${fingerprint(KEY)}`));
    assertNoLeak(text, KEY);
    assert.equal(JSON.stringify(env), before);
    assert.equal(process.env.ANTHROPIC_API_KEY === KEY, false);
  });

  it('runs without opening a vault when nothing needs resolving', async () => {
    const stdout = new PassThrough();
    stdout.resume();
    const code = await execWithVault(['--', process.execPath, child, 'exit', '0'], {
      vault: async () => {
        throw new Error('the vault was opened');
      },
      env: { PATH: process.env.PATH },
      stdio: { stdout, stderr: new PassThrough(), stdin: 'ignore' },
      forwardSignals: false,
    });
    assert.equal(code, 0);
  });

  it('parses its arguments', () => {
    assert.deepEqual(parseExecArgs(['--env-file', 'a', '--env-file=b', '--', 'cmd', '--env-file', 'x']), { envFiles: ['a', 'b'], command: 'cmd', args: ['--env-file', 'x'] });
    assert.deepEqual(parseExecArgs(['cmd', '-v']), { envFiles: [], command: 'cmd', args: ['-v'] });
    assert.throws(() => parseExecArgs(['--env-file']), UsageError);
    assert.throws(() => parseExecArgs(['--']), UsageError);
    assert.throws(() => parseExecArgs(['--bogus', '--', 'cmd']), UsageError);
  });
});
