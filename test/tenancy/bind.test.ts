/**
 * `outloop bind`: one key from stdin bound by fingerprint (piped, and typed on a real pseudo-terminal
 * where nothing may be echoed), the refusals (a key in argv, an unknown tenant, a name or key bound
 * already, something that is not a key), the config rewritten whole with its other fields kept, and
 * `--learn` proposing bindings from a scan of an agency-shaped folder. No raw key may reach stdout,
 * stderr, the terminal or the config.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runBind, type BindIo } from '../../src/cli/bind-command.js';
import { ConfigError, UsageError } from '../../src/model/errors.js';
import { scan } from '../../src/scan.js';
import { slug } from '../../src/tenancy/bind.js';
import { ANTHROPIC, fakeKey, REPO, tempDir, writeFiles } from '../helpers.js';
import { HAVE_PTY, onTerminal as onPty, type PtyRun, type PtyStep } from '../pty.js';

const STRIPE = (seed: string) => fakeKey('sk_live_{{alnum:24}}', `bind:${seed}`);
const sha = (key: string) => 'sha256:' + createHash('sha256').update(key, 'utf8').digest('hex');

const LEAK = 'a key on the command line leaks into ps and shell history; pipe it on stdin';
const NOT_A_KEY = 'not a key outloop recognises';

/** A config written compactly, with fields in an unusual order, so a rewrite that loses either shows. */
const CONFIG = {
  $schema: 'https://example.com/outloop.schema.json',
  tenants: {
    globex: { keys: [], paths: ['globex/**'] },
    acme: { paths: ['acme/**'], accounts: ['123-456-7890'] },
  },
  ignore: ['vendor/**'],
  roots: [],
};

function world(config: object = CONFIG): { dir: string; file: string } {
  const dir = tempDir('outloop-bind-');
  const file = path.join(dir, 'outloop.config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return { dir, file };
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** How often the command read standard input. */
  reads: number;
}

function sink(onText: (s: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      onText(chunk.toString());
      cb();
    },
  });
}

/** runBind with a fake Io and a non-terminal stdin, errors turned into exit 2 as run.ts does. */
async function bindIn(cwd: string, args: string[], input = ''): Promise<Ran> {
  const ran: Ran = { code: -1, stdout: '', stderr: '', reads: 0 };
  const io: BindIo = {
    stdout: sink((s) => (ran.stdout += s)),
    stderr: sink((s) => (ran.stderr += s)),
    readStdin: async () => {
      ran.reads++;
      return Buffer.from(input, 'utf8');
    },
    env: {},
    stdin: { isTTY: false, on: () => undefined, off: () => undefined, resume: () => undefined, pause: () => undefined },
    cwd,
  };
  try {
    ran.code = await runBind(args, io);
  } catch (err) {
    const parse = err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
    if (!(err instanceof UsageError || err instanceof ConfigError || parse)) throw err;
    ran.stderr += `outloop: ${(err as Error).message}\n`;
    ran.code = 2;
  }
  return ran;
}

function assertNoKey(texts: string[], ...keys: string[]): void {
  for (const key of keys) {
    // The whole key, and its secret middle: a redacted hint shows a prefix and the last 4 only.
    const middle = key.slice(10, -5);
    for (const t of texts) {
      assert.ok(!t.includes(key), 'the raw key was printed or stored');
      assert.ok(!t.includes(middle), 'a part of the key beyond its hint was printed or stored');
    }
  }
}

function readConfig(file: string): { text: string; data: any } {
  const text = fs.readFileSync(file, 'utf8');
  return { text, data: JSON.parse(text) };
}

