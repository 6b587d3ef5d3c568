import { describe, expect, it } from 'vitest';
import { parseFrozenNetwork } from '../../../models/network/frozen-network.js';
import { densityAt } from '../../../models/service/density.js';

/** A linear network f = w · inputs + b (no hidden layer). */
const linear = (w: number[], b: number) =>
  parseFrozenNetwork({
    format: 'frozen-mlp/1',
    inputs: w.length,
    outputs: 1,
    inputScaling: { mean: new Float32Array(w.length), std: new Float32Array(w.length).fill(1) },
    head: { kind: 'identity' },
    members: [{ layers: [{ inputs: w.length, outputs: 1, kernel: Float32Array.from(w), bias: Float32Array.of(b), activation: 'linear' }] }],
  });

describe('a published density at points (POST …/density)', () => {
  it('the module example: f = −(ln x1 + ln x2) in log coordinates is 1/(x1 x2)² per unit x1 x2', () => {
    const values = densityAt(linear([-1, -1], 0), 'log', 2, Float64Array.of(0.1, 0.5, 2, 3), 2);
    expect(values[0]).toBeCloseTo(1 / (0.05 * 0.05), 6);
    expect(values[1] / (1 / 36)).toBeCloseTo(1, 6);
  });

  it('log coordinates with a parameter: e^{a Σ ln x + c θ + b} / Π x; linear coordinates: e^f itself', () => {
    const [a, c, b] = [0.5, 0.25, -1];
    const row = [0.01, 0.02, 0.04, 172.5];
    const [logValue] = densityAt(linear([a, a, a, c], b), 'log', 3, Float64Array.from(row), 1);
    const expected = Math.exp(a * (Math.log(0.01) + Math.log(0.02) + Math.log(0.04)) + c * 172.5 + b) / (0.01 * 0.02 * 0.04);
    expect(logValue / expected).toBeCloseTo(1, 5);
    const [linearValue] = densityAt(linear([a, a, a, c], b), 'linear', 3, Float64Array.from(row), 1);
    expect(linearValue / Math.exp(a * (0.01 + 0.02 + 0.04) + c * 172.5 + b)).toBeCloseTo(1, 5);
  });
});
