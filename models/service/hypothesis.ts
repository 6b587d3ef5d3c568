/**
 * CLs hypothesis tests and upper limits on a signal strength (Cowan, Cranmer, Gross, Vitells,
 * EPJC 71 (2011) 1554; computed as pyhf does): observed CLs with the expected band at each
 * requested μ, and the observed and expected CLs upper limits with every evaluation made.
 */
import type { LoadedArtifact } from '../artifact/load.js';
import { AsymptoticCalculator, type HypothesisTest } from '../inference/calculators/asymptotic.js';
import { upperLimit as cLsUpperLimit, type UpperLimit } from '../inference/intervals/upper-limit.js';
import type { Likelihood } from '../likelihood/likelihood.js';
import { invalidInput } from './errors.js';
import { assertFitStarted } from './fit.js';
import { baseCost, evaluating, requestData } from './request-data.js';
import { budgeted, CALIBRATION, fewer } from './cost.js';
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
function checkValues(calculator: AsymptoticCalculator, values: readonly number[], field: string): void {
  const [lo, hi] = calculator.likelihood.parameters[calculator.poiIndex].bounds;
  values.forEach((mu, k) => {
    if (!(mu >= lo && mu <= hi)) throw invalidInput('invalid-request', `the POI value ${mu} lies outside the bounds [${lo}, ${hi}] of '${calculator.poi}' (pyhf refuses it too)`, undefined, [{ path: [field, k], message: 'outside the POI bounds' }]);
  });
}

function hypothesisBody(h: HypothesisTest) {
  return { mu: h.mu, converged: h.converged, message: h.message, cls: h.cls, clsb: h.clsb, clb: h.clb, expected: h.expected, logCls: h.logCls, logExpected: h.logExpected, qmu: h.qmu, qmuA: h.qmuA, muHat: h.muHat };
}

/** Observed CLs and the expected band at each requested μ (pyhf's `hypotest` with `return_expected_set`). */
export function cls(artifact: LoadedArtifact, request: ClsRequest): ClsResponse {
  const calculator = calculatorFor(artifact.likelihood, request);
  checkValues(calculator, request.values, 'values');
  const cost = calculatorCost(artifact.likelihood, request).warmFits(2 * request.values.length);
  const results = budgeted(cost, fewer('POI values per request', request.values.length), () => {
    assertFitStarted(evaluating(() => calculator.globalFit()));
    return request.values.map((mu) => evaluating(() => hypothesisBody(calculator.hypotest(mu))));
  });
  return { poi: calculator.poi, testStatistic: calculator.testStatistic, results };
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