describe('bind: one key from a pipe', () => {
  it('binds the key by its fingerprint, keeps the rest of the config, and says only its hint', async () => {
    const { dir, file } = world();
    const key = STRIPE('one');
    const r = await bindIn(dir, ['acme', 'stripe'], key + '\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.reads, 1);
    const { text, data } = readConfig(file);
    assert.deepEqual(data.tenants.acme.keys, [{ name: 'stripe', fingerprint: sha(key) }]);
    // Everything else as it was, in its order; the new field goes last; 2-space indent, final newline.
    assert.deepEqual(Object.keys(data), ['$schema', 'tenants', 'ignore', 'roots']);
    assert.deepEqual(Object.keys(data.tenants), ['globex', 'acme']);
    assert.deepEqual(Object.keys(data.tenants.acme), ['paths', 'accounts', 'keys']);
    assert.deepEqual(Object.keys(data.tenants.globex), ['keys', 'paths']);
    const expected = structuredClone(CONFIG) as any;
    expected.tenants.acme.keys = [{ name: 'stripe', fingerprint: sha(key) }];
    assert.equal(text, JSON.stringify(expected, null, 2) + '\n');
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /outloop:\/\/acme\/stripe/);
    assert.ok(r.stderr.includes(sha(key)), 'the fingerprint is printed');
    assert.match(r.stderr, /sk_liv…\S{4}/, 'the redacted hint is printed');
    assert.match(r.stderr, /Stripe/);
    assertNoKey([r.stdout, r.stderr, text], key);
    assert.deepEqual(fs.readdirSync(dir), ['outloop.config.json'], 'no temp file left behind');
  });

  it('writes the fingerprint a scan computes: the key in another client\'s folder is then a wrong-client finding', async () => {
    const { dir } = world();
    const key = ANTHROPIC('bind:scan');
    assert.equal((await bindIn(dir, ['acme', 'claude'], key)).code, 0);
    writeFiles(dir, { 'globex/app/.env': `ANTHROPIC_API_KEY=${key}\n`, 'acme/.env': `ANTHROPIC_API_KEY=${key}\n` });
    const result = await scan({ paths: [dir], workers: 0 });
    const byPath = Object.fromEntries(result.findings.map((f) => [f.path, f]));
    assert.equal(byPath['globex/app/.env']?.owner, 'acme');
    assert.equal(byPath['globex/app/.env']?.tenant, 'globex');
    assert.equal(byPath['globex/app/.env']?.wrongClient, true);
    assert.equal(byPath['acme/.env']?.owner, 'acme');
    assert.equal(byPath['acme/.env']?.wrongClient, undefined);
  });

  it('trims exactly one trailing newline (LF or CRLF)', async () => {
    const crlf = world();
    const key = STRIPE('crlf');
    assert.equal((await bindIn(crlf.dir, ['acme', 'stripe'], key + '\r\n')).code, 0);
    assert.equal(readConfig(crlf.file).data.tenants.acme.keys[0].fingerprint, sha(key));
    const bare = world();
    assert.equal((await bindIn(bare.dir, ['acme', 'stripe'], key)).code, 0);
    assert.equal(readConfig(bare.file).data.tenants.acme.keys[0].fingerprint, sha(key));
    const two = world();
    const r = await bindIn(two.dir, ['acme', 'stripe'], key + '\n\n');
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(NOT_A_KEY), r.stderr);
    assert.equal(fs.readFileSync(two.file, 'utf8'), JSON.stringify(CONFIG));
    assertNoKey([r.stderr, r.stdout], key);
  });

  it('finds the config from the current folder upward, or takes --config', async () => {
    const { dir, file } = world();
    fs.mkdirSync(path.join(dir, 'acme/web/src'), { recursive: true });
    const key = STRIPE('cwd');
    assert.equal((await bindIn(path.join(dir, 'acme/web/src'), ['acme', 'stripe'], key)).code, 0);
    assert.equal(readConfig(file).data.tenants.acme.keys[0].fingerprint, sha(key));

    const elsewhere = tempDir('outloop-bind-cwd-');
    const other = STRIPE('cwd2');
    const r = await bindIn(elsewhere, ['globex', 'stripe', '--config', file], other);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readConfig(file).data.tenants.globex.keys[0].fingerprint, sha(other));
    assert.ok(r.stderr.includes(file));

    const missing = await bindIn(elsewhere, ['acme', 'x', '--config', path.join(elsewhere, 'nope.json')], key);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json/);
    assert.equal(missing.reads, 0);
  });

  it('keeps the file mode and writes through a symlink to the real file', async () => {
    const { dir, file } = world();
    fs.chmodSync(file, 0o600);
    const link = path.join(dir, 'linked.json');
    fs.symlinkSync(file, link);
    const key = STRIPE('mode');
    assert.equal((await bindIn(dir, ['acme', 'stripe', '--config', link], key)).code, 0);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(readConfig(file).data.tenants.acme.keys[0].fingerprint, sha(key));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['linked.json', 'outloop.config.json']);
  });
});

