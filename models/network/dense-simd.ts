/**
 * A WebAssembly SIMD kernel for the dense layers of the frozen-network runtime, assembled
 * here from its instruction list (no .wasm file, no build tool): about 1.4 KB of bytecode.
 *
 * Where it runs: Node and browsers. Cloudflare Workers forbid compiling WebAssembly from
 * bytes at run time ("Wasm code generation disallowed by embedder"), so there
 * `denseSimdKernels()` returns null and the runtime uses its TypeScript loops, which give
 * bit-identical results: both compute, per output and per event,
 *
 *     s = b_j;  for i = 0 … I−1:  s = s + x_i · W_ij      (each · and + rounded, no FMA)
 *
 * in the same order and the same precision (float64, or float32 where asked for), and ReLU
 * as s > 0 ? s : 0.
 *
 * Layout (feature-major, so that a SIMD vector holds one feature of consecutive events):
 * activations are [features][S bytes], event e of feature i at byte i·S + e·w (w = 8 or 4);
 * the kernel is transposed, [outputs][inputs]; the bias is [outputs]. The kernel walks the
 * events in groups of 64 bytes (8 events in float64, 16 in float32) and the outputs in pairs,
 * keeping 8 vector accumulators (2 outputs × 4 vectors) in registers.
 *
 * Exports: `memory`, and `dense64`/`dense32`(src, dst, kernel, bias, I, O, S, E, relu), all
 * i32 (pointers are byte offsets, 16-byte aligned; E = bytes of events to compute, a
 * multiple of 64; relu ≠ 0 applies ReLU, otherwise the output is linear).
 */

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

const I32 = 0x7f;
const V128 = 0x7b;

// Instructions (WebAssembly core + fixed-width SIMD).
const localGet = (l: number) => [0x20, ...uleb(l)];
const localSet = (l: number) => [0x21, ...uleb(l)];
const localTee = (l: number) => [0x22, ...uleb(l)];
const i32Const = (v: number) => [0x41, ...sleb(v)];
const i32Add = [0x6a];
const i32Sub = [0x6b];
const i32Mul = [0x6c];
const i32LtU = [0x49];
const i32GeU = [0x4f];
const i32Shl = [0x74];
const simd = (op: number) => [0xfd, ...uleb(op)];
const v128Load = (offset: number) => [...simd(0x00), 4, ...uleb(offset)];
const v128Store = (offset: number) => [...simd(0x0b), 4, ...uleb(offset)];
const v128Zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const blockVoid = [0x02, 0x40];
const loopVoid = [0x03, 0x40];
const ifVoid = [0x04, 0x40];
const end = [0x0b];
const br = (depth: number) => [0x0c, ...uleb(depth)];
const brIf = (depth: number) => [0x0d, ...uleb(depth)];

interface LaneOps {
  /** log2 of the element size */
  shift: number;
  scalarLoad: number[];
  loadSplat: number[];
  splat: number[];
  add: number[];
  mul: number[];
  pmax: number[];
}

const F64: LaneOps = {
  shift: 3,
  scalarLoad: [0x2b, 3, 0], // f64.load align=8 offset=0
  loadSplat: [...simd(0x0a), 3, 0], // v128.load64_splat
  splat: simd(0x14), // f64x2.splat
  add: simd(0xf0),
  mul: simd(0xf2),
  pmax: simd(0xf7),
};

const F32: LaneOps = {
  shift: 2,
  scalarLoad: [0x2a, 2, 0], // f32.load align=4 offset=0
  loadSplat: [...simd(0x09), 2, 0], // v128.load32_splat
  splat: simd(0x13), // f32x4.splat
  add: simd(0xe4),
  mul: simd(0xe6),
  pmax: simd(0xeb),
};

