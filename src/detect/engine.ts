/**
 * The detector: keyword prefilter → regex in windows around hits → secret group → entropy →
 * required character classes → checksum → allowlists → overlap resolution. Pure: text in, matches
 * out, no I/O, no knowledge of files beyond the relative path that path-scoped rules look at.
 */
import type { AllowPattern, Rule } from '../model/rule.js';
import type { RuleSet } from '../rules/compile.js';
import { bytesView, stringView, type TextView } from '../decode/view.js';
import { CHECKSUMS } from './checksum.js';
import { containsClasses, shannonEntropy } from './entropy.js';
import { KeywordIndex, type KeywordIndexData } from './keywords.js';
import { DECODE_TRIGGERS, type TriggerKind } from './triggers.js';

export interface Match {
  rule: Rule;
  /** The secret's index range in the text (end exclusive). */
  start: number;
  end: number;
  matchStart: number;
  matchEnd: number;
  secret: string;
  checksumValid: boolean;
}

/** Extra characters around a window so look-behinds and look-aheads see real neighbours. */
const MARGIN = 8;

/** An automaton over a subset of the rules' keywords, and which rules each keyword feeds. */
interface KeywordSet {
  index: KeywordIndex;
  keywordRules: number[][];
  /** For each keyword id: the decoding layer it is a sign of (see triggers.ts), if it is one. */
  triggerOf: Array<TriggerKind | undefined>;
}

/**
 * What the prefilter saw in raw text, for the decoding layers: where any keyword starts (sorted),
 * and which layers' signs occurred.
 */
export interface PrefilterLog {
  positions: number[];
  triggers: Set<TriggerKind>;
  /** Where each layer's signs start (unsorted). */
  at?: Partial<Record<TriggerKind, number[]>>;
}

/** Both automata as data, built once at build time for the built-in rules (see scripts/bundle-rules). */
export interface PrebuiltKeywords {
  ruleIds: string[];
  all: { index: KeywordIndexData; keywordRules: number[][] };
  unscoped: { index: KeywordIndexData; keywordRules: number[][] } | null;
}

function buildKeywordSet(rules: Rule[], include: (rule: Rule) => boolean): KeywordSet {
  const ids = new Map<string, number>();
  const keywordRules: number[][] = [];
  rules.forEach((rule, r) => {
    if (!include(rule)) return;
    for (const kw of rule.keywords) {
      let id = ids.get(kw);
      if (id === undefined) {
        id = ids.size;
        ids.set(kw, id);
        keywordRules.push([]);
      }
      keywordRules[id]!.push(r);
    }
  });
  for (const kw of Object.keys(DECODE_TRIGGERS)) {
    if (ids.has(kw)) continue;
    ids.set(kw, ids.size);
    keywordRules.push([]);
  }
  const index = KeywordIndex.build([...ids.keys()]);
  return { index, keywordRules, triggerOf: triggersOf(index) };
}

function triggersOf(index: KeywordIndex): Array<TriggerKind | undefined> {
  return index.keywords.map((k) => DECODE_TRIGGERS[k]);
}

export class Detector {
  /** Every rule's keywords, for files where some path-scoped rule applies. */
  private readonly all: KeywordSet;
  /**
   * Only the keywords of rules that apply everywhere: source files and logs never see the generic
   * rule's common words (key, token), so most of them produce no hit at all and are never decoded.
   */
  private readonly unscoped: KeywordSet;
  /** Indices of the rules limited to some paths: the only ones a file's path can switch on or off. */
  private readonly scoped: number[];
  /** Which rules run on a file that no path-scoped rule applies to (computed once, shared). */
  private readonly unscopedActive: boolean[];
  readonly rules: Rule[];
  private readonly globalAllow: AllowPattern[];