describe('bind: refusals (exit 2, config untouched, key never shown)', () => {
  it('refuses a key given as an argument, before reading anything', async () => {
    const { dir, file } = world();
    const key = STRIPE('argv');
    const anthropic = ANTHROPIC('bind:argv');
    for (const args of [
      ['acme', key],
      ['acme', 'stripe', key],
      ['acme', 'stripe', 'extra'],
      ['acme', 'stripe', `--token=${anthropic}`],
      [key, 'stripe'],
    ]) {
      const r = await bindIn(dir, args, key);
      assert.equal(r.code, 2, `exit 2 for ${args.length} arguments`);
      assert.ok(r.stderr.includes(LEAK), r.stderr);
      assert.equal(r.reads, 0, 'stdin is not read');
      assertNoKey([r.stdout, r.stderr], key, anthropic);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(CONFIG));
  });

  it('refuses input that is not one whole key', async () => {
    const { dir, file } = world();
    const key = STRIPE('notkey');
    for (const input of ['hello world\n', `STRIPE_SECRET_KEY=${key}\n`, ` ${key}\n`, `${key}\n${ANTHROPIC('bind:second')}\n`]) {
      const r = await bindIn(dir, ['acme', 'stripe'], input);
      assert.equal(r.code, 2);
      assert.ok(r.stderr.includes(NOT_A_KEY), r.stderr);
      assertNoKey([r.stdout, r.stderr], key);
    }
    const empty = await bindIn(dir, ['acme', 'stripe'], '');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no key on standard input/);
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(CONFIG));
  });

  it('refuses an unknown tenant, listing the known ones, and a malformed name', async () => {
    const { dir, file } = world();
    const key = STRIPE('tenant');
    const r = await bindIn(dir, ['initech', 'stripe'], key);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown tenant "initech".*known tenants: acme, globex/);
    assert.equal(r.reads, 0, 'the key is not asked for when the binding cannot be made');
    const bad = await bindIn(dir, ['acme', 'a/b'], key);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid name "a\/b"/);
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(CONFIG));
  });

  it('refuses a name bound already unless --force, which rebinds it in place', async () => {
    const { dir, file } = world();
    const [first, second] = [STRIPE('name1'), STRIPE('name2')];
    const claude = ANTHROPIC('bind:name');
    assert.equal((await bindIn(dir, ['acme', 'stripe'], first)).code, 0);
    assert.equal((await bindIn(dir, ['acme', 'claude'], claude)).code, 0);
    const before = fs.readFileSync(file, 'utf8');
    const r = await bindIn(dir, ['acme', 'stripe'], second);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /outloop:\/\/acme\/stripe is already bound; use --force/);
    assert.equal(r.reads, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    const forced = await bindIn(dir, ['acme', 'stripe', '--force'], second);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /rebound outloop:\/\/acme\/stripe/);
    assert.deepEqual(readConfig(file).data.tenants.acme.keys, [
      { name: 'stripe', fingerprint: sha(second) },
      { name: 'claude', fingerprint: sha(claude) },
    ]);
    assertNoKey([r.stderr, forced.stderr, fs.readFileSync(file, 'utf8')], first, second, claude);
  });

  it("refuses a key bound to another tenant, naming it, even with --force", async () => {
    const { dir, file } = world();
    const key = STRIPE('owner');
    assert.equal((await bindIn(dir, ['acme', 'stripe'], key)).code, 0);
    const before = fs.readFileSync(file, 'utf8');
    for (const extra of [[], ['--force']]) {
      const r = await bindIn(dir, ['globex', 'billing', ...extra], key);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /already bound to tenant "acme" as outloop:\/\/acme\/stripe/);
      assertNoKey([r.stdout, r.stderr], key);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  it('refuses the same key under a second name in one tenant unless --force, which renames it', async () => {
    const { dir, file } = world();
    const key = STRIPE('rename');
    assert.equal((await bindIn(dir, ['acme', 'stripe'], key)).code, 0);
    const r = await bindIn(dir, ['acme', 'billing'], key);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already bound to "acme" as outloop:\/\/acme\/stripe; use --force/);
    const forced = await bindIn(dir, ['acme', 'billing', '--force'], key);
    assert.equal(forced.code, 0);
    assert.deepEqual(readConfig(file).data.tenants.acme.keys, [{ name: 'billing', fingerprint: sha(key) }]);
  });

  it('refuses --write and --format without --learn', async () => {
    const { dir } = world();
    assert.equal((await bindIn(dir, ['acme', 'stripe', '--write'], STRIPE('w'))).code, 2);
    assert.equal((await bindIn(dir, ['acme', 'stripe', '--format', 'json'], STRIPE('w'))).code, 2);
    assert.equal((await bindIn(dir, ['--learn', dir, '--format', 'sarif'])).code, 2);
  });
});

