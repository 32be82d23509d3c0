/** Editing a user's JSON file without restyling it. */

/** JSON.stringify with the original's indentation (tabs or N spaces), line endings and final newline. */
export function stringifyLike(original: string, value: unknown): string {
  const indent = /\n([ \t]+)\S/.exec(original)?.[1] ?? '  ';
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = original.length === 0 || /\n\s*$/.test(original) ? eol : '';
  return JSON.stringify(value, null, indent).replace(/\n/g, eol) + finalNewline;
}
