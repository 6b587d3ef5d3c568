/**
 * Asymptotic CLs (models/inference/cls.ts): the formulas of Cowan et al. 2011 as pyhf uses
 * them, pyhf's documented example, what is refused, and that failed fits give no numbers.
 */
import { describe, expect, it } from 'vitest';
import { AsymptoticCalculator, asymptoticPValues, asymptoticTestStatistic, expectedBand, expectedCls, hypothesisTest, InvalidPoiError } from '../../../models/inference/calculators/asymptotic.js';
import { logNormalCdf, logNormalCdfRatio, normalCdf } from '../../../models/numeric/distributions.js';
import { upperLimit } from '../../../models/inference/intervals/upper-limit.js';
import { createLikelihood, type Likelihood } from '../../../models/likelihood/likelihood.js';
import { NonPositiveRateError } from '../../../models/likelihood/term.js';
import { importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { compileBinnedModel } from '../../../models/terms/binned/term.js';
import { seriesLogNormalCdf } from '../../helpers/normal-tail.js';

/** pyhf.simplemodels.uncorrelated_background(signal=[12, 11], bkg=[50, 52], bkg_uncertainty=[3, 7]), observed [51, 48] */
function pyhfDocExample(parameters: object[] = []) {
  return importWorkspace({
    channels: [
      {
        name: 'singlechannel',
        samples: [
          { name: 'signal', data: [12, 11], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
          { name: 'background', data: [50, 52], modifiers: [{ name: 'uncorr_bkguncrt', type: 'shapesys', data: [3, 7] }] },
        ],
      },
    ],
    observations: [{ name: 'singlechannel', data: [51, 48] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters } }],
    version: '1.0.0',
  });
}

describe('asymptotic formulae', () => {
  it('ln Φ is finite and exact where Φ underflows: x = −40, −100, −1e3 against mpmath and the asymptotic series', () => {
    // mpmath (50 digits): log(ncdf(x))
    const reference: [number, number][] = [
      [-40, -804.6084420137537881666068],
      [-100, -5005.524208694205088626302],
      [-1e3, -500007.8266948121843098062],
    ];
    for (const [x, ln] of reference) {
      expect(normalCdf(x)).toBe(0);
      expect(Math.abs(logNormalCdf(x) / ln - 1)).toBeLessThan(4.5e-16);
      expect(Math.abs(seriesLogNormalCdf(x) / ln - 1)).toBeLessThan(4.5e-16);
    }
    // where Φ is representable, ln Φ agrees with it (mpmath: −15.064998393988725736, −0.69314718055994530942, −0.0013508099647481937988)
    expect(Math.abs(logNormalCdf(-5) / -15.064998393988725736 - 1)).toBeLessThan(2e-16);
    expect(logNormalCdf(0)).toBe(Math.log(0.5));
    expect(Math.abs(logNormalCdf(3) / -0.0013508099647481937988 - 1)).toBeLessThan(1e-15);
    expect(logNormalCdf(40)).toBe(-0);
  });

  it('ln[Φ(x − d)/Φ(x)] keeps its relative precision where both ln Φ are far larger (mpmath references)', () => {
    expect(Math.abs(logNormalCdfRatio(-1e3, 0.25) / -250.03149996825539729 - 1)).toBeLessThan(1e-15);
    expect(Math.abs(logNormalCdfRatio(-40, 0.5) / -20.137407230284230191 - 1)).toBeLessThan(1e-15);
    expect(logNormalCdfRatio(-3, 0)).toBe(0);
    expect(logNormalCdfRatio(0.5, 2)).toBeCloseTo(-2.3369979855352334139, 14);
  });

  it('CLs where CL_s+b and CL_b underflow is finite and exact; representable CLs is the quotient, bit for bit', () => {
    const deep = asymptoticPValues(40, 0.5);
    expect([deep.clsb, deep.clb]).toEqual([0, 0]);
    expect(Math.abs(deep.cls / 1.7965328386866524204e-9 - 1)).toBeLessThan(1e-14); // mpmath
    expect(deep.logCls).toBeCloseTo(-20.137407230284230191, 13);
    // a subnormal CL_s+b: the quotient would keep only its few digits; ln space keeps them all (mpmath 1.099832586040429809e-309)
    const subnormal = asymptoticPValues(-2, 39.6);
    expect(Math.abs(subnormal.cls / 1.099832586040429809e-309 - 1)).toBeLessThan(1e-12);
    const ordinary = asymptoticPValues(1.3, 2.1);
    expect(ordinary.cls).toBe(normalCdf(-(1.3 + 2.1)) / normalCdf(-1.3));
    expect(ordinary.logCls).toBe(Math.log(ordinary.cls));
    // the band far out: CL_s+b underflows for every n, ln CLs does not
    const band = expectedBand(60);
    expect(band.cls).toEqual([0, 0, 0, 0, 0]);
    band.logCls.forEach((l, k) => expect(Math.abs(l / (seriesLogNormalCdf(-60 - [2, 1, 0, -1, -2][k]) - Math.log(normalCdf(-[2, 1, 0, -1, -2][k]))) - 1)).toBeLessThan(1e-14));
  });

  it('Φ is the standard normal CDF, accurate in the tails', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 15);
    expect(normalCdf(1) + normalCdf(-1)).toBeCloseTo(1, 15);
    expect(normalCdf(-30) / 4.906713927147908e-198).toBeCloseTo(1, 10); // scipy.stats.norm.cdf(-30)
  });

  it('the test statistic: q̃ switches to (q − q_A)/(2√q_A) beyond √q_A; q never does; CLs = 1 at √q_A = 0', () => {
    expect(asymptoticTestStatistic('qtilde', 1, 4)).toBe(1 - 2);
    expect(asymptoticTestStatistic('qtilde', 9, 4)).toBe((9 - 4) / 4);
    expect(asymptoticTestStatistic('q', 9, 4)).toBe(3 - 2);
    expect(asymptoticTestStatistic('qtilde', 9, 0)).toBe(3);
    expect(expectedCls(0)).toEqual([1, 1, 1, 1, 1]);
    const p = asymptoticPValues(0.3, 1.2);
    expect(p.cls).toBe(p.clsb / p.clb);
    expect(p.clsb).toBe(normalCdf(-1.5));
  });
});

