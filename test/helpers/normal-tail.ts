/**
 * References for the far tail of the normal distribution, computed without erfc or erfcx, to
 * check the service's log-space CLs against: the asymptotic series of ln Φ and the asymptotic
 * CLs of Cowan, Cranmer, Gross, Vitells (EPJC 71 (2011) 1554, eq. 65-66) built on it.
 */

/**
 * ln Φ(x) for x ≪ 0 by its asymptotic series (Abramowitz & Stegun 26.2.12):
 * Φ(x) = φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − 945/x¹⁰ + …); the truncation error is
 * below 1e-15 relative for x ≤ −30.
 */
export function seriesLogNormalCdf(x: number): number {
  if (!(x <= -30)) throw new RangeError(`the series is a reference only for x ≤ −30, got ${x}`);
  const u = 1 / (x * x);
  return -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - u * (1 - 3 * u * (1 - 5 * u * (1 - 7 * u * (1 - 9 * u)))));
}

/** The q̃ test statistic t in (−μ̂/σ) space from q_μ and q_μ,A (eq. 65-66). */
export function qtildeTeststat(qmu: number, qmuA: number): number {
  const [sq, sqA] = [Math.sqrt(qmu), Math.sqrt(qmuA)];
  return sq <= sqA ? sq - sqA : (qmu - qmuA) / (2 * sqA);
}
