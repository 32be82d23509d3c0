// The acceptance test of issue #7, through the real CLI (dist/src/cli/main.js) and the real `file`
// vault, on an expanded copy of the agency fixture (corpus/agency/): `outloop rewrite WORLD --yes`
// rewrites every key; `outloop scan` then finds no raw key (what it still reports is exactly what the
// rewriter said it left, with why); every rewritten file still parses in its own format; `outloop
// exec --env-file CLIENT/.env` hands a script the real keys (proved by fingerprint, never printed);
// `outloop undo` restores every file byte for byte. No output, journal, config or vault file holds a
// planted key in clear at any point.
import { parse as babelParse } from '@babel/parser';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { AGENCY_TEMPLATES, expandCorpus } from '../../scripts/expand-corpus.js';
import { fingerprint } from '../../src/detect/redact.js';
import type { Finding } from '../../src/model/finding.js';
import { REPO, runCli, tempDir, type CliRun } from '../helpers.js';
import { leaks } from './fixture.js';

interface Reported {
  path: string;
  line: number;
  fingerprint: string;
  reason: string;
}

interface RewriteReport {
  runId: string;
  rewritten: Array<{ path: string; keys: number; aliases: string[] }>;
  notRewritten: Reported[];
  leftInPlace: Reported[];
  conflicts: unknown[];
  bindings: Array<{ alias: string; fingerprint: string }>;
}

