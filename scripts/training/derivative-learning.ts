/**
 * Derivative learning (seed 003 sec. 2.2) with repulsive ensembles (seed 003 app. A;
 * D'Angelo & Fortuin, "Repulsive Deep Ensembles are Bayesian", NeurIPS 2021,
 * arXiv:2106.11642), in TensorFlow.js.
 *
 * What is learned. Events are simulated at θ0 only; each carries its exact joint
 * coefficients c(z) (c_0 = 1) on the monomial basis (scripts/simulators/types.ts). A network
 * regressing c(z) from the reco-level x with a mean-squared error converges to
 * E[c(z)|x] = ĉ(x) (eq. 12-14, 29-30), so that R̂(x|θ) = ĉ(x)·m(θ − θ0) is the reco-level
 * ratio of differential cross sections (eq. 26-27) for every θ at once.
 *
 * The network of one member:
 *
 *     x ─(x − μ_x)/σ_x─> MLP (default 3 × 64, swish, glorot-uniform, zero bias)
 *       ─> R raw outputs y ─(y·s_L + m_L)─> packed L ─> c = coefficients of vᵀ L Lᵀ v = ĉ(x)
 *
 * The head is the sum-of-squares head of models/basis/sum-of-squares.ts written in tf ops
 * (same packing, same mapping; with fixReference L_00 = 1, so ĉ_0 = 1 exactly and R̂(θ0) = 1):
 * every product L_ak L_bk (a ≥ b ≥ k) is formed from two constant selections of the raw
 * outputs, and c_γ = Σ_{a ≥ b: e_a + e_b = γ} w_ab Σ_k L_ak L_bk (w = 1 on the diagonal, 2
 * off it) by one matMul with a constant matrix: only 2-D matMuls and element-wise
 * products, which every backend differentiates (headTensors). A = L Lᵀ is
 * positive semidefinite for every real L, so R̂(x|θ) ≥ 0 for every θ by construction (no
 * clipping). The frozen format stores exactly these pieces (inputScaling, the dense layers,
 * outputScaling = {mean: m_L, std: s_L}, head 'sum-of-squares'): freeze.ts.
 *
 * Standardisation.
 * - Inputs: weighted mean and standard deviation of x over the training sample.
 * - Raw outputs (the entries of L): m_L = the Cholesky factor of the Gram matrix of the mean
 *   target c̄ (so an untrained network predicts about the best constant, c̄), s_L = the
 *   per-entry standard deviation of the Cholesky factors of the events' own Gram matrices
 *   (floored at a tenth of the largest, so an entry that is constant in the training data,
 *   like L_10 of the toy where c_1 ≡ 0, can still move). For degree 2 the Gram matrix of a
 *   quadratic is unique; for higher degrees each coefficient is split evenly over the pairs
 *   (a, b) that produce its monomial, projected onto the PSD cone where needed.
 * - Loss (output standardisation): each coefficient's squared error is divided by the
 *   variance v_k of its target over the training sample, v_k floored at `varianceFloor` × the
 *   largest v (a target that is constant in the data, e.g. c_1 ≡ 0 for the toy, still has
 *   a scale); coefficients fixed by construction (c_0 with fixReference) are left out.
 *   Linear rescalings of the targets do not move the minimum (seed 003 below eq. 17), so this
 *   only balances the coefficients' contributions.
 *
 * The loss of member i on a batch b of B events, weights w̃ normalised to mean 1 over the
 * training sample (fractional-smearing weights, eq. 35):
 *
 *     ℓ_i = (1/B) Σ_b w̃_b · ½ Σ_k (ĉ_ik(x_b) − c_k(z_b))² / v_k                  (data)
 *         + (λ/N) log Σ_j κ(f_i, sg[f_j])                                         (repulsion)
 *         + (1/N) ‖φ_i‖² / (2 s_prior²)                                            (prior, optional)
 *
 * and the step minimises Σ_i ℓ_i over all members' weights with Adam. The data term is the
 * per-event negative log-likelihood of a Gaussian model with the target variance as noise
 * (so N × data is −log p(D|φ_i), up to a constant), which is why the repulsion and the prior
 * are divided by N, the number of training events: the minibatch gradient is then 1/N times
 * the gradient of D'Angelo & Fortuin's objective, whose update for member i is Wasserstein
 * gradient descent (WGD) with a kernel density estimate of the members' density:
 *
 *     φ_i ← φ_i + ε [ ∇ log p(φ_i|D) − Σ_j ∇_{φ_i} κ(φ_i, φ_j) / Σ_j κ(φ_i, φ_j) ].
 *
 * sg[·] (stop-gradient, a zero-gradient custom op) makes the gradient of log Σ_j κ(f_i, f_j)
 * act on member i's first argument only, exactly that update. λ (`repulsion.strength`,
 * default 1, which is D'Angelo & Fortuin's update) scales the repulsion for studies.
 *
 * Repulsion space. 'function' (default, fWGD of D'Angelo & Fortuin): f_i is member i's
 * standardised output on the batch, ĉ_ik(x_b)/√v_k over the trained k, flattened (B·|T|
 * values): function space is free of the weight-space symmetries (permutations of hidden
 * units) that make weight-space distances meaningless. 'weight': f_i is all of member i's
 * weights, flattened. κ(f, f') = exp(−‖f − f'‖²/h), the RBF kernel with the median
 * heuristic of Liu & Wang (2016) that D'Angelo & Fortuin use: h = med²/log K, med² the median
 * of the squared distances between distinct members, recomputed every step (a constant of
 * the step: no gradient). With K = 1 there is no repulsion.
 *
 * The ensemble mean of ĉ is the estimate (still a PSD polynomial: a convex combination) and
 * the spread over members its uncertainty from limited training data.
 *
 * Reproducibility. Initialisers are seeded per member and layer, the validation split and
 * every epoch's shuffle come from models/random.ts, and no other randomness is used: the same
 * seed gives bit-identical weights on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import { cholesky, symmetricEigen } from '../../models/numeric/linear-algebra.js';
import { sumOfSquaresLayout, type SumOfSquaresLayout } from '../../models/basis/sum-of-squares.js';
import { createRandom } from '../../models/random.js';
import { deriveSeed } from '../simulators/types.js';
import { selectBackend, type BackendSelection } from './backend.js';

/** Activations that tfjs-layers' dense layers and the frozen runtime compute alike (frozen-network-schema.ts). */
export const TRAINABLE_ACTIVATIONS = ['relu', 'gelu', 'gelu_new', 'swish', 'tanh', 'elu', 'selu', 'sigmoid', 'softplus'] as const;
export type TrainableActivation = (typeof TRAINABLE_ACTIVATIONS)[number];

