/**
 * What the next commit changes, from one `git diff --cached` run that prints two formats at once:
 * `--raw` (modes, blob ids, status, exact paths) and a patch with unlimited context, which holds
 * every line of each changed text file, old and new: the staged files are rebuilt from it (and
 * checked against their blob ids) instead of being read by another git process. One process for
 * all files, whatever their number. A file whose content changed but that has no hunk is one git
 * would not diff (binary to it); that needs no --numstat, which would make git diff everything twice.
 *
 * With -z the raw records are NUL-terminated with paths verbatim; an empty record ends them and
 * the patch follows as ordinary text, where a path is C-quoted when it holds a control
 * character, `"` or `\` (core.quotePath=false keeps other bytes, such as UTF-8, as they are).
 */
import { createHash } from 'node:crypto';
import { unquotePath } from './quote.js';

/** The diff's arguments live beside the prefetch that starts it first thing (see staged-prefetch.ts). */
export { STAGED_DIFF_ARGS } from './staged-prefetch.js';

export type LineRanges = Array<[number, number]>;

export interface StagedChange {
  /** First letter of git's status: A, M, R, C, T, D, U (unmerged), ... */
  status: string;
  /** The path in the index (the destination of a rename or copy), `/`-separated. */
  path: string;
  /** The path in HEAD it came from (same as `path` unless renamed or copied). */
  oldPath: string;
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
  /** Added lines of the staged version, inclusive and 1-based, from the patch. */
  added: LineRanges;
  /** Byte ranges of this file's hunk bodies in the diff output (see blobFromPatch); none when git printed no lines. */
  bodies: Array<[number, number]>;
}

export interface StagedDiff {
  changes: StagedChange[];
  /** The raw diff output the bodies point into. */
  output: Buffer;
}

const NUL = 0;
const LF = 0x0a;
const NEWLINE = Buffer.from('\n');

export function parseStagedDiff(out: Buffer): StagedDiff {
  const changes: StagedChange[] = [];
  let pos = 0;
  // Raw records, until the empty record that precedes the patch (or the end).
  while (pos < out.length && out[pos] === 0x3a /* ':' */) pos = readRaw(out, pos, changes);
  if (pos < out.length && out[pos] === NUL) pos++;
  const files = parsePatch(out, pos);
  for (const c of changes) {
    const file = files.get(c.path);
    if (file) [c.added, c.bodies] = [file.added, file.bodies];
  }
  return { changes, output: out };
}

/** Reads the NUL-terminated record at `pos`: [text, position after the NUL]. */
function record(out: Buffer, pos: number): [string, number] {
  let end = out.indexOf(NUL, pos);
  if (end < 0) end = out.length;
  return [out.toString('utf8', pos, end), end + 1];
}

/** `:oldmode newmode oldoid newoid status\0path\0` (two paths for renames and copies). */
function readRaw(out: Buffer, pos: number, changes: StagedChange[]): number {
  const [header, afterHeader] = record(out, pos);
  const [oldMode = '', newMode = '', oldOid = '', newOid = '', statusField = ''] = header.slice(1).split(' ');
  const status = statusField.charAt(0);
  let [first, next] = record(out, afterHeader);
  let path = first;
  if (status === 'R' || status === 'C') [path, next] = record(out, next);
  changes.push({ status, path, oldPath: first, oldMode, newMode, oldOid, newOid, added: [], bodies: [] });
  return next;
}

