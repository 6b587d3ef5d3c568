import { describe, expect, it } from 'vitest';
import { clopperPearson, empiricalCoverage, formatCoverage } from '../../../models/inference/coverage.js';
import { createRandom } from '../../../models/random.js';
import { drawToyEvents, twoGaussianToy } from '../../../models/toys/two-gaussian.js';
import { eventData, exactToyCoefficients, toyLikelihood } from '../../helpers/toy-likelihood.js';

describe('empirical coverage of the exact toy likelihood (seed 003 eq. 53)', () => {
  it('68.27% and 95.45% regions cover within two binomial standard errors over 500 toys', () => {
    const toy = twoGaussianToy(1.5, 0.7);
    const [sigma0, L, theta] = [10, 100, 0.5];
    const likelihood = toyLikelihood(sigma0, L);
    const random = createRandom(404);
    const run = empiricalCoverage(likelihood, Float64Array.of(theta), [0.6827, 0.9545], 500, () => {
      const events = drawToyEvents(toy, theta, L * sigma0 * (1 + theta * theta), random);
      return eventData(exactToyCoefficients(toy, events), events.length, L);
    });
    expect(run.failed).toBe(0);
    for (const e of run.estimates) {
      expect(e.toys).toBe(500);
      const se = Math.sqrt((e.cl * (1 - e.cl)) / e.toys);
      expect(Math.abs(e.coverage - e.cl)).toBeLessThan(2 * se);
    }
  });
});

describe('Clopper–Pearson intervals', () => {
  it('match the closed forms at 0 and n and the textbook 3 of 10 at 95%', () => {
    // k = 0: the upper end solves (1 − p)^n = (1 − level)/2
    expect(clopperPearson(0, 300)[1]).toBeCloseTo(1 - ((1 - 0.6827) / 2) ** (1 / 300), 12);
    expect(clopperPearson(300, 300)[0]).toBeCloseTo(((1 - 0.6827) / 2) ** (1 / 300), 12);
    const [lo, hi] = clopperPearson(3, 10, 0.95);
    expect(lo).toBeCloseTo(0.06673951, 7);
    expect(hi).toBeCloseTo(0.65245285, 7);
    expect(() => clopperPearson(4, 3)).toThrow(RangeError);
  });

  it('is what a coverage of 0% or 100% is written with, where the standard error is 0', () => {
    expect(formatCoverage({ coverage: 0, error: 0, toys: 300 })).toBe('0.0% (68% CP: 0.0–0.6%)');
    expect(formatCoverage({ coverage: 1, error: 0, toys: 300 })).toBe('100.0% (68% CP: 99.4–100.0%)');
    expect(formatCoverage({ coverage: 0.7, error: 0.0204, toys: 500 })).toBe('70.0 ± 2.0%');
  });
});
