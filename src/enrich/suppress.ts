/**
 * Allowlists, applied after detection: an `outloop:allow <reason>` comment on the finding's line or
 * the line before, an `allow` entry of the config (by fingerprint, optionally narrowed to a rule or a
 * path), and a baseline of findings known before. A silenced finding is kept, marked `suppressed`,
 * so `--show-suppressed` can list it with its reason; it no longer counts for the exit code.
 */
import type { AllowEntry } from '../config/schema.js';
import type { Finding } from '../model/finding.js';
import type { Baseline } from './baseline.js';
import { globMatcher } from '../globs.js';

const INLINE = /outloop:allow(?:[ \t]+([^\r\n]*))?/;

/** The reason of an `outloop:allow` marker in this text, or null; '' when the reason is missing. */
export function inlineAllowReason(lineText: string): string | null {
  const m = INLINE.exec(lineText);
  if (!m) return null;
  // Drop comment closers and quotes that end the line in many languages.
  return (m[1] ?? '').replace(/\s*(?:\*\/|-->|#\}|%>|["'`;,)]+)\s*$/, '').trim();
}

export function applyConfigAllow(findings: Finding[], allow: AllowEntry[]): void {
  if (allow.length === 0) return;
  const entries = allow.map((a) => ({ ...a, matchPath: a.path ? globMatcher(a.path) : null }));
  for (const f of findings) {
    if (f.suppressed) continue;
    const hit = entries.find((a) => a.fingerprint === f.fingerprint && (!a.ruleId || a.ruleId === f.ruleId) && (!a.matchPath || a.matchPath(f.path)));
    if (hit) f.suppressed = { by: 'config', reason: hit.reason };
  }
}

/**
 * A finding is in the baseline when the baseline holds one with the same rule, path and
 * fingerprint, so moving lines around doesn't resurrect it; each baseline entry covers one finding.
 */
export function applyBaseline(findings: Finding[], baseline: Baseline): void {
  const budget = new Map<string, number>();
  for (const e of baseline.findings) budget.set(baselineKey(e), (budget.get(baselineKey(e)) ?? 0) + 1);
  for (const f of findings) {
    if (f.suppressed) continue;
    const key = baselineKey(f);
    const left = budget.get(key) ?? 0;
    if (left > 0) {
      budget.set(key, left - 1);
      f.suppressed = { by: 'baseline', reason: 'in the baseline' };
    }
  }
}

export function baselineKey(f: { ruleId: string; path: string; fingerprint: string }): string {
  return `${f.ruleId}\0${f.path}\0${f.fingerprint}`;
}
