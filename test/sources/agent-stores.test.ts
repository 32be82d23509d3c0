import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { agentByContent, agentByName, agentForPath, agentStores, listAgentFiles } from '../../src/sources/agent-stores.js';
import { REPO, tempDir, writeFiles } from '../helpers.js';

const SESSION = '00000000-0000-4000-8000-000000000001';
const UUID2 = '00000000-0000-4000-8000-000000000002';

/** A fake home holding every agent's store, with CLAUDE_CONFIG_DIR and CODEX_HOME moved elsewhere. */
function fakeHome() {
  const home = tempDir('outloop-agents-');
  const claude = path.join(home, 'elsewhere', 'claude');
  const codex = path.join(home, 'elsewhere', 'codex');
  writeFiles(home, {
    // Claude Code under CLAUDE_CONFIG_DIR, with a sub-agent file two folders down.
    'elsewhere/claude/projects/-home-u-app/s1.jsonl': '{}\n',
    'elsewhere/claude/projects/-home-u-app/s1/subagents/agent-a1.jsonl': '{}\n',
    'elsewhere/claude/projects/-home-u-app/notes.txt': 'not a transcript\n',
    'elsewhere/claude/history.jsonl': '{}\n',
    'elsewhere/claude/settings.json': '{}\n',
    // The default root is not read when CLAUDE_CONFIG_DIR moves it.
    '.claude/projects/-home-u-old/s0.jsonl': '{}\n',
    // Codex under CODEX_HOME.
    'elsewhere/codex/sessions/2025/01/02/rollout-2025-01-02T10-00-00-x.jsonl': '{}\n',
    'elsewhere/codex/sessions/2025/01/02/notes.jsonl': '{}\n',
    'elsewhere/codex/archived_sessions/rollout-2024-12-01T09-00-00-y.jsonl': '{}\n',
    'elsewhere/codex/history.jsonl': '{}\n',
    'elsewhere/codex/auth.json': '{}\n',
    // Gemini CLI: a session, a sub-agent nested under its parent's id, a legacy .json, the prompt log.
    '.gemini/tmp/abc/chats/session-2025-01-02T10-00-aaaaaaaa.jsonl': '{}\n',
    '.gemini/tmp/abc/chats/aaaaaaaa-parent/sub-1.jsonl': '{}\n',
    '.gemini/tmp/abc/chats/session-2024-12-01T09-00-bbbbbbbb.json': '{}\n',
    '.gemini/tmp/abc/logs.json': '[]\n',
    '.gemini/settings.json': '{}\n',
    // Cline in VS Code, Cursor's SQLite store.
    '.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1700000000000/api_conversation_history.json': '[]\n',
    '.config/Cursor/User/globalStorage/state.vscdb': 'SQLite format 3\0',
  });
  // A link loop inside a store must neither hang the listing nor repeat files.
  fs.symlinkSync('..', path.join(claude, 'projects', '-home-u-app', 'loop'));
  return { home, claude, codex, env: { HOME: home, CLAUDE_CONFIG_DIR: claude, CODEX_HOME: codex } as NodeJS.ProcessEnv };
}

