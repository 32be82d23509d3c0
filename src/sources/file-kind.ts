/**
 * What a file is, from its name and first bytes: an agent transcript, a terminal recording or shell
 * history, or plain text. The kind decides the finding's `source`, the decoding layers that run on
 * the file, and whether findings get a transcript context.
 */
import path from 'node:path';
import type { FormatLayer } from '../decode/layers.js';
import { detectTerminalFormat } from '../decode/terminal-format.js';
import type { AgentName, SourceKind } from '../model/finding.js';
import { agentByContent, agentByName, agentByPath } from './transcript/recognize.js';

export interface FileKind {
  source: SourceKind;
  /** The agent whose transcript or history this is. */
  agent: AgentName | null;
  /** A whole-file decoder for the format (zsh metafication, fish escapes, asciinema events). */
  format: FormatLayer | null;
}

const ENVELOPE_HINT = /"(?:type|sessionId|session_id|\$set|\$rewindTo|display|projectHash)"/;

/** The first few complete lines decide (a blank or cut first line must not hide the agent). */
function agentByLines(head: string): AgentName | null {
  const lines = head.split('\n');
  for (const line of lines.slice(0, Math.min(5, lines.length - 1 || 1))) {
    // Parsing is the cost; a line without any agent's envelope field can't be an agent's record.
    if (!ENVELOPE_HINT.test(line)) continue;
    const agent = agentByContent(line);
    if (agent) return agent;
  }
  return null;
}

const JSON_EXTENSIONS = new Set(['.json', '.jsonl', '.ndjson', '.ipynb', '.cast', '.har', '.webmanifest']);

/** `base` is the source the file was listed by: a workspace file may turn out to be a transcript. */
export function classifyFile(relPath: string, head: string, base: SourceKind): FileKind {
  const name = path.posix.basename(relPath);
  const ext = path.posix.extname(name).toLowerCase();
  const jsonish = JSON_EXTENSIONS.has(ext) || /^\s*[{[]/.test(head);
  const agent = agentByName(name) ?? (jsonish ? agentByLines(head) : null) ?? agentByPath(relPath);
  const terminal = agent ? null : detectTerminalFormat(relPath, head);
  const format: FormatLayer | null = terminal === 'zsh-history' || terminal === 'fish-history' || terminal === 'asciinema' ? terminal : null;
  const keepSource = base !== 'workspace';
  return {
    source: keepSource ? base : agent ? 'transcript' : terminal ? 'terminal' : base,
    agent,
    format,
  };
}
