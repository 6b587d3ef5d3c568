/**
 * The likelihood at points (DESIGN.md "The public HTTP API": `nll`, `ratio`): −ln L at many
 * parameter points with gradients, profiled nuisances and the ensemble's spread, and the
 * per-event ratios ln r(x|θ, θ0) of the unbinned term with the members' spread (seed 003
 * app. A: the spread is reported with every number, never hidden), and the same ratios as
 * weights that reweight a sample at θ0 to θ (seed 004's DCTR).
 */
import type { LoadedArtifact } from '../artifact/load.js';
import { ensembleSpread } from '../inference/ensemble.js';
import { maximumLikelihood } from '../inference/mle.js';
import { nllAtPoints } from '../inference/points.js';
import { parameterVector, type ParameterPoint } from '../likelihood/datasets.js';
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { unbinnedTerms, type UnbinnedTerm } from '../terms/unbinned.js';
import { assertInsideSelection } from '../likelihood/selection.js';
import { budgeted, Cost, fewer, likelihoodSizes } from './cost.js';
import { fitFailed, invalidInput, notApplicable, tooCostly } from './errors.js';
import { baseCost, evaluating, flattenEvents, parameterPoints, requestData, type ServedLikelihood } from './request-data.js';
import { LIMITS, type NllRequest, type NllResponse, type ParametersResponse, type RatioRequest, type RatioResponse, type ReweightRequest, type ReweightResponse } from './schemas.js';

/**
 * −ln L at every requested point (seed 003 app. A eq. 49), with what the request asks for:
 * any parameter set by name (the full vector), the analytic gradient and Hessian over the
 * parameters of interest or all, the unnamed nuisances profiled, and an offset.
 */
export function nll(artifact: ServedLikelihood, request: NllRequest): NllResponse {
  const { likelihood } = artifact;
  const K = request.points.length;
  const n = likelihood.parameters.length;
  const d = request.derivatives === 'all' ? n : likelihood.interest;
  const order = request.hessian ? 2 : request.gradient ? 1 : 0;
  const cost = baseCost(likelihood, request)
    .points(K)
    .evaluations(K, order)
    .evaluations(request.memberSpread ? K * (likelihood.variants - 1) : 0, 0, true)
    .other(0, 40 * K * (n + (request.gradient ? d : 0) + (request.hessian ? d * d : 0)));
  if (request.profile) cost.warmFits(K);
  if (request.offset === 'best-fit') cost.coldFit();
  const data = requestData(likelihood, request);
  const points = parameterPoints(likelihood, request.points, 'points', { nuisances: true });
  const held = heldNuisances(likelihood, request);
  const { result, offset } = budgeted(cost, fewer('points per request', K), () =>
    evaluating(() => ({
      result: nllAtPoints(likelihood, data, points, { profile: request.profile, gradient: request.gradient, hessian: request.hessian, derivatives: request.derivatives, held, memberSpread: request.memberSpread }),
      offset: request.offset === undefined ? null : nllOffset(artifact, data, request.offset),
    })),
  );
  const finite = (rows: number[][] | undefined, k: number) => rows?.[k].every(Number.isFinite) ?? true;
  const overflow = result.nll.findIndex((v, k) => !Number.isFinite(v) || !finite(result.gradient, k) || !(result.hessian?.[k].every((row) => row.every(Number.isFinite)) ?? true));
  if (overflow >= 0) {
    throw invalidInput('likelihood-undefined', `the NLL at points[${overflow}] is not a finite number: the luminosity or the event weights are beyond double precision`, undefined, [{ path: ['points', overflow], message: 'non-finite NLL' }]);
  }
  return {
    parameters: likelihood.names.slice(0, d),
    nll: offset ? result.nll.map((v) => v - offset.nll) : result.nll,
    ...(result.gradient ? { gradient: result.gradient } : {}),
    ...(result.hessian ? { hessian: result.hessian } : {}),
    ...(offset ? { offset } : {}),
    ...(result.memberSpread ? { memberSpread: result.memberSpread } : {}),
    ...(result.nuisances ? { nuisances: { parameters: likelihood.names.slice(likelihood.interest), values: result.nuisances } } : {}),
    converged: result.converged,
  };
}

/** Every parameter of the likelihood with its range, nominal value and constraint: what a global fitter needs to address them all. */
export function parameterList(artifact: ServedLikelihood): ParametersResponse {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    parameters: artifact.likelihood.parameters.map((p) => ({ name: p.name, kind: p.kind, init: p.init, bounds: [finite(p.bounds[0]), finite(p.bounds[1])], fixed: p.fixed, constraint: p.constraint })),
  };
}

/**
 * The nuisance parameters the points set (global indices): held at their values where the
 * others are profiled, so with `profile` every point must name the same ones.
 */
