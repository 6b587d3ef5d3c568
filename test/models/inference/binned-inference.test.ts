import { describe, expect, it } from 'vitest';
import { chiSquaredThreshold } from '../../../models/numeric/distributions.js';
import { profileInterval } from '../../../models/inference/intervals/profile.js';
import { maximumLikelihood } from '../../../models/inference/mle.js';
import { createLikelihood } from '../../../models/likelihood/likelihood.js';
import { compileBinnedModel } from '../../../models/terms/binned/term.js';
import { interest } from '../../helpers/toy-likelihood.js';

/**
 * A binned model with a θ-polynomial signal and two constrained nuisances (normsys, lumi):
 * small enough that the profile likelihood can be computed by brute force — nested grids
 * over (α, λ) at each θ, independent of the Newton minimiser — and compared.
 */
describe('binned inference against a brute-force profile', () => {
  const term = compileBinnedModel('counts', {
    parameters: ['theta'],
    degree: 2,
    reference: [0],
    channels: [
      {
        name: 'SR',
        samples: [
          { name: 'signal', coefficients: [[4, 6, 9], [2, 1, 12]], modifiers: [{ type: 'lumi', name: 'lumi', data: null }] },
          {
            name: 'background',
            coefficients: [[40, 0, 0], [25, 0, 0]],
            modifiers: [
              { type: 'normsys', name: 'bkgnorm', data: { hi: 1.1, lo: 0.92 } },
              { type: 'lumi', name: 'lumi', data: null },
            ],
          },
        ],
      },
    ],
    parameterSettings: [{ name: 'lumi', auxdata: [1], sigmas: [0.03], bounds: [0.8, 1.2] }],
  });
  const likelihood = createLikelihood([interest('theta', [-3, 3])], [term], 1);
  const data = { luminosity: 1, rate: true, terms: { counts: { counts: Float64Array.of(55, 41), aux: term.nominalAux() } } };
  const [iAlpha, iLumi] = [likelihood.indexOf('bkgnorm'), likelihood.indexOf('lumi')];
  const point = new Float64Array(3);
  const nllAt = (theta: number, alpha: number, lumi: number) => {
    point[0] = theta;
    point[iAlpha] = alpha;
    point[iLumi] = lumi;
    return likelihood.nll(point, data);
  };

  /** min over (α, λ) by a 41 × 41 grid, refined five times around the best cell. */
  const bruteProfile = (theta: number) => {
    let [a0, a1, l0, l1] = [-5, 5, 0.8, 1.2];
    let best = { v: Infinity, a: 0, l: 1 };
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i <= 40; i++) {
        for (let j = 0; j <= 40; j++) {
          const a = a0 + ((a1 - a0) * i) / 40;
          const l = l0 + ((l1 - l0) * j) / 40;
          const v = nllAt(theta, a, l);
          if (v < best.v) best = { v, a, l };
        }
      }
      const [da, dl] = [(a1 - a0) / 20, (l1 - l0) / 20];
      [a0, a1, l0, l1] = [best.a - da, best.a + da, best.l - dl, best.l + dl];
    }
    return best.v;
  };

  it('the MLE and the 68%/95% intervals match the brute-force profile', () => {
    const fit = maximumLikelihood(likelihood, data);
    expect(fit.converged).toBe(true);
    // brute force in θ as well: a fine θ grid of brute-force profiles
    const thetas = Array.from({ length: 601 }, (_, k) => -3 + k / 100);
    const profile = thetas.map(bruteProfile);
    const min = Math.min(...profile);
    expect(fit.nll).toBeLessThanOrEqual(min + 1e-9);
    expect(fit.nll).toBeGreaterThan(min - 1e-3);

    const result = profileInterval(likelihood, data, 'theta', [0.68, 0.95], { points: 121 });
    expect(result.converged).toBe(true);
    for (const interval of result.intervals) {
      const t = chiSquaredThreshold(interval.cl, 1);
      for (const segment of interval.segments) {
        for (const end of [segment.lower, segment.upper]) {
          // q at each interval end, profiled by brute force, sits on the threshold
          const q = 2 * (bruteProfile(end) - fit.nll);
          expect(Math.abs(q - t)).toBeLessThan(2e-3);
        }
      }
      // and the brute-force curve crosses the threshold exactly as often as the interval says
      let crossings = 0;
      for (let k = 1; k < thetas.length; k++) if ((2 * (profile[k - 1] - fit.nll) - t) * (2 * (profile[k] - fit.nll) - t) < 0) crossings++;
      expect(crossings).toBe(2 * interval.segments.length);
    }
  });
});
