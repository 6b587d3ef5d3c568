import { describe, expect, it } from 'vitest';
import { basisSize, evaluateMonomials, monomialBasis, polynomialValue } from '../../../models/basis/monomial-basis.js';
import {
  checkPolynomialPositivity,
  checkPolynomialPositivityBatch,
  minimumEigenvalue,
  quadraticGramMatrix,
  sumOfSquaresCoefficients,
  sumOfSquaresLayout,
  symmetricEigen,
} from '../../../models/basis/sum-of-squares.js';
import { createRandom } from '../../../models/random.js';

/** vᵀ L Lᵀ v at Δθ, directly: L unpacked from the documented row-major lower-triangle packing. */
function directSumOfSquares(P: number, d: number, fixReference: boolean, raw: ArrayLike<number>, dtheta: number[]): number {
  const V = basisSize(P, d / 2);
  const v = evaluateMonomials(monomialBasis(P, d / 2), dtheta);
  const L: number[][] = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  let k = 0;
  for (let a = 0; a < V; a++) {
    for (let b = 0; b <= a; b++) {
      if (fixReference && a === 0 && b === 0) L[0][0] = 1;
      else L[a][b] = raw[k++];
    }
  }
  expect(k).toBe(raw.length);
  // ‖Lᵀ v‖²
  let sum = 0;
  for (let b = 0; b < V; b++) {
    let s = 0;
    for (let a = 0; a < V; a++) s += L[a][b] * v[a];
    sum += s * s;
  }
  return sum;
}

describe('sum-of-squares head', () => {
  const random = createRandom(11);

  it('has V(V+1)/2 raw outputs, one fewer with a fixed reference', () => {
    for (const [P, d, V] of [[1, 2, 2], [2, 2, 3], [3, 2, 4], [2, 4, 6], [3, 4, 10]] as const) {
      expect(sumOfSquaresLayout(P, d, false).halfSize).toBe(V);
      expect(sumOfSquaresLayout(P, d, false).rawSize).toBe((V * (V + 1)) / 2);
      expect(sumOfSquaresLayout(P, d, true).rawSize).toBe((V * (V + 1)) / 2 - 1);
      expect(sumOfSquaresLayout(P, d, true).size).toBe(basisSize(P, d));
    }
    expect(() => sumOfSquaresLayout(2, 3, false)).toThrow(RangeError);
  });

  for (const P of [1, 2, 3]) {
    for (const d of [2, 4]) {
      for (const fixReference of [false, true]) {
        it(`matches vᵀLLᵀv at random θ (P=${P}, d=${d}, fixReference=${fixReference})`, () => {
          const layout = sumOfSquaresLayout(P, d, fixReference);
          const basis = monomialBasis(P, d);
          const raw = new Float64Array(3 + layout.rawSize); // offset 3 into the raw array
          const c = new Float64Array(5 + layout.size).fill(NaN); // offset 5 into the output
          for (let trial = 0; trial < 20; trial++) {
            for (let k = 0; k < raw.length; k++) raw[k] = random.normal();
            sumOfSquaresCoefficients(layout, raw, 3, c, 5);
            const coefficients = c.subarray(5);
            if (fixReference) expect(coefficients[0]).toBe(1);
            for (let q = 0; q < 5; q++) {
              const dtheta = Array.from({ length: P }, () => 2 * random.normal());
              const expected = directSumOfSquares(P, d, fixReference, raw.subarray(3), dtheta);
              const got = polynomialValue(coefficients, evaluateMonomials(basis, dtheta));
              expect(got).toBeGreaterThanOrEqual(0);
              expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(expected)));
            }
            // c_0 = R(θ0) = L_00²
            expect(coefficients[0]).toBeCloseTo(directSumOfSquares(P, d, fixReference, raw.subarray(3), new Array(P).fill(0)), 12);
          }
        });
      }
    }
  }

  it('gives a Gram matrix equal to LLᵀ for degree 2', () => {
    const P = 2;
    const layout = sumOfSquaresLayout(P, 2, false);
    const raw = Float64Array.from({ length: layout.rawSize }, () => random.normal());
    const c = new Float64Array(layout.size);
    sumOfSquaresCoefficients(layout, raw, 0, c, 0);
    const Q = quadraticGramMatrix(c, P);
    // L packed as L00, L10, L11, L20, L21, L22
    const L = [
      [raw[0], 0, 0],
      [raw[1], raw[2], 0],
      [raw[3], raw[4], raw[5]],
    ];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += L[a][k] * L[b][k];
        expect(Q[a * 3 + b]).toBeCloseTo(s, 12);
      }
    }
  });
});

