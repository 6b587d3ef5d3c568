import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { twoGaussianSimulator } from '../../../scripts/simulators/two-gaussian.js';
import { copiesFor, fractionalSmearing, largestVarianceColumn, simulateWithFractionalSmearing } from '../../../scripts/training/fractional-smearing.js';

const Phi = (u: number) => 0.5 * erfc(-u / Math.SQRT2);

/** Weighted sum over events passing `cut` of f, with its standard error √Σ w² f². */
function weightedSum(weights: ArrayLike<number>, values: ArrayLike<number>, cut: (i: number) => boolean): { sum: number; error: number } {
  let sum = 0;
  let var2 = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!cut(i)) continue;
    sum += weights[i] * values[i];
    var2 += (weights[i] * values[i]) ** 2;
  }
  return { sum, error: Math.sqrt(var2) };
}

describe('fractional smearing (seed 003 sec. 2.3, app. B)', () => {
  const sim = twoGaussianSimulator({ alpha: 3 });
  const N = 20_000;
  const parton = sim.sampleParton({ events: N, seed: 7 });
  const result = fractionalSmearing(sim, parton, { threshold: 0.5, seed: 8 });
  const { sample } = result;

  it('targets the θ² coefficient by default and copies every event until |w·c − μ| ≤ tσ', () => {
    expect(largestVarianceColumn(parton, 3)).toBe(2);
    const [stats] = result.columns;
    expect(stats.column).toBe(2);
    expect(result.expanded).toBeGreaterThan(N);
    expect(result.capped).toBe(0);
    // before: events far beyond the band; after: none (c ≥ 0 and μ − tσ < 0 here, so every event can be brought in)
    expect(stats.beyondBefore).toBeGreaterThan(0);
    expect(stats.beyondAfter).toBe(0);
    expect(stats.maxWeightedTargetBefore).toBeGreaterThan(stats.mean + stats.band);
    expect(stats.maxWeightedTargetAfter).toBeLessThanOrEqual(stats.mean + stats.band);
    expect(stats.maxDeviationAfter).toBeLessThanOrEqual(stats.band);
    // every copy individually, and n is the smallest that does it
    let offenders = 0;
    for (let i = 0; i < N; i++) {
      const c = parton.coefficients[3 * i + 2];
      const n = result.copies[i];
      if (!(Math.abs(c / n - stats.mean) <= stats.band)) offenders++;
      if (n > 1 && !(Math.abs(c / (n - 1) - stats.mean) > stats.band)) offenders++;
    }
    expect(offenders).toBe(0);
  });

  it('keeps each event’s total weight and its parton-level values; each copy is smeared independently', () => {
    let total = 0;
    for (const w of sample.weights) total += w;
    expect(Math.abs(total - N)).toBeLessThan(1e-9 * N);
    const perEvent = new Float64Array(N);
    let mismatches = 0;
    for (let o = 0; o < sample.count; o++) {
      const i = result.source[o];
      perEvent[i] += sample.weights[o];
      if (sample.parton[o] !== parton.parton[i] || sample.coefficients[3 * o + 2] !== parton.coefficients[3 * i + 2]) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(Math.max(...Array.from(perEvent, (w) => Math.abs(w - 1)))).toBeLessThan(1e-12);
    // Σ w·c is unchanged exactly (up to rounding)
    const before = weightedSum(parton.weights, Array.from({ length: N }, (_, i) => parton.coefficients[3 * i + 2]), () => true).sum;
    const after = weightedSum(sample.weights, Array.from({ length: sample.count }, (_, o) => sample.coefficients[3 * o + 2]), () => true).sum;
    expect(Math.abs(after - before)).toBeLessThan(1e-9 * before);
    // copies of one event got different detector draws
    const o = result.source.findIndex((_, k) => result.copies[result.source[k]] > 3);
    expect(o).toBeGreaterThanOrEqual(0);
    expect(new Set([sample.reco[o], sample.reco[o + 1], sample.reco[o + 2]]).size).toBe(3);
  });

  it('preserves the weighted reco-level distribution (eq. 43 at θ0): mean, quantiles and the θ² tail within errors', () => {
    const { sigmaA, sigmaB } = sim.toy;
    // weighted mean of x: 0 at θ0, error from the weighted variance
    const ones = new Float64Array(sample.count).fill(1);
    let m = 0;
    let m2 = 0;
    let w2 = 0;
    for (let o = 0; o < sample.count; o++) {
      m += sample.weights[o] * sample.reco[o];
      m2 += sample.weights[o] * sample.reco[o] ** 2;
      w2 += sample.weights[o] ** 2;
    }
    m /= N;
    const sd = Math.sqrt(m2 / N - m * m);
    expect(Math.abs(m)).toBeLessThan(4 * sd * Math.sqrt(w2) / N);
    // weighted fractions below quantiles of N(0, σ_a) (binomial-like error with the weights)
    for (const u of [-1.5, -0.5, 0, 0.7, 1.8]) {
      const { sum, error } = weightedSum(sample.weights, ones, (o) => sample.reco[o] < u * sigmaA);
      expect(Math.abs(sum / N - Phi(u)), `quantile at ${u}σ`).toBeLessThan(4 * Math.sqrt(Phi(u) * (1 - Phi(u)) / N) + 4 * error / N / Math.sqrt(N));
    }
    // the sensitive tail: Σ_{x > a} w·c_2 / N estimates ∫_{x > a} N(x; α, σ_b) dx, and with a smaller error than before
    const c2 = Array.from({ length: sample.count }, (_, o) => sample.coefficients[3 * o + 2]);
    const plain = sim.simulate({ events: N, seed: 7 });
    const c2plain = Array.from({ length: N }, (_, i) => plain.coefficients[3 * i + 2]);
    for (const a of [2, 3]) {
      const truth = 1 - Phi((a - 3) / sigmaB);
      const fs = weightedSum(sample.weights, c2, (o) => sample.reco[o] > a);
      const unit = weightedSum(plain.weights, c2plain, (i) => plain.reco[i] > a);
      expect(Math.abs(fs.sum / N - truth), `tail x > ${a}`).toBeLessThan(4 * (fs.error / N) + 1e-3);
      expect(fs.error).toBeLessThan(unit.error);
    }
  });

  it('supports chosen columns, several targets and weighted events; copiesFor stops when copying cannot help', () => {
    expect(copiesFor(10, 1, 0.5, 100)).toEqual({ n: 7, capped: false }); // 10/7 = 1.43 ≤ 1.5
    expect(copiesFor(1.2, 1, 0.5, 100)).toEqual({ n: 1, capped: false });
    expect(copiesFor(0.1, 1, 0.5, 100)).toEqual({ n: 1, capped: false }); // below the band: copying moves it away
    expect(copiesFor(1000, 1, 0.5, 10)).toEqual({ n: 10, capped: true });
    expect(copiesFor(-10, 0, 1, 100)).toEqual({ n: 10, capped: false });
    expect(copiesFor(1.3, 1, 0.01, 100).n).toBe(1); // n = 2 would jump across the narrow band to 0.65, further from μ
    const weighted = { ...parton, weights: Float64Array.from(parton.weights, (_, i) => (i % 2 ? 2 : 1)) };
    const r = fractionalSmearing(sim, weighted, { columns: [1, 2], threshold: 1, seed: 1 });
    expect(r.columns.map((c) => c.column)).toEqual([1, 2]);
    let total = 0;
    for (const w of r.sample.weights) total += w;
    expect(Math.abs(total - 1.5 * N)).toBeLessThan(1e-9 * N);
    const one = simulateWithFractionalSmearing(sim, { events: 1000, seed: 3, threshold: 0.5 });
    const two = simulateWithFractionalSmearing(sim, { events: 1000, seed: 3, threshold: 0.5 });
    expect(one.sample.reco).toEqual(two.sample.reco);
    expect(() => fractionalSmearing(sim, parton, { columns: [3], seed: 1 })).toThrow(RangeError);
  });
});