/** A script that runs runBind as the CLI will (argv, process.stdin, run.ts's error handling). */
function runnerScript(dir: string): string {
  const runner = path.join(dir, 'run-bind.mjs');
  const url = pathToFileURL(path.join(REPO, 'dist/src/cli/bind-command.js')).href;
  fs.writeFileSync(
    runner,
    `import { execFileSync } from 'node:child_process';
import { runBind } from ${JSON.stringify(url)};
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, readStdin: async () => { const c = []; for await (const x of process.stdin) c.push(x); return Buffer.concat(c); } };
let code;
try { code = await runBind(process.argv.slice(2), io); }
catch (err) {
  if (!['UsageError', 'ConfigError'].includes(err?.name)) throw err;
  process.stderr.write('outloop: ' + err.message + '\\n');
  code = 2;
}
// The terminal's settings as the command left them, read while it still runs (Node resets them at exit).
if (process.stdin.isTTY) process.stderr.write('@@STTY ' + execFileSync('stty', ['-a'], { stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' }).replace(/\\s+/g, ' ') + ' STTY@@\\n');
process.exitCode = code;
`,
  );
  return runner;
}

describe('bind: the command as a process', () => {
  it('reads a piped key from the real standard input and finds the config from its folder', () => {
    const { dir, file } = world();
    const runner = runnerScript(tempDir('outloop-bind-runner-'));
    fs.mkdirSync(path.join(dir, 'globex/api'), { recursive: true });
    const key = ANTHROPIC('bind:process');
    const r = spawnSync(process.execPath, [runner, 'globex', 'claude'], { cwd: path.join(dir, 'globex/api'), input: key + '\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readConfig(file).data.tenants.globex.keys, [{ name: 'claude', fingerprint: sha(key) }]);
    assert.match(r.stderr, /outloop:\/\/globex\/claude/);
    assertNoKey([r.stdout, r.stderr, fs.readFileSync(file, 'utf8')], key);
  });
});

/** Runs cmd on a real pseudo-terminal in `cwd`: waits for prompts, types what `send` says, returns what the terminal showed. */
function onTerminal(cwd: string, cmd: string[], steps: PtyStep[]): PtyRun {
  return onPty(cmd, steps, { cwd, waitSeconds: 30 });
}

/** The terminal settings the runner printed while the command still ran. */
function sttyFlags(output: string): string[] {
  const m = /@@STTY (.*?) STTY@@/s.exec(output);
  assert.ok(m, `the runner printed the terminal settings: ${output}`);
  return m[1]!.split(/[\s;]+/);
}

describe('bind: typed on a terminal', { skip: HAVE_PTY ? false : 'python3 with pty is not available' }, () => {
  it('the harness sees what a terminal echoes (a plain line read shows the typed key)', () => {
    // The control: without raw mode the terminal echoes, and the checks below would see the key.
    const dir = tempDir('outloop-bind-echo-');
    const key = STRIPE('echo');
    const r = onTerminal(dir, [process.execPath, '-e', "process.stderr.write('READY\\n'); process.stdin.once('data', () => process.exit(0))"], [{ wait: 'READY' }, { send: key + '\r' }]);
    assert.ok(r.completed);
    assert.ok(r.output.includes(key), 'a canonical, echoing terminal shows the key');
  });

  it('prompts on the terminal, echoes nothing, binds the key and restores the terminal', () => {
    const { dir, file } = world();
    const runner = runnerScript(tempDir('outloop-bind-runner-'));
    const key = STRIPE('tty');
    // A typo corrected with backspace must not end up in the key.
    const r = onTerminal(dir, [process.execPath, runner, 'acme', 'stripe'], [{ wait: 'input hidden' }, { send: key.slice(0, 12) }, { send: key.slice(12) + 'Q\x7f' }, { send: '\r' }]);
    assert.ok(r.completed, r.output);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Key for outloop:\/\/acme\/stripe/);
    assert.match(r.output, /bound outloop:\/\/acme\/stripe/);
    assertNoKey([r.output], key);
    assert.deepEqual(readConfig(file).data.tenants.acme.keys, [{ name: 'stripe', fingerprint: sha(key) }]);
    const flags = sttyFlags(r.output);
    assert.ok(flags.includes('echo') && flags.includes('icanon'), `echo and canonical mode are back on: ${flags.join(' ')}`);
  });

  it('on Ctrl-C: exits 130, writes nothing, shows nothing typed, and restores the terminal', () => {
    const { dir, file } = world();
    const runner = runnerScript(tempDir('outloop-bind-runner-'));
    const key = STRIPE('ctrlc');
    const r = onTerminal(dir, [process.execPath, runner, 'acme', 'stripe'], [{ wait: 'input hidden' }, { send: key.slice(0, 20) }, { send: '\x03' }]);
    assert.ok(r.completed, r.output);
    assert.equal(r.code, 130, r.output);
    assert.match(r.output, /cancelled/);
    assert.ok(!r.output.includes(key.slice(0, 20)), 'the typed part was not echoed');
    assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(CONFIG));
    const flags = sttyFlags(r.output);
    assert.ok(flags.includes('echo') && flags.includes('icanon') && flags.includes('isig'), `terminal restored: ${flags.join(' ')}`);
  });
});

