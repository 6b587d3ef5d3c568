/**
 * Small weighted multilayer perceptrons in TensorFlow.js (the four-top categories, the
 * Drell–Yan background classifier): a
 * softmax classifier (weighted categorical cross-entropy) and a sigmoid classifier (weighted
 * binary cross-entropy). Inputs are standardised with the weighted training mean and standard
 * deviation; initialisers and shuffling are seeded, so a seed reproduces the weights on one
 * backend. The training loop is ours (tfjs-layers' `fit` takes no per-event weights).
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../models/random.js';
import { parseFrozenNetwork, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { deriveSeed } from '../simulators/types.js';
import { freezeLayers } from './freeze.js';

export interface MlpConfig {
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface TrainedMlp {
  /** outputs (probabilities) for `n` raw input rows */
  predict(x: Float64Array | Float32Array, n: number): Float32Array;
  outputs: number;
  /** weighted mean loss per epoch */
  history: number[];
  seconds: number;
  /** trainable parameters */
  parameters: number;
  /** the network in the frozen format, its head the softmax or sigmoid it was trained with */
  freeze(): FrozenNetwork;
  dispose(): void;
}

/**
 * Trains on `n` rows of `x` (D columns) with targets (n × T: one-hot classes for softmax, a
 * 0/1 label for sigmoid) and per-row weights; the loss is Σ w ℓ / Σ w.
 */
export async function trainMlp(
  x: Float64Array,
  n: number,
  D: number,
  targets: Float32Array,
  weights: Float64Array,
  output: 'softmax' | 'sigmoid',
  T: number,
  config: MlpConfig,
  onEpoch?: (epoch: number, loss: number) => void,
): Promise<TrainedMlp> {
  const started = performance.now();
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
  const standardise = (raw: Float64Array | Float32Array, m: number) => {
    const out = new Float32Array(m * D);
    for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) out[i * D + j] = (raw[i * D + j] - mean[j]) / sd[j];
    return out;
  };

  const model = tf.sequential();
  const widths = [...config.hidden, T];
  widths.forEach((units, l) =>
    model.add(
      tf.layers.dense({
        units,
        inputShape: l === 0 ? [D] : undefined,
        activation: l === widths.length - 1 ? 'linear' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(config.seed, `kernel-${l}`) }),
        biasInitializer: 'zeros',
      }),
    ),
  );
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
  const history: number[] = [];

  for (let epoch = 0; epoch < config.epochs; epoch++) {
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
        wb[r] = w[i];
      }
      const cost = tf.tidy(
        () =>
          optimizer.minimize(() => {
          const logits = model.apply(tf.tensor2d(xb.subarray(0, m * D), [m, D])) as tf.Tensor2D;
          const y = tf.tensor2d(yb.subarray(0, m * T), [m, T]);
          const perRow =
            output === 'softmax'
              ? tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))
              : // log(1 + e^z) − y z, stable: relu(z) − y z + log(1 + e^−|z|)
                tf.sum(tf.add(tf.sub(tf.relu(logits), tf.mul(y, logits)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), 1);
          return tf.mean(tf.mul(perRow, tf.tensor1d(wb.subarray(0, m)))) as tf.Scalar;
        }, true) as tf.Scalar,
      );
      total += (cost.dataSync()[0] * m) / n;
      cost.dispose();
    }
    history.push(total);
    onEpoch?.(epoch + 1, total);
    await tf.nextFrame?.();
  }

  const predict = (raw: Float64Array | Float32Array, m: number): Float32Array => {
    const out = new Float32Array(m * T);
    const chunk = 16384;
    for (let start = 0; start < m; start += chunk) {
      const k = Math.min(chunk, m - start);
      const values = tf.tidy(() => {
        const logits = model.predict(tf.tensor2d(standardise(raw.subarray(start * D, (start + k) * D), k), [k, D])) as tf.Tensor2D;
        return (output === 'softmax' ? tf.softmax(logits) : tf.sigmoid(logits)).dataSync() as Float32Array;
      });
      out.set(values, start * T);
    }
    return out;
  };
  const freeze = () =>
    parseFrozenNetwork({
      format: 'frozen-mlp/1',
      inputs: D,
      outputs: T,
      inputScaling: { mean: Float32Array.from(mean), std: Float32Array.from(sd) },
      head: { kind: output },
      members: [freezeLayers(model as unknown as { layers: unknown[] }, D)],
    });
  return { predict, outputs: T, history, seconds: (performance.now() - started) / 1000, parameters: model.countParams(), freeze, dispose: () => model.dispose() };
}
