/**
 * The one type every stage meets at. A Finding never holds the raw secret: it holds the secret's
 * fingerprint, a redacted hint and its exact span in the original bytes, so whoever must touch the
 * secret later (the rewriter) reads it back from the file by span.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Confidence = 'high' | 'medium' | 'low';
export type SourceKind = 'workspace' | 'stdin' | 'staged' | 'history' | 'transcript' | 'terminal' | 'agent';

export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Byte offsets into the original input, end exclusive. */
export interface ByteSpan {
  start: number;
  end: number;
}

export interface Finding {
  ruleId: string;
  service: string;
  severity: Severity;
  confidence: Confidence;
  description: string;
  source: SourceKind;
  /** Relative to the scan root, `/`-separated; `-` for stdin. */
  path: string;
  /** 1-based, in the decoded text; columns count UTF-16 code units (as SARIF does by default). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Exact bytes of the secret in the original file: what a rewrite replaces. */
  span: ByteSpan;
  /** `sha256:` + hex SHA-256 of the secret's exact characters (UTF-8). */
  fingerprint: string;
  /** Prefix and last 4 characters, never more than a third of the secret. */
  redacted: string;
  /** Why a checksum-bearing token was accepted: `valid` when its offline checksum matched. */
  checksum?: 'valid';
  /** Where the key is revoked or rotated. */
  revokeUrl?: string;
  /**
   * Tenancy (see src/tenancy): the client whose place the finding is in, and the client the key is
   * bound to (for a `foreign-account` finding: whose account it is); null when none.
   */
  tenant: string | null;
  owner: string | null;
  /** The broker alias a bound key goes by (`outloop://OWNER/NAME`): what to write instead of it. */
  alias?: string;
  /** Both set and different: one client's key in another client's place (always critical). */
  wrongClient?: boolean;
  /** An unbound key found in several clients' places: those clients. */
  sharedWith?: string[];
  /** For `history` findings: the commit that added the secret, its author and date (ISO 8601). */
  commit?: string;
  author?: string;
  date?: string;
  /**
   * Set when the secret was found only after decoding (`json`, `base64`, `percent`, `terminal`, ...;
   * nested layers joined by `+`, outermost first). The span then covers the encoded bytes in the
   * file, and the fingerprint is the decoded secret's.
   */
  encoding?: string;
  /** For `transcript` findings: which agent session, message and block the secret was in. */
  transcript?: TranscriptContext;
  /** For the process environment scan (`--env`): the variable holding the secret (never its value). */
  variable?: string;
  /** Set when an allowlist silenced the finding (shown only with --show-suppressed). */
  suppressed?: Suppression;
}

export type AgentName = 'claude-code' | 'codex' | 'gemini-cli' | 'aider' | 'cline' | 'cursor';

export interface TranscriptContext {
  agent: AgentName;
  sessionId: string | null;
  /** The record's own id: Claude Code `uuid`, Codex `call_id` or item id, Gemini message `id`. */
  messageUuid: string | null;
  /** `user`, `assistant`, `tool`, `system`, ... as the agent records it. */
  role: string | null;
  /** The kind of block: `text`, `thinking`, `tool_use`, `tool_result`, `toolUseResult`, `function_call`, ... */
  block: string | null;
  /** Where in the record: a JSON path such as `message.content[2].input.command`. */
  jsonPath: string | null;
  /** The session's working folder: what tenancy binds a transcript by. */
  cwd: string | null;
  timestamp: string | null;
}

export interface Suppression {
  /** `inline`: an `outloop:allow <reason>` comment; `config`: an allow entry; `baseline`: known before. */
  by: 'inline' | 'config' | 'baseline';
  reason: string;
}

/** A per-file problem that did not stop the scan (ripgrep's habit: remember it, go on). */
export interface ScanWarning {
  path: string;
  kind: 'unreadable' | 'vanished' | 'binary' | 'too-large' | 'symlink-loop' | 'encoding' | 'skipped' | 'allow-without-reason';
  message: string;
}
