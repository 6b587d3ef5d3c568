/**
 * The prepared form of a frozen network that the runtime evaluates (frozen-network.ts): kernels
 * transposed to [outputs, inputs] in float32 and float64, activation and head codes, scaling
 * as Float64Array; cached by object identity. Also the block layout constant BLOCK.
 */
import { morphing, morphingCoefficientMatrix } from '../basis/morphing.js';
import { quadraticProjectionWork, sumOfSquaresLayout, type QuadraticProjectionWork, type SumOfSquaresLayout } from '../basis/sum-of-squares.js';
import { headShape, requireMlpFormat, type Activation, type FrozenNetwork, type NetworkHead } from './frozen-network-schema.js';

/** Events per block (a multiple of 16, the float32 SIMD group). */
export const BLOCK = 128;

/** Activation codes of the prepared layers. */
export const enum Act {
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

/** Head codes of the prepared network. */
export const enum Head {
  Identity,
  Sigmoid,
  Softmax,
  SumOfSquares,
  Morphing,
}

/** What a morphing head needs per event: ĉ = A r̂ (morphing.ts), then the positivity projection. */
export interface PreparedMorphing {
  parameters: number;
  /** A = W⁻¹ diag(σ_i/σ0), row-major C × B */
  coefficientMatrix: Float64Array;
  /** r̂ of one event: 1 at θ0, then e^{y_i} */
  ratios: Float64Array;
  work: QuadraticProjectionWork;
}

/** One dense layer, ready for both precisions and both backends. */
export interface PreparedLayer {
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

/** A whole network, ready to evaluate: every member's layers, the scalings and the head. */
export interface PreparedNetwork {
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
  morphing: PreparedMorphing | null;
}

const HEAD_CODE: Record<NetworkHead['kind'], Head> = { identity: Head.Identity, sigmoid: Head.Sigmoid, softmax: Head.Softmax, 'sum-of-squares': Head.SumOfSquares, morphing: Head.Morphing };

function prepareMorphing(head: Extract<NetworkHead, { kind: 'morphing' }>): PreparedMorphing {
  const m = morphing(head.parameters, head.degree, head.benchmarks);
  return { parameters: head.parameters, coefficientMatrix: morphingCoefficientMatrix(m, head.crossSectionRatios), ratios: new Float64Array(m.count), work: quadraticProjectionWork(head.parameters) };
}

/** The raw outputs, head outputs, output scaling and head of either format, ready to evaluate. */
export function preparedHead(net: Pick<FrozenNetwork, 'head' | 'outputs' | 'outputScaling'>): Pick<PreparedNetwork, 'raw' | 'outputs' | 'outMean' | 'outStd' | 'head' | 'layout' | 'morphing'> {
  const shape = headShape(net.head, net.outputs);
  return {
    raw: shape.raw,
    outputs: shape.outputs,
    outMean: net.outputScaling ? Float64Array.from(net.outputScaling.mean) : null,
    outStd: net.outputScaling ? Float64Array.from(net.outputScaling.std) : null,
    head: HEAD_CODE[net.head.kind],
    layout: net.head.kind === 'sum-of-squares' ? sumOfSquaresLayout(net.head.parameters, net.head.degree, net.head.fixReference) : null,
    morphing: net.head.kind === 'morphing' ? prepareMorphing(net.head) : null,
  };
}

const preparedCache = new WeakMap<FrozenNetwork, PreparedNetwork>();

/** The prepared form of `net`, from the cache when it has been prepared before; throws where shapes do not chain. */
export function prepare(net: FrozenNetwork): PreparedNetwork {
  const hit = preparedCache.get(net);
  if (hit) return hit;
  requireMlpFormat(net, 'the dense-layer runtime (prepare)');
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
  const prepared: PreparedNetwork = {
    inputs: net.inputs,
    maxWidth,
    members,
    inMean: Float64Array.from(net.inputScaling.mean),
    inStd: Float64Array.from(net.inputScaling.std),
    ...preparedHead(net),
  };
  preparedCache.set(net, prepared);
  return prepared;
}
