/** outloop's library API: the CLI is a thin shell over these. */
export { scan, loadRules } from './scan.js';
export type { ScanOptions, ScanResult, ScanStats, ScanProgress, TextInput } from './scan.js';
export type { Finding, ScanWarning, Severity, Confidence, SourceKind, ByteSpan } from './model/finding.js';
export type { Rule } from './model/rule.js';
export { ConfigError, UsageError, EXIT } from './model/errors.js';
export { Detector } from './detect/engine.js';
export { fingerprint, redact } from './detect/redact.js';
export { runRuleExamples } from './rules/examples.js';
