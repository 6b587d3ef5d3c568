/**
 * The two-Gaussian toy model of seed 003 sec. 3 in closed form.
 *
 * Parton level (eq. 41):  p(z|θ) = [N(z; 0, 1) + θ² N(z; α, 0.1)] / (1 + θ²),  σ(θ) ∝ 1 + θ²
 * Smearing (eq. 42):      x = z + N(0, s), s = 0.7
 * Reco level (eq. 43):    p(x|θ) = [N(x; 0, √(1 + s²)) + θ² N(x; α, √(0.01 + s²))] / (1 + θ²)
 *
 * (the paper rounds the widths to 1.22 and 0.71). With θ0 = 0 the ratio of differential
 * cross sections is R(x|θ) = 1 + θ² N(x; α, σ_b)/N(x; 0, σ_a): exactly quadratic in θ with
 * coefficients c(x) = [1, 0, N(x; α, σ_b)/N(x; 0, σ_a)] on the basis [1, θ, θ²], and the
 * total cross section has coefficients s = [1, 0, 1].
 */
import type { Random } from '../random.js';

export interface TwoGaussianToy {
  readonly alpha: number;
  readonly smearing: number;
  /** width of the θ-independent reco-level Gaussian, √(1 + s²) */
  readonly sigmaA: number;
  /** width of the θ²-weighted reco-level Gaussian, √(0.1² + s²) */
  readonly sigmaB: number;
}

export function twoGaussianToy(alpha = 1.5, smearing = 0.7): TwoGaussianToy {
  return { alpha, smearing, sigmaA: Math.sqrt(1 + smearing * smearing), sigmaB: Math.sqrt(0.01 + smearing * smearing) };
}

export function normalDensity(x: number, mean: number, sigma: number): number {
  const u = (x - mean) / sigma;
  return Math.exp(-0.5 * u * u) / (sigma * Math.sqrt(2 * Math.PI));
}

/** p(x|θ), eq. 43. */
export function toyDensity(toy: TwoGaussianToy, x: number, theta: number): number {
  const t2 = theta * theta;
  return (normalDensity(x, 0, toy.sigmaA) + t2 * normalDensity(x, toy.alpha, toy.sigmaB)) / (1 + t2);
}

/** The θ² coefficient of R(x|θ): N(x; α, σ_b) / N(x; 0, σ_a), computed in log space. */
export function toySecondCoefficient(toy: TwoGaussianToy, x: number): number {
  const { alpha, sigmaA, sigmaB } = toy;
  const a = (x - alpha) / sigmaB;
  const b = x / sigmaA;
  return (sigmaA / sigmaB) * Math.exp(-0.5 * a * a + 0.5 * b * b);
}

/** ln r(x|θ, 0) = ln p(x|θ) − ln p(x|0). */
export function toyLogRatio(toy: TwoGaussianToy, x: number, theta: number): number {
  const t2 = theta * theta;
  return Math.log1p(t2 * toySecondCoefficient(toy, x)) - Math.log1p(t2);
}

/** A reco-level event drawn from p(x|θ). */
export function sampleToyEvent(toy: TwoGaussianToy, theta: number, random: Random): number {
  const t2 = theta * theta;
  const z = random.uniform() * (1 + t2) < t2 ? toy.alpha + 0.1 * random.normal() : random.normal();
  return z + toy.smearing * random.normal();
}

/** A dataset of the extended model: n ~ Poisson(expected) events drawn from p(x|θ). */
export function drawToyEvents(toy: TwoGaussianToy, theta: number, expected: number, random: Random): Float64Array {
  const n = random.poisson(expected);
  const events = new Float64Array(n);
  for (let i = 0; i < n; i++) events[i] = sampleToyEvent(toy, theta, random);
  return events;
}

/**
 * The closed-form extended NLL of eq. 49 for events {x_i} at luminosity L and reference
 * cross section σ0, with the same θ-free constant as the unbinned term:
 *   L σ0 (1 + θ²) − Σ_i ln(1 + θ² N_b(x_i)/N_a(x_i)).
 */
export function toyExtendedNll(toy: TwoGaussianToy, events: ArrayLike<number>, theta: number, luminosity: number, sigma0: number): number {
  const t2 = theta * theta;
  let s = luminosity * sigma0 * (1 + t2);
  for (let i = 0; i < events.length; i++) s -= Math.log1p(t2 * toySecondCoefficient(toy, events[i]));
  return s;
}

/**
 * The exact toy's MLE on events {x_i}: the NLL of eq. 49 depends on θ through t = θ² only,
 * f(t) = L σ0 (1 + t) − Σ_i ln(1 + t c_i) with c_i = N_b(x_i)/N_a(x_i), convex in t ≥ 0; its
 * minimum is where f'(t) = L σ0 − Σ_i c_i/(1 + t c_i) = 0 (found by bisection on the
 * decreasing Σ), or t = 0 where f'(0) ≥ 0. Returns |θ̂| and the minimum of toyExtendedNll.
 */
export function toyMaximumLikelihood(toy: TwoGaussianToy, events: ArrayLike<number>, luminosity: number, sigma0: number): { theta: number; nll: number } {
  const c = Float64Array.from(events as ArrayLike<number>, (x) => toySecondCoefficient(toy, x));
  const slope = (t: number) => {
    let s = luminosity * sigma0;
    for (let i = 0; i < c.length; i++) s -= c[i] / (1 + t * c[i]);
    return s;
  };
  let t = 0;
  if (slope(0) < 0) {
    let hi = 1;
    while (slope(hi) < 0) hi *= 2;
    let lo = 0;
    for (let k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
      const mid = 0.5 * (lo + hi);
      if (slope(mid) < 0) lo = mid;
      else hi = mid;
    }
    t = 0.5 * (lo + hi);
  }
  const theta = Math.sqrt(t);
  return { theta, nll: toyExtendedNll(toy, events, theta, luminosity, sigma0) };
}