export type RepulsionKind = 'function' | 'weight' | 'none';

export interface DerivativeLearningConfig {
  /** parameters P of the basis */
  parameters: number;
  /** polynomial degree d of the ratio (even: the sum-of-squares head) */
  degree: number;
  /** hidden layer widths (default [64, 64, 64]) */
  hidden?: readonly number[];
  /**
   * hidden-layer activation (default 'swish', x·sigmoid(x): smooth, and computed from the same
   * formula by tfjs-layers and the runtime. 'gelu' is supported too, but tfjs evaluates its
   * erf by the Abramowitz-Stegun 7.1.26 approximation (error up to 1.5e-7) while the runtime
   * uses the exact erf, so its parity margin is smaller; it is also ~1.3× slower on wasm)
   */
  activation?: TrainableActivation;
  /** ensemble members K (default 4) */
  members?: number;
  epochs?: number;
  batchSize?: number;
  /** Adam's learning rate (default 1e-3) */
  learningRate?: number;
  /** learning rate of the last epoch; decays exponentially from learningRate per epoch (default: no decay) */
  finalLearningRate?: number;
  repulsion?: { kind?: RepulsionKind; strength?: number };
  /** Gaussian prior N(0, s²) on every weight (default: none) */
  priorStd?: number;
  /** fraction of the events held out for the validation loss (default 0.1; 0: none) */
  validationFraction?: number;
  /** floor of the target variances, relative to the largest (default 1e-3) */
  varianceFloor?: number;
  /** L_00 fixed to 1, so ĉ_0 = 1 and R̂(θ0) = 1 (default true; targets must have c_0 = 1) */
  fixReference?: boolean;
  seed: number;
}

