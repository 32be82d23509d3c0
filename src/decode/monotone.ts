/**
 * A rendered terminal line can show text out of input order: `AAAAAAAA CR BBB` shows BBB over the
 * first A's, a right-hand prompt is printed before the command typed to its left, a label written at
 * column 0 sits before older text. A decoder map must never decrease, so such a line needs a monotone
 * approximation of where its characters came from.
 *
 * The line is cut into runs whose sources already increase; the heaviest chain of runs that can stay
 * in order (a weighted longest increasing subsequence) keeps its exact sources, so the longest
 * stretches of text written in one go (where a key sits) still point at their own bytes. Every other
 * character is clamped between its neighbours: as close as the order allows to where it came from.
 * Sorting is avoided by indexing a Fenwick tree with the sources themselves, which all lie inside the
 * line's own stretch of input, so the work is O(L log L) for a line over L input bytes and only
 * happens on lines that overprint out of order.
 */

/**
 * Makes `map[a..b)` non-decreasing, with every value within [map[a-1] (or 0), hi]. `weight(p)` is what
 * keeping position p exact is worth: 0 for blanks the renderer made up, which point at no byte.
 */
export function makeMonotone(map: Int32Array, a: number, b: number, hi: number, weight: (p: number) => number = () => 1): void {
  if (isSorted(map, a, b)) return;

  // Runs: maximal stretches where the sources don't decrease.
  const starts: number[] = [a];
  for (let p = a + 1; p < b; p++) if (map[p]! < map[p - 1]!) starts.push(p);
  const runs = starts.length;
  const runEnd = (r: number): number => (r + 1 < runs ? starts[r + 1]! : b);

  let min = map[a]!;
  let max = min;
  for (let p = a; p < b; p++) {
    min = Math.min(min, map[p]!);
    max = Math.max(max, map[p]!);
  }
  const size = max - min + 1;
  // Fenwick tree over source values: best chain weight (and its last run) ending at a value <= v.
  const treeWeight = new Float64Array(size + 1);
  const treeRun = new Int32Array(size + 1).fill(-1);
  const chain = new Float64Array(runs);
  const prev = new Int32Array(runs).fill(-1);
  let bestRun = 0;
  for (let r = 0; r < runs; r++) {
    const first = map[starts[r]!]! - min;
    const last = map[runEnd(r) - 1]! - min;
    let w = 0;
    let from = -1;
    for (let k = first + 1; k > 0; k -= k & -k) {
      if (treeWeight[k]! > w) {
        w = treeWeight[k]!;
        from = treeRun[k]!;
      }
    }
    for (let p = starts[r]!; p < runEnd(r); p++) w += weight(p);
    chain[r] = w;
    prev[r] = from;
    for (let k = last + 1; k <= size; k += k & -k) {
      if (w > treeWeight[k]!) {
        treeWeight[k] = w;
        treeRun[k] = r;
      }
    }
    if (w > chain[bestRun]!) bestRun = r;
  }
  const kept = new Uint8Array(runs);
  for (let r = bestRun; r >= 0; r = prev[r]!) kept[r] = 1;

  // The ceiling for each dropped run is the first source of the next kept run (or hi).
  const ceiling = new Float64Array(runs);
  let next = hi;
  for (let r = runs - 1; r >= 0; r--) {
    ceiling[r] = next;
    if (kept[r]) next = map[starts[r]!]!;
  }
  let lo = a > 0 ? map[a - 1]! : 0;
  for (let r = 0; r < runs; r++) {
    const end = runEnd(r);
    if (kept[r]) {
      lo = map[end - 1]!;
      continue;
    }
    for (let p = starts[r]!; p < end; p++) {
      const v = Math.min(Math.max(map[p]!, lo), ceiling[r]!);
      map[p] = v;
      lo = v;
    }
  }
}

export function isSorted(map: Int32Array, a: number, b: number): boolean {
  for (let p = a + 1; p < b; p++) if (map[p]! < map[p - 1]!) return false;
  return true;
}
