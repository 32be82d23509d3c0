// The agency fixture (corpus/agency/): four clients, their transcripts and wrong-client copies. The
// scan must report exactly the findings of corpus/agency/expected.json (written by hand from the
// scenario, not from a scan), each with its tenant, owner, wrongClient and sharedWith.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AGENCY_MANIFEST, AGENCY_TEMPLATES, expandCorpus, type ExpectedFinding } from '../scripts/expand-corpus.js';
import type { Finding } from '../src/model/finding.js';
import { scan } from '../src/scan.js';
import { REPO, runCli, tempDir } from './helpers.js';

interface Expected {
  path: string;
  line: number;
  ruleId: string;
  /** The named secret («[rule#NAME]» in the templates) whose fingerprint the finding has, or null for an unnamed one. */
  fingerprintOf: string | null;
  tenant: string | null;
  owner: string | null;
  wrongClient: boolean;
  sharedWith: string[] | null;
}

const EXPECTED: Expected[] = JSON.parse(fs.readFileSync(path.join(REPO, 'corpus/agency/expected.json'), 'utf8'));
const TENANTS = ['acme', 'globex', 'hooli', 'initech'];
const where = (f: { path: string; line: number; ruleId: string }) => `${f.path}:${f.line} ${f.ruleId}`;
const sorted = (xs: string[]) => [...xs].sort();

