/**
 * Toy-based CLs and p-values (issue 21 item 1): against the exact CLs of a one-bin counting
 * experiment (enumeration of the Poisson counts: the toys agree, asymptotics do not at low
 * counts), against asymptotic CLs where asymptotics hold (the ATLAS sbottom search), and the
 * toys of unbinned terms (their event counts and test-statistic distribution).
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { describe, expect, it } from 'vitest';
import { fileStore } from '../../../functions/node.js';
import { hypothesisTest } from '../../../models/inference/calculators/asymptotic.js';
import { empiricalPValue, percentile, ToyCalculator, twoSidedPValue } from '../../../models/inference/calculators/toys.js';
import { maximumLikelihood } from '../../../models/inference/mle.js';
import { resolveDataset, toyDataset } from '../../../models/likelihood/datasets.js';
import { importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { createRandom } from '../../../models/random.js';
import { unbinnedTerms } from '../../../models/terms/unbinned.js';

const store = fileStore('likelihoods');

/** s signal events at μ = 1 on b background, n observed; μ bounded to [0, 10] as pyhf's normfactor. */
function counting(s: number, b: number, n: number) {
  const workspace = {
    channels: [{ name: 'SR', samples: [{ name: 'signal', data: [s], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] }, { name: 'bkg', data: [b], modifiers: [] }] }],
    observations: [{ name: 'SR', data: [n] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
    version: '1.0.0',
  };
  return pyhfLikelihood(importWorkspace(workspace as never));
}

/** Exact CL_s+b, CL_b and CL_s of the counting experiment for q̃_μ, by enumerating n. */
function exactCls(s: number, b: number, nObs: number, mu: number) {
  const nll = (n: number, m: number) => m - n * Math.log(m);
  const q = (n: number) => {
    const muHat = Math.min(10, Math.max(0, (n - b) / s));
    return muHat > mu ? 0 : Math.max(0, 2 * (nll(n, mu * s + b) - nll(n, muHat * s + b)));
  };
  const pois = (n: number, m: number) => Math.exp(n * Math.log(m) - m - gammaln(n + 1));
  const qObs = q(nObs);
  let clsb = 0;
  let clb = 0;
  for (let n = 0; n < 200; n++) {
    if (q(n) >= qObs - 1e-9) {
      clsb += pois(n, mu * s + b);
      clb += pois(n, b);
    }
  }
  return { clsb, clb, cls: clsb / clb };
}

describe('toy-based CLs', () => {
  it('equals the exact CLs of a low-count experiment within its errors, where the asymptotic CLs is off by many of them', () => {
    const [s, b, n, mu] = [4, 1.5, 1, 1];
    const { likelihood, data } = counting(s, b, n);
    const truth = exactCls(s, b, n, mu);
    const toys = new ToyCalculator(likelihood, data, 'mu', { toys: 4000, seed: 7 }).hypotest(mu);
    expect(toys.converged).toBe(true);
    expect(toys.failedToys).toBe(0);
    expect(Math.abs(toys.clsb! - truth.clsb)).toBeLessThan(3.5 * toys.clsbError!);
    expect(Math.abs(toys.clb! - truth.clb)).toBeLessThan(3.5 * toys.clbError!);
    expect(Math.abs(toys.cls! - truth.cls), `${toys.cls} ± ${toys.clsError} against ${truth.cls}`).toBeLessThan(3.5 * toys.clsError!);
    // the asymptotic formulae say excluded (0.025) where the exact CLs is 0.048: 5 toy errors away
    const asymptotic = hypothesisTest(likelihood, data, 'mu', mu);
    expect(Math.abs(asymptotic.cls! - truth.cls)).toBeGreaterThan(5 * toys.clsError!);
    // the expected band is ordered as the asymptotic one, and brackets the median
    const band = toys.expected!;
    for (let k = 1; k < band.length; k++) expect(band[k]).toBeGreaterThanOrEqual(band[k - 1]);
  });

  it('on pyhf’s documented example (two bins, shapesys): q̃ is pyhf’s 3.93824492, and the toys agree with the asymptotic CLs pyhf documents', () => {
    // pyhf.simplemodels.uncorrelated_background(signal=[12, 11], bkg=[50, 52], bkg_uncertainty=[3, 7]), data [51, 48], μ = 1
    const workspace = {
      channels: [{ name: 'singlechannel', samples: [{ name: 'signal', data: [12, 11], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] }, { name: 'background', data: [50, 52], modifiers: [{ name: 'uncorr_bkguncrt', type: 'shapesys', data: [3, 7] }] }] }],
      observations: [{ name: 'singlechannel', data: [51, 48] }],
      measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
      version: '1.0.0',
    };
    const { likelihood, data } = pyhfLikelihood(importWorkspace(workspace as never));
    const toys = new ToyCalculator(likelihood, data, 'mu', { toys: 3000, seed: 2 }).hypotest(1);
    expect(toys.qmu).toBeCloseTo(3.93824492, 6);
    // pyhf's AsymptoticCalculator docstring: CLs+b 0.0233250, CLb 0.444158, CLs 0.0525151
    expect(Math.abs(toys.clsb! - 0.023325)).toBeLessThan(3.5 * toys.clsbError!);
    expect(Math.abs(toys.clb! - 0.444158)).toBeLessThan(3.5 * toys.clbError!);
    expect(Math.abs(toys.cls! - 0.0525151)).toBeLessThan(3.5 * toys.clsError!);
  });

  it('agrees with asymptotic CLs on the ATLAS sbottom search (64 parameters) within the toys’ errors', () => {
    const artifact = store.load('atlas-sbottom-regiona', '1.0.1');
    return artifact.then(({ likelihood }) => {
      const data = resolveDataset(likelihood, { kind: 'observed' });
      const calculator = new ToyCalculator(likelihood, data, 'mu_SIG', { toys: 300, seed: 5 });
      for (const mu of [1, 2]) {
        const toys = calculator.hypotest(mu);
        const asymptotic = hypothesisTest(likelihood, data, 'mu_SIG', mu);
        expect(toys.converged).toBe(true);
        expect(toys.qmu).toBeCloseTo(asymptotic.qmu!, 6);
        expect(Math.abs(toys.cls! - asymptotic.cls!), `μ = ${mu}: ${toys.cls} ± ${toys.clsError} against ${asymptotic.cls}`).toBeLessThan(3 * toys.clsError!);
      }
    });
  });

  it('gives each μ the same numbers whatever was tested before it (one stream per value from the seed)', () => {
    const { likelihood, data } = counting(4, 1.5, 1);
    const alone = new ToyCalculator(likelihood, data, 'mu', { toys: 300, seed: 4 }).hypotest(2);
    const after = new ToyCalculator(likelihood, data, 'mu', { toys: 300, seed: 4 });
    after.hypotest(1);
    expect(after.hypotest(2)).toEqual(alone);
    expect(new ToyCalculator(likelihood, data, 'mu', { toys: 300, seed: 5 }).hypotest(2).distributions).not.toEqual(alone.distributions);
  });

  it('refuses a POI for which CLs is not defined, as the asymptotic calculator does', async () => {
    const { likelihood } = await store.load('gaussian-toy-truth', '1.0.0');
    const data = resolveDataset(likelihood, { kind: 'observed' });
    expect(() => new ToyCalculator(likelihood, data, 'theta')).toThrow(/polynomial parameter of interest/);
  });
});

