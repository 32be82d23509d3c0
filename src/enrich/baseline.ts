/**
 * Baselines: the findings a team has accepted for now, so a scan reports only what is new. A
 * baseline stores rule, path, fingerprint and line (for people reading it), never a secret.
 */
import fs from 'node:fs';
import { ConfigError, UsageError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { FINGERPRINT } from '../config/fingerprint.js';
import { writeFileWhole } from '../write-file.js';

export interface BaselineEntry {
  ruleId: string;
  path: string;
  fingerprint: string;
  line: number;
}

export interface Baseline {
  schemaVersion: 1;
  findings: BaselineEntry[];
}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (create it with --update-baseline)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '(file)', `not valid JSON: ${(err as Error).message}`);
  }
  const b = data as Partial<Baseline>;
  if (!b || typeof b !== 'object' || b.schemaVersion !== 1 || !Array.isArray(b.findings)) {
    throw new ConfigError(file, '(top level)', 'expected { "schemaVersion": 1, "findings": [...] }');
  }
  b.findings.forEach((e, i) => {
    if (typeof e?.ruleId !== 'string' || typeof e.path !== 'string' || typeof e.fingerprint !== 'string' || !FINGERPRINT.test(e.fingerprint)) {
      throw new ConfigError(file, `findings[${i}]`, 'needs ruleId, path and a "sha256:" fingerprint');
    }
  });
  return b as Baseline;
}

export function baselineOf(findings: Finding[]): Baseline {
  const entries = findings
    .filter((f) => !f.suppressed || f.suppressed.by === 'baseline')
    .map((f) => ({ ruleId: f.ruleId, path: f.path, fingerprint: f.fingerprint, line: f.line }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.ruleId.localeCompare(b.ruleId)));
  return { schemaVersion: 1, findings: entries };
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileWhole(file, JSON.stringify(baseline, null, 2) + '\n', { what: `baseline ${file}` });
}
