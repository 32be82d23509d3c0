/**
 * `outloop init --claude`: Claude Code's project settings (`.claude/settings.json`, shared with the
 * team through git) get two hooks running `outloop hook claude-code`: before each prompt reaches the
 * model, and before each tool call that writes a file, runs a command, fetches a URL or calls an MCP
 * server. Everything already in the settings stays as it is; a second run changes nothing.
 */
import { UsageError } from '../model/errors.js';
import type { FileEdit } from './init-command.js';
import { stringifyLike } from './json-text.js';

export const CLAUDE_SETTINGS_FILE = '.claude/settings.json';
/**
 * The project's own outloop, found from the project's folder whatever folder the session is in
 * (Claude Code sets CLAUDE_PROJECT_DIR for hooks); NODE_EXTRA_CA_CERTS emptied as in the git hook.
 */
export const CLAUDE_HOOK_COMMAND = 'NODE_EXTRA_CA_CERTS= "$CLAUDE_PROJECT_DIR"/node_modules/.bin/outloop hook claude-code';
/** The tools whose input can carry a key somewhere: files, commands, URLs, MCP servers. */
export const CLAUDE_TOOL_MATCHER = 'Bash|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*';
const EVENTS: Array<{ event: string; matcher?: string }> = [{ event: 'UserPromptSubmit' }, { event: 'PreToolUse', matcher: CLAUDE_TOOL_MATCHER }];

export function editClaudeSettings(text: string | null): FileEdit {
  const settings = text === null || text.trim() === '' ? {} : parseSettings(text);
  const hooks = settings.hooks ?? {};
  if (!isObject(hooks)) throw new UsageError(`${CLAUDE_SETTINGS_FILE}: "hooks" is not an object`);
  const notes: string[] = [];
  for (const { event, matcher } of EVENTS) {
    const groups = hooks[event] ?? [];
    if (!Array.isArray(groups)) throw new UsageError(`${CLAUDE_SETTINGS_FILE}: hooks.${event} is not a list`);
    if (groups.some(runsOurHook)) continue;
    hooks[event] = [...groups, { ...(matcher ? { matcher } : {}), hooks: [{ type: 'command', command: CLAUDE_HOOK_COMMAND }] }];
    notes.push(`${event} hook added`);
  }
  if (!notes.length) return { content: null, notes: ['already runs outloop hook claude-code'], warnings: [] };
  settings.hooks = hooks;
  return { content: stringifyLike(text ?? '', settings), notes, warnings: [] };
}

function runsOurHook(group: unknown): boolean {
  return isObject(group) && Array.isArray(group.hooks) && group.hooks.some((h) => isObject(h) && typeof h.command === 'string' && /\boutloop\s+hook\s+claude-code\b/.test(h.command));
}

function parseSettings(text: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${CLAUDE_SETTINGS_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(data)) throw new UsageError(`${CLAUDE_SETTINGS_FILE} is not a JSON object`);
  return data;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
