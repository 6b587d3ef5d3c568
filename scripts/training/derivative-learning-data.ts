/**
 * The training data of derivative learning (derivative-learning.ts): the seeded validation
 * split, the standardisation (inputs, the loss's target variances, the output scaling of the
 * raw outputs; see "Standardisation" in derivative-learning.ts) and the seeded minibatches.
 */
import type { SumOfSquaresLayout } from '../../models/basis/sum-of-squares.js';
import { cholesky, symmetricEigen } from '../../models/numeric/linear-algebra.js';
import { createRandom } from '../../models/random.js';
import { deriveSeed } from '../simulators/types.js';
import type { DerivativeLearningSettings, TrainingData } from './derivative-learning.js';
import { lgatrInputScaling } from './lgatr-tf.js';

// ---------------------------------------------------------------------------------------
// Standardisation.

function weightedMoments(values: ArrayLike<number>, n: number, width: number, column: number, weights: ArrayLike<number>): { mean: number; std: number } {
  let sw = 0;
  let s1 = 0;
  for (let i = 0; i < n; i++) {
    sw += weights[i];
    s1 += weights[i] * values[i * width + column];
  }
  const mean = s1 / sw;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i * width + column] - mean;
    s2 += weights[i] * d * d;
  }
  return { mean, std: Math.sqrt(s2 / sw) };
}

/**
 * A Gram matrix (V×V) of the degree-d polynomial c: each coefficient split evenly over the
 * ordered pairs (a, b) with e_a + e_b = γ (unique for degree 2).
 */
function gramOf(layout: SumOfSquaresLayout, c: ArrayLike<number>, offset: number, out: Float64Array): void {
  const V = layout.halfSize;
  const { pairTarget } = layout;
  const count = new Float64Array(layout.size);
  for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) count[pairTarget[a >= b ? (a * (a + 1)) / 2 + b : (b * (b + 1)) / 2 + a]]++;
  for (let a = 0; a < V; a++) {
    for (let b = 0; b < V; b++) {
      const g = pairTarget[a >= b ? (a * (a + 1)) / 2 + b : (b * (b + 1)) / 2 + a];
      out[a * V + b] = c[offset + g] / count[g];
    }
  }
}

/** Lower Cholesky factor of a PSD matrix (PSD-projected and jittered where needed). */
function psdCholesky(A: Float64Array, V: number, out: Float64Array): void {
  let scale = 0;
  for (let a = 0; a < V; a++) scale = Math.max(scale, Math.abs(A[a * V + a]));
  const jitter = 1e-12 * (scale || 1);
  const work = new Float64Array(V * V);
  for (let tries = 0; tries < 2; tries++) {
    work.set(A);
    for (let a = 0; a < V; a++) work[a * V + a] += jitter;
    out.fill(0);
    if (cholesky(work, V, out)) {
      for (let a = 0; a < V; a++) for (let b = a + 1; b < V; b++) out[a * V + b] = 0;
      return;
    }
    // project onto the PSD cone: clamp negative eigenvalues
    const { values, vectors } = symmetricEigen(A, V);
    const P = new Float64Array(V * V);
    for (let k = 0; k < V; k++) {
      const l = Math.max(values[k], 0) + 1e-9 * (scale || 1);
      for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) P[a * V + b] += l * vectors[a * V + k] * vectors[b * V + k];
    }
    A = P;
  }
  throw new Error('internal: Cholesky factor of a PSD-projected matrix failed');
}

/** The output scaling of the raw outputs (packed L, see the module comment). */
function outputScalingOf(layout: SumOfSquaresLayout, targets: ArrayLike<number>, weights: ArrayLike<number>, rows: Int32Array): { mean: Float32Array; std: Float32Array } {
  const V = layout.halfSize;
  const C = layout.size;
  const R = layout.rawSize;
  const skip = layout.fixReference ? 1 : 0;
  const A = new Float64Array(V * V);
  const L = new Float64Array(V * V);
  // mean target → its Gram matrix → Cholesky: the mean
  const cbar = new Float64Array(C);
  let sw = 0;
  for (const i of rows) {
    sw += weights[i];
    for (let k = 0; k < C; k++) cbar[k] += weights[i] * targets[i * C + k];
  }
  for (let k = 0; k < C; k++) cbar[k] /= sw;
  gramOf(layout, cbar, 0, A);
  psdCholesky(A, V, L);
  const mean = new Float32Array(R);
  for (let a = 0, p = 0; a < V; a++) for (let b = 0; b <= a; b++, p++) if (p >= skip) mean[p - skip] = L[a * V + b];
  // spread of the events' own factors: the scale
  const stride = Math.max(1, Math.floor(rows.length / 20_000));
  const s1 = new Float64Array(R);
  const s2 = new Float64Array(R);
  let w = 0;
  for (let r = 0; r < rows.length; r += stride) {
    const i = rows[r];
    gramOf(layout, targets, i * C, A);
    psdCholesky(A, V, L);
    w += weights[i];
    for (let a = 0, p = 0; a < V; a++)
      for (let b = 0; b <= a; b++, p++) {
        if (p < skip) continue;
        const v = L[a * V + b];
        s1[p - skip] += weights[i] * v;
        s2[p - skip] += weights[i] * v * v;
      }
  }
  const std = new Float32Array(R);
  let largest = 0;
  const raw = new Float64Array(R);
  for (let j = 0; j < R; j++) {
    const m = s1[j] / w;
    raw[j] = Math.sqrt(Math.max(s2[j] / w - m * m, 0));
    largest = Math.max(largest, raw[j]);
  }
  for (let j = 0; j < R; j++) std[j] = Math.max(raw[j], 0.1 * largest, 1e-6);
  return { mean, std };
}

