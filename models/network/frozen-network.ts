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
 *
 * L-GATr. A 'frozen-lgatr/1' network (frozen-lgatr-schema.ts) goes through the same entry
 * points (evaluateNetwork, evaluateEnsemble, networkOutputs) and the same heads; its members run
 * in lgatr.ts, always in float64 (`precision` does not apply), one event at a time.
 *
 * Files: this module evaluates members and ensembles (input scaling, the block loop, the
 * heads) and is the runtime's public entry point; prepared-network.ts holds the prepared form,
 * network-backend.ts the backend choice and the WebAssembly memory, network-kernels.ts the
 * TypeScript dense loops and the activations.
 */
import { morphedCoefficients } from '../basis/morphing.js';
import { nonNegativeQuadratic, sumOfSquaresCoefficients } from '../basis/sum-of-squares.js';
import { denseSimdKernels } from './dense-simd.js';
import type { AnyFrozenNetwork, FrozenLgatr } from './frozen-network-schema.js';
import { lgatrRawOutputs } from './lgatr.js';
import { networkBackend, wasmPrepare, type NetworkPrecision, type WasmState } from './network-backend.js';
import { activate, denseTs32, denseTs64, sigmoid } from './network-kernels.js';
import { Act, BLOCK, Head, prepare, preparedHead, type PreparedMorphing, type PreparedNetwork } from './prepared-network.js';

export * from './frozen-network-schema.js';
export { networkBackend, setNetworkBackend, type NetworkBackend, type NetworkPrecision } from './network-backend.js';
export { gelu, geluTanh, sigmoid, softplus } from './network-kernels.js';

export interface EvaluateOptions {
  /** arithmetic precision (default 'float64'; see the module comment) */
  precision?: NetworkPrecision;
}

// ---------------------------------------------------------------------------------------
// Scratch of the TypeScript backend. JS runs one evaluation at a time per isolate and nothing
// here awaits, so module-level scratch is safe.

let js64A = new Float64Array(0);
let js64B = new Float64Array(0);
let js32A = new Float32Array(0);
let js32B = new Float32Array(0);
/** one event's raw outputs (event-major) and its head outputs, for softmax and sum-of-squares */
let eventRaw = new Float64Array(0);
let eventHead = new Float64Array(0);

// ---------------------------------------------------------------------------------------
// Evaluation.

/**
 * Evaluates ensemble member `memberIndex` on n events x (n × inputs, row-major, the
 * observables in the published order and units) and writes the n × outputs head outputs to
 * `out` (allocated as Float64Array when not given): for a sum-of-squares head, each event's
 * polynomial coefficients c on the monomial basis.
 */
