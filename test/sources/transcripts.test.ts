// Agent transcripts, end to end: real JSONL files in a fake HOME, scanned through the CLI with
// `--transcripts`, and in a workspace. Checks what a person acts on: line, fingerprint of the
// plain secret, the session/message/block it sat in, exact spans, and that nothing leaks or changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fingerprint } from '../../src/detect/redact.js';
import { ANTHROPIC, fakeKey, runCli, tempDir, writeFiles } from '../helpers.js';

interface JsonFinding {
  ruleId: string;
  source: string;
  path: string;
  line: number;
  column: number;
  fingerprint: string;
  encoding?: string;
  span: { start: number; end: number };
  transcript?: { agent: string; sessionId: string | null; messageUuid: string | null; role: string | null; block: string | null; jsonPath: string | null; cwd: string | null; timestamp: string | null };
}

const SESSION = '5e0c7a12-0b1d-4c3e-9f4a-2b6d8e0f1a2c';
const CWD = '/home/dev/clients/acme/web';
const anthropic = ANTHROPIC('transcripts:a');
const openai = fakeKey('sk-proj-{{urlsafe:74}}T3BlbkFJ{{urlsafe:74}}', 'transcripts:o');
const stripe = fakeKey('sk_live_{{alnum:24}}', 'transcripts:s');
const github = fakeKey('ghp_{{alnum:30}}{{crc32b62}}', 'transcripts:g');
const escapedAnthropic = ANTHROPIC('transcripts:escaped');
// An AWS secret with a slash in it, which JSON writers may escape as \/.
const awsSecret = (() => {
  for (let i = 0; ; i++) {
    const s = fakeKey('{{b64:40}}', `transcripts:aws:${i}`);
    if (s.includes('/')) return s;
  }
})();
const secrets = [anthropic, openai, stripe, github, escapedAnthropic, awsSecret];

const envelope = (n: number, type: string) => ({ type, sessionId: SESSION, uuid: `u-${n}`, parentUuid: n > 1 ? `u-${n - 1}` : null, cwd: CWD, gitBranch: 'main', version: '2.0.55', userType: 'external', isSidechain: false, timestamp: `2026-11-20T10:0${n}:00.000Z` });

function claudeSession(): string {
  const lines = [
    JSON.stringify({ ...envelope(1, 'user'), message: { role: 'user', content: `deploy with ${anthropic} please` } }),
    JSON.stringify({
      ...envelope(2, 'assistant'),
      message: { id: 'msg_1', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'thinking', thinking: 'I will export the key.', signature: 'EqQBCkYIBRgCKkA0' }, { type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: `export OPENAI_API_KEY=${openai} && npm run sync`, description: 'sync' } }] },
    }),
    JSON.stringify({
      ...envelope(3, 'user'),
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: `     1\u2192STRIPE_SECRET_KEY=${stripe}\n     2\u2192DEBUG=1` }], is_error: false }] },
      toolUseResult: { stdout: `STRIPE_SECRET_KEY=${stripe}\n`, stderr: '', interrupted: false, isImage: false },
    }),
    // A key that only appears JSON-escaped: every dash written as \u002d.
    JSON.stringify({ ...envelope(4, 'assistant'), message: { id: 'msg_2', role: 'assistant', content: [{ type: 'text', text: `the key is ${escapedAnthropic}` }] } }).replace(escapedAnthropic, escapedAnthropic.replace(/-/g, '\\u002d')),
    JSON.stringify({ ...envelope(5, 'user'), message: { role: 'user', content: `AWS_SECRET_ACCESS_KEY=${awsSecret}` } }).replace(awsSecret, awsSecret.replace(/\//g, '\\/')),
    // Not JSON at all: a line of garbage an editor left behind.
    '\u0000\u0001 not json {{{',
    // The agent was killed mid-write: the last line is cut short.
    JSON.stringify({ ...envelope(7, 'user'), message: { role: 'user', content: `my token is ${github} and more text that never ends` } }).slice(0, -30),
  ];
  return lines.join('\n');
}

