/**
 * The frozen-network runtime: evaluates the networks the TensorFlow.js training scripts
 * freeze (format: `frozen-network-schema.ts`) without tfjs, in Node and in Cloudflare
 * Workers alike (no platform APIs).
 *
 * Precision. By default ('float64') inputs, weights and biases are the published float32
 * values and every product, sum and activation is computed in float64; results are rounded
 * only where the caller asks for Float32Array output. This differs from tfjs's float32
 * accumulation by float32 rounding, ~1e-7 relative on typical values, inside the 1e-5 parity
 * target (an output that cancels to near zero differs by more in relative terms, on either
 * side, since tfjs's own float32 result carries that error). `precision: 'float32'` instead
 * rounds every product, sum and stored activation to float32, like tfjs: about twice as
 * fast with the SIMD kernel, and closer to tfjs's rounding (not bit-equal to it: tfjs sums
 * in another order).
 *
 * Backends. The dense layers run in a WebAssembly SIMD kernel (`dense-simd.ts`) where the
 * platform allows compiling it, and in plain TypeScript loops otherwise (Cloudflare Workers
 * forbid compiling WebAssembly from bytes). Both sum in the same order at the same precision,
 * so they give bit-identical results; everything else (input scaling, activations other than
 * ReLU, the head) is one shared TypeScript code path. `networkBackend()` says which runs.
 *
 * Batching. Events go through the network in blocks of BLOCK, feature-major inside a block
 * (feature i of event e at i·BLOCK + e), in two ping-pong buffers of BLOCK × (widest layer)
 * values that all calls share: nothing is allocated per event or per block. The dense loop
 * runs over the transposed kernel, per output a dot product over the inputs, with a tile of
 * accumulators in registers (2 outputs × 4 events in TypeScript, 2 outputs × 8 or 16 events
 * in SIMD) so that each weight and activation loaded serves several multiply-adds.
 *
 * The prepared form of a network (transposed kernels, and their copy in WebAssembly memory)
 * is cached by object identity: treat a network as immutable once it has been evaluated.
 */
import { sumOfSquaresCoefficients, sumOfSquaresLayout, type SumOfSquaresLayout } from '../basis/sum-of-squares.js';
import { denseSimdKernels, type DenseSimdKernels } from './dense-simd.js';
import { headShape, type Activation, type FrozenNetwork } from './frozen-network-schema.js';

import erfc from '@stdlib/math-base-special-erfc';

export * from './frozen-network-schema.js';

/** Events per block (a multiple of 16, the float32 SIMD group). */
const BLOCK = 128;

export type NetworkPrecision = 'float64' | 'float32';
export type NetworkBackend = 'wasm-simd' | 'typescript';

export interface EvaluateOptions {
  /** arithmetic precision (default 'float64'; see the module comment) */
  precision?: NetworkPrecision;
}

const enum Act {
  Linear,
  Relu,
  LeakyRelu,
  Elu,
  Selu,
  Tanh,
  Sigmoid,
  Softplus,
  Swish,
  Gelu,
  GeluTanh,
}

const ACT_CODE: Record<Activation, Act> = {
  linear: Act.Linear,
  relu: Act.Relu,
  'leaky-relu': Act.LeakyRelu,
  elu: Act.Elu,
  selu: Act.Selu,
  tanh: Act.Tanh,
  sigmoid: Act.Sigmoid,
  softplus: Act.Softplus,
  swish: Act.Swish,
  gelu: Act.Gelu,
  gelu_new: Act.GeluTanh,
};

const enum Head {
  Identity,
  Sigmoid,
  Softmax,
  SumOfSquares,
}

interface PreparedLayer {
  inputs: number;
  outputs: number;
  /** kernel transposed to [outputs, inputs]: kernelT[j·I + i] = kernel[i·O + j] */
  kernelT32: Float32Array;
  kernelT64: Float64Array;
  bias32: Float32Array;
  bias64: Float64Array;
  act: Act;
  alpha: number;
  /** byte offsets of this layer's copy in WebAssembly memory, valid while epoch matches */
  wasmEpoch64: number;
  wasmKernel64: number;
  wasmBias64: number;
  wasmEpoch32: number;
  wasmKernel32: number;
  wasmBias32: number;
}

