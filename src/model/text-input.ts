import type { SourceKind, TranscriptContext } from './finding.js';

/**
 * A text held in memory, scanned as if it were at `path` (relative to the root: the rules' path
 * globs and the tenancy of a place go by it): what an agent is about to send or write.
 */
export interface TextInput {
  path: string;
  text: string;
  source: SourceKind;
  /** The agent session the text belongs to; its `cwd` is then the text's place (see tenancy/apply). */
  transcript?: TranscriptContext;
  /** What this text replaces (an edit's old string, the file's current content): keys already in them are not reported. */
  before?: string[];
}
