/**
 * The git sources of a scan: what a commit is about to add (`--staged`, the pre-commit guard) and
 * what commits added (`--git`, for CI). Both yield fragments with the added line ranges, run through
 * the same detector in this thread (the pre-commit path must start fast: no worker threads, no
 * folder listing), and report paths relative to the repository's top folder.
 */
import path from 'node:path';
import type { Detector } from './detect/engine.js';
import type { Finding, ScanWarning } from './model/finding.js';
import type { Fragment } from './model/fragment.js';
import { scanFragments } from './scan-file.js';

export interface GitScanRequest {
  cwd: string;
  staged?: boolean;
  history?: { revisions?: string[]; since?: string };
}

export interface GitScanOutput {
  root: string;
  findings: Finding[];
  warnings: ScanWarning[];
  files: number;
  bytes: number;
  binarySkipped: number;
}

/** The repository's top folder (a UsageError outside a work tree). */
export async function gitRoot(request: GitScanRequest): Promise<string> {
  if (request.staged) return (await import('./sources/staged.js')).repoRoot(request.cwd);
  return (await import('./sources/history.js')).gitToplevel(request.cwd);
}

/**
 * Starts the git source at once: its first git process runs while the caller compiles the rules
 * (on a pre-commit hook, that overlap is a good part of the time budget).
 */
export async function startGitSource(request: GitScanRequest, root: string): Promise<{ fragments: AsyncIterable<Fragment>; warnings: ScanWarning[] }> {
  const warnings: ScanWarning[] = [];
  const source = request.staged
    ? (await import('./sources/staged.js')).stagedFragments(root, warnings)
    : (await import('./sources/history.js')).historyFragments(root, request.history ?? {}, warnings);
  const first = source.next();
  first.catch(() => undefined); // awaited below; keep an early git failure from going unhandled meanwhile
  async function* primed(): AsyncGenerator<Fragment> {
    const r = await first;
    if (r.done) return;
    yield r.value;
    yield* { [Symbol.asyncIterator]: () => source };
  }
  return { fragments: primed(), warnings };
}

export async function scanGit(
  request: GitScanRequest,
  root: string,
  started: { fragments: AsyncIterable<Fragment>; warnings: ScanWarning[] },
  detector: Detector,
  isIgnored: (abs: string) => boolean,
): Promise<GitScanOutput> {
  const warnings = started.warnings;
  let findings: Finding[] = [];
  const paths = new Set<string>();
  let bytes = 0;
  for await (const fragment of started.fragments) {
    if (isIgnored(path.join(root, fragment.path))) continue;
    paths.add(fragment.path);
    bytes += fragmentBytes(fragment);
    for (const f of scanFragments([fragment], detector, warnings)) findings.push(f);
  }
  if (!request.staged) {
    const history = await import('./sources/history.js');
    const { firstIntroductions } = await import('./enrich/first-introduced.js');
    findings = firstIntroductions(findings);
    await history.resolveHistorySpans(root, findings, warnings);
  }
  const binarySkipped = warnings.filter((w) => w.kind === 'binary').length;
  return { root, findings, warnings, files: paths.size, bytes, binarySkipped };
}

function fragmentBytes(f: Fragment): number {
  return f.bytes ? f.bytes.length : (f.text?.length ?? 0) * f.unit;
}
