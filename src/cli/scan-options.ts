/**
 * `outloop scan`'s options, for node:util's parseArgs: the command parses them (scan-command.ts), and
 * so does the CLI's entry, to know early what the scan will need (prefetch.ts).
 */
export const SCAN_OPTIONS = {
  format: { type: 'string', default: 'text' },
  output: { type: 'string', short: 'o' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'include-node-modules': { type: 'boolean' },
  rules: { type: 'string', multiple: true },
  'no-builtin-rules': { type: 'boolean' },
  workers: { type: 'string' },
  'no-color': { type: 'boolean' },
  config: { type: 'string' },
  baseline: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  'show-suppressed': { type: 'boolean' },
  staged: { type: 'boolean' },
  git: { type: 'boolean' },
  since: { type: 'string' },
  transcripts: { type: 'boolean' },
  shell: { type: 'boolean' },
  env: { type: 'boolean' },
} as const;
