/**
 * The keyword walk's inner loop as WebAssembly: the same automaton as the JavaScript walk in
 * keywords.ts, walked as four chains at once instead of two, about three times as fast over raw
 * bytes (measured on the bench corpus). A walk is a chain of dependent loads, so its speed is the
 * latency of one step; WebAssembly's loads need no bounds check or tag, which shortens the step,
 * and four independent chains keep the core busy while each waits. The walk was a fifth of a
 * folder scan's CPU time.
 *
 * The module is tiny (one function), so it is written here as bytes rather than built by a
 * toolchain; WebAssembly's binary format is the only thing borrowed. Where WebAssembly is missing
 * (node --jitless), the JavaScript walk runs instead, with the same results.
 *
 * Memory, in bytes (every table entry is an i32, offsets multiplied by 4 so no shift is needed):
 *   COLUMNS  256 entries: a byte's column x 4
 *   STATES   each chain's state, kept between calls (CHAINS entries)
 *   BLOCKS   each chain's bytes for this call (CHAINS x BLOCK bytes)
 *   HITS     (state | chain, index) pairs: at most one per chain per byte, so CHAINS x BLOCK pairs
 *   ROWS     the automaton: rows[state + column] = next state, states as row offsets x 4
 * The caller copies each block in (a copy runs at memory speed; the walk doesn't), so the memory
 * stays about a megabyte whatever the size of the text.
 */

/**
 * The part of WebAssembly's JavaScript API used here: Node has it all, but neither TypeScript's ES
 * libraries nor @types/node 20 declare it.
 */
interface WasmModule {
  readonly kind: 'module';
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
};

/** Independent chains walked in one loop; a state's two low bits (always 0: offsets x 4) say whose hit it is. */
export const CHAINS = 4;
/** Bytes walked per call and chain. */
export const BLOCK = 32 * 1024;

const COLUMNS = 0;
const STATES = 1024;
const BLOCKS = STATES + 4 * CHAINS;
const HITS = BLOCKS + CHAINS * BLOCK;
const ROWS = HITS + CHAINS * BLOCK * 8;

/** The compiled module, once per thread; null where WebAssembly can't run. */
let compiled: WasmModule | null | undefined;

function module(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(walkModuleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled ?? null;
}

/** The automaton loaded into its own WebAssembly memory, walked a block at a time. */
export class WasmWalk {
  private readonly bytes: Uint8Array;
  private readonly words: Int32Array;
  private readonly walk: (length: number, firstReport: number) => number;
  private readonly firstReport: number;

  /** null when WebAssembly isn't available here. */
  static create(column: Uint8Array, rows: Int32Array, firstReport: number): WasmWalk | null {
    const mod = module();
    if (!mod) return null;
    try {
      return new WasmWalk(mod, column, rows, firstReport * 4);
    } catch {
      return null;
    }
  }

  private constructor(mod: WasmModule, column: Uint8Array, rows: Int32Array, firstReport: number) {
    const memory = new WebAssembly.Memory({ initial: Math.ceil((ROWS + rows.length * 4) / 65536) });
    const instance = new WebAssembly.Instance(mod, { m: { memory } });
    this.walk = instance.exports.walk as WasmWalk['walk'];
    this.bytes = new Uint8Array(memory.buffer);
    this.words = new Int32Array(memory.buffer);
    this.firstReport = firstReport;
    for (let c = 0; c < 256; c++) this.words[COLUMNS / 4 + c] = column[c]! * 4;
    for (let r = 0; r < rows.length; r++) this.words[ROWS / 4 + r] = rows[r]! * 4;
  }

  /**
   * Walks `b` as CHAINS chains of equal length, chain c from the root at c x `stride` to c x
   * `stride` + `length`, and calls `report(row, end, chain)` for each state where a keyword ends:
   * `row` in the JavaScript walk's units (state x columns), `end` the index of the byte that ended
   * it. The caller picks stride and length so the chains cover `b` and overlap where a keyword
   * can straddle two.
   */
  run(b: Uint8Array, stride: number, length: number, report: (row: number, end: number, chain: number) => void): void {
    const { bytes, words } = this;
    words.fill(0, STATES / 4, STATES / 4 + CHAINS); // every chain starts at the root
    for (let at = 0; at < length; at += BLOCK) {
      const len = Math.min(BLOCK, length - at);
      for (let c = 0; c < CHAINS; c++) {
        const from = c * stride + at;
        bytes.set(b.subarray(from, from + len), BLOCKS + c * BLOCK);
      }
      const count = this.walk(len, this.firstReport);
      for (let k = 0; k < count; k++) {
        const state = words[HITS / 4 + 2 * k]!;
        const chain = state & 3;
        report(state >>> 2, chain * stride + at + words[HITS / 4 + 2 * k + 1]!, chain);
      }
    }
  }
}

// --- The module's bytes -------------------------------------------------------------------------

/** Unsigned LEB128, as the binary format writes sizes, indices and offsets. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, for i32.const. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vector([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const VOID_BLOCK = 0x40;
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21,
  load: 0x28, load8u: 0x2d, store: 0x36,
  const: 0x41, geU: 0x4f, add: 0x6a, or: 0x72, shl: 0x74, shrU: 0x76,
} as const;
/** A memory access's immediate: alignment (log2 bytes) and a constant offset. */
const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];