describe('CLs with the asymptotic calculator', () => {
  it("reproduces pyhf's documented hypotest example (qtilde, μ = 1)", () => {
    const { likelihood, data } = pyhfLikelihood(pyhfDocExample());
    const r = hypothesisTest(likelihood, data, 'mu', 1);
    expect(r.converged).toBe(true);
    // pyhf.infer.hypotest(1.0, data, model, return_expected_set=True, test_stat="qtilde") in pyhf's
    // docs (8 digits, from pyhf's default fits, themselves precise to ~1e-6 here)
    expect(Math.abs(r.cls! - 0.05251497)).toBeLessThan(1e-5);
    [0.00260626, 0.01382005, 0.06445321, 0.23525644, 0.57303621].forEach((e, k) => expect(Math.abs(r.expected![k] - e)).toBeLessThan(1e-5));
  });

  it('refuses polynomial parameters of interest, constrained nuisances and POI values outside the bounds', () => {
    const term = compileBinnedModel('poly', {
      parameters: ['k'],
      degree: 1,
      reference: [0],
      channels: [{ name: 'c', samples: [{ name: 's', coefficients: [[10, 2]], modifiers: [{ type: 'normsys', name: 'n', data: { hi: 1.1, lo: 0.9 } }] }] }],
    });
    const likelihood = createLikelihood([{ name: 'k', init: 0, bounds: [-1, 1], kind: 'interest', fixed: false, constraint: 'none' }], [term], 1);
    const data = { luminosity: 1, rate: true, terms: { poly: { counts: Float64Array.of(11), aux: term.nominalAux() } } };
    expect(() => hypothesisTest(likelihood, data, 'k', 0.5)).toThrow(InvalidPoiError);
    expect(() => hypothesisTest(likelihood, data, 'k', 0.5)).toThrow(/polynomial parameter of interest.*profile-likelihood interval/);
    expect(() => hypothesisTest(likelihood, data, 'n', 0.5)).toThrow(/constrained nuisance/);
    expect(() => hypothesisTest(likelihood, data, 'zz', 0.5)).toThrow(/unknown parameter/);
    const doc = pyhfLikelihood(pyhfDocExample());
    expect(() => hypothesisTest(doc.likelihood, doc.data, 'mu', 11)).toThrow(/outside the bounds \[0, 10\]/);
    const fixed = pyhfLikelihood(pyhfDocExample([{ name: 'mu', fixed: true }]));
    expect(() => hypothesisTest(fixed.likelihood, fixed.data, 'mu', 1)).toThrow(/fixed in the model's configuration/);
    const positive = pyhfLikelihood(pyhfDocExample([{ name: 'mu', bounds: [[0.5, 10]] }]));
    expect(() => hypothesisTest(positive.likelihood, positive.data, 'mu', 1)).toThrow(/exclude 0, the background-only hypothesis/);
  });

  it('fits that do not converge give no numbers, and say so', () => {
    const { likelihood, data } = pyhfLikelihood(pyhfDocExample());
    const start = likelihood.initial();
    // a likelihood undefined everywhere but at its starting point: no fit can converge
    const broken: Likelihood = {
      ...likelihood,
      nll: (x, d, v, derivatives) => {
        if (x.some((value, i) => value !== start[i])) throw new NonPositiveRateError('pyhf', 'rate', -1);
        return likelihood.nll(x, d, v, derivatives);
      },
    };
    const r = new AsymptoticCalculator(broken, data, 'mu').hypotest(1);
    expect(r.converged).toBe(false);
    expect(r.message).toMatch(/^no fit at mu = 0 can start \(.*rate is -1/);
    expect([r.cls, r.clsb, r.clb, r.expected, r.qmu, r.qmuA, r.teststat]).toEqual([null, null, null, null, null, null, null]);
    const ul = upperLimit(broken, data, 'mu');
    expect(ul.converged).toBe(false);
    expect(ul.observed).toBeNull();
    expect(ul.expected).toEqual([null, null, null, null, null]);
    expect(ul.messages.join(' ')).toMatch(/did not converge|no fit at mu = 0 can start/);
  });

  it('a limit beyond the POI’s upper bound is reported as not found, the others are found', () => {
    // expected limits of this model: 0.5600747, 0.75702605, 1.06234693, 1.50116923, 2.05078912 (pyhf's docs, rtol 0.01)
    const { likelihood, data } = pyhfLikelihood(pyhfDocExample([{ name: 'mu', bounds: [[0, 1.3]] }]));
    const ul = upperLimit(likelihood, data, 'mu');
    expect(ul.converged).toBe(true);
    expect(ul.observed).toBeCloseTo(1.01156939, 1);
    expect(ul.expected.slice(0, 3).map((e) => e!.toFixed(1))).toEqual(['0.6', '0.8', '1.1']);
    expect(ul.expected.slice(3)).toEqual([null, null]);
    expect(ul.messages).toHaveLength(2);
    expect(ul.messages[0]).toMatch(/expected \(\+1σ\): CLs is .* > 0.05 at the upper end 1.3 of the range: the limit lies beyond the allowed range of 'mu'/);
    // every evaluation behind it is reported, sorted
    const mus = ul.evaluations.map((e) => e.mu);
    expect(mus).toEqual([...mus].sort((a, b) => a - b));
    expect(ul.evaluations.every((e) => e.converged)).toBe(true);
  });

  it('the limit is the CLs crossing: CLs at the observed limit equals the level', () => {
    const { likelihood, data } = pyhfLikelihood(pyhfDocExample());
    const ul = upperLimit(likelihood, data, 'mu', { level: 0.1 });
    const calculator = new AsymptoticCalculator(likelihood, data, 'mu');
    expect(calculator.hypotest(ul.observed!).cls!).toBeCloseTo(0.1, 6);
    ul.expected.forEach((e, k) => expect(calculator.expected(e!).expected![k]).toBeCloseTo(0.1, 6));
  });

  it('a level of 1e-12 is reached: the limits are finite, ordered and move out as the level falls (1e-12 < 1e-6 < 0.05)', () => {
    const { likelihood, data } = pyhfLikelihood(pyhfDocExample());
    const limits = [0.05, 1e-6, 1e-12].map((level) => upperLimit(likelihood, data, 'mu', { level, range: [0, 10] }));
    for (const ul of limits) {
      expect(ul.converged).toBe(true);
      expect(ul.messages).toEqual([]);
      for (const l of [ul.observed, ...ul.expected]) expect(Number.isFinite(l)).toBe(true);
    }
    for (let i = 1; i < limits.length; i++) {
      expect(limits[i].observed!).toBeGreaterThan(limits[i - 1].observed!);
      limits[i].expected.forEach((e, k) => expect(e!).toBeGreaterThan(limits[i - 1].expected[k]!));
    }
    // the limit is where CLs crosses 1e-12
    const calculator = new AsymptoticCalculator(likelihood, data, 'mu');
    expect(Math.log(calculator.hypotest(limits[2].observed!).cls!) / Math.log(1e-12)).toBeCloseTo(1, 6);
  });
});
