/**
 * One input through the stages: fragments → detect → findings. A problem with the file is returned
 * as a warning, never thrown, so one bad file can't end a scan.
 */
import type { Detector, Match, PrefilterLog } from './detect/engine.js';
import { hasLayers, needsRendering, scanDecoded, type LayerPlan } from './decode/layers.js';
import { rawBytes, rawString } from './decode/piece.js';
import { bytesView, stringView, type TextView } from './decode/view.js';
import { pieceFindings, toFindings } from './enrich/finding.js';
import type { Finding, ScanWarning, SourceKind, TranscriptContext } from './model/finding.js';
import type { Fragment } from './model/fragment.js';
import { classifyFile, type FileKind } from './sources/file-kind.js';
import { readFileFragments } from './sources/files.js';
import { lineContext, sessionHeader, type SessionHeader } from './sources/transcript/context.js';

export interface FileResult {
  findings: Finding[];
  warnings: ScanWarning[];
  bytes: number;
  scanned: boolean;
}

/**
 * The fragments of one input (in order) → findings. Each fragment is scanned as it is, then through
 * whichever decoding layers its kind and the prefilter's signs call for; a secret seen both ways is
 * reported once.
 */
export function scanFragments(fragments: Iterable<Fragment>, detector: Detector, warnings?: ScanWarning[]): Finding[] {
  const findings: Finding[] = [];
  let kind: FileKind | null = null;
  let header: SessionHeader | null = null;
  for (const fragment of fragments) {
    const view = fragment.text === undefined ? bytesView(fragment.bytes!) : stringView(fragment.text);
    kind ??= classifyFile(fragment.path, view.slice(0, Math.min(view.length, 4096)), fragment.source);
    const log: PrefilterLog = { positions: [], triggers: new Set(), at: {} };
    const matches: Match[] = fragment.text === undefined ? detector.detectBytes(fragment.bytes!, fragment.path, log) : detector.detect(fragment.text, fragment.path, log);
    const owned = matches.filter((m) => m.start >= fragment.ownedStart && m.start < fragment.ownedEnd);
    let found = owned.length ? toFindings(fragment, owned, warnings) : [];
    const plan = layerPlan(fragment, kind, log);
    if (hasLayers(plan)) found = mergeDecoded(found, decodedFindings(fragment, plan, log, detector, warnings));
    if (kind.agent && fragment.byteOffset <= 3 && fragment.ownedStart === 0) header = sessionHeader(kind.agent, lineAt(fragment, view, 0));
    if (kind.agent && found.length) addTranscriptContext(found, fragment, kind, header ?? { sessionId: null, cwd: null });
    if (fragment.container) inContainer(found, fragment.container);
    for (const f of found) {
      f.source = kind.source;
      findings.push(f);
    }
  }
  return findings;
}

/**
 * Findings in decompressed text: their lines and columns are the decompressed text's, and their span
 * is the whole file, the only bytes on disk that hold them (a rewrite leaves such files alone).
 */
function inContainer(found: Finding[], container: NonNullable<Fragment['container']>): void {
  for (const f of found) {
    f.span = { start: 0, end: container.bytes };
    f.encoding = f.encoding ? `${container.encoding}+${f.encoding}` : container.encoding;
  }
}

function layerPlan(fragment: Fragment, kind: FileKind, log: PrefilterLog): LayerPlan {
  const bytes = fragment.bytes;
  const text = fragment.text;
  const has = (code: number) => (bytes ? bytes.indexOf(code) >= 0 : text!.indexOf(String.fromCharCode(code)) >= 0);
  return {
    // JSON string escapes are undone in any file (a JS or .env string holds them too), on the lines
    // where a keyword or a JSON sign sits.
    json: log.positions.length > 0 && has(92),
    ...(fragment.jsonInString ? { jsonInString: true } : {}),
    // Base64 and percent runs are decoded on the lines where their signs sit; a Kubernetes Secret
    // (its values are lines away from `kind: Secret`) is decoded whole.
    base64: log.triggers.has('base64-file') ? 'all' : (log.at?.base64 ?? false),
    percent: log.at?.percent ?? false,
    // Escape sequences, backspaces, or carriage returns that overwrite what came before.
    terminal: has(27) || has(8) || (has(13) && (text !== undefined ? needsRendering(text) : overwritesLine(bytes!))),
    format: kind.format,
  };
}

