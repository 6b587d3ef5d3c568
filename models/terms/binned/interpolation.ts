/**
 * HistFactory interpolation codes with pyhf's exact semantics (pyhf `interpolators/`),
 * as small pure functions of the nuisance parameter α returning the value and its first
 * and second derivative in α (for the analytic gradient and Hessian of the binned term).
 *
 * Multiplicative (normsys) codes take the up/down *factors* relative to the nominal,
 * hi = I⁺/I⁰ and lo = I⁻/I⁰, and return the factor multiplying the yield.
 * Additive (histosys) codes take the absolute shifts deltaUp = I⁺ − I⁰ and
 * deltaDown = I⁰ − I⁻ and return the delta added to the yield.
 *
 * Each function writes into an optional `out` object so that hot loops allocate nothing.
 * The branch conditions at the boundaries (α = 0, α = ±1) are pyhf's: they only matter
 * for which one-sided derivative is returned at a kink (codes 0 and 1 at α = 0).
 */

/** Value and derivatives of an interpolated factor or delta at α. */
export interface Interpolated {
  value: number;
  /** d value / dα */
  d1: number;
  /** d² value / dα² */
  d2: number;
}

export type NormsysCode = 'code1' | 'code4';
export type HistosysCode = 'code0' | 'code4p';

function result(out: Interpolated | undefined, value: number, d1: number, d2: number): Interpolated {
  if (!out) return { value, d1, d2 };
  out.value = value;
  out.d1 = d1;
  out.d2 = d2;
  return out;
}

/**
 * pyhf `code1`, piecewise exponential (multiplicative):
 *
 *     I(α) = hi^α      for α > 0,
 *     I(α) = lo^(−α)   for α ≤ 0,
 *
 * so I' = ln(hi) hi^α, I'' = ln²(hi) hi^α above zero and I' = −ln(lo) lo^(−α),
 * I'' = ln²(lo) lo^(−α) below (the derivative at exactly α = 0 is the lower one, as
 * pyhf's `where(α > 0, …)` gives). hi and lo must be positive.
 */
export function normsysCode1(alpha: number, hi: number, lo: number, out?: Interpolated): Interpolated {
  if (alpha > 0) {
    const l = Math.log(hi);
    const v = Math.pow(hi, alpha);
    return result(out, v, l * v, l * l * v);
  }
  const l = Math.log(lo);
  const v = Math.pow(lo, -alpha);
  return result(out, v, -l * v, l * l * v);
}

/**
 * The six coefficients a_1..a_6 of pyhf `code4`'s polynomial 1 + Σ_{i=1}^6 a_i α^i for
 * |α| < α0 with α0 = 1. They are fixed by matching the value, first and second derivative
 * of the exponentials hi^α at α = +1 and lo^(−α) at α = −1:
 *
 *     p(1) = hi,            p(−1) = lo,
 *     p'(1) = hi ln hi,     p'(−1) = −lo ln lo,
 *     p''(1) = hi ln² hi,   p''(−1) = lo ln² lo.
 *
 * Split p − 1 into its even part E = a2α² + a4α⁴ + a6α⁶ and odd part O = a1α + a3α³ + a5α⁵.
 * With e0 = (hi + lo)/2 − 1, e1 = (hi ln hi + lo ln lo)/2, e2 = (hi ln² hi + lo ln² lo)/2 and
 * o0 = (hi − lo)/2, o1 = (hi ln hi − lo ln lo)/2, o2 = (hi ln² hi − lo ln² lo)/2 the conditions
 * read E(1) = e0, E'(1) = e1, E''(1) = e2 and O(1) = o0, O'(1) = o1, O''(1) = o2, whose
 * solution is
 *
 *     a6 = (8 e0 − 5 e1 + e2)/8,   a4 = (e1 − 2 e0)/2 − 2 a6,   a2 = e0 − a4 − a6,
 *     a5 = (3 o0 − 3 o1 + o2)/8,   a3 = (o1 − o0)/2 − 2 a5,     a1 = o0 − a3 − a5.
 *
 * Written into `out[0..5]` = a_1..a_6.
 */