  /** Prebuilt automata (ruleSet.prebuilt) are used only when they were built for exactly these rules. */
  constructor(ruleSet: RuleSet) {
    const prebuilt = ruleSet.prebuilt;
    this.rules = ruleSet.rules;
    this.globalAllow = ruleSet.globalAllowlist;
    this.scoped = this.rules.flatMap((r, i) => (r.pathMatcher ? [i] : []));
    this.unscopedActive = this.rules.map((r) => !r.pathMatcher);
    const fits = prebuilt && prebuilt.ruleIds.length === this.rules.length && prebuilt.ruleIds.every((id, i) => id === this.rules[i]!.id);
    if (fits) {
      const load = (k: { index: KeywordIndexData; keywordRules: number[][] }): KeywordSet => {
        const index = new KeywordIndex(k.index);
        return { index, keywordRules: k.keywordRules, triggerOf: triggersOf(index) };
      };
      this.all = load(prebuilt.all);
      this.unscoped = prebuilt.unscoped ? load(prebuilt.unscoped) : this.all;
    } else {
      this.all = buildKeywordSet(this.rules, () => true);
      this.unscoped = this.scoped.length ? buildKeywordSet(this.rules, (r) => !r.pathMatcher) : this.all;
    }
  }

  toPrebuilt(): PrebuiltKeywords {
    const data = (k: KeywordSet) => ({ index: k.index.toData(), keywordRules: k.keywordRules });
    return { ruleIds: this.rules.map((r) => r.id), all: data(this.all), unscoped: this.unscoped === this.all ? null : data(this.unscoped) };
  }

  /** The rules' keywords (the decoding layers' signs are searched too, but aren't keywords of a rule). */
  get keywords(): string[] {
    return this.all.index.keywords.filter((k, id) => this.all.keywordRules[id]!.length > 0 || !this.all.triggerOf[id]);
  }

  /** relPath decides path-scoped rules; null means the input has no path (stdin). */
  detect(text: string, relPath: string | null, log?: PrefilterLog): Match[] {
    const hits = this.newHits(relPath, (i) => text.charCodeAt(i), log);
    hits.set.index.scan(text, hits.add);
    return this.matchHits(stringView(text), hits.byRule);
  }

  /**
   * Prefilter raw 8-bit bytes first and decode only when some keyword occurs: most files of a
   * workspace have none. Those that have one are decoded only around the hits (see decode/view.ts).
   */
  detectBytes(bytes: Buffer, relPath: string | null, log?: PrefilterLog): Match[] {
    const hits = this.newHits(relPath, (i) => bytes[i]!, log);
    hits.set.index.scanBytes(bytes, hits.add);
    if (hits.count() === 0) return [];
    return this.matchHits(bytesView(bytes), hits.byRule);
  }

  private newHits(relPath: string | null, codeAt: (i: number) => number, log?: PrefilterLog) {
    // Most files match no path-scoped rule: they share one precomputed table and the smaller automaton.
    let active = this.unscopedActive;
    for (const i of relPath === null ? [] : this.scoped) {
      if (!this.rules[i]!.pathMatcher!(relPath!)) continue;
      if (active === this.unscopedActive) active = [...active];
      active[i] = true;
    }
    const set = active === this.unscopedActive ? this.unscoped : this.all;
    const byRule: Array<number[] | undefined> = new Array(this.rules.length);
    let count = 0;
    const add = (kw: number, start: number) => {
      if (log) {
        log.positions.push(start);
        const trigger = set.triggerOf[kw];
        if (trigger) {
          log.triggers.add(trigger);
          if (log.at) (log.at[trigger] ??= []).push(start);
        }
      }
      for (const r of set.keywordRules[kw]!) {
        if (!active[r]) continue;
        if (this.rules[r]!.keywordBoundary && !atTokenStart(codeAt, start)) continue;
        (byRule[r] ??= []).push(start);
        count++;
      }
    };
    return { set, byRule, add, count: () => count };
  }

  private matchHits(text: TextView, hits: Array<number[] | undefined>): Match[] {
    const matches: Match[] = [];
    for (let r = 0; r < hits.length; r++) {
      const ruleHits = hits[r];
      if (ruleHits) this.runRule(this.rules[r]!, text, ruleHits, matches);
    }
    return resolveOverlaps(matches);
  }

  private runRule(rule: Rule, text: TextView, ruleHits: number[], out: Match[]): void {
    ruleHits.sort((a, b) => a - b);
    const { before, after } = rule.window;
    let i = 0;
    while (i < ruleHits.length) {
      // Merge the windows of nearby hits so each stretch of text is matched once.
      const from = Math.max(0, ruleHits[i]! - before);
      let to = ruleHits[i]! + after;
      while (i + 1 < ruleHits.length && ruleHits[i + 1]! - before <= to) to = ruleHits[++i]! + after;
      i++;
      const sliceStart = Math.max(0, from - MARGIN);
      const sliceEnd = Math.min(text.length, to + MARGIN);
      this.matchWindow(rule, text, sliceStart, sliceEnd, from - sliceStart, out);
    }
  }

