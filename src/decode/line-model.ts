/**
 * The one-line screen model behind the terminal renderer: a row of cells, a cursor, overwriting.
 * Only what changes which characters stay visible on a line is modelled (CR, BS, cursor left/right/
 * column, erase in line); a full-screen program's cursor jumps between rows are beyond a line model
 * and simply leave their text on the current line.
 *
 * Each cell remembers where its character came from: `src` is the input index and `len` the number
 * of input characters it shows (a UTF-8 character is several bytes but one cell), or 0 for a blank
 * the model made up (padding after a cursor move, an erased cell), which shows as a space.
 */
import type { RunBuilder } from './bytes.js';
import { isSorted, makeMonotone } from './monotone.js';

/** A cursor move can't open a gap wider than this in one go (no terminal is that wide). */
const MAX_GAP = 1024;

export class LineModel {
  private src: Int32Array = new Int32Array(256);
  private len: Int32Array = new Int32Array(256);
  /** How many "erase to start of line" events the line had when the cell was written. */
  private epoch: Int32Array = new Int32Array(256);
  private count = 0;
  /** The cursor column of each "erase to start of line" event, in order. */
  private erasedUpTo: number[] = [];
  private cursor = 0;
  /** Padding made up over the whole input; bounded by the input length so output stays linear. */
  private padBudget: number;

  constructor(
    private readonly input: string,
    private readonly out: RunBuilder,
  ) {
    this.padBudget = input.length + 4 * MAX_GAP; // a short input may still have a right-hand prompt
  }

  /** Shows input[src, src+len) at the cursor and moves right. */
  write(src: number, len: number): void {
    let count = this.count;
    if (this.cursor > count) {
      // The cursor was moved past the end: the gap shows as blanks.
      const gap = Math.min(this.cursor - count, MAX_GAP, this.padBudget);
      this.padBudget -= gap;
      for (let k = 0; k < gap; k++) this.setCell(count++, src, 0);
      this.cursor = count;
    }
    this.setCell(this.cursor++, src, len);
  }

  carriageReturn(): void {
    this.cursor = 0;
  }

  left(n: number): void {
    this.cursor = Math.max(0, this.cursor - n);
  }

  right(n: number): void {
    this.cursor += n;
  }

  column(n: number): void {
    this.cursor = Math.max(0, n - 1);
  }

  /** CSI K: 0 erases from the cursor to the end, 1 from the start through the cursor, 2 the line. */
  erase(mode: number): void {
    if (mode === 0) {
      if (this.cursor < this.count) this.count = this.cursor;
    } else if (mode === 1) {
      // Recorded, not applied: blanking cell by cell would make `ESC[1K` spam quadratic. A cell is
      // blank at flush when an event after its last write reached its column (see flush).
      this.erasedUpTo.push(this.cursor);
    } else if (mode === 2) {
      this.count = 0;
    }
  }

  /** Ends the line: emits its cells, then the line break itself (code -1: end of input, none). */
  flush(endSrc: number, endCode: number): void {
    const out = this.out;
    const start = out.length;
    const count = this.count;
    const reach = this.eraseReach();
    const blanks: number[] = []; // output positions of made-up blanks (they point at no byte)
    for (let k = 0; k < count; k++) {
      const src = this.src[k]!;
      const len = this.len[k]!;
      if (len === 0 || (reach !== null && reach[this.epoch[k]!]! >= k)) {
        if (out.map) blanks.push(out.length);
        out.push(0x20, src);
      } else for (let b = 0; b < len; b++) out.push(this.input.charCodeAt(src + b), src + b);
    }
    if (out.map && !isSorted(out.map, start, out.length)) {
      const blank = new Uint8Array(out.length - start);
      for (const p of blanks) blank[p - start] = 1;
      makeMonotone(out.map, start, out.length, endSrc, (p) => 1 - blank[p - start]!);
    }
    if (endCode >= 0) out.push(endCode, endSrc);
    this.count = 0;
    this.erasedUpTo.length = 0;
    this.cursor = 0;
  }

  /** reach[e]: the widest "erase to start of line" among events e and later (null: none). */
  private eraseReach(): Int32Array | null {
    const events = this.erasedUpTo.length;
    if (events === 0) return null;
    const reach = new Int32Array(events + 1).fill(-1);
    for (let e = events - 1; e >= 0; e--) reach[e] = Math.max(reach[e + 1]!, this.erasedUpTo[e]!);
    return reach;
  }

  /** Sets cell k, which is at most one past the end. */
  private setCell(k: number, src: number, len: number): void {
    if (k === this.count) {
      if (k === this.src.length) this.grow();
      this.count++;
    }
    this.src[k] = src;
    this.len[k] = len;
    this.epoch[k] = this.erasedUpTo.length;
  }

  private grow(): void {
    const bigger = (a: Int32Array): Int32Array => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.src = bigger(this.src);
    this.len = bigger(this.len);
    this.epoch = bigger(this.epoch);
  }
}
