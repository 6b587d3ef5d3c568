/**
 * What each v1 operation does with a loaded artifact and a validated request: check the
 * request against the artifact, call models/, shape the response. The same functions serve
 * published artifacts (`/v1/likelihoods/{id}/…`) and workspaces sent inline (`/v1/pyhf/…`);
 * nothing statistical happens here.
 */
import type { LoadedArtifact } from '../models/artifact/load.js';
import { AsymptoticCalculator, InvalidPoiError, type HypothesisTest } from '../models/inference/calculators/asymptotic.js';
import { upperLimit, type UpperLimit } from '../models/inference/intervals/upper-limit.js';
import { profileContour } from '../models/inference/intervals/contour.js';
import { profileInterval } from '../models/inference/intervals/profile.js';
import { maximumLikelihood, type FitResult } from '../models/inference/mle.js';
import { nllAtPoints } from '../models/inference/points.js';
import { NonPositiveRateError } from '../models/likelihood/term.js';
import { datasetProblem, pointVectors, resolveRequestData } from './dataset-request.js';
import { Problem } from './problem.js';
import { LIMITS, type ClsRequest, type FitRequest, type IntervalRequest, type NllRequest, type UpperLimitRequest } from './schemas.js';

/** Maps a model failure to a problem: a non-positive rate is a 422, never a 500. */
export function evaluating<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof NonPositiveRateError) throw new Problem(422, 'likelihood-undefined', error.message);
    throw datasetProblem(error);
  }
}

function named(artifact: LoadedArtifact, values: ArrayLike<number>, from = 0, to = values.length): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (let i = from; i < to; i++) out[artifact.likelihood.names[i]] = Number.isFinite(values[i]) ? values[i] : null;
  return out;
}

function fitBody(artifact: LoadedArtifact, fit: FitResult) {
  const n = artifact.likelihood.parameters.length;
  const P = artifact.likelihood.interest;
  if (!fit.converged) return { converged: false, message: fit.message, parameters: null, nll: null, warnings: fit.warnings };
  return {
    converged: true,
    message: fit.message,
    parameters: named(artifact, fit.parameters, 0, P),
    nuisances: named(artifact, fit.parameters, P, n),
    uncertainties: named(artifact, fit.uncertainties),
    nll: fit.nll,
    covariance: fit.covariance ? { parameters: artifact.likelihood.names, matrix: Array.from({ length: n }, (_, i) => Array.from(fit.covariance!.subarray(i * n, (i + 1) * n))) } : null,
    iterations: fit.iterations,
    edm: fit.edm,
    warnings: fit.warnings,
  };
}

function gridPoints(requested: number | undefined, fallback: number, limit: number): number {
  if (requested !== undefined && requested > limit) throw new Problem(422, 'invalid-request', `points may be at most ${limit} here`, [{ path: ['points'], message: `at most ${limit}` }]);
  return requested ?? fallback;
}

export function nllOperation(artifact: LoadedArtifact, request: NllRequest) {
  const data = resolveRequestData(artifact, request);
  const points = pointVectors(artifact, request.points);
  const result = evaluating(() => nllAtPoints(artifact.likelihood, data, points, { profile: request.profile, gradient: request.gradient }));
  const overflow = result.nll.findIndex((v, k) => !Number.isFinite(v) || (result.gradient?.[k].some((g) => !Number.isFinite(g)) ?? false));
  if (overflow >= 0) {
    throw new Problem(422, 'likelihood-undefined', `the NLL at points[${overflow}] is not a finite number: the luminosity or the event weights are beyond double precision`, [{ path: ['points', overflow], message: 'non-finite NLL' }]);
  }
  const { likelihood } = artifact;
  return {
    parameters: likelihood.names.slice(0, likelihood.interest),
    nll: result.nll,
    ...(result.gradient ? { gradient: result.gradient } : {}),
    ...(result.uncertainty ? { uncertainty: result.uncertainty } : {}),
    ...(result.nuisances ? { nuisances: { parameters: likelihood.names.slice(likelihood.interest), values: result.nuisances } } : {}),
    converged: result.converged,
  };
}

export function fitOperation(artifact: LoadedArtifact, request: FitRequest) {
  const data = resolveRequestData(artifact, request);
  const fixed = new Map<number, number>();
  if (request.fixed) {
    const vector = pointVectors(artifact, [request.fixed], 'fixed')[0];
    for (const name of Object.keys(request.fixed)) fixed.set(artifact.likelihood.indexOf(name), vector[artifact.likelihood.indexOf(name)]);
  }
  const fit = evaluating(() => maximumLikelihood(artifact.likelihood, data, { fixed }));
  const members = artifact.likelihood.variants - 1;
  const ensemble =
    members > 0 && fit.converged
      ? Array.from({ length: members }, (_, k) => {
          const m = evaluating(() => maximumLikelihood(artifact.likelihood, data, { fixed, variant: k + 1, start: fit.parameters }));
          return m.converged ? { parameters: named(artifact, m.parameters, 0, artifact.likelihood.interest), nll: m.nll } : { converged: false };
        })
      : undefined;
  return { ...fitBody(artifact, fit), ...(ensemble ? { ensemble } : {}) };
}

/** A requested scan range: ordered, finite and inside the parameter's bounds. */
function scanRange(artifact: LoadedArtifact, name: string, range: readonly [number, number]): [number, number] {
  const [lo, hi] = artifact.likelihood.parameters[artifact.likelihood.indexOf(name)].bounds;
  if (!(range[0] < range[1] && range[0] >= lo && range[1] <= hi)) {
    throw new Problem(422, 'invalid-request', `range [${range[0]}, ${range[1]}] must be increasing and inside the bounds [${lo}, ${hi}] of '${name}'`, [{ path: ['range'], message: 'outside the bounds' }]);
  }
  return [range[0], range[1]];
}

