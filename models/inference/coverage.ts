/**
 * Empirical coverage (seed 003 app. A eq. 53): over toy datasets drawn at a true θ, the
 * fraction whose confidence region at level γ contains θ, i.e. q(θ_true) < χ²_k quantile(γ),
 * with k the number of parameters of interest. Its binomial standard error is √(c(1−c)/n).
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../numeric/distributions.js';
import { maximumLikelihood } from './mle.js';
import { profileTestStatistic } from './test-statistics.js';

export interface CoverageEstimate {
  cl: number;
  coverage: number;
  /** binomial standard error */
  error: number;
  toys: number;
}

export interface CoverageRun {
  estimates: CoverageEstimate[];
  /** q(θ_true) of every toy whose fits converged */
  q: number[];
  /** toys dropped because a fit did not converge (reported, never silently counted) */
  failed: number;
}

export function empiricalCoverage(
  likelihood: Likelihood,
  truth: Float64Array,
  levels: readonly number[],
  toys: number,
  drawToy: (toy: number) => LikelihoodData,
  onProgress?: (done: number) => void,
): CoverageRun {
  const pinned = new Map<number, number>();
  for (let i = 0; i < likelihood.interest; i++) pinned.set(i, truth[i]);
  const q: number[] = [];
  let failed = 0;
  for (let t = 0; t < toys; t++) {
    const data = drawToy(t);
    const global = maximumLikelihood(likelihood, data);
    const stat = profileTestStatistic(likelihood, data, pinned, global, { start: truth });
    if (stat.converged) q.push(stat.q);
    else failed++;
    onProgress?.(t + 1);
  }
  const estimates = coverageEstimates(q, levels, likelihood.interest);
  return { estimates, q, failed };
}

/** The coverage at each level from toys' q(θ_true): the fraction below the χ²_k quantile, with its binomial error. */
export function coverageEstimates(q: readonly number[], levels: readonly number[], interest: number): CoverageEstimate[] {
  return levels.map((cl) => {
    const threshold = chiSquaredThreshold(cl, interest);
    const inside = q.filter((v) => v < threshold).length;
    const coverage = q.length ? inside / q.length : NaN;
    return { cl, coverage, error: Math.sqrt((coverage * (1 - coverage)) / q.length), toys: q.length };
  });
}