export interface TrainingData {
  count: number;
  /** count × D reco-level observables */
  inputs: Float64Array | Float32Array;
  /** count × C joint coefficients c(z) (c_0 = 1) */
  targets: Float64Array | Float32Array;
  /** per-event weights (default 1) */
  weights?: Float64Array | Float32Array;
}

export interface TrainingProgress {
  epoch: number;
  epochs: number;
  /** mean data loss (½ Σ_k standardised squared error per event) over members, this epoch */
  loss: number;
  /** mean over members of (λ/N) log Σ_j κ_ij, this epoch */
  repulsion: number;
  validationLoss: number | null;
  learningRate: number;
  /** seconds since training began, and the estimate of those left */
  seconds: number;
  etaSeconds: number;
  eventsPerSecond: number;
}

export interface HistoryEntry {
  epoch: number;
  loss: number;
  repulsion: number;
  validationLoss: number | null;
  learningRate: number;
  seconds: number;
}

export interface EnsemblePrediction {
  /** per member, n × C, float32 as tfjs computes them */
  members: Float32Array[];
  /** the ensemble mean, n × C */
  mean: Float64Array;
}

export interface DerivativeLearningModel {
  readonly kind: 'derivative-learning';
  readonly members: tf.Sequential[];
  readonly inputs: number;
  readonly coefficients: number;
  readonly layout: SumOfSquaresLayout;
  readonly head: { kind: 'sum-of-squares'; parameters: number; degree: number; fixReference: boolean };
  readonly inputScaling: { mean: Float32Array; std: Float32Array };
  readonly outputScaling: { mean: Float32Array; std: Float32Array };
  /** v_k of the loss (after the floor), and which coefficients were trained */
  readonly targetVariance: Float64Array;
  readonly trainedCoefficients: readonly number[];
  readonly hidden: readonly number[];
  readonly activation: TrainableActivation;
  /** ĉ(x) of every member and their mean, for n events x (n × D) */
  predict(x: Float32Array | Float64Array, n: number, batchSize?: number): EnsemblePrediction;
  dispose(): void;
}

export interface TrainingResult {
  model: DerivativeLearningModel;
  history: HistoryEntry[];
  /** wall time of the training loop (epochs, including validation) */
  seconds: number;
  /** training events per second through the whole ensemble (events × epochs / seconds) */
  eventsPerSecond: number;
  backend: BackendSelection['name'];
  backendDetails: BackendSelection['details'];
  /** everything to record in provenance: the resolved configuration */
  configuration: Required<Omit<DerivativeLearningConfig, 'priorStd' | 'finalLearningRate' | 'repulsion'>> & { priorStd: number | null; finalLearningRate: number; repulsion: { kind: RepulsionKind; strength: number }; trainingEvents: number; validationEvents: number };
}

// ---------------------------------------------------------------------------------------
// The sum-of-squares head in tf ops.

interface HeadTensors {
  /** [R, T] and [R, T]: the factors L_ak and L_bk of every product term t = (a ≥ b, k ≤ b) taken from the raw outputs */
  left: tf.Tensor2D;
  right: tf.Tensor2D;
  /** [T]: the part of each factor that is the constant L_00 = 1 (fixReference), else 0 */
  leftFixed: tf.Tensor1D;
  rightFixed: tf.Tensor1D;
  /** [T, C]: term t adds w_ab (1 on the diagonal, 2 off it) to c_γ, γ = e_a + e_b */
  collect: tf.Tensor2D;
}

/**
 * The head as constant matrices: c = ((raw·S_L + s_L) ⊙ (raw·S_R + s_R)) · M, with one column
 * per product L_ak L_bk (a ≥ b ≥ k) of A_ab = Σ_k L_ak L_bk, so every step is a 2-D matMul
 * or element-wise (tf.gather's gradient needs UnsortedSegmentSum, which the wasm backend
 * lacks, and batched V×V matMuls are slow there).
 */