function codexRollout(key: string): string {
  const args = JSON.stringify({ command: ['bash', '-lc', `echo start\n${key}\necho done`], workdir: '/home/dev/clients/globex/api' });
  return [
    JSON.stringify({ timestamp: '2026-11-20T10:15:42.000Z', type: 'session_meta', payload: { id: '019a9c2e-5b7d-7f10-9a3e-4c1d2b8e6f70', timestamp: '2026-11-20T10:15:42.000Z', cwd: '/home/dev/clients/globex/api', originator: 'codex_cli_rs', cli_version: '0.58.0', git: { branch: 'main' } } }),
    JSON.stringify({ timestamp: '2026-11-20T10:16:00.000Z', type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: args, call_id: 'call_abc' } }),
    JSON.stringify({ timestamp: '2026-11-20T10:16:01.000Z', type: 'response_item', payload: { type: 'function_call_output', call_id: 'call_abc', output: JSON.stringify({ output: 'start\ndone\n', metadata: { exit_code: 0 } }) } }),
  ].join('\n') + '\n';
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function setupHome() {
  const home = tempDir('outloop-home-');
  const claudeFile = path.join(home, '.claude/projects/-home-dev-clients-acme-web', `${SESSION}.jsonl`);
  const codexKey = ANTHROPIC('transcripts:codex');
  const codexFile = path.join(home, 'codexhome/sessions/2026/11/20/rollout-2026-11-20T10-15-42-019a9c2e-5b7d-7f10-9a3e-4c1d2b8e6f70.jsonl');
  writeFiles(home, { [path.relative(home, claudeFile)]: claudeSession(), [path.relative(home, codexFile)]: codexRollout(codexKey) });
  return { home, claudeFile, codexFile, codexKey, env: { HOME: home, CODEX_HOME: path.join(home, 'codexhome'), CLAUDE_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined } };
}

