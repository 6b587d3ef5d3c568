import { describe, expect, it } from 'vitest';
import { evaluateMonomials, monomialBasis, polynomialValue } from '../../../models/basis/monomial-basis.js';
import { morphing, morphingWeights } from '../../../models/basis/morphing.js';
import { evaluateEnsemble } from '../../../models/network/frozen-network.js';
import { toyLogRatio } from '../../../models/toys/two-gaussian.js';
import { twoGaussianSimulator } from '../../../scripts/simulators/two-gaussian.js';
import { deriveSeed } from '../../../scripts/simulators/types.js';
import { parityCheck } from '../../../scripts/training/freeze.js';
import { trainMorphingAwareJoint } from '../../../scripts/training/morphing-aware-joint.js';
import { parametrisedTrainingRows, trainParametrisedClassifier } from '../../../scripts/training/parametrised-classifier.js';

const TOY_SIGMA = [1, 0, 1];

describe('CARL and ALICE training rows (seed 003 eq. 8, 11)', () => {
  const sim = twoGaussianSimulator({ alpha: 3 });
  for (const method of ['carl', 'alice'] as const) {
    it(`${method}: (x, θ) rows, θ0 events shown the θ of a draw, both classes of total weight 1, ${method === 'carl' ? 'hard labels' : 'soft labels r(z|θ)/(1 + r(z|θ)) from the joint ratio'}`, () => {
      const rows = parametrisedTrainingRows(sim, { method, events: 2000, thetaDraws: 20, crossSection: TOY_SIGMA, seed: 4 });
      expect(rows.count).toBe(4000);
      const total = [0, 0];
      const drawn = new Set(Array.from(rows.thetas));
      for (let i = 0; i < rows.count; i++) {
        const atTheta = i >= 2000; // the θ0 rows first
        total[atTheta ? 1 : 0] += rows.weights[i];
        const theta = rows.x[i * 2 + 1];
        expect(drawn.has(theta)).toBe(true);
        if (method === 'carl') expect(rows.labels[i]).toBe(atTheta ? 1 : 0);
      }
      expect(total[0]).toBeCloseTo(1, 12);
      expect(total[1]).toBeCloseTo(1, 12);
      // θ0 event e is shown the θ of draw ⌊e / 100⌋
      expect(rows.x[150 * 2 + 1]).toBe(rows.thetas[1]);
      if (method === 'alice') {
        for (let i = 0; i < rows.count; i++) {
          const s = rows.labels[i];
          expect(s).toBeGreaterThan(0);
          expect(s).toBeLessThan(1);
          // with c₂ ≥ 0, r = (1 + θ² c₂)/(1 + θ²) ≥ 1/(1 + θ²), so s = r/(1 + r) ≥ 1/(2 + θ²)
          const theta = rows.x[i * 2 + 1];
          expect(s).toBeGreaterThanOrEqual(1 / (2 + theta * theta) - 1e-6);
        }
      }
    });
  }

  it('ALICE labels equal r(z|θ)/(1 + r(z|θ)) of the exact joint coefficients, event by event', () => {
    const rows = parametrisedTrainingRows(sim, { method: 'alice', events: 400, thetaDraws: 4, crossSection: TOY_SIGMA, seed: 8 });
    // the θ rows of draw k are simulated with the stream 'theta-k', as the trainer does
    const basis = monomialBasis(1, 2);
    const draw0 = sim.simulate({ events: 100, theta: rows.thetas.subarray(0, 1), seed: deriveSeed(8, 'theta-0') });
    for (let e = 0; e < 100; e++) {
      const theta = rows.thetas[0];
      const r = polynomialValue(draw0.coefficients, evaluateMonomials(basis, [theta]), e * 3) / (1 + theta * theta);
      expect(rows.labels[400 + e]).toBeCloseTo(r / (1 + r), 6);
      expect(rows.x[(400 + e) * 2]).toBe(draw0.reco[e]);
    }
  });
});

describe('CARL and ALICE end to end', () => {
  it('ALICE learns ln r(x|θ, θ0) with θ as an input, freezes into an identity-head network that reproduces tfjs, and beats the zero estimator by far at θ between and beyond the prior’s bulk', async () => {
    const sim = twoGaussianSimulator({ alpha: 1.5 });
    const result = await trainParametrisedClassifier(sim, { method: 'alice', events: 20_000, thetaDraws: 200, crossSection: TOY_SIGMA, members: 2, hidden: [24, 24], epochs: 6, batchSize: 500, learningRate: 3e-3, seed: 5 });
    try {
      expect(result.frozen).toMatchObject({ inputs: 2, outputs: 1, head: { kind: 'identity' } });
      const held = parametrisedTrainingRows(sim, { method: 'alice', events: 1000, thetaDraws: 10, crossSection: TOY_SIGMA, seed: 6 });
      const parity = parityCheck({ inputs: 2, coefficients: 1, predict: result.predict }, result.frozen, held.x, held.count);
      expect(parity.maxRelativeDifference).toBeLessThan(1e-4);
      let learnedError = 0;
      let zeroError = 0;
      const xs = Array.from({ length: 21 }, (_, k) => -2.5 + 0.25 * k);
      for (const theta of [0.4, -0.9, 1.6]) {
        const rows = Float64Array.from(xs.flatMap((x) => [x, theta]));
        const lr = evaluateEnsemble(result.frozen, rows, xs.length).mean;
        xs.forEach((x, k) => {
          const truth = toyLogRatio(sim.toy, x, theta);
          learnedError += Math.abs(lr[k] - truth);
          zeroError += Math.abs(truth);
        });
      }
      expect(learnedError).toBeLessThan(0.25 * zeroError);
    } finally {
      result.dispose();
    }
  }, 120_000);

  it('MadMiner’s morphing-aware variant: the rows’ morphing factors combine exact benchmark ratios into the exact r(x|θ); training freezes into a morphing head that reproduces tfjs', async () => {
    const sim = twoGaussianSimulator({ alpha: 1.5 });
    // the factors a_i(θ) = w_i(θ) (σ_i/σ0) σ0/σ(θ), applied to the exact r_i(x), give the exact r(x|θ) (eq. 23-24)
    const m = morphing(1, 2, [[0], [-1], [1]]);
    for (const theta of [0.3, -1.7]) {
      const w = morphingWeights(m, [theta]);
      const sigma = [1, 2, 2];
      for (const x of [-1, 0.7, 2.4]) {
        const r = [1, Math.exp(toyLogRatio(sim.toy, x, -1)), Math.exp(toyLogRatio(sim.toy, x, 1))];
        const combined = r.reduce((s, ri, i) => s + (w[i] * sigma[i] * ri) / (1 + theta * theta), 0);
        expect(Math.log(combined)).toBeCloseTo(toyLogRatio(sim.toy, x, theta), 10);
      }
    }
    const result = await trainMorphingAwareJoint(sim, { events: 12_000, thetaDraws: 100, crossSection: TOY_SIGMA, members: 2, hidden: [16, 16], epochs: 3, batchSize: 500, seed: 7 });
    try {
      expect(result.frozen.head).toMatchObject({ kind: 'morphing', benchmarks: [[0], [-1], [1]], crossSectionRatios: [1, 2, 2] });
      const held = sim.simulate({ events: 1000, seed: 9 });
      const parity = parityCheck({ inputs: 1, coefficients: 3, predict: result.predict }, result.frozen, held.reco, held.count);
      expect(parity.maxRelativeDifference).toBeLessThan(1e-4);
    } finally {
      result.dispose();
    }
  }, 120_000);
});
