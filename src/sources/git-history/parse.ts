/**
 * A streaming parser for `git log -p -U0 --cc` output: bytes in (in whatever chunks the pipe
 * delivers), fragments of added text out. It never holds more than one file's added text of one
 * commit, and splits even that into 8 MB pieces with a 64 KB overlap (as large workspace files are
 * read), so a 1 GB file added in one commit, or a single line of hundreds of MB, stays bounded.
 *
 * The log is read by counts, not by guessing: a hunk header `@@ -a,b +c,d @@` says exactly how many
 * old and new lines follow, so an added line whose text looks like a header (`+++ x`, `diff --git`,
 * `@@`) is never mistaken for one, and header lines are only read between hunks. Commit headers are
 * our own `--format` line, which starts with a NUL byte (no diff line can).
 *
 * Merges arrive as dense combined diffs (`--cc`): `@@@ -a,b -c,d +e,f @@@` with one prefix column
 * per parent. A line with `+` in every column exists in no parent: the merge itself introduced it
 * (a conflict resolution, an "evil" merge). A line with a space in some column came from that parent,
 * whose own commits are scanned where they added it, so it is not reported again at the merge.
 */
import { columnWidth } from '../../decode/text.js';
import type { Fragment } from '../../model/fragment.js';
import { newSidePath, pathFromDiffGit, pathText, unquotePath } from '../git/quote.js';

export interface CommitInfo {
  sha: string;
  /** `Name <email>` (after .mailmap). */
  author: string;
  /** Author date, strict ISO 8601. */
  date: string;
}

export interface PatchSink {
  fragment(fragment: Fragment): void;
  /** A binary file changed in this commit (git printed `Binary files … differ`): not scanned. */
  binary(path: string, commit: CommitInfo): void;
}

/** Pieces of one file's added text (same sizes as workspace chunks, see sources/files.ts). */
export const PIECE_BYTES = 8 * 1024 * 1024;
export const PIECE_OVERLAP = 64 * 1024;
/**
 * Hunks of one file in one commit share a fragment, the unchanged lines between them stood in for by
 * empty lines so line numbers stay exact; hunks further apart than this start a new fragment.
 */
export const MAX_PAD_LINES = 1024;
/** Header lines (commit, diff, +++ name) are short; a longer one is cut here. */
const HEADER_CAP = 64 * 1024;

const NL = 10;
const PLUS = 0x2b;
const MINUS = 0x2d;
const SPACE = 0x20;
const BACKSLASH = 0x5c;

const enum St {
  /** At the start of a line. */
  Start,
  /** Reading a combined diff's prefix columns. */
  Prefix,
  /** Inside an added line: its bytes go to the file's text. */
  Added,
  /** Inside a line we don't need (removed, context, `\ No newline at end of file`). */
  Skip,
  /** Inside a header line: collected, then interpreted. */
  Header,
}

export class PatchParser {
  private st = St.Start;
  private header: Buffer[] = [];
  private headerLen = 0;
  private prefix: number[] = [];

  private commit: CommitInfo | null = null;
  /** The file the current hunks belong to (new side), null for a deletion or before `+++`. */
  private path: string | null = null;
  private diffLine: Buffer | null = null;
  private combinedName: Buffer | null = null;
  private renameTo: string | null = null;
  private copyTo: string | null = null;

  private inHunk = false;
  /** Prefix columns: 1 for a plain diff, one per parent for a combined one. */
  private cols = 1;
  private oldLeft: number[] = [0];
  private newLeft = 0;
  private newLine = 0;

  /** One buffer for every file's text (only one file is open at a time). */
  private readonly text: FileText;
  private textOpen = false;

  constructor(private readonly sink: PatchSink) {
    this.text = new FileText(sink);
  }

