/**
 * Maximum-likelihood estimation (seed 003 app. A eq. 51): θ̂, ν̂ = argmin −ln L, bounded,
 * with analytic derivatives, several starting points for the parameters of interest (the
 * likelihoods we serve are often symmetric under a sign flip of a coupling, so a single
 * start at θ0 can sit on a saddle), and an honest convergence flag.
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { NonPositiveRateError } from '../likelihood/term.js';
import { covarianceFromHessian, minimize, type MinimizeResult } from '../numeric/minimize.js';

export interface FitOptions {
  /** ensemble variant: 0 = estimate, 1..K = members */
  variant?: number;
  /** global parameter index → value held fixed */
  fixed?: ReadonlyMap<number, number>;
  /** starting point (global vector); default the likelihood's initial values */
  start?: Float64Array;
  /** also start from points spread over the free parameters of interest (default true) */
  multiStart?: boolean;
  /** invert the Hessian for the covariance (default true); scans skip it: n³ work and n² memory per point */
  covariance?: boolean;
  /** return the Hessian at the solution (`FitResult.hessian`), n × n: scans derive where the next profile starts from it */
  hessian?: boolean;
  tolerance?: number;
}

export interface FitResult {
  parameters: Float64Array;
  nll: number;
  converged: boolean;
  message: string;
  iterations: number;
  edm: number;
  /** ∂(−ln L)/∂θ at the solution: ~0 for free parameters, and for a pinned one the slope of the profile (the envelope theorem) */
  gradient: Float64Array;
  /** ∂²(−ln L) at the solution, n × n, when asked for (`FitOptions.hessian`) */
  hessian?: Float64Array;
  /** covariance of the free parameters (inverse Hessian), n × n; null when not positive definite */
  covariance: Float64Array | null;
  /** √diag(covariance); NaN for fixed parameters or when unavailable */
  uncertainties: Float64Array;
  /** other local minima the multi-start found, differing from this one in a parameter of interest (their parameters) */
  otherMinima: Float64Array[];
  /** problems met on the way, e.g. regions where the likelihood is undefined */
  warnings: string[];
  /**
   * the likelihood was not finite at any starting point (zero where data exist, or an
   * undefined term: `warnings` says which): there is no minimum, and where parameters are
   * pinned the data exclude that point outright
   */
  singular: boolean;
}

export function maximumLikelihood(likelihood: Likelihood, data: LikelihoodData, options: FitOptions = {}): FitResult {
  const n = likelihood.parameters.length;
  const variant = options.variant ?? 0;
  const fixedValues = options.fixed ?? new Map<number, number>();
  const lower = Float64Array.from(likelihood.parameters, (p) => p.bounds[0]);
  const upper = Float64Array.from(likelihood.parameters, (p) => p.bounds[1]);
  const fixed = likelihood.parameters.map((p, i) => p.fixed || fixedValues.has(i));
  const start = Float64Array.from(options.start ?? likelihood.initial());
  for (const [i, v] of fixedValues) start[i] = v;

  const warnings = new Set<string>();
  const objective = (x: Float64Array, gradient: Float64Array | null, hessian: Float64Array | null) => {
    try {
      return likelihood.nll(x, data, variant, { gradient: gradient ?? undefined, hessian: hessian ?? undefined });
    } catch (error) {
      if (error instanceof NonPositiveRateError) {
        warnings.add(error.message);
        return Infinity;
      }
      throw error;
    }
  };

  const starts = [start];
  if (options.multiStart ?? true) {
    for (let i = 0; i < likelihood.interest; i++) {
      if (fixed[i]) continue;
      for (const side of [-1, 1]) {
        const edge = side < 0 ? lower[i] : upper[i];
        const span = Number.isFinite(edge) ? Math.abs(edge - start[i]) : 1;
        if (span === 0) continue;
        const s = Float64Array.from(start);
        s[i] = start[i] + side * 0.5 * span;
        starts.push(s);
      }
    }
  }

  let best: MinimizeResult | null = null;
  const found: MinimizeResult[] = [];
  for (const s of starts) {
    const r = minimize(objective, s, { lower, upper, fixed, tolerance: options.tolerance });
    if (!Number.isFinite(r.value)) continue;
    if (r.converged) found.push(r);
    if (!best || better(r, best)) best = r;
  }
  if (!best) {
    return {
      parameters: start,
      nll: NaN,
      converged: false,
      message: 'the likelihood is not finite at any starting point',
      iterations: 0,
      edm: Infinity,
      gradient: new Float64Array(n).fill(NaN),
      covariance: null,
      uncertainties: new Float64Array(n).fill(NaN),
      warnings: [...warnings],
      otherMinima: [],
      singular: true,
    };
  }
  const held = heldParameters(likelihood, best.x, fixedValues);
  const free = [...held.keys()].filter((i) => held[i] === null);
  const covariance = (options.covariance ?? true) ? covarianceFromHessian(best.hessian, n, free) : null;
  const uncertainties = new Float64Array(n).fill(NaN);
  if (covariance) for (const i of free) uncertainties[i] = Math.sqrt(covariance[i * n + i]);
  return {
    parameters: best.x,
    nll: best.value,
    converged: best.converged,
    message: best.message,
    iterations: best.iterations,
    edm: best.edm,
    gradient: best.gradient,
    ...(options.hessian ? { hessian: best.hessian } : {}),
    covariance,
    uncertainties,
    warnings: [...warnings],
    otherMinima: distinctMinima(likelihood, found, best),
    singular: false,
  };
}