interface PreparedNetwork {
  inputs: number;
  /** raw outputs of the last layer */
  raw: number;
  /** head outputs */
  outputs: number;
  maxWidth: number;
  members: PreparedLayer[][];
  inMean: Float64Array;
  inStd: Float64Array;
  outMean: Float64Array | null;
  outStd: Float64Array | null;
  head: Head;
  layout: SumOfSquaresLayout | null;
}

const preparedCache = new WeakMap<FrozenNetwork, PreparedNetwork>();

function prepare(net: FrozenNetwork): PreparedNetwork {
  const hit = preparedCache.get(net);
  if (hit) return hit;
  const shape = headShape(net.head, net.outputs);
  if (shape.outputs !== net.outputs) throw new RangeError(`network head gives ${shape.outputs} outputs, the network declares ${net.outputs}`);
  if (net.inputScaling.mean.length !== net.inputs || net.inputScaling.std.length !== net.inputs) throw new RangeError(`input scaling needs ${net.inputs} values`);
  if (net.outputScaling && (net.outputScaling.mean.length !== shape.raw || net.outputScaling.std.length !== shape.raw)) throw new RangeError(`output scaling needs ${shape.raw} values`);
  let maxWidth = Math.max(net.inputs, shape.raw);
  const members = net.members.map((member, m) => {
    let width = net.inputs;
    const layers = member.layers.map((layer, l): PreparedLayer => {
      const I = layer.inputs;
      const O = layer.outputs;
      if (I !== width || layer.kernel.length !== I * O || layer.bias.length !== O) throw new RangeError(`member ${m} layer ${l}: shapes do not chain (validate with FrozenNetworkSchema)`);
      width = O;
      if (O > maxWidth) maxWidth = O;
      const kernelT32 = new Float32Array(I * O);
      for (let i = 0; i < I; i++) for (let j = 0; j < O; j++) kernelT32[j * I + i] = layer.kernel[i * O + j];
      const act = ACT_CODE[layer.activation];
      if (act === undefined) throw new RangeError(`member ${m} layer ${l}: unknown activation ${String(layer.activation)}`);
      return {
        inputs: I,
        outputs: O,
        kernelT32,
        kernelT64: Float64Array.from(kernelT32),
        bias32: Float32Array.from(layer.bias),
        bias64: Float64Array.from(layer.bias),
        act,
        alpha: layer.alpha ?? 0.2,
        wasmEpoch64: -1,
        wasmKernel64: 0,
        wasmBias64: 0,
        wasmEpoch32: -1,
        wasmKernel32: 0,
        wasmBias32: 0,
      };
    });
    if (width !== shape.raw) throw new RangeError(`member ${m}: the last layer gives ${width} outputs, the head needs ${shape.raw}`);
    return layers;
  });
  const head =
    net.head.kind === 'identity' ? Head.Identity : net.head.kind === 'sigmoid' ? Head.Sigmoid : net.head.kind === 'softmax' ? Head.Softmax : Head.SumOfSquares;
  const prepared: PreparedNetwork = {
    inputs: net.inputs,
    raw: shape.raw,
    outputs: shape.outputs,
    maxWidth,
    members,
    inMean: Float64Array.from(net.inputScaling.mean),
    inStd: Float64Array.from(net.inputScaling.std),
    outMean: net.outputScaling ? Float64Array.from(net.outputScaling.mean) : null,
    outStd: net.outputScaling ? Float64Array.from(net.outputScaling.std) : null,
    head,
    layout: net.head.kind === 'sum-of-squares' ? sumOfSquaresLayout(net.head.parameters, net.head.degree, net.head.fixReference) : null,
  };
  preparedCache.set(net, prepared);
  return prepared;
}

// ---------------------------------------------------------------------------------------
// Backends and scratch. JS runs one evaluation at a time per isolate and nothing here
// awaits, so module-level scratch is safe.

let preference: 'auto' | NetworkBackend = 'auto';