describe('agent transcripts', () => {
  const { home, claudeFile, codexFile, codexKey, env } = setupHome();
  const before = { claude: sha(claudeFile), codex: sha(codexFile), mtime: fs.statSync(claudeFile).mtimeMs };
  const run = runCli(['scan', '--transcripts', '--format', 'json'], { cwd: home, env });
  const report = JSON.parse(run.stdout) as { root: string; findings: JsonFinding[] };
  const claude = report.findings.filter((f) => f.path.endsWith(`${SESSION}.jsonl`));
  const find = (secret: string) => claude.filter((f) => f.fingerprint === fingerprint(secret));

  it('exits 1 and reports paths from HOME', () => {
    assert.equal(run.code, 1, run.stderr);
    assert.equal(report.root, home);
    assert.ok(claude.length > 0);
    assert.ok(claude.every((f) => f.path.startsWith('.claude/projects/') && f.source === 'transcript'));
  });

  it('finds every planted key at its JSONL line', () => {
    const lines: Array<[string, number]> = [[anthropic, 1], [openai, 2], [stripe, 3], [escapedAnthropic, 4], [awsSecret, 5], [github, 7]];
    for (const [secret, line] of lines) {
      const found = find(secret);
      assert.ok(found.length >= 1, `line ${line} not found`);
      assert.ok(found.every((f) => f.line === line), `line ${line}: ${found.map((f) => f.line).join(',')}`);
    }
  });

  it('says where in the session each key was: message, role, block, cwd', () => {
    const ctx = (secret: string) => find(secret).map((f) => f.transcript!);
    for (const t of claude.map((f) => f.transcript)) {
      assert.equal(t?.agent, 'claude-code');
      assert.equal(t?.sessionId, SESSION);
      assert.equal(t?.cwd, CWD);
    }
    assert.deepEqual(ctx(anthropic).map((t) => [t.role, t.block, t.messageUuid, t.timestamp]), [['user', 'text', 'u-1', '2026-11-20T10:01:00.000Z']]);
    assert.deepEqual(ctx(openai).map((t) => [t.role, t.block, t.jsonPath]), [['assistant', 'tool_use', 'message.content[1].input.command']]);
    // The same stripe key twice on one line: in the tool_result and again in toolUseResult.
    assert.deepEqual(ctx(stripe).map((t) => t.block).sort(), ['toolUseResult', 'tool_result']);
    assert.deepEqual(ctx(github).map((t) => t.role), ['user'], 'a truncated line still has its context');
  });

  it('finds a key written only with JSON escapes, by the fingerprint of the plain key', () => {
    const raw = fs.readFileSync(claudeFile);
    for (const [secret, escape] of [[escapedAnthropic, '\\u002d'], [awsSecret, '\\/']] as const) {
      const [f] = find(secret);
      assert.ok(f, 'found');
      assert.equal(f.encoding, 'json');
      // The span is the escaped text in the file, exactly: what a rewrite must replace.
      const written = raw.subarray(f.span.start, f.span.end).toString('utf8');
      assert.ok(written.includes(escape), written.slice(0, 20));
      assert.equal(JSON.parse(`"${written}"`), secret);
    }
  });

  it('reads Codex rollouts from CODEX_HOME, including keys inside tool-call arguments', () => {
    const codex = report.findings.filter((f) => f.path.startsWith('codexhome/sessions/'));
    assert.equal(codex.length, 1, JSON.stringify(codex.map((f) => [f.line, f.ruleId])));
    const [f] = codex;
    assert.equal(f!.fingerprint, fingerprint(codexKey));
    assert.equal(f!.line, 2);
    assert.deepEqual(
      [f!.transcript?.agent, f!.transcript?.sessionId, f!.transcript?.cwd, f!.transcript?.role, f!.transcript?.block, f!.transcript?.messageUuid],
      ['codex', '019a9c2e-5b7d-7f10-9a3e-4c1d2b8e6f70', '/home/dev/clients/globex/api', 'assistant', 'function_call', 'call_abc'],
    );
  });

  it('leaves transcripts untouched and prints no raw key', () => {
    assert.equal(sha(claudeFile), before.claude);
    assert.equal(sha(codexFile), before.codex);
    assert.equal(fs.statSync(claudeFile).mtimeMs, before.mtime);
    const text = runCli(['scan', '--transcripts'], { cwd: home, env });
    for (const out of [run.stdout, run.stderr, text.stdout, text.stderr]) {
      for (const s of [...secrets, codexKey]) {
        assert.ok(!out.includes(s), 'raw key in output');
        assert.ok(!out.includes(s.slice(10, 30)), 'part of a raw key in output');
      }
    }
  });

  it('recognises a transcript met in a workspace by its content', () => {
    const ws = tempDir('outloop-ws-');
    writeFiles(ws, { 'notes/session-copy.jsonl': claudeSession(), 'notes/other.jsonl': '{"event":"click","x":1}\n' });
    const r = runCli(['scan', ws, '--format', 'json']);
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    assert.ok(findings.length >= 6);
    assert.ok(findings.every((f) => f.source === 'transcript' && f.transcript?.agent === 'claude-code'));
  });

  it('CLAUDE_CONFIG_DIR moves where Claude Code transcripts are looked for', () => {
    const other = tempDir('outloop-claude-dir-');
    fs.cpSync(path.join(home, '.claude'), other, { recursive: true });
    const r = runCli(['scan', '--transcripts', '--format', 'json'], { cwd: home, env: { ...env, HOME: tempDir('outloop-empty-home-'), CODEX_HOME: undefined, CLAUDE_CONFIG_DIR: other } });
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    assert.ok(findings.some((f) => f.fingerprint === fingerprint(anthropic) && f.transcript?.sessionId === SESSION));
  });
});

