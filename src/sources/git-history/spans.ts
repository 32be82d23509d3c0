/**
 * Exact spans for history findings. A diff doesn't carry the text before its first hunk, so the scan
 * leaves a history finding's span relative to its fragment (the commit's added lines); here each
 * blob that has a finding is read once (one `git cat-file --batch` for all of them) and the span is
 * moved to the secret's byte offsets in that commit's version of the file, found by line, column and
 * fingerprint. Blobs without a finding are never read.
 */
import { columnWidth } from '../../decode/text.js';
import { fingerprint } from '../../detect/redact.js';
import type { ByteSpan, Finding, ScanWarning } from '../../model/finding.js';
import { startGit } from '../git/run.js';
import { gitToplevel } from './git.js';

/**
 * Rewrites `span` of every `history` finding to byte offsets in `git show COMMIT:PATH`. A finding
 * whose blob can't be read or whose secret isn't where its line and column say keeps its relative
 * span and gets an `unreadable` warning. Returns how many spans were resolved.
 */
export async function resolveHistorySpans(root: string, findings: Finding[], warnings: ScanWarning[] = []): Promise<number> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.source !== 'history' || !f.commit) continue;
    const name = `${f.commit}:${f.path}`;
    const list = groups.get(name);
    if (list) list.push(f);
    else groups.set(name, [f]);
  }
  if (!groups.size) return 0;
  const names = [...groups.keys()];
  // -z reads NUL-terminated names (a path may hold a newline); older gits only know newlines.
  const z = names.some((n) => n.includes('\n'));
  const git = startGit(['cat-file', '--batch', ...(z ? ['-z'] : [])], await gitToplevel(root));
  git.child.stdin.on('error', () => {}); // reported through the exit status
  git.child.stdin.end(names.map((n) => n + (z ? '\0' : '\n')).join(''));

  const reader = new ByteReader(git.child.stdout);
  let resolved = 0;
  for (const name of names) {
    const list = groups.get(name)!;
    const blob = await readResponse(reader, name);
    for (const f of list) {
      const span = blob ? locate(blob, f) : null;
      if (span) {
        f.span = span;
        resolved++;
      } else {
        warnings.push({ path: f.path, kind: 'unreadable', message: `could not locate the secret in ${f.commit!.slice(0, 12)}:${f.path}; its span is relative to the commit's added lines` });
      }
    }
  }
  git.child.kill();
  await git.done;
  return resolved;
}

/** One `--batch` answer: `<oid> blob <size>\n<bytes>\n`, or `<name> missing\n` (null). */
async function readResponse(reader: ByteReader, name: string): Promise<Buffer | null> {
  const missing = Buffer.from(`${name} missing\n`);
  await reader.fill(missing.length);
  if (reader.startsWith(missing)) {
    reader.take(missing.length);
    return null;
  }
  const head = await reader.line();
  if (head === null) return null;
  const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(head.toString('latin1'));
  if (!m) {
    // `<name> ambiguous` or another one-line answer.
    return null;
  }
  const size = Number(m[2]);
  await reader.fill(size + 1);
  const body = reader.take(size);
  reader.take(1);
  return m[1] === 'blob' ? body : null;
}

/** The secret's bytes in `blob`: its line, then the byte where its column starts, checked by fingerprint. */
export function locate(blob: Buffer, f: Finding): ByteSpan | null {
  const length = f.span.end - f.span.start;
  let lineStart = 0;
  for (let l = 1; l < f.line; l++) {
    const nl = blob.indexOf(10, lineStart);
    if (nl < 0) return null;
    lineStart = nl + 1;
  }
  const nl = blob.indexOf(10, lineStart);
  const lineEnd = nl < 0 ? blob.length : nl;
  const target = f.column - 1;
  const width = (b: number) => columnWidth(blob.toString('latin1', lineStart, lineStart + b), 'utf8');
  // Width grows with bytes: the first byte count whose prefix is `target` units wide, then on
  // while it stays that wide (a multi-byte character being completed).
  let lo = Math.min(target, lineEnd - lineStart);
  let hi = lineEnd - lineStart;
  if (width(lo) < target) {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (width(mid) < target) lo = mid + 1;
      else hi = mid;
    }
  }
  for (let b = lo; lineStart + b <= lineEnd && width(b) === target; b++) {
    const start = lineStart + b;
    if (start + length <= blob.length && fingerprint(blob.subarray(start, start + length)) === f.fingerprint) return { start, end: start + length };
  }
  return null;
}

/** Pulls bytes from a stream on demand. */
class ByteReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(stream: NodeJS.ReadableStream) {
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** Wait until `n` bytes are buffered or the stream has ended. */
  async fill(n: number): Promise<void> {
    while (this.size < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.size += r.value.length;
      }
    }
  }

  startsWith(prefix: Buffer): boolean {
    return this.size >= prefix.length && this.peek(prefix.length).equals(prefix);
  }

  async line(): Promise<Buffer | null> {
    for (;;) {
      const all = this.peek(this.size);
      const nl = all.indexOf(10);
      if (nl >= 0) {
        const line = this.take(nl + 1);
        return line.subarray(0, nl);
      }
      if (this.done) return null;
      await this.fill(this.size + 1);
    }
  }

  take(n: number): Buffer {
    const out = this.peek(Math.min(n, this.size));
    const rest = this.peek(this.size).subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return (this.chunks[0] ?? Buffer.alloc(0)).subarray(0, n);
  }
}
