/**
 * Freezing: a trained TensorFlow.js ensemble → the frozen-network format of
 * models/network/frozen-network-schema.ts ('frozen-mlp/1'), which the pure-TypeScript
 * runtime (models/network/frozen-network.ts) evaluates in Node and in Workers; and the proof
 * that it does so faithfully: `parityCheck` compares the runtime's ĉ to tfjs's on a held-out
 * batch.
 *
 * Mapping. Each member's dense layers are written in order: kernel = tfjs's
 * `getWeights()[0]` (row-major [inputs, outputs], the format's layout), bias, and the layer's
 * activation under the format's name (tfjs-layers' 'gelu' is the exact erf form, 'gelu_new'
 * the tanh form, 'swish' x·sigmoid(x), as the runtime computes them). The model's input
 * scaling, output scaling (of the raw outputs, before the head) and sum-of-squares head are
 * copied as they are: derivative-learning.ts uses exactly the format's pieces.
 *
 * Parity figure. The relative difference of each head output is
 *
 *     |runtime − tfjs| / max(|tfjs|, 0.1 · rms(tfjs)),
 *
 * rms the root mean square of all of that variant's outputs (every coefficient of every
 * event of the batch), as in the runtime's own parity test (test/models/network): an output
 * that cancels to near zero carries tfjs's float32 rounding of its terms (~1e-7 of their
 * size) and has no meaningful relative difference of its own (models/network/frozen-network.ts,
 * "Precision"). A per-coefficient rms would not do: a coefficient whose truth is 0, like c_1
 * of the two-Gaussian toy, is learned as ~1e-5 everywhere, all of it float32 cancellation
 * (its runtime-vs-tfjs difference, ~1e-8 absolute, is then ~5e-4 of its own rms, though
 * 1e-8 of the ratio). The figure is the maximum over events, coefficients and members, and
 * over the ensemble mean.
 */
import { parseFrozenNetwork, evaluateEnsemble, type Activation, type AnyFrozenNetwork, type EvaluateOptions, type FrozenLgatr, type FrozenNetwork } from '../../models/network/frozen-network.js';
import type { DerivativeLearningModel } from './derivative-learning.js';
import { freezeLgatr } from './lgatr-tf.js';
import type { TrainedMlp } from './weighted-mlp.js';

/** tfjs-layers activation names → the frozen format's names. */
const ACTIVATION_NAMES: Record<string, Activation> = {
  linear: 'linear',
  relu: 'relu',
  elu: 'elu',
  selu: 'selu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  softplus: 'softplus',
  swish: 'swish',
  gelu: 'gelu',
  gelu_new: 'gelu_new',
};

interface DenseLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): { dataSync(): Float32Array | Int32Array | Uint8Array; shape: number[] }[];
}

/** One tfjs sequential model's dense layers in the frozen format (`inputs`: the width it takes). */
export function freezeLayers(model: { layers: unknown[] }, inputs: number, label = 'model'): FrozenNetwork['members'][number] {
  let width = inputs;
  const layers = (model.layers as DenseLike[]).map((layer, l) => {
    if (layer.getClassName() !== 'Dense') throw new Error(`${label} layer ${l}: only Dense layers can be frozen, got ${layer.getClassName()}`);
    const config = layer.getConfig();
    const name = String(config.activation ?? 'linear');
    const activation = ACTIVATION_NAMES[name];
    if (!activation) throw new Error(`${label} layer ${l}: activation '${name}' has no frozen equivalent`);
    if (config.useBias === false) throw new Error(`${label} layer ${l}: layers without bias are not supported`);
    const [kernel, bias] = layer.getWeights();
    const [layerInputs, outputs] = kernel.shape;
    if (layerInputs !== width) throw new Error(`${label} layer ${l}: expects ${layerInputs} inputs, receives ${width}`);
    width = outputs;
    return { inputs: layerInputs, outputs, kernel: Float32Array.from(kernel.dataSync()), bias: Float32Array.from(bias.dataSync()), activation };
  });
  return { layers };
}

