/**
 * Issue 17 item 4, coverage of the learned likelihoods (seed 003 app. A, fig. 12): toys at the
 * SM drawn from a pool of selected events the networks never saw (the study's generator
 * sample, over which σ(θ) was summed), each toy's q(θ_SM) with all three coefficients pinned,
 * against χ²₃.
 *
 * A toy has n ~ Poisson(L σ × acceptance) events drawn with replacement from the pool with
 * probability ∝ their weights (importance-sampled events become unweighted toy events). The
 * pool must hold many more effective events than a toy, or toys repeat events; the study
 * records both sizes.
 */
import { coverageEstimates, toyTestStatistic, type CoverageEstimate } from '../../models/inference/coverage.js';
import type { Likelihood } from '../../models/likelihood/likelihood.js';
import { createRandom, type Random } from '../../models/random.js';
import type { UnbinnedPolynomialTerm } from '../../models/terms/unbinned-polynomial.js';
import { C, LUMINOSITY_FB, PB, type SelectedSample } from './samples.js';

export const COVERAGE_LEVELS = [0.5, 0.6827, 0.9, 0.9545];

export interface CoverageResult {
  estimates: CoverageEstimate[];
  toys: number;
  failed: number;
  /** expected events per toy, and the pool's size */
  expectedEvents: number;
  pool: number;
  /** mean and standard deviation of the toys' best fits, per coefficient */
  bestMean: number[];
  bestStd: number[];
}

/** Index of the event drawn for a uniform u from cumulative weights (binary search). */
function drawIndex(cumulative: Float64Array, u: number): number {
  const target = u * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The coverage of `likelihood` (its one unbinned polynomial term) at θ = 0: `toys` toys from the
 * pool, whose learned coefficients (the estimate, C per event) are `poolCoefficients`.
 */
export function coverageAtSM(likelihood: Likelihood, term: UnbinnedPolynomialTerm, pool: SelectedSample, poolCoefficients: Float64Array, toys: number, seed: number, onToy?: (done: number) => void): CoverageResult {
  const cumulative = new Float64Array(pool.count);
  let total = 0;
  for (let i = 0; i < pool.count; i++) cumulative[i] = total += pool.weights[i];
  const expectedEvents = total * PB * LUMINOSITY_FB;
  const random: Random = createRandom(seed);
  const truth = new Float64Array(likelihood.parameters.length);
  const q: number[] = [];
  const best: number[][] = [];
  let failed = 0;
  for (let t = 0; t < toys; t++) {
    const n = random.poisson(expectedEvents);
    const coefficients = new Float64Array(n * C);
    for (let r = 0; r < n; r++) {
      const i = drawIndex(cumulative, random.uniform());
      coefficients.set(poolCoefficients.subarray(i * C, (i + 1) * C), r * C);
    }
    const data = { luminosity: LUMINOSITY_FB, rate: true, terms: { [term.name]: { count: n, coefficients: [coefficients], weights: [null] } } };
    const toy = toyTestStatistic(likelihood, data, truth);
    if (toy) {
      q.push(toy.q);
      best.push(toy.best);
    } else failed++;
    onToy?.(t + 1);
  }
  const P = likelihood.interest;
  const bestMean = Array.from({ length: P }, (_, k) => best.reduce((s, b) => s + b[k], 0) / best.length);
  const bestStd = bestMean.map((m, k) => Math.sqrt(best.reduce((s, b) => s + (b[k] - m) ** 2, 0) / Math.max(1, best.length - 1)));
  return { estimates: coverageEstimates(q, COVERAGE_LEVELS, P), toys: q.length, failed, expectedEvents, pool: pool.count, bestMean, bestStd };
}