interface PatchFile {
  added: LineRanges;
  bodies: Array<[number, number]>;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const SPACE = 0x20;
const BACKSLASH = 0x5c;
const isBodyLine = (b: number | undefined) => b === SPACE || b === PLUS || b === MINUS || b === BACKSLASH || b === LF;

/** A context line; an empty line is one too (diff.suppressBlankEmpty prints an empty context line bare). */
const isContext = (b: number | undefined) => b === SPACE || b === LF;

/**
 * Added lines and hunk bodies per destination path, from the patch text. Only `+++ b/<path>` names
 * a file (a deletion has `+++ /dev/null`). A body line always starts with one of `+ - space \` (or
 * is empty), so a `diff`/`@@` line can't be mistaken for content, whatever the file holds.
 */
export function parsePatch(out: Buffer, start: number): Map<string, PatchFile> {
  const result = new Map<string, PatchFile>();
  let file: PatchFile | null = null; // the current file's, null when it has no destination
  let bodyStart = -1; // where the current hunk's body began, -1 outside a hunk
  let line = 0; // next line number of the staged version inside a hunk
  const closeBody = (at: number) => {
    if (file && bodyStart >= 0 && at > bodyStart) file.bodies.push([bodyStart, at]);
    bodyStart = -1;
  };
  let pos = start;
  while (pos < out.length) {
    let end = out.indexOf(LF, pos);
    if (end < 0) end = out.length;
    const first = out[pos];
    if (bodyStart >= 0 && isBodyLine(first)) {
      if (first === PLUS) addLine(file, line);
      if (first === PLUS || isContext(first)) line++;
    } else {
      closeBody(pos);
      if (startsWith(out, pos, end, '@@ -')) {
        const newStart = hunkNewStart(out.toString('latin1', pos, end));
        if (newStart !== null) [bodyStart, line] = [end + 1, newStart];
      } else if (startsWith(out, pos, end, 'diff ')) file = null;
      else if (startsWith(out, pos, end, '+++ ')) file = fileFor(result, patchPath(out.subarray(pos + 4, end)));
    }
    pos = end + 1;
  }
  closeBody(Math.min(pos, out.length));
  for (const f of result.values()) normalise(f.added);
  return result;
}

/**
 * One side of a file rebuilt from its hunk bodies: `new` = context and `+` lines, `old` = context
 * and `-` lines; `\ No newline at end of file` removes the newline of the line before it. With
 * whole-file context this is the entire blob; the caller checks that against the blob id.
 */
export function blobFromPatch(out: Buffer, bodies: Array<[number, number]>, side: 'old' | 'new'): Buffer {
  const mine = side === 'new' ? PLUS : MINUS;
  const pieces: Buffer[] = [];
  for (const [from, to] of bodies) {
    let lastWasMine = false;
    for (let pos = from; pos < to; ) {
      let end = out.indexOf(LF, pos);
      if (end < 0 || end >= to) end = to;
      const first = out[pos];
      if (first === BACKSLASH) {
        const last = pieces[pieces.length - 1];
        if (lastWasMine && last && last[last.length - 1] === LF) pieces[pieces.length - 1] = last.subarray(0, last.length - 1);
      } else {
        lastWasMine = isContext(first) || first === mine;
        if (lastWasMine) pieces.push(first === LF ? NEWLINE : out.subarray(pos + 1, Math.min(end + 1, to)));
      }
      pos = end + 1;
    }
  }
  return Buffer.concat(pieces);
}

/** git's object id for a blob with this content (SHA-1, or SHA-256 for 64-digit ids). */
export function blobId(data: Buffer, oidLength: number): string {
  return createHash(oidLength === 64 ? 'sha256' : 'sha1')
    .update(`blob ${data.length}\0`)
    .update(data)
    .digest('hex');
}

function startsWith(out: Buffer, pos: number, end: number, prefix: string): boolean {
  if (end - pos < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (out[pos + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** `@@ -a,b +c,d @@` → c. */
function hunkNewStart(header: string): number | null {
  const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(header);
  return m ? Number(m[1]) : null;
}

function fileFor(result: Map<string, PatchFile>, path: string | null): PatchFile | null {
  if (path === null) return null;
  let f = result.get(path);
  if (!f) result.set(path, (f = { added: [], bodies: [] }));
  return f;
}

function addLine(file: PatchFile | null, line: number): void {
  if (!file) return;
  const ranges = file.added;
  const last = ranges[ranges.length - 1];
  if (last && last[1] === line - 1) last[1] = line;
  else ranges.push([line, line]);
}

/** Sorted and merged: a path can appear in two blocks (a type change prints a deletion and an addition). */
function normalise(ranges: LineRanges): void {
  ranges.sort((a, b) => a[0] - b[0]);
  let w = 0;
  for (const r of ranges) {
    const prev = ranges[w - 1];
    if (prev && r[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], r[1]);
    else ranges[w++] = r;
  }
  ranges.length = w;
}

/** The path of a `+++ ` line: `b/<path>`, C-quoted when needed, with a tab after it when it holds a space. */
export function patchPath(field: Buffer): string | null {
  const path = unquotePath(field).toString('utf8');
  return path.startsWith('b/') ? path.slice(2) : null; // /dev/null: a deletion
}

