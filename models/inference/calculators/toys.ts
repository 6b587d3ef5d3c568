/**
 * Toy-based hypothesis tests: the distributions of a test statistic from pseudo-experiments
 * instead of asymptotic formulae, which fail at low counts, at boundaries and for likelihoods
 * far from parabolic.
 *
 * Pseudo-experiments follow the LHC procedure (ATLAS and CMS, "Procedure for the LHC Higgs
 * boson search combination in Summer 2011"; pyhf's `ToyCalculator`): at a tested value θ of
 * the parameter of interest, data are drawn from the model at (θ, ν̂̂(θ)), the nuisances at
 * their conditional fit to the observed data, counts or events with their auxiliary data
 * (`toyDataset`, `Term.toy`). Each toy's fits start at the parameters it was drawn from.
 *
 * - `ToyCalculator.hypotest`: CLs for a signal strength μ (Cowan et al. eq. 14 and 16, as the
 *   asymptotic calculator): toys under s+b at μ and under b at μ = 0, CL_s+b = P(q ≥ q_obs | s+b),
 *   CL_b = P(q ≥ q_obs | b), CL_s = CL_s+b/CL_b, each with its binomial Monte Carlo error; the
 *   expected band is CL_s at the 2.3, 15.9, 50, 84.1 and 97.7% quantiles of CL_s over the
 *   b-only toys (pyhf's `expected_pvalues`, in the asymptotic band's order).
 * - `twoSidedPValue`: P(q ≥ q_obs | θ) for the two-sided q(θ) (eq. 8) at any parameter of
 *   interest, with toys at (θ, ν̂̂(θ)): the Neyman construction behind Feldman–Cousins intervals
 *   (feldman-cousins.ts), for binned and unbinned likelihoods alike.
 *
 * Discrete data give ties: a toy with the observed counts has the observed q up to the fits'
 * tolerance, so q within `TIE` of q_obs counts as at least as extreme.
 */
import { toyDataset } from '../../likelihood/datasets.js';
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import type { ToyRandom } from '../../likelihood/term.js';
import { createRandom } from '../../random.js';
import { maximumLikelihood, profileFit, type FitResult } from '../mle.js';
import { oneSidedTestStatistic, ProfileScanner, testStatistic } from '../test-statistics.js';
import { EXPECTED_BAND_SIGMAS, signalStrengthIndex, type HypothesisTest, type TestStatisticKind } from './asymptotic.js';
import { normalCdf } from '../../numeric/distributions.js';

/** q closer than this to q_obs counts as equal (the fits' tolerance; see the module comment). */
export const TIE = 1e-6;

export interface ToyOptions {
  /** pseudo-experiments per hypothesis (default 1000) */
  toys?: number;
  /** 'qtilde' (default) or 'q': which q_μ, as in the asymptotic calculator (the POI's bounds decide the free fit) */
  testStatistic?: TestStatisticKind;
  /** seed of the toys' random stream (default 1) */
  seed?: number;
  /** called after every toy with the toys done and to do (a progress bar) */
  progress?: (done: number, total: number) => void;
}

/** An empirical p-value P(q ≥ q_obs) with its binomial Monte Carlo error. */
export interface EmpiricalPValue {
  value: number;
  error: number;
  /** toys whose fits converged (those behind the value) */
  toys: number;
}

/** CLs from toys: the asymptotic result's fields that toys have, with their Monte Carlo errors. */
export type ToyHypothesisTest = Pick<HypothesisTest, 'poi' | 'mu' | 'testStatistic' | 'converged' | 'message' | 'cls' | 'clsb' | 'clb' | 'expected' | 'qmu' | 'muHat'> & {
  /** Monte Carlo errors of CL_s, CL_s+b and CL_b */
  clsError: number | null;
  clsbError: number | null;
  clbError: number | null;
  /** toys per hypothesis asked for, and those left out because a fit did not converge */
  toys: number;
  failedToys: number;
  /** the test statistic of every converged toy, sorted, under s+b and under b */
  distributions: { signalPlusBackground: Float64Array; backgroundOnly: Float64Array } | null;
};