/**
 * The minima other starts converged to that differ from `best` in some parameter of interest
 * by more than 10⁻³ of its range: where a profile of that parameter may have a second dip.
 */
function distinctMinima(likelihood: Likelihood, found: readonly MinimizeResult[], best: MinimizeResult): Float64Array[] {
  const distinct: Float64Array[] = [];
  const differs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    likelihood.parameters.some((p, i) => i < likelihood.interest && Math.abs(a[i] - b[i]) > 1e-3 * (Number.isFinite(p.bounds[1] - p.bounds[0]) ? p.bounds[1] - p.bounds[0] : 1));
  for (const r of found) if (differs(r.x, best.x) && distinct.every((d) => differs(r.x, d))) distinct.push(r.x);
  return distinct;
}

/** Why a parameter has no uncertainty at a minimum, or null where it has one. */
export type Held = 'fixed' | 'lower bound' | 'upper bound' | null;

/**
 * For each parameter at the minimum x, whether it is held: fixed (in the model, or by the fit's
 * `fixed`) or at a bound of its range. The covariance (eq. 51, the inverse Hessian) is that of
 * the others only: at a bound the NLL's curvature does not describe a two-sided uncertainty.
 */
export function heldParameters(likelihood: Likelihood, x: ArrayLike<number>, fixed: ReadonlyMap<number, number> = new Map()): Held[] {
  return likelihood.parameters.map((p, i) => {
    if (p.fixed || fixed.has(i)) return 'fixed';
    if (!(x[i] > p.bounds[0])) return 'lower bound';
    return x[i] < p.bounds[1] ? null : 'upper bound';
  });
}

/**
 * The conditional fit: `values` (global index → value) held fixed, every other free parameter
 * fitted (θ̂̂, ν̂̂ of seed 003 app. A eq. 50), without its covariance (scans need the minimum
 * only). With every parameter of interest pinned the nuisances need no spread of starting
 * points; scans pass multiStart: false as each fit starts from a neighbour's solution.
 */
export function profileFit(likelihood: Likelihood, data: LikelihoodData, values: ReadonlyMap<number, number>, options: { variant?: number; start?: Float64Array; multiStart?: boolean; hessian?: boolean } = {}): FitResult {
  const pinnedInterest = [...Array(likelihood.interest).keys()].every((i) => values.has(i) || likelihood.parameters[i].fixed);
  return maximumLikelihood(likelihood, data, { variant: options.variant, fixed: values, start: options.start, multiStart: options.multiStart ?? !pinnedInterest, covariance: false, hessian: options.hessian });
}

/** Lower NLL wins; a converged minimum beats an unconverged one unless that one is clearly lower. */
function better(a: MinimizeResult, b: MinimizeResult): boolean {
  if (a.converged === b.converged) return a.value < b.value;
  const converged = a.converged ? a : b;
  const other = a.converged ? b : a;
  const convergedWins = converged.value <= other.value + 1e-6;
  return a.converged ? convergedWins : !convergedWins;
}
