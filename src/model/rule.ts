import type { Confidence, Severity } from './finding.js';

export interface AllowPattern {
  regex: RegExp;
  target: 'secret' | 'match' | 'line';
  reason?: string;
}

export interface RuleExample {
  text: string;
  path?: string;
}

/** A rule ready to run: validated, with its regex compiled. Built from a rule file by rules/compile. */
export interface Rule {
  id: string;
  service: string;
  description: string;
  severity: Severity;
  confidence: Confidence;
  /** Lowercased; the prefilter matches them case-insensitively. */
  keywords: string[];
  /**
   * Only keyword hits at the start of a token count (not preceded by a letter or digit, or right
   * after an escaped \n, \r or \t): short prefixes like `fb` or `fc-` occur inside every hex string.
   */
  keywordBoundary: boolean;
  /** Global + indices flags; runs only inside windows around keyword hits. */
  regex: RegExp;
  secretGroup: string | number;
  entropy?: number;
  mustContain?: Array<'upper' | 'lower' | 'digit'>;
  checksum?: 'crc32-base62-tail6' | 'crc32-hex-tail8';
  /** When set, the rule only runs on files whose relative path matches one of these globs. */
  paths?: string[];
  /** Files the rule skips even when `paths` takes them (documentation samples, for instance). */
  excludePaths?: string[];
  pathMatcher?: (relPath: string) => boolean;
  /** How far a match may start before its keyword and end after it. */
  window: { before: number; after: number };
  priority: number;
  allowlist: AllowPattern[];
  revokeUrl?: string;
  examples: { positive: RuleExample[]; negative: RuleExample[] };
  /** The file the rule came from, for error messages. */
  file: string;
}
