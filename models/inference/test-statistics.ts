/**
 * The profile-likelihood test statistic (seed 003 app. A eq. 50, DESIGN.md):
 *
 *     q(θ) = 2 [NLL(θ, ν̂̂(θ)) − NLL(θ̂, ν̂)],
 *
 * with the parameters of interest held at θ and everything else profiled.
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { maximumLikelihood, type FitResult } from './mle.js';

/** The fit with `values` (global index → value) held fixed and all other parameters profiled. */
export function profileFit(likelihood: Likelihood, data: LikelihoodData, values: ReadonlyMap<number, number>, options: { variant?: number; start?: Float64Array; multiStart?: boolean } = {}): FitResult {
  // With every parameter of interest pinned, the nuisances need no spread of starting points;
  // scans pass multiStart: false since each fit starts from its neighbour's solution.
  const pinnedInterest = [...Array(likelihood.interest).keys()].every((i) => values.has(i) || likelihood.parameters[i].fixed);
  return maximumLikelihood(likelihood, data, { variant: options.variant, fixed: values, start: options.start, multiStart: options.multiStart ?? !pinnedInterest });
}

export interface TestStatistic {
  q: number;
  profile: FitResult;
  global: FitResult;
  converged: boolean;
}

/**
 * q at the point `values`. If the profile fit finds a lower NLL than the given global
 * fit, the global fit was a local minimum: the profile becomes the global minimum and q = 0.
 */
export function profileTestStatistic(likelihood: Likelihood, data: LikelihoodData, values: ReadonlyMap<number, number>, global: FitResult, options: { variant?: number; start?: Float64Array } = {}): TestStatistic {
  const profile = profileFit(likelihood, data, values, options);
  const better = profile.nll < global.nll ? profile : global;
  return { q: 2 * (profile.nll - better.nll), profile, global: better, converged: profile.converged && better.converged };
}