export function code4Coefficients(hi: number, lo: number, out: Float64Array = new Float64Array(6)): Float64Array {
  const lh = Math.log(hi);
  const ll = Math.log(lo);
  const e0 = (hi + lo) / 2 - 1;
  const e1 = (hi * lh + lo * ll) / 2;
  const e2 = (hi * lh * lh + lo * ll * ll) / 2;
  const o0 = (hi - lo) / 2;
  const o1 = (hi * lh - lo * ll) / 2;
  const o2 = (hi * lh * lh - lo * ll * ll) / 2;
  const a6 = (8 * e0 - 5 * e1 + e2) / 8;
  const a4 = (e1 - 2 * e0) / 2 - 2 * a6;
  const a2 = e0 - a4 - a6;
  const a5 = (3 * o0 - 3 * o1 + o2) / 8;
  const a3 = (o1 - o0) / 2 - 2 * a5;
  const a1 = o0 - a3 - a5;
  out[0] = a1;
  out[1] = a2;
  out[2] = a3;
  out[3] = a4;
  out[4] = a5;
  out[5] = a6;
  return out;
}

/**
 * pyhf `code4` (α0 = 1), polynomial interpolation and exponential extrapolation
 * (multiplicative):
 *
 *     I(α) = hi^α                  for α ≥ 1,
 *     I(α) = 1 + Σ_{i=1}^6 a_i α^i  for −1 < α < 1   (a_i from `code4Coefficients`),
 *     I(α) = lo^(−α)               for α ≤ −1,
 *
 * continuous with its first and second derivatives at α = ±1. `coefficients` may be
 * passed precomputed (a_1..a_6); hi and lo must be positive.
 */
export function normsysCode4(alpha: number, hi: number, lo: number, coefficients?: ArrayLike<number>, out?: Interpolated): Interpolated {
  if (alpha >= 1) {
    const l = Math.log(hi);
    const v = Math.pow(hi, alpha);
    return result(out, v, l * v, l * l * v);
  }
  if (alpha <= -1) {
    const l = Math.log(lo);
    const v = Math.pow(lo, -alpha);
    return result(out, v, -l * v, l * l * v);
  }
  const a = coefficients ?? code4Coefficients(hi, lo);
  return result(out, ...code4Polynomial(alpha, a));
}

/** 1 + Σ a_i α^i and its first two derivatives, by Horner's scheme. */
function code4Polynomial(alpha: number, a: ArrayLike<number>): [number, number, number] {
  const a1 = a[0], a2 = a[1], a3 = a[2], a4 = a[3], a5 = a[4], a6 = a[5];
  const v = 1 + alpha * (a1 + alpha * (a2 + alpha * (a3 + alpha * (a4 + alpha * (a5 + alpha * a6)))));
  const d1 = a1 + alpha * (2 * a2 + alpha * (3 * a3 + alpha * (4 * a4 + alpha * (5 * a5 + alpha * 6 * a6))));
  const d2 = 2 * a2 + alpha * (6 * a3 + alpha * (12 * a4 + alpha * (20 * a5 + alpha * 30 * a6)));
  return [v, d1, d2];
}

/**
 * Allocation-free variant of `normsysCode4` for the evaluation loop: the same function,
 * writing value, d1 and d2 into `out[at]`, `out[at + 1]`, `out[at + 2]`, with the
 * coefficients read from `coefficients[c .. c + 5]`.
 */
export function normsysCode4Into(alpha: number, hi: number, lo: number, coefficients: ArrayLike<number>, c: number, out: Float64Array, at: number): void {
  if (alpha >= 1) {
    const l = Math.log(hi);
    const v = Math.pow(hi, alpha);
    out[at] = v;
    out[at + 1] = l * v;
    out[at + 2] = l * l * v;
    return;
  }
  if (alpha <= -1) {
    const l = Math.log(lo);
    const v = Math.pow(lo, -alpha);
    out[at] = v;
    out[at + 1] = -l * v;
    out[at + 2] = l * l * v;
    return;
  }
  const a1 = coefficients[c], a2 = coefficients[c + 1], a3 = coefficients[c + 2];
  const a4 = coefficients[c + 3], a5 = coefficients[c + 4], a6 = coefficients[c + 5];
  out[at] = 1 + alpha * (a1 + alpha * (a2 + alpha * (a3 + alpha * (a4 + alpha * (a5 + alpha * a6)))));
  out[at + 1] = a1 + alpha * (2 * a2 + alpha * (3 * a3 + alpha * (4 * a4 + alpha * (5 * a5 + alpha * 6 * a6))));
  out[at + 2] = 2 * a2 + alpha * (6 * a3 + alpha * (12 * a4 + alpha * (20 * a5 + alpha * 30 * a6)));
}

