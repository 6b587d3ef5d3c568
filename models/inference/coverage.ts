/**
 * Empirical coverage (seed 003 app. A eq. 53): over toy datasets drawn at a true θ, the
 * fraction whose confidence region at level γ contains θ, i.e. q(θ_true) < χ²_k quantile(γ),
 * with k the number of parameters of interest. Its binomial standard error is √(c(1−c)/n);
 * where that says nothing (0% or 100%), the Clopper–Pearson interval does.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
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
  /** the MLE of the parameters of interest of those toys, in the same order */
  best: number[][];
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
  const q: number[] = [];
  const best: number[][] = [];
  let failed = 0;
  for (let t = 0; t < toys; t++) {
    const toy = toyTestStatistic(likelihood, drawToy(t), truth);
    if (toy) {
      q.push(toy.q);
      best.push(toy.best);
    } else failed++;
    onProgress?.(t + 1);
  }
  const estimates = coverageEstimates(q, levels, likelihood.interest);
  return { estimates, q, best, failed };
}

/** One toy's q(θ_true) (every parameter of interest pinned, nuisances profiled) and its MLE of them; null where a fit did not converge. */
export function toyTestStatistic(likelihood: Likelihood, data: LikelihoodData, truth: Float64Array): { q: number; best: number[] } | null {
  const pinned = new Map<number, number>();
  for (let i = 0; i < likelihood.interest; i++) pinned.set(i, truth[i]);
  const global = maximumLikelihood(likelihood, data);
  const stat = profileTestStatistic(likelihood, data, pinned, global, { start: truth });
  return stat.converged ? { q: stat.q, best: Array.from(stat.global.parameters.subarray(0, likelihood.interest)) } : null;
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

/**
 * The Clopper–Pearson interval of a binomial fraction k/n at `level` (default 68.27%, the
 * ±1σ of the standard error): [B⁻¹((1−level)/2; k, n−k+1), B⁻¹((1+level)/2; k+1, n−k)], with
 * the lower end 0 at k = 0 and the upper end 1 at k = n (C. J. Clopper, E. S. Pearson,
 * Biometrika 26 (1934) 404). Exact, and never empty where √(c(1−c)/n) is 0:
 * clopperPearson(0, 300) = [0, 0.006118…], clopperPearson(300, 300) = [0.993881…, 1].
 */
export function clopperPearson(k: number, n: number, level = 0.6827): [number, number] {
  if (!(Number.isInteger(k) && Number.isInteger(n) && 0 <= k && k <= n && n > 0)) throw new RangeError(`Clopper–Pearson needs 0 ≤ k ≤ n, n > 0 integers, got k = ${k}, n = ${n}`);
  const tail = (1 - level) / 2;
  return [k === 0 ? 0 : betaQuantile(tail, k, n - k + 1), k === n ? 1 : betaQuantile(1 - tail, k + 1, n - k)];
}

/** "c ± e%" where the standard error says something, else c with its 68% Clopper–Pearson interval: "0.0% (68% CP: 0.0–0.4%)". */
export function formatCoverage(e: Pick<CoverageEstimate, 'coverage' | 'error' | 'toys'>): string {
  const percent = (v: number) => (100 * v).toFixed(1);
  const inside = Math.round(e.coverage * e.toys);
  if (inside > 0 && inside < e.toys) return `${percent(e.coverage)} ± ${percent(e.error)}%`;
  const [lo, hi] = clopperPearson(inside, e.toys);
  return `${percent(e.coverage)}% (68% CP: ${percent(lo)}–${percent(hi)}%)`;
}

/**
 * What a published coverage measurement says against the intervals a likelihood gives: one
 * warning per level whose empirical coverage lies below the nominal one beyond the 99.7%
 * Clopper–Pearson interval of its toys, i.e. intervals that claim more than they hold there.
 * Over-coverage (conservative intervals) is not warned about.
 */
export function undercoverageWarnings(measured: readonly (Pick<CoverageEstimate, 'cl' | 'coverage' | 'toys'> & { at?: Record<string, number> })[]): string[] {
  return measured.flatMap((e) => {
    const inside = Math.round(e.coverage * e.toys);
    const [, upper] = clopperPearson(inside, e.toys, 0.9973);
    if (!(upper < e.cl)) return [];
    const where = e.at ? ` at ${Object.entries(e.at).map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
    return [`this likelihood's validation measured ${(100 * e.coverage).toFixed(1)}% coverage for the nominal ${(100 * e.cl).toFixed(2)}% (${e.toys} toys${where}): its ${(100 * e.cl).toFixed(2)}% regions claim more than they hold`];
  });
}
