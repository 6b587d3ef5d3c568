import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../models/random.js';
import {
  GRADE,
  INNER_SIGN,
  applyMultivectorMatrix,
  geometricProduct,
  innerProduct,
  lorentzMultivectorMatrix,
  randomLorentz,
  reverse,
} from '../../../models/network/spacetime-algebra.js';

const METRIC = [1, -1, -1, -1];

function randomMultivector(u: () => number): Float64Array {
  return Float64Array.from({ length: 16 }, () => 2 * u() - 1);
}

function basisVector(mu: number): Float64Array {
  const v = new Float64Array(16);
  v[1 + mu] = 1;
  return v;
}

describe('spacetime algebra Cl(1,3)', () => {
  const rng = createRandom(7);
  const u = () => rng.uniform();

  it('has the grades and the Minkowski inner product', () => {
    expect(Array.from(GRADE)).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4]);
    expect(Array.from(INNER_SIGN.subarray(0, 5))).toEqual([1, 1, -1, -1, -1]);
    const p = Float64Array.from({ length: 16 }, (_, i) => (i >= 1 && i <= 4 ? [5, 1, 2, 3][i - 1] : 0));
    expect(innerProduct(p, p)).toBeCloseTo(25 - 1 - 4 - 9, 12);
  });

  it('satisfies γ_μ γ_ν + γ_ν γ_μ = 2 g_μν', () => {
    for (let mu = 0; mu < 4; mu++) {
      for (let nu = 0; nu < 4; nu++) {
        const a = geometricProduct(basisVector(mu), basisVector(nu));
        const b = geometricProduct(basisVector(nu), basisVector(mu));
        const s = Float64Array.from(a, (v, k) => v + b[k]);
        const expected = new Float64Array(16);
        expected[0] = mu === nu ? 2 * METRIC[mu] : 0;
        expect(Array.from(s)).toEqual(Array.from(expected));
      }
    }
  });

  it('is associative', () => {
    for (let trial = 0; trial < 20; trial++) {
      const [x, y, z] = [randomMultivector(u), randomMultivector(u), randomMultivector(u)];
      const left = geometricProduct(geometricProduct(x, y), z);
      const right = geometricProduct(x, geometricProduct(y, z));
      for (let k = 0; k < 16; k++) expect(left[k]).toBeCloseTo(right[k], 12);
    }
  });

  it('⟨x, y⟩ is the scalar part of x̃ y', () => {
    const x = randomMultivector(u);
    const y = randomMultivector(u);
    expect(innerProduct(x, y)).toBeCloseTo(geometricProduct(reverse(x), y)[0], 12);
  });

  it('the Lorentz action is covariant with the geometric product and keeps the inner product', () => {
    for (let trial = 0; trial < 20; trial++) {
      const M = lorentzMultivectorMatrix(randomLorentz(u, 1));
      const x = randomMultivector(u);
      const y = randomMultivector(u);
      const lhs = applyMultivectorMatrix(M, geometricProduct(x, y));
      const rhs = geometricProduct(applyMultivectorMatrix(M, x), applyMultivectorMatrix(M, y));
      for (let k = 0; k < 16; k++) expect(lhs[k]).toBeCloseTo(rhs[k], 10);
      expect(innerProduct(applyMultivectorMatrix(M, x), applyMultivectorMatrix(M, y))).toBeCloseTo(innerProduct(x, y), 10);
      // the pseudoscalar is invariant under proper Λ (det = 1)
      expect(M[255]).toBeCloseTo(1, 12);
    }
  });
});
