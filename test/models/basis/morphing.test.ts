import { describe, expect, it } from 'vitest';
import { evaluateMonomials, monomialBasis, polynomialValue } from '../../../models/basis/monomial-basis.js';
import { axisBenchmarks, matrixConditionNumber, morphedCoefficients, morphing, morphingCoefficientMatrix, morphingWeights } from '../../../models/basis/morphing.js';
import { minimumEigenvalue, nonNegativeQuadratic, quadraticGramMatrix } from '../../../models/basis/sum-of-squares.js';
import { createRandom } from '../../../models/random.js';
import { toyDensity, twoGaussianToy } from '../../../models/toys/two-gaussian.js';

describe('morphing (seed 003 eq. 20-25)', () => {
  it('gives the Lagrange weights of the doc comment for θ0 and θ0 ± 1', () => {
    const m = morphing(1, 2, [[0], [-1], [1]]);
    const w = morphingWeights(m, [0.5]);
    expect(Array.from(w)).toEqual([0.75, -0.125, 0.375].map((v) => expect.closeTo(v, 15)));
    expect(m.conditionNumber).toBeGreaterThan(1);
  });

  it('reproduces the exact two-Gaussian p(x|θ) from the densities at θ = 0, −1, 1 to 1e-10, inside and outside the benchmarks', () => {
    // p(x|θ) = Σ_i w_i(θ) σ(θ_i)/σ(θ) p(x|θ_i), σ(θ) ∝ 1 + θ² (eq. 23)
    const thetas = [0, -1, 1];
    const m = morphing(1, 2, thetas.map((t) => [t]));
    const sigma = (t: number) => 1 + t * t;
    let worst = 0;
    for (const alpha of [1.5, 3, 4]) {
      const toy = twoGaussianToy(alpha, 0.7);
      for (let x = -5; x <= alpha + 4; x += 0.173) {
        for (const theta of [-2, -1.3, -0.6, -0.05, 0, 0.3, 0.6, 1, 1.7, 2.5]) {
          const w = morphingWeights(m, [theta]);
          const morphed = thetas.reduce((s, ti, i) => s + (w[i] * sigma(ti) * toyDensity(toy, x, ti)) / sigma(theta), 0);
          const exact = toyDensity(toy, x, theta);
          worst = Math.max(worst, Math.abs(morphed - exact) / exact);
        }
      }
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('recovers a three-parameter quadratic from its values at the axis benchmarks, and morphs it anywhere', () => {
    const random = createRandom(77);
    const basis = monomialBasis(3, 2);
    const benchmarks = axisBenchmarks(3, [4, 0.2, 0.2]);
    expect(benchmarks).toHaveLength(10);
    expect(benchmarks[0]).toEqual([0, 0, 0]);
    const m = morphing(3, 2, benchmarks);
    expect(m.conditionNumber).toBeGreaterThan(10);
    expect(m.conditionNumber).toBeLessThan(1e4);
    for (let trial = 0; trial < 20; trial++) {
      const c = Float64Array.from({ length: 10 }, () => random.normal());
      const values = benchmarks.map((b) => polynomialValue(c, evaluateMonomials(basis, b)));
      // with all σ(θ_i)/σ0 = 1, ĉ = W⁻¹ R
      const recovered = new Float64Array(10);
      morphedCoefficients(morphingCoefficientMatrix(m, new Array(10).fill(1)), values, recovered);
      recovered.forEach((v, k) => expect(v).toBeCloseTo(c[k], 10));
      const theta = [3 * random.normal(), random.normal(), random.normal()];
      const w = morphingWeights(m, theta);
      expect(values.reduce((s, v, i) => s + w[i] * v, 0)).toBeCloseTo(polynomialValue(c, evaluateMonomials(basis, theta)), 9);
    }
  });

  it('divides out the cross sections: ĉ from normalised ratios r_i = R_i σ0/σ_i', () => {
    const m = morphing(1, 2, [[0], [-1], [1]]);
    const c = [1, 0.3, 2]; // R(θ) = 1 + 0.3θ + 2θ²
    const sigmaRatio = [1, 1.7, 2.9];
    const r = [-0, -1, 1].map((t, i) => (1 + 0.3 * t + 2 * t * t) / sigmaRatio[i]);
    const out = new Float64Array(3);
    morphedCoefficients(morphingCoefficientMatrix(m, sigmaRatio), r, out);
    out.forEach((v, k) => expect(v).toBeCloseTo(c[k], 14));
  });

  it('refuses benchmarks that do not fix the polynomial', () => {
    expect(() => morphing(1, 2, [[0], [1]])).toThrow(/needs 3 benchmarks, got 2/);
    expect(() => morphing(1, 2, [[0], [1], [1]])).toThrow(/condition number/);
    expect(() => morphing(2, 2, [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1], [2, 0]])).toThrow(/condition number/); // no mixed term
    expect(() => morphing(1, 2, [[0], [1], [NaN]])).toThrow(/non-finite/);
    expect(matrixConditionNumber([1, 0, 0, 1e-3], 2)).toBeCloseTo(1e3, 6);
  });
});

describe('nonNegativeQuadratic', () => {
  it('turns 1 + 4θ + θ² into (1 + 2θ)² and leaves a non-negative quadratic bit for bit', () => {
    const c = Float64Array.of(1, 4, 1);
    expect(nonNegativeQuadratic(c, 1)).toBe(true);
    expect(Array.from(c)).toEqual([1, 4, 4]);
    const ok = Float64Array.of(1, 0.5, 0.3);
    expect(nonNegativeQuadratic(ok, 1)).toBe(false);
    expect(Array.from(ok)).toEqual([1, 0.5, 0.3]);
  });

  it('leaves non-finite coefficients as they are (an overflowing network output is refused downstream, not turned into a polynomial)', () => {
    for (const bad of [Float64Array.of(NaN, 0, 1), Float64Array.of(1, Infinity, -1), Float64Array.of(1, 0, 0, 0, -Infinity, 0)]) {
      const before = Array.from(bad);
      expect(nonNegativeQuadratic(bad, bad.length === 3 ? 1 : 2)).toBe(false);
      expect(Array.from(bad)).toEqual(before);
    }
  });

  it('makes random indefinite quadratics PSD, keeping c₀ and the linear terms, and never moves a noisy quadratic block away from a PSD truth', () => {
    const random = createRandom(5);
    for (const P of [1, 2, 3, 4]) {
      const basis = monomialBasis(P, 2);
      let changed = 0;
      for (let trial = 0; trial < 200; trial++) {
        // a PSD truth: Q = G Gᵀ with Q_00 = 1 after scaling
        const n = P + 1;
        const G = Array.from({ length: n * n }, () => random.normal());
        const Q = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) Q[i * n + j] += G[i * n + k] * G[j * n + k];
        const truth = new Float64Array(basis.size);
        truth[0] = Q[0];
        for (let i = 0; i < P; i++) truth[1 + i] = 2 * Q[i + 1];
        let k = 1 + P;
        for (let i = 0; i < P; i++) for (let j = i; j < P; j++) truth[k++] = i === j ? Q[(i + 1) * n + i + 1] : 2 * Q[(i + 1) * n + j + 1];
        // noise on the quadratic block only
        const noisy = Float64Array.from(truth, (v, q) => (q > P ? v + 2 * random.normal() : v));
        const before = Float64Array.from(noisy);
        if (nonNegativeQuadratic(noisy, P)) changed++;
        const gram = quadraticGramMatrix(noisy, P);
        const scale = Math.max(...Array.from(gram, Math.abs));
        expect(minimumEigenvalue(gram, n)).toBeGreaterThanOrEqual(-1e-12 * scale);
        for (let q = 0; q <= P; q++) expect(noisy[q]).toBe(before[q]);
        // in the Frobenius norm of the Gram matrices (the norm the projection is nearest in)
        const truthGram = quadraticGramMatrix(truth, P);
        const distance = (a: Float64Array) => Math.hypot(...Array.from(quadraticGramMatrix(a, P), (v, q) => v - truthGram[q]));
        expect(distance(noisy)).toBeLessThanOrEqual(distance(before) * (1 + 1e-12));
        // values only rise
        for (let t = 0; t < 5; t++) {
          const m = evaluateMonomials(basis, Array.from({ length: P }, () => 2 * random.normal()));
          expect(polynomialValue(noisy, m)).toBeGreaterThanOrEqual(polynomialValue(before, m) - 1e-9 * (1 + Math.abs(polynomialValue(before, m))));
        }
      }
      expect(changed).toBeGreaterThan(20);
    }
  });
});
