import { describe, expect, it } from 'vitest';
import {
  code4Coefficients,
  histosysCode0,
  histosysCode4p,
  histosysWeights,
  normsysCode1,
  normsysCode4,
  normsysCode4Into,
  type Interpolated,
} from '../../../../models/terms/binned/interpolation.js';

type Fn = (alpha: number) => Interpolated;

/** central finite differences of value (for d1) and of d1 (for d2) */
function checkDerivatives(f: Fn, alpha: number, h = 1e-5, rel = 1e-6) {
  const at = f(alpha);
  const up = f(alpha + h);
  const dn = f(alpha - h);
  const d1 = (up.value - dn.value) / (2 * h);
  const d2 = (up.d1 - dn.d1) / (2 * h);
  expect(at.d1).toBeCloseTo(d1, 6);
  expect(Math.abs(at.d1 - d1)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(d1)));
  expect(Math.abs(at.d2 - d2)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(d2)));
}

/**
 * Reference values produced by pyhf itself (the mirrored source, numpy backend, 64-bit),
 * pyhf.interpolators.<code>(histogramssets)(alphasets):
 *   normsys codes on [[[[0.7], [1.0], [1.2]]]] (lo, nom, hi factors),
 *   histosys codes on [[[[7.0], [10.0], [13.5]]]] (lo, nom, hi yields; pyhf returns the delta).
 */
const ALPHAS = [-2.5, -1.0, -0.7, -0.2, 0.0, 0.3, 0.9, 1.0, 1.6];
const PYHF = {
  code1: [0.409963413001697, 0.7, 0.779055912670449, 0.9311499150948377, 1.0, 1.0562199684392581, 1.1783196534742952, 1.2, 1.338720746075793],
  code4: [0.409963413001697, 0.7, 0.7824869964238931, 0.9431484775606126, 1.0, 1.0674895373033553, 1.1784899195030765, 1.2, 1.338720746075793],
  code0: [-7.5, -3.0, -2.0999999999999996, -0.6000000000000001, 0.0, 1.05, 3.15, 3.5, 5.6000000000000005],
  code4p: [-7.5, -3.0, -2.10931415625, -0.631744, 0.0, 1.01472459375, 3.1494788437500003, 3.5, 5.6000000000000005],
};