/** An MLP ensemble of derivative learning in the frozen format 'frozen-mlp/1', validated with FrozenNetworkSchema (an L-GATr: freezeLgatrModel). */
export function freezeModel(model: DerivativeLearningModel): FrozenNetwork {
  if (model.architecture !== 'mlp') throw new Error("freezeModel writes 'frozen-mlp/1'; an L-GATr ensemble is frozen by freezeLgatrModel (or freezeDerivativeLearning) to 'frozen-lgatr/1'");
  const members = model.members.map((member, m) => freezeLayers(member as unknown as { layers: unknown[] }, model.inputs, `member ${m}`));
  return parseFrozenNetwork({
    format: 'frozen-mlp/1',
    inputs: model.inputs,
    outputs: model.coefficients,
    inputScaling: { mean: Float32Array.from(model.inputScaling.mean), std: Float32Array.from(model.inputScaling.std) },
    outputScaling: { mean: Float32Array.from(model.outputScaling.mean), std: Float32Array.from(model.outputScaling.std) },
    head: { ...model.head },
    members,
  });
}

/**
 * An L-GATr ensemble of derivative learning in the frozen format 'frozen-lgatr/1', validated:
 * the members' weights, the event scalars' mean and std (the model's input scaling of those
 * columns), the momentum scale, the output scaling and the sum-of-squares head.
 */
export function freezeLgatrModel(model: DerivativeLearningModel): FrozenLgatr {
  const a = model.architecture;
  if (a === 'mlp') throw new Error("freezeLgatrModel needs an L-GATr ensemble; an MLP is frozen by freezeModel to 'frozen-mlp/1'");
  return freezeLgatr(model.lgatrMembers, {
    inputs: model.inputs,
    outputs: model.coefficients,
    head: { ...model.head },
    scalarScaling: { mean: Float32Array.from(a.scalars, (c) => model.inputScaling.mean[c]), std: Float32Array.from(a.scalars, (c) => model.inputScaling.std[c]) },
    outputScaling: model.outputScaling,
  });
}

/** Either architecture of derivative learning in its frozen format. */
export function freezeDerivativeLearning(model: DerivativeLearningModel): AnyFrozenNetwork {
  return model.architecture === 'mlp' ? freezeModel(model) : freezeLgatrModel(model);
}

export interface ParityResult {
  /** the figure: max over members, the mean, events and coefficients of |runtime − tfjs| / max(|tfjs|, 0.1·rms(tfjs)) */
  maxRelativeDifference: number;
  maxAbsoluteDifference: number;
  /** the figure per member (tfjs member m vs runtime member m) and for the ensemble mean */
  perMember: number[];
  mean: number;
  /** per coefficient, over members and the mean */
  perCoefficient: number[];
  /** where the largest relative difference is */
  worst: { variant: 'mean' | number; event: number; coefficient: number; runtime: number; tfjs: number };
  events: number;
  precision: NonNullable<EvaluateOptions['precision']>;
  /** the definition, for the record */
  definition: string;
}

function compare(runtime: ArrayLike<number>, reference: ArrayLike<number>, n: number, C: number, perCoefficient: number[], variant: 'mean' | number, worst: ParityResult['worst'], state: { max: number; abs: number }): number {
  let rms = 0;
  for (let q = 0; q < n * C; q++) rms += reference[q] ** 2;
  const floor = 0.1 * Math.sqrt(rms / Math.max(n * C, 1));
  let max = 0;
  for (let e = 0; e < n; e++) {
    for (let k = 0; k < C; k++) {
      const a = runtime[e * C + k];
      const b = reference[e * C + k];
      const diff = Math.abs(a - b);
      const scale = Math.max(Math.abs(b), floor);
      const rel = diff === 0 ? 0 : scale > 0 ? diff / scale : Infinity;
      if (!(rel <= max)) max = rel; // NaN counts as worst
      if (!(rel <= perCoefficient[k])) perCoefficient[k] = rel;
      if (diff > state.abs) state.abs = diff;
      if (!(rel <= state.max)) {
        state.max = rel;
        Object.assign(worst, { variant, event: e, coefficient: k, runtime: a, tfjs: b });
      }
    }
  }
  return max;
}

