/**
 * The posterior of a one-parameter likelihood (seed 002, "Observable optimization"; issue 19):
 * p(θ | x) ∝ L(θ) π(θ) with a uniform prior π on a range, tabulated on a grid, with its mode
 * and highest-posterior-density regions (models/inference/posterior.ts), disjoint where the
 * posterior is multimodal. A learned ratio r(x|θ) = p(x|θ)/p(x) (neural ratio estimation) is
 * such a likelihood up to a θ-free factor, which the normalisation removes. Likelihoods with
 * further free parameters are refused: marginalising them is not offered, and a profile is not
 * a posterior.
 */
import type { Manifest } from '../artifact/manifest-schema.js';
import { uniformGrid } from '../inference/intervals/profile.js';
import { hpdRegion, posteriorMode, posteriorOnGrid } from '../inference/posterior.js';
import { eeecTriplets, shapeSummary } from '../observables/energy-correlators.js';
import { budgeted, fewer, plainCost } from './cost.js';
import { invalidInput, notApplicable } from './errors.js';
import { baseCost, evaluating, requestData, type ServedLikelihood } from './request-data.js';
import type { PosteriorRequest } from './schemas.js';

export function posterior(artifact: ServedLikelihood, request: PosteriorRequest) {
  const { likelihood } = artifact;
  const free = likelihood.parameters.flatMap((p, i) => (p.fixed ? [] : [i]));
  const index = request.parameter === undefined ? free[0] : likelihood.indexOf(request.parameter);
  if (request.parameter !== undefined && index < 0) throw invalidInput('unknown-parameter', `unknown parameter '${request.parameter}' (one of ${likelihood.names.join(', ')})`, ['parameter']);
  if (free.length !== 1 || free[0] !== index) {
    throw notApplicable(`a posterior is offered for likelihoods of one free parameter; this one has ${free.length} (${free.map((i) => likelihood.names[i]).join(', ')}): marginalising the others is not offered, and POST …/interval gives their profile`, request.parameter === undefined ? undefined : ['parameter']);
  }
  const [low, high] = likelihood.parameters[index].bounds;
  const [from, to] = request.prior ?? [low, high];
  if (!(from < to) || from < low || to > high || !Number.isFinite(from) || !Number.isFinite(to)) {
    throw invalidInput('parameter-out-of-range', `the prior's range must be increasing and inside the parameter's allowed range [${low}, ${high}], got [${from}, ${to}]`, ['prior']);
  }
  const P = request.points;
  const fields = request.jets ? { ...request, data: { events: [Array.from(jetSummary(artifact, request.jets))] } } : request;
  const cost = baseCost(likelihood, fields).points(2 * P).evaluations(2 * P, 0);
  const data = requestData(likelihood, fields);
  const gridOver = (a: number, b: number) => Float64Array.from(uniformGrid(a, b, P));
  const increasing = (grid: Float64Array) => grid.every((v, k) => k === 0 || v > grid[k - 1]);
  if (!increasing(gridOver(from, to))) throw invalidInput('invalid-request', `the prior's range [${from}, ${to}] is too narrow for ${P} distinct grid points in double precision`, ['prior']);
  const tabulate = (a: number, b: number) => {
    const grid = gridOver(a, b);
    const at = likelihood.initial();
    const logLikelihood = Float64Array.from(grid, (theta) => {
      at[index] = theta;
      return -likelihood.nll(at, data, 0);
    });
    const bad = logLikelihood.findIndex((v) => Number.isNaN(v) || v === Infinity);
    if (bad >= 0) throw invalidInput('likelihood-undefined', `the likelihood at ${likelihood.names[index]} = ${grid[bad]} is not a number`, ['prior']);
    if (logLikelihood.every((v) => v === -Infinity)) throw invalidInput('likelihood-undefined', 'the likelihood is zero everywhere on the prior’s range', ['prior']);
    return { grid, logLikelihood };
  };
  // a posterior much narrower than the prior is tabulated again where it lives: the range
  // holding all but 10⁻⁶ of it, widened by half its width on each side
  const { grid, logLikelihood } = budgeted(cost, fewer('grid points', P), () =>
    evaluating(() => {
      const first = tabulate(from, to);
      const hull = hpdRegion(first.grid, posteriorOnGrid(first.grid, first.logLikelihood), 1 - 1e-6).intervals;
      const [a, b] = [hull[0][0], hull[hull.length - 1][1]];
      const [zoomFrom, zoomTo] = [Math.max(from, a - (b - a) / 2), Math.min(to, b + (b - a) / 2)];
      if (b - a > (to - from) / 4 || !increasing(gridOver(zoomFrom, zoomTo))) return first;
      return tabulate(zoomFrom, zoomTo);
    }),
  );
  const density = posteriorOnGrid(grid, logLikelihood);
  return {
    parameter: likelihood.names[index],
    prior: { kind: 'uniform' as const, range: [from, to] as [number, number] },
    tabulated: [grid[0], grid[grid.length - 1]] as [number, number],
    grid: Array.from(grid),
    density: Array.from(density),
    mode: posteriorMode(grid, density),
    hpd: request.cl.map((cl) => {
      const region = hpdRegion(grid, density, cl);
      return { cl, threshold: region.threshold, intervals: region.intervals, mass: region.mass };
    }),
  };
}

/**
 * One event from submitted jets, as the likelihood's term declares it (`eventSummary`, seed
 * 002): the jets' EEEC in the shape's window, projected and summed, normalised where asked.
 */
function jetSummary(artifact: ServedLikelihood, jets: readonly (readonly (readonly number[])[])[]): Float64Array {
  // a published artifact's manifest has terms; a combination or an inline workspace has none
  const terms = (artifact.manifest as Partial<Manifest>).terms ?? [];
  const summaries = terms.flatMap((t) => (t.kind === 'unbinned-parametrised' && t.eventSummary ? [t.eventSummary] : []));
  if (summaries.length !== 1) throw notApplicable('this likelihood does not make its events from jets: send `data` instead of `jets`', ['jets']);
  const [spec] = summaries;
  let triples = 0;
  for (const jet of jets) triples += (jet.length * (jet.length - 1) * (jet.length - 2)) / 6;
  const cost = plainCost(20 * triples, 40 * triples);
  return budgeted(cost, fewer('jets', jets.length), () =>
    shapeSummary(
      jets.map((jet, j) => {
        const rows = Float64Array.from(jet.flat());
        for (let c = 0; c < jet.length; c++) {
          if (!(rows[4 * c] > 0) || !(Math.hypot(rows[4 * c + 1], rows[4 * c + 2], rows[4 * c + 3]) > 0)) {
            throw invalidInput('invalid-dataset', `jets[${j}][${c}]: a constituent needs a positive energy and a momentum`, ['jets', j, c]);
          }
        }
        return eeecTriplets(rows, jet.length, spec.Q);
      }),
      spec.shape,
      spec.edges,
      spec.normalise,
    ).summary,
  );
}
