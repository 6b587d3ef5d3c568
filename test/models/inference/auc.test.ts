import { describe, expect, it } from 'vitest';
import { weightedAuc } from '../../../models/inference/auc.js';
import { createRandom } from '../../../models/random.js';
import { normalCdf } from '../../../models/numeric/distributions.js';

/** Σ_ij w_i v_j ([s_i > t_j] + ½[s_i = t_j]) / (Σw Σv), pair by pair. */
function bruteForceAuc(s: number[], w: number[], t: number[], v: number[]): number {
  let pairs = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < t.length; j++) pairs += w[i] * v[j] * (s[i] > t[j] ? 1 : s[i] === t[j] ? 0.5 : 0);
  return pairs / (w.reduce((a, b) => a + b, 0) * v.reduce((a, b) => a + b, 0));
}

describe('weighted AUC (seed 004 eq. 5)', () => {
  it('is the doc comment’s example', () => {
    expect(weightedAuc([2, 3], null, [1, 2], null)).toBe(0.875);
  });

  it('equals a brute-force pair count with weights and many ties', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const np = 1 + Math.floor(random.uniform() * 60);
      const nn = 1 + Math.floor(random.uniform() * 60);
      // scores on a coarse grid so that ties across and within the samples are common
      const s = Array.from({ length: np }, () => Math.round(4 * random.normal() + 1) / 2);
      const t = Array.from({ length: nn }, () => Math.round(4 * random.normal()) / 2);
      const w = Array.from({ length: np }, () => random.uniform() * 3);
      const v = Array.from({ length: nn }, () => (random.uniform() < 0.2 ? 0 : random.uniform() * 2));
      if (!v.some((x) => x > 0)) v[0] = 1;
      expect(weightedAuc(s, w, t, v)).toBeCloseTo(bruteForceAuc(s, w, t, v), 12);
    }
  });

  it('is Φ(Δ/√2) for two unit Gaussians Δ apart, and ½ for identical samples', () => {
    const random = createRandom(12);
    const n = 40000;
    const a = Float64Array.from({ length: n }, () => random.normal() + 0.5);
    const b = Float64Array.from({ length: n }, () => random.normal());
    // standard error of the AUC ≈ √(AUC(1 − AUC)/n) × O(1): 0.005 is about three of them
    expect(Math.abs(weightedAuc(a, null, b, null) - normalCdf(0.5 / Math.SQRT2))).toBeLessThan(0.005);
    expect(weightedAuc(b, null, b, null)).toBe(0.5);
  });

  it('weights the negative sample into the positive one: reweighted N(0,1) to N(0.5,1) gives ½', () => {
    const random = createRandom(13);
    const n = 40000;
    const data = Float64Array.from({ length: n }, () => random.normal() + 0.5);
    const nominal = Float64Array.from({ length: n }, () => random.normal());
    // the exact weight p(x|0.5)/p(x|0) (seed 004 eq. 10)
    const w = nominal.map((x) => Math.exp((x * x - (x - 0.5) ** 2) / 2));
    expect(Math.abs(weightedAuc(data, null, nominal, w) - 0.5)).toBeLessThan(0.01);
  });

  it('refuses empty samples, NaN scores and negative weights', () => {
    expect(() => weightedAuc([], null, [1], null)).toThrow(RangeError);
    expect(() => weightedAuc([NaN], null, [1], null)).toThrow(RangeError);
    expect(() => weightedAuc([1], [-1], [1], null)).toThrow(RangeError);
  });
});
