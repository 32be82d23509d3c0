/**
 * What a coding agent is about to send or write, read from the event its hook receives on stdin:
 * the prompt (Claude Code's and Codex's `UserPromptSubmit`, Gemini CLI's `BeforeAgent`) and a tool
 * call's input (`PreToolUse`, `BeforeTool`). Each event becomes the texts to scan, each with the
 * place it would land in:
 *
 * - a prompt, a shell command, a URL or any other tool's input lands in the session (its place is
 *   the session's folder, `cwd`);
 * - a file write or edit lands in that file (its place is the file, and the rules' path globs apply:
 *   a `.env` is read as a `.env`). An edit reports only keys its new text adds: the old string (or
 *   the file as it is on disk) is the `before` text.
 *
 * The three agents share the input's field names (`session_id`, `transcript_path`, `cwd`,
 * `hook_event_name`; `prompt`; `tool_name`, `tool_input`: Claude Code's hooks reference, which Codex's
 * hooks follow, and Gemini CLI's hooks reference); they differ in event and tool names (DIALECTS).
 * Unknown tools are scanned string by string.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import type { AgentName, TranscriptContext } from '../model/finding.js';
import type { TextInput } from '../model/text-input.js';
import { isJsonObject } from '../json-object.js';

export interface AgentHookEvent {
  agent: HookAgent;
  /**
   * `read`: a tool that would read a file into the session (its texts: the file as it is);
   * `output`: what a tool returned, before the model sees it (Gemini CLI's AfterTool).
   */
  kind: 'prompt' | 'tool' | 'read' | 'output';
  /** For `output`: the tool's result as the model would get it (its strings are the texts), and its JSON path. */
  output?: unknown;
  outputPath?: string;
  /** The tool's name for a tool call (`Bash`, `Write`, `mcp__slack__post_message`...). */
  tool: string | null;
  sessionId: string | null;
  /** The session's folder: the root report paths are relative to. */
  cwd: string;
  transcriptPath: string | null;
  texts: TextInput[];
}

export type HookAgent = Extract<AgentName, 'claude-code' | 'codex' | 'gemini-cli'>;

/** How a tool that writes a file names its fields: the new text, the text it replaces, the file. */
interface FileTool {
  text: string;
  old?: string;
  /** MultiEdit: a list of { old_string, new_string } edits. */
  edits?: true;
  path: string;
}

interface Dialect {
  promptEvent: string;
  toolEvent: string;
  fileTools: Record<string, FileTool>;
  /** Tools that read a file into the session, and the field naming the file. */
  readTools: Record<string, string>;
  /** The event that hands a tool's result to the hook before the model sees it, where there is one. */
  outputEvent?: string;
}

/** Where a tool's result sits in the event (Gemini CLI: `tool_response.llmContent`). */
export const OUTPUT_PATH = 'tool_response.llmContent';

const CLAUDE_FILE_TOOLS: Record<string, FileTool> = {
  Write: { text: 'content', path: 'file_path' },
  Edit: { text: 'new_string', old: 'old_string', path: 'file_path' },
  MultiEdit: { text: 'new_string', old: 'old_string', edits: true, path: 'file_path' },
  NotebookEdit: { text: 'new_source', path: 'notebook_path' },
};

export const DIALECTS: Record<HookAgent, Dialect> = {
  'claude-code': { promptEvent: 'UserPromptSubmit', toolEvent: 'PreToolUse', fileTools: CLAUDE_FILE_TOOLS, readTools: { Read: 'file_path' } },
  codex: { promptEvent: 'UserPromptSubmit', toolEvent: 'PreToolUse', fileTools: CLAUDE_FILE_TOOLS, readTools: { Read: 'file_path' } },
  'gemini-cli': {
    promptEvent: 'BeforeAgent',
    toolEvent: 'BeforeTool',
    fileTools: { write_file: { text: 'content', path: 'file_path' }, replace: { text: 'new_string', old: 'old_string', path: 'file_path' } },
    readTools: { read_file: 'path' },
    outputEvent: 'AfterTool',
  },
};
/**
 * Files past this size are not read to tell an edit's new keys from old ones (they count as new),
 * nor checked before an agent reads them (agents read big files a slice at a time).
 */
const MAX_BEFORE_BYTES = 16 * 1024 * 1024;

