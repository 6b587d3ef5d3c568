/**
 * CLs upper limits (pyhf `infer.intervals.upper_limits.upper_limit`): the POI value where
 * observed and expected CLs cross the level, found by Brent's method on brackets from the
 * asymptotic calculator's evaluations. The roots are those of ln CL_s − ln(level): the same
 * crossings, but defined for any level (CL_s of 1e-12 or 1e-300 is still a finite logarithm)
 * and nearly linear in μ² far out in the tail, where CL_s ≈ e^{−q_μ,A/2}.
 */
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { brent } from '../../numeric/root-finding.js';
import { AsymptoticCalculator, type AsymptoticOptions, type TestStatisticKind } from '../calculators/asymptotic.js';

export interface UpperLimitOptions extends AsymptoticOptions {
  /** CLs level (default 0.05: the 95% CLs upper limit) */
  level?: number;
  /** where to look (default the POI's bounds, as pyhf's `upper_limit`) */
  range?: readonly [number, number];
  /** absolute tolerance on each limit (default 1e-9 of the range's width: 1e-8 in μ over [0, 10], so that a limit of 0.01 is still exact to 1e-6) */
  tolerance?: number;
}

export interface UpperLimitEvaluation {
  mu: number;
  /** observed CLs, null where only the expected band was needed (or a fit failed) */
  cls: number | null;
  expected: number[] | null;
  converged: boolean;
  /** why `cls` or `expected` is null, where one is */
  message?: string;
}

export interface UpperLimit {
  poi: string;
  level: number;
  testStatistic: TestStatisticKind;
  /** the observed limit; null when it could not be found (see `messages`) */
  observed: number | null;
  /** expected limits in pyhf's order: the −2σ, −1σ, median, +1σ, +2σ edges of the band; null where not found */
  expected: (number | null)[];
  /** every limit was found with converged fits */
  converged: boolean;
  messages: string[];
  evaluations: UpperLimitEvaluation[];
}

class FitFailure extends Error {}

/** The observed CLs at one μ: null where its fits failed (with why). */
type Observed = { cls: number; log: number } | { cls: null; message: string };
/** The expected band at one μ: null where its fits failed (with why). */
type Expected = { cls: number[]; log: number[] } | { cls: null; message: string };

/** ln CL_s is −∞ only where q_μ,A overflows; Brent's interpolation needs a finite value. */
const finiteLog = (log: number) => Math.max(log, -Number.MAX_VALUE);

/**
 * The CLs upper limits at `level` (pyhf's `upper_limits.upper_limit` with its toms748 scan):
 * each of the six curves (observed CLs and the five expected ones) is bracketed from the
 * evaluations made so far — after extending the lower end as pyhf does when CLs is already
 * below the level there — and its crossing of the level found by Brent's method. A curve still
 * above the level at the range's upper end (the POI's upper bound) has no limit inside the
 * allowed range: it is reported as null with that reason, as is a limit whose fits failed.
 */
