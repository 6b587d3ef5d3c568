import { describe, expect, it } from 'vitest';
import { eeecTriplets, fillEquilateralShape, fillTriangleShape } from '../../../models/observables/energy-correlators.js';
import { createRandom } from '../../../models/random.js';

/** n random massless constituents around the z axis (E, p) */
function randomJet(n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const rows = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    const e = 1 + 200 * random.uniform();
    const theta = 0.4 * random.uniform();
    const phi = 2 * Math.PI * random.uniform();
    rows.set([e, e * Math.sin(theta) * Math.cos(phi), e * Math.sin(theta) * Math.sin(phi), e * Math.cos(theta)], 4 * i);
  }
  return rows;
}

const cosZeta = (a: Float64Array, i: number, j: number) => {
  const p = (k: number) => [a[4 * k + 1], a[4 * k + 2], a[4 * k + 3]];
  const [u, v] = [p(i), p(j)];
  return (1 - (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (Math.hypot(...u) * Math.hypot(...v))) / 2;
};

describe('the three-point energy correlator (seed 002)', () => {
  it('equals the direct sum over ordered triples of distinct constituents, ζ = (1 − cos θ)/2 computed from the cosine', () => {
    const n = 7;
    const jet = randomJet(n, 1);
    const Q = 2000;
    const triplets = eeecTriplets(jet, n, Q);
    expect(triplets.count).toBe(35);
    // the direct sum: every ordered (i, j, k), i ≠ j ≠ k, its (ζ_jk, ζ_ki, ζ_ij) sorted, weight E_iE_jE_k/Q³
    const direct = new Map<string, number>();
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) {
          if (i === j || j === k || i === k) continue;
          const key = [cosZeta(jet, j, k), cosZeta(jet, k, i), cosZeta(jet, i, j)].sort((a, b) => a - b).map((z) => z.toFixed(9)).join(' ');
          direct.set(key, (direct.get(key) ?? 0) + (jet[4 * i] * jet[4 * j] * jet[4 * k]) / Q ** 3);
        }
    expect(direct.size).toBe(35);
    for (let t = 0; t < triplets.count; t++) {
      const key = Array.from(triplets.zeta.subarray(3 * t, 3 * t + 3), (z) => z.toFixed(9)).join(' ');
      expect(triplets.weight[t]).toBeCloseTo(direct.get(key)!, 14);
      expect(triplets.zeta[3 * t]).toBeLessThanOrEqual(triplets.zeta[3 * t + 1]);
      expect(triplets.zeta[3 * t + 1]).toBeLessThanOrEqual(triplets.zeta[3 * t + 2]);
    }
  });

  it('its weights sum to (p1³ − 3 p1 p2 + 2 p3)/Q³ (power sums of the energies: the ordered triples of distinct constituents)', () => {
    const n = 25;
    const jet = randomJet(n, 2);
    const { weight } = eeecTriplets(jet, n, 1000);
    const power = (k: number) => Array.from({ length: n }, (_, i) => jet[4 * i] ** k).reduce((a, b) => a + b, 0);
    const expected = (power(1) ** 3 - 3 * power(1) * power(2) + 2 * power(3)) / 1e9;
    expect(weight.reduce((a, b) => a + b, 0) / expected).toBeCloseTo(1, 12);
  });

  it('is unchanged by a rotation of the jet, and keeps its precision at angles where 1 − cos θ cancels', () => {
    const n = 8;
    const jet = randomJet(n, 3);
    const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
    const rotated = jet.slice();
    for (let i = 0; i < n; i++) {
      const [x, z] = [jet[4 * i + 1], jet[4 * i + 3]];
      rotated[4 * i + 1] = c * x + s * z;
      rotated[4 * i + 3] = -s * x + c * z;
    }
    const a = eeecTriplets(jet, n, 100);
    const b = eeecTriplets(rotated, n, 100);
    for (let k = 0; k < a.zeta.length; k++) expect(b.zeta[k]).toBeCloseTo(a.zeta[k], 13);
    // three constituents 10⁻⁶ rad apart: ζ = sin²(θ/2) ≈ θ²/4 = 2.5·10⁻¹³, where 1 − cos θ keeps ~4 digits
    const close = Float64Array.of(1, 0, 0, 1, 1, Math.sin(1e-6), 0, Math.cos(1e-6), 1, 0, Math.sin(2e-6), Math.cos(2e-6));
    const tight = eeecTriplets(close, 3, 1);
    expect(tight.zeta[0] / (Math.sin(0.5e-6) ** 2)).toBeCloseTo(1, 8);
  });

  it('the triangle and equilateral windows keep exactly the triplets their θ functions select; (n1, n2) and (n2, n1) are one shape', () => {
    const n = 30;
    const jet = randomJet(n, 4);
    const triplets = eeecTriplets(jet, n, 1);
    const edges = Array.from({ length: 101 }, (_, k) => k * 0.0005);
    const shape = { n1: 1.5, n2: 1.2, delta: 0.004 };
    const h = new Float64Array(100);
    fillTriangleShape(triplets, shape, edges, h);
    const swapped = new Float64Array(100);
    fillTriangleShape(triplets, { ...shape, n1: 1.2, n2: 1.5 }, edges, swapped);
    expect(Array.from(swapped)).toEqual(Array.from(h));
    const expected = new Float64Array(100);
    const expectedEquilateral = new Float64Array(100);
    for (let t = 0; t < triplets.count; t++) {
      const [z1, z2, z3] = triplets.zeta.subarray(3 * t, 3 * t + 3);
      if (z2 >= 1.2 * z1 && z2 <= 1.2 * z1 + 0.004 && z3 >= 1.5 * z1 && z3 <= 1.5 * z1 + 0.004 && z1 < 0.05) expected[Math.floor(z1 / 0.0005)] += triplets.weight[t];
      const mean = (z1 + z2 + z3) / 3;
      if (z3 - z1 <= 0.002 && mean < 0.05) expectedEquilateral[Math.floor(mean / 0.0005)] += triplets.weight[t];
    }
    expect(h.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (let b = 0; b < 100; b++) expect(h[b]).toBeCloseTo(expected[b], 14);
    const equilateral = new Float64Array(100);
    fillEquilateralShape(triplets, 0.002, edges, equilateral);
    for (let b = 0; b < 100; b++) expect(equilateral[b]).toBeCloseTo(expectedEquilateral[b], 14);
  });

  it('refuses a constituent without a momentum direction', () => {
    expect(() => eeecTriplets(Float64Array.of(1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0), 3, 1)).toThrow(/constituent 0/);
  });
});