describe('quadratic Gram matrix and eigenvalues', () => {
  it('reproduces the quadratic as [1, Δθ]ᵀ Q [1, Δθ]', () => {
    const random = createRandom(3);
    const P = 3;
    const basis = monomialBasis(P, 2);
    const c = Float64Array.from({ length: basis.size }, () => random.normal());
    const Q = quadraticGramMatrix(c, P);
    for (let t = 0; t < 10; t++) {
      const dtheta = Array.from({ length: P }, () => random.normal());
      const z = [1, ...dtheta];
      let q = 0;
      for (let a = 0; a <= P; a++) for (let b = 0; b <= P; b++) q += z[a] * Q[a * (P + 1) + b] * z[b];
      expect(q).toBeCloseTo(polynomialValue(c, evaluateMonomials(basis, dtheta)), 12);
    }
  });

  it('finds eigenvalues by Jacobi', () => {
    expect(minimumEigenvalue([2, 1, 1, 2], 2)).toBeCloseTo(1, 14);
    expect(minimumEigenvalue([1, 2, 2, 1], 2)).toBeCloseTo(-1, 14);
    expect(minimumEigenvalue([5], 1)).toBe(5);
    // A = Vdiag(λ)Vᵀ with a random rotation: recover λ and A·v = λv
    const random = createRandom(8);
    const n = 5;
    const A = new Float64Array(n * n);
    const B = Float64Array.from({ length: n * n }, () => random.normal());
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j] += B[i * n + k] * B[j * n + k];
    A[0] -= 3; // make it indefinite
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += A[i * n + j] * vectors[j * n + k];
        expect(av).toBeCloseTo(values[k] * vectors[i * n + k], 10);
      }
    }
    expect(minimumEigenvalue(A, n)).toBe(Math.min(...values));
  });
});

