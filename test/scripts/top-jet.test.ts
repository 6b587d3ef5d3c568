import { describe, expect, it } from 'vitest';
import { eeecTriplets, fillEquilateralShape } from '../../models/observables/energy-correlators.js';
import { createRandom } from '../../models/random.js';
import { massOf } from '../../scripts/simulators/four-vectors.js';
import { generateTopJet } from '../../scripts/simulators/top-jet.js';

describe('the three-prong top jet (issue 19) and its EEEC', () => {
  it('narrow and unsmeared: three massless prongs of the pole mass and energy Q/2, whose one triplet obeys m_t² = 4 Σ E_iE_j ζ_ij and ζ3 ≥ 3 m_t²/(4 E_t²)', () => {
    const random = createRandom(11);
    for (let k = 0; k < 200; k++) {
      const jet = generateTopJet(172.5, random, { narrow: true, unsmeared: true });
      expect(jet.count).toBe(3);
      const total = [0, 1, 2, 3].map((c) => jet.constituents[c] + jet.constituents[4 + c] + jet.constituents[8 + c]) as [number, number, number, number];
      expect(total[0]).toBeCloseTo(1000, 9);
      expect(massOf(total)).toBeCloseTo(172.5, 8);
      const t = eeecTriplets(jet.constituents, 3, 2000);
      expect(t.count).toBe(1);
      const e = [0, 1, 2].map((i) => jet.constituents[4 * i]);
      const zeta = (i: number, j: number) => {
        const u = jet.constituents.subarray(4 * i + 1, 4 * i + 4);
        const v = jet.constituents.subarray(4 * j + 1, 4 * j + 4);
        return (1 - (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (Math.hypot(...u) * Math.hypot(...v))) / 2;
      };
      const m2 = 4 * (e[0] * e[1] * zeta(0, 1) + e[0] * e[2] * zeta(0, 2) + e[1] * e[2] * zeta(1, 2));
      expect(m2 / 172.5 ** 2).toBeCloseTo(1, 9);
      expect([zeta(0, 1), zeta(0, 2), zeta(1, 2)].sort((a, b) => a - b)[2]).toBeCloseTo(t.zeta[2], 12);
      expect(t.zeta[2]).toBeGreaterThanOrEqual((3 * 172.5 ** 2) / (4 * 1000 ** 2));
    }
  });

  it('with the shower and soft radiation: the equilateral three-prong peak moves as m_t², 172 → 178 GeV', () => {
    const edges = Array.from({ length: 31 }, (_, k) => 0.01 + k * 0.001);
    const meanZeta = (mt: number) => {
      const random = createRandom(3);
      const h = new Float64Array(30);
      for (let j = 0; j < 4000; j++) {
        const jet = generateTopJet(mt, random);
        fillEquilateralShape(eeecTriplets(jet.constituents, jet.count, 2000), 0.003, edges, h);
      }
      let sum = 0;
      let weight = 0;
      h.forEach((v, b) => ((sum += v * (edges[b] + 0.0005)), (weight += v)));
      return sum / weight;
    };
    const [low, high] = [meanZeta(172), meanZeta(178)];
    // the peak sits just above the symmetric decay's ζ = 3 m_t²/(4 E_t²) = 0.0222 at 172 GeV
    expect(low).toBeGreaterThan(0.0222);
    expect(low).toBeLessThan(0.0245);
    expect(high / low).toBeCloseTo((178 / 172) ** 2, 2);
  });
});