function headTensors(layout: SumOfSquaresLayout): HeadTensors {
  const { halfSize: V, size: C, fixReference, rawSize: R, pairTarget, pairWeight } = layout;
  const terms: { a: number; b: number; k: number }[] = [];
  for (let a = 0; a < V; a++) for (let b = 0; b <= a; b++) for (let k = 0; k <= b; k++) terms.push({ a, b, k });
  const T = terms.length;
  const left = new Float32Array(R * T);
  const right = new Float32Array(R * T);
  const leftFixed = new Float32Array(T);
  const rightFixed = new Float32Array(T);
  const collect = new Float32Array(T * C);
  // packing of sum-of-squares.ts: L_ab (b ≤ a) at a(a+1)/2 + b, minus 1 with fixReference (L_00 = 1)
  const put = (m: Float32Array, fixedVector: Float32Array, a: number, b: number, t: number) => {
    const p = (a * (a + 1)) / 2 + b;
    if (fixReference && p === 0) fixedVector[t] = 1;
    else m[(fixReference ? p - 1 : p) * T + t] = 1;
  };
  terms.forEach(({ a, b, k }, t) => {
    put(left, leftFixed, a, k, t);
    put(right, rightFixed, b, k, t);
    const pair = (a * (a + 1)) / 2 + b;
    collect[t * C + pairTarget[pair]] = pairWeight[pair];
  });
  return {
    left: tf.keep(tf.tensor2d(left, [R, T])),
    right: tf.keep(tf.tensor2d(right, [R, T])),
    leftFixed: tf.keep(tf.tensor1d(leftFixed)),
    rightFixed: tf.keep(tf.tensor1d(rightFixed)),
    collect: tf.keep(tf.tensor2d(collect, [T, C])),
  };
}

/** c = coefficients of vᵀ L Lᵀ v from the scaled raw outputs [B, R] → [B, C] (sum-of-squares.ts's mapping). */
function sumOfSquaresHead(head: HeadTensors, raw: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.matMul(raw, head.left).add(head.leftFixed);
    const v = tf.matMul(raw, head.right).add(head.rightFixed);
    return tf.matMul(u.mul(v) as tf.Tensor2D, head.collect);
  });
}

/**
 * The tf head on its own: the coefficients (n × C) of the scaled raw outputs `raw` (n × R),
 * computed with the same tf ops as in training (for checks against sum-of-squares.ts).
 */
export function sumOfSquaresHeadTf(layout: SumOfSquaresLayout, raw: Float32Array, n: number): Float32Array {
  const head = headTensors(layout);
  try {
    return tf.tidy(() => sumOfSquaresHead(head, tf.tensor2d(raw, [n, layout.rawSize])).dataSync() as Float32Array);
  } finally {
    for (const t of Object.values(head)) t.dispose();
  }
}

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

/** A zero-gradient identity: tf has no stopGradient. */
const stopGradient = tf.customGrad((...args) => ({ value: (args[0] as tf.Tensor).clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));

function buildMember(D: number, hidden: readonly number[], R: number, activation: TrainableActivation, seed: number): tf.Sequential {
  const model = tf.sequential();
  const widths = [...hidden, R];
  widths.forEach((units, l) => {
    model.add(
      tf.layers.dense({
        units,
        inputShape: l === 0 ? [D] : undefined,
        activation: l === widths.length - 1 ? 'linear' : activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, `kernel-${l}`) }),
        biasInitializer: 'zeros',
      }),
    );
  });
  return model;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/**
 * Trains a repulsive ensemble of derivative-learning networks (see the module comment) on
 * events simulated at θ0. `onProgress` is called after every epoch.
 */
