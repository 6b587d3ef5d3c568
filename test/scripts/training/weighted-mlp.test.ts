import { describe, expect, it } from 'vitest';
import { evaluateEnsemble } from '../../../models/network/frozen-network.js';
import { createRandom } from '../../../models/random.js';
import { trainMlp } from '../../../scripts/training/weighted-mlp.js';

describe('weighted MLP freezing', () => {
  it('the frozen sigmoid classifier computes what tfjs computes, and has learned the Bayes posterior of two Gaussians', async () => {
    // class 1 ~ N(1, 1), class 0 ~ N(−1, 1), equal total weight: P(1|x) = sigmoid(2x)
    const rng = createRandom(5);
    const n = 4000;
    const x = new Float64Array(n * 2);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      x[i * 2] = (y[i] ? 1 : -1) + rng.normal();
      x[i * 2 + 1] = 100 + 10 * rng.normal(); // an uninformative input on another scale
    }
    const mlp = await trainMlp(x, n, 2, y, new Float64Array(n).fill(1), 'sigmoid', 1, { hidden: [8], epochs: 30, batchSize: 128, learningRate: 1e-2, seed: 1 });
    const frozen = mlp.freeze();
    expect(frozen.head.kind).toBe('sigmoid');
    const probe = Float64Array.of(-2, 100, -0.5, 90, 0, 110, 0.7, 100, 2, 95);
    const tf = mlp.predict(probe, 5);
    const runtime = evaluateEnsemble(frozen, probe, 5).mean;
    mlp.dispose();
    for (let i = 0; i < 5; i++) {
      expect(Math.abs(runtime[i] - tf[i])).toBeLessThan(1e-5);
      // a network of 8 units on 4000 events: within 0.05 of the exact posterior
      expect(Math.abs(runtime[i] - 1 / (1 + Math.exp(-2 * probe[i * 2])))).toBeLessThan(0.05);
    }
  });
});