describe('empirical p-values and percentiles', () => {
  it('count ties as at least as extreme, and interpolate percentiles as numpy does', () => {
    const sorted = Float64Array.of(0, 0, 1, 2, 2 + 1e-9, 5);
    expect(empiricalPValue(sorted, 2).value).toBeCloseTo(3 / 6, 15);
    expect(empiricalPValue(sorted, 2 + 2e-9).value).toBeCloseTo(3 / 6, 15); // within TIE of 2
    expect(empiricalPValue(sorted, 0).value).toBe(1);
    expect(empiricalPValue(sorted, 6).value).toBe(0);
    // numpy.percentile([0, 0, 1, 2, 2, 5], 50) = 1.5; at 90: 3.5
    expect(percentile(sorted, 50)).toBeCloseTo(1.5, 8);
    expect(percentile(sorted, 90)).toBeCloseTo(3.5, 8);
  });
});

describe('toys of unbinned terms', () => {
  for (const id of ['gaussian-toy-truth', 'gaussian-toy-a3-carl']) {
    it(`${id}: events drawn from the reference sample reweighted to θ, Poisson in number around L σ(θ)`, async () => {
      const { likelihood } = await store.load(id, '1.0.0');
      const data = resolveDataset(likelihood, { kind: 'observed' });
      const [term] = unbinnedTerms(likelihood);
      const rng = createRandom(21);
      const params = likelihood.initial();
      params[0] = 0.8;
      const expected = data.luminosity * term.totalCrossSection(params, likelihood.termIndex(term));
      const counts = Array.from({ length: 60 }, () => {
        const toy = toyDataset(likelihood, params, data, rng);
        return term.eventCount(toy.terms[term.name] as never);
      });
      const mean = counts.reduce((a, c) => a + c, 0) / counts.length;
      const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / (counts.length - 1);
      expect(Math.abs(mean - expected)).toBeLessThan(4 * Math.sqrt(expected / counts.length));
      expect(variance / expected).toBeGreaterThan(0.5);
      expect(variance / expected).toBeLessThan(1.6);
    });
  }

  it('gaussian-toy-truth: the two-sided q at θ = 0.8 is χ²₁-distributed over toys (mean 1, P(q ≥ 2.71) = 0.1), as ~10³ events make it', async () => {
    const { likelihood } = await store.load('gaussian-toy-truth', '1.0.0');
    const data = resolveDataset(likelihood, { kind: 'observed' });
    const global = maximumLikelihood(likelihood, data);
    const test = twoSidedPValue(likelihood, data, 0, 0.8, global, 300, createRandom(4))!;
    expect(test.failedToys).toBe(0);
    const mean = test.sorted.reduce((a, q) => a + q, 0) / test.sorted.length;
    expect(Math.abs(mean - 1)).toBeLessThan(4 * Math.sqrt(2 / 300));
    const tail = empiricalPValue(test.sorted, 2.706);
    expect(Math.abs(tail.value - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / 300));
  });
});
