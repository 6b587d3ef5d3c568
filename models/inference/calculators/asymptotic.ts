/**
 * Asymptotic CLs (Cowan, Cranmer, Gross, Vitells, "Asymptotic formulae for likelihood-based
 * tests of new physics", EPJC 71 (2011) 1554, arXiv:1007.1727) for an upper-limit-like POI μ
 * that scales a signal, with μ = 0 the background-only hypothesis — computed exactly as pyhf's
 * `AsymptoticCalculator` (`infer/calculators.py`) does, so that numbers agree with pyhf:
 *
 * - q_μ = 2[NLL(μ, ν̂̂) − NLL(μ̂, ν̂)], clipped at 0, and q_μ = 0 when μ̂ > μ (eq. 14); the
 *   free fit respects the POI's bounds, so with a lower bound of 0 (a normfactor's default)
 *   this is q̃_μ (eq. 16): `q` and `qtilde` differ only in the transformation below, as in pyhf;
 * - the Asimov dataset (sec. 3.2) is the expected data at the fit to the *observed* data with
 *   μ = 0 fixed (pyhf's `generate_asimov_data(0, …)`: counts and auxiliary data at ν̂̂(0)),
 *   and q_μ,A is the same statistic on it; σ enters only through √q_μ,A (eq. 29-32);
 * - in (−μ̂/σ) space, with √q_μ,A the shift of the s+b distribution, the test statistic is
 *   t = √q_μ − √q_μ,A for `q`, and for `qtilde` the same when √q_μ ≤ √q_μ,A (or
 *   √q_μ,A = 0), else (q_μ − q_μ,A)/(2√q_μ,A) (eq. 65-66);
 * - CL_s+b = Φ(−(t + √q_μ,A)), CL_b = Φ(−t), CL_s = CL_s+b/CL_b; the expected band takes
 *   t = n for n = 2, 1, 0, −1, −2 (eq. 89 with μ' = 0), in pyhf's order: the CLs values whose
 *   limits are the −2σ, −1σ, median, +1σ, +2σ edges of the expected band;
 * - ln CL_s is kept beside CL_s: where CL_s+b or CL_b underflows (t + √q_μ,A or t beyond ≈ 37.5,
 *   e.g. at very large luminosities) CL_s = exp(ln CL_s+b − ln CL_b) is still exact, and the
 *   upper limits are roots of ln CL_s − ln(level), so that any level in (0, 1) can be reached.
 *
 * Every fit is the project's MLE (`maximumLikelihood`, analytic derivatives). A result whose
 * fits did not all converge carries no numbers: `converged: false` and the reason.
 *
 * The POI must be a free, unconstrained normalisation of a binned term — a normfactor (pyhf's
 * POI), whether or not the likelihood declares it a parameter of interest: it multiplies the
 * signal, so μ = 0 is background only. A polynomial parameter θ of a term is refused: θ = 0 is not in general a
 * background-only hypothesis and CLs's construction does not apply; use two-sided profile
 * intervals (`profileInterval`) for those.
 */
import type { Likelihood, LikelihoodData, TermData } from '../../likelihood/likelihood.js';
import { logNormalCdfRatio, normalCdf } from '../../numeric/distributions.js';
import { maximumLikelihood, profileFit, type FitResult } from '../mle.js';
import { oneSidedTestStatistic, ProfileScanner } from '../test-statistics.js';

export type TestStatisticKind = 'qtilde' | 'q';

/** The n_σ of pyhf's expected band, in its order. */
export const EXPECTED_BAND_SIGMAS = [2, 1, 0, -1, -2] as const;

export interface AsymptoticOptions {
  /** 'qtilde' (default, as pyhf) or 'q' */
  testStatistic?: TestStatisticKind;
}

