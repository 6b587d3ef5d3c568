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
  /** ∂NLL/∂θ for the parameters of interest, per point (with profiling: the total derivative, by the envelope theorem) */
  gradient?: number[][];
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
}

/** `points` are global parameter vectors (parameters of interest set, nuisances at their initial values). */
export function nllAtPoints(likelihood: Likelihood, data: LikelihoodData, points: readonly Float64Array[], options: PointOptions = {}): PointEvaluation {
  const n = likelihood.parameters.length;
  const P = likelihood.interest;
  const nuisanceFree = likelihood.parameters.slice(P).every((p) => p.fixed);
  const profile = (options.profile ?? false) && !nuisanceFree;
  const result: PointEvaluation = { nll: [], converged: [] };
  if (options.gradient) result.gradient = [];
  if (profile) result.nuisances = [];
  const members = likelihood.variants - 1;
  if (members > 0) result.memberSpread = [];

  const pinned = Array.from({ length: P }, (_, i) => i);
  // points arrive in the client's order, often along a line: each fit starts from the last solution
  const scanner = profile ? new ProfileScanner(likelihood, data, pinned, { warmStart: 'previous' }) : null;
  const memberNll = new Float64Array(members);
  for (const point of points) {
    let at = point;
    let converged = true;
    if (scanner) {
      const fit = scanner.fit(Array.from(point.subarray(0, P)));
      at = fit.parameters;
      converged = fit.converged;
      result.nuisances!.push(Array.from(at.subarray(P)));
    }
    if (options.gradient) {
      const g = new Float64Array(n);
      result.nll.push(likelihood.nll(at, data, 0, { gradient: g }));
      result.gradient!.push(Array.from(g.subarray(0, P)));
    } else {
      result.nll.push(likelihood.nll(at, data, 0));
    }
    result.converged.push(converged);
    if (members > 0) {
      for (let v = 1; v <= members; v++) memberNll[v - 1] = likelihood.nll(at, data, v);
      result.memberSpread!.push(ensembleSpread(memberNll));
    }
  }
  return result;
}
