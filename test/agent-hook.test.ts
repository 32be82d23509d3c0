/**
 * `outloop hook claude-code`: the built CLI fed Claude Code hook events on stdin (the event shapes
 * of Claude Code's hooks reference), in temp project folders with real files and configs; and
 * `outloop init --claude`, whose settings line is then run through a real shell as Claude Code runs it.
 * Keys are generated fakes; every output is searched for them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_SETTINGS, editAgentSettings } from '../src/cli/init-agents.js';
import { redact } from '../src/detect/redact.js';
import { UsageError } from '../src/model/errors.js';
import { ANTHROPIC, fakeKey, GIT_TEST_ENV, REPO, runCli, tempDir, writeFiles } from './helpers.js';
import { onTerminal } from './pty.js';

const STRIPE = (seed: string) => fakeKey('sk_live_{{alnum:24}}', `agent-hook:${seed}`);
const GITHUB = (seed: string) => fakeKey('ghp_{{alnum:30}}{{crc32b62}}', `agent-hook:${seed}`);
const sha = (key: string) => 'sha256:' + createHash('sha256').update(key, 'utf8').digest('hex');
const BIN = path.join(REPO, 'dist/src/cli/outloop.cjs');

interface HookRun {
  code: number;
  stderr: string;
  stdout: string;
}

/** The packaged entry (what a settings line runs), with the event on stdin, from the session's folder. */
function hook(event: object, options: { cwd?: string; args?: string[]; keys?: string[]; agent?: string } = {}): HookRun {
  const r = spawnSync(process.execPath, [BIN, 'hook', options.agent ?? 'claude-code', ...(options.args ?? [])], {
    cwd: options.cwd ?? (event as { cwd?: string }).cwd ?? REPO,
    input: JSON.stringify(event),
    encoding: 'utf8',
  });
  const run = { code: r.status ?? -1, stderr: r.stderr, stdout: r.stdout };
  for (const key of options.keys ?? []) assert.ok(!(run.stderr + run.stdout).includes(key), 'a raw key reached the output');
  return run;
}

const prompt = (cwd: string, text: string) => ({ session_id: 'sess-1', transcript_path: path.join(cwd, 'sess-1.jsonl'), cwd, permission_mode: 'default', hook_event_name: 'UserPromptSubmit', prompt: text });
const tool = (cwd: string, name: string, input: object) => ({ session_id: 'sess-1', transcript_path: path.join(cwd, 'sess-1.jsonl'), cwd, hook_event_name: 'PreToolUse', tool_name: name, tool_input: input, tool_use_id: 'toolu_01' });

