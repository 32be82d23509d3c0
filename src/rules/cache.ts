/**
 * What the build step precomputes for the built-in rules, so a scan (above all the pre-commit hook)
 * starts without building keyword automata or loading the glob library: both automata's tables in
 * a binary file, and every rule's path globs as regular expressions. Custom rule sets don't use it.
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
  outputs: Array<number[] | null>;
  /** Where the table sits in the binary file, in 16-bit words. */
  offset: number;
  length: number;
}

interface StoredCache {
  ruleIds: string[];
  all: { index: StoredIndex; keywordRules: number[][] };
  unscoped: { index: StoredIndex; keywordRules: number[][] } | null;
  pathRegexes: PathRegexes;
}

export function writeRuleCache(cache: RuleCache): void {
  const tables: Uint16Array[] = [];
  let words = 0;
  const store = (index: KeywordIndexData): StoredIndex => {
    tables.push(index.table);
    const stored = { keywords: index.keywords, outputs: index.outputs, offset: words, length: index.table.length };
    words += index.table.length;
    return stored;
  };
  const { prebuilt } = cache;
  const stored: StoredCache = {
    ruleIds: prebuilt.ruleIds,
    all: { index: store(prebuilt.all.index), keywordRules: prebuilt.all.keywordRules },
    unscoped: prebuilt.unscoped ? { index: store(prebuilt.unscoped.index), keywordRules: prebuilt.unscoped.keywordRules } : null,
    pathRegexes: cache.pathRegexes,
  };
  fs.writeFileSync(CACHE_BIN, Buffer.concat(tables.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength))));
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
  // Uint16Array views need 2-byte alignment; a fresh file buffer has it, a pooled one may not.
  const words = bin.byteOffset % 2 === 0 ? bin : Buffer.from(bin);
  const load = (s: StoredIndex): KeywordIndexData => ({
    keywords: s.keywords,
    outputs: s.outputs,
    table: new Uint16Array(words.buffer, words.byteOffset + s.offset * 2, s.length),
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
