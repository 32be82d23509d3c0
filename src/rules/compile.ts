/**
 * Turns validated rule files into runnable rules: compiles regexes, checks that every quantifier is
 * bounded (so no rule can backtrack without limit), and fills defaults from the file.
 */
import { ConfigError } from '../model/errors.js';
import type { AllowPattern, Rule } from '../model/rule.js';
import type { PrebuiltKeywords } from '../detect/engine.js';
import { globsToRegexSource } from '../globs.js';
import type { RuleCache } from './cache.js';
import type { AllowSpec, PackSpec, RuleSpec } from './schema.js';

export interface RuleSet {
  rules: Rule[];
  /** Placeholders and documentation samples that no rule should report. */
  globalAllowlist: AllowPattern[];
  /** Keyword automata built ahead of time for exactly these rules (the built-in set). */
  prebuilt?: PrebuiltKeywords;
}

const DEFAULT_WINDOW = { before: 64, after: 512 };

export function compilePacks(packs: Array<{ file: string; pack: PackSpec }>, cache?: RuleCache | null): RuleSet {
  const pathRegexes = cache?.pathRegexes;
  const rules: Rule[] = [];
  const globalAllowlist: AllowPattern[] = [];
  const seen = new Map<string, string>();
  for (const { file, pack } of packs) {
    pack.globalAllowlist.forEach((a, i) => globalAllowlist.push(compileAllow(a, file, `globalAllowlist[${i}]`)));
    pack.rules.forEach((spec, i) => {
      const where = `rules[${i}] (${spec.id})`;
      const previous = seen.get(spec.id);
      if (previous) throw new ConfigError(file, `${where}.id`, `duplicate rule id, also defined in ${previous}`);
      seen.set(spec.id, file);
      rules.push(compileRule(spec, pack, file, where, pathRegexes?.[spec.id], cache !== undefined && cache !== null));
    });
  }
  return { rules, globalAllowlist, ...(cache ? { prebuilt: cache.prebuilt } : {}) };
}

/**
 * `trusted`: the built-in rules as the build step validated them (same bundle as the cache), so the
 * pattern checks are not repeated at every start.
 */
function compileRule(spec: RuleSpec, pack: PackSpec, file: string, where: string, cached?: { include?: string; exclude?: string }, trusted = false): Rule {
  const service = spec.service ?? pack.service;
  if (!service) throw new ConfigError(file, `${where}.service`, 'missing (set it on the rule or at the top of the file)');
  const unbounded = trusted ? null : findUnboundedQuantifier(spec.pattern);
  if (unbounded !== null) {
    throw new ConfigError(file, `${where}.pattern`, `unbounded quantifier at offset ${unbounded}; use {min,max} so the rule stays linear`);
  }
  const regex = compileRegex(spec.pattern, 'gd' + spec.flags, file, `${where}.pattern`);
  const secretGroup = spec.secretGroup ?? (/\(\?<secret>/.test(spec.pattern) ? 'secret' : trusted || countGroups(spec.pattern) > 0 ? 1 : 0);
  if (!trusted && typeof secretGroup === 'number' && secretGroup > countGroups(spec.pattern)) {
    throw new ConfigError(file, `${where}.secretGroup`, `group ${secretGroup} does not exist in the pattern`);
  }
  if (typeof secretGroup === 'string' && !spec.pattern.includes(`(?<${secretGroup}>`)) {
    throw new ConfigError(file, `${where}.secretGroup`, `named group "${secretGroup}" does not exist in the pattern`);
  }
  const rule: Rule = {
    id: spec.id,
    service,
    description: spec.description,
    severity: spec.severity,
    confidence: spec.confidence,
    keywords: [...new Set(spec.keywords.map((k) => k.toLowerCase()))],
    keywordBoundary: spec.keywordBoundary,
    regex,
    secretGroup,
    window: spec.window ?? DEFAULT_WINDOW,
    priority: spec.priority,
    allowlist: spec.allowlist.map((a, i) => compileAllow(a, file, `${where}.allowlist[${i}]`)),
    examples: {
      positive: spec.examples.positive.map((e) => (typeof e === 'string' ? { text: e } : e)),
      negative: spec.examples.negative.map((e) => (typeof e === 'string' ? { text: e } : e)),
    },
    file,
  };
  const nonAscii = rule.keywords.find((k) => /[^\x20-\x7e]/.test(k));
  if (nonAscii) throw new ConfigError(file, `${where}.keywords`, `keyword "${nonAscii}" must be printable ASCII`);
  if (spec.entropy !== undefined) rule.entropy = spec.entropy;
  if (spec.mustContain) rule.mustContain = spec.mustContain;
  if (spec.checksum) rule.checksum = spec.checksum;
  const revoke = spec.revoke ?? pack.revoke;
  if (revoke) rule.revokeUrl = revoke;
  if (spec.paths || spec.excludePaths) {
    const include = spec.paths ? globsTest(spec.paths, cached?.include) : () => true;
    const exclude = spec.excludePaths ? globsTest(spec.excludePaths, cached?.exclude) : () => false;
    if (spec.paths) rule.paths = spec.paths;
    if (spec.excludePaths) rule.excludePaths = spec.excludePaths;
    rule.pathMatcher = (relPath) => include(relPath) && !exclude(relPath);
  }
  return rule;
}

function compileAllow(spec: AllowSpec, file: string, field: string): AllowPattern {
  const s = typeof spec === 'string' ? { pattern: spec, target: 'secret' as const, flags: '' as const } : spec;
  const allow: AllowPattern = { regex: compileRegex(s.pattern, s.flags, file, `${field}.pattern`), target: s.target };
  if (typeof spec !== 'string' && spec.reason) allow.reason = spec.reason;
  return allow;
}

function compileRegex(source: string, flags: string, file: string, field: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new ConfigError(file, field, `invalid regular expression: ${(err as Error).message}`);
  }
}