/** The body (locals + code) of dense(src, dst, kernel, bias, I, O, S, E, relu). */
function denseBody(t: LaneOps): number[] {
  const [SRC, DST, KERNEL, BIAS, I, O, S, E, RELU] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  let next = 9;
  const J = next++; // output index (pairs)
  const EV = next++; // byte offset of the event group
  const II = next++; // inputs left
  const PX = next++; // activation pointer
  const PW = next++; // weight pointer (row j)
  const ROW1 = next++; // bytes from row j to row j+1 of the kernel (0 for a lone last output)
  const Q = next++; // scratch pointer
  const D1 = next++; // bytes from output row j to j+1 (0 for a lone last output)
  const HAS1 = next++; // j+1 < O
  const i32Count = next - 9;
  const ACC = next;
  next += 8;
  const W0 = next++;
  const W1 = next++;
  const X = next++;
  const B0 = next++;
  const B1 = next++;
  const v128Count = next - ACC;

  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) code.push(...p);
  };
  emit(i32Const(0), localSet(J));
  emit(blockVoid, loopVoid);
  {
    emit(localGet(J), localGet(O), i32GeU, brIf(1));
    emit(localGet(J), i32Const(1), i32Add, localGet(O), i32LtU, localSet(HAS1));
    emit(localGet(HAS1), localGet(I), i32Const(t.shift), i32Shl, i32Mul, localSet(ROW1));
    emit(localGet(HAS1), localGet(S), i32Mul, localSet(D1));
    emit(localGet(BIAS), localGet(J), i32Const(t.shift), i32Shl, i32Add, localTee(Q), t.scalarLoad, t.splat, localSet(B0));
    emit(localGet(Q), localGet(HAS1), i32Const(t.shift), i32Shl, i32Add, t.scalarLoad, t.splat, localSet(B1));
    emit(i32Const(0), localSet(EV));
    emit(loopVoid);
    {
      for (let k = 0; k < 4; k++) emit(localGet(B0), localSet(ACC + k));
      for (let k = 4; k < 8; k++) emit(localGet(B1), localSet(ACC + k));
      emit(localGet(SRC), localGet(EV), i32Add, localSet(PX));
      emit(localGet(KERNEL), localGet(J), localGet(I), i32Mul, i32Const(t.shift), i32Shl, i32Add, localSet(PW));
      emit(localGet(I), localSet(II));
      emit(loopVoid);
      {
        emit(localGet(PW), t.loadSplat, localSet(W0));
        emit(localGet(PW), localGet(ROW1), i32Add, t.loadSplat, localSet(W1));
        for (let k = 0; k < 4; k++) {
          emit(localGet(PX), v128Load(16 * k), localSet(X));
          emit(localGet(ACC + k), localGet(X), localGet(W0), t.mul, t.add, localSet(ACC + k));
          emit(localGet(ACC + 4 + k), localGet(X), localGet(W1), t.mul, t.add, localSet(ACC + 4 + k));
        }
        emit(localGet(PX), localGet(S), i32Add, localSet(PX));
        emit(localGet(PW), i32Const(1 << t.shift), i32Add, localSet(PW));
        emit(localGet(II), i32Const(1), i32Sub, localTee(II), brIf(0));
      }
      emit(end);
      // ReLU as pmax(0, s) = (0 < s) ? s : 0, i.e. s > 0 ? s : 0 (NaN and −0 give +0)
      emit(localGet(RELU), ifVoid);
      for (let k = 0; k < 8; k++) emit(v128Zero, localGet(ACC + k), t.pmax, localSet(ACC + k));
      emit(end);
      emit(localGet(DST), localGet(J), localGet(S), i32Mul, i32Add, localGet(EV), i32Add, localSet(Q));
      for (let k = 0; k < 4; k++) emit(localGet(Q), localGet(ACC + k), v128Store(16 * k));
      emit(localGet(Q), localGet(D1), i32Add, localSet(Q));
      for (let k = 0; k < 4; k++) emit(localGet(Q), localGet(ACC + 4 + k), v128Store(16 * k));
      emit(localGet(EV), i32Const(64), i32Add, localTee(EV), localGet(E), i32LtU, brIf(0));
    }
    emit(end);
    emit(localGet(J), i32Const(2), i32Add, localSet(J));
    emit(br(0));
  }
  emit(end, end);
  emit(end);
  return [...uleb(2), ...uleb(i32Count), I32, ...uleb(v128Count), V128, ...code];
}

/** The module's bytes: memory (exported, 1 page to start), dense64, dense32. */
export function denseKernelBytes(): Uint8Array<ArrayBuffer> {
  const functionType = [0x60, ...uleb(9), ...new Array<number>(9).fill(I32), 0];
  const bodies = [denseBody(F64), denseBody(F32)];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, ...functionType]),
    ...section(3, [2, 0, 0]),
    ...section(5, [1, 0x00, ...uleb(1)]),
    ...section(7, [3, ...name('memory'), 2, 0, ...name('dense64'), 0, 0, ...name('dense32'), 0, 1]),
    ...section(10, [2, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]),
  ];
  return new Uint8Array(bytes);
}

export type DenseKernel = (src: number, dst: number, kernel: number, bias: number, inputs: number, outputs: number, stride: number, eventBytes: number, relu: number) => void;

export interface DenseSimdKernels {
  memory: WebAssembly.Memory;
  dense64: DenseKernel;
  dense32: DenseKernel;
}

let compiled: DenseSimdKernels | null | undefined;

function instantiate(module: WebAssembly.Module): DenseSimdKernels {
  const e = new WebAssembly.Instance(module, {}).exports as unknown as DenseSimdKernels;
  return { memory: e.memory, dense64: e.dense64, dense32: e.dense32 };
}

/**
 * The compiled kernels, or null where WebAssembly SIMD is unavailable or compiling from
 * bytes is forbidden (Cloudflare Workers, unless `useDenseModule` gave them the module
 * precompiled). Compiled once, synchronously.
 */
export function denseSimdKernels(): DenseSimdKernels | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function') {
      const bytes = denseKernelBytes();
      if (WebAssembly.validate(bytes)) compiled = instantiate(new WebAssembly.Module(bytes));
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Uses a precompiled module of `denseKernelBytes()` (functions/dense-kernel.wasm, which the
 * Workers bundle imports: Workers instantiate precompiled modules but compile none from bytes).
 * Returns whether the kernels are now available; where the module cannot be instantiated the
 * TypeScript loops stay in use.
 */
export function useDenseModule(module: WebAssembly.Module): boolean {
  try {
    compiled = instantiate(module);
  } catch {
    compiled = null;
  }
  return compiled !== null;
}
