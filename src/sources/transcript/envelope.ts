/**
 * The few fields of a JSONL record that a finding's context needs (ids, role, type, timestamp,
 * cwd, the type of each content block), read by one structural walk over the line's raw text.
 *
 * A record can be several MB (a tool result holding a whole file). JSON.parse of such a line made
 * a UTF-8 copy of it and then every string in it, some three times the line's size, for a
 * handful of short fields; with two threads meeting multi-MB lines at once, that was most of a
 * transcript scan's peak memory. The walk copies nothing but the fields it keeps.
 */

import { codeAt, decodeString, stringEnd, type LineText } from './json-path.js';

type Json = Record<string, unknown>;

/** String values kept, by path (`[]` stands for any array index). */
const KEPT_VALUES = new Set([
  'type', 'uuid', 'leafUuid', 'sessionId', 'cwd', 'timestamp', 'id', 'directories[]',
  'message.role', 'message.content[].type',
  'payload.type', 'payload.role', 'payload.call_id', 'payload.id', 'payload.cwd',
]);
/** The containers on the way to them. */
const KEPT_CONTAINERS = new Set(['message', 'message.content', 'message.content[]', 'payload', 'directories']);

/** Ids, types and folders are short; a longer string at a kept path is left out rather than copied. */
export const MAX_KEPT_VALUE = 4096;

interface Frame {
  array: boolean;
  /** The copy being built of this container, or null when nothing in it is kept. */
  copy: Json | unknown[] | null;
  /** Its path as matched against the kept ones, such as `message.content[]`. */
  pattern: string;
  /** Object: the key whose value comes next (when a copy is kept), and whether a key is due. */
  key: string | null;
  expectKey: boolean;
  /** Array: the index of the element that comes next. */
  index: number;
}

/**
 * The kept fields of `line` (its bytes, or a string of one character per byte) as a sparse copy of the record:
 * `{ type, uuid, message: { role, content: [{ type }, …] }, payload: {…}, … }`, with nothing else.
 * Null when the line is not one whole JSON object (cut short, or not JSON): the caller then falls
 * back to what it can salvage. Where a key repeats, the last value wins, as with JSON.parse.
 */
export function readEnvelope(line: LineText): Json | null {
  const open = skipSpace(line, 0);
  if (codeAt(line, open) !== 123) return null;
  const root: Json = {};
  const stack: Frame[] = [{ array: false, copy: root, pattern: '', key: null, expectKey: true, index: 0 }];
  let i = open + 1;
  while (i < line.length) {
    const c = codeAt(line, i);
    const top = stack[stack.length - 1]!;
    if (c === 34) {
      const end = stringEnd(line, i);
      if (end >= line.length) return null; // cut off inside a string
      if (!top.array && top.expectKey) {
        // Keys matter only where something is kept: elsewhere they are not even decoded.
        top.key = top.copy ? decodeString(line, i + 1, end) : null;
        top.expectKey = false;
      } else if (top.copy && end - i - 1 <= MAX_KEPT_VALUE && KEPT_VALUES.has(childPattern(top))) {
        put(top, decodeString(line, i + 1, end));
      }
      i = end + 1;
      continue;
    }
    if (c === 123 || c === 91) {
      const array = c === 91;
      const pattern = childPattern(top);
      const copy = top.copy && KEPT_CONTAINERS.has(pattern) ? (array ? [] : {}) : null;
      if (copy) put(top, copy);
      stack.push({ array, copy, pattern, key: null, expectKey: !array, index: 0 });
    } else if (c === 125 || c === 93) {
      stack.pop();
      // The record ends here: only white space may follow it.
      if (!stack.length) return skipSpace(line, i + 1) === line.length ? root : null;
    } else if (c === 44) {
      if (top.array) top.index++;
      else top.expectKey = true;
    }
    i++;
  }
  return null; // cut off before the record closed
}

/** The path pattern of the value that comes next in `frame`. */
function childPattern(frame: Frame): string {
  if (frame.array) return `${frame.pattern}[]`;
  return frame.pattern ? `${frame.pattern}.${frame.key}` : (frame.key ?? '');
}

function put(frame: Frame, value: unknown): void {
  if (Array.isArray(frame.copy)) frame.copy[frame.index] = value;
  else if (frame.copy && frame.key !== null) frame.copy[frame.key] = value;
}

function skipSpace(line: LineText, i: number): number {
  while (i < line.length) {
    const c = codeAt(line, i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}
