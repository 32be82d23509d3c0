/**
 * One input through the stages: fragments → detect → findings. A problem with the file is returned
 * as a warning, never thrown, so one bad file can't end a scan.
 */
import type { Detector, Match } from './detect/engine.js';
import { toFindings } from './enrich/finding.js';
import type { Finding, ScanWarning, SourceKind } from './model/finding.js';
import type { Fragment } from './model/fragment.js';
import { readFileFragments } from './sources/files.js';

export interface FileResult {
  findings: Finding[];
  warnings: ScanWarning[];
  bytes: number;
  scanned: boolean;
}

export function scanFragments(fragments: Iterable<Fragment>, detector: Detector, warnings?: ScanWarning[]): Finding[] {
  const findings: Finding[] = [];
  for (const fragment of fragments) {
    const matches: Match[] = fragment.text === undefined ? detector.detectBytes(fragment.bytes!, fragment.path) : detector.detect(fragment.text, fragment.path);
    const owned = matches.filter((m) => m.start >= fragment.ownedStart && m.start < fragment.ownedEnd);
    if (owned.length) findings.push(...toFindings(fragment, owned, warnings));
  }
  return findings;
}

export function scanFile(absPath: string, relPath: string, detector: Detector, source: SourceKind = 'workspace'): FileResult {
  try {
    const read = readFileFragments(absPath, relPath, source);
    if (read.kind === 'binary') {
      return { findings: [], warnings: [{ path: relPath, kind: 'binary', message: 'binary file skipped' }], bytes: read.bytes, scanned: false };
    }
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

export function mergeTally(into: ScanTally, from: ScanTally): void {
  for (const f of from.findings) into.findings.push(f);
  for (const w of from.warnings) into.warnings.push(w);
  into.bytes += from.bytes;
  into.files += from.files;
  into.binarySkipped += from.binarySkipped;
}
