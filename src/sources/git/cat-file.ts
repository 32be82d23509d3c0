/**
 * Reads blobs by id with one `git cat-file --batch` process for all of them: the ids go in on stdin,
 * the contents stream back in the same order. simple-git can't feed a child's stdin or stream its
 * stdout, so this uses node:child_process directly; one process instead of one `git show` per file
 * keeps a pre-commit scan's cost flat in the number of staged files.
 */
import { collectStderr, firstLine, GitError, spawnGit } from './run.js';

export interface BlobRead {
  /** Position of the id in the request list. */
  index: number;
  oid: string;
  /** null when git has no such object. */
  data: Buffer | null;
}

/** Yields one BlobRead per requested id, in order, each as soon as it has fully arrived. */
export async function* readBlobs(root: string, oids: string[]): AsyncGenerator<BlobRead> {
  if (oids.length === 0) return;
  const child = spawnGit(['cat-file', '--batch'], root, 'pipe');
  const stderr = collectStderr(child);
  let spawnError: Error | null = null;
  child.on('error', (e) => (spawnError = e));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin!.on('error', () => undefined); // git died early: reported through its exit code below
  child.stdin!.end(oids.join('\n') + '\n');

  const parser = new BatchParser();
  let index = 0;
  try {
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      for (const rec of parser.push(chunk)) {
        yield { index, oid: oids[index]!, data: rec };
        index++;
      }
    }
    const code = await exited;
    if (spawnError) throw new GitError(`could not run git: ${(spawnError as Error).message}`, null, '');
    if (code !== 0 || index !== oids.length) {
      throw new GitError(`git cat-file failed: ${firstLine(stderr())}`, code, stderr());
    }
  } finally {
    // The consumer may stop early (an error downstream): don't leave git running.
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/**
 * The `--batch` output format: `<oid> <type> <size>\n<size bytes>\n`, or `<oid> missing\n`.
 * A body is copied once into a buffer of its exact size, however many chunks it arrives in.
 */
class BatchParser {
  private pending: Buffer = Buffer.alloc(0);
  private body: Buffer | null = null;
  private filled = 0;

  push(chunk: Buffer): Array<Buffer | null> {
    const done: Array<Buffer | null> = [];
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (this.body) {
        const take = Math.min(this.body.length - this.filled, data.length);
        data.copy(this.body, this.filled, 0, take);
        this.filled += take;
        data = data.subarray(take);
        if (this.filled < this.body.length || data.length === 0) break; // body or its LF still to come
        done.push(this.body);
        this.body = null;
        data = data.subarray(1); // the LF after the body
        continue;
      }
      const nl = data.indexOf(0x0a);
      if (nl < 0) break;
      const header = data.toString('latin1', 0, nl).split(' ');
      data = data.subarray(nl + 1);
      if (header.length < 3) {
        done.push(null); // missing (or ambiguous): no body follows
        continue;
      }
      this.body = Buffer.allocUnsafe(Number(header[2]));
      this.filled = 0;
    }
    // Copy the (small) leftover so the big chunk it came from can be freed.
    this.pending = Buffer.from(data);
    return done;
  }
}