/** Sorted ascending, the number of values ≥ t − TIE. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] >= t - TIE) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
}

/** P(q ≥ t) from sorted toys, with its binomial error √(p(1 − p)/n). */
export function empiricalPValue(sorted: Float64Array, t: number): EmpiricalPValue {
  const n = sorted.length;
  const value = n ? countAtLeast(sorted, t) / n : NaN;
  return { value, error: Math.sqrt((value * (1 - value)) / n), toys: n };
}

/** numpy's percentile with linear interpolation, of sorted values, p in [0, 100]. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

/** CL_s = CL_s+b/CL_b with its propagated error; a CL_s+b of 0 is given the error of one toy. */
function clsOf(clsb: EmpiricalPValue, clb: EmpiricalPValue): { cls: number; error: number } {
  const cls = clsb.value / clb.value;
  const sb = clsb.value > 0 ? clsb.error / clsb.value : 1;
  const b = clb.value > 0 ? clb.error / clb.value : 0;
  const scale = clsb.value > 0 ? cls : 1 / clsb.toys / clb.value;
  return { cls, error: scale * Math.sqrt(sb * sb + b * b) };
}

/**
 * Test statistics of toys drawn at `params`: `statistic(toy, start)` for each, null where a fit
 * did not converge. Returns the converged ones sorted, and how many failed.
 */
function toyDistribution(likelihood: Likelihood, like: LikelihoodData, params: Float64Array, toys: number, rng: ToyRandom, statistic: (toy: LikelihoodData) => number | null, tick: () => void): { sorted: Float64Array; failed: number } {
  const values: number[] = [];
  let failed = 0;
  for (let k = 0; k < toys; k++) {
    const q = statistic(toyDataset(likelihood, params, like, rng));
    if (q === null || !Number.isFinite(q)) failed++;
    else values.push(q);
    tick();
  }
  return { sorted: Float64Array.from(values).sort(), failed };
}

/** The conditional fit at POI = value on `data`, and the free fit, both started at `start`. */
function fitsAt(likelihood: Likelihood, data: LikelihoodData, poiIndex: number, value: number, start: Float64Array): { fixed: FitResult; free: FitResult } {
  const free = maximumLikelihood(likelihood, data, { start, multiStart: false, covariance: false });
  const fixed = profileFit(likelihood, data, new Map([[poiIndex, value]]), { start, multiStart: false });
  return { fixed, free };
}

/** Toy-based CLs for a signal strength (the module comment). */
export class ToyCalculator {
  readonly poiIndex: number;
  readonly testStatistic: TestStatisticKind;
  readonly toys: number;
  private free: FitResult | null = null;
  private fixed: ProfileScanner | null = null;

  constructor(
    readonly likelihood: Likelihood,
    readonly data: LikelihoodData,
    readonly poi: string,
    readonly options: ToyOptions = {},
  ) {
    this.poiIndex = signalStrengthIndex(likelihood, poi);
    this.testStatistic = options.testStatistic ?? 'qtilde';
    this.toys = options.toys ?? 1000;
    if (!Number.isInteger(this.toys) || this.toys < 1) throw new RangeError(`toys must be a positive integer, got ${this.toys}`);
  }

  /** The free fit to the observed data (μ̂, ν̂). */
  globalFit(): FitResult {
    this.free ??= maximumLikelihood(this.likelihood, this.data, { multiStart: false });
    return this.free;
  }

  /** The conditional fit to the observed data at μ: where the toys of that hypothesis are drawn. */
  conditionalFit(mu: number): FitResult {
    this.fixed ??= new ProfileScanner(this.likelihood, this.data, [this.poiIndex], { start: this.globalFit().parameters });
    return this.fixed.fit([mu]);
  }

  /** q_μ of a toy, its fits started where it was drawn; null where a fit did not converge. */
  private toyQ(toy: LikelihoodData, mu: number, start: Float64Array): number | null {
    const { fixed, free } = fitsAt(this.likelihood, toy, this.poiIndex, mu, start);
    if (!fixed.converged || !free.converged) return null;
    return oneSidedTestStatistic(fixed.nll, free.nll, free.parameters[this.poiIndex], mu);
  }

