/**
 * The single-pass prefilter: an Aho-Corasick automaton over every rule's keywords, matched
 * case-insensitively in one walk over the text. Rules whose keywords never occur cost nothing, and
 * the ones that do run their regex only in windows around the hits.
 *
 * Keywords are ASCII; a non-ASCII character can't be part of one, so it resets the walk.
 *
 * The automaton is built as a plain 256-column table, then laid out densely for the walk (see Walk);
 * the build step stores the dense form of the built-in rules' automata, ready to use.
 */
import { CHAINS, WasmWalk } from './walk-wasm.js';

const ALPHABET = 128;
/** States fit in 15 bits; the 16th marks a state where a keyword ends. */
const OUTPUT = 0x8000;
const STATE = 0x7fff;

/** A built automaton as plain data, in the walk's layout (see Walk); the build step stores the built-in rules' ones. */
export interface KeywordIndexData {
  keywords: string[];
  /** For each byte, its column (0: in no keyword; a step on it always leads back to the root). */
  column: Uint8Array;
  /** rows[rowOf(state) + column] = rowOf(next state), where rowOf(state) = state x the column count. */
  rows: Int32Array;
  /** Row offsets from here on are states where a keyword ends. */
  firstReport: number;
  /** For each of those states, in order: the keyword ids that end there (fail links folded in). */
  reports: number[][];
}

export interface WalkOptions {
  /** Walk raw bytes with the WebAssembly loop (walk-wasm.ts) where it runs; default true. */
  wasm?: boolean;
}

export class KeywordIndex {
  readonly keywords: string[];
  private readonly data: KeywordIndexData;
  private readonly walk: Walk;

  constructor(data: KeywordIndexData, options: WalkOptions = {}) {
    this.data = data;
    this.keywords = data.keywords;
    this.walk = new Walk(data, options.wasm ?? true);
  }

  toData(): KeywordIndexData {
    return this.data;
  }

  static build(keywords: string[], options: WalkOptions = {}): KeywordIndex {
    const lower = keywords.map((k) => k.toLowerCase());
    // Built at every start, the pre-commit hook's included, before the JIT warms up: so work per
    // trie edge, not per state x character, and whole rows copied natively (copyWithin).
    const edges: Array<Array<[number, number]>> = [[]];
    const out: number[][] = [[]];
    lower.forEach((kw, id) => {
      let s = 0;
      for (let i = 0; i < kw.length; i++) {
        const c = kw.charCodeAt(i) & (ALPHABET - 1);
        let next = edges[s]!.find((e) => e[0] === c)?.[1];
        if (next === undefined) {
          next = edges.length;
          edges.push([]);
          out.push([]);
          edges[s]!.push([c, next]);
        }
        s = next;
      }
      out[s]!.push(id);
    });
    const states = edges.length;
    // Pass 1, breadth-first over trie edges: fail links, and each state's outputs with its fail's.
    const fail = new Int32Array(states);
    const order: number[] = [];
    const step = (from: number, c: number): number => {
      for (let f = from; ; f = fail[f]!) {
        const e = edges[f]!.find((x) => x[0] === c);
        if (e) return e[1];
        if (f === 0) return 0;
      }
    };
    for (const [, next] of edges[0]!) order.push(next);
    for (let head = 0; head < order.length; head++) {
      const s = order[head]!;
      for (const [c, next] of edges[s]!) {
        fail[next] = step(fail[s]!, c);
        order.push(next);
      }
    }
    for (const s of order) if (out[fail[s]!]!.length) out[s]!.push(...out[fail[s]!]!);
    // Pass 2: the walk's table. A state id carries the sign bit when a keyword ends there, so one
    // load says where to go and whether to report. 256 columns: a byte >= 128 leads back to the root.
    const tag = (t: number) => (out[t]!.length ? t | OUTPUT : t);
    if (states > STATE) throw new Error(`keyword automaton too large (${states} states): fewer or shorter keywords`);
    const table = new Uint16Array(states * 256);
    for (const [c, next] of edges[0]!) table[c] = tag(next);
    for (const s of order) {
      const row = s * 256;
      const failRow = fail[s]! * 256;
      table.copyWithin(row, failRow, failRow + ALPHABET);
      for (const [c, next] of edges[s]!) table[row + c] = tag(next);
    }
    // Fold case: an uppercase letter moves like its lowercase twin.
    for (let s = 0; s < states; s++) table.copyWithin(s * 256 + 65, s * 256 + 97, s * 256 + 123);
    return new KeywordIndex(dense(lower, table, out.map((o) => (o.length ? [...new Set(o)] : null))), options);
  }

