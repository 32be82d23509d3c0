/** Shannon entropy in bits per character: random keys score high, words and repeated runs low. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export function containsClasses(s: string, classes: Array<'upper' | 'lower' | 'digit'>): boolean {
  return classes.every((c) => (c === 'upper' ? /[A-Z]/ : c === 'lower' ? /[a-z]/ : /[0-9]/).test(s));
}
