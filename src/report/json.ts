/** The JSON report: a stable contract other tools and our own tests rely on (see README). */
import type { ScanResult } from '../scan.js';
import { summarize } from './summary.js';

export const SCHEMA_VERSION = 1;

export function formatJson(result: ScanResult, options: { showSuppressed?: boolean } = {}): string {
  return (
    JSON.stringify(
      {
        schemaVersion: SCHEMA_VERSION,
        root: result.root,
        findings: result.findings,
        ...(options.showSuppressed ? { suppressed: result.suppressed } : {}),
        warnings: result.warnings.filter((w) => w.kind !== 'binary'),
        summary: summarize(result),
      },
      null,
      2,
    ) + '\n'
  );
}
