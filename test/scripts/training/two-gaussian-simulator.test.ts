import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { chiSquaredThreshold } from '../../../models/numeric/distributions.js';
import { toyDensity } from '../../../models/toys/two-gaussian.js';
import { deriveSeed } from '../../../scripts/simulators/types.js';
import { twoGaussianSimulator } from '../../../scripts/simulators/two-gaussian.js';

/** Φ(u) */
const Phi = (u: number) => 0.5 * erfc(-u / Math.SQRT2);
/** CDF of eq. 43, written from its definition */
const recoCdf = (x: number, theta: number, alpha: number, s: number) =>
  (Phi(x / Math.sqrt(1 + s * s)) + theta * theta * Phi((x - alpha) / Math.sqrt(0.01 + s * s))) / (1 + theta * theta);

describe('two-Gaussian toy simulator (seed 003 eq. 41-43)', () => {
  it('attaches the exact joint coefficients c(z) = [1, 0, N(z; α, 0.1)/N(z; 0, 1)] at θ0 = 0', () => {
    for (const alpha of [1.5, 4]) {
      const sim = twoGaussianSimulator({ alpha });
      expect(sim.basis.size).toBe(3);
      expect(sim.parameters[0].reference).toBe(0);
      const s = sim.simulate({ events: 2000, theta: 0.7, seed: 3 });
      let worst = 0;
      for (let i = 0; i < s.count; i++) {
        const z = s.parton[i];
        const truth = (Math.exp((-0.5 * (z - alpha) ** 2) / 0.01) / 0.1) / Math.exp(-0.5 * z * z);
        worst = Math.max(worst, Math.abs(s.coefficients[3 * i + 2] - truth) / Math.max(1, truth));
      }
      expect(worst).toBeLessThan(1e-12);
      expect(Array.from({ length: s.count }, (_, i) => s.coefficients[3 * i]).every((c) => c === 1)).toBe(true);
      expect(Array.from({ length: s.count }, (_, i) => s.coefficients[3 * i + 1]).every((c) => c === 0)).toBe(true);
      expect(s.weights.every((w) => w === 1)).toBe(true);
    }
  });

  it('the reco-level distribution is eq. 43 (Kolmogorov-Smirnov and binned χ², fixed seeds)', () => {
    const n = 40_000;
    for (const [alpha, theta] of [[1.5, 0], [1.5, 0.8], [3, 1.2]]) {
      const sim = twoGaussianSimulator({ alpha });
      const { reco } = sim.simulate({ events: n, theta, seed: 11 });
      const sorted = Float64Array.from(reco).sort();
      let ks = 0;
      for (let i = 0; i < n; i++) {
        const F = recoCdf(sorted[i], theta, alpha, 0.7);
        ks = Math.max(ks, Math.abs(F - i / n), Math.abs(F - (i + 1) / n));
      }
      // 99.9% critical value of the KS statistic: 1.95/√n
      expect(ks, `KS α=${alpha} θ=${theta}`).toBeLessThan(1.95 / Math.sqrt(n));

      // χ² in 40 bins of equal width over [−4, α + 3], the tails as two more bins
      const edges = [-Infinity, ...Array.from({ length: 41 }, (_, b) => -4 + ((alpha + 7) * b) / 40), Infinity];
      const counts = new Float64Array(edges.length - 1);
      for (const x of reco) {
        let b = 0;
        while (x >= edges[b + 1]) b++;
        counts[b]++;
      }
      let chi2 = 0;
      for (let b = 0; b < counts.length; b++) {
        const expected = n * (recoCdf(edges[b + 1], theta, alpha, 0.7) - recoCdf(edges[b], theta, alpha, 0.7));
        chi2 += (counts[b] - expected) ** 2 / expected;
      }
      expect(chi2, `χ² α=${alpha} θ=${theta}`).toBeLessThan(chiSquaredThreshold(0.999, counts.length - 1));
    }
    // the CDF used is the integral of the models/ toy density
    const toy = twoGaussianSimulator({ alpha: 1.5 }).toy;
    const h = 1e-4;
    for (const x of [-1.3, 0.2, 2.1]) expect(Math.abs((recoCdf(x + h, 0.8, 1.5, 0.7) - recoCdf(x - h, 0.8, 1.5, 0.7)) / (2 * h) - toyDensity(toy, x, 0.8))).toBeLessThan(1e-7);
  });

  it('E[c(z)|x] is the reco-level ratio: the θ² coefficient averaged near x matches N(x; α, σ_b)/N(x; 0, σ_a)', () => {
    const sim = twoGaussianSimulator({ alpha: 1.5 });
    const s = sim.simulate({ events: 200_000, seed: 5 });
    for (const [lo, hi] of [[-0.5, -0.3], [0.9, 1.1], [1.9, 2.1]]) {
      let sum = 0;
      let sum2 = 0;
      let count = 0;
      for (let i = 0; i < s.count; i++) {
        if (s.reco[i] < lo || s.reco[i] >= hi) continue;
        const c = s.coefficients[3 * i + 2];
        sum += c;
        sum2 += c * c;
        count++;
      }
      const mean = sum / count;
      const error = Math.sqrt((sum2 / count - mean * mean) / count);
      // exact bin average of E[c|x] = N(x; α, σ_b)/N(x; 0, σ_a): the ratio of the two Gaussians' bin probabilities
      const { sigmaA, sigmaB } = sim.toy;
      const truth = (Phi((hi - 1.5) / sigmaB) - Phi((lo - 1.5) / sigmaB)) / (Phi(hi / sigmaA) - Phi(lo / sigmaA));
      expect(Math.abs(mean - truth), `[${lo}, ${hi}): ${mean} ± ${error} vs ${truth}`).toBeLessThan(4 * error);
    }
  });

  it('is reproducible: the same seed gives the same events; simulate = sampleParton then smear with the derived seed', () => {
    const sim = twoGaussianSimulator();
    const a = sim.simulate({ events: 500, seed: 42 });
    const b = sim.simulate({ events: 500, seed: 42 });
    expect(a.reco).toEqual(b.reco);
    expect(a.coefficients).toEqual(b.coefficients);
    const c = sim.simulate({ events: 500, seed: 43 });
    expect(c.reco).not.toEqual(a.reco);
    const parton = sim.sampleParton({ events: 500, seed: 42 });
    expect(parton.parton).toEqual(a.parton);
    expect(sim.smear(parton.parton, 500, deriveSeed(42, 'smear'))).toEqual({ reco: a.reco, accepted: null });
    expect(() => sim.simulate({ events: 10, theta: [0.1, 0.2], seed: 1 })).toThrow(RangeError);
    expect(sim.metadata).toMatchObject({ alpha: 1.5, smearing: 0.7 });
  });
});