  /** Feed the next bytes of the log. */
  feed(chunk: Buffer): void {
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      switch (this.st) {
        case St.Start: {
          if (this.inHunk && this.hunkDone()) this.inHunk = false;
          if (!this.inHunk) {
            this.st = St.Header;
            this.header = [];
            this.headerLen = 0;
            break;
          }
          const c = chunk[pos]!;
          if (c === BACKSLASH) {
            this.st = St.Skip; // "\ No newline at end of file": counts for no side
          } else if (c !== PLUS && c !== MINUS && c !== SPACE) {
            // Not a hunk line: the counts were wrong (git prints `+1,18446744073709551615` for a
            // file a merge deletes). Read it as a header line, so one bad hunk can't swallow the log.
            this.inHunk = false;
          } else if (this.cols === 1) {
            pos++;
            this.plainLine(c);
          } else {
            this.prefix = [];
            this.st = St.Prefix;
          }
          break;
        }
        case St.Prefix: {
          while (pos < n && this.prefix.length < this.cols && chunk[pos] !== NL) this.prefix.push(chunk[pos++]!);
          if (this.prefix.length === this.cols) this.combinedLine();
          else if (pos < n) this.st = St.Skip; // a line shorter than its prefix: malformed, skip it
          break;
        }
        case St.Added: {
          const nl = chunk.indexOf(NL, pos);
          const end = nl < 0 ? n : nl;
          if (end > pos) this.text.append(chunk, pos, end);
          if (nl < 0) {
            pos = n;
          } else {
            this.text.endLine();
            pos = nl + 1;
            this.st = St.Start;
          }
          break;
        }
        case St.Skip: {
          const nl = chunk.indexOf(NL, pos);
          if (nl < 0) {
            pos = n;
          } else {
            pos = nl + 1;
            this.st = St.Start;
          }
          break;
        }
        case St.Header: {
          const nl = chunk.indexOf(NL, pos);
          const end = nl < 0 ? n : nl;
          if (this.headerLen < HEADER_CAP && end > pos) {
            const part = chunk.subarray(pos, Math.min(end, pos + HEADER_CAP - this.headerLen));
            // Copy: the pipe may reuse its buffer once this chunk is done.
            this.header.push(nl < 0 ? Buffer.from(part) : part);
            this.headerLen += part.length;
          }
          if (nl < 0) {
            pos = n;
          } else {
            pos = nl + 1;
            this.st = St.Start;
            const line = this.header.length === 1 ? this.header[0]! : Buffer.concat(this.header, this.headerLen);
            this.header = [];
            this.headerLen = 0;
            this.headerLine(line);
          }
          break;
        }
      }
    }
  }

  /** The log ended: emit what is left. */
  end(): void {
    if (this.st === St.Added && this.textOpen) this.text.endLine();
    if (this.st === St.Header && this.headerLen) this.headerLine(Buffer.concat(this.header, this.headerLen));
    this.flushFile();
  }

  private hunkDone(): boolean {
    if (this.newLeft > 0) return false;
    for (const left of this.oldLeft) if (left > 0) return false;
    return true;
  }

  private plainLine(c: number): void {
    if (c === PLUS) {
      this.newLeft--;
      this.addedLine(this.newLine++);
    } else if (c === MINUS) {
      this.oldLeft[0]!--;
      this.st = St.Skip;
    } else {
      // Context (only if someone's diff.interHunkContext merged hunks despite our flag).
      this.oldLeft[0]!--;
      this.newLeft--;
      this.newLine++;
      this.st = St.Skip;
    }
  }

  private combinedLine(): void {
    let removed = false;
    let everyPlus = true;
    for (const c of this.prefix) {
      if (c !== PLUS && c !== MINUS && c !== SPACE) {
        this.inHunk = false; // malformed: skip the line and leave the hunk
        this.st = St.Skip;
        return;
      }
    }
    for (let i = 0; i < this.cols; i++) {
      const c = this.prefix[i]!;
      if (c !== PLUS) {
        this.oldLeft[i]!--; // the line is in parent i (unchanged or removed)
        everyPlus = false;
      }
      if (c === MINUS) removed = true;
    }
    if (removed) {
      this.st = St.Skip;
      return;
    }
    this.newLeft--;
    const line = this.newLine++;
    if (everyPlus) this.addedLine(line);
    else this.st = St.Skip;
  }

  private addedLine(line: number): void {
    if (this.path === null || this.commit === null) {
      this.st = St.Skip; // no new side (can't happen in a well-formed log)
      return;
    }
    if (!this.textOpen) {
      this.text.open(this.path, this.commit);
      this.textOpen = true;
    }
    this.text.beginLine(line);
    this.st = St.Added;
  }

  private flushFile(): void {
    if (this.textOpen) this.text.flush();
    this.textOpen = false;
  }

  private headerLine(line: Buffer): void {
    if (line.length === 0) return;
    if (line[0] === 0) {
      // Our --format line: NUL sha NUL author NUL date.
      this.flushFile();
      const [, sha = '', author = '', date = ''] = line.toString('utf8').split('\0');
      this.commit = { sha, author, date };
      this.resetFile();
      return;
    }
    if (startsWith(line, 'diff ')) {
      this.flushFile();
      this.resetFile();
      // Copies: `line` may point into the pipe's chunk. Only kept to name a binary file.
      if (startsWith(line, 'diff --git ')) this.diffLine = Buffer.from(line.subarray(11));
      else if (startsWith(line, 'diff --cc ')) this.combinedName = Buffer.from(line.subarray(10));
      else if (startsWith(line, 'diff --combined ')) this.combinedName = Buffer.from(line.subarray(16));
      return;
    }
    if (line[0] === 0x40 /* @ */ && line[1] === 0x40) {
      this.hunkHeader(line);
      return;
    }
    if (startsWith(line, '+++ ')) {
      this.path = newSidePath(line.subarray(4), 'b/');
    } else if (startsWith(line, 'rename to ')) {
      this.renameTo = pathText(unquotePath(line.subarray(10)));
    } else if (startsWith(line, 'copy to ')) {
      this.copyTo = pathText(unquotePath(line.subarray(8)));
    } else if (startsWith(line, 'Binary files ') && this.commit) {
      const path =
        this.renameTo ??
        this.copyTo ??
        (this.combinedName ? pathText(unquotePath(this.combinedName)) : this.diffLine ? pathFromDiffGit(this.diffLine) : null);
      if (path !== null) this.sink.binary(path, this.commit);
    }
  }

  private resetFile(): void {
    this.path = null;
    this.diffLine = null;
    this.combinedName = null;
    this.renameTo = null;
    this.copyTo = null;
    this.inHunk = false;
  }

  /** `@@ -a,b +c,d @@ …` or, for n parents, n+1 `@`s and n old ranges. */
  private hunkHeader(line: Buffer): void {
    let i = 0;
    while (line[i] === 0x40) i++;
    const cols = i - 1;
    const oldLeft: number[] = [];
    for (let k = 0; k < cols; k++) {
      if (line[i] !== SPACE || line[i + 1] !== MINUS) return; // not a hunk header after all
      i = readRange(line, i + 2);
      oldLeft.push(rangeCountRead);
    }
    if (line[i] !== SPACE || line[i + 1] !== PLUS) return;
    i = readRange(line, i + 2);
    this.newLine = rangeStartRead;
    this.newLeft = rangeCountRead;
    this.oldLeft = oldLeft;
    this.cols = cols;
    this.inHunk = true;
  }
}

