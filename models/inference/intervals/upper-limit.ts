/**
 * CLs upper limits (pyhf `infer.intervals.upper_limits.upper_limit`): the POI value where
 * observed and expected CLs cross the level, found by Brent's method on brackets from the
 * asymptotic calculator's evaluations.
 */
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { brent } from '../../numeric/root-finding.js';
import { AsymptoticCalculator, type AsymptoticOptions, type TestStatisticKind } from '../calculators/asymptotic.js';

export interface UpperLimitOptions extends AsymptoticOptions {
  /** CLs level (default 0.05: the 95% CLs upper limit) */
  level?: number;
  /** where to look (default the POI's bounds, as pyhf's `upper_limit`) */
  range?: readonly [number, number];
  /** absolute tolerance on each limit (default 1e-7 of the range's width) */
  tolerance?: number;
}

export interface UpperLimitEvaluation {
  mu: number;
  /** observed CLs, null where only the expected band was needed (or a fit failed) */
  cls: number | null;
  expected: number[] | null;
  converged: boolean;
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
  const tolerance = options.tolerance ?? 1e-7 * (hi - lo);

  const observedAt = new Map<number, number | null>();
  const expectedAt = new Map<number, number[] | null>();
  const expected = (mu: number): number[] => {
    if (!expectedAt.has(mu)) expectedAt.set(mu, calculator.expected(mu).expected);
    const e = expectedAt.get(mu)!;
    if (e === null) throw new FitFailure(`a fit to the Asimov data at ${poi} = ${mu} did not converge`);
    return e;
  };
  const observed = (mu: number): number => {
    if (!observedAt.has(mu)) {
      const h = calculator.hypotest(mu);
      observedAt.set(mu, h.cls);
      if (h.expected) expectedAt.set(mu, h.expected);
    }
    const v = observedAt.get(mu)!;
    if (v === null) throw new FitFailure(`a fit at ${poi} = ${mu} did not converge`);
    return v;
  };
  /** curve 0: observed, 1..5: expected in pyhf's order */
  const curve = (k: number, mu: number) => (k === 0 ? observed(mu) : expected(mu)[k - 1]);

  const messages: string[] = [];
  const limits: (number | null)[] = new Array(6).fill(null);
  let allConverged = true;
  try {
    // pyhf: halve the lower end while any curve is below the level there
    for (let i = 0; i < 60 && [0, 1, 2, 3, 4, 5].some((k) => curve(k, lo) < level); i++) lo = lo / 2;
  } catch (error) {
    if (!(error instanceof FitFailure)) throw error;
    allConverged = false;
    messages.push(error.message);
  }

  for (let k = 0; k < 6 && allConverged; k++) {
    const label = k === 0 ? 'observed' : `expected (${['−2σ', '−1σ', 'median', '+1σ', '+2σ'][k - 1]})`;
    try {
      const fHi = curve(k, hi) - level;
      if (fHi > 0) {
        messages.push(`${label}: CLs is ${fHi + level} > ${level} at the upper end ${hi} of the range: the limit lies beyond the allowed range of '${poi}'`);
        continue;
      }
      const fLo = curve(k, lo) - level;
      if (fLo < 0) {
        messages.push(`${label}: CLs is below ${level} at the lower end ${lo} of the range`);
        continue;
      }
      // best bracket from what is known (pyhf's `best_bracket`)
      const known = [...(k === 0 ? observedAt : expectedAt).entries()]
        .filter(([, v]) => v !== null)
        .map(([mu, v]) => [mu, (k === 0 ? (v as number) : (v as number[])[k - 1]) - level] as const);
      const above = known.filter(([, f]) => f >= 0).sort((a, b) => a[1] - b[1])[0];
      const below = known.filter(([, f]) => f < 0).sort((a, b) => b[1] - a[1])[0];
      limits[k] = brent((mu) => curve(k, mu) - level, above[0], below[0], above[1], below[1], tolerance);
    } catch (error) {
      if (!(error instanceof FitFailure)) throw error;
      allConverged = false;
      messages.push(`${label}: ${error.message}`);
    }
  }

  const mus = [...new Set([...observedAt.keys(), ...expectedAt.keys()])].sort((a, b) => a - b);
  const evaluations = mus.map((mu) => {
    const cls = observedAt.get(mu) ?? null;
    const e = expectedAt.get(mu) ?? null;
    return { mu, cls, expected: e, converged: e !== null && (!observedAt.has(mu) || cls !== null) };
  });
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
