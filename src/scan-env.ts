/**
 * The process environment through the detector: a key exported in a profile is in every process an
 * agent starts. The findings name the variable (`env:NAME`) and never carry its value; the text
 * built for the detector lives only in this function.
 */
import type { Detector } from './detect/engine.js';
import { toFindings } from './enrich/finding.js';
import type { Finding } from './model/finding.js';
import { environmentText, variableAt } from './sources/environment.js';

export function scanEnvironment(env: NodeJS.ProcessEnv, detector: Detector): Finding[] {
  const { text, names } = environmentText(env);
  if (!text) return [];
  // `.env` as the path: the environment is NAME=value lines, as a .env file is, so the rules that
  // look at assignments in env files apply here too.
  const matches = detector.detect(text, '.env');
  const fragment = { source: 'terminal' as const, path: 'env', text, encoding: 'utf16le' as const, byteOffset: 0, unit: 1 as const, firstLine: 1, firstColumn: 0, ownedStart: 0, ownedEnd: text.length };
  const out: Finding[] = [];
  for (const finding of toFindings(fragment, matches)) {
    const index = matches.find((m) => m.start === finding.span.start)?.start ?? finding.span.start;
    const variable = variableAt(names, index);
    if (!variable) continue;
    // Positions inside the value: a variable is reported as its own one-line "file".
    finding.path = `env:${variable.name}`;
    finding.variable = variable.name;
    finding.line = 1;
    finding.endLine = 1;
    finding.column = index - variable.start + 1;
    finding.endColumn = finding.column + (finding.span.end - finding.span.start);
    finding.span = { start: index - variable.start, end: index - variable.start + (finding.span.end - finding.span.start) };
    out.push(finding);
  }
  return out;
}
