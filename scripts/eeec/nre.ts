/**
 * Neural ratio estimation (Hermans, Begy, Louppe 2020; seed 002): a classifier d(x, m) told
 * apart joint pairs (x_i, m_i), an observation with the mass it was simulated at, from
 * marginal pairs (x_i, m_j), the same observation with another observation's mass. Its logit
 * then approximates ln r(x, m) = ln p(x | m)/p(x) = ln p(m | x)/p(m), so with the uniform
 * prior the observations were drawn from, the posterior on a grid is e^logit normalised
 * (models/inference/posterior.ts ratioPosterior), with its mode and HPD regions.
 */
import { uniformGrid } from '../../models/inference/intervals/profile.js';
import { hpdCredibility, hpdRegion, posteriorMode, ratioPosterior } from '../../models/inference/posterior.js';
import type { FrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { deriveSeed } from '../simulators/types.js';
import { freezeLogit, meanLogitReference, parityCheck, type ParityResult } from '../training/freeze.js';
import { trainMlp, type EnsembleOptions } from '../training/weighted-mlp.js';

export interface RatioEstimatorConfig extends EnsembleOptions {
  /** marginal pairings per observation (each a fresh permutation of the masses) */
  contrastive?: number;
  seed: number;
}

export interface RatioEstimator {
  /** inputs: the summary's bins, then m; identity head on ln r̂ */
  network: FrozenNetwork;
  seconds: number;
  finalLoss: number;
  /** the frozen runtime against tfjs on up to 2 000 of the training rows */
  parity: ParityResult;
}

/** Trains d(x, m) on n observations (summaries n × bins) and their masses. */
export function trainRatioEstimator(summaries: Float64Array, masses: Float64Array, bins: number, config: RatioEstimatorConfig): RatioEstimator {
  const n = masses.length;
  const pairings = config.contrastive ?? 2;
  const width = bins + 1;
  const rows = n * (1 + pairings);
  const x = new Float64Array(rows * width);
  const labels = new Float32Array(rows);
  const weights = new Float64Array(rows);
  const random = createRandom(deriveSeed(config.seed, 'pairings'));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let pass = 0; pass <= pairings; pass++) {
    if (pass > 0) {
      // a fresh permutation: observation i with the mass of observation order[i]
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random.uniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    for (let i = 0; i < n; i++) {
      const row = pass * n + i;
      x.set(summaries.subarray(i * bins, (i + 1) * bins), row * width);
      x[row * width + bins] = masses[pass === 0 ? i : order[i]];
      labels[row] = pass === 0 ? 1 : 0;
      // both classes of equal total weight: the logit is then ln p(x, m)/(p(x) p(m))
      weights[row] = pass === 0 ? pairings : 1;
    }
  }
  const trained = trainMlp(x, rows, width, labels, weights, 'sigmoid', 1, {
    hidden: config.hidden ?? [64, 64],
    activation: config.activation ?? 'swish',
    epochs: config.epochs ?? 40,
    batchSize: config.batchSize ?? 256,
    learningRate: config.learningRate ?? 2e-3,
    finalLearningRate: config.finalLearningRate ?? 2e-4,
    members: config.members ?? 1,
    seed: deriveSeed(config.seed, 'classifier'),
  });
  const network = freezeLogit(trained, width);
  const held = Math.min(rows, 2000);
  const parity = parityCheck(meanLogitReference(trained, width), network, x.subarray(0, held * width), held);
  const result = { network, seconds: trained.seconds, finalLoss: trained.history.at(-1) ?? NaN, parity };
  trained.dispose();
  return result;
}

/** The grid the posteriors are tabulated on: the prior's range in 0.02-GeV steps. */
export function massGrid(prior: [number, number], step = 0.02): Float64Array {
  const n = Math.round((prior[1] - prior[0]) / step) + 1;
  return Float64Array.from(uniformGrid(prior[0], prior[1], n));
}

export interface PosteriorSummary {
  /** p(m | x) on the grid */
  density: Float64Array;
  mode: number;
  /** HPD regions at 68% and 95% */
  hpd68: [number, number][];
  hpd95: [number, number][];
  /** half the 68% region's extent, max − min over its intervals: the seed's width */
  halfWidth68: number;
}

export function summarisePosterior(estimator: RatioEstimator, summary: ArrayLike<number>, grid: Float64Array): PosteriorSummary {
  const p = ratioPosterior(estimator.network, summary, grid);
  const hpd68 = hpdRegion(grid, p, 0.68).intervals;
  const hpd95 = hpdRegion(grid, p, 0.95).intervals;
  return { density: p, mode: posteriorMode(grid, p), hpd68, hpd95, halfWidth68: (hpd68[hpd68.length - 1][1] - hpd68[0][0]) / 2 };
}

/**
 * Expected coverage of the HPD regions over test observations drawn from the prior: the
 * fraction whose true mass lies inside the region of each credibility, with binomial errors.
 */
export function expectedCoverage(estimator: RatioEstimator, summaries: Float64Array, masses: Float64Array, bins: number, grid: Float64Array, levels: number[]): { credibilities: number[]; coverage: { level: number; coverage: number; error: number; observations: number }[] } {
  const credibilities = Array.from(masses, (m, i) => hpdCredibility(grid, ratioPosterior(estimator.network, summaries.subarray(i * bins, (i + 1) * bins), grid), m));
  const n = credibilities.length;
  const coverage = levels.map((level) => {
    const c = credibilities.filter((v) => v <= level).length / n;
    return { level, coverage: c, error: Math.sqrt((c * (1 - c)) / n), observations: n };
  });
  return { credibilities, coverage };
}
