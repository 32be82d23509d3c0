/**
 * Recognising an agent's file met anywhere (a workspace scan, a copied folder): by Aider's file
 * names, or by the envelope of a JSONL line. Kept apart from the store listing so that scanning a
 * file never loads the folder-walking library.
 */
/** Aider writes these into the git root (else the cwd), so they are found in workspaces by name. */
export const AIDER_FILES: Readonly<Record<string, 'markdown' | 'text'>> = {
  '.aider.chat.history.md': 'markdown',
  '.aider.input.history': 'text',
};

/** Aider's history files by their file name. */
export function agentByName(basename: string): 'aider' | null {
  return Object.hasOwn(AIDER_FILES, basename) ? 'aider' : null;
}

const CLAUDE_TYPES = new Set([
  'user', 'assistant', 'summary', 'system', 'file-history-snapshot', 'queue-operation', 'custom-title',
  'attachment', 'progress', 'permission-mode', 'last-prompt', 'ai-title', 'worktree-state', 'pr-link', 'turn_end',
]);
const CODEX_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted', 'world_state', 'inter_agent_communication']);
const GEMINI_MESSAGE_TYPES = new Set(['user', 'gemini', 'info', 'error', 'warning']);

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Which agent wrote a `.jsonl` file, from its first parseable line (the caller skips blank and
 * malformed lines). Recognises each agent's own envelope, not loose similarities:
 * - Claude Code: `sessionId` + a known `type`; also the lines that carry no session id and often
 *   open a file (`summary` with `leafUuid`, `file-history-snapshot` with `messageId` + `snapshot`)
 *   and prompt-history lines (`display` + `project` + numeric `timestamp`);
 * - Codex: `timestamp` + a known `type` + object `payload`; also prompt-history `{session_id, ts, text}`;
 * - Gemini CLI: the metadata line (`sessionId` + `projectHash`), a message record (`id` + `timestamp`
 *   + `type` user/gemini/info/error/warning, no `sessionId`), or a `$set` / `$rewindTo` record.
 */
export function agentByContent(firstLine: string): 'claude-code' | 'codex' | 'gemini-cli' | null {
  let value: unknown;
  try {
    value = JSON.parse(firstLine.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const o = value;
  const type = o.type;

  if (isString(type)) {
    if (isString(o.timestamp) && isObject(o.payload) && CODEX_TYPES.has(type)) return 'codex';
    if (isString(o.sessionId) && CLAUDE_TYPES.has(type)) return 'claude-code';
    if (type === 'summary' && isString(o.leafUuid)) return 'claude-code';
    if (type === 'file-history-snapshot' && isString(o.messageId) && isObject(o.snapshot)) return 'claude-code';
    if (GEMINI_MESSAGE_TYPES.has(type) && isString(o.id) && isString(o.timestamp) && !('sessionId' in o) && !('message' in o)) return 'gemini-cli';
    return null;
  }
  if (isString(o.sessionId) && isString(o.projectHash)) return 'gemini-cli';
  if (isObject(o.$set) || isString(o.$rewindTo)) return 'gemini-cli';
  if (isString(o.display) && typeof o.timestamp === 'number' && isString(o.project)) return 'claude-code';
  if (isString(o.session_id) && typeof o.ts === 'number' && isString(o.text)) return 'codex';
  return null;
}


/**
 * Stores whose files don't say which agent wrote them (Cline's JSON arrays, Cursor's SQLite, Gemini
 * checkpoints), recognised by the folders they live in, wherever those were copied.
 */
export function agentByPath(relPath: string): 'cline' | 'cursor' | 'gemini-cli' | null {
  if (relPath.includes('saoudrizwan.claude-dev/')) return 'cline';
  if (relPath.endsWith('state.vscdb') && /(^|\/)(Cursor|cursor)\//.test(relPath)) return 'cursor';
  if (/(^|\/)\.?gemini\/tmp\//.test(relPath)) return 'gemini-cli';
  return null;
}
