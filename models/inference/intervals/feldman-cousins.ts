/**
 * Feldman–Cousins intervals (G. J. Feldman and R. D. Cousins, "Unified approach to the
 * classical statistical analysis of small signals", PRD 57 (1998) 3873): the Neyman
 * construction with the likelihood-ratio ordering, R = L(θ)/L(θ_best), θ_best the best fit
 * in the physical region (eq. 4.1). Ordering by R is ordering by the two-sided
 * q(θ) = −2 ln R, so θ belongs to the interval at confidence level CL when the data are no
 * more extreme than a fraction CL of pseudo-experiments drawn at θ:
 *
 *     θ ∈ I  ⇔  P(q(θ) ≥ q_obs(θ) | θ) > 1 − CL,
 *
 * with nuisance parameters at their conditional fit ν̂̂(θ) (the profile construction). The
 * probability comes from toys (`twoSidedPValue`); every θ is tested with the same seed, so that
 * p(θ) is a smooth function of θ and its crossings of 1 − CL can be found by bisection.
 *
 * The interval is [lowest, highest] θ accepted on a scan refined at both ends; a boundary of
 * the allowed range that is accepted is an end (the upper-limit case of the paper's tables).
 */
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { createRandom } from '../../random.js';
import { twoSidedPValue, type EmpiricalPValue } from '../calculators/toys.js';
import { maximumLikelihood } from '../mle.js';

export interface FeldmanCousinsOptions {
  /** confidence level (default 0.9, as the paper's tables) */
  cl?: number;
  /** toys per tested θ (default 2000) */
  toys?: number;
  /** seed of every θ's toys (default 1) */
  seed?: number;
  /** scan points over the range before refinement (default 41) */
  points?: number;
  /** where to scan (default the parameter's bounds) */
  range?: readonly [number, number];
  /** bisection steps per end (default 12: the scan step / 4096) */
  refinements?: number;
  /** after each tested θ, with the count so far */
  progress?: (tested: number) => void;
}

export interface FeldmanCousinsInterval {
  cl: number;
  /** the interval's ends; null where no θ of the range is accepted */
  lower: number | null;
  upper: number | null;
  /** every θ tested, in order of θ, with its p-value */
  tested: { theta: number; pValue: EmpiricalPValue | null }[];
  converged: boolean;
  message: string;
}

/** The Neyman construction over p(θ) (the module comment): accepted where p > 1 − CL; null p (a failed fit) is not accepted. */
export function neymanInterval(pValue: (theta: number) => EmpiricalPValue | null, options: Pick<FeldmanCousinsOptions, 'cl' | 'points' | 'refinements' | 'progress'> & { range: readonly [number, number] }): FeldmanCousinsInterval {
  const cl = options.cl ?? 0.9;
  if (!(cl > 0 && cl < 1)) throw new RangeError(`the confidence level must lie in (0, 1), got ${cl}`);
  const [lo, hi] = options.range;
  const points = options.points ?? 41;
  const refinements = options.refinements ?? 12;
  const tested = new Map<number, EmpiricalPValue | null>();
  const test = (theta: number) => {
    if (!tested.has(theta)) {
      tested.set(theta, pValue(theta));
      options.progress?.(tested.size);
    }
    return tested.get(theta)!;
  };
  const accepted = (theta: number) => {
    const p = test(theta);
    return p !== null && p.value > 1 - cl;
  };
  const grid = Array.from({ length: points }, (_, k) => lo + ((hi - lo) * k) / (points - 1));
  const inside = grid.map(accepted);
  const first = inside.indexOf(true);
  const last = inside.lastIndexOf(true);
  const list = () => [...tested].sort((a, b) => a[0] - b[0]).map(([theta, p]) => ({ theta, pValue: p }));
  const failed = [...tested.values()].filter((p) => p === null).length;
  if (first < 0) return { cl, lower: null, upper: null, tested: list(), converged: failed === 0, message: `no value in [${lo}, ${hi}] is accepted at ${cl} CL` };
  // the crossing between an accepted and a rejected neighbour, by bisection on acceptance
  const crossing = (accept: number, reject: number) => {
    for (let k = 0; k < refinements; k++) {
      const mid = (accept + reject) / 2;
      if (accepted(mid)) accept = mid;
      else reject = mid;
    }
    return (accept + reject) / 2;
  };
  const lower = first === 0 ? lo : crossing(grid[first], grid[first - 1]);
  const upper = last === points - 1 ? hi : crossing(grid[last], grid[last + 1]);
  const gaps = inside.slice(first, last + 1).some((v) => !v);
  const message = [failed ? `${failed} tested values had a fit that did not converge (not accepted)` : '', gaps ? 'the accepted values are not contiguous on the scan: the interval spans the gap' : ''].filter(Boolean).join('; ') || 'converged';
  return { cl, lower, upper, tested: list(), converged: failed === 0, message };
}

/** A Feldman–Cousins interval for parameter `poi` of a likelihood, from toys (the module comment). */
export function feldmanCousinsInterval(likelihood: Likelihood, data: LikelihoodData, poi: string, options: FeldmanCousinsOptions = {}): FeldmanCousinsInterval {
  const index = likelihood.indexOf(poi);
  if (index < 0) throw new RangeError(`unknown parameter '${poi}'`);
  const range = options.range ?? likelihood.parameters[index].bounds;
  const global = maximumLikelihood(likelihood, data);
  if (!global.converged) return { cl: options.cl ?? 0.9, lower: null, upper: null, tested: [], converged: false, message: `the fit to the data did not converge: ${global.message}` };
  const toys = options.toys ?? 2000;
  const seed = options.seed ?? 1;
  return neymanInterval((theta) => twoSidedPValue(likelihood, data, index, theta, global, toys, createRandom(seed))?.pValue ?? null, { ...options, range });
}