describe('large transcripts', () => {
  it('streams a transcript with a 9 MB line, reporting keys before, inside and after it at their lines', () => {
    const dir = tempDir('outloop-big-');
    const inside = ANTHROPIC('big:inside');
    const after = ANTHROPIC('big:after');
    const first = ANTHROPIC('big:first');
    const filler = 'const x = 1; // ordinary source text in a tool result\n'.repeat(9 * 1024 * 1024 / 54);
    const lines = [
      JSON.stringify({ ...envelope(1, 'user'), message: { role: 'user', content: `start ${first}` } }),
      ...Array.from({ length: 2000 }, (_, i) => JSON.stringify({ ...envelope(2, 'assistant'), message: { role: 'assistant', content: [{ type: 'text', text: `step ${i}` }] } })),
      JSON.stringify({ ...envelope(3, 'user'), toolUseResult: { type: 'text', file: { filePath: '/x.ts', content: filler + `KEY=${inside}\n` + filler } }, message: { role: 'user', content: 'ok' } }),
      JSON.stringify({ ...envelope(4, 'user'), message: { role: 'user', content: `end ${after}` } }),
    ];
    fs.writeFileSync(path.join(dir, 'big.jsonl'), lines.join('\n') + '\n');
    assert.ok(fs.statSync(path.join(dir, 'big.jsonl')).size > 16 * 1024 * 1024);
    const r = runCli(['scan', dir, '--format', 'json']);
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    const at = (s: string) => findings.filter((f) => f.fingerprint === fingerprint(s)).map((f) => [f.line, f.transcript?.block]);
    assert.deepEqual(at(first), [[1, 'text']]);
    assert.deepEqual(at(inside), [[2002, 'toolUseResult']]);
    assert.deepEqual(at(after), [[2003, 'text']]);
  });
});

describe('shell history, profiles and the environment', () => {
  it('--shell scans history and profiles, and names environment variables without their values', () => {
    const home = tempDir('outloop-shell-home-');
    const inHistory = fakeKey('ghp_{{alnum:30}}{{crc32b62}}', 'shell:history');
    const inProfile = ANTHROPIC('shell:profile');
    const inEnv = fakeKey('sk_live_{{alnum:24}}', 'shell:env');
    writeFiles(home, {
      '.bash_history': `#1700000000\nls\n#1700000005\ncurl -H "Authorization: token ${inHistory}" https://api.github.com/user\n`,
      '.zshrc': `export PATH=$HOME/bin:$PATH\nexport ANTHROPIC_API_KEY=${inProfile}\n`,
    });
    const r = runCli(['scan', '--shell', '--format', 'json'], { cwd: home, env: { HOME: home, HISTFILE: undefined, ZDOTDIR: undefined, XDG_DATA_HOME: undefined, PAYMENTS_KEY: inEnv } });
    assert.equal(r.code, 1, r.stderr);
    const findings = (JSON.parse(r.stdout) as { findings: Array<JsonFinding & { variable?: string }> }).findings;
    const by = (s: string) => findings.find((f) => f.fingerprint === fingerprint(s));
    assert.deepEqual([by(inHistory)?.path, by(inHistory)?.line, by(inHistory)?.source], ['.bash_history', 4, 'terminal']);
    assert.deepEqual([by(inProfile)?.path, by(inProfile)?.line, by(inProfile)?.source], ['.zshrc', 2, 'terminal']);
    assert.deepEqual([by(inEnv)?.path, by(inEnv)?.variable, by(inEnv)?.source], ['env:PAYMENTS_KEY', 'PAYMENTS_KEY', 'terminal']);
    for (const s of [inHistory, inProfile, inEnv]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s));
    const text = runCli(['scan', '--env'], { cwd: home, env: { HOME: home, PAYMENTS_KEY: inEnv } });
    assert.equal(text.code, 1);
    assert.ok(text.stdout.includes('env:PAYMENTS_KEY'));
    assert.ok(!text.stdout.includes(inEnv) && !text.stdout.includes(inEnv.slice(8, 24)));
  });

  it('refuses --transcripts with --staged', () => {
    const r = runCli(['scan', '--transcripts', '--staged']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /can't be combined/);
  });
});

