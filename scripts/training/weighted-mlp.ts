/**
 * Small weighted multilayer perceptrons in TensorFlow.js (the four-top categories, the
 * Drell–Yan background classifier, the morphing-aware benchmark classifiers): a softmax
 * classifier (weighted categorical cross-entropy) and a sigmoid classifier (weighted binary
 * cross-entropy; the targets may be soft, as ALICE's are, seed 003 eq. 11). Inputs are
 * standardised with the weighted training mean and standard deviation, or a given scaling;
 * initialisers and shuffling are seeded, so a seed reproduces the weights on one backend. The
 * training loop is ours (tfjs-layers' `fit` takes no per-event weights).
 *
 * Ensembles: with `members` K > 1 the K networks are trained together, each on the same
 * batches, with the function-space repulsion of repulsive-ensemble.ts on their logits (seed
 * 003 app. A): the spread of the members is then an estimate of the training uncertainty.
 * Member 0 is initialised exactly as a single network with the same seed.
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../models/random.js';
import { parseFrozenNetwork, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { deriveSeed } from '../simulators/types.js';
import { freezeLayers } from './freeze.js';
import { repulsionTerm, stopGradient } from './repulsive-ensemble.js';

export interface MlpConfig {
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** learning rate of the last epoch, decaying exponentially per epoch (default: constant) */
  finalLearningRate?: number;
  /** hidden-layer activation (default 'relu') */
  activation?: 'relu' | 'swish' | 'tanh';
  /** ensemble members K (default 1), trained with function-space repulsion of strength λ (default 1) */
  members?: number;
  repulsionStrength?: number;
  /**
   * sigmoid output only: weight each row's loss by sg[1/(p(1 − p) + 1/cap)] with p = σ(logit),
   * normalised to mean 1 over the batch (Fisher scoring, iteratively reweighted; default: none).
   * The weight depends on x alone (through the member's own prediction, held constant), so the
   * minimiser is still E[label|x]; what changes is that an error in the logit costs about the
   * same where p is near 0 or 1 as where it is near ½. Cross entropy alone is flat in the logit
   * where p saturates, so large ratios (ln r ≫ 1) are learned slowly and extrapolated wildly.
   */
  fisherWeightCap?: number | null;
  /** input standardisation to use instead of the weighted training mean and standard deviation */
  inputScaling?: { mean: ArrayLike<number>; std: ArrayLike<number> };
  /**
   * a loss of the network's raw outputs in place of the cross entropy, for an estimator whose
   * network is only part of its model (morphing-aware (b): the outputs are benchmark ratios that
   * a per-row morphing combines): `outputs` raw outputs per row, `auxiliary` n × `width` numbers
   * per row handed to `apply` with the batch's raw outputs and targets; `apply` returns the loss
   * per row (weighted and averaged like the cross entropy) and the ensemble's repulsion acts on
   * the raw outputs
   */
  rowLoss?: RowLoss;
  seed: number;
}

export interface RowLoss {
  outputs: number;
  width: number;
  auxiliary: Float32Array;
  apply(raw: tf.Tensor2D, targets: tf.Tensor2D, auxiliary: tf.Tensor2D): tf.Tensor1D;
}

/** The ensemble's options an estimator's config passes through to `trainMlp`, each with the estimator's default. */
export type EnsembleOptions = Partial<Pick<MlpConfig, 'hidden' | 'activation' | 'members' | 'epochs' | 'batchSize' | 'learningRate' | 'finalLearningRate' | 'repulsionStrength' | 'fisherWeightCap'>>;

export interface TrainedMlp {
  /** outputs (probabilities; the members' mean for an ensemble) for `n` raw input rows */
  predict(x: Float64Array | Float32Array, n: number): Float32Array;
  /** each member's logits (n × T; with a row loss, its raw outputs) for `n` raw input rows */
  logits(x: Float64Array | Float32Array, n: number): Float32Array[];
  outputs: number;
  /** weighted mean loss per epoch */
  history: number[];
  seconds: number;
  /** trainable parameters */
  parameters: number;
  /** the network in the frozen format, its head the softmax or sigmoid it was trained with */
  freeze(): FrozenNetwork;
  /** the members' layers in the frozen format, and the input scaling they expect */
  frozenMembers(): FrozenNetwork['members'];
  inputScaling: { mean: Float32Array; std: Float32Array };
  dispose(): void;
}

