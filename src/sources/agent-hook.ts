/**
 * What a coding agent is about to send or write, read from the event its hook receives on stdin:
 * Claude Code's `UserPromptSubmit` (the prompt) and `PreToolUse` (a tool call's input). Each event
 * becomes the texts to scan, each with the place it would land in:
 *
 * - a prompt, a shell command, a URL or any other tool's input lands in the session (its place is
 *   the session's folder, `cwd`);
 * - a file write or edit lands in that file (its place is the file, and the rules' path globs apply:
 *   a `.env` is read as a `.env`). An edit reports only keys its new text adds: the old string (or
 *   the file as it is on disk) is the `before` text.
 *
 * Field names are Claude Code's hook input (common fields `session_id`, `transcript_path`, `cwd`,
 * `hook_event_name`; `prompt`; `tool_name`, `tool_input`); unknown tools are scanned string by string.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import type { TranscriptContext } from '../model/finding.js';
import type { TextInput } from '../scan.js';

export interface AgentHookEvent {
  kind: 'prompt' | 'tool';
  /** The tool's name for a tool call (`Bash`, `Write`, `mcp__slack__post_message`...). */
  tool: string | null;
  sessionId: string | null;
  /** The session's folder: the root report paths are relative to. */
  cwd: string;
  transcriptPath: string | null;
  texts: TextInput[];
}

/** Tools whose input lands in a file, and which of their fields hold the new text. */
const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
/** Files past this size are not read to tell an edit's new keys from old ones (they count as new). */
const MAX_BEFORE_BYTES = 16 * 1024 * 1024;

/** Parses a Claude Code hook event; null for an event that carries nothing to check (SessionStart...). */
export function claudeCodeEvent(raw: Buffer | string, fallbackCwd: string): AgentHookEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(raw.toString());
  } catch (err) {
    throw new UsageError(`the hook's input is not JSON (${(err as Error).message}); is this command run by Claude Code's hooks?`);
  }
  if (!isObject(data)) throw new UsageError("the hook's input is not a JSON object");
  const event = data.hook_event_name;
  if (typeof event !== 'string') throw new UsageError("the hook's input has no hook_event_name");
  const cwd = typeof data.cwd === 'string' && path.isAbsolute(data.cwd) ? data.cwd : fallbackCwd;
  const sessionId = typeof data.session_id === 'string' ? data.session_id : null;
  const transcriptPath = typeof data.transcript_path === 'string' ? data.transcript_path : null;
  const session = (jsonPath: string, role: string, block: string): TranscriptContext => ({
    agent: 'claude-code',
    sessionId,
    messageUuid: null,
    role,
    block,
    jsonPath,
    cwd,
    timestamp: null,
  });
  const base = { sessionId, cwd, transcriptPath };
  if (event === 'UserPromptSubmit') {
    const prompt = typeof data.prompt === 'string' ? data.prompt : '';
    return { ...base, kind: 'prompt', tool: null, texts: [{ path: '(prompt)', text: prompt, source: 'agent', transcript: session('prompt', 'user', 'text') }] };
  }
  if (event === 'PreToolUse') {
    const tool = typeof data.tool_name === 'string' ? data.tool_name : '(unnamed tool)';
    const input = isObject(data.tool_input) ? data.tool_input : {};
    const texts = FILE_TOOLS.has(tool) ? fileToolTexts(tool, input, cwd) : null;
    return { ...base, kind: 'tool', tool, texts: texts ?? stringsOf(input, 'tool_input', tool, session) };
  }
  return null;
}

/** A write or edit: its new text as the file's, with what the file held before. Null when the input isn't of the known shape. */
function fileToolTexts(tool: string, input: Record<string, unknown>, cwd: string): TextInput[] | null {
  const file = typeof input.file_path === 'string' ? input.file_path : typeof input.notebook_path === 'string' ? input.notebook_path : null;
  if (!file) return null;
  const rel = path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/') || path.basename(file);
  // A key the file already holds is no new exposure (an edit that moves or keeps a line with it).
  const onDisk = readSmall(path.resolve(cwd, file)) ?? '';
  const at = (text: unknown, old?: unknown): TextInput => {
    const before = [typeof old === 'string' ? old : '', onDisk].filter(Boolean).join('\n');
    return { path: rel, text: typeof text === 'string' ? text : '', source: 'agent', ...(before ? { before } : {}) };
  };
  switch (tool) {
    case 'Write':
      return typeof input.content === 'string' ? [at(input.content)] : null;
    case 'Edit':
      return typeof input.new_string === 'string' ? [at(input.new_string, input.old_string)] : null;
    case 'MultiEdit':
      return Array.isArray(input.edits) ? input.edits.filter(isObject).map((e) => at(e.new_string, e.old_string)) : null;
    case 'NotebookEdit':
      return typeof input.new_source === 'string' ? [at(input.new_source)] : null;
  }
  return null;
}

/** Every string in a tool's input (a command, a URL, an MCP tool's message), each as its own text. */
function stringsOf(value: unknown, at: string, tool: string, session: (jsonPath: string, role: string, block: string) => TranscriptContext): TextInput[] {
  const out: TextInput[] = [];
  const visit = (v: unknown, jsonPath: string, depth: number) => {
    if (typeof v === 'string') {
      if (v.length) out.push({ path: `(${tool})`, text: v, source: 'agent', transcript: session(jsonPath, 'assistant', 'tool_use') });
    } else if (Array.isArray(v)) {
      if (depth < 16) v.forEach((item, i) => visit(item, `${jsonPath}[${i}]`, depth + 1));
    } else if (isObject(v) && depth < 16) {
      for (const [k, item] of Object.entries(v)) visit(item, /^[A-Za-z_$][\w$]*$/.test(k) ? `${jsonPath}.${k}` : `${jsonPath}[${JSON.stringify(k)}]`, depth + 1);
    }
  };
  visit(value, at, 0);
  return out;
}

function readSmall(file: string): string | null {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > MAX_BEFORE_BYTES) return null;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // a new file, or one we can't read: everything in the write counts as new
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