// ---------------------------------------------------------------------------------------
// The split and the prepared data.

/** The training and validation rows, standardised, with the scales the model and the loss use. */
export interface PreparedTrainingData {
  /** inputs per event */
  D: number;
  /** training events */
  N: number;
  inMean: Float32Array;
  inStd: Float32Array;
  /** v_k of the loss (after the floor), and which coefficients are trained */
  targetVariance: Float64Array;
  trained: number[];
  outputScaling: { mean: Float32Array; std: Float32Array };
  /** standardised training inputs in float32 (the same float32 mean/std as the frozen network), targets and weights, N rows */
  xTrain: Float32Array;
  yTrain: Float32Array;
  wTrain: Float32Array;
  /** validation events: raw inputs (predict standardises), targets and normalised weights */
  validation: { count: number; x: Float32Array; y: Float64Array; w: Float64Array };
}

/** Checks the data against the settings (throws a RangeError naming what is wrong); the inputs per event and the weights. */
function checkTrainingData(data: TrainingData, settings: DerivativeLearningSettings): { D: number; weightsIn: Float64Array | Float32Array } {
  const { layout, degree: d, parameters: P, fixReference } = settings;
  const C = layout.size;
  const n = data.count;
  const D = data.inputs.length / n;
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`inputs must hold count × D values, got ${data.inputs.length} for ${n} events`);
  if (data.targets.length !== n * C) throw new RangeError(`targets must hold ${n} × ${C} values (degree ${d} in ${P} parameters), got ${data.targets.length}`);
  const weightsIn = data.weights ?? new Float64Array(n).fill(1);
  if (weightsIn.length !== n) throw new RangeError(`expected ${n} weights, got ${weightsIn.length}`);
  if (fixReference) {
    for (let i = 0; i < n; i++) {
      if (Math.abs(data.targets[i * C] - 1) > 1e-9) throw new RangeError(`with fixReference the targets must have c_0 = 1 (joint coefficients normalised by c_0); event ${i} has ${data.targets[i * C]}`);
    }
  }
  return { D, weightsIn };
}

