/**
 * SARIF 2.1.0 as GitHub code scanning reads it: every rule a result refers to carries the required
 * descriptions, every result a location with start and end positions, and partialFingerprints that
 * stay stable when unrelated lines move (GitHub's own line hash would need the file's text, and would
 * change whenever a neighbouring line does).
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../model/finding.js';
import type { ScanResult } from '../scan.js';

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
const PRECISION = { high: 'very-high', medium: 'high', low: 'medium' } as const;

export function formatSarif(result: ScanResult, toolVersion: string, options: { showSuppressed?: boolean } = {}): string {
  // Suppressed findings go in as SARIF suppressions, so code scanning shows them as dismissed.
  const all = options.showSuppressed ? [...result.findings, ...result.suppressed] : result.findings;
  const ruleIds = [...new Set(all.map((f) => f.ruleId))].sort();
  const firstOf = new Map<string, Finding>();
  for (const f of all) if (!firstOf.has(f.ruleId)) firstOf.set(f.ruleId, f);
  const rules = ruleIds.map((id) => {
    const f = firstOf.get(id)!;
    const help = `Remove the ${f.service} key from the file, revoke or rotate it${f.revokeUrl ? ` at ${f.revokeUrl}` : ''}, and load it from a secret store at run time.`;
    return {
      id,
      name: id.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase()),
      shortDescription: { text: `${f.service}: ${f.description}`.slice(0, 1024) },
      fullDescription: { text: `${f.description} (${f.service}). A live credential in a file is readable by anyone and anything with access to the file, coding agents included.`.slice(0, 1024) },
      help: { text: help, markdown: help },
      ...(f.revokeUrl ? { helpUri: f.revokeUrl } : {}),
      defaultConfiguration: { level: LEVEL[f.severity] },
      properties: { tags: ['security', 'secret'], precision: PRECISION[f.confidence], 'security-severity': SECURITY_SEVERITY[f.severity] },
    };
  });
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const results = all.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId),
    level: LEVEL[f.severity],
    message: { text: `${f.service} ${f.description.charAt(0).toLowerCase() + f.description.slice(1)} found: ${f.redacted} (${f.fingerprint})` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.path), uriBaseId: 'ROOT' },
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
      },
    ],
    partialFingerprints: {
      primaryLocationLineHash: createHash('sha256').update(`${f.ruleId}\0${f.path}\0${f.fingerprint}`).digest('hex').slice(0, 16) + ':1',
      'outloop/secret/v1': f.fingerprint,
    },
    properties: {
      service: f.service,
      severity: f.severity,
      confidence: f.confidence,
      redacted: f.redacted,
      source: f.source,
      ...(f.commit ? { commit: f.commit, author: f.author, date: f.date } : {}),
      ...(f.encoding ? { encoding: f.encoding } : {}),
      ...(f.transcript ? { transcript: f.transcript } : {}),
      ...(f.variable ? { variable: f.variable } : {}),
      ...(f.tenant !== null || f.owner !== null ? { tenant: f.tenant, owner: f.owner } : {}),
      ...(f.alias ? { alias: f.alias } : {}),
      ...(f.wrongClient ? { wrongClient: true } : {}),
      ...(f.sharedWith ? { sharedWith: f.sharedWith } : {}),
    },
    ...(f.suppressed ? { suppressions: [{ kind: f.suppressed.by === 'inline' ? 'inSource' : 'external', justification: f.suppressed.reason }] } : {}),
  }));
  const rootUri = pathToFileURL(result.root.endsWith('/') ? result.root : result.root + '/').href;
  return (
    JSON.stringify(
      {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'outloop', semanticVersion: toolVersion, informationUri: 'https://www.npmjs.com/package/outloop', rules } },
            originalUriBaseIds: { ROOT: { uri: rootUri } },
            invocations: [{ executionSuccessful: true, workingDirectory: { uri: rootUri } }],
            automationDetails: { id: 'outloop/scan/' },
            results,
          },
        ],
      },
      null,
      2,
    ) + '\n'
  );
}