/**
 * walk(length, firstReport) → hits:
 *   s[c] = STATES[c] for each chain c
 *   for k in 0..length, for each chain c:
 *     s[c] = ROWS[s[c] + COLUMNS[BLOCKS[c][k]]];  if s[c] >= firstReport: HITS += (s[c] | c, k)
 *   STATES[c] = s[c]
 */
export function walkModuleBytes(): Uint8Array {
  const [LENGTH, FIRST_REPORT] = [0, 1];
  const state = (c: number) => 2 + c;
  const [K, HIT] = [2 + CHAINS, 3 + CHAINS];
  const get = (l: number) => [OP.localGet, l];
  const set = (l: number) => [OP.localSet, l];
  const int = (n: number) => [OP.const, ...sleb(n)];
  const chains = Array.from({ length: CHAINS }, (_, c) => c);
  const step = (c: number) => [
    ...get(state(c)),
    ...get(K), OP.load8u, ...memarg(0, BLOCKS + c * BLOCK), ...int(2), OP.shl, OP.load, ...memarg(2, COLUMNS),
    OP.add, OP.load, ...memarg(2, ROWS), ...set(state(c)),
    ...get(state(c)), ...get(FIRST_REPORT), OP.geU, OP.if, VOID_BLOCK,
    ...get(HIT), ...get(state(c)), ...(c ? [...int(c), OP.or] : []), OP.store, ...memarg(2, HITS),
    ...get(HIT), ...get(K), OP.store, ...memarg(2, HITS + 4),
    ...get(HIT), ...int(8), OP.add, ...set(HIT),
    OP.end,
  ];
  const body = [
    ...vector([[CHAINS + 2, I32]]), // locals: the chains' states, K and HIT
    ...chains.flatMap((c) => [...int(0), OP.load, ...memarg(2, STATES + 4 * c), ...set(state(c))]),
    OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK,
    ...get(K), ...get(LENGTH), OP.geU, OP.brIf, 1,
    ...chains.flatMap(step),
    ...get(K), ...int(1), OP.add, ...set(K),
    OP.br, 0,
    OP.end, OP.end,
    ...chains.flatMap((c) => [...int(0), ...get(state(c)), OP.store, ...memarg(2, STATES + 4 * c)]),
    ...get(HIT), ...int(3), OP.shrU,
    OP.end,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, vector([[0x60, ...vector([[I32], [I32]]), ...vector([[I32]])]])), // type: (i32, i32) -> i32
    ...section(2, vector([[...name('m'), ...name('memory'), 0x02, 0x00, 0x01]])), // import m.memory, at least 1 page
    ...section(3, vector([[0]])), // one function, of type 0
    ...section(7, vector([[...name('walk'), 0x00, 0]])), // export it as "walk"
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}
