/**
 * Feldman–Cousins intervals (issue 21 item 2), against the paper's tables (Feldman and Cousins,
 * PRD 57 (1998) 3873): the Neyman construction with the likelihood-ratio ordering, first on
 * exact p-values (Poisson by enumeration, Gaussian by integration: the construction itself),
 * then on toys through a binned likelihood, whose p-values must equal the exact ones within
 * their Monte Carlo errors and whose interval ends must lie where the exact p-value is α
 * within those errors.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { describe, expect, it } from 'vitest';
import { twoSidedPValue } from '../../../models/inference/calculators/toys.js';
import { feldmanCousinsInterval, neymanInterval } from '../../../models/inference/intervals/feldman-cousins.js';
import { maximumLikelihood } from '../../../models/inference/mle.js';
import { importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { createRandom } from '../../../models/random.js';
import { normalCdf } from '../../../models/numeric/distributions.js';

/** q(n; μ) = −2 ln R for a Poisson count with known background b, μ_best = max(0, n − b) (FC eq. 4.1). */
function poissonQ(n: number, mu: number, b: number): number {
  const f = (m: number) => m + b - (n > 0 ? n * Math.log(m + b) : 0);
  return 2 * (f(mu) - f(Math.max(0, n - b)));
}

/** The exact P(q ≥ q_obs | μ) by enumeration. */
function exactPoissonP(mu: number, b: number, nObs: number): number {
  const qObs = poissonQ(nObs, mu, b);
  let p = 0;
  for (let n = 0; n < 200; n++) if (poissonQ(n, mu, b) >= qObs - 1e-9) p += Math.exp((n > 0 ? n * Math.log(mu + b) : 0) - (mu + b) - gammaln(n + 1));
  return p;
}

/** The exact P(q ≥ q_obs | μ) for x ~ N(μ, 1), μ ≥ 0, q = (x − μ)² − (x − max(0, x))², by the regions where q ≥ q_obs. */
function exactGaussianP(mu: number, xObs: number): number {
  const q = (x: number) => (x - mu) ** 2 - (x < 0 ? x * x : 0);
  const c = q(xObs);
  const r = Math.sqrt(c);
  // x ≥ 0: |x − μ| ≥ √c; x < 0: μ² − 2xμ ≥ c, i.e. x ≤ (μ² − c)/(2μ) (every x < 0 when μ = 0 and c = 0)
  let p = 1 - normalCdf(Math.max(0, mu + r) - mu);
  if (mu - r > 0) p += normalCdf(mu - r - mu) - normalCdf(0 - mu);
  const negative = mu > 0 ? Math.min(0, (mu * mu - c) / (2 * mu)) : c <= 0 ? 0 : -Infinity;
  p += normalCdf(negative - mu);
  return p;
}

const exact = (p: number) => ({ value: p, error: 0, toys: Infinity });

/** A one-bin counting experiment: signal μ (a normfactor on a yield of 1), known background b, n observed. */
function counting(b: number, n: number) {
  const workspace = {
    channels: [{ name: 'SR', samples: [{ name: 'signal', data: [1], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] }, { name: 'bkg', data: [b], modifiers: [] }] }],
    observations: [{ name: 'SR', data: [n] }],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [{ name: 'mu', bounds: [[0, 30]] }] } }],
    version: '1.0.0',
  };
  return pyhfLikelihood(importWorkspace(workspace as never));
}

describe('Feldman–Cousins: the construction on exact p-values reproduces the paper’s tables', () => {
  it('Poisson with known background (Table IV, 90% CL): b = 3, n = 6 → [0.15, 8.47]; b = 0.5, n = 10 → [5.00, 16.00]', () => {
    for (const [b, n, lower, upper] of [[3, 6, 0.15, 8.47], [0.5, 10, 5.0, 16.0]]) {
      const fc = neymanInterval((mu) => exact(exactPoissonP(mu, b, n)), { cl: 0.9, range: [0, 25], points: 251, refinements: 14 });
      expect(fc.lower, `b = ${b}, n = ${n}`).toBeCloseTo(lower, 2);
      expect(fc.upper, `b = ${b}, n = ${n}`).toBeCloseTo(upper, 2);
    }
  });

  it('Gaussian with a boundary at 0 (Table X, 90% CL): x = 2.6 → [1.02, 4.24]; x = 0 → [0, 1.64], an upper limit', () => {
    const fc = neymanInterval((mu) => exact(exactGaussianP(mu, 2.6)), { cl: 0.9, range: [0, 8], points: 161, refinements: 14 });
    expect(fc.lower).toBeCloseTo(1.02, 2);
    expect(fc.upper).toBeCloseTo(4.24, 2);
    const limit = neymanInterval((mu) => exact(exactGaussianP(mu, 0)), { cl: 0.9, range: [0, 8], points: 161, refinements: 14 });
    expect(limit.lower).toBe(0);
    expect(limit.upper).toBeCloseTo(1.64, 2);
  });
});

describe('Feldman–Cousins from toys through a likelihood', () => {
  it('the toys’ p-values equal the exact ones within their Monte Carlo errors, away from the interval too', () => {
    const { likelihood, data } = counting(3, 6);
    const global = maximumLikelihood(likelihood, data);
    for (const mu of [0.05, 1, 3, 6, 8.3, 11]) {
      const test = twoSidedPValue(likelihood, data, 0, mu, global, 4000, createRandom(11))!;
      const p = exactPoissonP(mu, 3, 6);
      expect(test.qObserved).toBeCloseTo(poissonQ(6, mu, 3), 6);
      expect(Math.abs(test.pValue.value - p), `μ = ${mu}: ${test.pValue.value} ± ${test.pValue.error} against ${p}`).toBeLessThan(3.5 * Math.sqrt((p * (1 - p)) / 4000) + 1e-3);
    }
  });

  it('the interval’s ends lie where the exact p-value is 1 − CL within the toys’ errors (b = 3, n = 6 and b = 0.5, n = 10)', () => {
    const toys = 4000;
    const band = 3.5 * Math.sqrt((0.1 * 0.9) / toys);
    for (const [b, n] of [[3, 6], [0.5, 10]]) {
      const { likelihood, data } = counting(b, n);
      const fc = feldmanCousinsInterval(likelihood, data, 'mu', { toys, range: [0, 25], points: 26, refinements: 8, seed: 3 });
      expect(fc.converged).toBe(true);
      for (const end of [fc.lower!, fc.upper!]) {
        // within 0.05 of the end found, the exact p-value is 1 − CL within the toys' errors, or jumps across it (discrete data)
        const window = Array.from({ length: 101 }, (_, k) => Math.max(0, end - 0.05 + k * 0.001)).map((mu) => exactPoissonP(mu, b, n) - 0.1);
        const consistent = window.some((d) => Math.abs(d) < band) || (Math.min(...window) < 0 && Math.max(...window) > 0);
        expect(consistent, `b = ${b}, n = ${n}: end ${end}, exact p − 0.1 from ${window[0]} to ${window[100]}`).toBe(true);
      }
    }
  });
});