/** Calls `visit` with each syntax character's offset: those outside escapes and character classes. */
function forEachSyntaxOffset(source: string, visit: (i: number) => boolean | void): void {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (visit(i) === true) return;
  }
}

/** Offset of the first `*`, `+` or `{n,}` outside character classes and escapes, or null. */
export function findUnboundedQuantifier(source: string): number | null {
  let found: number | null = null;
  forEachSyntaxOffset(source, (i) => {
    const c = source[i];
    if (c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(source.slice(i)))) found = i;
    return found !== null;
  });
  return found;
}

/** Capturing groups: plain `(` and named `(?<name>`, not `(?:`, look-arounds or look-behinds. */
function countGroups(source: string): number {
  let n = 0;
  forEachSyntaxOffset(source, (i) => {
    if (source[i] === '(' && (source[i + 1] !== '?' || (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!'))) n++;
  });
  return n;
}

/** A glob that looks at the file name only, at any depth: `**`, a slash, then a name glob. */
function isAnyDepthName(glob: string): boolean {
  // Braces and extglobs may hide a slash; such globs keep the whole-path test.
  return glob.startsWith('**/') && !/[/\\{}()]/.test(glob.slice(3));
}

/**
 * A test of relative `/`-separated paths against globs, answering as picomatch does with `dot: true`.
 * `translation` is picomatch's regular expression for them, when the build precomputed it.
 */
export function globsTest(globs: string[], translation?: string): (path: string) => boolean {
  const translated = () => new RegExp(translation ?? globsToRegexSource(globs));
  if (globs.every(isStarNameGlob)) return byStarNames(globs, translated);
  const re = translated();
  return globs.every(isAnyDepthName) ? byFileName(re) : (p: string) => re.test(p);
}

/**
 * `**`, a slash, then a file name of plain characters and `*` only (the generic rules' `*.json`,
 * `.env.*` and `credentials`, each after `**` and a slash). With picomatch's `dot: true`, such a glob
 * matches a path whose file name is that name, each `*` standing for any run of characters, empty
 * included.
 */
function isStarNameGlob(glob: string): boolean {
  const name = glob.slice(3);
  return glob.startsWith('**/') && name !== '' && !name.includes('**') && !/[\/\\?[\]{}()!+@]/.test(name);
}

/**
 * The path test for globs that are all star names, without regular expressions: V8 compiles a
 * regular expression when it first runs, and picomatch's translation of the generic rules' globs
 * took some 4 ms to compile on every pre-commit run. Paths with a `.` or `..` segment (which `**`
 * never matches) keep the translated glob, compiled only then.
 */
function byStarNames(globs: string[], translated: () => RegExp): (path: string) => boolean {
  const names = globs.map((g) => g.slice(3).split('*'));
  let re: RegExp | undefined;
  return (p: string) => {
    if (p === '' || DOT_SEGMENT.test(p)) return (re ??= translated()).test(p);
    const name = p.slice(p.lastIndexOf('/') + 1);
    return names.some((parts) => matchesStars(name, parts));
  };
}

/** Whether `name` is `parts` joined by runs of any characters: the first and last parts anchored, the others in order, greedy-leftmost. */
function matchesStars(name: string, parts: string[]): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return name === first;
  const last = parts[parts.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = name.indexOf(parts[i]!, at);
    if (found < 0 || found + parts[i]!.length > end) return false;
    at = found + parts[i]!.length;
  }
  return true;
}

/** A `.` or `..` segment, which `**` never matches. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * A path test for globs that all look at the file name only: the translated glob, run on the name
 * alone, answers as it would on the whole path (any folders match `**`), and a file name is a few
 * characters where a path is dozens, with the translation's lookaheads tried at each one. That made
 * the whole-path test a few percent of a workspace scan. Answers are kept per name, which repeat.
 */
function byFileName(re: RegExp): (path: string) => boolean {
  const byName = new Map<string, boolean>();
  return (p: string) => {
    if (DOT_SEGMENT.test(p)) return re.test(p);
    const name = p.slice(p.lastIndexOf('/') + 1);
    let hit = byName.get(name);
    if (hit === undefined) {
      hit = re.test(name);
      if (byName.size < 4096) byName.set(name, hit);
    }
    return hit;
  };
}