/** Parses an agent's hook event; null for an event that carries nothing to check (SessionStart...). */
export function agentHookEvent(agent: HookAgent, raw: Buffer | string, fallbackCwd: string): AgentHookEvent | null {
  const dialect = DIALECTS[agent];
  let data: unknown;
  try {
    data = JSON.parse(raw.toString());
  } catch (err) {
    throw new UsageError(`the hook's input is not JSON (${(err as Error).message}); is this command run by ${agent}'s hooks?`);
  }
  if (!isJsonObject(data)) throw new UsageError("the hook's input is not a JSON object");
  const event = data.hook_event_name;
  if (typeof event !== 'string') throw new UsageError("the hook's input has no hook_event_name");
  const cwd = typeof data.cwd === 'string' && path.isAbsolute(data.cwd) ? data.cwd : fallbackCwd;
  const sessionId = typeof data.session_id === 'string' ? data.session_id : null;
  const transcriptPath = typeof data.transcript_path === 'string' ? data.transcript_path : null;
  const session = (jsonPath: string, role: string, block: string): TranscriptContext => ({
    agent,
    sessionId,
    messageUuid: null,
    role,
    block,
    jsonPath,
    cwd,
    timestamp: null,
  });
  const base = { agent, sessionId, cwd, transcriptPath };
  if (event === dialect.promptEvent) {
    const prompt = typeof data.prompt === 'string' ? data.prompt : '';
    return { ...base, kind: 'prompt', tool: null, texts: [{ path: '(prompt)', text: prompt, source: 'agent', transcript: session('prompt', 'user', 'text') }] };
  }
  const tool = typeof data.tool_name === 'string' ? data.tool_name : '(unnamed tool)';
  if (event === dialect.toolEvent) {
    const input = isJsonObject(data.tool_input) ? data.tool_input : {};
    if (Object.hasOwn(dialect.readTools, tool)) return { ...base, kind: 'read', tool, texts: readToolTexts(input, dialect.readTools[tool]!, cwd) };
    const fileTool = Object.hasOwn(dialect.fileTools, tool) ? dialect.fileTools[tool]! : null;
    const texts = fileTool ? fileToolTexts(fileTool, input, cwd) : null;
    return { ...base, kind: 'tool', tool, texts: texts ?? stringsOf(input, 'tool_input', tool, 'tool_use', session) };
  }
  if (dialect.outputEvent && event === dialect.outputEvent) {
    const response = isJsonObject(data.tool_response) ? data.tool_response : {};
    const [output, outputPath] = 'llmContent' in response ? [response.llmContent, OUTPUT_PATH] : [response, 'tool_response'];
    return { ...base, kind: 'output', tool, output, outputPath, texts: stringsOf(output, outputPath, tool, 'tool_result', session) };
  }
  return null;
}

/** A write or edit: its new text as the file's, with what the file held before. Null when the input isn't of the known shape. */
function fileToolTexts(tool: FileTool, input: Record<string, unknown>, cwd: string): TextInput[] | null {
  const file = input[tool.path];
  if (typeof file !== 'string' || !file) return null;
  const rel = relativePath(cwd, file);
  // A key the file already holds is no new exposure (an edit that moves or keeps a line with it).
  const onDisk = readSmall(path.resolve(cwd, file));
  const at = (text: unknown, old?: unknown): TextInput => {
    const before = [old, onDisk].filter((t): t is string => typeof t === 'string' && t !== '');
    return { path: rel, text: typeof text === 'string' ? text : '', source: 'agent', ...(before.length ? { before } : {}) };
  };
  if (tool.edits) return Array.isArray(input.edits) ? input.edits.filter(isJsonObject).map((e) => at(e[tool.text], tool.old ? e[tool.old] : undefined)) : null;
  return typeof input[tool.text] === 'string' ? [at(input[tool.text], tool.old ? input[tool.old] : undefined)] : null;
}

/** A file an agent is about to read: what it holds now, as that file (nothing when it can't be read). */
function readToolTexts(input: Record<string, unknown>, field: string, cwd: string): TextInput[] {
  const file = [input[field], input.file_path, input.path].find((v): v is string => typeof v === 'string' && v !== '');
  if (!file) return [];
  const text = readSmall(path.resolve(cwd, file));
  if (text === null) return [];
  return [{ path: relativePath(cwd, file), text, source: 'agent' }];
}

/** A file's path as the report shows it: from the session's folder, `/`-separated. */
function relativePath(cwd: string, file: string): string {
  return path.relative(cwd, path.resolve(cwd, file)).split(path.sep).join('/') || path.basename(file);
}

/** Every string in a tool's input (a command, a URL, an MCP tool's message), each as its own text. */
function stringsOf(value: unknown, at: string, tool: string, block: string, session: (jsonPath: string, role: string, block: string) => TranscriptContext): TextInput[] {
  const out: TextInput[] = [];
  mapStrings(value, at, (text, jsonPath) => {
    if (text.length) out.push({ path: `(${tool})`, text, source: 'agent', transcript: session(jsonPath, block === 'tool_use' ? 'assistant' : 'tool', block) });
    return text;
  });
  return out;
}

/**
 * The value with each string replaced by what `map` makes of it (given its JSON path, as
 * `tool_input.blocks[0].text`); containers are rebuilt, down to 16 levels (deeper ones are kept as they are).
 */
export function mapStrings(value: unknown, at: string, map: (text: string, jsonPath: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return map(value, at);
  if (depth >= 16) return value;
  if (Array.isArray(value)) return value.map((item, i) => mapStrings(item, `${at}[${i}]`, map, depth + 1));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, mapStrings(item, /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`, map, depth + 1)]));
  }
  return value;
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