/**
 * Chooses the backend: 'auto' (the default: SIMD where it compiles), 'typescript', or
 * 'wasm-simd' (throws where it is unavailable). Returns the backend now in use.
 */
export function setNetworkBackend(backend: 'auto' | NetworkBackend): NetworkBackend {
  if (backend === 'wasm-simd' && !denseSimdKernels()) throw new Error('WebAssembly SIMD is not available here (or compiling WebAssembly at run time is forbidden, as in Cloudflare Workers)');
  preference = backend;
  return networkBackend();
}

/** The backend evaluations use now. */
export function networkBackend(): NetworkBackend {
  return preference !== 'typescript' && denseSimdKernels() ? 'wasm-simd' : 'typescript';
}

interface WasmState {
  kernels: DenseSimdKernels;
  /** widest layer the scratch buffers hold */
  width: number;
  /** byte offsets of the two scratch buffers (each BLOCK × width × 8 bytes) */
  bufferA: number;
  bufferB: number;
  /** first byte after the scratch buffers, and the allocation pointer for weights */
  weightsStart: number;
  top: number;
  epoch: number;
  f64: Float64Array;
  f32: Float32Array;
}

/** Weights resident in WebAssembly memory are dropped (all at once) past this many bytes. */
const WASM_WEIGHT_BYTES = 64 * 1024 * 1024;
let wasmState: WasmState | null = null;

const align16 = (bytes: number) => (bytes + 15) & ~15;

function refreshViews(s: WasmState): void {
  if (s.f64.buffer !== s.kernels.memory.buffer) {
    s.f64 = new Float64Array(s.kernels.memory.buffer);
    s.f32 = new Float32Array(s.kernels.memory.buffer);
  }
}

function growTo(s: WasmState, bytes: number): void {
  const have = s.kernels.memory.buffer.byteLength;
  if (bytes > have) s.kernels.memory.grow(Math.ceil((bytes - have) / 65536));
  refreshViews(s);
}

/** Makes room for scratch of the given width and copies the member's layers in if needed. */
function wasmPrepare(kernels: DenseSimdKernels, width: number, layers: PreparedLayer[], precision: NetworkPrecision): WasmState {
  let s = wasmState;
  if (!s || s.width < width) {
    const w = Math.max(64, width, s ? s.width : 0);
    const bufferBytes = BLOCK * w * 8;
    s = {
      kernels,
      width: w,
      bufferA: 0,
      bufferB: bufferBytes,
      weightsStart: 2 * bufferBytes,
      top: 2 * bufferBytes,
      epoch: (s ? s.epoch : 0) + 1,
      f64: new Float64Array(kernels.memory.buffer),
      f32: new Float32Array(kernels.memory.buffer),
    };
    wasmState = s;
    growTo(s, s.top);
  }
  const f64 = precision === 'float64';
  const elementBytes = f64 ? 8 : 4;
  const missing = (l: PreparedLayer) => (f64 ? l.wasmEpoch64 : l.wasmEpoch32) !== s.epoch;
  let needed = 0;
  for (const l of layers) if (missing(l)) needed += align16(l.inputs * l.outputs * elementBytes) + align16(l.outputs * elementBytes);
  if (needed === 0) {
    refreshViews(s);
    return s;
  }
  if (s.top + needed - s.weightsStart > WASM_WEIGHT_BYTES) {
    s.epoch++;
    s.top = s.weightsStart;
    needed = 0;
    for (const l of layers) needed += align16(l.inputs * l.outputs * elementBytes) + align16(l.outputs * elementBytes);
  }
  growTo(s, s.top + needed);
  for (const l of layers) {
    if (!missing(l)) continue;
    const kernelAt = s.top;
    const biasAt = kernelAt + align16(l.inputs * l.outputs * elementBytes);
    s.top = biasAt + align16(l.outputs * elementBytes);
    if (f64) {
      s.f64.set(l.kernelT64, kernelAt / 8);
      s.f64.set(l.bias64, biasAt / 8);
      l.wasmKernel64 = kernelAt;
      l.wasmBias64 = biasAt;
      l.wasmEpoch64 = s.epoch;
    } else {
      s.f32.set(l.kernelT32, kernelAt / 4);
      s.f32.set(l.bias32, biasAt / 4);
      l.wasmKernel32 = kernelAt;
      l.wasmBias32 = biasAt;
      l.wasmEpoch32 = s.epoch;
    }
  }
  return s;
}