describe('agent hook: prompts', () => {
  it('stops a prompt holding a key (exit 2) and tells the user what, where, and what next, redacted', () => {
    const dir = tempDir('outloop-agent-');
    const key = ANTHROPIC('prompt');
    const r = hook(prompt(dir, `here is my key ${key}, deploy please`), { keys: [key] });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^outloop: this prompt was not sent: it holds a key\./);
    assert.ok(r.stderr.includes(sha(key)), 'the fingerprint is shown');
    assert.match(r.stderr, /sk-ant-api03-\S+…\S+ /, 'the redacted hint is shown');
    assert.ok(r.stderr.includes(path.join(dir, 'sess-1.jsonl')), 'the transcript that may hold it is named');
    assert.match(r.stderr, /outloop rewrite --transcripts/);
    assert.match(r.stderr, /outloop bind TENANT NAME/);
  });

  it('lets a prompt without a key through silently (exit 0), placeholders and aliases included', () => {
    const dir = tempDir('outloop-agent-');
    for (const text of ['refactor the billing module', 'set STRIPE_SECRET_KEY=sk_live_YOUR_KEY_HERE in .env', 'use outloop://acme/stripe-live for the key', '']) {
      const r = hook(prompt(dir, text));
      assert.deepEqual([r.code, r.stderr, r.stdout], [0, '', ''], text);
    }
  });

  it('names the alias of a bound key and says when it is another client’s key', () => {
    const root = tempDir('outloop-agent-');
    const acmeKey = STRIPE('acme');
    writeFiles(root, {
      'outloop.config.json': JSON.stringify({
        tenants: {
          acme: { paths: ['clients/acme/**'], keys: [{ name: 'stripe-live', fingerprint: sha(acmeKey) }] },
          globex: { paths: ['clients/globex/**'] },
        },
      }),
      'clients/acme/web/README.md': '# acme\n',
      'clients/globex/web/README.md': '# globex\n',
    });
    const inGlobex = path.join(root, 'clients/globex/web');
    const r = hook(prompt(inGlobex, `charge with ${acmeKey}`), { keys: [acmeKey] });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /client "acme"'s key, in client "globex"'s workspace/);
    assert.match(r.stderr, /Already bound: outloop:\/\/acme\/stripe-live\./);

    // In its own client's folder it is still a raw key in a prompt, without the wrong-client line.
    const own = hook(prompt(path.join(root, 'clients/acme/web'), `charge with ${acmeKey}`), { keys: [acmeKey] });
    assert.equal(own.code, 2);
    assert.doesNotMatch(own.stderr, /workspace/);
    assert.match(own.stderr, /client "acme"'s key/);
  });

  it("passes a key the config allows by fingerprint (the team's own reason)", () => {
    const dir = tempDir('outloop-agent-');
    const key = ANTHROPIC('allowed');
    fs.writeFileSync(path.join(dir, 'outloop.config.json'), JSON.stringify({ allow: [{ fingerprint: sha(key), reason: 'revoked demo key used in workshop slides' }] }));
    assert.equal(hook(prompt(dir, `the demo key is ${key}`), { keys: [key] }).code, 0);
    // The same prompt from a folder the config doesn't cover is stopped.
    assert.equal(hook(prompt(tempDir('outloop-agent-'), `the demo key is ${key}`), { keys: [key] }).code, 2);
  });
});