let rangeStartRead = 0;
let rangeCountRead = 0;

/**
 * Reads `a,b` or `a` (one line) at `i`; the results land in rangeStartRead and rangeCountRead.
 * A count above 2^32 is a negative one printed unsigned (git prints `+1,18446744073709551615` for
 * a file a merge deletes): it counts as 0.
 */
function readRange(line: Buffer, i: number): number {
  let start = 0;
  while (i < line.length && line[i]! >= 0x30 && line[i]! <= 0x39) start = start * 10 + (line[i++]! - 0x30);
  let count = 1;
  if (line[i] === 0x2c /* , */) {
    count = 0;
    i++;
    while (i < line.length && line[i]! >= 0x30 && line[i]! <= 0x39) count = count * 10 + (line[i++]! - 0x30);
  }
  rangeStartRead = start;
  rangeCountRead = count > 0xffffffff ? 0 : count;
  return i;
}

function startsWith(line: Buffer, prefix: string): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * One file's added lines in one commit, joined by `\n` in line order, with an empty line standing
 * for each unchanged line between two hunks: text index 0 is the start of line `firstLine` of the
 * commit's version of the file, and every later line number is exact. `lines` lists the added ranges.
 */
class FileText {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private len = 0;
  private started = false;
  private firstLine = 0;
  private firstColumn = 0;
  private ownedStart = 0;
  /** Bytes of this run dropped before buf[0] by splitting (so pieces' offsets agree). */
  private dropped = 0;
  /** The line the text's end is on. */
  private line = 0;
  private ranges: Array<[number, number]> = [];

