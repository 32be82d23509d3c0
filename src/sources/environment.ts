/**
 * The process environment as scannable text. A key exported in a profile sits in every process's
 * environment, agents included; `outloop scan --env` looks there and reports the variable's NAME
 * (a finding's path is `env:NAME`), never its value.
 *
 * The synthetic text is built in memory, handed to the detector and dropped: it is never written
 * to disk, logged or put in a report. It keeps `NAME=value` (not the bare value) so rules that look
 * for a credential-named key before a value (`…_API_KEY=`, `…_SECRET=`) still fire.
 *
 * Example:
 *   const { text, names } = environmentText({ B: 'two', A: 'one', EMPTY: '' });
 *   // text  === 'A=one\nB=two\n'
 *   // names === [{ name: 'A', start: 2, end: 5, … }, { name: 'B', start: 8, end: 11, … }]
 */

export interface EnvironmentVariableSpan {
  name: string;
  /** Where the value sits in `text` (UTF-16 indices, end exclusive): what detector matches use. */
  start: number;
  end: number;
  /** The same range in the text's UTF-8 bytes: what a finding's `span` uses. */
  byteStart: number;
  byteEnd: number;
  /** 1-based line of `text` where `NAME=` starts (a value may hold newlines, so not the index + 1). */
  line: number;
}

export interface EnvironmentText {
  text: string;
  names: EnvironmentVariableSpan[];
}

/**
 * `NAME=value\n` per variable with a non-empty value, sorted by name (code-unit order, so the text
 * is the same on every machine and locale), and where each value sits.
 */
export function environmentText(env: NodeJS.ProcessEnv): EnvironmentText {
  const entries = Object.entries(env)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  const names: EnvironmentVariableSpan[] = [];
  let offset = 0;
  let bytes = 0;
  let line = 1;
  for (const [name, value] of entries) {
    const prefix = `${name}=`;
    const start = offset + prefix.length;
    const byteStart = bytes + Buffer.byteLength(prefix);
    const byteEnd = byteStart + Buffer.byteLength(value);
    names.push({ name, start, end: start + value.length, byteStart, byteEnd, line });
    parts.push(prefix, value, '\n');
    offset = start + value.length + 1;
    bytes = byteEnd + 1;
    line += countNewlines(value) + 1;
  }
  return { text: parts.join(''), names };
}

/**
 * The variable whose `NAME=value` line holds `offset` (a match's start), by UTF-16 index (`char`)
 * or by UTF-8 byte (`byte`, as in a finding's span); null between variables (on a newline).
 */
export function variableAt(names: EnvironmentVariableSpan[], offset: number, unit: 'char' | 'byte' = 'char'): EnvironmentVariableSpan | null {
  let lo = 0;
  let hi = names.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = names[mid]!;
    // The variable's line runs from its name to the end of its value.
    const [lineStart, end] = unit === 'char' ? [v.start - v.name.length - 1, v.end] : [v.byteStart - Buffer.byteLength(v.name) - 1, v.byteEnd];
    if (offset < lineStart) hi = mid - 1;
    else if (offset >= end) lo = mid + 1;
    else return v;
  }
  return null;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
