/**
 * θ-parametrised likelihood-ratio classifiers, CARL and ALICE (seed 003 eq. 6-11): a network
 * f(x, θ) separates events drawn at θ ~ q(θ) (label 1) from events drawn at θ0 (label 0)
 * that are shown the same θ. With each class's weights normalised to the same total, the
 * optimal logit is ln r(x|θ, θ0) = ln[p(x|θ)/p(x|θ0)] (eq. 9 with the labels swapped), and
 * the frozen network's single identity output is that log-ratio: the input of the artifact's
 * parametrised term (models/terms/unbinned-parametrised.ts).
 *
 * - CARL: hard labels (eq. 8).
 * - ALICE: soft labels from the joint ratio, s = r(z|θ, θ0)/(1 + r(z|θ, θ0)) on both samples'
 *   events (eq. 10-11), r(z|θ, θ0) = R(z|θ) σ(θ0)/σ(θ) with R(z|θ) = c(z)·m(Δθ): the same
 *   minimum, reached with less variance.
 *
 * The prior q(θ) is sampled at `thetaDraws` points, each with events/thetaDraws events at θ and
 * as many at θ0 (drawn once, for all θ, from one stream), as MadMiner does: the budget is the
 * number of simulated events, `events` at θ and `events` at θ0. σ(θ)/σ0 = s·m(Δθ) is given (the
 * generator's, exact for the toy): ALICE's labels need it, and a classifier cannot learn it.
 */
