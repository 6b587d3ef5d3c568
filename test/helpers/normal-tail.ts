/**
 * References for the far tail of the normal distribution, computed without erfc or erfcx, to
 * check the service's log-space CLs against: the asymptotic series of ln Φ.
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