export interface HypothesisTest {
  poi: string;
  mu: number;
  testStatistic: TestStatisticKind;
  /** every fit behind the numbers converged; otherwise all numbers are null */
  converged: boolean;
  message: string;
  cls: number | null;
  clsb: number | null;
  clb: number | null;
  /** expected CLs at t = 2, 1, 0, −1, −2 (pyhf's order; see the module comment) */
  expected: number[] | null;
  /** ln CL_s and the ln of each expected CL_s: finite where CL_s underflows to 0 */
  logCls: number | null;
  logExpected: number[] | null;
  /** q_μ on the observed data and q_μ,A on the Asimov data */
  qmu: number | null;
  qmuA: number | null;
  /** the test statistic t in (−μ̂/σ) space */
  teststat: number | null;
  /** μ̂ of the free fit to the observed data */
  muHat: number | null;
}

/** The POI is not a parameter for which CLs is defined here (see the module comment). */
export class InvalidPoiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPoiError';
  }
}

/** The smallest positive normal double: below it a CDF value has lost digits (or is 0). */
const MIN_NORMAL = 2 ** -1022;

export interface PValues {
  clsb: number;
  clb: number;
  cls: number;
  logCls: number;
}

/**
 * CL_s+b = Φ(−(t + √q_μ,A)), CL_b = Φ(−t) and CL_s = CL_s+b/CL_b (eq. 65-66; pyhf
 * `AsymptoticTestStatDistribution.pvalue`). Where both are normal doubles their quotient is
 * pyhf's CL_s to the last bit; where either underflows, ln CL_s = ln Φ(−t − √q_μ,A) − ln Φ(−t)
 * is taken in log space (`logNormalCdfRatio`) and CL_s = exp(ln CL_s) — 0 only where CL_s
 * itself is below the smallest double.
 */
export function asymptoticPValues(teststat: number, sqrtqmuA: number): PValues {
  const clsb = normalCdf(-(teststat + sqrtqmuA));
  const clb = normalCdf(-teststat);
  if (clsb >= MIN_NORMAL && clb >= MIN_NORMAL) return { clsb, clb, cls: clsb / clb, logCls: Math.log(clsb / clb) };
  const logCls = logNormalCdfRatio(-teststat, sqrtqmuA);
  return { clsb, clb, cls: Math.exp(logCls), logCls };
}

/** The test statistic t from q_μ and q_μ,A (Cowan et al. eq. 65-66; pyhf's `AsymptoticCalculator.teststatistic`). */
export function asymptoticTestStatistic(kind: TestStatisticKind, qmu: number, qmuA: number): number {
  const sq = Math.sqrt(qmu);
  const sqA = Math.sqrt(qmuA);
  if (kind === 'q' || sq <= sqA || sqA === 0) return sq - sqA;
  return (qmu - qmuA) / (2 * sqA);
}

/** Expected CLs for the band, pyhf's order (t = 2, 1, 0, −1, −2; eq. 89 with μ' = 0), with their logarithms. */
export function expectedBand(sqrtqmuA: number): { cls: number[]; logCls: number[] } {
  const p = EXPECTED_BAND_SIGMAS.map((n) => asymptoticPValues(n, sqrtqmuA));
  return { cls: p.map((v) => v.cls), logCls: p.map((v) => v.logCls) };
}

/** Expected CLs for the band, pyhf's order (t = 2, 1, 0, −1, −2). */
export function expectedCls(sqrtqmuA: number): number[] {
  return expectedBand(sqrtqmuA).cls;
}

/**
 * The global index of `poi` if CLs applies to it: a free, unconstrained normalisation whose
 * zero is the background-only hypothesis (see the module comment); else `InvalidPoiError`.
 */