/** What the parity check compares the runtime with: a trained model's own (tfjs) ĉ per member and their mean. */
export interface ParityReference {
  readonly inputs: number;
  readonly coefficients: number;
  predict(x: Float32Array, n: number): { members: ArrayLike<number>[]; mean: ArrayLike<number> };
}

/** A trained MLP frozen with an identity head on its logit (ln r̂, ln w, a log density): the form CARL, DCTR, NRE and the EEEC surrogate publish. */
export function freezeLogit(trained: Pick<TrainedMlp, 'inputScaling' | 'frozenMembers'>, inputs: number): FrozenNetwork {
  return parseFrozenNetwork({ format: 'frozen-mlp/1', inputs, outputs: 1, inputScaling: trained.inputScaling, head: { kind: 'identity' }, members: trained.frozenMembers() });
}

/** A trained MLP's members' mean logit: what parityCheck compares a frozen identity-head network with. */
export function meanLogitReference(trained: { logits(x: Float64Array | Float32Array, n: number): Float32Array[] }, inputs: number): ParityReference {
  return {
    inputs,
    coefficients: 1,
    predict: (rows, n) => {
      const members = trained.logits(rows, n);
      return { members, mean: Float32Array.from({ length: n }, (_, i) => members.reduce((sum, z) => sum + z[i], 0) / members.length) };
    },
  };
}

/**
 * Evaluates the held-out batch x (n × D) with tfjs (`model.predict`) and with the frozen
 * runtime (`evaluateEnsemble`), and returns the largest relative difference (module comment).
 * The batch is rounded to float32 first, so both see the same inputs.
 */
export function parityCheck(model: ParityReference, frozen: AnyFrozenNetwork, x: Float32Array | Float64Array, n: number, options: EvaluateOptions = {}): ParityResult {
  const D = model.inputs;
  const C = model.coefficients;
  if (x.length < n * D) throw new RangeError(`expected ${n} × ${D} inputs, got ${x.length}`);
  const x32 = x instanceof Float32Array ? x.subarray(0, n * D) : Float32Array.from(x.subarray(0, n * D));
  const precision = options.precision ?? 'float64';
  const reference = model.predict(x32, n);
  const runtime = evaluateEnsemble(frozen, x32, n, { precision });
  if (runtime.members.length !== reference.members.length) throw new Error(`the frozen network has ${runtime.members.length} members, the model ${reference.members.length}`);
  const perCoefficient = new Array<number>(C).fill(0);
  const worst: ParityResult['worst'] = { variant: 'mean', event: -1, coefficient: -1, runtime: NaN, tfjs: NaN };
  const state = { max: 0, abs: 0 };
  const perMember = reference.members.map((ref, m) => compare(runtime.members[m], ref, n, C, perCoefficient, m, worst, state));
  const mean = compare(runtime.mean, reference.mean, n, C, perCoefficient, 'mean', worst, state);
  return {
    maxRelativeDifference: state.max,
    maxAbsoluteDifference: state.abs,
    perMember,
    mean,
    perCoefficient,
    worst,
    events: n,
    precision,
    definition: 'max over members, ensemble mean, events and coefficients of |runtime − tfjs| / max(|tfjs|, 0.1·rms(tfjs)), rms over all outputs of that member (or the mean) on the batch',
  };
}

/**
 * The parity figure as a manifest records it: a `validation.closure` entry and a note
 * (models/artifact/manifest-schema.ts, ValidationSchema).
 */
export function parityValidation(parity: ParityResult, backend: string): { closure: Record<string, number>; note: string } {
  return {
    closure: { 'frozen runtime vs tfjs: max relative difference': parity.maxRelativeDifference },
    note:
      `frozen-network parity: the TypeScript runtime (${parity.precision}) reproduces tfjs (${backend}) on ${parity.events} held-out events to a maximum relative difference of ` +
      `${parity.maxRelativeDifference.toExponential(2)} (${parity.definition}); largest absolute difference ${parity.maxAbsoluteDifference.toExponential(2)}`,
  };
}
