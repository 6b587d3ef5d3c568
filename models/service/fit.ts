/**
 * Best fits and confidence sets (DESIGN.md "The likelihood"; seed 003 app. A eq. 50-52): the
 * MLE with its covariance, 1-D profile intervals (possibly disjoint) and 2-D profile contours
 * of any free parameter, each with the ensemble members' results beside the estimate's.
 */
import { FALLBACK_POINTS, profileContour, type ProfileContourResult } from '../inference/intervals/contour.js';
import { othersProfiled, profileInterval, type ProfileIntervalResult } from '../inference/intervals/profile.js';
import { heldParameters, maximumLikelihood, type FitResult } from '../inference/mle.js';
import { quadraticCheck } from '../inference/test-statistics.js';
import { undercoverageWarnings } from '../inference/coverage.js';
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { budgeted, CALIBRATION, defaultPoints, fewer, largestAffordable, type Cost } from './cost.js';
import { fitFailed, invalidInput } from './errors.js';
import { baseCost, evaluating, parameterPoints, requestData, type ServedLikelihood } from './request-data.js';
import { LIMITS, type ContourResponse, type FitRequest, type FitResponse, type IntervalRequest, type IntervalResponse } from './schemas.js';

function named(likelihood: Likelihood, values: ArrayLike<number>, from = 0, to = values.length): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let i = from; i < to; i++) out[likelihood.names[i]] = Number.isFinite(values[i]) ? values[i] : null;
  return out;
}

/**
 * A fit that could not even start (the likelihood not finite at any starting point) gives no
 * number to report: it is a failure, with what made the likelihood undefined.
 */
export function assertFitStarted(fit: FitResult): void {
  if (Number.isFinite(fit.nll)) return;
  throw fitFailed(`no fit could start: ${fit.message}${fit.warnings.length ? ` (${fit.warnings[0]})` : ''}`);
}

/**
 * Why each null uncertainty is null, one warning per reason: fixed, at a bound of its range
 * (the covariance of eq. 51 is that of the parameters inside their bounds), or no positive-
 * definite Hessian at the minimum.
 */
function uncertaintyWarnings(likelihood: Likelihood, fit: FitResult, fixed: ReadonlyMap<number, number>): string[] {
  const held = heldParameters(likelihood, fit.parameters, fixed);
  const fixedNames = likelihood.names.filter((_, i) => held[i] === 'fixed');
  const atBound = likelihood.names.flatMap((name, i) => (held[i] === 'lower bound' || held[i] === 'upper bound' ? [`${name} = ${fit.parameters[i]} (its ${held[i]})`] : []));
  const free = held.filter((h) => h === null).length;
  const warnings: string[] = [];
  if (fixedNames.length) warnings.push(`no uncertainty for fixed parameters: ${fixedNames.join(', ')}`);
  if (atBound.length) warnings.push(`no uncertainty at a bound of the allowed range, where the covariance (that of the parameters inside their bounds) does not apply: ${atBound.join(', ')}`);
  if (!fit.covariance && free) warnings.push(`no uncertainties: the Hessian of −ln L at the minimum is not positive definite in the ${free} free parameters`);
  return warnings;
}

/**
 * Where the covariance misleads: for each free parameter of interest, the profile q at θ̂ ± σ̂
 * (1 if −ln L were parabolic); outside [½, 2] on either side, σ̂ is no 68% half-width.
 */
function quadraticWarnings(likelihood: Likelihood, data: LikelihoodData, fit: FitResult, fixed: ReadonlyMap<number, number>): string[] {
  const warnings: string[] = [];
  for (let i = 0; i < likelihood.interest; i++) {
    if (fixed.has(i) || likelihood.parameters[i].fixed) continue;
    const q = quadraticCheck(likelihood, data, fit, i);
    if (q && q.some((v) => !(v >= 0.5 && v <= 2))) {
      const name = likelihood.names[i];
      warnings.push(`the covariance misdescribes '${name}': the profile q at ${name} = θ̂ ∓ σ̂ is ${q.map((v) => v.toPrecision(3)).join(' and ')}, where a parabolic −ln L gives 1; its uncertainty ${fit.uncertainties[i].toPrecision(3)} is no 68% half-width (use /interval)`);
    }
  }
  return warnings;
}

