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
  /** Per client, when the config binds tenants: findings in its places, wrong-client ones, services. */
  tenants?: Record<string, TenantSummary>;
}

export interface TenantSummary {
  findings: number;
  wrongClient: number;
  services: string[];
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
    ...(result.tenants ? { tenants: tenantSummaries(result) } : {}),
  };
}

function tenantSummaries(result: ScanResult): Record<string, TenantSummary> {
  const out: Record<string, TenantSummary> = {};
  const services = new Map<string, Set<string>>();
  for (const name of result.tenants ?? []) {
    out[name] = { findings: 0, wrongClient: 0, services: [] };
    services.set(name, new Set());
  }
  for (const f of result.findings) {
    if (f.tenant === null || !out[f.tenant]) continue;
    out[f.tenant]!.findings++;
    if (f.wrongClient) out[f.tenant]!.wrongClient++;
    services.get(f.tenant)!.add(f.service);
  }
  for (const [name, set] of services) out[name]!.services = [...set].sort();
  return out;
}
