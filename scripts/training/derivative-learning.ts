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
 * - Relative weighting (`relativeFloor` f): 1/v_k becomes 1/(sg[ĉ_k(x)]² + f² v_k), the
 *   member's own prediction held constant (iteratively reweighted least squares). A weight
 *   that depends on x alone leaves the pointwise minimiser at E[c_k|x]; what changes is how the
 *   loss trades errors between regions. Where a coefficient spans decades (c_θ² of the α = 4
 *   toy: 10⁻⁷ in the bulk, 10³ in the tail), the variance weighting leaves the bulk to the
 *   tail's noise; this weighting measures errors relative to ĉ_k + f√v_k instead, the scale
 *   on which they move ln R̂ = ln(ĉ·m(θ)) for θ² ≈ 1/(f√v_k).
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
 *
 * Files: this module holds the configuration, the result types and `trainDerivativeLearning`,
 * which resolves the configuration and runs the steps: derivative-learning-data.ts (validation
 * split, standardisation, minibatches), derivative-learning-model.ts (the members and
 * `predict`), sum-of-squares-head-tf.ts (the head in tf ops), derivative-learning-loss.ts (the
 * batch loss and the validation loss), repulsive-ensemble.ts (the repulsion term) and
 * derivative-learning-loop.ts (the epochs).
 */
import type * as tf from '@tensorflow/tfjs';
import { sumOfSquaresLayout, type SumOfSquaresLayout } from '../../models/basis/sum-of-squares.js';
import { selectBackend, type BackendSelection } from './backend.js';
import { prepareTrainingData } from './derivative-learning-data.js';
import { trainEpochs } from './derivative-learning-loop.js';
import { createEnsemble } from './derivative-learning-model.js';
import { resolveLgatr, type LgatrArchitecture, type LgatrTfMember, type ResolvedLgatr } from './lgatr-tf.js';

export { sumOfSquaresHeadTf } from './sum-of-squares-head-tf.js';

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
  /**
   * f of the relative loss weighting: each coefficient's squared error weighted by
   * 1/(sg[ĉ_k(x)]² + f² v_k) instead of 1/v_k (default: none). The weight depends on x alone, so
   * the minimiser is still E[c_k|x] (iteratively reweighted least squares), but events where ĉ_k is
   * small are no longer drowned by the tail where it is large
   */
  relativeFloor?: number | null;
  /**
   * the members' architecture: 'mlp' (default; `hidden`, `activation`) or an L-GATr
   * (lgatr-tf.ts; seed 003 sec. 2.4), e.g. { kind: 'lgatr', tokens: [[0, 1, 2, 3], [4, 5, 6, 7]],
   * scalars: [8], momentumScale: 1 / 100, channels: 8, scalarChannels: 16, blocks: 2, heads: 2 }:
   * the same loss, head, output scaling and repulsion. Freeze with freezeModel (freeze.ts), which
   * writes 'frozen-lgatr/1'
   */
  architecture?: 'mlp' | LgatrArchitecture;
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
  /** the MLP members (empty for an L-GATr ensemble: see lgatrMembers) */
  readonly members: tf.Sequential[];
  /** 'mlp', or the resolved L-GATr whose members are lgatrMembers */
  readonly architecture: 'mlp' | ResolvedLgatr;
  readonly lgatrMembers: readonly LgatrTfMember[];
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
  configuration: Required<Omit<DerivativeLearningConfig, 'priorStd' | 'finalLearningRate' | 'repulsion' | 'relativeFloor' | 'architecture'>> & { architecture?: ResolvedLgatr; relativeFloor: number | null; priorStd: number | null; finalLearningRate: number; repulsion: { kind: RepulsionKind; strength: number }; trainingEvents: number; validationEvents: number };
}

/** The configuration resolved: defaults filled in and checked, with the head's layout. */
export interface DerivativeLearningSettings {
  parameters: number;
  degree: number;
  fixReference: boolean;
  relativeFloor: number | null;
  layout: SumOfSquaresLayout;
  hidden: number[];
  activation: TrainableActivation;
  /** ensemble members K */
  members: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate: number;
  /** 'none' whenever K = 1 */
  repulsionKind: RepulsionKind;
  /** λ */
  strength: number;
  priorStd: number | null;
  validationFraction: number;
  varianceFloor: number;
  /** 'mlp' or the resolved L-GATr */
  architecture: 'mlp' | ResolvedLgatr;
  seed: number;
}

/** Fills in the defaults and checks the configuration against D inputs (a RangeError names what is wrong). */
function resolveSettings(config: DerivativeLearningConfig, D: number): DerivativeLearningSettings {
  const fixReference = config.fixReference ?? true;
  const relativeFloor = config.relativeFloor ?? null;
  if (relativeFloor !== null && !(relativeFloor > 0)) throw new RangeError(`relativeFloor must be positive, got ${relativeFloor}`);
  const layout = sumOfSquaresLayout(config.parameters, config.degree, fixReference);
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
  for (const [name, v] of [['members', K], ['epochs', epochs], ['batchSize', batchSize]] as const) if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  for (const w of hidden) if (!Number.isInteger(w) || w < 1) throw new RangeError(`hidden widths must be positive integers, got ${w}`);
  if (!(learningRate > 0) || !(finalLearningRate > 0)) throw new RangeError('learning rates must be positive');
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
  if (!(strength >= 0)) throw new RangeError(`repulsion strength must be ≥ 0, got ${strength}`);
  if (priorStd !== null && !(priorStd > 0)) throw new RangeError(`priorStd must be positive, got ${priorStd}`);
  const a = config.architecture ?? 'mlp';
  if (a !== 'mlp' && a?.kind !== 'lgatr') throw new RangeError(`architecture must be 'mlp' or { kind: 'lgatr', … }, got ${JSON.stringify(a)}`);
  const architecture = a === 'mlp' ? 'mlp' : resolveLgatr(a, D);
  return { parameters: config.parameters, degree: config.degree, fixReference, relativeFloor, layout, hidden, activation, members: K, epochs, batchSize, learningRate, finalLearningRate, repulsionKind, strength, priorStd, validationFraction, varianceFloor, architecture, seed: config.seed };
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
  const settings = resolveSettings(config, data.count > 0 ? data.inputs.length / data.count : 0);
  const prepared = prepareTrainingData(data, settings);
  const ensemble = createEnsemble(settings, prepared);
  const { history, seconds } = trainEpochs(ensemble, prepared, settings, onProgress);
  const { parameters, degree, hidden, activation, members, epochs, batchSize, learningRate, finalLearningRate, repulsionKind, strength, priorStd, validationFraction, varianceFloor, fixReference, relativeFloor, seed } = settings;
  return {
    model: ensemble.model,
    history,
    seconds,
    eventsPerSecond: (prepared.N * epochs) / seconds,
    backend: backend.name,
    backendDetails: backend.details,
    configuration: {
      parameters,
      degree,
      hidden,
      activation,
      members,
      epochs,
      batchSize,
      learningRate,
      finalLearningRate,
      repulsion: { kind: repulsionKind, strength },
      priorStd,
      validationFraction,
      varianceFloor,
      fixReference,
      relativeFloor,
      seed,
      trainingEvents: prepared.N,
      validationEvents: prepared.validation.count,
      ...(settings.architecture === 'mlp' ? {} : { architecture: settings.architecture }),
    },
  };
}