const ALIAS = /outloop:\/\/[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*/;
const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

/** Every regular file under dir (relative, `/`-separated), `.outloop/` (journal, lock) left out unless asked. */
function walk(dir: string, withState = false, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (!withState && rel === '.outloop') continue;
    if (e.isDirectory()) out.push(...walk(dir, withState, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

const hashes = (dir: string) => Object.fromEntries(walk(dir).map((rel) => [rel, sha(fs.readFileSync(path.join(dir, rel)))]));

/** Whether a file parses in its own format; null for formats with no grammar to hold (Markdown, shell history). */
function parses(rel: string, text: string): boolean | null {
  const t = text.replace(/^\uFEFF/, '');
  const base = path.basename(rel);
  try {
    if (rel.endsWith('.json')) return JSON.parse(t) !== undefined;
    if (rel.endsWith('.jsonl')) return t.split('\n').every((l) => l === '' || JSON.parse(l) !== undefined);
    if (rel.endsWith('.yaml') || rel.endsWith('.yml')) return YAML.parseAllDocuments(t).every((d) => !('errors' in d) || d.errors.length === 0);
    if (rel.endsWith('.ts')) return Boolean(babelParse(t, { sourceType: 'module', plugins: ['typescript'] }));
    if (rel.endsWith('.js') || rel.endsWith('.mjs')) return Boolean(babelParse(t, { sourceType: 'unambiguous' }));
    if (base === '.env' || base.startsWith('.env.')) {
      return t.split(/\r?\n/).every((l) => /^\s*(#.*)?$/.test(l) || /^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|'[^']*'|[^\s'"#]*)(\s+#.*)?$/.test(l));
    }
    return null;
  } catch {
    return false;
  }
}

/** NAME=value pairs of a .env file (quotes removed). */
function envPairs(text: string): Array<[string, string]> {
  return text.split(/\r?\n/).flatMap((l) => {
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/.exec(l);
    return m ? [[m[1]!, m[3] ?? m[4] ?? m[5] ?? ''] as [string, string]] : [];
  });
}

const where = (x: { path: string; line: number; fingerprint: string }) => `${x.path}:${x.line} ${x.fingerprint}`;

describe('acceptance (#7): rewrite the agency fixture, scan, parse, exec, undo', () => {
  const base = tempDir('outloop-accept-');
  const world = path.join(base, 'world');
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  const vaultFile = path.join(base, 'vault', 'vault.json');
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    OUTLOOP_VAULT: 'file',
    OUTLOOP_VAULT_FILE: vaultFile,
    OUTLOOP_VAULT_PASSPHRASE: 'correct horse battery staple (acceptance)',
  };
  const cli = (args: string[], cwd = base): CliRun => runCli(args, { cwd, env });

  const expanded = expandCorpus(world, AGENCY_TEMPLATES, { dotGit: true });
  // The fixture's sessions ended long ago (its transcripts are dated 2026-12): not live ones.
  const old = new Date(Date.now() - 2 * 3600_000);
  for (const rel of walk(world)) fs.utimesSync(path.join(world, rel), old, old);

  // The planted keys (account ids are planted too, as foreign-account findings: they are no keys).
  const config = JSON.parse(fs.readFileSync(path.join(world, 'outloop.config.json'), 'utf8')) as { tenants: Record<string, { accounts?: string[] }> };
  const accounts = new Set(Object.values(config.tenants).flatMap((t) => (t.accounts ?? []).flatMap((a) => [a, a.replace(/-/g, '')])));
  const keys = [...new Set(expanded.raw.filter((v) => !accounts.has(v)))];
  const keyFindings = expanded.expected.filter((e) => e.ruleId !== 'foreign-account');
  const accountFindings = expanded.expected.filter((e) => e.ruleId === 'foreign-account');
  const original = new Map(walk(world).map((rel) => [rel, fs.readFileSync(path.join(world, rel))]));
  const before = hashes(world);
  const outputs: string[] = [];
  let report: RewriteReport;

  it('the fixture plants keys in .env, TypeScript, Markdown and JSONL transcript files', () => {
    assert.ok(keys.length >= 10, `${keys.length} distinct keys`);
    for (const ext of ['.env', '.ts', '.jsonl', '.md']) assert.ok(keyFindings.some((e) => e.path.endsWith(ext)), `a key in a ${ext} file`);
  });

  it('rewrite --dry-run shows the plan redacted and changes nothing', () => {
    const dry = cli(['rewrite', world, '--dry-run']);
    outputs.push(dry.stdout, dry.stderr);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /outloop:\/\//);
    assert.deepEqual(leaks(dry.stdout + dry.stderr, keys), []);
    assert.deepEqual(hashes(world), before);
    assert.equal(fs.existsSync(path.join(world, '.outloop', 'journal')), false);
  });

  it('(1) `outloop rewrite WORLD --yes` rewrites every key and says why it leaves the rest', () => {
    const run = cli(['rewrite', world, '--yes', '--format', 'json']);
    outputs.push(run.stdout, run.stderr);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    report = JSON.parse(run.stdout) as RewriteReport;
    assert.deepEqual(report.conflicts, []);
    assert.deepEqual(report.notRewritten, [], 'every key of the fixture is rewritable');
    // Every file holding a planted key was rewritten, with as many keys as were planted in it.
    const planted = new Map<string, number>();
    for (const e of keyFindings) planted.set(e.path, (planted.get(e.path) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(report.rewritten.map((f) => [f.path, f.keys])), Object.fromEntries(planted));
    for (const f of report.rewritten) for (const a of f.aliases) assert.match(a, new RegExp(`^${ALIAS.source}$`));
    // The account ids stay, each said why.
    assert.deepEqual(report.leftInPlace.map(where).sort(), accountFindings.map(where).sort());
    for (const x of report.leftInPlace) assert.match(x.reason, /^left in place: an account id, not a key/);
    assert.equal(fs.readdirSync(path.join(world, '.outloop', 'journal')).filter((n) => n.endsWith('.json')).length, 1);
  });

  it('(2) `outloop scan WORLD` then finds no raw key: only what the rewriter said it left', () => {
    const run = cli(['scan', world, '--format', 'json']);
    outputs.push(run.stdout, run.stderr);
    const findings = (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
    const keyFps = new Set(keys.map((k) => fingerprint(k)));
    assert.deepEqual(findings.filter((f) => keyFps.has(f.fingerprint)).map(where), [], 'no planted key is found');
    const explained = [...report.notRewritten, ...report.leftInPlace];
    assert.deepEqual(findings.map(where).sort(), explained.map(where).sort(), 'every finding left is one the rewriter explained');
    assert.equal(run.code, findings.length ? 1 : 0);
    // And not as text either: no file holds a planted key in any form (raw, \u002d-escaped, base64).
    for (const rel of walk(world, true)) assert.deepEqual(leaks(fs.readFileSync(path.join(world, rel), 'latin1'), keys), [], `${rel} holds a planted key`);
  });

  it('(3) every rewritten file still parses in its own format, and holds an alias where each key was', () => {
    const formats = new Set<string>();
    for (const f of report.rewritten) {
      const text = fs.readFileSync(path.join(world, f.path), 'utf8');
      const was = original.get(f.path)!.toString('utf8');
      const ok = parses(f.path, text);
      if (parses(f.path, was) !== null) {
        assert.equal(parses(f.path, was), true, `${f.path} parsed before`);
        assert.equal(ok, true, `${f.path} still parses`);
        formats.add(path.extname(f.path) || path.basename(f.path));
      }
      const lines = text.split('\n');
      const wasLines = was.split('\n');
      assert.equal(lines.length, wasLines.length, `${f.path}: same number of lines`);
      for (const e of keyFindings.filter((x) => x.path === f.path)) assert.match(lines[e.line - 1]!, ALIAS, `${f.path}:${e.line} holds an alias`);
      if (f.path.endsWith('.jsonl')) {
        // Each line is the same JSON but for the strings that held a key.
        const shape = (v: unknown): unknown => (typeof v === 'string' ? (v.includes('outloop://') ? 's' : v) : Array.isArray(v) ? v.map(shape) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : v);
        const keyed = (v: unknown): unknown => (typeof v === 'string' ? (keys.some((k) => v.includes(k)) ? 's' : v) : Array.isArray(v) ? v.map(keyed) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keyed(x)])) : v);
        lines.forEach((l, i) => l && assert.deepEqual(shape(JSON.parse(l)), keyed(JSON.parse(wasLines[i]!)), `${f.path}:${i + 1}`));
      }
    }
    for (const ext of ['.env', '.ts', '.jsonl']) assert.ok(formats.has(ext), `a rewritten ${ext} file was checked`);
    // Files the rewrite did not touch, and the config it added bindings to, parse too.
    for (const rel of walk(world)) if (parses(rel, fs.readFileSync(path.join(world, rel), 'utf8')) !== null) assert.equal(parses(rel, fs.readFileSync(path.join(world, rel), 'utf8')), true, rel);
    const bound = JSON.parse(fs.readFileSync(path.join(world, 'outloop.config.json'), 'utf8')) as { tenants: Record<string, { keys?: Array<{ fingerprint: string }> }> };
    const fps = new Set(Object.values(bound.tenants).flatMap((t) => (t.keys ?? []).map((k) => k.fingerprint)));
    for (const k of keys) assert.ok(fps.has(fingerprint(k)), `${fingerprint(k).slice(0, 19)}… is bound in the config`);
  });

  it('(4) `outloop exec --env-file CLIENT/.env -- node script.js` hands the script the real keys, masked in its output', () => {
    const script = path.join(base, 'fingerprints.mjs');
    fs.writeFileSync(
      script,
      [
        "import crypto from 'node:crypto';",
        'for (const name of process.argv.slice(2)) {',
        '  const v = process.env[name] ?? "";',
        "  console.log(`${name} sha256:${crypto.createHash('sha256').update(v).digest('hex')}`);",
        '  // A careless script prints the key itself: exec masks it as it streams.',
        '  console.log(`${name} raw ${v}`);',
        '  console.error(`${name} on stderr ${v}`);',
        '}',
        '',
      ].join('\n'),
    );
    const envFiles = walk(world).filter((rel) => path.basename(rel) === '.env');
    assert.ok(envFiles.length >= 3, envFiles.join(', '));
    // Whose place each file is, as the hand-written expectations say.
    const handWritten = JSON.parse(fs.readFileSync(path.join(REPO, 'corpus/agency/expected.json'), 'utf8')) as Array<{ path: string; tenant: string | null }>;
    const placeOf = new Map(handWritten.map((e) => [e.path, e.tenant]));
    let checked = 0;
    const denied: Array<{ rel: string; foreign: string[]; planted: Array<[string, string]> }> = [];
    const execIn = (rel: string, planted: Array<[string, string]>) => {
      const run = cli(['exec', '--env-file', path.join(world, rel), '--', process.execPath, script, ...planted.map(([n]) => n)], path.dirname(path.join(world, rel)));
      outputs.push(run.stdout, run.stderr);
      return run;
    };
    const expectResolved = (rel: string, planted: Array<[string, string]>, run: CliRun) => {
      assert.equal(run.code, 0, run.stderr);
      for (const [name, value] of planted) {
        assert.ok(run.stdout.includes(`${name} ${fingerprint(value)}\n`), `${rel}: ${name} reached the script with the planted key's fingerprint`);
        assert.match(run.stdout, new RegExp(`${name} raw \\*\\*\\*`), `${rel}: ${name} masked on stdout`);
        assert.match(run.stderr, new RegExp(`${name} on stderr \\*\\*\\*`), `${rel}: ${name} masked on stderr`);
        checked++;
      }
      assert.deepEqual(leaks(run.stdout + run.stderr, keys), [], `${rel}: exec output holds no raw key`);
    };
    for (const rel of envFiles) {
      const planted = envPairs(original.get(rel)!.toString('utf8')).filter(([, v]) => keys.includes(v));
      if (!planted.length) continue;
      const now = new Map(envPairs(fs.readFileSync(path.join(world, rel), 'utf8')));
      for (const [name] of planted) assert.match(now.get(name)!, new RegExp(`^${ALIAS.source}$`), `${rel}: ${name} is an alias now`);
      const run = execIn(rel, planted);
      // Another client's alias in this client's folder (a wrong-client or shared key, rewritten) is not
      // granted here: nothing runs, and the message names the alias and the grant that would allow it.
      const place = placeOf.get(rel) ?? 'default';
      const foreign = planted.map(([name]) => now.get(name)!).filter((alias) => alias.split('/')[2] !== place);
      if (!foreign.length) {
        expectResolved(rel, planted, run);
        continue;
      }
      assert.equal(run.code, 2, `${rel}: ${foreign.join(', ')} must not resolve in ${place}'s folder`);
      assert.equal(run.stdout, '', `${rel}: nothing ran`);
      for (const alias of foreign) assert.ok(run.stderr.includes(`${alias} (in `), `${rel}: ${alias} named`);
      assert.match(run.stderr, /To allow it, add to .*outloop\.config\.json: "grants": \[/);
      denied.push({ rel, foreign, planted });
    }
    assert.ok(denied.length >= 1, "the fixture's wrong-client .env is refused");
    // Granted in the config, the same runs resolve; the config's bytes are put back for (5)'s undo.
    const configFile = path.join(world, 'outloop.config.json');
    const configText = fs.readFileSync(configFile, 'utf8');
    const grants = denied.flatMap((d) => d.foreign.map((alias) => ({ alias, paths: [`${path.dirname(d.rel)}/**`], reason: 'acceptance: this workspace runs the shared job' })));
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(configText), grants }, null, 2));
    try {
      for (const d of denied) expectResolved(d.rel, d.planted, execIn(d.rel, d.planted));
    } finally {
      fs.writeFileSync(configFile, configText);
    }
    assert.ok(checked >= 8, `${checked} keys checked through exec`);
    // The broker logged every alias asked for: resolved ones with their fingerprint, refused ones as denied.
    const log = fs.readFileSync(path.join(home, '.local/state/outloop/broker.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; alias: string; fingerprint?: string; workspace: string });
    assert.equal(log.filter((r) => r.outcome === 'resolved').length, checked);
    assert.ok(log.filter((r) => r.outcome === 'resolved').every((r) => /^sha256:[0-9a-f]{64}$/.test(r.fingerprint ?? '')));
    assert.ok(log.some((r) => r.outcome === 'denied' && denied.some((d) => r.workspace === path.dirname(path.join(world, d.rel)))));
  });

  it('no output, journal, config or vault file holds a planted key in clear', () => {
    assert.deepEqual(leaks(outputs.join('\n'), keys), [], 'CLI output');
    const state = walk(path.join(world, '.outloop'), true).map((rel) => fs.readFileSync(path.join(world, '.outloop', rel), 'latin1'));
    assert.ok(state.length >= 1);
    assert.deepEqual(leaks(state.join('\n'), keys), [], 'journal');
    assert.deepEqual(leaks(fs.readFileSync(path.join(world, 'outloop.config.json'), 'latin1'), keys), [], 'config');
    const vault = fs.readFileSync(vaultFile, 'latin1');
    assert.deepEqual(leaks(vault, keys), [], 'vault file');
    assert.equal(fs.statSync(vaultFile).mode & 0o777, 0o600, 'vault file mode');
    for (const b of report.bindings) assert.ok(vault.includes(b.alias), `${b.alias} is in the vault`);
    for (const rel of walk(home, true)) assert.deepEqual(leaks(fs.readFileSync(path.join(home, rel), 'latin1'), keys), [], `HOME/${rel}`);
  });

  it('(5) `outloop undo` restores every file byte for byte, the config included', () => {
    const run = cli(['undo'], world);
    outputs.push(run.stdout, run.stderr);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`Run ${report.runId}: ${report.rewritten.length} files restored; marked undone`));
    assert.deepEqual(hashes(world), before, 'every file (and no other) as it was');
    for (const [rel, bytes] of original) assert.ok(fs.readFileSync(path.join(world, rel)).equals(bytes), rel);
    assert.deepEqual(leaks(run.stdout + run.stderr, keys), []);
    const state = walk(path.join(world, '.outloop'), true).map((rel) => fs.readFileSync(path.join(world, '.outloop', rel), 'latin1'));
    assert.deepEqual(leaks(state.join('\n'), keys), [], 'journal after undo');
    assert.deepEqual(leaks(fs.readFileSync(vaultFile, 'latin1'), keys), [], 'vault after undo');
    // Undone: nothing left to undo.
    const again = cli(['undo'], world);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no rewrite run to undo/);
    fs.rmSync(base, { recursive: true, force: true });
  });

});

describe('acceptance (#7): rewrite --transcripts takes the keys out of the agents\' own stores', () => {
  it('rewrites the transcripts of sessions run in WORLD (found through the config\'s roots), leaves a live one, undo restores all', () => {
    const base = tempDir('outloop-accept-tr-');
    const world = path.join(base, 'world');
    const home = path.join(base, 'home');
    const env: NodeJS.ProcessEnv = { HOME: home, XDG_DATA_HOME: path.join(base, 'xdg'), CODEX_HOME: undefined, CLAUDE_CONFIG_DIR: undefined, OUTLOOP_VAULT: 'file', OUTLOOP_VAULT_FILE: path.join(base, 'vault.json'), OUTLOOP_VAULT_PASSPHRASE: 'transcripts' };
    const cli = (args: string[], cwd = base) => runCli(args, { cwd, env });
    const expanded = expandCorpus(world, AGENCY_TEMPLATES, { dotGit: true });
    // The agents keep their transcripts in HOME, not in the client folders: move them there. Their
    // sessions ran in /home/dev/agency/..., which the config's "roots" maps onto WORLD.
    fs.mkdirSync(home);
    for (const store of ['.claude', '.codex']) fs.renameSync(path.join(world, 'home', store), path.join(home, store));
    const transcripts = walk(home);
    assert.equal(transcripts.filter((rel) => rel.endsWith('.jsonl')).length, 5);
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const rel of walk(world)) fs.utimesSync(path.join(world, rel), old, old);
    // One session still being written: left alone (without --force). The scratch session ran outside WORLD.
    const live = transcripts.find((rel) => rel.includes('-home-dev-agency-globex-api'))!;
    const elsewhere = transcripts.find((rel) => rel.includes('-home-dev-scratch'))!;
    for (const rel of transcripts) if (rel !== live) fs.utimesSync(path.join(home, rel), old, old);
    const config = JSON.parse(fs.readFileSync(path.join(world, 'outloop.config.json'), 'utf8')) as { tenants: Record<string, { accounts?: string[] }> };
    const accounts = new Set(Object.values(config.tenants).flatMap((t) => (t.accounts ?? []).flatMap((a) => [a, a.replace(/-/g, '')])));
    const keys = [...new Set(expanded.raw.filter((v) => !accounts.has(v)))];
    const beforeHome = hashes(home);
    const beforeWorld = hashes(world);

    const run = cli(['rewrite', world, '--yes', '--transcripts', '--format', 'json']);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    const report = JSON.parse(run.stdout) as RewriteReport;
    const rewritten = report.rewritten.map((f) => f.path).filter((p) => p.startsWith('../home/'));
    assert.deepEqual(rewritten.sort(), transcripts.filter((rel) => rel !== live && rel !== elsewhere).map((rel) => `../home/${rel}`).sort());
    assert.ok(report.notRewritten.length > 0);
    for (const n of report.notRewritten) {
      assert.equal(n.path, `../home/${live}`);
      assert.match(n.reason, /^not rewritten: transcript modified \d+s ago .*--force/);
    }
    for (const rel of transcripts.filter((r) => r !== live && r !== elsewhere)) {
      const text = fs.readFileSync(path.join(home, rel), 'utf8');
      assert.equal(parses(rel, text), true, `${rel}: every line still parses`);
      assert.match(text, ALIAS);
      assert.deepEqual(leaks(text, keys), [], `${rel}: no key left`);
    }
    assert.deepEqual(leaks(run.stdout + run.stderr, keys), []);
    // `scan --transcripts` still finds keys only in the live session and in the one run outside WORLD.
    const scanned = cli(['scan', world, '--transcripts', '--format', 'json']);
    const findings = (JSON.parse(scanned.stdout) as { findings: Finding[] }).findings;
    const keyFps = new Set(keys.map((k) => fingerprint(k)));
    const left = findings.filter((f) => keyFps.has(f.fingerprint));
    assert.equal(left.filter((f) => f.path.endsWith(live)).length, report.notRewritten.length);
    assert.ok(left.some((f) => f.path.endsWith(elsewhere)));
    for (const f of left) assert.ok(f.path.endsWith(live) || f.path.endsWith(elsewhere), f.path);
    // --force takes the live one too; undo (twice: both runs) restores HOME and WORLD byte for byte.
    const forced = cli(['rewrite', world, '--yes', '--transcripts', '--force', '--format', 'json']);
    assert.equal(forced.code, 0, forced.stderr + forced.stdout);
    assert.deepEqual((JSON.parse(forced.stdout) as RewriteReport).rewritten.map((f) => f.path), [`../home/${live}`]);
    assert.equal(parses(live, fs.readFileSync(path.join(home, live), 'utf8')), true);
    for (let i = 0; i < 2; i++) assert.equal(cli(['undo'], world).code, 0);
    assert.deepEqual(hashes(home), beforeHome, 'transcripts restored byte for byte');
    assert.deepEqual(hashes(world), beforeWorld, 'workspace restored byte for byte');
    fs.rmSync(base, { recursive: true, force: true });
  });
});
