/**
 * Test statistics built on the MLE (seed 003 app. A eq. 50; Cowan, Cranmer, Gross, Vitells,
 * EPJC 71 (2011) 1554, eq. 8, 14 and 16):
 *
 *     q(θ)  = 2 [NLL(θ, ν̂̂(θ)) − NLL(θ̂, ν̂)]              two-sided, for intervals and contours;
 *     q_μ   = q(μ) when μ̂ ≤ μ, else 0 (clipped at 0)       one-sided, for upper limits; with the
 *                                                          POI bounded below by 0 it is q̃_μ;
 *
 * with the parameters of interest held at θ and everything else profiled. Every scan of q
 * (intervals, contours, CLs, the NLL at many points, result pages) goes through one
 * `ProfileScanner`, which warm-starts each conditional fit from a neighbour's solution.
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { profileFit, type FitResult } from './mle.js';

/** q = 2 (NLL − NLL_min): twice the NLL above the minimum (eq. 50); testStatistic(10.5, 10) = 1. */
export function testStatistic(nll: number, nllMin: number): number {
  return 2 * (nll - nllMin);
}

/**
 * q of a profile fit against the minimum: +∞ where the likelihood is zero for every value of
 * the profiled parameters tried (the data exclude the point outright: a bin with data expects
 * nothing there), NaN where the fit failed otherwise.
 */
export function profileQ(profile: FitResult, nllMin: number): number {
  return profile.singular ? Infinity : testStatistic(profile.nll, nllMin);
}

/** The one-sided q_μ (Cowan et al. eq. 14, pyhf `_qmu_like`): 0 when μ̂ > μ, else q clipped at 0. */
export function oneSidedTestStatistic(fixedNll: number, freeNll: number, muHat: number, mu: number): number {
  if (muHat > mu) return 0;
  return Math.max(testStatistic(fixedNll, freeNll), 0);
}

export interface TwoSidedTestStatistic {
  q: number;
  profile: FitResult;
  global: FitResult;
  converged: boolean;
}

/**
 * The two-sided q at the point `values`. If the profile fit finds a lower NLL than the given
 * global fit, the global fit was a local minimum: the profile becomes the global minimum and q = 0.
 */
export function profileTestStatistic(likelihood: Likelihood, data: LikelihoodData, values: ReadonlyMap<number, number>, global: FitResult, options: { variant?: number; start?: Float64Array } = {}): TwoSidedTestStatistic {
  const profile = profileFit(likelihood, data, values, options);
  const better = profile.nll < global.nll ? profile : global;
  return { q: testStatistic(profile.nll, better.nll), profile, global: better, converged: profile.converged && better.converged };
}

export interface ProfileScannerOptions {
  /** ensemble variant: 0 = estimate, 1..K = members */
  variant?: number;
  /**
   * The free fit the scan measures q from. Each profile with a lower NLL replaces it (the free
   * fit was a local minimum); its parameters are where fits start before any profile converged.
   */
  global?: FitResult;
  /** where fits start before any profile converged, when there is no `global` (default: the likelihood's initial values) */
  start?: Float64Array;
  /**
   * Which solution a new fit starts from: the `nearest` converged profile so far (scans refined
   * by root finding, where points arrive out of order) or the `previous` converged one (sweeps
   * along a grid, where it is the nearest and costs nothing to find).
   */
  warmStart?: 'nearest' | 'previous';
}

/**
 * Profile fits at many values of a few pinned parameters (global indices `pinned`), each
 * warm-started from a neighbour's solution, remembered by value.
 */
export class ProfileScanner {
  /** the lowest-NLL fit met so far: the given global fit or a profile below it */
  best: FitResult | null;
  /** every fit so far converged (the global fit included), or found the point excluded outright (`FitResult.singular`) */
  converged: boolean;
  private readonly profiles = new Map<string, { values: readonly number[]; fit: FitResult }>();
  private previous: FitResult | null = null;
  private readonly fallback: Float64Array;
  private readonly variant: number;
  private readonly warmStart: 'nearest' | 'previous';

  constructor(
    readonly likelihood: Likelihood,
    readonly data: LikelihoodData,
    readonly pinned: readonly number[],
    options: ProfileScannerOptions = {},
  ) {
    this.best = options.global ?? null;
    this.converged = options.global?.converged ?? true;
    this.fallback = options.start ?? likelihood.initial();
    this.variant = options.variant ?? 0;
    this.warmStart = options.warmStart ?? 'nearest';
  }

  /** The profile fit with the pinned parameters at `values`; `start` overrides the warm start. */
  fit(values: readonly number[], start?: Float64Array): FitResult {
    const key = values.join(',');
    const known = this.profiles.get(key);
    if (known) return known.fit;
    const fit = profileFit(this.likelihood, this.data, new Map(this.pinned.map((j, k) => [j, values[k]])), { variant: this.variant, start: start ?? this.startFor(values), multiStart: false });
    this.profiles.set(key, { values, fit });
    this.converged &&= fit.converged || fit.singular;
    if (fit.converged) this.previous = fit;
    if (this.best && fit.nll < this.best.nll) this.best = fit;
    return fit;
  }

  /** q at `values` relative to the lowest NLL met so far (+∞ where the point is excluded outright). */
  q(values: readonly number[]): number {
    const fit = this.fit(values);
    return profileQ(fit, this.best ? this.best.nll : fit.nll);
  }

  private startFor(values: readonly number[]): Float64Array {
    if (this.warmStart === 'previous') return this.previous?.parameters ?? this.best?.parameters ?? this.fallback;
    let start = this.best?.parameters ?? this.fallback;
    let nearest = Infinity;
    for (const p of this.profiles.values()) {
      if (!p.fit.converged) continue;
      let d = 0;
      for (let k = 0; k < values.length; k++) d += (p.values[k] - values[k]) ** 2;
      if (d < nearest) {
        nearest = d;
        start = p.fit.parameters;
      }
    }
    return start;
  }
}

/**
 * How well the covariance describes the likelihood along parameter `index`: the profile q at
 * θ̂ ± σ̂ (σ̂ = √(H⁻¹)_ii, eq. 51), which is 1 on both sides where −ln L is parabolic. A coupling
 * whose effect starts at second order makes the Hessian at θ̂ small and σ̂ far too large: q is
 * then ≫ 1 there (dy-smeft-run3-mll, C_lq1: σ̂ = 0.11 against a 68% half-width of ~0.008).
 * Null where σ̂ is unavailable or a side leaves the allowed range.
 */
export function quadraticCheck(likelihood: Likelihood, data: LikelihoodData, fit: FitResult, index: number, options: { variant?: number } = {}): [number, number] | null {
  const sigma = fit.uncertainties[index];
  const best = fit.parameters[index];
  const [lo, hi] = likelihood.parameters[index].bounds;
  if (!(sigma > 0 && Number.isFinite(sigma)) || best - sigma < lo || best + sigma > hi) return null;
  const scanner = new ProfileScanner(likelihood, data, [index], { variant: options.variant, global: fit });
  return [scanner.q([best - sigma]), scanner.q([best + sigma])];
}