/** Intervals and contours for any free parameter: parameters of interest and nuisances alike. */
export function intervalOperation(artifact: LoadedArtifact, request: IntervalRequest) {
  const { likelihood } = artifact;
  request.parameters.forEach((name, k) => {
    const i = likelihood.indexOf(name);
    if (i < 0) {
      const nuisances = likelihood.names.length - likelihood.interest;
      throw new Problem(422, 'unknown-parameter', `unknown parameter '${name}'; this likelihood has ${likelihood.names.slice(0, likelihood.interest).join(', ')}${nuisances ? ` and ${nuisances} nuisance parameters (see a fit's response)` : ''}`, [{ path: ['parameters', k], message: 'unknown parameter' }]);
    }
    if (likelihood.parameters[i].fixed) throw new Problem(422, 'invalid-request', `'${name}' is fixed in this likelihood`, [{ path: ['parameters', k], message: 'fixed parameter' }]);
  });
  const data = resolveRequestData(artifact, request);
  const members = likelihood.variants - 1;
  if (request.parameters.length === 1) {
    const points = gridPoints(request.points, 61, LIMITS.scanPoints);
    const range = request.range ? scanRange(artifact, request.parameters[0], request.range) : undefined;
    const run = (variant: number) => evaluating(() => profileInterval(likelihood, data, request.parameters[0], request.cl, { points, variant, range }));
    const result = run(0);
    const ensemble = members > 0 ? Array.from({ length: members }, (_, k) => run(k + 1)) : [];
    return {
      parameter: result.parameter,
      converged: result.converged,
      best: result.converged ? result.best : null,
      nllMin: result.converged ? result.nllMin : null,
      intervals: result.converged ? result.intervals : null,
      scan: result.scan.map((p) => ({ value: p.value, q: p.q, converged: p.converged })),
      ...(ensemble.length ? { ensemble: ensemble.map((r) => ({ converged: r.converged, best: r.best, intervals: r.converged ? r.intervals : null })) } : {}),
    };
  }
  if (request.range) throw new Problem(422, 'invalid-request', '`range` applies to 1-D intervals; a contour spans the parameters’ allowed ranges', [{ path: ['range'], message: 'only with one parameter' }]);
  if (request.parameters[0] === request.parameters[1]) throw new Problem(422, 'invalid-request', 'a contour needs two different parameters', [{ path: ['parameters', 1], message: 'repeated' }]);
  const points = gridPoints(request.points, 41, LIMITS.contourPoints);
  const result = evaluating(() => profileContour(likelihood, data, [request.parameters[0], request.parameters[1]], request.cl, { points }));
  return {
    parameters: result.parameters,
    converged: result.converged,
    best: result.converged ? result.best : null,
    nllMin: result.converged ? result.nllMin : null,
    contours: result.converged ? result.contours : null,
    grid: result.grid,
  };
}

/** Runs `f` on the request's POI (default: the first parameter of interest); a POI for which CLs does not apply is a 422. */
function withPoi<T>(artifact: LoadedArtifact, request: { poi?: string }, f: (poi: string) => T): T {
  try {
    return f(request.poi ?? artifact.likelihood.names[0]);
  } catch (error) {
    if (error instanceof InvalidPoiError) throw new Problem(422, 'not-applicable', `CLs does not apply: ${error.message}`, [{ path: ['poi'], message: error.message }]);
    throw error;
  }
}

function hypothesisBody(h: HypothesisTest) {
  return { mu: h.mu, converged: h.converged, message: h.message, cls: h.cls, clsb: h.clsb, clb: h.clb, expected: h.expected, qmu: h.qmu, qmuA: h.qmuA, muHat: h.muHat };
}

function hypothesisTests(calculator: AsymptoticCalculator, values: readonly number[]) {
  const results = values.map((mu, k) =>
    evaluating(() => {
      try {
        return hypothesisBody(calculator.hypotest(mu));
      } catch (error) {
        if (error instanceof RangeError) throw new Problem(422, 'invalid-request', error.message, [{ path: ['values', k], message: 'outside the POI bounds' }]);
        throw error;
      }
    }),
  );
  return { poi: calculator.poi, testStatistic: calculator.testStatistic, results };
}

export function clsOperation(artifact: LoadedArtifact, request: ClsRequest) {
  const data = resolveRequestData(artifact, request);
  const calculator = withPoi(artifact, request, (poi) => new AsymptoticCalculator(artifact.likelihood, data, poi, { testStatistic: request.testStatistic }));
  return hypothesisTests(calculator, request.values);
}

function upperLimitBody(limit: UpperLimit) {
  return {
    poi: limit.poi,
    level: limit.level,
    testStatistic: limit.testStatistic,
    converged: limit.converged,
    observed: limit.observed,
    expected: limit.expected,
    messages: limit.messages,
    scan: limit.evaluations,
  };
}

export function upperLimitOperation(artifact: LoadedArtifact, request: UpperLimitRequest) {
  const data = resolveRequestData(artifact, request);
  const limit = evaluating(() =>
    withPoi(artifact, request, (poi) => {
      try {
        return upperLimit(artifact.likelihood, data, poi, { testStatistic: request.testStatistic, level: request.level, range: request.range });
      } catch (error) {
        if (error instanceof RangeError) throw new Problem(422, 'invalid-request', error.message, [{ path: ['range'], message: error.message }]);
        throw error;
      }
    }),
  );
  return upperLimitBody(limit);
}
