/**
 * The keyword walk's inner loop as WebAssembly: the same automaton and the same two chains as the
 * JavaScript walk in keywords.ts, about twice as fast over raw bytes (measured on the bench corpus),
 * because a WebAssembly load needs no bounds check and no tag, and the loop is a handful of
 * instructions a byte. The walk was a fifth of a folder scan's CPU time.
 *
 * The module is tiny (one function), so it is written here as bytes rather than built by a
 * toolchain; WebAssembly's binary format is the only thing borrowed. Where WebAssembly is missing
 * (node --jitless), the JavaScript walk runs instead, with the same results.
 *
 * Memory, in bytes (every table entry is an i32, offsets multiplied by 4 so no shift is needed):
 *   COLUMNS  256 entries: a byte's column x 4
 *   STATES   the two chains' states after a call (2 entries)
 *   BLOCK_A  the first chain's bytes for this call (BLOCK bytes)
 *   BLOCK_B  the second chain's bytes (BLOCK bytes)
 *   HITS     (state, index) pairs: at most one per chain per byte, so 2 x BLOCK pairs
 *   ROWS     the automaton: rows[state + column] = next state, states as row offsets x 4
 * The caller copies each block in (a copy runs at memory speed; the walk doesn't), so the memory
 * stays a few hundred KB whatever the size of the text.
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

/** Bytes walked per call and chain. */
export const BLOCK = 16 * 1024;

const COLUMNS = 0;
const STATES = 1024;
const BLOCK_A = 1040;
const BLOCK_B = BLOCK_A + BLOCK;
const HITS = BLOCK_B + BLOCK;
const ROWS = HITS + 2 * BLOCK * 8;

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
  private readonly walk: (length: number, s1: number, s2: number, firstReport: number) => number;
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
   * Walks `b` as two chains, the first over [0, n - mid), the second over [mid, n), each from the
   * root, and calls `report(row, end, chain)` for each state where a keyword ends: `row` in the
   * JavaScript walk's units (state x columns), `end` the index of the byte that ended it.
   */
  run(b: Uint8Array, mid: number, report: (row: number, end: number, second: boolean) => void): void {
    const length = b.length - mid;
    const { bytes, words } = this;
    let s1 = 0;
    let s2 = 0;
    for (let at = 0; at < length; at += BLOCK) {
      const len = Math.min(BLOCK, length - at);
      bytes.set(b.subarray(at, at + len), BLOCK_A);
      bytes.set(b.subarray(mid + at, mid + at + len), BLOCK_B);
      const count = this.walk(len, s1, s2, this.firstReport);
      s1 = words[STATES / 4]!;
      s2 = words[STATES / 4 + 1]!;
      for (let k = 0; k < count; k++) {
        const state = words[HITS / 4 + 2 * k]!;
        const index = words[HITS / 4 + 2 * k + 1]!;
        // The second chain's entries carry a 1 in the state's low bits (always 0: offsets x 4).
        const second = (state & 1) === 1;
        report(state >>> 2, (second ? mid : 0) + at + index, second);
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
 * walk(length, s1, s2, firstReport) → hits:
 *   for k in 0..length:
 *     s1 = ROWS[s1 + COLUMNS[BLOCK_A[k]]];  if s1 >= firstReport: HITS += (s1, k)
 *     s2 = ROWS[s2 + COLUMNS[BLOCK_B[k]]];  if s2 >= firstReport: HITS += (s2 | 1, k)
 *   STATES = (s1, s2)
 */
export function walkModuleBytes(): Uint8Array {
  const [LENGTH, S1, S2, FIRST_REPORT, K, HIT] = [0, 1, 2, 3, 4, 5];
  const get = (l: number) => [OP.localGet, l];
  const set = (l: number) => [OP.localSet, l];
  const int = (n: number) => [OP.const, ...sleb(n)];
  const step = (state: number, block: number, tag: number) => [
    ...get(state),
    ...get(K), OP.load8u, ...memarg(0, block), ...int(2), OP.shl, OP.load, ...memarg(2, COLUMNS),
    OP.add, OP.load, ...memarg(2, ROWS), ...set(state),
    ...get(state), ...get(FIRST_REPORT), OP.geU, OP.if, VOID_BLOCK,
    ...get(HIT), ...get(state), ...(tag ? [...int(tag), OP.or] : []), OP.store, ...memarg(2, HITS),
    ...get(HIT), ...get(K), OP.store, ...memarg(2, HITS + 4),
    ...get(HIT), ...int(8), OP.add, ...set(HIT),
    OP.end,
  ];
  const body = [
    ...vector([[2, I32]]), // locals K and HIT
    OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK,
    ...get(K), ...get(LENGTH), OP.geU, OP.brIf, 1,
    ...step(S1, BLOCK_A, 0),
    ...step(S2, BLOCK_B, 1),
    ...get(K), ...int(1), OP.add, ...set(K),
    OP.br, 0,
    OP.end, OP.end,
    ...int(STATES), ...get(S1), OP.store, ...memarg(2, 0),
    ...int(STATES), ...get(S2), OP.store, ...memarg(2, 4),
    ...get(HIT), ...int(3), OP.shrU,
    OP.end,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([[I32]])]])), // type: (i32 x4) -> i32
    ...section(2, vector([[...name('m'), ...name('memory'), 0x02, 0x00, 0x01]])), // import m.memory, at least 1 page
    ...section(3, vector([[0]])), // one function, of type 0
    ...section(7, vector([[...name('walk'), 0x00, 0]])), // export it as "walk"
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}