  private path = '';
  private commit: CommitInfo = { sha: '', author: '', date: '' };

  constructor(private readonly sink: PatchSink) {}

  open(path: string, commit: CommitInfo): void {
    this.path = path;
    this.commit = commit;
    this.started = false;
    this.len = 0;
    this.ranges = [];
  }

  beginLine(line: number): void {
    if (!this.started) {
      this.start(line);
    } else if (line < this.line || line - this.line > MAX_PAD_LINES) {
      this.flush();
      this.start(line);
    } else if (line > this.line) {
      const pad = line - this.line;
      this.ensure(pad);
      this.buf.fill(NL, this.len, this.len + pad);
      this.len += pad;
      this.line = line;
      this.maybeSplit();
    }
    const last = this.ranges[this.ranges.length - 1];
    if (last && last[1] === line - 1) last[1] = line;
    else this.ranges.push([line, line]);
  }

  append(chunk: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    chunk.copy(this.buf, this.len, start, end);
    this.len += end - start;
    this.maybeSplit();
  }

  endLine(): void {
    this.ensure(1);
    this.buf[this.len++] = NL;
    this.line++;
    this.maybeSplit();
  }

  flush(): void {
    if (this.started && this.len > this.ownedStart) this.emit(this.len, this.ranges);
    this.started = false;
    this.len = 0;
    this.ranges = [];
  }

  private start(line: number): void {
    this.started = true;
    this.firstLine = line;
    this.line = line;
    this.firstColumn = 0;
    this.ownedStart = 0;
    this.dropped = 0;
    this.len = 0;
    this.ranges = [];
  }

  private ensure(more: number): void {
    if (this.len + more <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.len + more, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  private emit(ownedEnd: number, lines: Array<[number, number]>): void {
    const bytes = Buffer.allocUnsafe(this.len);
    this.buf.copy(bytes, 0, 0, this.len);
    this.sink.fragment({
      source: 'history',
      path: this.path,
      bytes,
      encoding: 'utf8',
      byteOffset: this.dropped,
      unit: 1,
      firstLine: this.firstLine,
      firstColumn: this.firstColumn,
      ownedStart: this.ownedStart,
      ownedEnd,
      lines,
      commit: this.commit,
    });
  }

  /** Past 8 MB + overlap: emit a piece, keep the last 2 × overlap (context + unowned tail). */
  private maybeSplit(): void {
    if (this.len < PIECE_BYTES + PIECE_OVERLAP) return;
    this.emit(this.len - PIECE_OVERLAP, this.ranges.map(([a, b]) => [a, b]));
    const keep = this.len - 2 * PIECE_OVERLAP;
    let lastNl = -1;
    for (let i = this.buf.indexOf(NL, 0); i >= 0 && i < keep; i = this.buf.indexOf(NL, i + 1)) {
      this.firstLine++;
      lastNl = i;
    }
    this.firstColumn =
      lastNl >= 0
        ? columnWidth(this.buf.toString('latin1', lastNl + 1, keep), 'utf8')
        : this.firstColumn + columnWidth(this.buf.toString('latin1', 0, keep), 'utf8');
    this.buf.copy(this.buf, 0, keep, this.len);
    this.len -= keep;
    this.dropped += keep;
    this.ownedStart = PIECE_OVERLAP;
    this.ranges = this.ranges.filter(([, b]) => b >= this.firstLine);
  }
}
