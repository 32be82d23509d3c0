import type { Severity } from '../model/finding.js';
import type { ScanResult } from '../scan.js';

export interface Summary {
  findings: number;
  suppressed: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
  filesWithFindings: number;
  filesScanned: number;
  bytesScanned: number;
  binarySkipped: number;
  warnings: number;
  durationMs: number;
}

export function summarize(result: ScanResult): Summary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byRule: Record<string, number> = {};
  for (const f of result.findings) {
    bySeverity[f.severity]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  }
  return {
    findings: result.findings.length,
    suppressed: result.suppressed.length,
    bySeverity,
    byRule,
    filesWithFindings: new Set(result.findings.map((f) => f.path)).size,
    filesScanned: result.stats.files,
    bytesScanned: result.stats.bytes,
    binarySkipped: result.stats.binarySkipped,
    warnings: result.stats.warnings,
    durationMs: result.stats.durationMs,
  };
}
