// Renders the bench results as a compact plain-text table. Only figures, paths and rule ids are
// printed here: nothing in a result holds a raw secret or file contents.
import type { Corpus, ToolResult } from './measure.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const fixed = (x: number | null, d: number): string => (x === null ? '—' : x.toFixed(d));
const secs = (ms: number | null): string => (ms === null ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${(ms / 1000).toFixed(2)}s`);

/** Columns: [header, width, right-aligned]. */
function render(cols: [string, number, boolean][], rows: string[][]): string[] {
  const line = (cells: string[]): string =>
    cols.map(([, w, right], i) => (right ? lpad : pad)(cells[i] ?? '', w)).join('  ').trimEnd();
  return [line(cols.map(([h]) => h)), ...rows.map(line)];
}

export function corpusLine(c: Corpus): string {
  const m = c.manifest;
  return `${pad(c.label, 5)} ${(m.bytes / 1048576).toFixed(1)} MiB, ${m.files} files, ${m.secrets.length} planted secrets (seed ${c.seed}; ${c.dir})`;
}

/** outloop's time over the tool's: below 1 means outloop is faster. */
export function ratio(outloop: ToolResult | undefined, other: ToolResult): number | null {
  if (!outloop?.medianMs || !other.medianMs) return null;
  return outloop.medianMs / other.medianMs;
}

export function toolTable(results: ToolResult[]): string[] {
  if (results.length === 0) return ['  (no tool ran; see notes)'];
  const outloop = results.find((r) => r.tool === 'outloop');
  const rows = results.map((r) => {
    const a = r.accuracy;
    const x = r.tool === 'outloop' ? null : ratio(outloop, r);
    return [
      r.tool,
      r.ok ? String(r.runs.length) : '—',
      secs(r.medianMs),
      fixed(r.mibPerSec, 1),
      r.filesPerSec === null ? '—' : String(Math.round(r.filesPerSec)),
      r.peakRssMib === null ? '—' : `${Math.round(r.peakRssMib)} MiB`,
      a ? String(a.findings) : '—',
      a ? `${a.found}/${a.planted} ${(a.recall * 100).toFixed(0)}%` : '—',
      a ? String(a.falsePositives) : '—',
      a?.fingerprintMatches !== undefined ? `${a.fingerprintMatches}/${a.planted}` : '—',
      x === null ? '—' : `${x.toFixed(2)}×`,
    ];
  });
  const table = render(
    [['tool', 10, false], ['runs', 4, true], ['median', 7, true], ['MiB/s', 7, true], ['files/s', 7, true],
      ['peak RSS', 9, true], ['findings', 8, true], ['recall', 12, true], ['FP', 6, true], ['fp match', 8, true],
      ['outloop/tool time', 17, true]],
    rows,
  );
  const notes = results.filter((r) => r.note).map((r) => `  ${r.tool}: ${r.note}`);
  for (const r of results) if (r.matchedFiles !== undefined) notes.push(`  ${r.tool}: ${r.matchedFiles} files with a keyword hit`);
  return [...table, ...notes];
}

/** Planted vs found per secret kind, one column per tool that produced findings. */
export function kindTable(results: ToolResult[]): string[] {
  const scored = results.filter((r) => r.accuracy);
  if (scored.length === 0) return [];
  const kinds = new Map<string, number>();
  for (const r of scored) for (const [k, v] of Object.entries(r.accuracy?.byKind ?? {})) kinds.set(k, v.planted);
  const rows = [...kinds.keys()].sort().map((k) => [
    k,
    String(kinds.get(k)),
    ...scored.map((r) => String(r.accuracy?.byKind[k]?.found ?? 0)),
  ]);
  return render([['kind', 18, false], ['planted', 7, true], ...scored.map((r): [string, number, boolean] => [r.tool, Math.max(8, r.tool.length), true])], rows);
}