describe('agency fixture', async () => {
  const world = tempDir('outloop-agency-');
  const expanded = expandCorpus(world, AGENCY_TEMPLATES, { dotGit: true });
  const result = await scan({ paths: [world], workers: 0 });

  // A named secret's fingerprint, from the manifest the templates produce.
  const named = new Map<string, string>();
  for (const e of expanded.expected) {
    if (e.name === undefined) continue;
    assert.equal(named.get(e.name) ?? e.fingerprint, e.fingerprint, `every copy of "${e.name}" has one value`);
    named.set(e.name, e.fingerprint);
  }
  const manifestAt = (x: Expected): ExpectedFinding[] => expanded.expected.filter((e) => where(e) === where(x));
  const fingerprintOf = (x: Expected): string => {
    if (x.fingerprintOf !== null) {
      const fp = named.get(x.fingerprintOf);
      assert.ok(fp, `expected.json names "${x.fingerprintOf}", which no template defines`);
      return fp;
    }
    const at = manifestAt(x);
    assert.equal(at.length, 1, `${where(x)}: one planted secret there`);
    assert.equal(at[0]!.name, undefined, `${where(x)}: the secret there is named "${at[0]!.name}", say so in fingerprintOf`);
    return at[0]!.fingerprint;
  };
  const identity = (f: { path: string; line: number; ruleId: string; fingerprint: string }) => `${where(f)} ${f.fingerprint}`;
  const findingsAt = (x: Expected): Finding[] => result.findings.filter((f) => where(f) === where(x));

  it('committed manifest matches the templates', () => {
    const committed = JSON.parse(fs.readFileSync(AGENCY_MANIFEST, 'utf8'));
    assert.deepEqual(committed, { files: expanded.files, expected: expanded.expected, decoys: expanded.decoys });
  });

  it('expected.json lists exactly the secrets the templates plant', () => {
    assert.deepEqual(sorted(EXPECTED.map((x) => identity({ ...x, fingerprint: fingerprintOf(x) }))), sorted(expanded.expected.map(identity)));
  });

  it('writes the remotes-only client\'s repository config as .git/config', () => {
    const config = fs.readFileSync(path.join(world, 'projects/nucleus/.git/config'), 'utf8');
    assert.match(config, /url = git@github\.com:hooli-xyz\/nucleus\.git/);
    assert.ok(!fs.existsSync(path.join(world, 'projects/nucleus/_git')));
  });

  it('the config binds keys by fingerprint only', () => {
    const text = fs.readFileSync(path.join(world, 'outloop.config.json'), 'utf8');
    const config = JSON.parse(text) as { tenants: Record<string, { keys: Array<{ fingerprint: string }>; accounts: string[] }> };
    assert.deepEqual(Object.keys(config.tenants).sort(), TENANTS);
    const bound = Object.values(config.tenants).flatMap((t) => t.keys.map((k) => k.fingerprint));
    assert.equal(bound.length, 7);
    for (const fp of bound) assert.ok([...named.values()].includes(fp), `${fp} is a planted secret's`);
    // Account ids are planted too (as foreign-account findings), and belong in the config.
    const accounts = new Set(Object.values(config.tenants).flatMap((t) => t.accounts.flatMap((a) => [a, a.replace(/-/g, '')])));
    const keys = expanded.raw.filter((v) => !accounts.has(v));
    assert.equal(keys.length, expanded.expected.filter((e) => e.ruleId !== 'foreign-account').length);
    for (const value of keys) assert.ok(!text.includes(value), 'no raw key in the config');
  });

  it('scans with the world\'s config and its four tenants', () => {
    assert.equal(result.config, path.join(world, 'outloop.config.json'));
    assert.deepEqual(result.tenants, TENANTS);
    assert.deepEqual(result.suppressed, []);
  });

  it('finds exactly the expected findings, each once, with the expected fingerprint', () => {
    assert.deepEqual(sorted(result.findings.map(identity)), sorted(EXPECTED.map((x) => identity({ ...x, fingerprint: fingerprintOf(x) }))));
  });

  for (const x of EXPECTED) {
    const label = `${x.path}:${x.line} ${x.ruleId}: tenant ${x.tenant}, owner ${x.owner}${x.wrongClient ? ', wrong client' : ''}${x.sharedWith ? `, shared with ${x.sharedWith.join('+')}` : ''}`;
    it(label, () => {
      const at = findingsAt(x);
      assert.equal(at.length, 1, `one finding at ${where(x)}`);
      const f = at[0]!;
      assert.equal(f.fingerprint, fingerprintOf(x), 'fingerprint');
      assert.equal(f.tenant, x.tenant, 'tenant');
      assert.equal(f.owner, x.owner, 'owner');
      if (x.wrongClient) {
        assert.equal(f.wrongClient, true, 'wrongClient');
        assert.equal(f.severity, 'critical', 'a wrong-client finding is critical');
      } else {
        assert.ok(f.wrongClient === undefined || f.wrongClient === false, `wrongClient is ${String(f.wrongClient)}`);
      }
      if (x.sharedWith) assert.deepEqual(f.sharedWith, x.sharedWith, 'sharedWith');
      else assert.equal(f.sharedWith, undefined, 'sharedWith');
    });
  }

  it('lists the wrong-client findings first, all critical', () => {
    const count = EXPECTED.filter((x) => x.wrongClient).length;
    const flags = result.findings.map((f) => f.wrongClient === true);
    assert.deepEqual(flags, flags.map((_, i) => i < count));
    assert.ok(result.findings.slice(0, count).every((f) => f.severity === 'critical'));
  });

  it('reports foreign accounts with the owner of the account and the tenant of the place', () => {
    const foreign = result.findings.filter((f) => f.ruleId === 'foreign-account');
    assert.deepEqual(sorted(foreign.map(where)), sorted(EXPECTED.filter((x) => x.ruleId === 'foreign-account').map(where)));
    for (const f of foreign) {
      assert.ok(f.tenant !== null && f.owner !== null && f.tenant !== f.owner, `${where(f)}: ${f.tenant} / ${f.owner}`);
      assert.match(f.description, new RegExp(`client "${f.owner}" in client "${f.tenant}"`));
    }
  });

  it('the fixture covers what the issue asks for', () => {
    // Keeps the fixture from being thinned out: every tenant, transcripts of both agents, copies.
    for (const t of TENANTS) {
      assert.ok(EXPECTED.some((x) => x.tenant === t && x.owner === t && x.ruleId !== 'foreign-account'), `${t}: its own key in its place`);
    }
    const transcript = (x: Expected) => findingsAt(x)[0]?.transcript?.agent;
    const wrong = EXPECTED.filter((x) => x.wrongClient);
    assert.ok(wrong.some((x) => x.path.endsWith('.env')), 'a wrong-client .env');
    assert.ok(wrong.some((x) => transcript(x) === 'claude-code'), 'a wrong-client Claude Code transcript');
    assert.ok(wrong.some((x) => transcript(x) === 'codex'), 'a wrong-client Codex transcript');
    assert.ok(EXPECTED.some((x) => x.tenant === 'hooli' && transcript(x) === 'codex'), 'a transcript in the remotes-only client\'s repository');
    assert.ok(EXPECTED.some((x) => x.sharedWith && x.sharedWith.length >= 2), 'an unbound key shared by two clients');
    assert.ok(EXPECTED.some((x) => x.tenant === null && x.path.startsWith('home/') && !transcript(x)), 'a key in the home folder outside any client');
    assert.ok(EXPECTED.some((x) => x.ruleId === 'foreign-account' && transcript(x)), 'a foreign account in a transcript');
  });

  it('the CLI reports the same, with wrong-client findings first and a per-tenant summary', () => {
    const run = runCli(['scan', world, '--format', 'json']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: Finding[]; summary: { tenants: Record<string, { findings: number; wrongClient: number }> } };
    const row = (f: { path: string; line: number; ruleId: string; tenant: string | null; owner: string | null; wrongClient?: boolean; sharedWith?: string[] | null }) =>
      `${where(f)} ${f.tenant} ${f.owner} ${f.wrongClient === true} ${(f.sharedWith ?? []).join('+')}`;
    assert.deepEqual(sorted(report.findings.map(row)), sorted(EXPECTED.map(row)));
    const count = EXPECTED.filter((x) => x.wrongClient).length;
    assert.deepEqual(report.findings.map((f) => f.wrongClient === true), report.findings.map((_, i) => i < count));
    const tenants: Record<string, { findings: number; wrongClient: number }> = {};
    for (const t of TENANTS) {
      const mine = EXPECTED.filter((x) => x.tenant === t);
      tenants[t] = { findings: mine.length, wrongClient: mine.filter((x) => x.wrongClient).length };
    }
    const got = Object.fromEntries(Object.entries(report.summary.tenants).map(([t, s]) => [t, { findings: s.findings, wrongClient: s.wrongClient }]));
    assert.deepEqual(got, tenants);
  });
});