  /**
   * The walk over raw bytes (8-bit text): lets a file with no keyword skip decoding entirely.
   * Offsets are byte offsets, which equal text indices for 8-bit text (see decode/text.ts).
   * Calls onHit(keywordId, startIndex) for every occurrence, in no promised order.
   */
  scanBytes(bytes: Uint8Array, onHit: (keywordId: number, start: number) => void): void {
    deliver(this.walk, this.walk.bytes(bytes), onHit);
  }

  /** The same walk over a string (decoded text); a character above 255 resets it, like any non-keyword one. */
  scan(text: string, onHit: (keywordId: number, start: number) => void): void {
    deliver(this.walk, this.walk.text(text), onHit);
  }
}

/**
 * Hands the walk's hits to the caller. Kept apart from the walk on purpose: a callback called from
 * inside the hot loop was inlined into it, and every new branch the callback took (a first trigger,
 * a first path-scoped rule) threw the loop's optimised code away and compiled it again, a dozen
 * times a scan, on the threads that should be scanning.
 */
function deliver(walk: Walk, count: number, onHit: (keywordId: number, start: number) => void): void {
  const hits = walk.hits;
  for (let k = 0; k < count; k++) onHit(hits[2 * k]!, hits[2 * k + 1]!);
}

/** The walk's layout (see Walk) of a 256-column automaton whose entries carry OUTPUT where a keyword ends. */
function dense(keywords: string[], table: Uint16Array, outputs: Array<number[] | null>): KeywordIndexData {
  const states = table.length / 256;
  const column = new Uint8Array(256);
  const byColumn: number[] = [0];
  for (let c = 1; c < 128; c++) {
    if (c >= 65 && c <= 90) continue; // an uppercase letter takes its lowercase twin's column, below
    if (!keywords.some((k) => k.includes(String.fromCharCode(c)))) continue;
    column[c] = byColumn.length;
    if (c >= 97 && c <= 122) column[c - 32] = byColumn.length;
    byColumn.push(c);
  }
  const K = byColumn.length;
  // Renumber: states with no report first, the root staying 0.
  const order: number[] = [];
  for (let st = 0; st < states; st++) if (!outputs[st]) order.push(st);
  const firstReportState = order.length;
  for (let st = 0; st < states; st++) if (outputs[st]) order.push(st);
  const renumbered = new Int32Array(states);
  order.forEach((old, now) => (renumbered[old] = now));
  const rows = new Int32Array(states * K);
  for (let old = 0; old < states; old++) {
    const row = renumbered[old]! * K;
    for (let k = 0; k < K; k++) rows[row + k] = renumbered[table[old * 256 + byColumn[k]!]! & STATE]! * K;
  }
  return { keywords, column, rows, firstReport: firstReportState * K, reports: order.slice(firstReportState).map((old) => outputs[old]!) };
}

/** Below this, a buffer is walked here in one go: splitting it isn't worth the bookkeeping. */
const SPLIT_MIN = 4096;

/**
 * The automaton laid out for speed. A walk is a chain of dependent loads (each state comes from the
 * last), so its speed is the latency of one step, and three things shorten the step:
 * - bytes that occur in no keyword share one column, and the others get one each (some 50 columns,
 *   not 256), so the table is a fifth of the size and its busy rows stay in the nearest cache;
 * - each entry holds the next state's row offset, not its number: no shift on the chain;
 * - states where a keyword ends are numbered last, so "report?" is one comparison off the chain,
 *   not a bit to mask away on it.
 * And a large buffer goes to the WebAssembly loop (walk-wasm.ts), which walks it as four parts at
 * once: independent chains keep the core busy while each waits on its loads. Here, a small buffer
 * or one without WebAssembly is one chain.
 */
