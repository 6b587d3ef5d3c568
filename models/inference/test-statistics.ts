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
import { NonPositiveRateError } from '../likelihood/term.js';
import { cholesky, choleskySolve } from '../numeric/linear-algebra.js';
import { heldParameters, profileFit, type FitResult } from './mle.js';

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
  /** also start each fit from points spread over the free parameters of interest (`maximumLikelihood`'s multi-start): for profiles with several local minima */
  multiStart?: boolean;
}

/** A profile fit as a scanner keeps it: where it was pinned, and how its solution moves with the pinned values. */
interface Profile {
  values: readonly number[];
  fit: FitResult;
  /** ∂x̂/∂θ_pinned, n × k row-major, by the implicit function theorem (null where the free block of the Hessian is not positive definite) */
  tangent: Float64Array | null;
}

/**
 * Profile fits at many values of a few pinned parameters (global indices `pinned`), each
 * warm-started from a neighbour's solution, remembered by value. A start is the neighbour's
 * solution moved along the profile's tangent, x̂ + (∂x̂/∂θ) Δθ, where that has the lower −ln L:
 * a start that close needs two or three Newton steps instead of six (`dy-smeft-run3`).
 */
export class ProfileScanner {
  /** the lowest-NLL fit met so far: the given global fit or a profile below it */
  best: FitResult | null;
  /** every fit so far converged (the global fit included), or found the point excluded outright (`FitResult.singular`) */
  converged: boolean;
  private readonly profiles = new Map<string, Profile>();
  private previous: Profile | null = null;
  private readonly fallback: Float64Array;
  readonly variant: number;
  private readonly warmStart: 'nearest' | 'previous';
  private readonly multiStart: boolean;

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
    this.multiStart = options.multiStart ?? false;
  }

  /** The profile fit with the pinned parameters at `values`; `start` overrides the warm start. */
  fit(values: readonly number[], start?: Float64Array): FitResult {
    const key = values.join(',');
    const known = this.profiles.get(key);
    if (known) return known.fit;
    const pinned = new Map(this.pinned.map((j, k) => [j, values[k]]));
    const { hessian, ...fit } = profileFit(this.likelihood, this.data, pinned, { variant: this.variant, start: start ?? this.startFor(values), multiStart: this.multiStart, hessian: true });
    const profile: Profile = { values, fit, tangent: fit.converged && hessian ? this.tangent(fit.parameters, hessian, pinned) : null };
    this.profiles.set(key, profile);
    this.converged &&= fit.converged || fit.singular;
    if (fit.converged) this.previous = profile;
    if (this.best && fit.nll < this.best.nll) this.best = fit;
    return fit;
  }

  /** Every profile fitted so far, in the order fitted. */
  fitted(): { values: readonly number[]; fit: FitResult }[] {
    return [...this.profiles.values()];
  }

  /** q at `values` relative to the lowest NLL met so far (+∞ where the point is excluded outright). */
  q(values: readonly number[]): number {
    const fit = this.fit(values);
    return profileQ(fit, this.best ? this.best.nll : fit.nll);
  }

  /** ∂x̂/∂θ_pinned = −H_ff⁻¹ H_f,pinned over the free parameters f (not pinned, fixed or at a bound). */
  private tangent(x: Float64Array, hessian: Float64Array, pinned: ReadonlyMap<number, number>): Float64Array | null {
    const n = x.length;
    const k = this.pinned.length;
    const held = heldParameters(this.likelihood, x, pinned);
    const free = [...held.keys()].filter((i) => held[i] === null);
    const m = free.length;
    const tangent = new Float64Array(n * k);
    if (m === 0) return tangent;
    const A = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) A[a * m + b] = hessian[free[a] * n + free[b]];
    if (!cholesky(A, m)) return null;
    for (let c = 0; c < k; c++) {
      const column = choleskySolve(A, m, Float64Array.from(free, (i) => -hessian[i * n + this.pinned[c]]));
      for (let a = 0; a < m; a++) tangent[free[a] * k + c] = column[a];
    }
    return tangent;
  }

  private startFor(values: readonly number[]): Float64Array {
    const from = this.warmStart === 'previous' ? this.previous : this.nearest(values);
    if (!from) return this.best?.parameters ?? this.fallback;
    const plain = Float64Array.from(from.fit.parameters);
    this.pinned.forEach((j, c) => (plain[j] = values[c]));
    if (!from.tangent) return plain;
    const moved = Float64Array.from(plain);
    const k = this.pinned.length;
    this.likelihood.parameters.forEach((p, i) => {
      let shift = 0;
      for (let c = 0; c < k; c++) shift += from.tangent![i * k + c] * (values[c] - from.values[c]);
      moved[i] = Math.min(Math.max(moved[i] + shift, p.bounds[0]), p.bounds[1]);
    });
    return this.nll(moved) < this.nll(plain) ? moved : plain;
  }

  /** The converged profile nearest to `values`. */
  private nearest(values: readonly number[]): Profile | null {
    let nearest: Profile | null = null;
    let distance = Infinity;
    for (const p of this.profiles.values()) {
      if (!p.fit.converged) continue;
      let d = 0;
      for (let k = 0; k < values.length; k++) d += (p.values[k] - values[k]) ** 2;
      if (d < distance) [distance, nearest] = [d, p];
    }
    return nearest;
  }

  /** −ln L at x (+∞ where it is undefined), to choose between starts. */
  private nll(x: Float64Array): number {
    try {
      const v = this.likelihood.nll(x, this.data, this.variant);
      return Number.isNaN(v) ? Infinity : v;
    } catch (error) {
      if (error instanceof NonPositiveRateError) return Infinity;
      throw error;
    }
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