/** The rows in a seeded random order: the first `floor(n · validationFraction)` are held out. */
function validationSplit(n: number, validationFraction: number, seed: number): { validationRows: Int32Array; trainRows: Int32Array } {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const splitRandom = createRandom(deriveSeed(seed, 'split'));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(splitRandom.uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nValidation = Math.floor(n * validationFraction);
  return { validationRows: order.slice(0, nValidation), trainRows: order.slice(nValidation) };
}

/**
 * Splits the events (seeded), normalises the weights to mean 1 over the training rows and
 * computes the standardisation from the training rows (see the module comment of
 * derivative-learning.ts).
 */
export function prepareTrainingData(data: TrainingData, settings: DerivativeLearningSettings): PreparedTrainingData {
  const { D, weightsIn } = checkTrainingData(data, settings);
  const { layout, fixReference, varianceFloor } = settings;
  const C = layout.size;

  const { validationRows, trainRows } = validationSplit(data.count, settings.validationFraction, settings.seed);
  const nValidation = validationRows.length;
  const N = trainRows.length;
  if (N < 1) throw new RangeError('no training events left after the validation split');

  // Standardisation from the training rows.
  const trainWeights = new Float64Array(N);
  let wsum = 0;
  for (let r = 0; r < N; r++) wsum += weightsIn[trainRows[r]];
  const wmean = wsum / N;
  if (!(wmean > 0)) throw new RangeError('the training weights must have a positive sum');
  const weightsAll = Float64Array.from(weightsIn, (w) => w / wmean);
  for (let r = 0; r < N; r++) trainWeights[r] = weightsAll[trainRows[r]];
  const trainInputs = new Float64Array(N * D);
  const trainTargets = new Float64Array(N * C);
  for (let r = 0; r < N; r++) {
    const i = trainRows[r];
    for (let j = 0; j < D; j++) trainInputs[r * D + j] = data.inputs[i * D + j];
    for (let k = 0; k < C; k++) trainTargets[r * C + k] = data.targets[i * C + k];
  }
  const inMean = new Float32Array(D);
  const inStd = new Float32Array(D);
  for (let j = 0; j < D; j++) {
    const m = weightedMoments(trainInputs, N, D, j, trainWeights);
    inMean[j] = m.mean;
    inStd[j] = m.std > 0 ? m.std : 1;
  }
  if (settings.architecture !== 'mlp') {
    // L-GATr: one global factor on the momenta (equivariance), the event scalars standardised
    const a = settings.architecture;
    const scaling = lgatrInputScaling(a, D, { mean: a.scalars.map((c) => inMean[c]), std: a.scalars.map((c) => inStd[c]) });
    inMean.set(scaling.mean);
    inStd.set(scaling.std);
  }
  const targetVariance = new Float64Array(C);
  for (let k = 0; k < C; k++) targetVariance[k] = weightedMoments(trainTargets, N, C, k, trainWeights).std ** 2;
  const trained: number[] = [];
  for (let k = fixReference ? 1 : 0; k < C; k++) trained.push(k);
  const vmax = Math.max(...trained.map((k) => targetVariance[k]), 0);
  for (const k of trained) targetVariance[k] = Math.max(targetVariance[k], varianceFloor * vmax, 1e-30);
  const outputScaling = outputScalingOf(layout, trainTargets, trainWeights, Int32Array.from({ length: N }, (_, i) => i));

  // Standardised training inputs in float32 (the same float32 mean/std as the frozen network).
  const xTrain = new Float32Array(N * D);
  for (let r = 0; r < N; r++) for (let j = 0; j < D; j++) xTrain[r * D + j] = (trainInputs[r * D + j] - inMean[j]) / inStd[j];
  const yTrain = Float32Array.from(trainTargets);
  const wTrain = Float32Array.from(trainWeights);

  // Validation data (raw inputs: predict standardises).
  const xVal = new Float32Array(nValidation * D);
  const yVal = new Float64Array(nValidation * C);
  const wVal = new Float64Array(nValidation);
  for (let r = 0; r < nValidation; r++) {
    const i = validationRows[r];
    for (let j = 0; j < D; j++) xVal[r * D + j] = data.inputs[i * D + j];
    for (let k = 0; k < C; k++) yVal[r * C + k] = data.targets[i * C + k];
    wVal[r] = weightsAll[i];
  }
  return { D, N, inMean, inStd, targetVariance, trained, outputScaling, xTrain, yTrain, wTrain, validation: { count: nValidation, x: xVal, y: yVal, w: wVal } };
}

// ---------------------------------------------------------------------------------------
// Minibatches.

/** Seeded minibatches of the training rows, copied into buffers that every batch reuses. */
export interface Minibatches {
  /** batches per epoch */
  readonly count: number;
  /** batch inputs (B × D), targets (B × C) and weights (B) of the last `fill` */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array;
  /** a new random order of the rows (Fisher–Yates on the 'shuffle' stream), once per epoch */
  shuffle(): void;
  /** copies batch b of the current order into x, y, w and returns its size B */
  fill(b: number): number;
}

export function minibatches(prepared: PreparedTrainingData, C: number, batchSize: number, seed: number): Minibatches {
  const { N, D, xTrain, yTrain, wTrain } = prepared;
  const random = createRandom(deriveSeed(seed, 'shuffle'));
  const perm = Int32Array.from({ length: N }, (_, i) => i);
  const xb = new Float32Array(batchSize * D);
  const yb = new Float32Array(batchSize * C);
  const wb = new Float32Array(batchSize);
  return {
    count: Math.ceil(N / batchSize),
    x: xb,
    y: yb,
    w: wb,
    shuffle() {
      for (let i = N - 1; i > 0; i--) {
        const j = Math.floor(random.uniform() * (i + 1));
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
    },
    fill(b) {
      const start = b * batchSize;
      const B = Math.min(batchSize, N - start);
      for (let e = 0; e < B; e++) {
        const r = perm[start + e];
        for (let j = 0; j < D; j++) xb[e * D + j] = xTrain[r * D + j];
        for (let k = 0; k < C; k++) yb[e * C + k] = yTrain[r * C + k];
        wb[e] = wTrain[r];
      }
      return B;
    },
  };
}