export function evaluateNetwork<T extends Float32Array | Float64Array = Float64Array>(
  net: AnyFrozenNetwork,
  memberIndex: number,
  x: Float32Array | Float64Array,
  n: number,
  out?: T,
  options: EvaluateOptions = {},
): T {
  if (net.format === 'frozen-lgatr/1') return evaluateLgatr(net, memberIndex, x, n, out);
  const p = prepare(net);
  const precision = options.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') throw new RangeError(`precision must be 'float64' or 'float32', got ${String(precision)}`);
  const result = checkedOutput(p, p.members.length, memberIndex, x, n, out);
  const D = p.inputs;
  const H = p.outputs;
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

const lgatrPrepared = new WeakMap<FrozenLgatr, PreparedNetwork>();

/** the head of an L-GATr as a PreparedNetwork without layers (cached by identity) */
function prepareLgatr(net: FrozenLgatr): PreparedNetwork {
  let p = lgatrPrepared.get(net);
  if (!p) {
    p = { inputs: net.inputs, maxWidth: 0, members: [], inMean: new Float64Array(0), inStd: new Float64Array(0), ...preparedHead(net) };
    if (p.outputs !== net.outputs) throw new RangeError(`network head gives ${p.outputs} outputs, the network declares ${net.outputs}`);
    lgatrPrepared.set(net, p);
  }
  return p;
}

let lgatrBlock = new Float64Array(0);

/** The arguments of an evaluation checked (a RangeError names what is wrong), the per-event scratch grown, and the output array. */
function checkedOutput<T extends Float32Array | Float64Array>(p: Pick<PreparedNetwork, 'inputs' | 'outputs' | 'raw'>, members: number, memberIndex: number, x: Float32Array | Float64Array, n: number, out?: T): T {
  if (!Number.isInteger(memberIndex) || memberIndex < 0 || memberIndex >= members) throw new RangeError(`member index ${memberIndex} out of range [0, ${members})`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`event count must be a non-negative integer, got ${n}`);
  const D = p.inputs;
  const H = p.outputs;
  if (x.length < n * D) throw new RangeError(`expected ${n} × ${D} inputs, got ${x.length} values`);
  const result = (out ?? new Float64Array(n * H)) as T;
  if (result.length < n * H) throw new RangeError(`output needs ${n} × ${H} values, has ${result.length}`);
  if (eventRaw.length < p.raw) eventRaw = new Float64Array(p.raw);
  if (eventHead.length < H) eventHead = new Float64Array(H);
  return result;
}

/** evaluateNetwork for 'frozen-lgatr/1' (lgatr.ts): always float64 arithmetic */
function evaluateLgatr<T extends Float32Array | Float64Array>(net: FrozenLgatr, memberIndex: number, x: Float32Array | Float64Array, n: number, out?: T): T {
  const p = prepareLgatr(net);
  const result = checkedOutput(p, net.members.length, memberIndex, x, n, out);
  const H = p.outputs;
  if (lgatrBlock.length < p.raw * BLOCK) lgatrBlock = new Float64Array(p.raw * BLOCK);
  const member = net.members[memberIndex];
  for (let start = 0; start < n; start += BLOCK) {
    const nb = Math.min(BLOCK, n - start);
    lgatrRawOutputs(net, member, p.raw, x, start, nb, lgatrBlock, BLOCK);
    writeHead(p, lgatrBlock, 0, nb, result, start * H);
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
    case Head.SumOfSquares:
    case Head.Morphing: {
      const y = eventRaw;
      const c = eventHead;
      const layout = p.layout;
      for (let e = 0; e < nb; e++) {
        for (let j = 0; j < R; j++) y[j] = outStd && outMean ? raw[off + j * BLOCK + e] * outStd[j] + outMean[j] : raw[off + j * BLOCK + e];
        const o = offset + e * H;
        if (layout) {
          sumOfSquaresCoefficients(layout, y, 0, c, 0);
          for (let k = 0; k < H; k++) out[o + k] = c[k];
        } else if (p.morphing) {
          morphingHead(p.morphing, y, R, c);
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

/** ĉ = A r̂ with r̂ = (1, e^{y_1}, …) (seed 003 eq. 25), projected to R̂ ≥ 0 for every θ; into c. */
export function morphingHead(m: PreparedMorphing, y: ArrayLike<number>, R: number, c: Float64Array): void {
  const r = m.ratios;
  r[0] = 1;
  for (let j = 0; j < R; j++) r[j + 1] = Math.exp(y[j]);
  morphedCoefficients(m.coefficientMatrix, r, c);
  nonNegativeQuadratic(c, m.parameters, 0, m.work);
}

export interface EnsembleOutputs {
  /** one n × outputs array per member */
  members: Float64Array[];
  /** the ensemble mean, n × outputs (for a sum-of-squares head still a PSD polynomial: a convex combination) */
  mean: Float64Array;
}

/** Every member's outputs on the n events x (n × inputs), and their mean. */
export function evaluateEnsemble(net: AnyFrozenNetwork, x: Float32Array | Float64Array, n: number, options: EvaluateOptions = {}): EnsembleOutputs {
  const K = net.members.length;
  const H = networkOutputs(net);
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
export function networkOutputs(net: AnyFrozenNetwork): number {
  return net.format === 'frozen-lgatr/1' ? prepareLgatr(net).outputs : prepare(net).outputs;
}
