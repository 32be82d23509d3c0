/**
 * Where in an agent session a finding sits: the session, the message, who said it (user, assistant,
 * a tool) and in which block. Computed only for lines that have a finding, from the line itself and
 * what the file's first line says about the session (Codex and Gemini keep session facts there).
 */
import type { AgentName, TranscriptContext } from '../../model/finding.js';
import { readEnvelope } from './envelope.js';
import { formatPath, jsonPathAt, slice, type LineText, type PathSegment } from './json-path.js';

type Json = Record<string, unknown>;

/** Facts about a session recorded once, on its first line. */
export interface SessionHeader {
  sessionId: string | null;
  cwd: string | null;
}

export function sessionHeader(agent: AgentName, firstLine: LineText): SessionHeader {
  const record = readEnvelope(firstLine);
  if (!record) return { sessionId: null, cwd: null };
  if (agent === 'codex' && record.type === 'session_meta') {
    const p = obj(record.payload);
    return { sessionId: str(p?.id), cwd: str(p?.cwd) };
  }
  if (agent === 'gemini-cli') {
    const dirs = record.directories;
    return { sessionId: str(record.sessionId), cwd: Array.isArray(dirs) ? str(dirs[0]) : null };
  }
  return { sessionId: str(record.sessionId), cwd: str(record.cwd) };
}

/** The context of the byte at `offset` of `line` (a JSONL record of `agent`'s transcript). */
export function transcriptContext(agent: AgentName, line: LineText, offset: number, header: SessionHeader): TranscriptContext {
  return lineContext(agent, line, header)(offset);
}

/**
 * The context of any byte of `line`. The record's fields are read once, on the first call, and
 * shared by every finding on the line: a multi-MB tool output can hold dozens of keys.
 */
export function lineContext(agent: AgentName, line: LineText, header: SessionHeader): (offset: number) => TranscriptContext {
  // Only JSON Lines stores have one record per line; Aider's Markdown, Cline's pretty-printed JSON
  // and Cursor's database say nothing more than which agent wrote them.
  const lineRecords = agent === 'claude-code' || agent === 'codex' || agent === 'gemini-cli';
  let record: Json | null = null;
  let read = !lineRecords;
  return (offset) => {
    const path = lineRecords ? jsonPathAt(line, offset) : null;
    if (!read) {
      // A cut-off line (rare: the last line of a killed session) is salvaged from a copy.
      record = readEnvelope(line) ?? salvage(slice(line, 0, line.length));
      read = true;
    }
    const base: TranscriptContext = {
      agent,
      sessionId: header.sessionId,
      messageUuid: null,
      role: null,
      block: null,
      jsonPath: path && path.length ? formatPath(path) : null,
      cwd: header.cwd,
      timestamp: null,
    };
    if (!record) return base; // not even an envelope: the path is all there is
    switch (agent) {
      case 'claude-code':
        return { ...base, ...claudeFields(record, path ?? []) };
      case 'codex':
        return { ...base, ...codexFields(record) };
      case 'gemini-cli':
        return { ...base, messageUuid: str(record.id), role: str(record.type), block: typeof path?.[0] === 'string' ? path[0] : null, timestamp: str(record.timestamp) };
      default:
        return base;
    }
  };
}

function claudeFields(record: Json, path: PathSegment[]): Partial<TranscriptContext> {
  const message = obj(record.message);
  let block: string | null = typeof path[0] === 'string' ? path[0] : null;
  if (path[0] === 'message' && path[1] === 'content') {
    const content = message?.content;
    block = typeof path[2] === 'number' && Array.isArray(content) ? str(obj(content[path[2]])?.type) : 'text';
  }
  const fields: Partial<TranscriptContext> = {
    messageUuid: str(record.uuid) ?? str(record.leafUuid),
    role: str(message?.role) ?? str(record.type),
    block,
    timestamp: str(record.timestamp),
  };
  // Each Claude Code line repeats the session and the folder it ran in.
  const sessionId = str(record.sessionId);
  const cwd = str(record.cwd);
  if (sessionId) fields.sessionId = sessionId;
  if (cwd) fields.cwd = cwd;
  return fields;
}

function codexFields(record: Json): Partial<TranscriptContext> {
  const payload = obj(record.payload);
  const kind = str(payload?.type);
  const role =
    str(payload?.role) ??
    (kind === 'function_call' || kind === 'local_shell_call' || kind === 'custom_tool_call' ? 'assistant' : null) ??
    (kind?.endsWith('_output') ? 'tool' : null) ??
    (kind === 'user_message' ? 'user' : kind === 'agent_message' || kind === 'agent_reasoning' ? 'assistant' : null);
  const fields: Partial<TranscriptContext> = {
    messageUuid: str(payload?.call_id) ?? str(payload?.id),
    role,
    block: kind ?? str(record.type),
    timestamp: str(record.timestamp),
  };
  if (record.type === 'session_meta' || record.type === 'turn_context') {
    const cwd = str(payload?.cwd);
    if (cwd) fields.cwd = cwd;
  }
  return fields;
}

/** Envelope fields every agent writes before the content; a cut-off line still has them. */
const ENVELOPE = ['type', 'uuid', 'sessionId', 'cwd', 'timestamp', 'id', 'role'] as const;

/**
 * What can be read from a line that doesn't parse (the agent was killed mid-write): the first
 * occurrence of each envelope field. Content comes after the envelope in every agent's records,
 * so the first occurrence is the record's own.
 */
function salvage(line: string): Json | null {
  const record: Json = {};
  for (const field of ENVELOPE) {
    const m = new RegExp(`"${field}"\\s{0,4}:\\s{0,4}"([^"\\\\]{1,256})"`).exec(line);
    if (m) record[field] = m[1];
  }
  if (!Object.keys(record).length) return null;
  if (typeof record.role === 'string') record.message = { role: record.role };
  return record;
}

function obj(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
