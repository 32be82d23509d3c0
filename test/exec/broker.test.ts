/**
 * The broker's grants and audit log around `outloop exec`: which workspaces may resolve which
 * aliases (GrantPolicy on real configs), and the CLI end to end against a real file vault in a temp
 * agency: refused runs run nothing, every alias asked for is logged, and the log holds no key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { fingerprint } from '../../src/detect/redact.js';
import { GrantPolicy } from '../../src/exec/grants.js';
import { ConfigError } from '../../src/model/errors.js';
import { Tenancy } from '../../src/tenancy/tenancy.js';
import { FileVault } from '../../src/vault/file.js';
import { ANTHROPIC, fakeKey, runCli, tempDir, writeFiles } from '../helpers.js';

const ACME_KEY = fakeKey('sk_live_{{alnum:24}}', 'broker:acme');
const GLOBEX_KEY = ANTHROPIC('broker:globex');
const PASSPHRASE = 'broker test passphrase';

const CONFIG = {
  tenants: {
    acme: { paths: ['clients/acme/**'] },
    globex: { paths: ['clients/globex/**'] },
  },
  grants: [
    { alias: 'outloop://acme/uptime', paths: ['clients/globex/monitoring/**'], reason: 'the agency uptime check runs from globex' },
    { alias: 'outloop://globex/*', paths: ['tools/reporting'], reason: 'monthly reports for every client' },
  ],
};

async function policyIn(config: object | null): Promise<{ root: string; policy: GrantPolicy }> {
  const root = tempDir('outloop-grants-');
  if (config) fs.writeFileSync(path.join(root, 'outloop.config.json'), JSON.stringify(config));
  const loaded = await loadConfig({ startDir: root });
  return { root, policy: new GrantPolicy(loaded, Object.keys(loaded.tenants).length ? new Tenancy(loaded) : null) };
}

describe('broker grants', () => {
  it("resolves a client's aliases in its own workspaces and nobody else's, unless a grant names the workspace", async () => {
    const { root, policy } = await policyIn(CONFIG);
    const at = (rel: string) => path.join(root, rel);
    const cases: Array<[string, string, boolean]> = [
      ['outloop://acme/stripe', 'clients/acme/web', true],
      ['outloop://acme/stripe', 'clients/acme', true],
      ['outloop://acme/stripe', 'clients/globex/web', false],
      ['outloop://acme/uptime', 'clients/globex/monitoring', true],
      ['outloop://acme/uptime', 'clients/globex/monitoring/probes', true],
      ['outloop://acme/uptime', 'clients/globex/web', false],
      ['outloop://acme/stripe', 'clients/globex/monitoring', false],
      ['outloop://globex/anthropic', 'tools/reporting', true],
      ['outloop://globex/sendgrid', 'tools/reporting', true],
      ['outloop://globex/sendgrid', 'tools/reporting/sub', false],
      ['outloop://acme/stripe', 'tools/reporting', false],
      // Keys found outside every client (the rewriter's `default` tenant) stay outside them.
      ['outloop://default/openai', 'tools', true],
      ['outloop://default/openai', '.', true],
      ['outloop://default/openai', 'clients/acme/web', false],
    ];
    for (const [alias, rel, granted] of cases) assert.equal(policy.decide(alias, at(rel)).granted, granted, `${alias} in ${rel}`);
    // Outside the config's folder no grant applies.
    assert.equal(policy.decide('outloop://acme/uptime', tempDir('outloop-elsewhere-')).granted, false);
    assert.match(policy.decide('outloop://acme/stripe', at('clients/globex/web')).why, /client "acme"'s key in client "globex"'s workspace/);
    assert.equal(policy.decide('outloop://acme/uptime', at('clients/globex/monitoring')).why, 'granted: the agency uptime check runs from globex');
  });

  it('resolves everything where no client is configured (there is nothing to tell workspaces apart by)', async () => {
    for (const config of [null, { ignore: ['dist/**'] }]) {
      const { root, policy } = await policyIn(config);
      const d = policy.decide('outloop://acme/stripe', root);
      assert.deepEqual([d.granted, d.why], [true, 'no clients configured']);
    }
  });

  it('validates grants with errors that name the field', async () => {
    const bad: Array<[object, RegExp]> = [
      [{ alias: 'acme/stripe', paths: ['x/**'], reason: 'a reason here' }, /grants\[0\]\.alias: must be an alias/],
      [{ alias: 'outloop://acme/stripe', paths: [], reason: 'a reason here' }, /grants\[0\]\.paths: name at least one workspace glob/],
      [{ alias: 'outloop://acme/stripe', paths: ['x/**'] }, /grants\[0\]\.reason/],
      [{ alias: 'outloop://acme/stripe', paths: ['/abs/**'], reason: 'a reason here' }, /grants\[0\]\.paths\[0\]: must be relative/],
      [{ alias: 'outloop://acme/stripe', paths: ['x/**'], reason: 'a reason here', tenant: 'acme' }, /grants\[0\]: unknown field "tenant"/],
    ];
    for (const [grant, message] of bad) {
      const root = tempDir('outloop-grants-');
      fs.writeFileSync(path.join(root, 'outloop.config.json'), JSON.stringify({ grants: [grant] }));
      await assert.rejects(loadConfig({ startDir: root }), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(grant));
    }
  });
});

describe('outloop exec through the broker', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let log: string;
  let script: string;

  before(async () => {
    root = tempDir('outloop-broker-');
    log = path.join(root, 'state', 'broker.jsonl');
    writeFiles(root, {
      'outloop.config.json': JSON.stringify(CONFIG),
      'clients/acme/web/.env': 'STRIPE_SECRET_KEY=outloop://acme/stripe\n',
      'clients/globex/web/.env': 'STRIPE_SECRET_KEY=outloop://acme/stripe\nANTHROPIC_API_KEY=outloop://globex/anthropic\n',
      'clients/globex/web/missing.env': 'ANTHROPIC_API_KEY=outloop://globex/anthropic\nSENDGRID_API_KEY=outloop://globex/sendgrid\n',
      'print.mjs': "import crypto from 'node:crypto';\nfor (const n of process.argv.slice(2)) console.log(`${n} sha256:${crypto.createHash('sha256').update(process.env[n] ?? '').digest('hex')}`);\n",
    });
    script = path.join(root, 'print.mjs');
    const vaultFile = path.join(root, 'vault.json');
    const vault = new FileVault({ file: vaultFile, passphrase: PASSPHRASE, kdf: { N: 1024, r: 8, p: 1 } });
    await vault.put('outloop://acme/stripe', ACME_KEY);
    await vault.put('outloop://globex/anthropic', GLOBEX_KEY);
    env = { HOME: path.join(root, 'home'), OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: vaultFile, OUTLOOP_VAULT_PASSPHRASE: PASSPHRASE, OUTLOOP_BROKER_LOG: log };
  });

  const records = () => fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const exec = (rel: string, envFile: string, names: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    runCli(['exec', '--env-file', envFile, '--', process.execPath, script, ...names], { cwd: path.join(root, rel), env: { ...env, ...extraEnv } });

  it("resolves a client's key in its own workspace and logs it with its fingerprint", () => {
    const r = exec('clients/acme/web', '.env', ['STRIPE_SECRET_KEY']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`STRIPE_SECRET_KEY ${fingerprint(ACME_KEY)}`));
    const last = records().at(-1)!;
    assert.deepEqual(
      { ...last, time: typeof last.time, pid: typeof last.pid },
      {
        time: 'string',
        alias: 'outloop://acme/stripe',
        variables: ['STRIPE_SECRET_KEY'],
        workspace: path.join(root, 'clients/acme/web'),
        workspaceTenant: 'acme',
        command: path.basename(process.execPath),
        outcome: 'resolved',
        why: 'client "acme"\'s own key',
        fingerprint: fingerprint(ACME_KEY),
        pid: 'number',
      },
    );
    assert.equal(fs.statSync(log).mode & 0o777, 0o600);
  });

  it("refuses another client's key before the vault is opened, runs nothing, and logs every alias of the run", () => {
    const before = records().length;
    // A wrong passphrase would fail the vault's check: the refusal comes first, so it never shows.
    const r = exec('clients/globex/web', '.env', ['STRIPE_SECRET_KEY', 'ANTHROPIC_API_KEY'], { OUTLOOP_VAULT_PASSPHRASE: 'wrong' });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '', 'nothing ran');
    assert.match(r.stderr, /not granted in .*clients\/globex\/web: outloop:\/\/acme\/stripe \(in STRIPE_SECRET_KEY\): client "acme"'s key in client "globex"'s workspace/);
    assert.ok(r.stderr.includes(`"grants": [{ "alias": "outloop://acme/stripe", "paths": ["clients/globex/web/**"]`), r.stderr);
    assert.doesNotMatch(r.stderr, /passphrase/);
    const added = records().slice(before);
    assert.deepEqual(
      added.map((x) => [x.alias, x.outcome]),
      [
        ['outloop://acme/stripe', 'denied'],
        ['outloop://globex/anthropic', 'withheld'],
      ],
    );
    assert.ok(added.every((x) => x.fingerprint === undefined));
  });

  it("judges a run from outside the agency's tree by the config above its env file", () => {
    const outside = tempDir('outloop-broker-outside-');
    const r = runCli(['exec', '--env-file', path.join(root, 'clients/acme/web/.env'), '--', process.execPath, script, 'STRIPE_SECRET_KEY'], { cwd: outside, env });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /outloop:\/\/acme\/stripe \(in STRIPE_SECRET_KEY\): client "acme"'s key in a folder of no client, and no grant covers it; nothing was run/);
    assert.doesNotMatch(r.stderr, /To allow it/, 'no grant can name a folder outside the config');
    assert.equal(records().at(-1)!.outcome, 'denied');
  });

  it('logs a missing vault entry as missing, and the run as not made', () => {
    const before = records().length;
    const r = exec('clients/globex/web', 'missing.env', ['ANTHROPIC_API_KEY', 'SENDGRID_API_KEY']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no vault entry for outloop:\/\/globex\/sendgrid/);
    assert.deepEqual(
      records()
        .slice(before)
        .map((x) => [x.alias, x.outcome]),
      [
        ['outloop://globex/anthropic', 'withheld'],
        ['outloop://globex/sendgrid', 'missing'],
      ],
    );
  });

  it('runs nothing when the log cannot be written', () => {
    const blocker = path.join(root, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const r = exec('clients/acme/web', '.env', ['STRIPE_SECRET_KEY'], { OUTLOOP_BROKER_LOG: path.join(blocker, 'broker.jsonl') });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /cannot write the broker's audit log .*not-a-folder\/broker\.jsonl \((EEXIST|ENOTDIR)\); nothing was run/);
  });

  it('keeps no key in the log, and the log goes to the XDG state folder by default', () => {
    const text = fs.readFileSync(log, 'utf8');
    for (const key of [ACME_KEY, GLOBEX_KEY]) assert.ok(!text.includes(key));
    const xdg = path.join(root, 'xdg-state');
    const r = exec('clients/acme/web', '.env', ['STRIPE_SECRET_KEY'], { OUTLOOP_BROKER_LOG: undefined, XDG_STATE_HOME: xdg });
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(xdg, 'outloop/broker.jsonl');
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8').trim()).outcome, 'resolved');
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  });
});