describe('agent stores: where transcripts live', () => {
  it('lists each agent default root from HOME, XDG_CONFIG_HOME and the platform', () => {
    const roots = (env: NodeJS.ProcessEnv, platform: NodeJS.Platform) =>
      agentStores(env, platform).map((s) => `${s.agent} ${s.format} ${s.root}`);
    const linux = roots({ HOME: '/h' }, 'linux');
    assert.ok(linux.includes('claude-code jsonl /h/.claude'));
    assert.ok(linux.includes('claude-code jsonl /h/.config/claude'));
    assert.ok(linux.includes('codex jsonl /h/.codex'));
    assert.ok(linux.includes('gemini-cli jsonl /h/.gemini/tmp'));
    assert.ok(linux.includes('cline json /h/.config/Code/User/globalStorage/saoudrizwan.claude-dev'));
    assert.ok(linux.includes('cline json /h/.config/VSCodium/User/globalStorage/saoudrizwan.claude-dev'));
    assert.ok(linux.includes('cline json /h/.vscode-server/data/User/globalStorage/saoudrizwan.claude-dev'));
    assert.ok(linux.includes('cursor sqlite /h/.config/Cursor/User'));

    const xdg = roots({ HOME: '/h', XDG_CONFIG_HOME: '/x' }, 'linux');
    assert.ok(xdg.includes('claude-code jsonl /x/claude'));
    assert.ok(xdg.includes('cursor sqlite /x/Cursor/User'));
    assert.ok(!xdg.includes('cursor sqlite /h/.config/Cursor/User'));

    const mac = roots({ HOME: '/h' }, 'darwin');
    assert.ok(mac.includes('cline json /h/Library/Application Support/Cursor/User/globalStorage/saoudrizwan.claude-dev'));
    assert.ok(mac.includes('cursor sqlite /h/Library/Application Support/Cursor/User'));
  });

  it('honours CLAUDE_CONFIG_DIR, CODEX_HOME and GEMINI_CLI_HOME instead of the defaults', () => {
    const stores = agentStores({ HOME: '/h', CLAUDE_CONFIG_DIR: '/c', CODEX_HOME: '/x', GEMINI_CLI_HOME: '/g' }, 'linux');
    const rootsOf = (agent: string) => [...new Set(stores.filter((s) => s.agent === agent).map((s) => s.root))];
    assert.deepEqual(rootsOf('claude-code'), ['/c']);
    assert.deepEqual(rootsOf('codex'), ['/x']);
    assert.deepEqual(rootsOf('gemini-cli'), ['/g/.gemini/tmp']);
  });

  it('without HOME lists only the roots the environment names', () => {
    const stores = agentStores({ CODEX_HOME: '/x' }, 'linux');
    assert.deepEqual([...new Set(stores.map((s) => s.root))], ['/x']);
  });

  it('finds every store file under a fake HOME, nested sub-agent files included, and nothing else', async () => {
    const { home, env } = fakeHome();
    const { files, warnings } = await listAgentFiles(env, { platform: 'linux' });
    assert.deepEqual(warnings, []);
    const listed = files.map((f) => `${f.agent} ${f.format} ${path.relative(home, f.abs)}`).sort();
    assert.deepEqual(listed, [
      'claude-code jsonl elsewhere/claude/history.jsonl',
      'claude-code jsonl elsewhere/claude/projects/-home-u-app/s1.jsonl',
      'claude-code jsonl elsewhere/claude/projects/-home-u-app/s1/subagents/agent-a1.jsonl',
      'cline json .config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1700000000000/api_conversation_history.json',
      'codex jsonl elsewhere/codex/archived_sessions/rollout-2024-12-01T09-00-00-y.jsonl',
      'codex jsonl elsewhere/codex/history.jsonl',
      'codex jsonl elsewhere/codex/sessions/2025/01/02/rollout-2025-01-02T10-00-00-x.jsonl',
      'cursor sqlite .config/Cursor/User/globalStorage/state.vscdb',
      'gemini-cli json .gemini/tmp/abc/chats/session-2024-12-01T09-00-bbbbbbbb.json',
      'gemini-cli json .gemini/tmp/abc/logs.json',
      'gemini-cli jsonl .gemini/tmp/abc/chats/aaaaaaaa-parent/sub-1.jsonl',
      'gemini-cli jsonl .gemini/tmp/abc/chats/session-2025-01-02T10-00-aaaaaaaa.jsonl',
    ]);
  });

  it('reads the default ~/.claude when CLAUDE_CONFIG_DIR is not set', async () => {
    const { home } = fakeHome();
    const { files } = await listAgentFiles({ HOME: home }, { platform: 'linux' });
    const claude = files.filter((f) => f.agent === 'claude-code').map((f) => path.relative(home, f.abs));
    assert.deepEqual(claude, ['.claude/projects/-home-u-old/s0.jsonl']);
  });

  it('keeps only files inside `within`', async () => {
    const { home, codex, env } = fakeHome();
    const { files } = await listAgentFiles(env, { platform: 'linux', within: path.join(codex, 'sessions') });
    assert.deepEqual(files.map((f) => path.relative(home, f.abs)), ['elsewhere/codex/sessions/2025/01/02/rollout-2025-01-02T10-00-00-x.jsonl']);
  });

  it('is quiet when no store exists', async () => {
    const home = tempDir('outloop-agents-empty-');
    assert.deepEqual(await listAgentFiles({ HOME: home, CODEX_HOME: path.join(home, 'nope') }, { platform: 'linux' }), { files: [], warnings: [] });
  });

  it('warns about a store folder it may not read and lists the rest', (t) => {
    const { home, claude, env } = fakeHome();
    fs.chmodSync(home, 0o755);
    const locked = path.join(claude, 'projects', '-home-u-app');
    fs.chmodSync(locked, 0o000);
    t.after(() => fs.chmodSync(locked, 0o755));
    const script =
      `const { listAgentFiles } = await import(${JSON.stringify(pathToFileURL(path.join(REPO, 'dist/src/sources/agent-stores.js')).href)});\n` +
      `process.stdout.write(JSON.stringify(await listAgentFiles(${JSON.stringify(env)}, { platform: 'linux' })));`;
    let r;
    if (process.getuid?.() === 0) {
      // Root reads everything, so the permission check needs another user: setpriv drops to nobody.
      const probe = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(REPO + '/dist/src/sources/agent-stores.js')})`]);
      if (probe.status !== 0) return t.skip('running as root without setpriv, or the build is not readable by nobody');
      r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    } else {
      r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    }
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Awaited<ReturnType<typeof listAgentFiles>>;
    assert.deepEqual(out.warnings.map((w) => [w.path, w.kind]), [[locked, 'unreadable']]);
    const claudeFiles = out.files.filter((f) => f.agent === 'claude-code').map((f) => path.relative(home, f.abs));
    assert.deepEqual(claudeFiles, ['elsewhere/claude/history.jsonl']);
    assert.ok(out.files.some((f) => f.agent === 'codex'), 'the other stores are still listed');
  });
});

describe('agent stores: which agent a file belongs to', () => {
  it('by location', () => {
    const env = { HOME: '/h', CODEX_HOME: '/cx' };
    assert.equal(agentForPath('/h/.claude/projects/-h-app/s.jsonl', env, 'linux'), 'claude-code');
    assert.equal(agentForPath('/h/.claude/projects/-h-app/s/subagents/agent-1.jsonl', env, 'linux'), 'claude-code');
    assert.equal(agentForPath('/cx/sessions/2025/01/02/rollout-2025-01-02T10-00-00-x.jsonl', env, 'linux'), 'codex');
    assert.equal(agentForPath('/h/.codex/sessions/2025/01/02/rollout-2025-01-02T10-00-00-x.jsonl', env, 'linux'), null, 'CODEX_HOME moved it');
    assert.equal(agentForPath('/h/.gemini/tmp/abc/chats/session-1.jsonl', env, 'linux'), 'gemini-cli');
    assert.equal(agentForPath('/h/.config/Cursor/User/workspaceStorage/42/state.vscdb', env, 'linux'), 'cursor');
    assert.equal(agentForPath('/h/.config/Cursor/User/globalStorage/saoudrizwan.claude-dev/tasks/1/ui_messages.json', env, 'linux'), 'cline');
    assert.equal(agentForPath('/h/.claude/settings.json', env, 'linux'), null, 'in a store but not a transcript');
    assert.equal(agentForPath('/h/work/app/.env', env, 'linux'), null);
    assert.equal(agentForPath('/h/work/app/.aider.chat.history.md', env, 'linux'), 'aider');
  });

  it('Aider files by name', () => {
    assert.equal(agentByName('.aider.chat.history.md'), 'aider');
    assert.equal(agentByName('.aider.input.history'), 'aider');
    assert.equal(agentByName('.aider.conf.yml'), null);
    assert.equal(agentByName('toString'), null);
  });

  it('a .jsonl met in a workspace, by its first line', () => {
    const line = (o: unknown) => JSON.stringify(o);
    const ts = '2025-09-01T10:00:00.000Z';
    // Claude Code (formats.md §2.1): a user line with its envelope, and the lines that open files without a sessionId.
    assert.equal(agentByContent(line({ parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/u/app', sessionId: SESSION, version: '2.0.74', gitBranch: 'main', type: 'user', message: { role: 'user', content: 'fix the login' }, uuid: UUID2, timestamp: ts })), 'claude-code');
    assert.equal(agentByContent(line({ type: 'summary', summary: 'Login fix', leafUuid: UUID2 })), 'claude-code');
    assert.equal(agentByContent(line({ type: 'file-history-snapshot', messageId: UUID2, snapshot: { messageId: UUID2, trackedFileBackups: {}, timestamp: ts }, isSnapshotUpdate: false })), 'claude-code');
    assert.equal(agentByContent(line({ type: 'queue-operation', operation: 'dequeue', timestamp: ts, sessionId: SESSION })), 'claude-code');
    assert.equal(agentByContent(line({ display: 'fix the login', pastedContents: {}, timestamp: 1760299086653, project: '/home/u/app' })), 'claude-code');
    // Codex (§2.2): the RolloutLine envelope, and prompt history.
    assert.equal(agentByContent(line({ timestamp: ts, type: 'session_meta', payload: { id: SESSION, timestamp: ts, cwd: '/home/u/app', originator: 'codex_cli_rs', cli_version: '0.30.0', git: { branch: 'main' } } })), 'codex');
    assert.equal(agentByContent(line({ timestamp: ts, type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{"command":["bash","-lc","ls"]}', call_id: 'call_1' } })), 'codex');
    assert.equal(agentByContent(line({ session_id: SESSION, ts: 1725000000, text: 'fix the login' })), 'codex');
    // Gemini CLI (§2.3): the metadata line, message records, metadata updates.
    const projectHash = createHash('sha256').update('/home/u/app').digest('hex');
    assert.equal(agentByContent(line({ sessionId: SESSION, projectHash, startTime: ts, lastUpdated: ts, kind: 'main' })), 'gemini-cli');
    assert.equal(agentByContent(line({ id: UUID2, timestamp: ts, type: 'user', content: [{ text: 'fix the login' }] })), 'gemini-cli');
    assert.equal(agentByContent(line({ id: UUID2, timestamp: ts, type: 'gemini', content: 'done', toolCalls: [], model: 'gemini-2.5-pro' })), 'gemini-cli');
    assert.equal(agentByContent(line({ $set: { summary: 'Login fix' } })), 'gemini-cli');
    // A BOM does not hide the line.
    assert.equal(agentByContent('\uFEFF' + line({ type: 'summary', summary: 'x', leafUuid: UUID2 })), 'claude-code');
  });

  it('does not claim other JSON lines', () => {
    const line = (o: unknown) => JSON.stringify(o);
    assert.equal(agentByContent(line({ type: 'user', message: { role: 'user', content: 'hi' } })), null, 'no sessionId');
    assert.equal(agentByContent(line({ timestamp: '2025-09-01T10:00:00.000Z', type: 'log', payload: {} })), null, 'unknown Codex type');
    assert.equal(agentByContent(line({ timestamp: '2025-09-01T10:00:00.000Z', type: 'session_meta' })), null, 'no payload');
    assert.equal(agentByContent(line({ level: 'info', msg: 'started', time: 1 })), null);
    assert.equal(agentByContent(line({ sessionId: SESSION })), null);
    assert.equal(agentByContent('[1,2,3]'), null);
    assert.equal(agentByContent('{"type":"user","sessionId":"'), null, 'truncated');
    assert.equal(agentByContent('not json'), null);
  });
});