let js64A = new Float64Array(0);
let js64B = new Float64Array(0);
let js32A = new Float32Array(0);
let js32B = new Float32Array(0);
/** one event's raw outputs (event-major) and its head outputs, for softmax and sum-of-squares */
let eventRaw = new Float64Array(0);
let eventHead = new Float64Array(0);

// ---------------------------------------------------------------------------------------
// Dense layers in TypeScript, feature-major: src[so + i·BLOCK + e] → dst[do + j·BLOCK + e].
// Same summation order as the SIMD kernel: s = b_j, then s += x_i·W_ij for i = 0 … I−1.

function denseTs64(src: Float64Array, so: number, dst: Float64Array, d0: number, nb: number, layer: PreparedLayer): void {
  const { inputs: I, outputs: O, kernelT64: K, bias64: bias } = layer;
  const relu = layer.act === Act.Relu;
  let j = 0;
  // two outputs × four events per tile: 6 loads per 8 multiply-adds
  for (; j + 2 <= O; j += 2) {
    const b0 = bias[j];
    const b1 = bias[j + 1];
    const k0 = j * I;
    const k1 = k0 + I;
    const d = d0 + j * BLOCK;
    let e = 0;
    for (; e + 4 <= nb; e += 4) {
      let s0 = b0, s1 = b0, s2 = b0, s3 = b0;
      let t0 = b1, t1 = b1, t2 = b1, t3 = b1;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) {
        const w = K[k0 + i];
        const v = K[k1 + i];
        const x0 = src[p], x1 = src[p + 1], x2 = src[p + 2], x3 = src[p + 3];
        s0 += x0 * w; s1 += x1 * w; s2 += x2 * w; s3 += x3 * w;
        t0 += x0 * v; t1 += x1 * v; t2 += x2 * v; t3 += x3 * v;
      }
      if (relu) {
        s0 = s0 > 0 ? s0 : 0; s1 = s1 > 0 ? s1 : 0; s2 = s2 > 0 ? s2 : 0; s3 = s3 > 0 ? s3 : 0;
        t0 = t0 > 0 ? t0 : 0; t1 = t1 > 0 ? t1 : 0; t2 = t2 > 0 ? t2 : 0; t3 = t3 > 0 ? t3 : 0;
      }
      dst[d + e] = s0; dst[d + e + 1] = s1; dst[d + e + 2] = s2; dst[d + e + 3] = s3;
      dst[d + BLOCK + e] = t0; dst[d + BLOCK + e + 1] = t1; dst[d + BLOCK + e + 2] = t2; dst[d + BLOCK + e + 3] = t3;
    }
    for (; e < nb; e++) {
      let s = b0;
      let t = b1;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) {
        s += src[p] * K[k0 + i];
        t += src[p] * K[k1 + i];
      }
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
      dst[d + BLOCK + e] = relu ? (t > 0 ? t : 0) : t;
    }
  }
  for (; j < O; j++) {
    const bj = bias[j];
    const k = j * I;
    const d = d0 + j * BLOCK;
    for (let e = 0; e < nb; e++) {
      let s = bj;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) s += src[p] * K[k + i];
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
    }
  }
}

const f32 = Math.fround;

