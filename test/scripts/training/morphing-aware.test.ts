import { describe, expect, it } from 'vitest';
import { evaluateMonomials, monomialBasis, polynomialValue } from '../../../models/basis/monomial-basis.js';
import { evaluateEnsemble } from '../../../models/network/frozen-network.js';
import { toyLogRatio } from '../../../models/toys/two-gaussian.js';
import { twoGaussianSimulator } from '../../../scripts/simulators/two-gaussian.js';
import { parityCheck } from '../../../scripts/training/freeze.js';
import * as tf from '@tensorflow/tfjs';
import { aliceTrainingRows, crossSectionRatioFromSample, squaredRatioLoss, trainMorphingAware } from '../../../scripts/training/morphing-aware.js';

const basis = monomialBasis(1, 2);

describe('morphing-aware training data (seed 003 eq. 11, 25)', () => {
  it('eq. 55 per row: (r − r̂)² at θ0 and (1/r − 1/r̂)² at θ_i, zero where r̂ = r, for the output y = ln r̂', () => {
    const ratios = Float64Array.of(0.5, 2, 30, 0.5, 2, 30);
    const loss = squaredRatioLoss({ ratios, count: 6 }, 3);
    expect(Array.from(loss.auxiliary.filter((_, i) => i % 2 === 0))).toEqual([0, 0, 0, 1, 1, 1]);
    const aux = tf.tensor2d(loss.auxiliary, [6, 2]);
    const exact = loss.apply(tf.tensor2d(Array.from(ratios, Math.log), [6, 1]), tf.zeros([6, 1]), aux).arraySync() as number[];
    for (const v of exact) expect(Math.abs(v)).toBeLessThan(1e-9);
    const off = Array.from(ratios, (r) => 1.1 * r); // r̂ 10% high
    const values = loss.apply(tf.tensor2d(off.map(Math.log), [6, 1]), tf.zeros([6, 1]), aux).arraySync() as number[];
    ratios.forEach((r, i) => {
      const expected = i < 3 ? (0.1 * r) ** 2 : (1 / r - 1 / (1.1 * r)) ** 2;
      expect(values[i]).toBeCloseTo(expected, 4 - Math.max(0, Math.round(Math.log10(expected))));
    });
  });

  it('estimates σ(θ)/σ0 = 1 + θ² of the toy from the events drawn at θ, through E_θ[1/R] = σ0/σ(θ)', () => {
    const sim = twoGaussianSimulator({ alpha: 3 });
    for (const theta of [-1, 0.5, 2]) {
      const sample = sim.simulate({ events: 20_000, theta, seed: 11 });
      const s = crossSectionRatioFromSample(sample, evaluateMonomials(basis, [theta]));
      // statistical error ≈ (1 + θ²)² sd(1/R)/√n ≤ 0.04 at θ = 2: 4σ
      expect(Math.abs(s - (1 + theta * theta))).toBeLessThan(0.04 * (1 + theta * theta) ** 2 / 4);
    }
  });

  it("gives ALICE's soft labels r/(1 + r) of the joint ratio on the mixture, each sample with the same total weight", () => {
    const sim = twoGaussianSimulator({ alpha: 3 });
    const reference = sim.simulate({ events: 300, seed: 1 });
    const benchmark = sim.simulate({ events: 500, theta: 1, seed: 2 });
    const rows = aliceTrainingRows(reference, benchmark, evaluateMonomials(basis, [1]), 2, 1);
    expect(rows.count).toBe(800);
    let w0 = 0;
    let w1 = 0;
    for (let i = 0; i < 800; i++) (i < 300 ? (w0 += rows.weights[i]) : (w1 += rows.weights[i]));
    expect(w0).toBeCloseTo(1, 12);
    expect(w1).toBeCloseTo(1, 12);
    for (let i = 0; i < 800; i++) {
      const sample = i < 300 ? reference : benchmark;
      const e = i < 300 ? i : i - 300;
      const r = (1 + sample.coefficients[e * 3 + 2]) / 2;
      expect(rows.labels[i]).toBeCloseTo(r / (1 + r), 6);
      expect(rows.x[i]).toBe(sample.reco[e]);
    }
  });
});

describe('morphing-aware training end to end', () => {
  it('learns r_i(x) at each benchmark, freezes them into ĉ = W⁻¹ diag(σ_i/σ0) r̂ that reproduces tfjs, and the morphed ln r̂(x|θ) follows the exact toy between the benchmarks', async () => {
    const sim = twoGaussianSimulator({ alpha: 1.5 });
    const result = await trainMorphingAware(sim, { eventsPerBenchmark: 12_000, members: 2, hidden: [24, 24], epochs: 8, batchSize: 500, learningRate: 3e-3, finalLearningRate: 5e-4, seed: 3 });
    try {
      expect(result.frozen.head).toMatchObject({ kind: 'morphing', benchmarks: [[0], [-1], [1]] });
      expect(result.frozen.members).toHaveLength(2);
      result.crossSectionRatios.slice(1).forEach((s) => expect(Math.abs(s - 2)).toBeLessThan(0.05));
      const held = sim.simulate({ events: 2000, seed: 9 });
      const parity = parityCheck({ inputs: 1, coefficients: 3, predict: result.predict }, result.frozen, held.reco, held.count);
      expect(parity.maxRelativeDifference).toBeLessThan(1e-5);

      // the morphed ratio against the exact one, in the bulk (|x| ≤ 2.5) and at θ between and beyond the benchmarks
      const xs = Float64Array.from({ length: 21 }, (_, k) => -2.5 + k * 0.25);
      const c = evaluateEnsemble(result.frozen, xs, xs.length).mean;
      // common random numbers: the toy depends on θ² only, so the θ = ±1 samples are the same events, the two
      // ensembles the same networks, and the morphed linear coefficient vanishes
      expect(result.crossSectionRatios[1]).toBe(result.crossSectionRatios[2]);
      // … so the θ = 1 ensemble is the θ = −1 one, taken instead of trained again
      expect(result.configuration.reusedEnsembles).toEqual({ 2: 1 });
      expect(result.configuration.trainingEvents).toBe(24_000);
      for (let k = 0; k < xs.length; k++) expect(Math.abs(c[k * 3 + 1])).toBeLessThan(1e-12 * c[k * 3 + 2] + 1e-15);
      let worst = 0;
      for (const theta of [0.3, 0.6, -0.8, 1.5]) {
        const m = evaluateMonomials(basis, [theta]);
        for (let k = 0; k < xs.length; k++) {
          const learned = Math.log(polynomialValue(c, m, k * 3)) - Math.log1p(theta * theta);
          const d = Math.abs(learned - toyLogRatio(sim.toy, xs[k], theta));
          worst = Math.max(worst, d);
        }
      }
      // 24 000 rows per classifier, 8 epochs: a loose bound that an untrained network (ĉ₂ ≈ 1) misses by far
      expect(worst).toBeLessThan(0.25);
    } finally {
      result.dispose();
    }
  }, 120_000);
});