class Walk {
  private readonly column: Uint8Array;
  private readonly columns: number;
  private readonly rows: Int32Array;
  private readonly firstReport: number;
  private readonly reports: number[][];
  private readonly lengths: Int32Array;
  /** A keyword can start this far before a split point and end after it. */
  private readonly overlap: number;
  /** The last walk's hits as (keyword id, start) pairs; reused, grown when a text has many. */
  hits = new Int32Array(1024);
  private count = 0;
  /**
   * The same walk in WebAssembly, for raw bytes: made on the first large buffer (the pre-commit
   * hook's few small files never need it), null where it can't run or isn't wanted.
   */
  private wasm: WasmWalk | null | undefined;

  constructor(data: KeywordIndexData, wasm: boolean) {
    this.column = data.column;
    this.rows = data.rows;
    this.columns = Math.max(...data.column) + 1;
    this.firstReport = data.firstReport;
    this.reports = data.reports;
    this.lengths = Int32Array.from(data.keywords, (k) => k.length);
    this.overlap = Math.max(0, ...data.keywords.map((k) => k.length - 1));
    if (!wasm) this.wasm = null;
  }

  /** Walks the bytes; returns how many hits `hits` holds. */
  bytes(b: Uint8Array): number {
    this.count = 0;
    const n = b.length;
    // Small buffers, and all of them without WebAssembly (node --jitless), are one chain here.
    const wasm = n < SPLIT_MIN ? null : this.wasm === undefined ? (this.wasm = WasmWalk.create(this.column, this.rows, this.firstReport)) : this.wasm;
    if (!wasm) {
      this.whole(b);
      return this.count;
    }
    // CHAINS chains of equal length: chain c from c x stride, reporting the keywords that start
    // before the next chain's start (the last one, all it sees); each runs on past that start by at
    // least the overlap, far enough to finish any keyword it started.
    const stride = Math.floor((n - this.overlap) / CHAINS);
    const length = n - (CHAINS - 1) * stride;
    wasm.run(b, stride, length, (row, end, chain) => this.report(row, end, chain === CHAINS - 1 ? n : (chain + 1) * stride));
    return this.count;
  }

  private whole(b: Uint8Array): void {
    const { rows, column, firstReport } = this;
    const n = b.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      s = rows[s + column[b[i]!]!]!;
      if (s >= firstReport) this.report(s, i, n);
    }
  }

  /** Walks the text; returns how many hits `hits` holds. */
  text(t: string): number {
    if (t.length >= SPLIT_MIN && this.wasm !== null) return this.textAsBytes(t);
    this.count = 0;
    const { rows, column, firstReport } = this;
    const n = t.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i);
      s = rows[s + (c > 255 ? 0 : column[c]!)]!;
      if (s >= firstReport) this.report(s, i, n);
    }
    return this.count;
  }

  /**
   * A long string walked as its 8-bit form (Buffer's latin1 keeps each character's low byte) by the
   * bytes walk. A character above 255 resets the string walk, but its low byte may be one a keyword
   * holds, so a hit that spans such a character is dropped: the hits are exactly the string walk's.
   */
  private textAsBytes(t: string): number {
    const count = this.bytes(Buffer.from(t, 'latin1'));
    const hits = this.hits;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const id = hits[2 * k]!;
      const start = hits[2 * k + 1]!;
      let exact = true;
      for (let i = start, end = start + this.lengths[id]!; i < end; i++) if (t.charCodeAt(i) > 255) exact = false;
      if (!exact) continue;
      hits[2 * kept] = id;
      hits[2 * kept + 1] = start;
      kept++;
    }
    this.count = kept;
    return kept;
  }

  private report(row: number, end: number, startsBefore: number): void {
    for (const id of this.reports[(row - this.firstReport) / this.columns]!) {
      const start = end - this.lengths[id]! + 1;
      if (start >= startsBefore) continue;
      if (2 * this.count + 2 > this.hits.length) {
        const grown = new Int32Array(this.hits.length * 2);
        grown.set(this.hits);
        this.hits = grown;
      }
      this.hits[2 * this.count] = id;
      this.hits[2 * this.count + 1] = start;
      this.count++;
    }
  }
}
