/**
 * The distributions inference needs, computed by @stdlib's well-tested special functions,
 * not by code of ours: χ² quantile and survival function (seed 003 app. A eq. 52: the
 * thresholds of confidence regions {θ : q(θ) < χ²_k quantile(CL)} and the p-values
 * 1 − F_χ²(q|k)) and the standard normal CDF of the asymptotic formulae.
 */
import erfc from '@stdlib/math-base-special-erfc';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';

/** The q threshold of a confidence region at level `cl` for k parameters of interest; k = 1, cl = 0.95 gives 3.841458820694124. */
export function chiSquaredThreshold(cl: number, k: number): number {
  if (!(cl > 0 && cl < 1)) throw new RangeError(`confidence level must lie in (0, 1), got ${cl}`);
  return chisquareQuantile(cl, k);
}

/** p_θ = 1 − F_χ²(q | k) (eq. 52). */
export function chiSquaredPValue(q: number, k: number): number {
  return 1 - chisquareCdf(Math.max(q, 0), k);
}

/** Standard normal CDF Φ(x) = erfc(−x/√2)/2, accurate in both tails; Φ(−1.6448536269514722) = 0.05. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}