describe('bind --learn', () => {
  // An agency: acme already binds one Stripe key; keys sit in one client's folders, in two, or outside any.
  const keys = {
    bound: STRIPE('l-bound'),
    acmeStripeWeb: STRIPE('l-acme-web'),
    acmeStripeNotes: STRIPE('l-acme-notes'),
    acmeClaude: ANTHROPIC('bind:l-acme'),
    globexStripe: STRIPE('l-globex'),
    shared: ANTHROPIC('bind:l-shared'),
    nowhere: ANTHROPIC('bind:l-nowhere'),
    mixed: STRIPE('l-mixed'),
  };
  const all = Object.values(keys);

  function agency(): { dir: string; file: string } {
    const config = {
      tenants: {
        acme: { paths: ['acme/**'], keys: [{ name: 'stripe', fingerprint: sha(keys.bound) }] },
        globex: { paths: ['globex/**'] },
        initech: { paths: ['initech/**'] },
      },
    };
    const w = world(config);
    writeFiles(w.dir, {
      'acme/web/.env': `STRIPE_SECRET_KEY=${keys.acmeStripeWeb}\nANTHROPIC_API_KEY=${keys.acmeClaude}\n`,
      'acme/web/config.ts': `export const stripe = '${keys.bound}';\n`,
      'acme/notes.txt': `todo\n\nrotate ${keys.acmeStripeNotes} soon\n`,
      'acme/shared.txt': `ANTHROPIC_API_KEY=${keys.shared}\n`,
      'globex/.env': `STRIPE_SECRET_KEY=${keys.globexStripe}\nANTHROPIC_API_KEY=${keys.shared}\n`,
      'initech/.env': `STRIPE_SECRET_KEY=${keys.mixed}\n`,
      'scratch/paste.txt': `ANTHROPIC_API_KEY=${keys.nowhere}\n\nSTRIPE_SECRET_KEY=${keys.mixed}\n`,
    });
    return w;
  }

  it('proposes a binding for each key found in one tenant only, and says why the others are not', async () => {
    const { dir, file } = agency();
    const before = fs.readFileSync(file, 'utf8');
    const r = await bindIn(dir, ['--learn', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.config, file);
    assert.equal(out.written, false);
    assert.deepEqual(
      out.proposals.map((p: any) => [p.alias, p.fingerprint, p.service, p.where]),
      [
        ['outloop://acme/anthropic', sha(keys.acmeClaude), 'Anthropic', ['acme/web/.env:2']],
        // `stripe` is taken by the bound key; numbered in the order they were found.
        ['outloop://acme/stripe-2', sha(keys.acmeStripeNotes), 'Stripe', ['acme/notes.txt:3']],
        ['outloop://acme/stripe-3', sha(keys.acmeStripeWeb), 'Stripe', ['acme/web/.env:1']],
        ['outloop://globex/stripe', sha(keys.globexStripe), 'Stripe', ['globex/.env:1']],
      ],
    );
    for (const p of out.proposals) {
      assert.match(p.name, /^[a-z0-9-]+$/);
      assert.equal(p.alias, `outloop://${p.tenant}/${p.name}`);
      assert.match(p.redacted, /…/);
    }
    const why = Object.fromEntries(out.notProposed.map((n: any) => [n.fingerprint, n]));
    assert.equal(Object.keys(why).length, 3, 'the bound key is neither proposed nor listed');
    assert.deepEqual(why[sha(keys.shared)].tenants, ['acme', 'globex']);
    assert.match(why[sha(keys.shared)].reason, /several tenants/);
    assert.deepEqual(why[sha(keys.shared)].where, ['acme/shared.txt:1', 'globex/.env:2']);
    assert.deepEqual(why[sha(keys.nowhere)].tenants, []);
    assert.match(why[sha(keys.nowhere)].reason, /no tenant/);
    assert.deepEqual(why[sha(keys.mixed)].tenants, ['initech']);
    assert.match(why[sha(keys.mixed)].reason, /outside any tenant's \(scratch\/paste\.txt:3\)/);
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'nothing is written without --write');
    assertNoKey([r.stdout, r.stderr], ...all);
  });

  it('prints the proposals as text, and with --write binds them so a scan knows their owners', async () => {
    const { dir, file } = agency();
    const cwd = path.join(dir, 'acme');
    const text = await bindIn(cwd, ['--learn', '..']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /4 bindings proposed/);
    assert.match(text.stdout, /outloop:\/\/acme\/stripe-2 {2}Stripe/);
    assert.match(text.stdout, /Not proposed \(3\)/);
    assert.match(text.stdout, /--write/);

    const written = await bindIn(cwd, ['--learn', '..', '--write']);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stderr, /4 bindings written/);
    const { text: configText, data } = readConfig(file);
    assert.deepEqual(data.tenants.acme.keys.map((k: any) => k.name), ['stripe', 'anthropic', 'stripe-2', 'stripe-3']);
    assert.deepEqual(data.tenants.globex, { paths: ['globex/**'], keys: [{ name: 'stripe', fingerprint: sha(keys.globexStripe) }] });
    assert.deepEqual(Object.keys(data.tenants.initech), ['paths']);
    assertNoKey([text.stdout, text.stderr, written.stdout, written.stderr, configText], ...all);

    const result = await scan({ paths: [dir], workers: 0 });
    const owners = new Map(result.findings.map((f) => [f.fingerprint, f.owner]));
    assert.equal(owners.get(sha(keys.acmeStripeWeb)), 'acme');
    assert.equal(owners.get(sha(keys.globexStripe)), 'globex');
    assert.equal(owners.get(sha(keys.shared)), null);

    const again = await bindIn(dir, ['--learn', '.', '--format', 'json', '--write']);
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout).proposals, [], 'nothing left to propose');
    assert.equal(fs.readFileSync(file, 'utf8'), configText);
  });

  it('needs a config with tenants', async () => {
    const { dir } = world({ ignore: [] });
    const r = await bindIn(dir, ['--learn', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /has no tenants/);
  });
});

describe('bind: names from services', () => {
  it('lowercases a service to letters, digits and dashes', () => {
    assert.equal(slug('Stripe'), 'stripe');
    assert.equal(slug('Hugging Face'), 'hugging-face');
    assert.equal(slug('Private key'), 'private-key');
    assert.equal(slug('  npm!! '), 'npm');
    assert.equal(slug('…'), 'key');
  });
});
