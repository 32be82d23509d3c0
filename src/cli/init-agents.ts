/**
 * `outloop init --claude` / `--gemini`: the agent's project settings (shared with the team through
 * git) get two hooks running `outloop hook AGENT`: before each prompt reaches the model, and before
 * each tool call that reads or writes a file, runs a command, fetches a URL or calls an MCP server.
 * Everything already in the settings stays as it is; a second run changes nothing.
 */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import type { HookAgent } from '../sources/agent-hook.js';
import type { FileEdit } from './init-command.js';
import { parseJsonObject, stringifyLike } from './json-text.js';
import { isJsonObject } from '../json-object.js';

export interface AgentSettings {
  agent: HookAgent;
  file: string;
  /** The shell line the agent runs (see hookCommand). */
  command: string;
  events: Array<{ event: string; matcher?: string }>;
}

/**
 * The project's own outloop, found from the project's folder whatever folder the session is in (the
 * agent sets the variable for hooks); NODE_EXTRA_CA_CERTS emptied as in the git hook.
 */
const hookCommand = (projectDirVariable: string, agent: HookAgent) => `NODE_EXTRA_CA_CERTS= "$${projectDirVariable}"/node_modules/.bin/outloop hook ${agent}`;

/** Per agent: where its project settings live, and the tools whose input can carry a key somewhere (files, commands, URLs, MCP servers). */
export const AGENT_SETTINGS = {
  claude: {
    agent: 'claude-code',
    file: '.claude/settings.json',
    command: hookCommand('CLAUDE_PROJECT_DIR', 'claude-code'),
    events: [{ event: 'UserPromptSubmit' }, { event: 'PreToolUse', matcher: 'Bash|Read|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*' }],
  },
  gemini: {
    agent: 'gemini-cli',
    file: '.gemini/settings.json',
    command: hookCommand('GEMINI_PROJECT_DIR', 'gemini-cli'),
    events: [
      { event: 'BeforeAgent' },
      { event: 'BeforeTool', matcher: 'run_shell_command|read_file|write_file|replace|web_fetch|mcp__.*' },
      // What a command printed or a search found, masked before the model sees it.
      { event: 'AfterTool', matcher: 'run_shell_command|read_file|read_many_files|search_file_content|web_fetch|mcp__.*' },
    ],
  },
} satisfies Record<string, AgentSettings>;

export type AgentKey = keyof typeof AGENT_SETTINGS;

/**
 * `--user`: the agent's settings for every session of this user, in any folder (an agency's client
 * workspaces needn't each install outloop). The hook then runs this very outloop by absolute path,
 * with this Node: a hook's PATH may lack a global install's bin folder. Moving either means running
 * `outloop init --user` again (until then the agent shows the hook's "not found" error at each prompt).
 */
export function userAgentSettings(key: AgentKey, env: NodeJS.ProcessEnv, entry: string, node: string): AgentSettings {
  const home = env.HOME || os.homedir();
  const file = key === 'claude' ? path.join(env.CLAUDE_CONFIG_DIR || path.join(home, '.claude'), 'settings.json') : path.join(home, '.gemini', 'settings.json');
  const base = AGENT_SETTINGS[key];
  return { ...base, file, command: `NODE_EXTRA_CA_CERTS= ${shellQuote(node)} ${shellQuote(entry)} hook ${base.agent}` };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function editAgentSettings(settingsOf: AgentSettings, text: string | null): FileEdit {
  const { file, command, events, agent } = settingsOf;
  const settings = text === null || text.trim() === '' ? {} : parseJsonObject(file, text);
  const hooks = settings.hooks ?? {};
  if (!isJsonObject(hooks)) throw new UsageError(`${file}: "hooks" is not an object`);
  const notes: string[] = [];
  for (const { event, matcher } of events) {
    const groups = hooks[event] ?? [];
    if (!Array.isArray(groups)) throw new UsageError(`${file}: hooks.${event} is not a list`);
    const ours = groups.flatMap((g) => (isJsonObject(g) && Array.isArray(g.hooks) ? g.hooks.filter((h) => isOurHook(h, agent)) : [])) as Array<Record<string, unknown>>;
    if (ours.some((h) => h.command === command)) continue;
    if (ours.length) {
      // An earlier init's line (another Node, another outloop path): brought up to date in place.
      ours[0]!.command = command;
      notes.push(`${event} hook updated`);
      continue;
    }
    hooks[event] = [...groups, { ...(matcher ? { matcher } : {}), hooks: [{ type: 'command', command }] }];
    notes.push(`${event} hook added`);
  }
  if (!notes.length) return { content: null, notes: [`already runs outloop hook ${agent}`], warnings: [] };
  settings.hooks = hooks;
  return { content: stringifyLike(text ?? '', settings), notes, warnings: [] };
}

/** A hook line an init wrote: the project's `.../outloop hook AGENT`, or `--user`'s absolute one (which starts with the emptied variable). */
function isOurHook(h: unknown, agent: HookAgent): boolean {
  if (!isJsonObject(h) || typeof h.command !== 'string') return false;
  const runsHook = new RegExp(`\\bhook\\s+${agent}\\s*$`).test(h.command);
  return runsHook && (/\boutloop\b/.test(h.command) || h.command.startsWith('NODE_EXTRA_CA_CERTS= '));
}

