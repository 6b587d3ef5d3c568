/**
 * The toy t t̄ → b μ ν b q q̄' generator of seed 004's top-mass example (issue 18 item 4): the
 * kinematics it is built from (boosts, two-body decays), the W-mass constraint's neutrino, and
 * the generated masses against the top mass they were drawn at.
 */
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../models/random.js';
import { add, boost, massOf, type FourVector } from '../../scripts/simulators/four-vectors.js';
import { generateTopPairs, neutrinoPz, W_MASS } from '../../scripts/simulators/top-pair.js';
import { twoBodyDecay } from '../../scripts/simulators/four-vectors.js';

describe('four-vectors', () => {
  it('a two-body decay conserves four-momentum and gives the daughters their masses, at any boost', () => {
    const random = createRandom(1);
    for (let k = 0; k < 100; k++) {
      const m = 100 + 200 * random.uniform();
      const p = [300 * random.normal(), 300 * random.normal(), 1000 * random.normal()];
      const parent: FourVector = [Math.hypot(m, ...p), p[0], p[1], p[2]];
      const [a, b] = twoBodyDecay(parent, 80.4, 4.8, random);
      const sum = add(a, b);
      for (let i = 0; i < 4; i++) expect(sum[i]).toBeCloseTo(parent[i], 8);
      expect(massOf(a)).toBeCloseTo(80.4, 6);
      expect(massOf(b)).toBeCloseTo(4.8, 5);
    }
    // a particle at rest in its own frame, boosted, is that frame
    const frame: FourVector = [500, 100, -200, 300];
    const rest: FourVector = [massOf(frame), 0, 0, 0];
    boost(rest, frame).forEach((v, i) => expect(v).toBeCloseTo(frame[i], 9));
  });
});

describe('the W-mass constraint (seed 004 sec. III C)', () => {
  it('has the true neutrino p_z among its solutions when the W is on shell and the missing p_T is the neutrino’s', () => {
    const random = createRandom(2);
    let checked = 0;
    for (let k = 0; k < 200; k++) {
      const p = [200 * random.normal(), 200 * random.normal(), 600 * random.normal()];
      const w: FourVector = [Math.hypot(W_MASS, ...p), p[0], p[1], p[2]];
      const [muon, neutrino] = twoBodyDecay(w, 0, 0, random);
      const solutions = neutrinoPz(muon, neutrino[1], neutrino[2]);
      // on shell the discriminant is ≥ 0 (up to rounding): there is always a solution
      expect(solutions.length).toBe(2);
      expect(Math.abs(solutions[0])).toBeLessThanOrEqual(Math.abs(solutions[1]));
      const scale = 1 + Math.abs(neutrino[3]);
      expect(Math.min(...solutions.map((pz) => Math.abs(pz - neutrino[3]) / scale))).toBeLessThan(1e-6);
      for (const pz of solutions) {
        const nu: FourVector = [Math.hypot(neutrino[1], neutrino[2], pz), neutrino[1], neutrino[2], pz];
        expect(massOf(add(muon, nu))).toBeCloseTo(W_MASS, 5);
      }
      checked++;
    }
    expect(checked).toBe(200);
  });

  it('has no solution where the missing p_T is too large for the W mass', () => {
    const muon: FourVector = [50, 50, 0, 0];
    // m_T(μ, ν) > m_W: no p_z puts the pair on shell
    expect(neutrinoPz(muon, -200, 0)).toEqual([]);
  });
});

describe('the t t̄ generator and detector', () => {
  it('puts m_b1μν and m_b2j1j2 at the top mass at generator level, follows M_t at simulation level, and selects a quarter of the events', () => {
    const random = createRandom(3);
    const median = (a: Float64Array, column: number) => {
      const v = Array.from({ length: a.length / 4 }, (_, i) => a[4 * i + column]).filter((x) => x > 0).sort((x, y) => x - y);
      return v[v.length >> 1];
    };
    const low = generateTopPairs(170, 20_000, random);
    const high = generateTopPairs(180, 20_000, random);
    for (const [sample, mt] of [[low, 170], [high, 180]] as const) {
      // the right pairing is the more common one: the medians of the pairings that are right then sit at M_t
      expect(Math.abs(median(sample.generator, 0) - mt)).toBeLessThan(0.5);
      expect(Math.abs(median(sample.generator, 3) - mt)).toBeLessThan(0.5);
      // the wrong pairings spread far above
      expect(median(sample.generator, 1)).toBeGreaterThan(mt + 15);
      expect(sample.accepted.length / sample.count).toBeGreaterThan(0.15);
      expect(sample.accepted.length / sample.count).toBeLessThan(0.4);
      expect(sample.simulation.length).toBe(4 * sample.accepted.length);
    }
    // at simulation level the resolution blurs and shifts the peak, but it still moves with M_t
    const shift = median(high.simulation, 0) - median(low.simulation, 0);
    expect(shift).toBeGreaterThan(6);
    expect(shift).toBeLessThan(12);
  });
});
