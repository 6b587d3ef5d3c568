/**
 * CLs hypothesis tests and upper limits on a signal strength (Cowan, Cranmer, Gross, Vitells,
 * EPJC 71 (2011) 1554; computed as pyhf does): observed CLs with the expected band at each
 * requested μ, asymptotically or from toys, and the observed and expected CLs upper limits
 * with every evaluation made.
 */
import type { LoadedArtifact } from '../artifact/load.js';
import { AsymptoticCalculator, type HypothesisTest } from '../inference/calculators/asymptotic.js';
import { ToyCalculator, type ToyHypothesisTest } from '../inference/calculators/toys.js';
import { upperLimit as cLsUpperLimit, type UpperLimit } from '../inference/intervals/upper-limit.js';
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { invalidInput } from './errors.js';
import { assertFitStarted } from './fit.js';
import { unbinnedTerms } from '../terms/unbinned.js';
import { baseCost, evaluating, requestData } from './request-data.js';
import { budgeted, CALIBRATION, Cost, fewer, likelihoodSizes } from './cost.js';
import type { ClsRequest, ClsResponse, UpperLimitRequest, UpperLimitResponse } from './schemas.js';

/** The request's POI (default: the first parameter of interest) with its calculator; a POI for which CLs does not apply is not applicable. */
function calculatorFor(likelihood: Likelihood, request: ClsRequest | UpperLimitRequest): AsymptoticCalculator {
  const data = requestData(likelihood, request);
  return evaluating(() => new AsymptoticCalculator(likelihood, data, request.poi ?? likelihood.names[0], { testStatistic: request.testStatistic }));
}

/** The fits every CLs computation starts with: the free fit to the data, the μ = 0 fit behind the Asimov data, the free fit to those. */
function calculatorCost(likelihood: Likelihood, request: ClsRequest | UpperLimitRequest) {
  return baseCost(likelihood, request).coldFit(3, false);
}

/** Values of the POI inside its bounds (pyhf refuses the others too). */
function checkValues(calculator: Pick<AsymptoticCalculator, 'likelihood' | 'poiIndex' | 'poi'>, values: readonly number[], field: string): void {
  const [lo, hi] = calculator.likelihood.parameters[calculator.poiIndex].bounds;
  values.forEach((mu, k) => {
    if (!(mu >= lo && mu <= hi)) throw invalidInput('invalid-request', `the POI value ${mu} lies outside the bounds [${lo}, ${hi}] of '${calculator.poi}' (pyhf refuses it too)`, undefined, [{ path: [field, k], message: 'outside the POI bounds' }]);
  });
}

function hypothesisBody(h: HypothesisTest) {
  return { mu: h.mu, converged: h.converged, message: h.message, cls: h.cls, clsb: h.clsb, clb: h.clb, expected: h.expected, logCls: h.logCls, logExpected: h.logExpected, qmu: h.qmu, qmuA: h.qmuA, muHat: h.muHat };
}

/** Observed CLs and the expected band at each requested μ (pyhf's `hypotest` with `return_expected_set`), asymptotically or from toys. */
export function cls(artifact: LoadedArtifact, request: ClsRequest): ClsResponse {
  if (request.calculator === 'toys') return toyCls(artifact.likelihood, request);
  const calculator = calculatorFor(artifact.likelihood, request);
  checkValues(calculator, request.values, 'values');
  const cost = calculatorCost(artifact.likelihood, request).warmFits(2 * request.values.length);
  const results = budgeted(cost, fewer('POI values per request', request.values.length), () => {
    assertFitStarted(evaluating(() => calculator.globalFit()));
    return request.values.map((mu) => evaluating(() => hypothesisBody(calculator.hypotest(mu))));
  });
  return { poi: calculator.poi, testStatistic: calculator.testStatistic, calculator: 'asymptotic', results };
}

