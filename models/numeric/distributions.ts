/**
 * The distributions inference needs, computed by @stdlib's well-tested special functions,
 * not by code of ours: χ² quantile and survival function (seed 003 app. A eq. 52: the
 * thresholds of confidence regions {θ : q(θ) < χ²_k quantile(CL)} and the p-values
 * 1 − F_χ²(q|k)), the standard normal CDF of the asymptotic formulae, and its logarithm, which
 * stays finite where Φ itself underflows (x below about −38.5).
 */
import erfc from '@stdlib/math-base-special-erfc';
import erfcx from '@stdlib/math-base-special-erfcx';
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

/**
 * ln Φ(x), finite wherever Φ(x) underflows. In the lower tail Φ(x) = ½ erfcx(−x/√2) e^{−x²/2}
 * with erfcx(z) = e^{z²} erfc(z) (Abramowitz & Stegun 7.1.2), so ln Φ(x) = ln(½ erfcx(−x/√2)) − x²/2
 * keeps every digit for x < −1; above, ln Φ(x) = ln1p(−½ erfc(x/√2)) (Φ(x) = 1 − ½ erfc(x/√2)).
 * ln Φ(−40) = −804.60844201375378…
 */
export function logNormalCdf(x: number): number {
  if (x < -1) return Math.log(0.5 * erfcx(-x / Math.SQRT2)) - 0.5 * x * x;
  return Math.log1p(-0.5 * erfc(x / Math.SQRT2));
}

/**
 * ln[Φ(x − d)/Φ(x)] for d ≥ 0: in the lower tail (x < −1) the Gaussian factors of both CDFs
 * cancel exactly, e^{−(x−d)²/2}/e^{−x²/2} = e^{d(x − d/2)}, leaving the ratio of two erfcx near
 * 1/(z√π) — no difference of two large squares, so the result keeps its relative precision even
 * where both ln Φ are of order −x²/2 ≫ the result.
 */
export function logNormalCdfRatio(x: number, d: number): number {
  if (x < -1) return Math.log(erfcx((d - x) / Math.SQRT2) / erfcx(-x / Math.SQRT2)) + d * (x - 0.5 * d);
  return logNormalCdf(x - d) - logNormalCdf(x);
}
