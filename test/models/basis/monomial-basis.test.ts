import { describe, expect, it } from 'vitest';
import { basisSize, evaluateMonomials, monomialBasis, monomialGradient, monomialHessian, monomialIndex, monomialLabel, polynomialValue } from '../../../models/basis/monomial-basis.js';
import { createRandom } from '../../../models/random.js';

describe('monomial basis', () => {
  it('orders two parameters at degree 2 as [1, a, b, a², ab, b²]', () => {
    const basis = monomialBasis(2, 2);
    expect(Array.from({ length: basis.size }, (_, k) => monomialLabel(basis, k, ['a', 'b']))).toEqual(['1', 'a', 'b', 'a^2', 'a*b', 'b^2']);
    expect(Array.from(evaluateMonomials(basis, [2, 3]))).toEqual([1, 2, 3, 4, 6, 9]);
  });

  it('has binom(P + d, d) monomials', () => {
    for (const [P, d, C] of [[1, 2, 3], [3, 2, 10], [1, 4, 5], [2, 4, 15], [3, 4, 35]]) {
      expect(monomialBasis(P, d).size).toBe(C);
      expect(basisSize(P, d)).toBe(C);
    }
  });

  it('follows the Taylor convention: c of Δθ_i² is half the second derivative, c of Δθ_iΔθ_j the mixed one', () => {
    // w(θ) = 2 + 3a − b + 5a² + 7ab − 4b²: ∂²w/∂a² = 10 → coefficient 5; ∂²w/∂a∂b = 7 → coefficient 7
    const basis = monomialBasis(2, 2);
    const c = [2, 3, -1, 5, 7, -4];
    const at = [0.3, -0.7];
    const m = evaluateMonomials(basis, at);
    const H = monomialHessian(basis, m);
    const hess = (i: number, j: number) => c.reduce((s, ck, k) => s + ck * H[(k * 2 + i) * 2 + j], 0);
    expect(hess(0, 0)).toBeCloseTo(10, 12);
    expect(hess(0, 1)).toBeCloseTo(7, 12);
    expect(hess(1, 1)).toBeCloseTo(-8, 12);
    expect(polynomialValue(c, m)).toBeCloseTo(2 + 3 * 0.3 + 0.7 + 5 * 0.09 + 7 * 0.3 * -0.7 - 4 * 0.49, 12);
  });

  it('gradient and Hessian equal central finite differences (P = 3, d = 4)', () => {
    const basis = monomialBasis(3, 4);
    const random = createRandom(7);
    const c = Array.from({ length: basis.size }, () => random.normal());
    const f = (x: number[]) => polynomialValue(c, evaluateMonomials(basis, x));
    const x = [0.4, -0.3, 0.8];
    const m = evaluateMonomials(basis, x);
    const G = monomialGradient(basis, m);
    const H = monomialHessian(basis, m);
    const h = 1e-4;
    for (let i = 0; i < 3; i++) {
      const xp = [...x];
      const xm = [...x];
      xp[i] += h;
      xm[i] -= h;
      const fd = (f(xp) - f(xm)) / (2 * h);
      const analytic = c.reduce((s, ck, k) => s + ck * G[k * 3 + i], 0);
      expect(analytic).toBeCloseTo(fd, 6);
      for (let j = 0; j < 3; j++) {
        const shift = (di: number, dj: number) => {
          const y = [...x];
          y[i] += di;
          y[j] += dj;
          return f(y);
        };
        const fd2 = (shift(h, h) - shift(h, -h) - shift(-h, h) + shift(-h, -h)) / (4 * h * h);
        const analytic2 = c.reduce((s, ck, k) => s + ck * H[(k * 3 + i) * 3 + j], 0);
        expect(analytic2).toBeCloseTo(fd2, 4);
      }
    }
  });

  it('finds monomials by exponent and rejects bad sizes', () => {
    const basis = monomialBasis(3, 2);
    expect(monomialIndex(basis, [0, 1, 1])).toBe(8);
    expect(monomialLabel(basis, 8, ['x', 'y', 'z'])).toBe('y*z');
    expect(monomialIndex(basis, [3, 0, 0])).toBe(-1);
    expect(() => monomialBasis(0, 2)).toThrow(RangeError);
    expect(() => monomialBasis(2, -1)).toThrow(RangeError);
  });
});