import { evaluateMonomials, polynomialValue, type MonomialBasis } from '../../models/basis/monomial-basis.js';
import type { FrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { deriveSeed, type SimulatedSample, type Simulator } from '../simulators/types.js';
import { freezeLogit } from './freeze.js';
import { trainMlp, type EnsembleOptions } from './weighted-mlp.js';

export type ParametrisedMethod = 'carl' | 'alice';

/** Defaults: 4 members of (32, 32, 32) swish, 20 epochs, batches of 2048, learning rate 2e-3, repulsion 1, Fisher cap 1e4. */
export interface ParametrisedClassifierConfig extends EnsembleOptions {
  method: ParametrisedMethod;
  /** events simulated at θ (spread over the prior's draws), and as many at θ0 */
  events: number;
  /** the prior q(θ): a normal distribution per parameter (default: the standard normal around θ0, as seed 003 sec. 3.1) */
  prior?: { mean: number[]; sd: number[] };
  /** distinct θ drawn from the prior (default 1000) */
  thetaDraws?: number;
  /** σ(θ)/σ(θ0) as coefficients on the simulator's monomial basis */
  crossSection: ArrayLike<number>;
  seed: number;
}

export interface ParametrisedClassifierResult {
  /** inputs: the observables, then θ; one identity output ln r̂(x|θ, θ0); one member per ensemble member */
  frozen: FrozenNetwork;
  /** each member's ln r̂ from tfjs and their mean, on rows (x, θ) (the parity reference) */
  predict(rows: Float32Array | Float64Array, n: number): { members: Float64Array[]; mean: Float64Array };
  seconds: number;
  eventsPerSecond: number;
  configuration: Required<Omit<ParametrisedClassifierConfig, 'crossSection' | 'fisherWeightCap' | 'finalLearningRate'>> & { fisherWeightCap: number | null; finalLearningRate: number; trainingRows: number };
  dispose(): void;
}

/** The training rows (x, θ) with labels and weights: each θ draw's events at θ and at θ0, each class normalised to the same total. */
export function parametrisedTrainingRows(
  simulator: Simulator,
  config: Pick<ParametrisedClassifierConfig, 'method' | 'events' | 'prior' | 'thetaDraws' | 'crossSection' | 'seed'>,
): { x: Float64Array; labels: Float32Array; weights: Float64Array; count: number; thetas: Float64Array } {
  const P = simulator.parameters.length;
  const D = simulator.observables.length;
  const basis: MonomialBasis = simulator.basis;
  const C = basis.size;
  const theta0 = simulator.parameters.map((p) => p.reference);
  const { thetas, samples, perDraw } = samplesFromPrior(simulator, config);
  const draws = samples.length;
  const reference = simulator.simulate({ events: perDraw * draws, seed: deriveSeed(config.seed, 'theta0') });
  const atTheta = samples.reduce((n, s) => n + s.count, 0);
  const count = reference.count + atTheta;
  const W = D + P;
  const x = new Float64Array(count * W);
  const labels = new Float32Array(count);
  const weights = new Float64Array(count);
  const m = new Float64Array(C);
  const dtheta = new Float64Array(P);
  const classTotal = [0, 0];
  for (let e = 0; e < reference.count; e++) classTotal[0] += reference.weights[e];
  for (const s of samples) for (let e = 0; e < s.count; e++) classTotal[1] += s.weights[e];

  let row = 0;
  // θ0 events are dealt out to the θ draws in order: reference event e is shown θ of draw ⌊e / perDraw⌋
  const put = (reco: Float64Array, e: number, coefficients: Float64Array, weight: number, k: number, label: 0 | 1) => {
    for (let i = 0; i < D; i++) x[row * W + i] = reco[e * D + i];
    for (let j = 0; j < P; j++) {
      x[row * W + D + j] = thetas[k * P + j];
      dtheta[j] = thetas[k * P + j] - theta0[j];
    }
    if (config.method === 'alice') {
      evaluateMonomials(basis, dtheta, m);
      const r = polynomialValue(coefficients, m, e * C) / polynomialValue(config.crossSection, m);
      labels[row] = r / (1 + r);
    } else labels[row] = label;
    weights[row] = weight / classTotal[label];
    row++;
  };
  for (let e = 0; e < reference.count; e++) put(reference.reco, e, reference.coefficients, reference.weights[e], Math.min(draws - 1, Math.floor(e / perDraw)), 0);
  samples.forEach((s, k) => {
    for (let e = 0; e < s.count; e++) put(s.reco, e, s.coefficients, s.weights[e], k, 1);
  });
  return { x, labels, weights, count, thetas };
}

/**
 * θ drawn from the prior q(θ) (default: the standard normal around θ0) at `thetaDraws` points
 * (default 1000), and events/thetaDraws events simulated at each, each draw from its own stream.
 */
export function samplesFromPrior(simulator: Simulator, config: Pick<ParametrisedClassifierConfig, 'events' | 'prior' | 'thetaDraws' | 'seed'>): { thetas: Float64Array; samples: SimulatedSample[]; perDraw: number } {
  const P = simulator.parameters.length;
  const theta0 = simulator.parameters.map((p) => p.reference);
  const prior = config.prior ?? { mean: theta0, sd: theta0.map(() => 1) };
  const draws = config.thetaDraws ?? 1000;
  const perDraw = Math.max(1, Math.round(config.events / draws));
  const rng = createRandom(deriveSeed(config.seed, 'prior'));
  const thetas = new Float64Array(draws * P);
  for (let k = 0; k < draws; k++) for (let j = 0; j < P; j++) thetas[k * P + j] = prior.mean[j] + prior.sd[j] * rng.normal();
  const samples = Array.from({ length: draws }, (_, k) => simulator.simulate({ events: perDraw, theta: thetas.subarray(k * P, (k + 1) * P), seed: deriveSeed(config.seed, `theta-${k}`) }));
  return { thetas, samples, perDraw };
}

/** The settings with their defaults that every estimator trained on θ from a prior shares (this one and morphing-aware-joint.ts). */
export function priorSettings(simulator: Simulator, config: Omit<ParametrisedClassifierConfig, 'method' | 'crossSection' | 'fisherWeightCap'>) {
  return {
    events: config.events,
    prior: config.prior ?? { mean: simulator.parameters.map((p) => p.reference), sd: simulator.parameters.map(() => 1) },
    thetaDraws: config.thetaDraws ?? 1000,
    hidden: config.hidden ?? [32, 32, 32],
    activation: config.activation ?? 'swish',
    members: config.members ?? 4,
    epochs: config.epochs ?? 20,
    batchSize: config.batchSize ?? 2048,
    learningRate: config.learningRate ?? 2e-3,
    repulsionStrength: config.repulsionStrength ?? 1,
    seed: config.seed,
  };
}

/** Trains a repulsive ensemble of θ-parametrised classifiers and freezes it with an identity head on the logit. */
export async function trainParametrisedClassifier(simulator: Simulator, config: ParametrisedClassifierConfig, onEpoch?: (epoch: number, epochs: number, loss: number) => void): Promise<ParametrisedClassifierResult> {
  const P = simulator.parameters.length;
  const D = simulator.observables.length;
  const settings = { method: config.method, ...priorSettings(simulator, config), fisherWeightCap: config.fisherWeightCap === undefined ? 1e4 : config.fisherWeightCap };
  const finalLearningRate = config.finalLearningRate ?? settings.learningRate;
  const rows = parametrisedTrainingRows(simulator, { ...config, prior: settings.prior, thetaDraws: settings.thetaDraws });
  const started = performance.now();
  const trained = await trainMlp(rows.x, rows.count, D + P, rows.labels, rows.weights, 'sigmoid', 1, { ...settings, finalLearningRate, seed: deriveSeed(config.seed, 'ensemble') }, (epoch, loss) =>
    onEpoch?.(epoch, settings.epochs, loss),
  );
  const seconds = (performance.now() - started) / 1000;
  const frozen = freezeLogit(trained, D + P);
  const predict = (x: Float32Array | Float64Array, n: number) => {
    const members = trained.logits(x, n).map((z) => Float64Array.from(z));
    const mean = new Float64Array(n);
    for (const z of members) for (let i = 0; i < n; i++) mean[i] += z[i] / members.length;
    return { members, mean };
  };
  return {
    frozen,
    predict,
    seconds,
    eventsPerSecond: (rows.count * settings.epochs) / seconds,
    configuration: { ...settings, finalLearningRate, trainingRows: rows.count },
    dispose: () => trained.dispose(),
  };
}