describe('agent hook: tool calls', () => {
  it('stops a shell command carrying a key and tells the agent what to do instead', () => {
    const dir = tempDir('outloop-agent-');
    const key = STRIPE('bash');
    const r = hook(tool(dir, 'Bash', { command: `curl https://api.stripe.com/v1/charges -u ${key}:`, description: 'list charges' }), { keys: [key] });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^outloop blocked this Bash call: it would put a key in its input\./);
    assert.match(r.stderr, /at tool_input\.command/);
    assert.match(r.stderr, /environment variable/);
  });

  it('reports a write by the file’s path and line, and only keys the file does not hold already', () => {
    const dir = tempDir('outloop-agent-');
    const old = STRIPE('old');
    const fresh = GITHUB('fresh');
    const envFile = path.join(dir, 'web/.env');
    writeFiles(dir, { 'web/.env': `STRIPE_SECRET_KEY=${old}\n` });
    const keys = [old, fresh];

    // Rewriting the file with the key it already has adds nothing.
    assert.equal(hook(tool(dir, 'Write', { file_path: envFile, content: `# billing\nSTRIPE_SECRET_KEY=${old}\n` }), { keys }).code, 0);
    // Adding a second key is stopped, at its line in the new text.
    const added = hook(tool(dir, 'Write', { file_path: envFile, content: `STRIPE_SECRET_KEY=${old}\nGITHUB_TOKEN=${fresh}\n` }), { keys });
    assert.equal(added.code, 2, added.stderr);
    assert.match(added.stderr, /^outloop blocked this Write call: it would put a key in web\/\.env\./);
    assert.ok(added.stderr.includes(`${sha(fresh)} at web/.env:2`), added.stderr);
    assert.ok(!added.stderr.includes(sha(old)), 'the key already in the file is not reported');
    // A new file holding a key; the same line allowed inline, with a reason, passes.
    assert.equal(hook(tool(dir, 'Write', { file_path: path.join(dir, 'api/keys.ts'), content: `export const token = '${fresh}';\n` }), { keys }).code, 2);
    const allowed = `export const token = '${fresh}'; // outloop:allow revoked token kept for the parser test\n`;
    assert.equal(hook(tool(dir, 'Write', { file_path: path.join(dir, 'api/keys.ts'), content: allowed }), { keys }).code, 0);
  });

  it('judges an edit by what its new string adds: keeping or moving a key passes, adding one is stopped', () => {
    const dir = tempDir('outloop-agent-');
    const key = STRIPE('edit');
    const other = ANTHROPIC('edit-other');
    writeFiles(dir, { 'src/pay.ts': `const a = 1;\nconst stripe = new Stripe('${key}');\n` });
    const file = path.join(dir, 'src/pay.ts');
    const keys = [key, other];
    assert.equal(hook(tool(dir, 'Edit', { file_path: file, old_string: `new Stripe('${key}')`, new_string: `new Stripe('${key}', { apiVersion: '2024-06-20' })` }), { keys }).code, 0);
    const r = hook(tool(dir, 'Edit', { file_path: file, old_string: 'const a = 1;', new_string: `const a = 1;\nconst claude = '${other}';` }), { keys });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(sha(other)));
    // MultiEdit: each edit's new string on its own.
    const multi = hook(tool(dir, 'MultiEdit', { file_path: file, edits: [{ old_string: 'const a = 1;', new_string: 'const a = 2;' }, { old_string: 'x', new_string: `k = '${other}'` }] }), { keys });
    assert.equal(multi.code, 2, multi.stderr);
  });

  it("lets a write into a folder the config ignores through (a fixture folder), but not the same text as a prompt", () => {
    const dir = tempDir('outloop-agent-');
    const key = STRIPE('ignored');
    fs.writeFileSync(path.join(dir, 'outloop.config.json'), JSON.stringify({ ignore: ['test/fixtures/**'] }));
    const content = `export const fake = '${key}';\n`;
    assert.equal(hook(tool(dir, 'Write', { file_path: path.join(dir, 'test/fixtures/keys.ts'), content }), { keys: [key] }).code, 0);
    assert.equal(hook(tool(dir, 'Write', { file_path: path.join(dir, 'src/keys.ts'), content }), { keys: [key] }).code, 2);
    assert.equal(hook(prompt(dir, content), { keys: [key] }).code, 2);
  });

  it('reads a .env write as a .env: a credential-named value only a config file rule finds', () => {
    const dir = tempDir('outloop-agent-');
    const secret = fakeKey('{{alnum:40}}', 'agent-hook:generic');
    const line = `DB_PASSWORD=${secret}\n`;
    assert.equal(hook(tool(dir, 'Write', { file_path: path.join(dir, '.env'), content: line }), { keys: [secret] }).code, 2);
    // The same text as a prose note is not config: the generic rule stays quiet there.
    assert.equal(hook(tool(dir, 'Write', { file_path: path.join(dir, 'notes/todo.md'), content: `remember the DB password rotation\n` }), { keys: [secret] }).code, 0);
  });

  it('scans every string of any other tool’s input (an MCP server call), naming where the key sat', () => {
    const dir = tempDir('outloop-agent-');
    const key = GITHUB('mcp');
    const r = hook(tool(dir, 'mcp__slack__post_message', { channel: '#ops', blocks: [{ type: 'section', text: { text: `token for CI: ${key}` } }] }), { keys: [key] });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /blocked this mcp__slack__post_message call/);
    assert.match(r.stderr, /at tool_input\.blocks\[0\]\.text\.text/);
  });

  it('stops a read of a file holding a raw key (it would enter the session), and lets it through once the file holds the alias', () => {
    const dir = tempDir('outloop-agent-');
    const key = STRIPE('read');
    writeFiles(dir, { 'web/.env': `DEBUG=1\nSTRIPE_SECRET_KEY=${key}\n`, 'web/README.md': '# web\n' });
    const r = hook(tool(dir, 'Read', { file_path: path.join(dir, 'web/.env') }), { keys: [key] });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^outloop blocked this Read call: web\/\.env holds a key, and reading it would put it into this session\./);
    assert.ok(r.stderr.includes(`${sha(key)} at web/.env:2`));
    assert.match(r.stderr, /outloop rewrite web\/\.env/);
    assert.equal(hook(tool(dir, 'Read', { file_path: path.join(dir, 'web/README.md') })).code, 0);
    fs.writeFileSync(path.join(dir, 'web/.env'), 'DEBUG=1\nSTRIPE_SECRET_KEY=outloop://acme/stripe\n');
    assert.equal(hook(tool(dir, 'Read', { file_path: path.join(dir, 'web/.env') }), { keys: [key] }).code, 0);
    // Gemini CLI's read_file names the file `path`.
    fs.writeFileSync(path.join(dir, 'web/.env'), `STRIPE_SECRET_KEY=${key}\n`);
    const gemini = hook({ cwd: dir, hook_event_name: 'BeforeTool', tool_name: 'read_file', tool_input: { path: path.join(dir, 'web/.env') } }, { agent: 'gemini-cli', keys: [key] });
    assert.equal(gemini.code, 2, gemini.stderr);
  });

  it('lets a read or a clean tool call through, and ignores events with nothing to check', () => {
    const dir = tempDir('outloop-agent-');
    assert.equal(hook(tool(dir, 'Read', { file_path: path.join(dir, '.env') })).code, 0);
    assert.equal(hook(tool(dir, 'Bash', { command: 'npm test' })).code, 0);
    assert.equal(hook({ session_id: 's', cwd: dir, hook_event_name: 'SessionStart', source: 'startup' }).code, 0);
  });
});

