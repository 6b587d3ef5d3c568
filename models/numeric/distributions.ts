/**
 * The distributions inference needs, computed by @stdlib's well-tested special functions,
 * not by code of ours: χ² quantile and survival function (seed 003 app. A eq. 52: the
 * thresholds of confidence regions {θ : q(θ) < χ²_k quantile(CL)} and the p-values
 * 1 − F_χ²(q|k)), the standard normal CDF of the asymptotic formulae, and its logarithm, which
 * stays finite where Φ itself underflows (x below about −38.5).
 */
import erfc from '@stdlib/math-base-special-erfc';
import erfcx from '@stdlib/math-base-special-erfcx';
import gammaln from '@stdlib/math-base-special-gammaln';
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

/*
 * The Poisson negative log-likelihood in the saddle-point form of C. Loader, "Fast and Accurate
 * Computation of Binomial Probabilities" (2000), as R's dpois_raw evaluates it:
 *
 *     −ln Pois(k | λ) = λ − k ln λ + ln Γ(k + 1) = bd0(k, λ) + [ln Γ(k + 1) − k ln k + k],
 *
 * where bd0(k, λ) = k ln(k/λ) + λ − k ≥ 0 is half the Poisson deviance and the bracket is the
 * NLL of the saturated model, λ = k. Written as λ − k ln λ + ln Γ(k + 1), three terms of order
 * k ln k cancel to a result of order ½ ln(2πk): at k = 2·10¹¹ (a shapesys constraint of relative
 * width 2·10⁻⁶) that loses eleven digits. In this form neither part cancels.
 */

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * bd0(x, m) = x ln(x/m) + m − x, half the Poisson deviance, to full relative precision: near
 * x = m by the series 2x Σ_j v^(2j+1)/(2j+1) − (x − m) v with v = (x − m)/(x + m) (Loader eq. 5).
 * The mean may be given as an unevaluated sum m + mLow (a product rounded to m, with its rounding
 * error mLow: see `exactProduct`), which the series needs where x − m is far smaller than m.
 * bd0(0, m) = m; halfPoissonDeviance(2e11, 2e11 * (1 + 1e-6)) = 0.0999999333…
 */
export function halfPoissonDeviance(x: number, m: number, mLow = 0): number {
  if (x === 0) return m + mLow;
  const diff = x - m - mLow;
  if (Math.abs(diff) < 0.1 * (x + m)) {
    let v = diff / (x + m + mLow);
    let s = diff * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * a·b as the double p = fl(a·b) and its rounding error e, a·b = p + e exactly (Dekker's
 * two-product with Veltkamp's splitting; |a·b| below 10³⁰⁰). A constraint's rate γτ with τ = 10¹⁴
 * rounds by ~10⁻² — a hundred-millionth of its width 10⁷, but the deviance near its mode
 * needs the difference aux − γτ to all digits.
 */
export function exactProduct(a: number, b: number): [product: number, error: number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const high = c - (c - a);
  return [high, a - high];
}

/**
 * −ln Pois(x | λ = x) = ln Γ(x + 1) − x ln x + x (0 at x = 0), for real x ≥ 0: directly where the
 * terms are small, and above x = 15 as ½ ln(2πx) + δ(x) with Stirling's error δ(x) = 1/(12x) −
 * 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) (truncation below 3·10⁻¹⁶ there).
 * saturatedPoissonNll(1e12) = 14.73286815227426 (½ ln 2π·10¹² + 1/(12·10¹²)).
 */
export function saturatedPoissonNll(x: number): number {
  if (x === 0) return 0;
  if (x <= 15) return gammaln(x + 1) - x * Math.log(x) + x;
  const xx = 1 / (x * x);
  const delta = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - xx / 1188) * xx) * xx) * xx) / x;
  return HALF_LN_2PI + 0.5 * Math.log(x) + delta;
}

/** −ln Pois(k | λ) = λ − k ln λ + ln Γ(k + 1) for real k ≥ 0, λ > 0 (λ = 0 allowed at k = 0), to full precision at any scale. */
export function poissonNll(k: number, lambda: number): number {
  return halfPoissonDeviance(k, lambda) + saturatedPoissonNll(k);
}
