/** Reading and editing a user's JSON file without restyling it. */
import { isJsonObject } from '../json-object.js';
import { UsageError } from '../model/errors.js';

/** The file's text as a JSON object, or a UsageError naming the file. */
export function parseJsonObject(file: string, text: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(data)) throw new UsageError(`${file} is not a JSON object`);
  return data;
}

/** JSON.stringify with the original's indentation (tabs or N spaces), line endings and final newline. */
export function stringifyLike(original: string, value: unknown): string {
  const indent = /\n([ \t]+)\S/.exec(original)?.[1] ?? '  ';
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = original.length === 0 || /\n\s*$/.test(original) ? eol : '';
  return JSON.stringify(value, null, indent).replace(/\n/g, eol) + finalNewline;
}
