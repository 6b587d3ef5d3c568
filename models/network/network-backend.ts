/**
 * The frozen-network runtime's backends: which one evaluations use (WebAssembly SIMD where it
 * compiles, else TypeScript) and, for SIMD, the WebAssembly memory: the two scratch blocks and
 * the layers' weights copied in once and kept resident (dropped all at once past a budget).
 */
import { denseSimdKernels, type DenseSimdKernels } from './dense-simd.js';
import { BLOCK, type PreparedLayer } from './prepared-network.js';

export type NetworkPrecision = 'float64' | 'float32';
export type NetworkBackend = 'wasm-simd' | 'typescript';

// ---------------------------------------------------------------------------------------
// Backends and the WebAssembly scratch. JS runs one evaluation at a time per isolate and
// nothing here awaits, so module-level scratch is safe.

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

/** The SIMD backend's WebAssembly memory: scratch blocks first, then the resident weights. */
export interface WasmState {
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
export function wasmPrepare(kernels: DenseSimdKernels, width: number, layers: PreparedLayer[], precision: NetworkPrecision): WasmState {
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