function fitBody(likelihood: Likelihood, data: LikelihoodData, fit: FitResult, fixed: ReadonlyMap<number, number>): FitResponse {
  const n = likelihood.parameters.length;
  const P = likelihood.interest;
  if (!fit.converged) return { converged: false, message: fit.message, parameters: null, nll: null, warnings: fit.warnings };
  return {
    converged: true,
    message: fit.message,
    parameters: named(likelihood, fit.parameters, 0, P),
    nuisances: named(likelihood, fit.parameters, P, n),
    uncertainties: named(likelihood, fit.uncertainties),
    nll: fit.nll,
    covariance: fit.covariance ? { parameters: [...likelihood.names], matrix: Array.from({ length: n }, (_, i) => Array.from(fit.covariance!.subarray(i * n, (i + 1) * n))) } : null,
    iterations: fit.iterations,
    edm: fit.edm,
    warnings: [...fit.warnings, ...uncertaintyWarnings(likelihood, fit, fixed), ...quadraticWarnings(likelihood, data, fit, fixed)],
  };
}

/** The maximum-likelihood estimate (eq. 51), optionally with parameters of interest held fixed; the members' fits start at the estimate's. */
export function fit(artifact: ServedLikelihood, request: FitRequest): FitResponse {
  const { likelihood } = artifact;
  const data = requestData(likelihood, request);
  const fixed = new Map<number, number>();
  if (request.fixed) {
    const vector = parameterPoints(likelihood, [request.fixed], 'fixed')[0];
    for (const name of Object.keys(request.fixed)) fixed.set(likelihood.indexOf(name), vector[likelihood.indexOf(name)]);
  }
  const members = likelihood.variants - 1;
  const cost = baseCost(likelihood, request).coldFit().memberFits(members).spreadStarts(members, 0, true).warmFits(2 * likelihood.interest); // members: multi-start fits whose first start is the estimate's θ̂; the covariance's check
  return budgeted(cost, 'fit submitted events in smaller samples', () => {
    const estimate = evaluating(() => maximumLikelihood(likelihood, data, { fixed }));
    assertFitStarted(estimate);
    const body = evaluating(() => fitBody(likelihood, data, estimate, fixed));
    if (members === 0 || !body.converged) return body;
    const ensemble = Array.from({ length: members }, (_, k) => {
      const m = evaluating(() => maximumLikelihood(likelihood, data, { fixed, variant: k + 1, start: estimate.parameters }));
      return m.converged ? { parameters: named(likelihood, m.parameters, 0, likelihood.interest), nll: m.nll } : { converged: false as const };
    });
    return { ...body, ensemble };
  });
}

function gridPoints(requested: number | undefined, fallback: number, limit: number): number {
  if (requested !== undefined && requested > limit) throw invalidInput('invalid-request', `points may be at most ${limit} here`, undefined, [{ path: ['points'], message: `at most ${limit}` }]);
  return requested ?? fallback;
}

/** A requested scan range: ordered, finite and inside the parameter's bounds. */
function scanRange(likelihood: Likelihood, name: string, range: readonly [number, number], path: (string | number)[] = ['range']): [number, number] {
  const [lo, hi] = likelihood.parameters[likelihood.indexOf(name)].bounds;
  if (!(range[0] < range[1] && range[0] >= lo && range[1] <= hi)) {
    throw invalidInput('invalid-request', `range [${range[0]}, ${range[1]}] must be increasing and inside the bounds [${lo}, ${hi}] of '${name}'`, undefined, [{ path, message: 'outside the bounds' }]);
  }
  return [range[0], range[1]];
}