  private matchWindow(rule: Rule, text: TextView, sliceStart: number, sliceEnd: number, firstStart: number, out: Match[]): void {
    const window = text.slice(sliceStart, sliceEnd);
    const re = rule.regex;
    re.lastIndex = firstStart;
    let m: RegExpExecArray | null;
    while ((m = re.exec(window)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const indices = m.indices!;
      const range = typeof rule.secretGroup === 'string' ? indices.groups?.[rule.secretGroup] : indices[rule.secretGroup];
      if (!range) continue;
      const secret = window.slice(range[0], range[1]);
      const checksumValid = rule.checksum ? CHECKSUMS[rule.checksum](secret) : false;
      if (!this.passes(rule, secret, m[0], text, sliceStart + m.index, checksumValid)) continue;
      out.push({
        rule,
        start: sliceStart + range[0],
        end: sliceStart + range[1],
        matchStart: sliceStart + m.index,
        matchEnd: sliceStart + m.index + m[0].length,
        secret,
        checksumValid,
      });
    }
  }

  private passes(rule: Rule, secret: string, match: string, text: TextView, matchStart: number, checksumValid: boolean): boolean {
    if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return false;
    if (rule.mustContain && !containsClasses(secret, rule.mustContain)) return false;
    if (rule.checksum && !checksumValid) return false;
    let line: string | undefined;
    const allowed = (list: AllowPattern[]) =>
      list.some((a) => {
        const target = a.target === 'secret' ? secret : a.target === 'match' ? match : (line ??= lineAround(text, matchStart));
        a.regex.lastIndex = 0;
        return a.regex.test(target);
      });
    return !allowed(rule.allowlist) && !allowed(this.globalAllow);
  }
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Not preceded by a letter or digit, or preceded by an escaped \n, \r or \t (JSON text), or by a
 * terminal colour sequence such as ESC[36m (the prefilter sees raw bytes, before blanking).
 */
function atTokenStart(codeAt: (i: number) => number, start: number): boolean {
  if (start === 0) return true;
  const c = codeAt(start - 1);
  if (!isAlnum(c)) return true;
  if (start >= 2 && codeAt(start - 2) === 92 && (c === 110 || c === 114 || c === 116)) return true;
  let i = start - 2;
  while (i >= 0 && i >= start - 24 && ((codeAt(i) >= 48 && codeAt(i) <= 57) || codeAt(i) === 59)) i--;
  return i >= 1 && codeAt(i) === 91 && codeAt(i - 1) === 27;
}

function lineAround(text: TextView, index: number): string {
  // A minified bundle is one line: look at a bounded neighbourhood, not megabytes.
  const from = Math.max(0, index - 512);
  const to = Math.min(text.length, index + 512);
  const before = text.newlineBefore(index + 1);
  const after = text.newlineAfter(index, to);
  return text.slice(Math.max(from, before + 1), after >= 0 ? after : to);
}

/**
 * Where two rules claim overlapping text, the more specific rule (higher priority) wins, so a generic
 * `api_key = ...` rule never doubles a Stripe or Anthropic finding. Equal spans keep one finding.
 */
export function resolveOverlaps(matches: Match[]): Match[] {
  if (matches.length < 2) return matches;
  matches.sort((a, b) => a.start - b.start || b.rule.priority - a.rule.priority || a.rule.id.localeCompare(b.rule.id));
  const kept: Match[] = [];
  for (const m of matches) {
    let drop = false;
    // Findings are sorted by start; only the last few kept ones can reach this one.
    for (let k = kept.length - 1; k >= Math.max(0, kept.length - 64); k--) {
      const o = kept[k]!;
      if (o.end <= m.start) continue;
      if (o.start === m.start && o.end === m.end) {
        drop = true;
        break;
      }
      if (o.rule.priority > m.rule.priority) {
        drop = true;
        break;
      }
      if (m.rule.priority > o.rule.priority) kept.splice(k, 1);
    }
    if (!drop) kept.push(m);
  }
  return kept;
}