  /** Observed CL_s, CL_s+b, CL_b with their errors and the expected band at μ, from toys. */
  hypotest(mu: number): ToyHypothesisTest {
    const base = { poi: this.poi, mu, testStatistic: this.testStatistic, toys: this.toys };
    const none = { cls: null, clsb: null, clb: null, clsError: null, clsbError: null, clbError: null, expected: null, qmu: null, muHat: null, failedToys: 0, distributions: null };
    const free = this.globalFit();
    const sb = this.conditionalFit(mu);
    const b = this.conditionalFit(0);
    const failedFit = [free, sb, b].find((f) => !f.converged);
    if (failedFit) return { ...base, ...none, converged: false, message: `a fit to the observed data did not converge, so the toys have no parameters to be drawn at: ${failedFit.message}` };
    const qObs = oneSidedTestStatistic(sb.nll, free.nll, free.parameters[this.poiIndex], mu);
    let done = 0;
    const tick = () => this.options.progress?.(++done, 2 * this.toys);
    // one stream per μ from the seed: a value's numbers do not depend on which values came before it
    const rng = createRandom(this.options.seed ?? 1);
    const signal = toyDistribution(this.likelihood, this.data, sb.parameters, this.toys, rng, (toy) => this.toyQ(toy, mu, sb.parameters), tick);
    const background = toyDistribution(this.likelihood, this.data, b.parameters, this.toys, rng, (toy) => this.toyQ(toy, mu, b.parameters), tick);
    const failedToys = signal.failed + background.failed;
    if (!signal.sorted.length || !background.sorted.length) return { ...base, ...none, failedToys, converged: false, message: 'no toy’s fits converged' };
    const clsb = empiricalPValue(signal.sorted, qObs);
    const clb = empiricalPValue(background.sorted, qObs);
    const observed = clsOf(clsb, clb);
    // CL_s at each b-only toy's own q, then its quantiles (pyhf's expected_pvalues)
    const clsOfToys = Float64Array.from(background.sorted, (t) => countAtLeast(signal.sorted, t) / signal.sorted.length / (countAtLeast(background.sorted, t) / background.sorted.length)).sort();
    const expected = EXPECTED_BAND_SIGMAS.map((n) => percentile(clsOfToys, 100 * normalCdf(-n)));
    return {
      ...base,
      converged: true,
      message: failedToys ? `${failedToys} of ${2 * this.toys} toys left out: their fits did not converge` : 'converged',
      cls: observed.cls,
      clsb: clsb.value,
      clb: clb.value,
      clsError: observed.error,
      clsbError: clsb.error,
      clbError: clb.error,
      expected,
      qmu: qObs,
      muHat: free.parameters[this.poiIndex],
      failedToys,
      distributions: { signalPlusBackground: signal.sorted, backgroundOnly: background.sorted },
    };
  }
}

/** P(q(θ) ≥ q_obs | θ) for the two-sided q at POI `poiIndex` = θ, with the toys' q, sorted. */
export interface TwoSidedToyTest {
  value: number;
  qObserved: number;
  pValue: EmpiricalPValue;
  failedToys: number;
  sorted: Float64Array;
}

/**
 * The two-sided q(θ) = 2[NLL(θ, ν̂̂) − NLL(θ̂, ν̂)] (eq. 8, within the parameters' bounds: θ̂ on
 * the physical side of a boundary, as Feldman and Cousins order) on the observed data, and its
 * distribution over toys drawn at (θ, ν̂̂(θ)). `global` is the free fit to the observed data.
 */
export function twoSidedPValue(likelihood: Likelihood, data: LikelihoodData, poiIndex: number, value: number, global: FitResult, toys: number, rng: ToyRandom, tick: () => void = () => undefined): TwoSidedToyTest | null {
  const conditional = profileFit(likelihood, data, new Map([[poiIndex, value]]), { start: global.parameters, multiStart: false });
  if (!conditional.converged) return null;
  const qObserved = Math.max(0, testStatistic(conditional.nll, Math.min(global.nll, conditional.nll)));
  const statistic = (toy: LikelihoodData) => {
    const { fixed, free } = fitsAt(likelihood, toy, poiIndex, value, conditional.parameters);
    if (!fixed.converged || !free.converged) return null;
    return Math.max(0, testStatistic(fixed.nll, Math.min(free.nll, fixed.nll)));
  };
  const { sorted, failed } = toyDistribution(likelihood, data, conditional.parameters, toys, rng, statistic, tick);
  return { value, qObserved, pValue: empiricalPValue(sorted, qObserved), failedToys: failed, sorted };
}