export function signalStrengthIndex(likelihood: Likelihood, poi: string): number {
  const index = likelihood.indexOf(poi);
  if (index < 0) throw new InvalidPoiError(`unknown parameter '${poi}'`);
  const p = likelihood.parameters[index];
  // polynomial in some term: θ = 0 is not background only (a promoted normfactor is fine)
  const polynomial = likelihood.terms.some(({ term, index: at }) => term.parameters.some((q, j) => at[j] === index && q.kind === 'interest'));
  if (polynomial) {
    throw new InvalidPoiError(
      `'${poi}' is a polynomial parameter of interest: CLs needs a POI that scales the signal (a normfactor, μ = 0 background only); use a profile-likelihood interval for '${poi}' instead`,
    );
  }
  if (p.constraint !== 'none') throw new InvalidPoiError(`'${poi}' is a constrained nuisance parameter, not a signal strength`);
  if (p.fixed) throw new InvalidPoiError(`'${poi}' is fixed in the model's configuration; the POI must be free`);
  if (!(p.bounds[0] <= 0 && 0 <= p.bounds[1])) throw new InvalidPoiError(`the bounds [${p.bounds[0]}, ${p.bounds[1]}] of '${poi}' exclude 0, the background-only hypothesis of the Asimov dataset`);
  return index;
}

/** q_μ or q_μ,A, or why there is none. */
type Part = { q: number } | { q: null; message: string };

/**
 * Holds the μ-independent fits (free fit to the data, the Asimov dataset, free fit to it) and
 * scans the fixed-μ fits on each dataset with a `ProfileScanner`: a scan or root finding over
 * μ then costs two fits per new μ (one for expected values alone).
 */
export class AsymptoticCalculator {
  readonly poiIndex: number;
  readonly testStatistic: TestStatisticKind;
  private readonly lower: number;
  private readonly upper: number;
  private freeData: FitResult | null = null;
  private asimov: { data: LikelihoodData; fit: FitResult } | null = null;
  private freeAsimov: FitResult | null = null;
  private fixedData: ProfileScanner | null = null;
  private fixedAsimov: ProfileScanner | null = null;

  constructor(
    readonly likelihood: Likelihood,
    readonly data: LikelihoodData,
    readonly poi: string,
    options: AsymptoticOptions = {},
  ) {
    const index = signalStrengthIndex(likelihood, poi);
    const p = likelihood.parameters[index];
    this.poiIndex = index;
    this.lower = p.bounds[0];
    this.upper = p.bounds[1];
    this.testStatistic = options.testStatistic ?? 'qtilde';
  }

  /** The free fit to the observed data (μ̂, ν̂). */
  globalFit(): FitResult {
    this.freeData ??= maximumLikelihood(this.likelihood, this.data, { multiStart: false });
    return this.freeData;
  }

  /** pyhf's `generate_asimov_data(0, data, …)`: every term's expected data and auxiliary data at the μ = 0 fit to the data. */
  asimovData(): { data: LikelihoodData; fit: FitResult } {
    if (!this.asimov) {
      const fit = profileFit(this.likelihood, this.data, new Map([[this.poiIndex, 0]]), { start: this.globalFit().parameters, multiStart: false });
      const terms: Record<string, TermData> = {};
      for (const { term, index } of this.likelihood.terms) terms[term.name] = term.asimov(fit.parameters, index, this.likelihood.context(term, this.data.luminosity, this.data.rate));
      this.asimov = { data: { luminosity: this.data.luminosity, rate: this.data.rate, terms }, fit };
    }
    return this.asimov;
  }

  /** q_μ from a fixed and a free fit (one-sided: 0 when μ̂ > μ). */
  private qmu(fixed: FitResult, free: FitResult, mu: number): number {
    return oneSidedTestStatistic(fixed.nll, free.nll, free.parameters[this.poiIndex], mu);
  }

  private checkMu(mu: number): void {
    if (!Number.isFinite(mu)) throw new RangeError(`the POI value must be finite, got ${mu}`);
    if (mu < this.lower || mu > this.upper) throw new RangeError(`the POI value ${mu} lies outside the bounds [${this.lower}, ${this.upper}] of '${this.poi}' (pyhf refuses it too)`);
  }

