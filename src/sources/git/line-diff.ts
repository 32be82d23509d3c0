/**
 * Which lines of a new version are added, for the files git won't diff as text: UTF-16 (git splits
 * lines on the byte 0x0A, which UTF-16 characters such as U+4E0A contain, so its line numbers would
 * drift from ours) and text that .gitattributes marks binary. Myers' O(ND) shortest edit script,
 * the algorithm git uses by default, on whole lines after trimming the common head and tail.
 */
import type { LineRanges } from './staged-diff.js';

/**
 * The work is O((N+M)·D) and the trace O(D²): past these bounds the differing middle is reported
 * as added. Over-reporting is safe for a guard; hanging a commit is not.
 */
const MAX_EDITS = 2000;
const MAX_WORK = 50_000_000;

/** Added lines of `after` (inclusive 1-based ranges, sorted) relative to `before`. */
export function addedLineRanges(before: string[], after: string[]): LineRanges {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const a = internLines(before.slice(head, before.length - tail), after.slice(head, after.length - tail));
  const inserted = myersInsertions(a.before, a.after) ?? a.after.map((_, i) => i);
  const ranges: LineRanges = [];
  for (const i of inserted) {
    const line = head + i + 1;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === line - 1) last[1] = line;
    else ranges.push([line, line]);
  }
  return ranges;
}

/** Lines become small integers so the inner loop compares numbers, not strings. */
function internLines(before: string[], after: string[]): { before: Int32Array; after: Int32Array } {
  const ids = new Map<string, number>();
  const id = (s: string) => {
    let v = ids.get(s);
    if (v === undefined) ids.set(s, (v = ids.size));
    return v;
  };
  return { before: Int32Array.from(before, id), after: Int32Array.from(after, id) };
}

/** Sorted indices of `b` that the shortest edit script inserts, or null past MAX_EDITS. */
function myersInsertions(a: Int32Array, b: Int32Array): number[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0) return Array.from(b, (_, i) => i);
  if (m === 0) return [];
  const max = Math.min(n + m, MAX_EDITS, Math.max(16, Math.floor(MAX_WORK / (n + m))));
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds v[-d..d] after round d: enough to walk the path back.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m);
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return null;
}

function backtrack(trace: Int32Array[], dEnd: number, n: number, m: number): number[] {
  const inserted: number[] = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const prev = trace[d - 1]!; // v[-(d-1)..(d-1)], index k + d - 1
    const at = (k: number) => prev[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    // The snake (equal lines) back to the end of the edit, then the edit itself.
    if (down) inserted.push(prevY);
    x = prevX;
    y = prevY;
  }
  return inserted.reverse();
}