describe('every agent in the example world', async () => {
  const { expandCorpus } = await import('../../scripts/expand-corpus.js');
  const { scan } = await import('../../src/scan.js');
  const world = tempDir('outloop-agents-world-');
  expandCorpus(world);
  const result = await scan({ paths: [world], workers: 0 });

  it('names the agent of each store and reports them as transcripts', () => {
    const agentOf = (prefix: string) => new Set(result.findings.filter((f) => f.path.startsWith(prefix)).map((f) => `${f.source}:${f.transcript?.agent}`));
    assert.deepEqual(agentOf('shared/claude/projects/'), new Set(['transcript:claude-code']));
    assert.deepEqual(agentOf('shared/codex/sessions/'), new Set(['transcript:codex']));
    assert.deepEqual(agentOf('shared/gemini/'), new Set(['transcript:gemini-cli']));
    assert.deepEqual(agentOf('shared/Code/User/globalStorage/saoudrizwan.claude-dev/'), new Set(['transcript:cline']));
    assert.deepEqual(agentOf('initech/ml/.aider.'), new Set(['transcript:aider']));
  });

  it('gives every Claude Code and Codex finding its session and working folder', () => {
    const sessions = result.findings.filter((f) => f.transcript && (f.transcript.agent === 'claude-code' || f.transcript.agent === 'codex'));
    assert.ok(sessions.length >= 10);
    for (const f of sessions) {
      assert.ok(f.transcript!.sessionId, `${f.path}:${f.line} has no session`);
      assert.match(f.transcript!.cwd ?? '', /^\/home\/dev\/clients\//, `${f.path}:${f.line}`);
    }
  });

  it('reports history, recordings and profiles as terminal findings', () => {
    for (const p of ['shared/.bash_history', 'shared/zsh/.zsh_history', 'shared/fish/fish_history', 'globex/ops/typescript', 'globex/ops/recordings/rotate-runner.cast']) {
      const found = result.findings.filter((f) => f.path === p);
      assert.ok(found.length > 0, p);
      assert.ok(found.every((f) => f.source === 'terminal'), `${p}: ${found.map((f) => f.source).join(',')}`);
    }
  });
});

describe('Cursor', () => {
  it('reads the chats in a real state.vscdb SQLite file and names the agent', () => {
    const home = tempDir('outloop-cursor-home-');
    const key = ANTHROPIC('cursor:db');
    const db = path.join(home, '.config/Cursor/User/globalStorage/state.vscdb');
    fs.mkdirSync(path.dirname(db), { recursive: true });
    // A real SQLite database with Cursor's key/value table, made with python's sqlite3 module.
    const bubble = JSON.stringify({ type: 1, text: `here is my key ${key}`, bubbleId: 'b1' });
    const py = spawnSync('python3', ['-c', 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")\nc.execute("INSERT INTO cursorDiskKV VALUES (?, ?)", ("bubbleId:c1:b1", sys.argv[2]))\nc.commit()', db, bubble], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(fs.readFileSync(db).subarray(0, 15).toString('latin1'), 'SQLite format 3');
    const r = runCli(['scan', '--transcripts', '--format', 'json'], { cwd: home, env: { HOME: home, CLAUDE_CONFIG_DIR: undefined, CODEX_HOME: undefined, XDG_CONFIG_HOME: undefined } });
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    const f = findings.find((x) => x.fingerprint === fingerprint(key));
    assert.deepEqual([f?.path, f?.source, f?.transcript?.agent], ['.config/Cursor/User/globalStorage/state.vscdb', 'transcript', 'cursor']);
  });
});
