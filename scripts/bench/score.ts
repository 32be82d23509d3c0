// Scores a tool's findings against the planted secrets, and checks outputs for leaked raw values.
import fs from 'node:fs';
import type { PlantedSecret } from '../gen-bench-corpus.js';

/** What every tool's report is reduced to: where it pointed, and by which rule. */
export interface Hit {
  /** Relative to the corpus root, `/`-separated. */
  path: string;
  /** 1-based. */
  line: number;
  ruleId: string;
  /** Only outloop reports one. */
  fingerprint?: string;
}

export interface Accuracy {
  findings: number;
  planted: number;
  /** Planted secrets with at least one finding on their path:line. */
  found: number;
  recall: number;
  /** Findings on no planted path:line. Real secrets are never in the corpus, so these are all noise. */
  falsePositives: number;
  falsePositivesByRule: Record<string, number>;
  /** outloop only: planted secrets whose finding on that line carries the same fingerprint. */
  fingerprintMatches?: number;
  byKind: Record<string, { planted: number; found: number }>;
  /** Planted secrets not found, as path:line (kind), to look at by hand; never the value. */
  missed: string[];
}

const key = (path: string, line: number): string => `${path}:${line}`;

export function score(hits: Hit[], planted: PlantedSecret[], withFingerprints: boolean): Accuracy {
  const byLine = new Map<string, Hit[]>();
  for (const h of hits) {
    const k = key(h.path, h.line);
    const list = byLine.get(k);
    if (list) list.push(h);
    else byLine.set(k, [h]);
  }
  const plantedKeys = new Set(planted.map((p) => key(p.path, p.line)));
  const byKind: Accuracy['byKind'] = {};
  const missed: string[] = [];
  let found = 0;
  let fingerprintMatches = 0;
  for (const p of planted) {
    const k = key(p.path, p.line);
    const there = byLine.get(k) ?? [];
    const kind = (byKind[p.kind] ??= { planted: 0, found: 0 });
    kind.planted++;
    if (there.length > 0) {
      found++;
      kind.found++;
    } else {
      missed.push(`${k} (${p.kind})`);
    }
    if (there.some((h) => h.fingerprint === p.fingerprint)) fingerprintMatches++;
  }
  const falsePositivesByRule: Record<string, number> = {};
  let falsePositives = 0;
  for (const h of hits) {
    if (plantedKeys.has(key(h.path, h.line))) continue;
    falsePositives++;
    falsePositivesByRule[h.ruleId] = (falsePositivesByRule[h.ruleId] ?? 0) + 1;
  }
  const acc: Accuracy = {
    findings: hits.length,
    planted: planted.length,
    found,
    recall: planted.length ? found / planted.length : 1,
    falsePositives,
    falsePositivesByRule,
    byKind,
    missed,
  };
  if (withFingerprints) acc.fingerprintMatches = fingerprintMatches;
  return acc;
}

export interface LeakCheck {
  clean: boolean;
  filesChecked: number;
  /** Files holding at least one planted raw value, with how many distinct values; never the values. */
  leaks: { file: string; values: number }[];
}

/**
 * Looks for every raw value in every file. Outputs can be tens of MB and there are hundreds of
 * values, so instead of one `includes` per value we index values by a fixed-length prefix and slide
 * over each file once, confirming candidates with `startsWith`. Values are ASCII (the generator's
 * alphabets), so their char codes are bytes.
 */
export function leakCheck(files: string[], rawValues: string[]): LeakCheck {
  const values = rawValues.filter((v) => v.length >= 2);
  const probe = Math.min(16, ...values.map((v) => v.length));
  const byPrefix = new Map<string, string[]>();
  // First two bytes of every value: a table lookup rejects almost every position before any slice.
  const firstTwo = new Uint8Array(65536);
  for (const v of values) {
    firstTwo[((v.charCodeAt(0) & 0xff) << 8) | (v.charCodeAt(1) & 0xff)] = 1;
    const p = v.slice(0, probe);
    const list = byPrefix.get(p);
    if (list) list.push(v);
    else byPrefix.set(p, [v]);
  }
  const leaks: LeakCheck['leaks'] = [];
  let filesChecked = 0;
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    filesChecked++;
    // latin1 maps bytes 1:1, so an ASCII value matches whatever the file's encoding of it is.
    const text = fs.readFileSync(file, 'latin1');
    const seen = new Set<string>();
    for (let i = 0; values.length > 0 && i + probe <= text.length; i++) {
      if (!firstTwo[(text.charCodeAt(i) << 8) | text.charCodeAt(i + 1)]) continue;
      const candidates = byPrefix.get(text.slice(i, i + probe));
      if (!candidates) continue;
      for (const v of candidates) if (text.startsWith(v, i)) seen.add(v);
    }
    if (seen.size > 0) leaks.push({ file, values: seen.size });
  }
  return { clean: leaks.length === 0, filesChecked, leaks };
}