/**
 * Trains on `n` rows of `x` (D columns) with targets (n × T: one-hot classes for softmax, a
 * 0/1 label for sigmoid) and per-row weights; the loss is Σ w ℓ / Σ w. Synchronous (the wasm and
 * cpu backends read results synchronously), so that an objective a derivative-free optimiser
 * calls can train a classifier (SRGN's AUC, scripts/srgn).
 */
export function trainMlp(
  x: Float64Array,
  n: number,
  D: number,
  targets: Float32Array,
  weights: Float64Array,
  output: 'softmax' | 'sigmoid',
  T: number,
  config: MlpConfig,
  onEpoch?: (epoch: number, loss: number) => void,
): TrainedMlp {
  const started = performance.now();
  const K = config.members ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`members must be a positive integer, got ${K}`);
  let sumW = 0;
  for (let i = 0; i < n; i++) sumW += weights[i];
  const { mean, sd } = config.inputScaling ? { mean: Float64Array.from(config.inputScaling.mean), sd: Float64Array.from(config.inputScaling.std) } : weightedScaling(x, n, D, weights);
  if (mean.length !== D || sd.length !== D) throw new RangeError(`inputScaling needs ${D} values`);
  const standardise = (raw: Float64Array | Float32Array, m: number) => {
    const out = new Float32Array(m * D);
    for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) out[i * D + j] = (raw[i * D + j] - mean[j]) / sd[j];
    return out;
  };

  const activation = config.activation ?? 'relu';
  const rowLoss = config.rowLoss ?? null;
  const widths = [...config.hidden, rowLoss ? rowLoss.outputs : T];
  const A = rowLoss ? rowLoss.width : 0;
  const rawWidth = widths.at(-1)!;
  const models = Array.from({ length: K }, (_, m) => {
    const model = tf.sequential();
    widths.forEach((units, l) =>
      model.add(
        tf.layers.dense({
          units,
          inputShape: l === 0 ? [D] : undefined,
          activation: l === widths.length - 1 ? 'linear' : activation,
          kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(config.seed, m === 0 ? `kernel-${l}` : `member-${m}-kernel-${l}`) }),
          biasInitializer: 'zeros',
        }),
      ),
    );
    return model;
  });
  const xs = standardise(x, n);
  // weights normalised to mean 1, so the learning rate means the same whatever their scale
  const w = Float32Array.from(weights, (v) => (v * n) / sumW);
  const optimizer = tf.train.adam(config.learningRate);
  const rng = createRandom(deriveSeed(config.seed, 'shuffle'));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const B = config.batchSize;
  const xb = new Float32Array(B * D);
  const yb = new Float32Array(B * T);
  const wb = new Float32Array(B);
  const ab = new Float32Array(B * A);
  const history: number[] = [];

  const fisherCap = config.fisherWeightCap ?? null;
  if (fisherCap !== null && (output !== 'sigmoid' || T !== 1 || !(fisherCap > 1))) throw new RangeError('fisherWeightCap applies to a sigmoid output of one unit, and must be > 1');
  const finalRate = config.finalLearningRate ?? config.learningRate;
  const strength = config.repulsionStrength ?? 1;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    if (config.epochs > 1 && finalRate !== config.learningRate) {
      (optimizer as unknown as { learningRate: number }).learningRate = config.learningRate * Math.pow(finalRate / config.learningRate, epoch / (config.epochs - 1));
    }
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0;
    for (let start = 0; start < n; start += B) {
      const m = Math.min(B, n - start);
      for (let r = 0; r < m; r++) {
        const i = order[start + r];
        xb.set(xs.subarray(i * D, (i + 1) * D), r * D);
        yb.set(targets.subarray(i * T, (i + 1) * T), r * T);
        if (rowLoss) ab.set(rowLoss.auxiliary.subarray(i * A, (i + 1) * A), r * A);
        wb[r] = w[i];
      }
      const cost = tf.tidy(
        () =>
          optimizer.minimize(() => {
            const input = tf.tensor2d(xb.subarray(0, m * D), [m, D]);
            const y = tf.tensor2d(yb.subarray(0, m * T), [m, T]);
            const wt = tf.tensor1d(wb.subarray(0, m));
            const logits = models.map((model) => model.apply(input) as tf.Tensor2D);
            const aux = rowLoss ? tf.tensor2d(ab.subarray(0, m * A), [m, A]) : null;
            const data = logits.map((z) => {
              const perRow = rowLoss
                ? rowLoss.apply(z, y, aux!)
                : output === 'softmax'
                  ? tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1))
                  : // log(1 + e^z) − y z, stable: relu(z) − y z + log(1 + e^−|z|); y may be soft
                    tf.sum(tf.add(tf.sub(tf.relu(z), tf.mul(y, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), 1);
              return tf.mean(tf.mul(perRow, fisherCap && !rowLoss ? tf.mul(wt, fisherWeights(z, fisherCap)) : wt)) as tf.Scalar;
            });
            const loss = data.length === 1 ? data[0] : (tf.addN(data) as tf.Scalar);
            if (K === 1 || strength === 0) return loss;
            return tf.add(loss, repulsionTerm(tf.stack(logits.map((z) => z.reshape([m * rawWidth]))), K, strength, n).term) as tf.Scalar;
          }, true) as tf.Scalar,
      );
      total += (cost.dataSync()[0] * m) / (n * K);
      cost.dispose();
    }
    history.push(total);
    onEpoch?.(epoch + 1, total);
  }

  const logits = (raw: Float64Array | Float32Array, count: number): Float32Array[] =>
    models.map((model) => {
      const out = new Float32Array(count * rawWidth);
      const chunk = 16384;
      for (let start = 0; start < count; start += chunk) {
        const k = Math.min(chunk, count - start);
        out.set(tf.tidy(() => (model.predict(tf.tensor2d(standardise(raw.subarray(start * D, (start + k) * D), k), [k, D])) as tf.Tensor2D).dataSync() as Float32Array), start * rawWidth);
      }
      return out;
    });
  const predict = (raw: Float64Array | Float32Array, count: number): Float32Array => {
    const out = new Float32Array(count * T);
    for (const z of logits(raw, count)) {
      const p = tf.tidy(() => (output === 'softmax' ? tf.softmax(tf.tensor2d(z, [count, T])) : tf.sigmoid(tf.tensor2d(z, [count, T]))).dataSync() as Float32Array);
      for (let q = 0; q < out.length; q++) out[q] += p[q] / K;
    }
    return out;
  };
  const inputScaling = { mean: Float32Array.from(mean), std: Float32Array.from(sd) };
  const frozenMembers = () => models.map((model, m) => freezeLayers(model as unknown as { layers: unknown[] }, D, `member ${m}`));
  const freeze = () => parseFrozenNetwork({ format: 'frozen-mlp/1', inputs: D, outputs: T, inputScaling, head: { kind: output }, members: frozenMembers() });
  return {
    predict,
    logits,
    outputs: T,
    history,
    seconds: (performance.now() - started) / 1000,
    parameters: models[0].countParams(),
    freeze,
    frozenMembers,
    inputScaling,
    dispose: () => models.forEach((model) => model.dispose()),
  };
}

/** sg[1/(p(1 − p) + 1/cap)], p = σ(z) of the [m, 1] logits, normalised to mean 1: a constant of the step ([m]). */
function fisherWeights(z: tf.Tensor2D, cap: number): tf.Tensor1D {
  const p = tf.sigmoid(z).reshape([-1]);
  const w = tf.div(1, tf.add(tf.mul(p, tf.sub(1, p)), 1 / cap));
  return stopGradient(tf.div(w, tf.mean(w))) as tf.Tensor1D;
}

/** The weighted mean and standard deviation of each of the D columns (a constant column gets 1). */
export function weightedScaling(x: ArrayLike<number>, n: number, D: number, weights: ArrayLike<number>): { mean: Float64Array; sd: Float64Array } {
  let sumW = 0;
  const mean = new Float64Array(D);
  const sd = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    sumW += weights[i];
    for (let j = 0; j < D; j++) mean[j] += weights[i] * x[i * D + j];
  }
  for (let j = 0; j < D; j++) mean[j] /= sumW;
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) sd[j] += weights[i] * (x[i * D + j] - mean[j]) ** 2;
  for (let j = 0; j < D; j++) sd[j] = Math.sqrt(sd[j] / sumW) || 1;
  return { mean, sd };
}
