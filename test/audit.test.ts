// `outloop audit ROOT` end to end: a temp agency with a config, client folders, and a HOME holding
// agent transcripts of sessions run inside and outside ROOT; then snapshots and what changed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { BrokerActivity } from '../src/audit/broker-activity.js';
import { fingerprint } from '../src/detect/redact.js';
import { appendBrokerRecords, type BrokerOutcome, type BrokerRecord } from '../src/exec/broker-log.js';
import { ANTHROPIC, CLI, fakeKey, runCli, tempDir, writeFiles } from './helpers.js';
import { onTerminal } from './pty.js';

interface Report {
  root: string;
  findings: Array<{ path: string; line: number; ruleId: string; fingerprint: string; source: string; tenant: string | null; owner: string | null; wrongClient?: boolean; severity: string; transcript?: { cwd: string } }>;
  summary: { findings: number; tenants?: Record<string, { findings: number; wrongClient: number; services: string[] }> };
  audit: { transcripts: number; saved: string | null; since: null | { date: string; new: number; fixed: number; open: number } };
}

const acmeKey = ANTHROPIC('audit:acme');
const globexKey = fakeKey('sk_live_{{alnum:24}}', 'audit:globex');
const outsideKey = fakeKey('ghp_{{alnum:30}}{{crc32b62}}', 'audit:outside');
const laterKey = fakeKey('xoxb-{{digits:12}}-{{digits:13}}-{{alnum:24}}', 'audit:later');

function session(cwd: string, text: string): string {
  return JSON.stringify({ type: 'user', sessionId: `s-${path.basename(cwd)}`, uuid: 'u1', cwd, timestamp: '2026-11-20T10:00:00.000Z', message: { role: 'user', content: text } }) + '\n';
}

function setup() {
  const base = tempDir('outloop-audit-');
  const root = path.join(base, 'clients');
  const home = path.join(base, 'home');
  writeFiles(root, {
    'outloop.config.json': JSON.stringify({
      tenants: {
        acme: { paths: ['acme/**'], keys: [{ name: 'anthropic', fingerprint: fingerprint(acmeKey) }] },
        globex: { paths: ['globex/**'], keys: [] },
      },
    }),
    'acme/web/.env': `ANTHROPIC_API_KEY=${acmeKey}\n`,
    'globex/api/.env': `STRIPE_SECRET_KEY=${globexKey}\n`,
  });
  writeFiles(home, {
    // A session run in globex's folder where acme's key was pasted: a wrong-client copy.
    '.claude/projects/-x-clients-globex-api/a.jsonl': session(path.join(root, 'globex/api'), `use ${acmeKey}`),
    // A session run elsewhere on the machine: not this audit's business.
    '.claude/projects/-x-elsewhere/b.jsonl': session(path.join(base, 'elsewhere'), `token ${outsideKey}`),
  });
  return { root, home };
}

const audit = (root: string, home: string, args: string[] = []) => runCli(['audit', root, ...args], { env: { HOME: home, CLAUDE_CONFIG_DIR: undefined, CODEX_HOME: undefined, XDG_CONFIG_HOME: undefined } });