/** Solve A x = b by Gaussian elimination with partial pivoting (test-only reference). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

describe('normsys code1 (piecewise exponential)', () => {
  it('matches hand values: hi^α above zero, lo^(−α) below', () => {
    const hi = 1.1, lo = 0.9;
    expect(normsysCode1(2, hi, lo).value).toBeCloseTo(1.21, 14);
    expect(normsysCode1(1, hi, lo).value).toBeCloseTo(1.1, 14);
    expect(normsysCode1(0.5, hi, lo).value).toBeCloseTo(Math.sqrt(1.1), 14);
    expect(normsysCode1(0, hi, lo).value).toBe(1);
    expect(normsysCode1(-1, hi, lo).value).toBeCloseTo(0.9, 14);
    expect(normsysCode1(-2, hi, lo).value).toBeCloseTo(0.81, 14);
    // d/dα hi^α = ln(hi) hi^α
    const at = normsysCode1(2, hi, lo);
    expect(at.d1).toBeCloseTo(Math.log(1.1) * 1.21, 14);
    expect(at.d2).toBeCloseTo(Math.log(1.1) ** 2 * 1.21, 14);
    const below = normsysCode1(-2, hi, lo);
    expect(below.d1).toBeCloseTo(-Math.log(0.9) * 0.81, 14);
  });
  it('matches pyhf', () => {
    ALPHAS.forEach((a, i) => expect(normsysCode1(a, 1.2, 0.7).value).toBeCloseTo(PYHF.code1[i], 13));
  });
  it('derivatives agree with finite differences away from the kink', () => {
    for (const a of [-2.3, -0.8, -0.1, 0.2, 0.9, 1.7]) checkDerivatives((x) => normsysCode1(x, 1.2, 0.7), a);
  });
  it('writes into out without allocating a new object', () => {
    const out = { value: 0, d1: 0, d2: 0 };
    expect(normsysCode1(0.3, 1.2, 0.7, out)).toBe(out);
  });
});

describe('normsys code4 (polynomial inside |α| < 1, exponential outside)', () => {
  it('coefficients equal the solution of the six matching conditions at ±1', () => {
    for (const [hi, lo] of [[1.2, 0.7], [1.05, 0.98], [2.5, 0.3], [0.8, 0.9]]) {
      const lh = Math.log(hi), ll = Math.log(lo);
      // rows: p(1), p(−1), p'(1), p'(−1), p''(1), p''(−1) for p = 1 + Σ a_i α^i
      const A = [
        [1, 1, 1, 1, 1, 1],
        [-1, 1, -1, 1, -1, 1],
        [1, 2, 3, 4, 5, 6],
        [1, -2, 3, -4, 5, -6],
        [0, 2, 6, 12, 20, 30],
        [0, 2, -6, 12, -20, 30],
      ];
      const b = [hi - 1, lo - 1, hi * lh, -lo * ll, hi * lh * lh, lo * ll * ll];
      const ref = solve(A, b);
      const a = code4Coefficients(hi, lo);
      ref.forEach((r, i) => expect(a[i]).toBeCloseTo(r, 12));
    }
  });
  it('matches hand values: 1 at zero, exponentials outside', () => {
    const hi = 1.2, lo = 0.7;
    expect(normsysCode4(0, hi, lo).value).toBe(1);
    expect(normsysCode4(1, hi, lo).value).toBeCloseTo(1.2, 14);
    expect(normsysCode4(-1, hi, lo).value).toBeCloseTo(0.7, 14);
    expect(normsysCode4(2, hi, lo).value).toBeCloseTo(1.44, 14);
    expect(normsysCode4(-2, hi, lo).value).toBeCloseTo(0.49, 14);
    // inside: 1 + Σ a_i α^i with a from the linear solve above, at α = 0.5 written out
    const a = code4Coefficients(hi, lo);
    const x = 0.5;
    const byHand = 1 + a[0] * x + a[1] * x ** 2 + a[2] * x ** 3 + a[3] * x ** 4 + a[4] * x ** 5 + a[5] * x ** 6;
    expect(normsysCode4(x, hi, lo).value).toBeCloseTo(byHand, 14);
  });
  it('matches pyhf', () => {
    ALPHAS.forEach((a, i) => expect(normsysCode4(a, 1.2, 0.7).value).toBeCloseTo(PYHF.code4[i], 13));
  });
  it('value, first and second derivative are continuous at ±1', () => {
    for (const [hi, lo] of [[1.2, 0.7], [2.5, 0.3]]) {
      for (const edge of [1, -1]) {
        const inside = normsysCode4(edge * (1 - 1e-9), hi, lo);
        const outside = normsysCode4(edge * (1 + 1e-9), hi, lo);
        expect(Math.abs(inside.value - outside.value)).toBeLessThan(1e-8);
        expect(Math.abs(inside.d1 - outside.d1)).toBeLessThan(1e-7);
        expect(Math.abs(inside.d2 - outside.d2)).toBeLessThan(1e-6);
      }
    }
  });
  it('derivatives agree with finite differences', () => {
    for (const a of [-2.2, -0.95, -0.4, 0, 0.35, 0.8, 1.4]) checkDerivatives((x) => normsysCode4(x, 1.2, 0.7), a);
  });
  it('the allocation-free variant gives the same numbers', () => {
    const c = code4Coefficients(1.2, 0.7);
    const coefficients = new Float64Array(8);
    coefficients.set(c, 2);
    const out = new Float64Array(5);
    for (const a of [-1.5, -1, -0.3, 0.6, 1, 2]) {
      normsysCode4Into(a, 1.2, 0.7, coefficients, 2, out, 1);
      const ref = normsysCode4(a, 1.2, 0.7);
      expect(out[1]).toBe(ref.value);
      expect(out[2]).toBeCloseTo(ref.d1, 14);
      expect(out[3]).toBeCloseTo(ref.d2, 14);
    }
  });
});

describe('histosys code0 (piecewise linear)', () => {
  it('matches hand values: α(hi − nom) above zero, α(nom − lo) below', () => {
    // nom 1, hi 2, lo 0.5: deltaUp 1, deltaDown 0.5
    const values = [-2, -1, 0, 1, 2].map((a) => histosysCode0(a, 1, 0.5).value);
    expect(values).toEqual([-1, -0.5, 0, 1, 2]);
    expect(histosysCode0(0.3, 1, 0.5).d1).toBe(1);
    expect(histosysCode0(-0.3, 1, 0.5).d1).toBe(0.5);
    expect(histosysCode0(-0.3, 1, 0.5).d2).toBe(0);
  });
  it('matches pyhf', () => {
    ALPHAS.forEach((a, i) => expect(histosysCode0(a, 13.5 - 10, 10 - 7).value).toBeCloseTo(PYHF.code0[i], 13));
  });
  it('derivatives agree with finite differences away from the kink', () => {
    for (const a of [-2, -0.4, 0.4, 2]) checkDerivatives((x) => histosysCode0(x, 3.5, 3), a);
  });
});

describe('histosys code4p (polynomial inside |α| ≤ 1, linear outside)', () => {
  it('matches hand values', () => {
    // deltaUp 1, deltaDown 0.5: S = 0.75, A = 0.0625 · 0.5 = 0.03125
    // α = 0.5: 0.375 + 0.03125 · (15/4 − 10/16 + 3/64) = 0.375 + 0.03125 · 3.171875 = 0.47412109375
    expect(histosysCode4p(0.5, 1, 0.5).value).toBeCloseTo(0.47412109375, 15);
    // α = −0.5: −0.375 + 0.099121... = −0.27587890625
    expect(histosysCode4p(-0.5, 1, 0.5).value).toBeCloseTo(-0.27587890625, 15);
    // δ'(0.5) = S + A(15 − 5 + 0.5625) = 0.75 + 0.03125 · 10.5625 = 1.080078125
    expect(histosysCode4p(0.5, 1, 0.5).d1).toBeCloseTo(1.080078125, 15);
    // δ''(0) = 30 A
    expect(histosysCode4p(0, 1, 0.5).d2).toBeCloseTo(0.9375, 15);
    expect(histosysCode4p(1, 1, 0.5).value).toBeCloseTo(1, 15);
    expect(histosysCode4p(-1, 1, 0.5).value).toBeCloseTo(-0.5, 15);
    expect(histosysCode4p(2, 1, 0.5).value).toBe(2);
    expect(histosysCode4p(-2, 1, 0.5).value).toBe(-1);
    expect(histosysCode4p(0, 1, 0.5).value).toBe(0);
  });
  it('matches pyhf', () => {
    ALPHAS.forEach((a, i) => expect(histosysCode4p(a, 13.5 - 10, 10 - 7).value).toBeCloseTo(PYHF.code4p[i], 13));
  });
  it('value, first and second derivative are continuous at ±1', () => {
    for (const edge of [1, -1]) {
      const inside = histosysCode4p(edge * (1 - 1e-9), 3.5, 3);
      const outside = histosysCode4p(edge * (1 + 1e-9), 3.5, 3);
      expect(Math.abs(inside.value - outside.value)).toBeLessThan(1e-8);
      expect(Math.abs(inside.d1 - outside.d1)).toBeLessThan(1e-7);
      expect(Math.abs(inside.d2 - outside.d2)).toBeLessThan(1e-6);
    }
  });
  it('derivatives agree with finite differences', () => {
    for (const a of [-1.8, -0.9, -0.25, 0, 0.45, 0.99, 1.3]) checkDerivatives((x) => histosysCode4p(x, 3.5, 3), a);
  });
});

describe('histosys weights (δ = u·deltaUp + v·deltaDown)', () => {
  it('reproduce code0 and code4p with their derivatives', () => {
    const w = new Float64Array(8);
    for (const [code, f] of [['code0', histosysCode0], ['code4p', histosysCode4p]] as const) {
      for (const a of [-2.5, -1, -0.6, -0.1, 0, 0.2, 0.9, 1, 1.7]) {
        for (const [up, dn] of [[3.5, 3], [-1.2, 0.4], [0.7, -2]]) {
          histosysWeights(code, a, w, 2);
          const ref = f(a, up, dn);
          expect(w[2] * up + w[3] * dn).toBeCloseTo(ref.value, 14);
          expect(w[4] * up + w[5] * dn).toBeCloseTo(ref.d1, 14);
          expect(w[6] * up + w[7] * dn).toBeCloseTo(ref.d2, 14);
        }
      }
    }
  });
});
