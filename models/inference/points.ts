/**
 * The NLL at many parameter points at once (the `nll` endpoint, global fits querying by the
 * thousand): nuisances either at their nominal values or profiled, with the analytic
 * gradient in the parameters of interest, and the ensemble's spread (seed 003 app. A: the
 * standard deviation over members of each member's NLL). The spread is reported as what it is,
 * not as an uncertainty: on the toys it covers the truth far less often than a calibrated band
 * would (docs/gaussian-toys.md, scripts/pipeline/ensemble-calibration.ts).
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { ensembleSpread } from './ensemble.js';
import { ProfileScanner } from './test-statistics.js';

export interface PointEvaluation {
  nll: number[];
  /** ∂NLL/∂θ over the parameters `derivatives` names, per point (with profiling: the total derivative, by the envelope theorem) */
  gradient?: number[][];
  /** ∂²NLL/∂θ_i∂θ_j over the same parameters, per point (of the NLL itself, at the profiled nuisances where they are profiled) */
  hessian?: number[][][];
  /** standard deviation of the members' NLL, per point (only for ensembles) */
  memberSpread?: number[];
  /** per point: every profile fit converged (always true without profiling) */
  converged: boolean[];
  /** per point, the profiled nuisance values (only with profiling) */
  nuisances?: number[][];
}

export interface PointOptions {
  profile?: boolean;
  gradient?: boolean;
  hessian?: boolean;
  /** the parameters the derivatives cover: the first `interest` (default) or all */
  derivatives?: 'interest' | 'all';
  /** nuisance parameters (global indices) the points set, held at their values when profiling */
  held?: readonly number[];
  /** evaluate every ensemble member for the spread (default true) */
  memberSpread?: boolean;
}

/**
 * `points` are global parameter vectors: parameters of interest and any nuisances set, the
 * others at their initial values, or profiled with `profile` (all but the parameters of
 * interest and `held`).
 */
export function nllAtPoints(likelihood: Likelihood, data: LikelihoodData, points: readonly Float64Array[], options: PointOptions = {}): PointEvaluation {
  const n = likelihood.parameters.length;
  const P = likelihood.interest;
  const held = options.held ?? [];
  const pinned = [...Array.from({ length: P }, (_, i) => i), ...held];
  const nuisanceFree = likelihood.parameters.every((p, i) => i < P || p.fixed || held.includes(i));
  const profile = (options.profile ?? false) && !nuisanceFree;
  const d = options.derivatives === 'all' ? n : P;
  const result: PointEvaluation = { nll: [], converged: [] };
  if (options.gradient) result.gradient = [];
  if (options.hessian) result.hessian = [];
  if (profile) result.nuisances = [];
  const members = options.memberSpread === false ? 0 : likelihood.variants - 1;
  if (members > 0) result.memberSpread = [];

  // points arrive in the client's order, often along a line: each fit starts from the last solution
  const scanner = profile ? new ProfileScanner(likelihood, data, pinned, { warmStart: 'previous' }) : null;
  const memberNll = new Float64Array(members);
  const g = options.gradient || options.hessian ? new Float64Array(n) : undefined;
  const h = options.hessian ? new Float64Array(n * n) : undefined;
  for (const point of points) {
    let at = point;
    let converged = true;
    if (scanner) {
      const fit = scanner.fit(pinned.map((i) => point[i]));
      at = fit.parameters;
      converged = fit.converged;
      result.nuisances!.push(Array.from(at.subarray(P)));
    }
    // the terms add their derivatives into these
    g?.fill(0);
    h?.fill(0);
    result.nll.push(likelihood.nll(at, data, 0, g ? { gradient: g, hessian: h } : undefined));
    if (options.gradient) result.gradient!.push(Array.from(g!.subarray(0, d)));
    if (h) result.hessian!.push(Array.from({ length: d }, (_, i) => Array.from(h.subarray(i * n, i * n + d))));
    result.converged.push(converged);
    if (members > 0) {
      for (let v = 1; v <= members; v++) memberNll[v - 1] = likelihood.nll(at, data, v);
      result.memberSpread!.push(ensembleSpread(memberNll));
    }
  }
  return result;
}