describe('outloop audit', () => {
  const { root, home } = setup();
  const first = audit(root, home, ['--format', 'json', '--save']);
  const report = JSON.parse(first.stdout) as Report;

  it('scans ROOT and only the transcripts of sessions run inside it', () => {
    assert.equal(first.code, 1, first.stderr);
    assert.equal(report.audit.transcripts, 1);
    assert.ok(!report.findings.some((f) => f.fingerprint === fingerprint(outsideKey)), 'a session run outside ROOT is not audited');
    const copy = report.findings.find((f) => f.source === 'transcript');
    assert.deepEqual([copy?.fingerprint, copy?.tenant, copy?.owner, copy?.wrongClient, copy?.severity], [fingerprint(acmeKey), 'globex', 'acme', true, 'critical']);
    assert.equal(report.findings[0]?.wrongClient, true, 'wrong-client findings come first');
  });

  it('sums up per client', () => {
    assert.deepEqual(report.summary.tenants, {
      acme: { findings: 1, wrongClient: 0, services: ['Anthropic'] },
      globex: { findings: 2, wrongClient: 1, services: ['Anthropic', 'Stripe'] },
    });
  });

  it('saves a redacted snapshot, and the next audit says what is new, fixed and still open', () => {
    assert.match(report.audit.saved ?? '', /^\.outloop\/audits\/.+\.json$/);
    assert.equal(report.audit.since, null, 'nothing to compare with the first time');
    const snapshotText = fs.readFileSync(path.join(root, report.audit.saved!), 'utf8');
    for (const k of [acmeKey, globexKey]) assert.ok(!snapshotText.includes(k) && !snapshotText.includes(k.slice(8, 24)));
    // globex removes its Stripe key; acme gets a new Slack token.
    fs.writeFileSync(path.join(root, 'globex/api/.env'), 'STRIPE_SECRET_KEY=\n');
    fs.writeFileSync(path.join(root, 'acme/web/slack.env'), `SLACK_BOT_TOKEN=${laterKey}\n`);
    const second = audit(root, home, ['--format', 'json']);
    const again = JSON.parse(second.stdout) as Report;
    assert.deepEqual(again.audit.since && [again.audit.since.new, again.audit.since.fixed, again.audit.since.open], [1, 1, 2]);
    assert.equal(again.audit.saved, null, 'without --save nothing is written');
    assert.equal(fs.readdirSync(path.join(root, '.outloop/audits')).length, 1);
    assert.ok(!again.findings.some((f) => f.path.startsWith('.outloop/')), 'snapshots are not scanned');
  });

  it('prints a per-client table in text, and writes an HTML page with --format html', () => {
    const text = audit(root, home, ['--no-color']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /tenant\s+findings\s+wrong-client\s+new\s+fixed\s+services/);
    assert.match(text.stdout, /globex\s+1\s+1\s+/);
    assert.match(text.stdout, /WRONG CLIENT: key of "acme" found in "globex"/);
    const page = path.join(tempDir('outloop-audit-html-'), 'report.html');
    const html = audit(root, home, ['--format', 'html', '--output', page]);
    assert.equal(html.code, 1, html.stderr);
    const body = fs.readFileSync(page, 'utf8');
    assert.match(body, /<html/i);
    for (const k of [acmeKey, laterKey]) assert.ok(!body.includes(k));
    for (const out of [text.stdout, text.stderr, html.stdout, html.stderr]) for (const k of [acmeKey, globexKey, laterKey, outsideKey]) assert.ok(!out.includes(k));
  });

  it('on a terminal, shows the live view and ends with the per-client table', () => {
    // A real pseudo-terminal (python's pty), so stdout is a TTY as for a person at a terminal.
    const r = onTerminal([process.execPath, CLI, 'audit', root], [], { env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', NO_COLOR: '1', COLUMNS: '120' } });
    const screen = r.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(screen, /tenant\s+findings\s+wrong-client\s+new\s+fixed/);
    assert.match(screen, /acme\s+\d+/);
    assert.match(screen, /globex\s+\d+\s+1/);
    assert.match(screen, /WRONG CLIENT/);
    for (const k of [acmeKey, laterKey]) assert.ok(!r.output.includes(k));
  });

  it('--rewrite then takes the keys out of ROOT and out of its sessions\' transcripts', () => {
    const { root: r, home: h } = setup();
    const vaultDir = tempDir('outloop-audit-vault-');
    const env = { HOME: h, CLAUDE_CONFIG_DIR: undefined, CODEX_HOME: undefined, XDG_CONFIG_HOME: undefined, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(vaultDir, 'vault.json'), OUTLOOP_VAULT_PASSPHRASE: 'correct horse battery staple' };
    const transcript = path.join(h, '.claude/projects/-x-clients-globex-api/a.jsonl');
    // A transcript counts as live for a few minutes after its last write; this one is older.
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(transcript, old, old);
    const run = runCli(['audit', r, '--rewrite', '--yes', '--format', 'json'], { env });
    assert.equal(JSON.parse(run.stdout).findings.length, 3, run.stderr);
    const after = runCli(['audit', r, '--format', 'json', '--no-transcripts'], { env });
    const left = (JSON.parse(after.stdout) as Report).findings;
    assert.deepEqual(left.map((f) => f.ruleId), [], 'no key left in ROOT');
    const line = fs.readFileSync(transcript, 'utf8').trim();
    assert.ok(!line.includes(acmeKey), 'the transcript no longer holds the key');
    assert.match((JSON.parse(line) as { message: { content: string } }).message.content, /outloop:\/\/acme\/anthropic/);
    for (const out of [run.stdout, run.stderr, after.stdout]) for (const k of [acmeKey, globexKey]) assert.ok(!out.includes(k));
  });

  it('refuses a bad config with the field named, and exit 2', () => {
    const { root: bad, home: h } = setup();
    const cfg = path.join(bad, 'outloop.config.json');
    const cases: Array<[unknown, RegExp]> = [
      [{ tenants: { acme: { paths: ['acme/**'], colour: 'red' } } }, /tenants\.acme: unknown field "colour"/],
      [{ tenants: { acme: { paths: ['**'] }, globex: { paths: ['globex/**'] } } }, /"acme" and "globex" both claim globex/],
      [{ tenants: { acme: { keys: [{ name: 'anthropic', fingerprint: acmeKey }] } } }, /tenants\.acme\.keys\[0\]\.fingerprint: must be "sha256:"/],
      [{ tenants: { acme: { accounts: [acmeKey] } } }, /tenants\.acme\.accounts\[0\]: holds what looks like a raw Anthropic key/],
      [{ tenants: { acme: { paths: ['acme/[web'] } } }, /tenants\.acme\.paths\[0\]: invalid glob/],
    ];
    for (const [config, message] of cases) {
      fs.writeFileSync(cfg, JSON.stringify(config));
      const r = audit(bad, h, ['--format', 'json']);
      assert.equal(r.code, 2, JSON.stringify(config).slice(0, 60));
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes(acmeKey) && !r.stderr.includes(acmeKey.slice(14, 40)), 'the error never echoes the key');
    }
  });
});

describe("outloop audit: what the broker did in ROOT's workspaces", () => {
  it('counts what outloop exec resolved there and lists every refused attempt, from its log', () => {
    const { root, home } = setup();
    const log = path.join(path.dirname(root), 'broker.jsonl');
    const record = (time: string, rel: string, alias: string, outcome: BrokerOutcome, why: string): BrokerRecord => ({
      time,
      alias,
      variables: ['KEY'],
      workspace: rel.startsWith('/') ? rel : path.join(root, rel),
      workspaceTenant: null,
      command: 'node',
      outcome,
      why,
      pid: 1,
    });
    const recent = new Date(Date.now() - 3600_000).toISOString();
    const old = new Date(Date.now() - 40 * 24 * 3600_000).toISOString();
    appendBrokerRecords(log, [
      record(recent, 'acme/web', 'outloop://acme/anthropic', 'resolved', 'client "acme"\'s own key'),
      record(recent, 'globex/api', 'outloop://acme/anthropic', 'denied', 'client "acme"\'s key in client "globex"\'s workspace, and no grant covers it'),
      record(recent, 'globex/api', 'outloop://globex/stripe', 'withheld', 'another alias of this run was denied'),
      record(recent, 'globex/monitoring', 'outloop://acme/uptime', 'resolved', 'granted: the agency uptime check'),
      record(recent, 'globex/monitoring', 'outloop://acme/uptime', 'resolved', 'granted: the agency uptime check'),
      // Elsewhere on the machine, and before the window: not this audit's business.
      record(recent, path.join(path.dirname(root), 'clients-old/x'), 'outloop://acme/anthropic', 'denied', 'elsewhere'),
      record(old, 'acme/web', 'outloop://acme/anthropic', 'resolved', 'long ago'),
    ]);
    fs.appendFileSync(log, '{"time": "torn\n');
    const env = { HOME: home, CLAUDE_CONFIG_DIR: undefined, CODEX_HOME: undefined, XDG_CONFIG_HOME: undefined, OUTLOOP_BROKER_LOG: log };

    const json = runCli(['audit', root, '--format', 'json'], { env });
    const broker = (JSON.parse(json.stdout) as { audit: { broker: BrokerActivity } }).audit.broker;
    assert.deepEqual(
      { ...broker, since: typeof broker.since, denied: broker.denied.map((d) => [d.alias, path.relative(root, d.workspace)]), granted: broker.granted.map((g) => [g.alias, path.relative(root, g.workspace), g.times, g.why]) },
      {
        file: log,
        since: 'string',
        resolved: 3,
        missing: 0,
        withheld: 1,
        denied: [['outloop://acme/anthropic', path.join('globex', 'api')]],
        granted: [['outloop://acme/uptime', path.join('globex', 'monitoring'), 2, 'the agency uptime check']],
        unreadableLines: 1,
      },
    );
    const text = runCli(['audit', root], { env });
    assert.match(text.stdout, /outloop exec since \S+: 3 keys resolved, 1 refused, 0 not in the vault/);
    assert.match(text.stdout, /granted outloop:\/\/acme\/uptime in globex\/monitoring: 2 times, last \S+ \(the agency uptime check\)/);
    assert.match(text.stdout, /refused \S+ outloop:\/\/acme\/anthropic in globex\/api \(KEY, node\): client "acme"'s key in client "globex"'s workspace/);
    assert.match(text.stdout, /1 line of the log could not be read/);

    // No log: nothing to say.
    const none = runCli(['audit', root, '--format', 'json'], { env: { ...env, OUTLOOP_BROKER_LOG: path.join(home, 'none.jsonl') } });
    assert.equal((JSON.parse(none.stdout) as { audit: { broker: unknown } }).audit.broker, null);
  });
});