/** A carriage return not followed by a line feed (see needsRendering), found without decoding the bytes. */
function overwritesLine(bytes: Buffer): boolean {
  for (let cr = bytes.indexOf(13); cr >= 0; cr = bytes.indexOf(13, cr + 1)) {
    if (bytes[cr + 1] !== 10) return true;
  }
  return false;
}

interface Decoded {
  findings: Finding[];
  /**
   * Encoded runs (base64) that decode to a broker alias: what `outloop rewrite` leaves in place of
   * a key. The run itself looks random enough for the generic rules, but it is no secret.
   */
  aliasRuns: Array<{ start: number; end: number }>;
}

function decodedFindings(fragment: Fragment, plan: LayerPlan, log: PrefilterLog, detector: Detector, warnings?: ScanWarning[]): Decoded {
  const raw = fragment.text === undefined ? rawBytes(fragment.bytes!, fragment.byteOffset) : rawString(fragment.text, fragment.byteOffset, fragment.unit);
  const hits = log.positions.sort((a, b) => a - b);
  const aliasRuns: Decoded['aliasRuns'] = [];
  const findings = scanDecoded(raw, plan, hits, (piece) => {
    const whole = piece.text.includes('outloop://') ? piece.whole() : null;
    if (whole) aliasRuns.push(whole);
    const matches = detector.detect(piece.text, fragment.path);
    return matches.length ? pieceFindings(fragment, piece, matches, warnings) : [];
  });
  return { findings, aliasRuns };
}

/**
 * Raw and decoded findings of one fragment, each secret once. Where a decoded finding overlaps a
 * raw one, the decoded one is the truth (the raw match saw escapes as part of the key, or stopped
 * at one), unless both found the same secret at the same bytes: then the raw one stays.
 */
function mergeDecoded(found: Finding[], { findings: decoded, aliasRuns }: Decoded): Finding[] {
  const raw = aliasRuns.length ? found.filter((f) => !aliasRuns.some((r) => f.span.start >= r.start && f.span.end <= r.end)) : found;
  if (!decoded.length) return raw;
  const kept: Finding[] = [];
  const overlaps = (a: Finding, b: Finding) => a.span.start < b.span.end && b.span.start < a.span.end;
  for (const r of raw) {
    const clash = decoded.some((d) => overlaps(r, d) && !(d.fingerprint === r.fingerprint && d.span.start === r.span.start && d.span.end === r.span.end));
    if (!clash) kept.push(r);
  }
  // Decoded findings: the deepest decoding of some bytes is the truth (a PEM in a JSON string that
  // is itself inside a JSON string shows real line breaks only after the second pass); a finding
  // that repeats a kept one, or overlaps a deeper one, is dropped.
  const depth = (f: Finding) => (f.encoding ? f.encoding.split('+').length : 0);
  const byDepth = [...decoded].sort((a, b) => depth(b) - depth(a));
  const keptDecoded: Finding[] = [];
  for (const d of byDepth) {
    if (kept.some((k) => k.fingerprint === d.fingerprint && overlaps(k, d))) continue;
    if (keptDecoded.some((k) => overlaps(k, d) && (depth(k) > depth(d) || k.fingerprint === d.fingerprint))) continue;
    keptDecoded.push(d);
  }
  kept.push(...keptDecoded);
  return kept.sort((a, b) => a.span.start - b.span.start);
}