/** The requested parameters: known, free, with finite bounds to scan. */
function scannedParameters(likelihood: Likelihood, names: readonly string[]): void {
  names.forEach((name, k) => {
    const i = likelihood.indexOf(name);
    if (i < 0) {
      const nuisances = likelihood.names.length - likelihood.interest;
      throw invalidInput('unknown-parameter', `unknown parameter '${name}'; this likelihood has ${likelihood.names.slice(0, likelihood.interest).join(', ')}${nuisances ? ` and ${nuisances} nuisance parameters (see a fit's response)` : ''}`, undefined, [{ path: ['parameters', k], message: 'unknown parameter' }]);
    }
    const p = likelihood.parameters[i];
    if (p.fixed) throw invalidInput('invalid-request', `'${name}' is fixed in this likelihood`, undefined, [{ path: ['parameters', k], message: 'fixed parameter' }]);
    if (!(Number.isFinite(p.bounds[0]) && Number.isFinite(p.bounds[1]))) throw invalidInput('invalid-request', `'${name}' has no finite bounds [${p.bounds[0]}, ${p.bounds[1]}] to scan`, ['parameters', k]);
  });
}

/** The 1-D profile interval of one parameter (eq. 50-52), or the 2-D contour of two: any free parameter, nuisances included. */
export function interval(artifact: ServedLikelihood, request: IntervalRequest): IntervalResponse | ContourResponse {
  const { likelihood } = artifact;
  scannedParameters(likelihood, request.parameters);
  const data = requestData(likelihood, request);
  const warnings = undercoverageWarnings(artifact.manifest.validation.coverage ?? []);
  if (request.parameters.length === 1) return { ...profileIntervals(likelihood, data, request), warnings };
  if (request.parameters[0] === request.parameters[1]) throw invalidInput('invalid-request', 'a contour needs two different parameters', undefined, [{ path: ['parameters', 1], message: 'repeated' }]);
  const [a, b] = request.parameters;
  const ranges = request.range && contourRanges(likelihood, [a, b], request.range);
  const result = request.method === 'roots' ? contourByRoots(likelihood, data, [a, b], request, ranges) : contourByScan(likelihood, data, [a, b], request, ranges);
  assertFitStarted(result.fit);
  return {
    parameters: result.parameters,
    converged: result.converged,
    best: result.converged ? result.best : null,
    nllMin: result.converged ? result.nllMin : null,
    contours: result.converged ? result.contours : null,
    notes: result.notes,
    warnings,
    grid: result.grid,
  };
}

type ContourRanges = [[number, number], [number, number]] | undefined;

/** The profile fits of a points × points contour grid, its traced vertices refined and, without a range, the window's search. */
function withContourGrid(cost: Cost, likelihood: Likelihood, request: IntervalRequest, points: number): Cost {
  const n = likelihood.parameters.length;
  return cost
    .warmFits(points * points + request.cl.length * 4 * points * CALIBRATION.brentIterations + (request.range ? 0 : 4 * WINDOW_FITS)) // the default grid's window: two axes, two sides
    .other(0, 8 * points * points * (n + 4));
}

function contourByScan(likelihood: Likelihood, data: LikelihoodData, parameters: [string, string], request: IntervalRequest, ranges: ContourRanges): ProfileContourResult {
  const costOf = (points: number) => withContourGrid(baseCost(likelihood, request).coldFit(), likelihood, request, points);
  const points = request.points === undefined ? defaultPoints(41, 11, costOf) : gridPoints(request.points, 41, LIMITS.contourPoints);
  return budgeted(costOf(points), fewer('grid points per axis', points, 2), () => evaluating(() => profileContour(likelihood, data, parameters, request.cl, { method: 'scan', points, ranges })));
}

/** Vertices a `roots` region typically gets: its first rays and the chords refined (45 on dy-smeft-run3, 40–60 on tttt-cp). */
const CONTOUR_VERTICES = 64;

/**
 * Rays, priced with the grid that traces the regions where the rays cannot: as many points per
 * axis as the budget leaves (FALLBACK_POINTS at most, 5 at least), so that an accepted request
 * stays within its budget whichever way it goes; where not even 5 fit, no grid (the answer then
 * says that the regions need one, and how to ask for it).
 */
function contourByRoots(likelihood: Likelihood, data: LikelihoodData, parameters: [string, string], request: IntervalRequest, ranges: ContourRanges): ProfileContourResult {
  const n = likelihood.parameters.length;
  const points = request.points === undefined ? 11 : gridPoints(request.points, 11, LIMITS.contourPoints);
  // per vertex: the ray's search and its chord's midpoint; the shape pass; the check grid
  const fits = request.cl.length * CONTOUR_VERTICES * (ROOT_FITS / 2 + 1) + 8 * ROOT_FITS + points * points;
  const costOf = (grid: number) => withContourGrid(baseCost(likelihood, request).coldFit().warmFits(fits).other(0, 8 * fits * (n + 4)), likelihood, request, grid);
  const fallbackPoints = largestAffordable(FALLBACK_POINTS, 5, costOf) ?? 0;
  return budgeted(costOf(fallbackPoints), fewer('check-grid points per axis', points, 2), () => evaluating(() => profileContour(likelihood, data, parameters, request.cl, { method: 'roots', points, ranges, fallbackPoints })));
}

/** Profile fits `thresholdWindow` typically needs on one side of θ̂ (steps halving or doubling from σ̂). */
const WINDOW_FITS = 12;

/** A contour's requested ranges: one [lo, hi] per parameter. */
function contourRanges(likelihood: Likelihood, names: readonly [string, string], range: NonNullable<IntervalRequest['range']>): [[number, number], [number, number]] {
  if (typeof range[0] === 'number') throw invalidInput('invalid-request', 'a contour takes one range per parameter: [[lo, hi], [lo, hi]]', undefined, [{ path: ['range'], message: 'expected [[lo, hi], [lo, hi]]' }]);
  const [x, y] = range as [[number, number], [number, number]];
  return [scanRange(likelihood, names[0], x, ['range', 0]), scanRange(likelihood, names[1], y, ['range', 1])];
}

function profileIntervals(likelihood: Likelihood, data: LikelihoodData, request: IntervalRequest): Omit<IntervalResponse, 'warnings'> {
  const [parameter] = request.parameters;
  if (request.range && typeof request.range[0] !== 'number') throw invalidInput('invalid-request', 'a 1-D interval takes one range [lo, hi]', undefined, [{ path: ['range'], message: 'expected [lo, hi]' }]);
  const range = request.range ? scanRange(likelihood, parameter, request.range as [number, number]) : undefined;
  const { result, members } = request.method === 'roots' ? intervalByRoots(likelihood, data, parameter, request, range) : intervalByScan(likelihood, data, parameter, request, range);
  return {
    parameter: result.parameter,
    converged: result.converged,
    best: result.converged ? result.best : null,
    nllMin: result.converged ? result.nllMin : null,
    intervals: result.converged ? result.intervals : null,
    scan: result.scan.map((p) => ({ value: p.value, q: p.q, converged: p.converged })),
    ...(members.length ? { ensemble: members.map((r) => ({ converged: r.converged, best: r.best, intervals: r.converged ? r.intervals : null })) } : {}),
  };
}

interface EnsembleIntervals {
  result: ProfileIntervalResult;
  members: ProfileIntervalResult[];
}

function intervalByScan(likelihood: Likelihood, data: LikelihoodData, parameter: string, request: IntervalRequest, range: [number, number] | undefined): EnsembleIntervals {
  const n = likelihood.parameters.length;
  // without a range, a second scan may refine the window around θ̂
  const scanFits = (points: number) => (range ? points : 2 * points + 2 * WINDOW_FITS) + 1 + 4 * request.cl.length * CALIBRATION.brentIterations;
  const costOf = (points: number) =>
    baseCost(likelihood, request)
      .coldFit()
      .coldFit(likelihood.variants - 1, true, 0, true)
      .warmFits(scanFits(points))
      .warmFits((likelihood.variants - 1) * scanFits(points), true)
      .other(0, 8 * likelihood.variants * (points + 60) * (n + 4));
  const points = request.points === undefined ? defaultPoints(61, 21, costOf) : gridPoints(request.points, 61, LIMITS.scanPoints);
  const run = (variant: number) => evaluating(() => profileInterval(likelihood, data, parameter, request.cl, { method: 'scan', points, variant, range }));
  return budgeted(costOf(points), fewer('scan points', points), () => {
    const estimate = run(0);
    assertFitStarted(estimate.fit);
    return { result: estimate, members: Array.from({ length: likelihood.variants - 1 }, (_, k) => run(k + 1)) };
  });
}

/** Profile fits per end of the `roots` search: the guess, a step or two to bracket, Newton steps (3–6 measured). */
const ROOT_FITS = 6;

function intervalByRoots(likelihood: Likelihood, data: LikelihoodData, parameter: string, request: IntervalRequest, range: [number, number] | undefined): EnsembleIntervals {
  const n = likelihood.parameters.length;
  const points = request.points === undefined ? 0 : gridPoints(request.points, 0, LIMITS.scanPoints);
  const ends = 2 * request.cl.length * ROOT_FITS;
  const checks = othersProfiled(likelihood, likelihood.indexOf(parameter)) ? 2 : 0;
  const cost = baseCost(likelihood, request)
    .coldFit()
    .warmFits(checks)
    .spreadStarts(checks, 1) // the multi-start check of the outermost ends, where other parameters of interest are profiled: from the end's solution and the spread starts
    .warmFits(points + ends + 1)
    .warmFits((likelihood.variants - 1) * (ends + 2), true) // each member's fit from the estimate's θ̂ and its ends
    .other(0, 8 * likelihood.variants * (points + ends + 4) * (n + 4));
  return budgeted(cost, points ? fewer('scan points', points) : 'ask for fewer confidence levels, or for a likelihood without an ensemble', () => {
    const estimate = evaluating(() => profileInterval(likelihood, data, parameter, request.cl, { method: 'roots', points, range }));
    assertFitStarted(estimate.fit);
    const members = Array.from({ length: likelihood.variants - 1 }, (_, k) => evaluating(() => profileInterval(likelihood, data, parameter, request.cl, { method: 'roots', variant: k + 1, range, guide: estimate })));
    return { result: estimate, members };
  });
}
