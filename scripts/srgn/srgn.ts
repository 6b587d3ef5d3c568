/**
 * The SRGN fit (seed 004 eq. 4-5): at a trial θ', a classifier g is trained to separate the
 * data (x_S, label 1) from the nominal simulation (x_S, label 0) weighted by the generator-level
 * reweighting w(x_G, θ') (eq. 4); the AUC of g on held-out events measures how well the
 * reweighted simulation still differs from the data, and θ_SRGN = argmin AUC (eq. 5), found
 * with Powell's derivative-free method, as the seed does (fig. 5).
 *
 * Training and validation halves are fixed (the seed's 50/50 split), and g starts from the
 * same initial weights and sees the same batches at every θ' of one fit (its seed fixed): the
 * AUC then changes with θ' through the weights alone, not through the classifier's random
 * initialisation, which keeps the objective smooth enough for a line search.
 *
 * The alternative of appendix B, θ' maximising g's trained loss, is measured beside it: unlike
 * the AUC, which is normalised by the weights' total, the loss grows with the total weight
 * Σ w(θ'), so any θ'-dependence of the learned weights' normalisation moves its maximum.
 */
import { weightedAuc } from '../../models/inference/auc.js';
import { powell, type PowellResult } from '../../models/numeric/powell.js';
import { deriveSeed } from '../simulators/types.js';
import { trainMlp, type MlpConfig } from '../training/weighted-mlp.js';

export interface SrgnSamples {
  /** data: n × S simulation-level rows */
  data: Float64Array;
  /** the nominal simulation: m × S rows */
  simulation: Float64Array;
  /** features per row */
  S: number;
  /** the weights w(x_G, θ') of the nominal simulation's events (from their generator-level features), mean 1 */
  weightsAt(theta: Float64Array): Float64Array;
}

/**
 * Defaults: two hidden layers of 32 ReLU units (the seed: 128), 3 epochs of batches of 500 (the
 * seed: 1 000, early stopping). Too few steps leave g unable to separate anything and the AUC
 * flat: with exact weights, 4 000 events and 8 steps of 1 000, fits land at 1.18, 2.0 and −2.0 for
 * μ = 1; with 80 steps of 200, at 1.00, 0.95 and 0.97.
 */
export type ClassifierConfig = Partial<Pick<MlpConfig, 'hidden' | 'epochs' | 'batchSize' | 'learningRate'>> & { seed: number };

export interface SrgnPoint {
  /** AUC of g on the held-out halves, data against the weighted simulation */
  auc: number;
  /** g's weighted binary cross entropy on the held-out halves, per unit weight of data (eq. 4 with its sign flipped; appendix B maximises it) */
  loss: number;
}

/** AUC and loss of a classifier g trained at θ' (eq. 4-5). */
export function srgnPoint(samples: SrgnSamples, theta: Float64Array, config: ClassifierConfig): SrgnPoint {
  const { data, simulation, S } = samples;
  const n = data.length / S;
  const m = simulation.length / S;
  const w = samples.weightsAt(theta);
  const nTrain = n >> 1;
  const mTrain = m >> 1;
  const rows = nTrain + mTrain;
  const x = new Float64Array(rows * S);
  x.set(data.subarray(0, nTrain * S));
  x.set(simulation.subarray(0, mTrain * S), nTrain * S);
  const labels = new Float32Array(rows);
  labels.fill(1, 0, nTrain);
  const weights = new Float64Array(rows);
  weights.fill(1, 0, nTrain);
  weights.set(w.subarray(0, mTrain), nTrain);
  const g = trainMlp(x, rows, S, labels, weights, 'sigmoid', 1, {
    hidden: config.hidden ?? [32, 32],
    activation: 'relu',
    epochs: config.epochs ?? 3,
    batchSize: config.batchSize ?? 500,
    learningRate: config.learningRate ?? 2e-3,
    seed: deriveSeed(config.seed, 'srgn-classifier'),
  });
  const heldData = g.predict(data.subarray(nTrain * S), n - nTrain);
  const heldSimulation = g.predict(simulation.subarray(mTrain * S), m - mTrain);
  g.dispose();
  const heldWeights = w.subarray(mTrain);
  let loss = 0;
  for (let i = 0; i < heldData.length; i++) loss -= Math.log(Math.max(heldData[i], 1e-12));
  for (let i = 0; i < heldSimulation.length; i++) loss -= heldWeights[i] * Math.log(Math.max(1 - heldSimulation[i], 1e-12));
  return { auc: weightedAuc(heldData, null, heldSimulation, heldWeights), loss: loss / heldData.length };
}

export interface SrgnFit extends PowellResult {
  /** every θ' tried, with its AUC */
  trials: { theta: number[]; auc: number }[];
}

/**
 * θ_SRGN = argmin_θ' AUC(θ') inside the parameters' box, from θ0 (eq. 5; Powell, xtol = ftol =
 * 1e-4, ≤ 100 iterations, as fig. 5), and at most 60 classifier trainings per parameter: the
 * AUC of a trained g is noisy at the 10⁻³ level, so in two dimensions Powell's iterations can go
 * on lowering it by more than ftol (one fit of table II took over 30 minutes before this cap).
 */
export function srgnFit(samples: SrgnSamples, start: ArrayLike<number>, bounds: { lower: number[]; upper: number[] }, config: ClassifierConfig, maxIterations = 100): SrgnFit {
  const trials: SrgnFit['trials'] = [];
  const result = powell(
    (theta) => {
      const { auc } = srgnPoint(samples, theta, config);
      trials.push({ theta: Array.from(theta), auc });
      return auc;
    },
    start,
    { ...bounds, xtol: 1e-4, ftol: 1e-4, maxIterations, maxEvaluations: 60 * start.length },
  );
  return { ...result, trials };
}
