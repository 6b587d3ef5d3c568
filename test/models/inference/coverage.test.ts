import { describe, expect, it } from 'vitest';
import { empiricalCoverage } from '../../../models/inference/coverage.js';
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