describe('polynomial positivity', () => {
  it('accepts PSD quadratics and rejects negative ones exactly (Gram matrix)', () => {
    const basis = monomialBasis(2, 2); // [1, a, b, a², ab, b²]
    // (1 + a − b)² = 1 + 2a − 2b + a² − 2ab + b²: PSD, singular
    const square = [1, 2, -2, 1, -2, 1];
    const ok = checkPolynomialPositivity(square, basis);
    expect(ok).toMatchObject({ nonNegative: true, method: 'gram-matrix' });
    expect(ok.minimum).toBeGreaterThan(-1e-12);
    // 1 + a² − b²: negative along b
    const saddle = [1, 0, 0, 1, 0, -1];
    const bad = checkPolynomialPositivity(saddle, basis);
    expect(bad.nonNegative).toBe(false);
    expect(bad.method).toBe('gram-matrix');
    expect(bad.minimum).toBeCloseTo(-1, 12);
    expect(polynomialValue(saddle, evaluateMonomials(basis, bad.at!))).toBeLessThan(0);
    // 1 + a: negative for a < −1 (Q has a zero diagonal entry next to a non-zero one)
    const linear = [1, 1, 0, 0, 0, 0];
    const lin = checkPolynomialPositivity(linear, basis);
    expect(lin.nonNegative).toBe(false);
    expect(polynomialValue(linear, evaluateMonomials(basis, lin.at!))).toBeLessThan(0);
    // −0.5 + a² + b²: negative near the origin

    const shifted = [-0.5, 0, 0, 1, 0, 1];
    const sh = checkPolynomialPositivity(shifted, basis);
    expect(sh.nonNegative).toBe(false);
    expect(polynomialValue(shifted, evaluateMonomials(basis, sh.at!))).toBeLessThan(0);
  });

  it('handles degree 0 and 1 through the Gram matrix', () => {
    expect(checkPolynomialPositivity([2], monomialBasis(2, 0)).nonNegative).toBe(true);
    expect(checkPolynomialPositivity([-2], monomialBasis(2, 0)).nonNegative).toBe(false);
    expect(checkPolynomialPositivity([2, 0, 0], monomialBasis(2, 1)).nonNegative).toBe(true);
    expect(checkPolynomialPositivity([2, 0.1, 0], monomialBasis(2, 1)).nonNegative).toBe(false);
  });

  it('accepts singular PSD rows in a batch (Cholesky fails, Jacobi decides)', () => {
    const basis = monomialBasis(2, 2);
    const rows = [
      [2, 0, 0, 1, 0, 1], // 2 + a² + b²: positive definite
      [1, 2, -2, 1, -2, 1], // (1 + a − b)²: singular
      [0, 0, 0, 0, 0, 0], // zero
    ];
    const ok = checkPolynomialPositivityBatch(rows.flat(), 3, basis);
    expect(ok).toMatchObject({ nonNegative: true, method: 'gram-matrix', firstOffendingRow: -1 });
    expect(ok.minimum).toBeLessThanOrEqual(0);
    expect(ok.minimum).toBeGreaterThan(-1e-12);
    const bad = checkPolynomialPositivityBatch([...rows.flat(), 1, 0, 0, 1, 0, -1], 4, basis);
    expect(bad).toMatchObject({ nonNegative: false, firstOffendingRow: 3 });
    expect(bad.minimum).toBeCloseTo(-1, 12);
  });

  it('checks higher degrees on a grid and says so', () => {
    const basis = monomialBasis(1, 4); // [1, a, a², a³, a⁴]
    // (a² − 1)² = 1 − 2a² + a⁴ ≥ 0
    const good = checkPolynomialPositivity([1, 0, -2, 0, 1], basis, [[-3, 3]]);
    expect(good).toMatchObject({ nonNegative: true, method: 'grid' });
    // a⁴ − 2a² + 0.5: negative near a = ±1
    const bad = checkPolynomialPositivity([0.5, 0, -2, 0, 1], basis, [[-3, 3]]);
    expect(bad).toMatchObject({ nonNegative: false, method: 'grid' });
    expect(bad.minimum).toBeLessThan(0);
    expect(Math.abs(Math.abs(bad.at![0]) - 1)).toBeLessThan(0.1);
    expect(() => checkPolynomialPositivity([1, 0, 0, 0, 1], basis)).toThrow(/ranges/);
  });

  it('accepts every sum-of-squares head output and finds the first bad row of a batch', () => {
    const random = createRandom(21);
    for (const d of [2, 4]) {
      const P = 2;
      const layout = sumOfSquaresLayout(P, d, true);
      const basis = monomialBasis(P, d);
      const C = basis.size;
      const N = 50;
      const coefficients = new Float64Array(N * C);
      const raw = new Float64Array(layout.rawSize);
      for (let i = 0; i < N; i++) {
        for (let k = 0; k < raw.length; k++) raw[k] = random.normal();
        sumOfSquaresCoefficients(layout, raw, 0, coefficients, i * C);
      }
      const ranges = [[-2, 2], [-2, 2]] as const;
      const all = checkPolynomialPositivityBatch(coefficients, N, basis, ranges);
      expect(all).toMatchObject({ nonNegative: true, firstOffendingRow: -1, method: d === 2 ? 'gram-matrix' : 'grid' });
      expect(all.minimum).toBeGreaterThanOrEqual(d === 2 ? -1e-9 : 0);
      // make rows 17 and 30 negative at θ0
      coefficients[17 * C] = -1;
      coefficients[30 * C] = -1;
      const bad = checkPolynomialPositivityBatch(coefficients, N, basis, ranges);
      expect(bad.nonNegative).toBe(false);
      expect(bad.firstOffendingRow).toBe(17);
      expect(polynomialValue(coefficients, evaluateMonomials(basis, bad.at!), 17 * C)).toBeLessThan(0);
    }
  });
});
