/**
 * The single-pass prefilter: an Aho-Corasick automaton over every rule's keywords, matched
 * case-insensitively in one walk over the text. Rules whose keywords never occur cost nothing, and
 * the ones that do run their regex only in windows around the hits.
 *
 * Keywords are ASCII; a non-ASCII character can't be part of one, so it resets the walk.
 */
const ALPHABET = 128;

export class KeywordIndex {
  private readonly delta: Int32Array;
  /** outputs[state] lists the keyword ids ending at that state (fail links folded in). */
  private readonly outputs: Array<number[] | undefined>;
  private readonly hasOutput: Uint8Array;
  readonly keywords: string[];

  constructor(keywords: string[]) {
    this.keywords = keywords.map((k) => k.toLowerCase());
    const goto: Array<Map<number, number>> = [new Map()];
    const out: number[][] = [[]];
    this.keywords.forEach((kw, id) => {
      let s = 0;
      for (let i = 0; i < kw.length; i++) {
        const c = kw.charCodeAt(i);
        let next = goto[s]!.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          out.push([]);
          goto[s]!.set(c, next);
        }
        s = next;
      }
      out[s]!.push(id);
    });
    const states = goto.length;
    const delta = new Int32Array(states * ALPHABET);
    const fail = new Int32Array(states);
    // Breadth-first: each state's full transition row is its goto edges over its fail state's row.
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const next = goto[0]!.get(c);
      if (next !== undefined) {
        delta[c] = next;
        queue.push(next);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      out[s]!.push(...out[fail[s]!]!);
      for (let c = 0; c < ALPHABET; c++) {
        const next = goto[s]!.get(c);
        if (next !== undefined) {
          fail[next] = delta[fail[s]! * ALPHABET + c]!;
          delta[s * ALPHABET + c] = next;
          queue.push(next);
        } else {
          delta[s * ALPHABET + c] = delta[fail[s]! * ALPHABET + c]!;
        }
      }
    }
    // Fold case: an uppercase letter moves like its lowercase twin.
    for (let s = 0; s < states; s++) {
      for (let c = 65; c <= 90; c++) delta[s * ALPHABET + c] = delta[s * ALPHABET + c + 32]!;
    }
    this.delta = delta;
    this.outputs = out.map((o) => (o.length ? [...new Set(o)] : undefined));
    this.hasOutput = Uint8Array.from(out, (o) => (o.length ? 1 : 0));
  }

  /**
   * The same walk over raw bytes (8-bit text): lets a file with no keyword skip decoding entirely.
   * Offsets are byte offsets, which equal text indices for 8-bit text (see decode/text.ts).
   */
  scanBytes(bytes: Uint8Array, onHit: (keywordId: number, start: number) => void): void {
    const delta = this.delta;
    const hasOutput = this.hasOutput;
    const n = bytes.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const c = bytes[i]!;
      if (c >= ALPHABET) {
        s = 0;
        continue;
      }
      s = delta[(s << 7) | c]!;
      if (hasOutput[s] === 1) {
        for (const id of this.outputs[s]!) onHit(id, i - this.keywords[id]!.length + 1);
      }
    }
  }

  /** Calls onHit(keywordId, startIndex) for every occurrence, in order of end position. */
  scan(text: string, onHit: (keywordId: number, start: number) => void): void {
    const delta = this.delta;
    const hasOutput = this.hasOutput;
    const n = text.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHABET) {
        s = 0;
        continue;
      }
      s = delta[(s << 7) | c]!;
      if (hasOutput[s] === 1) {
        for (const id of this.outputs[s]!) onHit(id, i - this.keywords[id]!.length + 1);
      }
    }
  }
}