function addTranscriptContext(found: Finding[], fragment: Fragment, kind: FileKind, header: SessionHeader): void {
  const view = fragment.text === undefined ? bytesView(fragment.bytes!) : stringView(fragment.text);
  // One reader per line: the record's fields are read once for all the findings on it.
  const lines = new Map<number, (offset: number) => TranscriptContext>();
  for (const f of found) {
    const index = (f.span.start - fragment.byteOffset) / fragment.unit;
    const start = view.newlineBefore(index) + 1;
    let context = lines.get(start);
    if (context === undefined) {
      context = lineContext(kind.agent!, lineAt(fragment, view, start), header);
      lines.set(start, context);
    }
    f.transcript = context(index - start);
  }
}

/** The line at `start`: a view of the fragment's bytes (a multi-MB JSONL record is not copied), else its text. */
function lineAt(fragment: Fragment, view: TextView, start: number): Buffer | string {
  const end = lineEnd(view, start);
  return fragment.bytes ? fragment.bytes.subarray(start, end) : view.slice(start, end);
}

function lineEnd(view: { length: number; newlineAfter(from: number, to: number): number }, from: number): number {
  const nl = view.newlineAfter(from, view.length);
  return nl >= 0 ? nl : view.length;
}

export function scanFile(absPath: string, relPath: string, detector: Detector, source: SourceKind = 'workspace'): FileResult {
  try {
    const read = readFileFragments(absPath, relPath, source);
    if (read.kind === 'binary') {
      return { findings: [], warnings: [{ path: relPath, kind: 'binary', message: 'binary file skipped' }], bytes: read.bytes, scanned: false };
    }
    if (read.kind === 'skipped') return { findings: [], warnings: [read.warning], bytes: read.bytes, scanned: false };
    const warnings: ScanWarning[] = [];
    return { findings: scanFragments(read.fragments, detector, warnings), warnings, bytes: read.bytes, scanned: true };
  } catch (err) {
    return { findings: [], warnings: [fileWarning(relPath, err)], bytes: 0, scanned: false };
  }
}

export function fileWarning(relPath: string, err: unknown): ScanWarning {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { path: relPath, kind: 'vanished', message: 'file vanished before it could be read' };
  if (code === 'EACCES' || code === 'EPERM') return { path: relPath, kind: 'unreadable', message: `permission denied (${code})` };
  if (code === 'ELOOP') return { path: relPath, kind: 'symlink-loop', message: 'symbolic link loop' };
  return { path: relPath, kind: 'unreadable', message: code ?? (err as Error).message };
}

/** What a batch of files adds up to: one small message per batch instead of one object per file. */
export interface ScanTally {
  findings: Finding[];
  warnings: ScanWarning[];
  bytes: number;
  files: number;
  binarySkipped: number;
}

export function emptyTally(): ScanTally {
  return { findings: [], warnings: [], bytes: 0, files: 0, binarySkipped: 0 };
}

export function addFileResult(t: ScanTally, r: FileResult): void {
  for (const f of r.findings) t.findings.push(f);
  for (const w of r.warnings) {
    if (w.kind === 'binary') t.binarySkipped++;
    t.warnings.push(w);
  }
  t.bytes += r.bytes;
  if (r.scanned) t.files++;
}

/** A batch of files, on whichever thread (a worker, or the main thread beside them), as one tally. */
export function scanBatch(batch: ReadonlyArray<{ abs: string; rel: string; source?: SourceKind }>, detector: Detector): ScanTally {
  const tally = emptyTally();
  for (const f of batch) addFileResult(tally, scanFile(f.abs, f.rel, detector, f.source));
  return tally;
}

export function mergeTally(into: ScanTally, from: ScanTally): void {
  for (const f of from.findings) into.findings.push(f);
  for (const w of from.warnings) into.warnings.push(w);
  into.bytes += from.bytes;
  into.files += from.files;
  into.binarySkipped += from.binarySkipped;
}
