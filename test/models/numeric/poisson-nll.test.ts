import { describe, expect, it } from 'vitest';
import { halfPoissonDeviance, poissonNll, saturatedPoissonNll } from '../../../models/numeric/distributions.js';
import { ExactDecimal as D, exact, exactLogGamma, exactPoissonNll } from '../../../scripts/reference/exact-poisson.js';

/** |a − exact| / |exact| */
const relativeError = (a: number, reference: InstanceType<typeof D>) => exact(a).minus(reference).abs().div(reference.abs()).toNumber();

describe('the Poisson NLL in saddle-point form, against 60-digit arithmetic', () => {
  it('the reference itself: ln Γ at integers is ln of the factorial, and ln Γ(½) = ½ ln π', () => {
    let factorial = new D(1);
    for (let n = 1; n <= 60; n++) {
      factorial = factorial.mul(n);
      expect(exactLogGamma(n + 1).minus(D.ln(factorial)).abs().toNumber()).toBeLessThan(1e-48);
    }
    expect(exactLogGamma(0.5).minus(D.ln(D.acos(-1)).div(2)).abs().toNumber()).toBeLessThan(1e-48);
  });

  // 1e-13: a few dozen rounding errors of a dozen operations; the binned engine needs 1e-10 (issue 14)
  it('keeps full precision for counts and rates from 0 to 10¹², near the mode and far from it', () => {
    for (const k of [0, 1, 3, 7.25, 14.9, 15, 15.1, 40, 1234.5, 1e5, 2.7e7, 1e9, 2e11, 1e12]) {
      for (const ratio of [1, 1 + 1e-9, 1 - 1e-6, 1 + 1e-3, 0.95, 1.2, 0.5, 3, 20]) {
        const lambda = k === 0 ? ratio : k * ratio;
        const exact = exactPoissonNll(k, lambda);
        expect(relativeError(poissonNll(k, lambda), exact), `k = ${k}, λ = ${lambda}`).toBeLessThan(1e-13);
      }
    }
    // the textbook form loses the digits this form keeps (a check that the test can fail)
    const k = 2e11;
    const lambda = k * (1 + 1e-6);
    const naive = lambda - k * Math.log(lambda) + exactLogGamma(k + 1).toNumber();
    expect(relativeError(naive, exactPoissonNll(k, lambda))).toBeGreaterThan(1e-8);
  });

  it('pins the documented examples', () => {
    expect(halfPoissonDeviance(2e11, 2e11 * (1 + 1e-6))).toBeCloseTo(0.0999999333, 10);
    expect(saturatedPoissonNll(1e12)).toBeCloseTo(14.734449091169, 12);
    expect(halfPoissonDeviance(0, 2.5)).toBe(2.5);
    expect(saturatedPoissonNll(0)).toBe(0);
  });
});