/**
 * Both histosys codes are linear in (deltaUp, deltaDown) at fixed α:
 *
 *     δ(α) = u(α) · deltaUp + v(α) · deltaDown,
 *
 * with code0: (u, v) = (α, 0) for α > 0 and (0, α) for α ≤ 0; code4p: (α, 0) for α > 1,
 * (0, α) for α < −1 and, inside, u = α/2 + w/16, v = α/2 − w/16 with
 * w(α) = 15α² − 10α⁴ + 3α⁶ (that is α S + A w with S and A as in `histosysCode4p`).
 * Writes [u, v, u', v', u'', v''] into `out[at .. at + 5]`: the evaluation loop computes
 * these once per parameter and then each bin's delta with two multiplications.
 */
export function histosysWeights(code: HistosysCode, alpha: number, out: Float64Array, at = 0): void {
  let u = 0, v = 0, u1 = 0, v1 = 0, u2 = 0, v2 = 0;
  if (code === 'code4p' && alpha >= -1 && alpha <= 1) {
    const a2 = alpha * alpha;
    const w = a2 * (15 + a2 * (-10 + 3 * a2));
    const w1 = alpha * (30 + a2 * (-40 + 18 * a2));
    const w2 = 30 + a2 * (-120 + 90 * a2);
    u = 0.5 * alpha + w / 16;
    v = 0.5 * alpha - w / 16;
    u1 = 0.5 + w1 / 16;
    v1 = 0.5 - w1 / 16;
    u2 = w2 / 16;
    v2 = -w2 / 16;
  } else if (code === 'code4p' ? alpha > 1 : alpha > 0) {
    u = alpha;
    u1 = 1;
  } else {
    v = alpha;
    v1 = 1;
  }
  out[at] = u;
  out[at + 1] = v;
  out[at + 2] = u1;
  out[at + 3] = v1;
  out[at + 4] = u2;
  out[at + 5] = v2;
}

/**
 * pyhf `code0`, piecewise linear (additive), with deltaUp = I⁺ − I⁰ and deltaDown = I⁰ − I⁻:
 *
 *     δ(α) = α · deltaUp     for α > 0,
 *     δ(α) = α · deltaDown   for α ≤ 0,
 *
 * δ' = deltaUp or deltaDown (the lower one at exactly α = 0, as pyhf), δ'' = 0.
 */
export function histosysCode0(alpha: number, deltaUp: number, deltaDown: number, out?: Interpolated): Interpolated {
  return alpha > 0 ? result(out, alpha * deltaUp, deltaUp, 0) : result(out, alpha * deltaDown, deltaDown, 0);
}

/**
 * pyhf `code4p`, piecewise linear with a sixth-order polynomial for |α| ≤ 1 (additive).
 * With deltaUp = I⁺ − I⁰, deltaDown = I⁰ − I⁻, S = (deltaUp + deltaDown)/2 and
 * A = (deltaUp − deltaDown)/16:
 *
 *     δ(α) = α · deltaUp                         for α > 1,
 *     δ(α) = α S + A (15 α² − 10 α⁴ + 3 α⁶)      for −1 ≤ α ≤ 1,
 *     δ(α) = α · deltaDown                       for α < −1,
 *
 * so δ' = S + A (30 α − 40 α³ + 18 α⁵) and δ'' = A (30 − 120 α² + 90 α⁴) inside. At α = ±1
 * the polynomial meets the lines with equal value and slope, and δ'' = 0 on both sides.
 */
export function histosysCode4p(alpha: number, deltaUp: number, deltaDown: number, out?: Interpolated): Interpolated {
  if (alpha > 1) return result(out, alpha * deltaUp, deltaUp, 0);
  if (alpha < -1) return result(out, alpha * deltaDown, deltaDown, 0);
  const S = 0.5 * (deltaUp + deltaDown);
  const A = 0.0625 * (deltaUp - deltaDown);
  const a2 = alpha * alpha;
  return result(
    out,
    alpha * S + A * a2 * (15 + a2 * (-10 + 3 * a2)),
    S + A * alpha * (30 + a2 * (-40 + 18 * a2)),
    A * (30 + a2 * (-120 + 90 * a2)),
  );
}