function heldNuisances(likelihood: Likelihood, request: NllRequest): number[] {
  const named = (point: ParameterPoint) =>
    Object.keys(point)
      .map((name) => likelihood.indexOf(name))
      .filter((i) => i >= likelihood.interest)
      .sort((a, b) => a - b);
  const first = named(request.points[0]);
  if (request.profile) {
    const differs = request.points.findIndex((p) => named(p).join() !== first.join());
    if (differs >= 0) {
      const list = (indices: number[]) => (indices.length ? indices.map((i) => likelihood.names[i]).join(', ') : 'none');
      throw invalidInput('invalid-request', `with profile, every point must set the same nuisance parameters (those are held, the rest profiled): points[0] sets ${list(first)}, points[${differs}] sets ${list(named(request.points[differs]))}`, ['points', differs]);
    }
  }
  return first;
}

/** The NLL subtracted from every value: at the best fit on the same data, or at a given full point. */
function nllOffset(artifact: ServedLikelihood, data: LikelihoodData, offset: 'best-fit' | ParameterPoint): { nll: number; parameters: Record<string, number> } {
  const { likelihood } = artifact;
  let at: Float64Array;
  if (offset === 'best-fit') {
    const fit = maximumLikelihood(likelihood, data);
    if (!fit.converged) throw fitFailed(`the best fit for the offset did not converge (${fit.message}); give the offset as a point instead`);
    at = fit.parameters;
  } else at = parameterVector(likelihood, offset, ['offset'], { nuisances: true });
  return { nll: likelihood.nll(at, data, 0), parameters: Object.fromEntries(likelihood.names.map((name, i) => [name, at[i]])) };
}

/** ln r(x|θ, θ0) per submitted event and point (seed 003 eq. 5, 29, 34), with the members' spread. */
export function ratio(artifact: LoadedArtifact, request: RatioRequest): RatioResponse {
  const { observables, logRatio, members } = eventLogRatios(artifact, request);
  if (!members) return { observables, logRatio };
  return { observables, logRatio, spread: memberSpreads(members, (v) => v) };
}

/**
 * Per-event weights w(x|θ) = r(x|θ, θ0) = e^{ln r}, normalised so that the reference sample drawn
 * at θ0 has mean weight 1 (seed 004 eq. 2 and 7-9: a sample at θ0 weighted by w is a sample at θ;
 * for a parametrised term through Z(θ), for a polynomial one through σ(θ) from the same sample,
 * eq. 34 of seed 003), with the spread of the members' weights.
 */
export function reweight(artifact: LoadedArtifact, request: ReweightRequest): ReweightResponse {
  const { observables, logRatio, members } = eventLogRatios(artifact, request);
  const weights = logRatio.map((row) => row.map(Math.exp));
  if (!members) return { observables, weights };
  return { observables, weights, spread: memberSpreads(members, Math.exp) };
}

/** The unbinned term's ln r of every submitted event at every point, and each member's, after the checks both `ratio` and `reweight` need. */
function eventLogRatios(artifact: LoadedArtifact, request: RatioRequest): { observables: string[]; logRatio: number[][]; members: Float64Array[][] | null } {
  const { likelihood } = artifact;
  const unbinned = unbinnedTerms(likelihood);
  if (unbinned.length !== 1) throw notApplicable(`per-event ratios need exactly one unbinned term; '${artifact.manifest.id}' has ${unbinned.length}`);
  const term: UnbinnedTerm = unbinned[0];
  const { observables } = term;
  const { values, count, width } = flattenEvents(request.events, ['events']);
  if (count > LIMITS.events) throw tooCostly('too-many-events', `${count} events; the limit is ${LIMITS.events}`, ['events']);
  if (count * request.points.length > LIMITS.ratioValues) throw tooCostly('too-many-points', `${count} events × ${request.points.length} points exceeds ${LIMITS.ratioValues} values; split the request`, ['points']);
  if (count > 0 && width !== observables.length) {
    throw invalidInput('invalid-dataset', `events need ${observables.length} values each (${observables.join(', ')}), got ${width}`, undefined, [{ path: ['events'], message: 'wrong event width' }]);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw invalidInput('invalid-dataset', 'event values must be finite numbers', undefined, [{ path: ['events', Math.floor(i / width), i % width], message: 'not a finite number' }]);
  }
  evaluating(() => assertInsideSelection(values, count, observables, likelihood.selection, ['events']));
  const points = parameterPoints(likelihood, request.points);
  const { units, memoryBytes } = term.ratioCost(count, request.points.length);
  const cost = new Cost(likelihoodSizes(likelihood, () => count)).points(request.points.length).other(units, memoryBytes);
  return budgeted(cost, fewer('events per request', count), () => {
    const data = term.eventData(values, count);
    const index = likelihood.termIndex(term);
    const logRatio = evaluating(() => points.map((p) => Array.from(term.eventLogRatios(data, p, index, 0))));
    const K = term.variants - 1;
    const members = K === 0 ? null : evaluating(() => points.map((p) => Array.from({ length: K }, (_, k) => term.eventLogRatios(data, p, index, k + 1))));
    return { observables: [...observables], logRatio, members };
  });
}

/** Per point, per event: the standard deviation over the members of f(their ln r). */
function memberSpreads(members: Float64Array[][], f: (logRatio: number) => number): number[][] {
  return members.map((perMember) => {
    const values = new Float64Array(perMember.length);
    return Array.from({ length: perMember[0].length }, (_, i) => {
      perMember.forEach((m, k) => (values[k] = f(m[i])));
      return ensembleSpread(values);
    });
  });
}
