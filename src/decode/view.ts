/**
 * Read access to decoded text without decoding all of it. The detector and the finding builder only
 * need the windows around keyword hits and the line breaks before them, so 8-bit input is decoded
 * window by window (latin1, with terminal escapes blanked), never as a whole file.
 */
import { blankEscapes } from './ansi.js';

export interface TextView {
  readonly length: number;
  /** Decoded text of [start, end). */
  slice(start: number, end: number): string;
  /** Index of the first newline at or after `from` and before `to`, or -1. */
  newlineAfter(from: number, to: number): number;
  /** Index of the last newline before `index`, or -1. */
  newlineBefore(index: number): number;
}

export function stringView(text: string): TextView {
  return {
    length: text.length,
    slice: (start, end) => text.slice(start, end),
    newlineAfter: (from, to) => {
      const i = text.indexOf('\n', from);
      return i >= 0 && i < to ? i : -1;
    },
    newlineBefore: (index) => (index > 0 ? text.lastIndexOf('\n', index - 1) : -1),
  };
}

/** An escape sequence is short; one that starts this far before a window is still decoded whole. */
const ESCAPE_LOOKBACK = 40;

export function bytesView(bytes: Buffer): TextView {
  return {
    length: bytes.length,
    slice: (start, end) => {
      // Only the last ESCAPE_LOOKBACK bytes can hold a sequence still open at `start`: searching
      // further back (to the buffer's start, for every window) was a quarter of a transcript scan.
      const lookFrom = Math.max(0, start - ESCAPE_LOOKBACK);
      const found = start > 0 ? bytes.subarray(lookFrom, start).lastIndexOf(27) : -1;
      const esc = found >= 0 ? lookFrom + found : -1;
      const from = esc >= 0 ? esc : start;
      const text = blankEscapes(bytes.toString('latin1', from, end));
      return from === start ? text : text.slice(start - from);
    },
    newlineAfter: (from, to) => {
      const i = bytes.indexOf(10, from);
      return i >= 0 && i < to ? i : -1;
    },
    newlineBefore: (index) => (index > 0 ? bytes.lastIndexOf(10, index - 1) : -1),
  };
}