/** float32 arithmetic: every product and sum rounded to float32 (exactly as f32x4 does). */
function denseTs32(src: Float32Array, so: number, dst: Float32Array, d0: number, nb: number, layer: PreparedLayer): void {
  const { inputs: I, outputs: O, kernelT32: K, bias32: bias } = layer;
  const relu = layer.act === Act.Relu;
  let j = 0;
  for (; j + 2 <= O; j += 2) {
    const b0 = bias[j];
    const b1 = bias[j + 1];
    const k0 = j * I;
    const k1 = k0 + I;
    const d = d0 + j * BLOCK;
    let e = 0;
    for (; e + 4 <= nb; e += 4) {
      let s0 = b0, s1 = b0, s2 = b0, s3 = b0;
      let t0 = b1, t1 = b1, t2 = b1, t3 = b1;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) {
        const w = K[k0 + i];
        const v = K[k1 + i];
        const x0 = src[p], x1 = src[p + 1], x2 = src[p + 2], x3 = src[p + 3];
        s0 = f32(s0 + f32(x0 * w)); s1 = f32(s1 + f32(x1 * w)); s2 = f32(s2 + f32(x2 * w)); s3 = f32(s3 + f32(x3 * w));
        t0 = f32(t0 + f32(x0 * v)); t1 = f32(t1 + f32(x1 * v)); t2 = f32(t2 + f32(x2 * v)); t3 = f32(t3 + f32(x3 * v));
      }
      if (relu) {
        s0 = s0 > 0 ? s0 : 0; s1 = s1 > 0 ? s1 : 0; s2 = s2 > 0 ? s2 : 0; s3 = s3 > 0 ? s3 : 0;
        t0 = t0 > 0 ? t0 : 0; t1 = t1 > 0 ? t1 : 0; t2 = t2 > 0 ? t2 : 0; t3 = t3 > 0 ? t3 : 0;
      }
      dst[d + e] = s0; dst[d + e + 1] = s1; dst[d + e + 2] = s2; dst[d + e + 3] = s3;
      dst[d + BLOCK + e] = t0; dst[d + BLOCK + e + 1] = t1; dst[d + BLOCK + e + 2] = t2; dst[d + BLOCK + e + 3] = t3;
    }
    for (; e < nb; e++) {
      let s = b0;
      let t = b1;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) {
        s = f32(s + f32(src[p] * K[k0 + i]));
        t = f32(t + f32(src[p] * K[k1 + i]));
      }
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
      dst[d + BLOCK + e] = relu ? (t > 0 ? t : 0) : t;
    }
  }
  for (; j < O; j++) {
    const bj = bias[j];
    const k = j * I;
    const d = d0 + j * BLOCK;
    for (let e = 0; e < nb; e++) {
      let s = bj;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) s = f32(s + f32(src[p] * K[k + i]));
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Activations (tfjs's definitions), computed in float64.

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** 1/(1 + e^−x), without overflow for either sign. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const z = Math.exp(x);
  return z / (1 + z);
}

/** ln(1 + e^x), stable for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** x·Φ(x) = x·erfc(−x/√2)/2, tfjs-layers' 'gelu' (the erf form), accurate for negative x too. */
export function gelu(x: number): number {
  return 0.5 * x * erfc(-x * SQRT_HALF);
}

/** 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), tfjs-layers' 'gelu_new'. */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** Activation `act` applied in place to a[from … to). */
function activate(a: Float64Array | Float32Array, from: number, to: number, act: Act, alpha: number): void {
  switch (act) {
    case Act.Linear:
      return;
    case Act.Relu:
      for (let k = from; k < to; k++) a[k] = a[k] > 0 ? a[k] : 0;
      return;
    case Act.LeakyRelu:
      for (let k = from; k < to; k++) {
        const x = a[k];
        a[k] = x < 0 ? alpha * x : x;
      }
      return;
    case Act.Elu:
      for (let k = from; k < to; k++) {
        const x = a[k];
        a[k] = x >= 0 ? x : Math.expm1(x);
      }
      return;
    case Act.Selu:
      for (let k = from; k < to; k++) {
        const x = a[k];
        a[k] = x >= 0 ? SELU_SCALE * x : SELU_SCALE_ALPHA * Math.expm1(x);
      }
      return;
    case Act.Tanh:
      for (let k = from; k < to; k++) a[k] = Math.tanh(a[k]);
      return;
    case Act.Sigmoid:
      for (let k = from; k < to; k++) a[k] = sigmoid(a[k]);
      return;
    case Act.Softplus:
      for (let k = from; k < to; k++) a[k] = softplus(a[k]);
      return;
    case Act.Swish:
      for (let k = from; k < to; k++) a[k] = a[k] * sigmoid(a[k]);
      return;
    case Act.Gelu:
      for (let k = from; k < to; k++) a[k] = gelu(a[k]);
      return;
    case Act.GeluTanh:
      for (let k = from; k < to; k++) a[k] = geluTanh(a[k]);
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Evaluation.

/**
 * Evaluates ensemble member `memberIndex` on n events x (n × inputs, row-major, the
 * observables in the published order and units) and writes the n × outputs head outputs to
 * `out` (allocated as Float64Array when not given): for a sum-of-squares head, each event's
 * polynomial coefficients c on the monomial basis.
 */
export function evaluateNetwork<T extends Float32Array | Float64Array = Float64Array>(
  net: FrozenNetwork,
  memberIndex: number,
  x: Float32Array | Float64Array,
  n: number,
  out?: T,
  options: EvaluateOptions = {},
): T {
  const p = prepare(net);
  if (!Number.isInteger(memberIndex) || memberIndex < 0 || memberIndex >= p.members.length) throw new RangeError(`member index ${memberIndex} out of range [0, ${p.members.length})`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`event count must be a non-negative integer, got ${n}`);
  const precision = options.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') throw new RangeError(`precision must be 'float64' or 'float32', got ${String(precision)}`);
  const D = p.inputs;
  const H = p.outputs;
  if (x.length < n * D) throw new RangeError(`expected ${n} × ${D} inputs, got ${x.length} values`);
  const result = (out ?? new Float64Array(n * H)) as T;
  if (result.length < n * H) throw new RangeError(`output needs ${n} × ${H} values, has ${result.length}`);
  if (eventRaw.length < p.raw) eventRaw = new Float64Array(p.raw);
  if (eventHead.length < H) eventHead = new Float64Array(H);
  const layers = p.members[memberIndex];
  const f64 = precision === 'float64';
  const kernels = networkBackend() === 'wasm-simd' ? denseSimdKernels() : null;

  let viewA: Float64Array | Float32Array;
  let viewB: Float64Array | Float32Array;
  let offA: number;
  let offB: number;
  let wasm: WasmState | null = null;
  if (kernels) {
    wasm = wasmPrepare(kernels, p.maxWidth, layers, precision);
    viewA = viewB = f64 ? wasm.f64 : wasm.f32;
    offA = f64 ? wasm.bufferA / 8 : wasm.bufferA / 4;
    offB = f64 ? wasm.bufferB / 8 : wasm.bufferB / 4;
  } else {
    const size = BLOCK * p.maxWidth;
    if (f64 && js64A.length < size) {
      js64A = new Float64Array(size);
      js64B = new Float64Array(size);
    }
    if (!f64 && js32A.length < size) {
      js32A = new Float32Array(size);
      js32B = new Float32Array(size);
    }
    viewA = f64 ? js64A : js32A;
    viewB = f64 ? js64B : js32B;
    offA = offB = 0;
  }
  const shift = f64 ? 3 : 2;
  const group = 64 >> shift; // events per SIMD group

  for (let start = 0; start < n; start += BLOCK) {
    const nb = Math.min(BLOCK, n - start);
    loadInputs(p, x, start, nb, viewA, offA, nb < BLOCK ? Math.min(BLOCK, Math.ceil(nb / group) * group) : nb);
    let sv = viewA;
    let so = offA;
    let dv = viewB;
    let dO = offB;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l];
      if (wasm) {
        const eventBytes = Math.ceil(nb / group) * 64;
        if (f64) wasm.kernels.dense64(so << 3, dO << 3, layer.wasmKernel64, layer.wasmBias64, layer.inputs, layer.outputs, BLOCK << 3, eventBytes, layer.act === Act.Relu ? 1 : 0);
        else wasm.kernels.dense32(so << 2, dO << 2, layer.wasmKernel32, layer.wasmBias32, layer.inputs, layer.outputs, BLOCK << 2, eventBytes, layer.act === Act.Relu ? 1 : 0);
      } else if (f64) denseTs64(sv as Float64Array, so, dv as Float64Array, dO, nb, layer);
      else denseTs32(sv as Float32Array, so, dv as Float32Array, dO, nb, layer);
      if (layer.act !== Act.Linear && layer.act !== Act.Relu) {
        for (let j = 0; j < layer.outputs; j++) activate(dv, dO + j * BLOCK, dO + j * BLOCK + nb, layer.act, layer.alpha);
      }
      const tv = sv;
      sv = dv;
      dv = tv;
      const to = so;
      so = dO;
      dO = to;
    }
    writeHead(p, sv, so, nb, result, start * H);
  }
  return result;
}

/** (x − mean)/std into the feature-major block; lanes nb … padded are zeroed. */
function loadInputs(p: PreparedNetwork, x: Float32Array | Float64Array, start: number, nb: number, view: Float64Array | Float32Array, off: number, padded: number): void {
  const D = p.inputs;
  const { inMean, inStd } = p;
  for (let i = 0; i < D; i++) {
    const mean = inMean[i];
    const std = inStd[i];
    const row = off + i * BLOCK;
    let q = start * D + i;
    for (let e = 0; e < nb; e++, q += D) view[row + e] = (x[q] - mean) / std;
    for (let e = nb; e < padded; e++) view[row + e] = 0;
  }
}

function writeHead(p: PreparedNetwork, raw: Float64Array | Float32Array, off: number, nb: number, out: Float32Array | Float64Array, offset: number): void {
  const R = p.raw;
  const H = p.outputs;
  const { outMean, outStd } = p;
  switch (p.head) {
    case Head.Identity:
    case Head.Sigmoid: {
      const sig = p.head === Head.Sigmoid;
      for (let j = 0; j < R; j++) {
        const row = off + j * BLOCK;
        const a = outStd ? outStd[j] : 1;
        const b = outMean ? outMean[j] : 0;
        let q = offset + j;
        if (!outStd && !sig) for (let e = 0; e < nb; e++, q += H) out[q] = raw[row + e];
        else
          for (let e = 0; e < nb; e++, q += H) {
            const y = raw[row + e] * a + b;
            out[q] = sig ? sigmoid(y) : y;
          }
      }
      return;
    }
    case Head.Softmax:
    case Head.SumOfSquares: {
      const y = eventRaw;
      const c = eventHead;
      const layout = p.layout;
      for (let e = 0; e < nb; e++) {
        for (let j = 0; j < R; j++) y[j] = outStd && outMean ? raw[off + j * BLOCK + e] * outStd[j] + outMean[j] : raw[off + j * BLOCK + e];
        const o = offset + e * H;
        if (layout) {
          sumOfSquaresCoefficients(layout, y, 0, c, 0);
          for (let k = 0; k < H; k++) out[o + k] = c[k];
        } else {
          let max = -Infinity;
          for (let j = 0; j < R; j++) if (y[j] > max) max = y[j];
          let sum = 0;
          for (let j = 0; j < R; j++) {
            const z = Math.exp(y[j] - max);
            y[j] = z;
            sum += z;
          }
          for (let j = 0; j < R; j++) out[o + j] = y[j] / sum;
        }
      }
      return;
    }
  }
}

export interface EnsembleOutputs {
  /** one n × outputs array per member */
  members: Float64Array[];
  /** the ensemble mean, n × outputs (for a sum-of-squares head still a PSD polynomial: a convex combination) */
  mean: Float64Array;
}

/** Every member's outputs on the n events x (n × inputs), and their mean. */
export function evaluateEnsemble(net: FrozenNetwork, x: Float32Array | Float64Array, n: number, options: EvaluateOptions = {}): EnsembleOutputs {
  const K = net.members.length;
  const H = prepare(net).outputs;
  const members: Float64Array[] = [];
  const mean = new Float64Array(n * H);
  for (let m = 0; m < K; m++) {
    const y = evaluateNetwork(net, m, x, n, new Float64Array(n * H), options);
    for (let k = 0; k < y.length; k++) mean[k] += y[k];
    members.push(y);
  }
  for (let k = 0; k < mean.length; k++) mean[k] /= K;
  return { members, mean };
}

/** Number of head outputs per event (for a sum-of-squares head, the number of coefficients). */
export function networkOutputs(net: FrozenNetwork): number {
  return prepare(net).outputs;
}