export async function trainDerivativeLearning(
  config: DerivativeLearningConfig,
  data: TrainingData,
  onProgress?: (progress: TrainingProgress) => void,
  options: { backend?: BackendSelection } = {},
): Promise<TrainingResult> {
  const backend = options.backend ?? (await selectBackend());
  const P = config.parameters;
  const d = config.degree;
  const fixReference = config.fixReference ?? true;
  const layout = sumOfSquaresLayout(P, d, fixReference);
  const C = layout.size;
  const R = layout.rawSize;
  const hidden = [...(config.hidden ?? [64, 64, 64])];
  const activation = config.activation ?? 'swish';
  if (!TRAINABLE_ACTIVATIONS.includes(activation)) throw new RangeError(`activation must be one of ${TRAINABLE_ACTIVATIONS.join(', ')}, got ${activation}`);
  const K = config.members ?? 4;
  const epochs = config.epochs ?? 30;
  const batchSize = config.batchSize ?? 1024;
  const learningRate = config.learningRate ?? 1e-3;
  const finalLearningRate = config.finalLearningRate ?? learningRate;
  const repulsionKind: RepulsionKind = K > 1 ? (config.repulsion?.kind ?? 'function') : 'none';
  const strength = config.repulsion?.strength ?? 1;
  const priorStd = config.priorStd ?? null;
  const validationFraction = config.validationFraction ?? 0.1;
  const varianceFloor = config.varianceFloor ?? 1e-3;
  const seed = config.seed;
  for (const [name, v] of [['members', K], ['epochs', epochs], ['batchSize', batchSize]] as const) if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  for (const w of hidden) if (!Number.isInteger(w) || w < 1) throw new RangeError(`hidden widths must be positive integers, got ${w}`);
  if (!(learningRate > 0) || !(finalLearningRate > 0)) throw new RangeError('learning rates must be positive');
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
  if (!(strength >= 0)) throw new RangeError(`repulsion strength must be ≥ 0, got ${strength}`);
  if (priorStd !== null && !(priorStd > 0)) throw new RangeError(`priorStd must be positive, got ${priorStd}`);

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

  // Validation split (seeded).
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const splitRandom = createRandom(deriveSeed(seed, 'split'));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(splitRandom.uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nValidation = Math.floor(n * validationFraction);
  const validationRows = order.slice(0, nValidation);
  const trainRows = order.slice(nValidation);
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
  const targetVariance = new Float64Array(C);
  for (let k = 0; k < C; k++) targetVariance[k] = weightedMoments(trainTargets, N, C, k, trainWeights).std ** 2;
  const trained: number[] = [];
  for (let k = fixReference ? 1 : 0; k < C; k++) trained.push(k);
  const vmax = Math.max(...trained.map((k) => targetVariance[k]), 0);
  for (const k of trained) targetVariance[k] = Math.max(targetVariance[k], varianceFloor * vmax, 1e-30);
  const outputScaling = outputScalingOf(layout, trainTargets, trainWeights, Int32Array.from({ length: N }, (_, i) => i));

  // Tensors that live as long as the model.
  const head = headTensors(layout);
  // [C, T] selection of the trained coefficients (a matMul: tf.gather's gradient is missing on wasm)
  const selection = new Float32Array(C * trained.length);
  trained.forEach((k, t) => (selection[k * trained.length + t] = 1));
  const select = tf.keep(tf.tensor2d(selection, [C, trained.length]));
  const invVariance = tf.keep(tf.tensor1d(Float32Array.from(trained, (k) => 1 / targetVariance[k])));
  const invStd = tf.keep(tf.tensor1d(Float32Array.from(trained, (k) => 1 / Math.sqrt(targetVariance[k]))));
  const inMeanT = tf.keep(tf.tensor1d(inMean));
  const inStdT = tf.keep(tf.tensor1d(inStd));
  const outMeanT = tf.keep(tf.tensor1d(outputScaling.mean));
  const outStdT = tf.keep(tf.tensor1d(outputScaling.std));

  const members = Array.from({ length: K }, (_, m) => buildMember(D, hidden, R, activation, deriveSeed(seed, `member-${m}`)));
  const variables = members.map((model) => model.trainableWeights.map((w) => w.read() as tf.Variable));
  const allVariables = variables.flat();

  /** ĉ of one member for standardised inputs [B, D] → [B, C] */
  const memberCoefficients = (model: tf.Sequential, xs: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const raw = model.apply(xs, { training: true }) as tf.Tensor2D;
      return sumOfSquaresHead(head, raw.mul(outStdT).add(outMeanT) as tf.Tensor2D);
    });

  const predict = (x: Float32Array | Float64Array, count: number, predictBatch = 8192): EnsemblePrediction => {
    if (x.length < count * D) throw new RangeError(`expected ${count} × ${D} inputs, got ${x.length}`);
    const outs = members.map(() => new Float32Array(count * C));
    for (let start = 0; start < count; start += predictBatch) {
      const nb = Math.min(predictBatch, count - start);
      const xb = x instanceof Float32Array ? x.subarray(start * D, (start + nb) * D) : Float32Array.from(x.subarray(start * D, (start + nb) * D));
      const results = tf.tidy(() => {
        const xs = tf.tensor2d(xb, [nb, D]).sub(inMeanT).div(inStdT) as tf.Tensor2D;
        return members.map((model) => {
          const raw = model.apply(xs) as tf.Tensor2D;
          return sumOfSquaresHead(head, raw.mul(outStdT).add(outMeanT) as tf.Tensor2D);
        });
      });
      results.forEach((t, m) => {
        outs[m].set(t.dataSync(), start * C);
        t.dispose();
      });
    }
    const mean = new Float64Array(count * C);
    for (const o of outs) for (let k = 0; k < mean.length; k++) mean[k] += o[k];
    for (let k = 0; k < mean.length; k++) mean[k] /= K;
    return { members: outs, mean };
  };

  const model: DerivativeLearningModel = {
    kind: 'derivative-learning',
    members,
    inputs: D,
    coefficients: C,
    layout,
    head: { kind: 'sum-of-squares', parameters: P, degree: d, fixReference },
    inputScaling: { mean: inMean, std: inStd },
    outputScaling,
    targetVariance,
    trainedCoefficients: trained,
    hidden,
    activation,
    predict,
    dispose() {
      for (const m of members) m.dispose();
      for (const t of [head.left, head.right, head.leftFixed, head.rightFixed, head.collect, select, invVariance, invStd, inMeanT, inStdT, outMeanT, outStdT]) t.dispose();
    },
  };

  // Standardised training inputs in float32 (the same float32 mean/std as the frozen network).
  const xTrain = new Float32Array(N * D);
  for (let r = 0; r < N; r++) for (let j = 0; j < D; j++) xTrain[r * D + j] = (trainInputs[r * D + j] - inMean[j]) / inStd[j];
  const yTrain = Float32Array.from(trainTargets);
  const wTrain = Float32Array.from(trainWeights);

  const optimizer = tf.train.adam(learningRate);
  const shuffle = createRandom(deriveSeed(seed, 'shuffle'));
  const perm = Int32Array.from({ length: N }, (_, i) => i);
  const xb = new Float32Array(batchSize * D);
  const yb = new Float32Array(batchSize * C);
  const wb = new Float32Array(batchSize);
  const logK = Math.log(K);
  const history: HistoryEntry[] = [];
  const T = trained.length;

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
  const validationLoss = (): number | null => {
    if (nValidation === 0) return null;
    const { members: outs } = predict(xVal, nValidation);
    let total = 0;
    let wv = 0;
    for (let r = 0; r < nValidation; r++) wv += wVal[r];
    for (const o of outs) {
      let s = 0;
      for (let r = 0; r < nValidation; r++) {
        let e = 0;
        for (const k of trained) e += (o[r * C + k] - yVal[r * C + k]) ** 2 / targetVariance[k];
        s += wVal[r] * 0.5 * e;
      }
      total += s / wv;
    }
    return total / K;
  };

  const t0 = performance.now();
  const batches = Math.ceil(N / batchSize);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const lr = epochs > 1 ? learningRate * Math.pow(finalLearningRate / learningRate, (epoch - 1) / (epochs - 1)) : learningRate;
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(shuffle.uniform() * (i + 1));
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    let dataSum = 0;
    let repulsionSum = 0;
    let events = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const B = Math.min(batchSize, N - start);
      for (let e = 0; e < B; e++) {
        const r = perm[start + e];
        for (let j = 0; j < D; j++) xb[e * D + j] = xTrain[r * D + j];
        for (let k = 0; k < C; k++) yb[e * C + k] = yTrain[r * C + k];
        wb[e] = wTrain[r];
      }
      let dataValue = 0;
      let repulsionValue = 0;
      const cost = tf.tidy(() => {
        const xs = tf.tensor2d(xb.subarray(0, B * D), [B, D]);
        const ys = tf.tensor2d(yb.subarray(0, B * C), [B, C]).matMul(select);
        const ws = tf.tensor1d(wb.subarray(0, B));
        return optimizer.minimize(
          () => {
            const outputs = members.map((m) => memberCoefficients(m, xs).matMul(select));
            // data term per member: (1/B) Σ_b w_b ½ Σ_k (ĉ − c)²/v_k
            const dataTerms = outputs.map((o) => o.sub(ys).square().mul(invVariance).sum(1).mul(ws).mean().mul(0.5));
            let total = tf.addN(dataTerms) as tf.Scalar;
            const dataMean = total.div(K);
            dataValue = dataMean.dataSync()[0];
            if (repulsionKind !== 'none' && strength > 0) {
              const F =
                repulsionKind === 'function'
                  ? tf.stack(outputs.map((o) => o.mul(invStd).reshape([B * T])))
                  : tf.stack(variables.map((vs) => tf.concat(vs.map((v) => v.reshape([-1])))));
              const Fd = stopGradient(F);
              // squared distances ‖f_i − sg f_j‖², [K, K]
              const D2 = F.expandDims(1).sub(Fd.expandDims(0)).square().sum(2);
              const d2 = D2.dataSync();
              const off: number[] = [];
              for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) off.push(d2[i * K + j]);
              const h = Math.max(median(off) / logK, 1e-30);
              const logKde = D2.div(-h).exp().sum(1).log(); // [K]: log Σ_j κ(f_i, sg f_j)
              const repulsion = logKde.sum().mul(strength / N);
              repulsionValue = repulsion.dataSync()[0] / K;
              total = total.add(repulsion);
            }
            if (priorStd !== null) {
              const prior = tf.addN(allVariables.map((v) => v.square().sum())).mul(1 / (2 * priorStd * priorStd * N));
              total = total.add(prior);
            }
            return total as tf.Scalar;
          },
          true,
          allVariables,
        ) as tf.Scalar;
      });
      cost.dispose();
      dataSum += dataValue * B;
      repulsionSum += repulsionValue * B;
      events += B;
    }
    const val = validationLoss();
    const seconds = (performance.now() - t0) / 1000;
    const entry: HistoryEntry = { epoch, loss: dataSum / events, repulsion: repulsionSum / events, validationLoss: val, learningRate: lr, seconds };
    history.push(entry);
    if (!Number.isFinite(entry.loss)) {
      optimizer.dispose();
      model.dispose();
      throw new Error(`training diverged at epoch ${epoch}: loss ${entry.loss}`);
    }
    onProgress?.({ epoch, epochs, loss: entry.loss, repulsion: entry.repulsion, validationLoss: val, learningRate: lr, seconds, etaSeconds: (seconds / epoch) * (epochs - epoch), eventsPerSecond: (N * epoch) / seconds });
  }
  optimizer.dispose();
  const seconds = (performance.now() - t0) / 1000;
  return {
    model,
    history,
    seconds,
    eventsPerSecond: (N * epochs) / seconds,
    backend: backend.name,
    backendDetails: backend.details,
    configuration: {
      parameters: P,
      degree: d,
      hidden,
      activation,
      members: K,
      epochs,
      batchSize,
      learningRate,
      finalLearningRate,
      repulsion: { kind: repulsionKind, strength },
      priorStd,
      validationFraction,
      varianceFloor,
      fixReference,
      seed,
      trainingEvents: N,
      validationEvents: nValidation,
    },
  };
}