export function upperLimit(likelihood: Likelihood, data: LikelihoodData, poi: string, options: UpperLimitOptions = {}): UpperLimit {
  const calculator = new AsymptoticCalculator(likelihood, data, poi, options);
  const level = options.level ?? 0.05;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must lie in (0, 1), got ${level}`);
  const spec = likelihood.parameters[calculator.poiIndex];
  let [lo, hi] = options.range ?? spec.bounds;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`upper limit needs a finite range, got [${lo}, ${hi}]`);
  const tolerance = options.tolerance ?? 1e-9 * (hi - lo);

  const observedAt = new Map<number, Observed>();
  const expectedAt = new Map<number, Expected>();
  const expected = (mu: number): { cls: number[]; log: number[] } => {
    if (!expectedAt.has(mu)) {
      const e = calculator.expected(mu);
      expectedAt.set(mu, e.expected && e.logExpected ? { cls: e.expected, log: e.logExpected } : { cls: null, message: e.message });
    }
    const e = expectedAt.get(mu)!;
    if (e.cls === null) throw new FitFailure(`a fit to the Asimov data at ${poi} = ${mu} did not converge`);
    return e;
  };
  const observed = (mu: number): { cls: number; log: number } => {
    if (!observedAt.has(mu)) {
      const h = calculator.hypotest(mu);
      observedAt.set(mu, h.cls !== null && h.logCls !== null ? { cls: h.cls, log: h.logCls } : { cls: null, message: h.message });
      if (h.expected && h.logExpected) expectedAt.set(mu, { cls: h.expected, log: h.logExpected });
    }
    const v = observedAt.get(mu)!;
    if (v.cls === null) throw new FitFailure(`a fit at ${poi} = ${mu} did not converge`);
    return v;
  };
  /** CLs and ln CLs of curve k at μ — 0: observed, 1..5: expected in pyhf's order */
  const curve = (k: number, mu: number): { cls: number; log: number } => {
    if (k === 0) return observed(mu);
    const e = expected(mu);
    return { cls: e.cls[k - 1], log: e.log[k - 1] };
  };
  const logLevel = Math.log(level);
  /** the function whose root is the limit: ln CL_s − ln(level) */
  const excess = (k: number, mu: number) => finiteLog(curve(k, mu).log) - logLevel;

  const messages: string[] = [];
  const limits: (number | null)[] = new Array(6).fill(null);
  let allConverged = true;
  try {
    // pyhf: halve the lower end while any curve is below the level there
    for (let i = 0; i < 60 && [0, 1, 2, 3, 4, 5].some((k) => excess(k, lo) < 0); i++) lo = lo / 2;
  } catch (error) {
    if (!(error instanceof FitFailure)) throw error;
    allConverged = false;
    messages.push(error.message);
  }

  for (let k = 0; k < 6 && allConverged; k++) {
    const label = k === 0 ? 'observed' : `expected (${['−2σ', '−1σ', 'median', '+1σ', '+2σ'][k - 1]})`;
    try {
      if (excess(k, hi) > 0) {
        messages.push(`${label}: CLs is ${curve(k, hi).cls} > ${level} at the upper end ${hi} of the range: the limit lies beyond the allowed range of '${poi}'`);
        continue;
      }
      if (excess(k, lo) < 0) {
        messages.push(`${label}: CLs is below ${level} at the lower end ${lo} of the range`);
        continue;
      }
      // best bracket from what is known (pyhf's `best_bracket`)
      const at: Map<number, Observed | Expected> = k === 0 ? observedAt : expectedAt;
      const known = [...at.entries()].filter(([, v]) => v.cls !== null).map(([mu]) => [mu, excess(k, mu)] as const);
      const above = known.filter(([, f]) => f >= 0).sort((a, b) => a[1] - b[1])[0];
      const below = known.filter(([, f]) => f < 0).sort((a, b) => b[1] - a[1])[0];
      limits[k] = brent((mu) => excess(k, mu), above[0], below[0], above[1], below[1], tolerance);
    } catch (error) {
      if (!(error instanceof FitFailure)) throw error;
      allConverged = false;
      messages.push(`${label}: ${error.message}`);
    }
  }

  const mus = [...new Set([...observedAt.keys(), ...expectedAt.keys()])].sort((a, b) => a - b);
  const evaluations = mus.map((mu) => evaluation(mu, observedAt.get(mu), expectedAt.get(mu)));
  return {
    poi,
    level,
    testStatistic: calculator.testStatistic,
    observed: allConverged ? limits[0] : null,
    expected: allConverged ? limits.slice(1) : [null, null, null, null, null],
    converged: allConverged,
    messages,
    evaluations,
  };
}

/** One μ of the scan, saying why a CLs is missing where one is. */
function evaluation(mu: number, observed: Observed | undefined, expected: Expected | undefined): UpperLimitEvaluation {
  const failed = observed?.cls === null ? observed : expected?.cls === null ? expected : undefined;
  const cls = observed?.cls ?? null;
  const band = expected?.cls ?? null;
  if (failed) return { mu, cls, expected: band, converged: false, message: failed.message };
  if (!observed) return { mu, cls, expected: band, converged: true, message: 'observed CLs not evaluated: only the expected band was needed at this value' };
  return { mu, cls, expected: band, converged: true };
}