describe('agent hook: when outloop cannot check', () => {
  it('says so and exits 1 (shown to the user, nothing stopped), never 2, for bad input and a bad config', () => {
    const dir = tempDir('outloop-agent-');
    const bad = spawnSync(process.execPath, [BIN, 'hook', 'claude-code'], { cwd: dir, input: '{"hook_event_name": "UserPromptSubmit", "prompt": ', encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^outloop: the hook could not check this event: the hook's input is not JSON/);
    const noEvent = spawnSync(process.execPath, [BIN, 'hook', 'claude-code'], { cwd: dir, input: '{"prompt": "x"}', encoding: 'utf8' });
    assert.equal(noEvent.status, 1);
    assert.match(noEvent.stderr, /no hook_event_name/);
    const wrongAgent = spawnSync(process.execPath, [BIN, 'hook', 'cursor'], { cwd: dir, input: '{}', encoding: 'utf8' });
    assert.equal(wrongAgent.status, 1);
    assert.match(wrongAgent.stderr, /usage: outloop hook claude-code\|codex\|gemini-cli/);

    // Run by hand at a terminal: says what it is for instead of waiting for input.
    const typed = onTerminal([process.execPath, BIN, 'hook', 'claude-code'], [], { cwd: dir, waitSeconds: 20 });
    assert.equal(typed.code, 1, typed.output);
    assert.match(typed.output, /reads claude-code's hook event as JSON on stdin/);

    fs.writeFileSync(path.join(dir, 'outloop.config.json'), '{ "allow": [ { "fingerprint": 42 } ] }');
    const key = ANTHROPIC('bad-config');
    const r = hook(prompt(dir, `key ${key}`), { keys: [key] });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /outloop\.config\.json/);
  });
});

describe('agent hook: Codex and Gemini CLI', () => {
  it("reads Codex's events, which follow Claude Code's (a prompt, a shell command)", () => {
    const dir = tempDir('outloop-agent-');
    const key = STRIPE('codex');
    assert.equal(hook(prompt(dir, `use ${key}`), { agent: 'codex', keys: [key] }).code, 2);
    const r = hook(tool(dir, 'Bash', { command: `export STRIPE_SECRET_KEY=${key}` }), { agent: 'codex', keys: [key] });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /blocked this Bash call/);
    assert.equal(hook(tool(dir, 'Bash', { command: 'ls' }), { agent: 'codex' }).code, 0);
  });

  it("reads Gemini CLI's BeforeAgent and BeforeTool events, and answers a passing event with {} on stdout", () => {
    const dir = tempDir('outloop-agent-');
    const key = ANTHROPIC('gemini');
    const base = { session_id: 'g-1', transcript_path: path.join(dir, 'chat.json'), cwd: dir, timestamp: '2026-11-24T10:00:00Z' };
    const blocked = hook({ ...base, hook_event_name: 'BeforeAgent', prompt: `my key is ${key}` }, { agent: 'gemini-cli', keys: [key] });
    assert.equal(blocked.code, 2, blocked.stderr);
    assert.equal(blocked.stdout, '');
    assert.match(blocked.stderr, /this prompt was not sent/);
    assert.doesNotMatch(blocked.stderr, /transcript/, 'Gemini CLI drops a blocked prompt from its history');
    const clean = hook({ ...base, hook_event_name: 'BeforeAgent', prompt: 'hello' }, { agent: 'gemini-cli' });
    assert.deepEqual([clean.code, clean.stdout, clean.stderr], [0, '{}\n', '']);

    writeFiles(dir, { 'app/.env': `ANTHROPIC_API_KEY=${key}\n` });
    const file = path.join(dir, 'app/.env');
    const write = hook({ ...base, hook_event_name: 'BeforeTool', tool_name: 'write_file', tool_input: { file_path: path.join(dir, 'app/keys.env'), content: `K=${key}\n` } }, { agent: 'gemini-cli', keys: [key] });
    assert.equal(write.code, 2, write.stderr);
    assert.match(write.stderr, /blocked this write_file call: it would put a key in app\/keys\.env/);
    // `replace` keeping the key the file already holds adds nothing.
    const keep = hook({ ...base, hook_event_name: 'BeforeTool', tool_name: 'replace', tool_input: { file_path: file, old_string: `ANTHROPIC_API_KEY=${key}`, new_string: `# claude\nANTHROPIC_API_KEY=${key}` } }, { agent: 'gemini-cli', keys: [key] });
    assert.deepEqual([keep.code, keep.stdout], [0, '{}\n']);
    const shell = hook({ ...base, hook_event_name: 'BeforeTool', tool_name: 'run_shell_command', tool_input: { command: `curl -H "x-api-key: ${key}" https://api.anthropic.com/v1/models` } }, { agent: 'gemini-cli', keys: [key] });
    assert.equal(shell.code, 2);
    // What a command printed reaches the model with its keys masked (AfterTool: exit 2, stderr instead of the result).
    const printed = `$ cat app/.env\nANTHROPIC_API_KEY=${key}\nDEBUG=1\n`;
    const after = hook({ ...base, hook_event_name: 'AfterTool', tool_name: 'run_shell_command', tool_input: { command: 'cat app/.env' }, tool_response: { llmContent: printed, returnDisplay: printed } }, { agent: 'gemini-cli', keys: [key] });
    assert.equal(after.code, 2, after.stderr);
    assert.equal(after.stdout, '');
    const hint = `[outloop: ${redact(key)} ${sha(key).slice(0, 19)}…]`;
    assert.ok(after.stderr.startsWith(`$ cat app/.env\nANTHROPIC_API_KEY=${hint}\nDEBUG=1\n\n\n[outloop masked a key in this run_shell_command output`), after.stderr);
    // A result made of parts is masked part by part and handed over as JSON.
    const parts = hook({ ...base, hook_event_name: 'AfterTool', tool_name: 'mcp__db__query', tool_response: { llmContent: [{ text: 'row 1' }, { text: `token ${key} end` }] } }, { agent: 'gemini-cli', keys: [key] });
    assert.equal(parts.code, 2, parts.stderr);
    assert.deepEqual(JSON.parse(parts.stderr.slice(0, parts.stderr.indexOf('\n\n[outloop masked'))), [{ text: 'row 1' }, { text: `token ${hint} end` }]);
    const plain = hook({ ...base, hook_event_name: 'AfterTool', tool_name: 'run_shell_command', tool_response: { llmContent: 'ok\n' } }, { agent: 'gemini-cli' });
    assert.deepEqual([plain.code, plain.stdout, plain.stderr], [0, '{}\n', '']);
    // A Claude Code event name means nothing to the Gemini dialect: nothing to check.
    assert.equal(hook({ ...base, hook_event_name: 'UserPromptSubmit', prompt: `my key is ${key}` }, { agent: 'gemini-cli', keys: [key] }).code, 0);
  });
});

describe('init --claude / --gemini', () => {
  it('adds both hooks to new or existing settings, keeping what is there; a second run changes nothing', () => {
    const claude = AGENT_SETTINGS.claude;
    const fresh = editAgentSettings(claude, null);
    const settings = JSON.parse(fresh.content!);
    assert.deepEqual(settings, {
      hooks: {
        UserPromptSubmit: [{ hooks: [{ type: 'command', command: claude.command }] }],
        PreToolUse: [{ matcher: 'Bash|Read|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*', hooks: [{ type: 'command', command: claude.command }] }],
      },
    });
    assert.equal(claude.command, 'NODE_EXTRA_CA_CERTS= "$CLAUDE_PROJECT_DIR"/node_modules/.bin/outloop hook claude-code');
    assert.deepEqual(fresh.notes, ['UserPromptSubmit hook added', 'PreToolUse hook added']);
    assert.equal(editAgentSettings(claude, fresh.content).content, null, 'idempotent');

    const theirs = '{\n\t"permissions": { "allow": ["Bash(npm test)"] },\n\t"hooks": {\n\t\t"PreToolUse": [{ "matcher": "Bash", "hooks": [{ "type": "command", "command": "./lint.sh" }] }]\n\t}\n}\n';
    const merged = editAgentSettings(claude, theirs);
    const data = JSON.parse(merged.content!);
    assert.deepEqual(data.permissions, { allow: ['Bash(npm test)'] });
    assert.equal(data.hooks.PreToolUse.length, 2);
    assert.deepEqual(data.hooks.PreToolUse[0], { matcher: 'Bash', hooks: [{ type: 'command', command: './lint.sh' }] });
    assert.ok(merged.content!.startsWith('{\n\t"permissions"'), 'tab indentation kept');
    assert.equal(editAgentSettings(claude, merged.content).content, null);

    const gemini = editAgentSettings(AGENT_SETTINGS.gemini, '{ "general": { "vimMode": true } }\n');
    const g = JSON.parse(gemini.content!);
    assert.deepEqual(g.general, { vimMode: true });
    assert.deepEqual(Object.keys(g.hooks), ['BeforeAgent', 'BeforeTool', 'AfterTool']);
    assert.equal(g.hooks.BeforeTool[0].matcher, 'run_shell_command|read_file|write_file|replace|web_fetch|mcp__.*');
    assert.match(g.hooks.BeforeAgent[0].hooks[0].command, /"\$GEMINI_PROJECT_DIR"\/node_modules\/\.bin\/outloop hook gemini-cli$/);
    // One agent's hook line doesn't count as another's.
    assert.notEqual(editAgentSettings(AGENT_SETTINGS.gemini, fresh.content).content, null);

    assert.throws(() => editAgentSettings(claude, '{ "hooks": [] }'), (e: Error) => e instanceof UsageError && /"hooks" is not an object/.test(e.message));
    assert.throws(() => editAgentSettings(claude, '{ nope'), (e: Error) => e instanceof UsageError && /not valid JSON/.test(e.message));
  });

  it('writes the settings in a project, whose hook lines work when a shell runs them as the agents do', () => {
    const dir = tempDir('outloop-init-claude-');
    spawnSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: { ...process.env, ...GIT_TEST_ENV } });
    writeFiles(dir, { 'package.json': '{ "name": "app", "devDependencies": { "outloop": "*" } }\n' });
    const dry = runCli(['init', '--claude', '--gemini', '--dry-run'], { cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok(!fs.existsSync(path.join(dir, '.claude')) && !fs.existsSync(path.join(dir, '.gemini')), 'a dry run writes nothing');
    const r = runCli(['init', '--claude', '--gemini'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\.claude\/settings\.json\s+UserPromptSubmit hook added; PreToolUse hook added/);
    assert.match(r.stdout, /\.gemini\/settings\.json\s+BeforeAgent hook added; BeforeTool hook added; AfterTool hook added/);
    const again = runCli(['init', '--claude', '--gemini'], { cwd: dir });
    assert.match(again.stdout, /\.claude\/settings\.json\s+already runs outloop hook claude-code/);
    assert.match(again.stdout, /\.gemini\/settings\.json\s+already runs outloop hook gemini-cli/);

    // The project's own outloop, as npm would link it.
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
    fs.symlinkSync(BIN, path.join(dir, 'node_modules/.bin/outloop'));
    const key = ANTHROPIC('init-agents');
    const session = path.join(dir, 'src');
    fs.mkdirSync(session);
    const lines: Array<[string, string, string, object]> = [
      ['.claude/settings.json', 'UserPromptSubmit', 'CLAUDE_PROJECT_DIR', { hook_event_name: 'UserPromptSubmit' }],
      ['.gemini/settings.json', 'BeforeAgent', 'GEMINI_PROJECT_DIR', { hook_event_name: 'BeforeAgent' }],
    ];
    for (const [file, event, variable, shape] of lines) {
      const command: string = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).hooks[event][0].hooks[0].command;
      const run = (text: string) =>
        spawnSync('/bin/sh', ['-c', command], { cwd: session, input: JSON.stringify({ ...shape, cwd: session, prompt: text }), encoding: 'utf8', env: { ...process.env, [variable]: dir, NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') } });
      const blocked = run(`key: ${key}`);
      assert.equal(blocked.status, 2, `${file}: ${blocked.stderr}`);
      assert.ok(blocked.stderr.includes(sha(key)));
      assert.ok(!blocked.stderr.includes(key));
      assert.doesNotMatch(blocked.stderr, /extra certs/i, 'NODE_EXTRA_CA_CERTS is emptied by the line');
      assert.equal(run('hello').status, 0, file);
    }
  });
});

describe('init --user', () => {
  it("writes the agents' user settings, running this outloop by absolute path from any folder; idempotent, and brought up to date after Node moves", () => {
    const home = tempDir('outloop-user-home-');
    const elsewhere = tempDir('outloop-user-cwd-');
    const env = { HOME: home, CLAUDE_CONFIG_DIR: undefined };
    const none = runCli(['init', '--user'], { cwd: elsewhere, env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /add --claude, --gemini or both/);
    const r = runCli(['init', '--user', '--claude', '--gemini'], { cwd: elsewhere, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^outloop init --user: 2 file\(s\) changed/);
    assert.match(runCli(['init', '--user', '--claude', '--gemini'], { cwd: elsewhere, env }).stdout, /already set up, nothing changed/);
    assert.ok(!fs.existsSync(path.join(elsewhere, '.claude')), 'nothing written in the current folder');

    const key = ANTHROPIC('init-user');
    const session = tempDir('outloop-user-session-');
    for (const [file, event] of [
      ['.claude/settings.json', 'UserPromptSubmit'],
      ['.gemini/settings.json', 'BeforeAgent'],
    ] as const) {
      const command: string = JSON.parse(fs.readFileSync(path.join(home, file), 'utf8')).hooks[event][0].hooks[0].command;
      assert.ok(command.includes(process.execPath), 'this Node, by absolute path');
      // A shell with no node and no outloop on PATH still runs it.
      const run = (text: string) => spawnSync('/bin/sh', ['-c', command], { cwd: session, input: JSON.stringify({ hook_event_name: event, cwd: session, prompt: text }), encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      const blocked = run(`key ${key}`);
      assert.equal(blocked.status, 2, `${file}: ${blocked.stderr}`);
      assert.ok(blocked.stderr.includes(sha(key)) && !blocked.stderr.includes(key));
      assert.equal(run('hi').status, 0);
    }
    // After Node moved: the old line is brought up to date, not doubled.
    const claudeFile = path.join(home, '.claude/settings.json');
    const moved = fs.readFileSync(claudeFile, 'utf8').replaceAll(JSON.stringify(process.execPath).slice(1, -1), '/opt/old-node/bin/node');
    fs.writeFileSync(claudeFile, moved);
    const again = runCli(['init', '--user', '--claude'], { cwd: elsewhere, env });
    assert.match(again.stdout, /UserPromptSubmit hook updated; PreToolUse hook updated/);
    const updated = JSON.parse(fs.readFileSync(claudeFile, 'utf8')).hooks;
    assert.equal(updated.UserPromptSubmit.length, 1);
    assert.ok(updated.UserPromptSubmit[0].hooks[0].command.includes(process.execPath));
    // CLAUDE_CONFIG_DIR moves Claude Code's settings.
    const config = path.join(home, 'claude-config');
    assert.equal(runCli(['init', '--user', '--claude'], { cwd: elsewhere, env: { ...env, CLAUDE_CONFIG_DIR: config } }).code, 0);
    assert.ok(fs.existsSync(path.join(config, 'settings.json')));
  });
});