  /** q_μ,A on the Asimov data. */
  asimovPart(mu: number): Part {
    this.checkMu(mu);
    const { data, fit: asimovFit } = this.asimovData();
    // data generated at a failed fit need not even be data (a negative count where the fit could not start)
    if (asimovFit.singular) {
      return { q: null, message: `no fit at ${this.poi} = 0 can start (${asimovFit.warnings[0] ?? asimovFit.message}), and CLs needs ${this.poi} = 0 as its background-only hypothesis; where a bin with data expects nothing without signal, the data exclude ${this.poi} = 0 outright: use /interval for this model` };
    }
    if (!asimovFit.converged) return { q: null, message: `the fit at ${this.poi} = 0 that generates the Asimov data did not converge: ${asimovFit.message}${asimovFit.warnings.length ? ` (${asimovFit.warnings[0]})` : ''}` };
    this.freeAsimov ??= maximumLikelihood(this.likelihood, data, { multiStart: false, start: asimovFit.parameters });
    this.fixedAsimov ??= new ProfileScanner(this.likelihood, data, [this.poiIndex], { start: asimovFit.parameters });
    const fixed = this.fixedAsimov.fit([mu]);
    if (!this.freeAsimov.converged || !fixed.converged) return { q: null, message: `a fit to the Asimov data did not converge: ${(this.freeAsimov.converged ? fixed : this.freeAsimov).message}` };
    return { q: this.qmu(fixed, this.freeAsimov, mu) };
  }

  /** q_μ on the observed data. */
  dataPart(mu: number): Part {
    this.checkMu(mu);
    const free = this.globalFit();
    this.fixedData ??= new ProfileScanner(this.likelihood, this.data, [this.poiIndex], { start: free.parameters });
    const fixed = this.fixedData.fit([mu]);
    if (!free.converged || !fixed.converged) return { q: null, message: `a fit to the observed data did not converge: ${(free.converged ? fixed : free).message}` };
    return { q: this.qmu(fixed, free, mu) };
  }

  /** Expected CLs band at μ, with its logarithms (Asimov fits only). */
  expected(mu: number): { expected: number[] | null; logExpected: number[] | null; qmuA: number | null; message: string } {
    const a = this.asimovPart(mu);
    if (a.q === null) return { expected: null, logExpected: null, qmuA: null, message: a.message };
    const band = expectedBand(Math.sqrt(a.q));
    return { expected: band.cls, logExpected: band.logCls, qmuA: a.q, message: 'converged' };
  }

  /** Observed CL_s, CL_s+b, CL_b and the expected band at μ (pyhf's `hypotest` with `return_expected_set`). */
  hypotest(mu: number): HypothesisTest {
    const base = { poi: this.poi, mu, testStatistic: this.testStatistic };
    const none = { cls: null, clsb: null, clb: null, expected: null, logCls: null, logExpected: null, qmu: null, qmuA: null, teststat: null, muHat: null };
    const a = this.asimovPart(mu);
    if (a.q === null) return { ...base, ...none, converged: false, message: a.message };
    const d = this.dataPart(mu);
    if (d.q === null) return { ...base, ...none, converged: false, message: d.message };
    const teststat = asymptoticTestStatistic(this.testStatistic, d.q, a.q);
    const p = asymptoticPValues(teststat, Math.sqrt(a.q));
    const band = expectedBand(Math.sqrt(a.q));
    return {
      ...base,
      converged: true,
      message: 'converged',
      cls: p.cls,
      clsb: p.clsb,
      clb: p.clb,
      expected: band.cls,
      logCls: p.logCls,
      logExpected: band.logCls,
      qmu: d.q,
      qmuA: a.q,
      teststat,
      muHat: this.globalFit().parameters[this.poiIndex],
    };
  }
}

/** CLs at one POI value (pyhf's `infer.hypotest(mu, data, model, return_expected_set=True)`). */
export function hypothesisTest(likelihood: Likelihood, data: LikelihoodData, poi: string, mu: number, options: AsymptoticOptions = {}): HypothesisTest {
  return new AsymptoticCalculator(likelihood, data, poi, options).hypotest(mu);
}