function toyBody(h: ToyHypothesisTest) {
  const logs = h.expected && h.expected.every((v) => v > 0) ? h.expected.map(Math.log) : null;
  return { mu: h.mu, converged: h.converged, message: h.message, cls: h.cls, clsb: h.clsb, clb: h.clb, expected: h.expected, logCls: h.cls ? Math.log(h.cls) : null, logExpected: logs, qmu: h.qmu, qmuA: null, muHat: h.muHat, clsError: h.clsError, clsbError: h.clsbError, clbError: h.clbError, failedToys: h.failedToys };
}

/**
 * The work of toy-based CLs: the observed fits, then per POI value and hypothesis `toys`
 * pseudo-experiments, each drawn (an evaluation's worth; an unbinned term reweights its
 * reference sample once per hypothesis) and fitted twice, on data the size the model expects.
 */
function toyCost(likelihood: Likelihood, request: ClsRequest, data: LikelihoodData): Cost {
  const start = likelihood.initial();
  const unbinned = unbinnedTerms(likelihood);
  const expected = new Map(unbinned.map((t) => [t.name, Math.ceil(data.luminosity * t.totalCrossSection(start, likelihood.termIndex(t)))]));
  const sizes = likelihoodSizes(likelihood, (name) => expected.get(name) ?? 0);
  const toys = 2 * request.toys * request.values.length;
  let reweighting = 0;
  for (const t of unbinned) reweighting += t.ratioCost(t.referenceCount, 1).units;
  const perToy = new Cost(sizes).fits(2 * toys, CALIBRATION.toyIterations).other(toys * sizes.evaluation[0] + 2 * request.values.length * reweighting);
  return calculatorCost(likelihood, request).warmFits(2 * request.values.length).add(perToy);
}

/** CLs from toys at each requested μ, within one request's CPU budget (refused with how many toys would fit). */
function toyCls(likelihood: Likelihood, request: ClsRequest): ClsResponse {
  const data = requestData(likelihood, request);
  const calculator = evaluating(() => new ToyCalculator(likelihood, data, request.poi ?? likelihood.names[0], { testStatistic: request.testStatistic, toys: request.toys, seed: request.seed }));
  checkValues(calculator, request.values, 'values');
  const results = budgeted(toyCost(likelihood, request, data), fewer('toys', request.toys), () => {
    assertFitStarted(evaluating(() => calculator.globalFit()));
    return request.values.map((mu) => evaluating(() => toyBody(calculator.hypotest(mu))));
  });
  return { poi: calculator.poi, testStatistic: calculator.testStatistic, calculator: 'toys', toys: request.toys, results };
}

function upperLimitBody(limit: UpperLimit): UpperLimitResponse {
  return { poi: limit.poi, level: limit.level, testStatistic: limit.testStatistic, converged: limit.converged, observed: limit.observed, expected: limit.expected, messages: limit.messages, scan: limit.evaluations };
}

/** The observed and expected CLs upper limits at `level` (pyhf's `upper_limit`), searched in `range` (default: the POI's bounds). */
export function upperLimit(artifact: LoadedArtifact, request: UpperLimitRequest): UpperLimitResponse {
  const { likelihood } = artifact;
  const calculator = calculatorFor(likelihood, request);
  if (request.range) {
    const [lo, hi] = likelihood.parameters[calculator.poiIndex].bounds;
    const [a, b] = request.range;
    if (!(a < b && a >= lo && b <= hi)) throw invalidInput('invalid-request', `range [${a}, ${b}] must be increasing and inside the bounds [${lo}, ${hi}] of '${calculator.poi}'`, undefined, [{ path: ['range'], message: 'outside the POI bounds' }]);
  }
  // a bracket of the lower end, then six curves' roots, each evaluation two profile fits
  const cost = calculatorCost(likelihood, request).warmFits(2 * (12 + 6 * CALIBRATION.brentIterations));
  return budgeted(cost, 'use a published limit, or a smaller workspace', () => {
    assertFitStarted(evaluating(() => calculator.globalFit()));
    return upperLimitBody(evaluating(() => cLsUpperLimit(likelihood, calculator.data, calculator.poi, { testStatistic: request.testStatistic, level: request.level, range: request.range })));
  });
}
