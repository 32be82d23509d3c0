/**
 * What the build step precomputes for the built-in rules, so a scan (above all the pre-commit hook)
 * starts without building keyword automata or loading the glob library: both automata's tables in
 * a binary file, in the layout the walk uses (nothing to convert at start), and every rule's path
 * globs as regular expressions. Custom rule sets don't use it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrebuiltKeywords } from '../detect/engine.js';
import type { KeywordIndexData } from '../detect/keywords.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/src/rules → dist/rules.cache.json and dist/rules.cache.bin */
export const CACHE_JSON = path.resolve(here, '../../rules.cache.json');
export const CACHE_BIN = path.resolve(here, '../../rules.cache.bin');

/** A rule's path globs compiled to regular-expression sources (picomatch's own translation). */
export type PathRegexes = Record<string, { include?: string; exclude?: string }>;

export interface RuleCache {
  prebuilt: PrebuiltKeywords;
  pathRegexes: PathRegexes;
}

interface StoredIndex {
  keywords: string[];
  firstReport: number;
  reports: number[][];
  /** Where the 32-bit rows and the 256 column bytes sit in the binary file, in bytes. */
  rowsAt: number;
  rowCount: number;
  columnAt: number;
}

interface StoredCache {
  ruleIds: string[];
  all: { index: StoredIndex; keywordRules: number[][] };
  unscoped: { index: StoredIndex; keywordRules: number[][] } | null;
  pathRegexes: PathRegexes;
}

export function writeRuleCache(cache: RuleCache): void {
  const parts: Buffer[] = [];
  let at = 0;
  const put = (bytes: Buffer): number => {
    parts.push(bytes);
    const offset = at;
    at += bytes.length;
    return offset;
  };
  // Rows first, each table's length a multiple of 4 bytes, so every Int32Array view is aligned.
  const store = (index: KeywordIndexData): StoredIndex => ({
    keywords: index.keywords,
    firstReport: index.firstReport,
    reports: index.reports,
    rowsAt: put(Buffer.from(index.rows.buffer, index.rows.byteOffset, index.rows.byteLength)),
    rowCount: index.rows.length,
    columnAt: -1,
  });
  const { prebuilt } = cache;
  const stored: StoredCache = {
    ruleIds: prebuilt.ruleIds,
    all: { index: store(prebuilt.all.index), keywordRules: prebuilt.all.keywordRules },
    unscoped: prebuilt.unscoped ? { index: store(prebuilt.unscoped.index), keywordRules: prebuilt.unscoped.keywordRules } : null,
    pathRegexes: cache.pathRegexes,
  };
  // Then the column tables (256 bytes each, so alignment holds whatever follows).
  stored.all.index.columnAt = put(Buffer.from(prebuilt.all.index.column));
  if (stored.unscoped && prebuilt.unscoped) stored.unscoped.index.columnAt = put(Buffer.from(prebuilt.unscoped.index.column));
  fs.writeFileSync(CACHE_BIN, Buffer.concat(parts));
  fs.writeFileSync(CACHE_JSON, JSON.stringify(stored));
}

/** The cache, or null when it is missing or unreadable (then everything is built at run time). */
export function readRuleCache(): RuleCache | null {
  let stored: StoredCache;
  let bin: Buffer;
  try {
    stored = JSON.parse(fs.readFileSync(CACHE_JSON, 'utf8')) as StoredCache;
    bin = fs.readFileSync(CACHE_BIN);
  } catch {
    return null;
  }
  // Int32Array views need 4-byte alignment; a fresh file buffer has it, a pooled one may not.
  const aligned = bin.byteOffset % 4 === 0 ? bin : Buffer.from(bin);
  const load = (s: StoredIndex): KeywordIndexData => ({
    keywords: s.keywords,
    firstReport: s.firstReport,
    reports: s.reports,
    rows: new Int32Array(aligned.buffer, aligned.byteOffset + s.rowsAt, s.rowCount),
    column: new Uint8Array(aligned.buffer, aligned.byteOffset + s.columnAt, 256),
  });
  return {
    prebuilt: {
      ruleIds: stored.ruleIds,
      all: { index: load(stored.all.index), keywordRules: stored.all.keywordRules },
      unscoped: stored.unscoped ? { index: load(stored.unscoped.index), keywordRules: stored.unscoped.keywordRules } : null,
    },
    pathRegexes: stored.pathRegexes,
  };
}
