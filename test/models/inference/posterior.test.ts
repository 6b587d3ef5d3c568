import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../models/numeric/distributions.js';
import { brent } from '../../../models/numeric/root-finding.js';
import { hpdCredibility, hpdRegion, posteriorMode, posteriorOnGrid, ratioPosterior, trapezoid } from '../../../models/inference/posterior.js';
import { parseFrozenNetwork } from '../../../models/network/frozen-network.js';

const grid = Float64Array.from({ length: 4001 }, (_, i) => 170 + i / 400);
const gaussianLog = (mu: number, sigma: number) => (m: number) => -0.5 * ((m - mu) / sigma) ** 2 - Math.log(sigma);

describe('a posterior on a grid and its HPD regions (seed 002)', () => {
  it('the module example: N(172.5, 0.3²) gives [172.2, 172.8] at 68.27%', () => {
    const g = Float64Array.from({ length: 2001 }, (_, i) => 170 + i / 200);
    const p = posteriorOnGrid(g, Float64Array.from(g, (m) => -0.5 * ((m - 172.5) / 0.3) ** 2));
    const { intervals } = hpdRegion(g, p, 0.6827);
    expect(intervals).toHaveLength(1);
    expect(intervals[0][0]).toBeCloseTo(172.2, 3);
    expect(intervals[0][1]).toBeCloseTo(172.8, 3);
  });

  it('normalises any log density to unit mass and finds a mode between grid points', () => {
    const p = posteriorOnGrid(grid, Float64Array.from(grid, (m) => 1000 + gaussianLog(173.1234, 0.7)(m)));
    expect(trapezoid(grid, p)).toBeCloseTo(1, 12);
    expect(posteriorMode(grid, p)).toBeCloseTo(173.1234, 6);
  });

  it('a Gaussian: the HPD regions at 68.27% and 95.45% are μ ± zσ, z from the normal CDF with the grid’s truncation, also off the grid’s centre', () => {
    for (const [mu, sigma] of [[172.5, 0.3], [176.8, 0.9]]) {
      const p = posteriorOnGrid(grid, Float64Array.from(grid, gaussianLog(mu, sigma)));
      // the prior is [170, 180]: the posterior is the normal truncated there (at 176.8 ± 0.9 it loses 2·10⁻⁴ beyond 180)
      const inside = normalCdf((180 - mu) / sigma) - normalCdf((170 - mu) / sigma);
      for (const level of [2 * normalCdf(1) - 1, 2 * normalCdf(2) - 1]) {
        const equation = (z: number) => 2 * normalCdf(z) - 1 - level * inside;
        const z = brent(equation, 0.1, 3, equation(0.1), equation(3), 1e-12);
        const region = hpdRegion(grid, p, level);
        expect(region.intervals).toHaveLength(1);
        expect(region.intervals[0][0]).toBeCloseTo(mu - z * sigma, 4);
        expect(region.intervals[0][1]).toBeCloseTo(mu + z * sigma, 4);
        expect(region.mass).toBeCloseTo(level, 9);
      }
    }
  });

  it('a bimodal posterior: two disjoint intervals, each where w_i φ_i ≥ k, with k solved independently from the normal CDF', () => {
    const [w1, m1, s1, w2, m2, s2] = [0.35, 171.5, 0.4, 0.65, 177, 0.6];
    const density = (m: number) => (w1 * Math.exp(-0.5 * ((m - m1) / s1) ** 2)) / (s1 * Math.sqrt(2 * Math.PI)) + (w2 * Math.exp(-0.5 * ((m - m2) / s2) ** 2)) / (s2 * Math.sqrt(2 * Math.PI));
    const p = posteriorOnGrid(grid, Float64Array.from(grid, (m) => Math.log(density(m))));
    const level = 0.8;
    // the modes are ≥ 9 σ apart: {p ≥ k} is m_i ± z_i(k) σ_i with w_i φ(z_i)/σ_i = k, mass Σ w_i (2Φ(z_i) − 1)
    const halfWidth = (w: number, s: number, k: number) => Math.sqrt(Math.max(0, -2 * Math.log((k * s * Math.sqrt(2 * Math.PI)) / w)));
    const massAt = (k: number) => w1 * (2 * normalCdf(halfWidth(w1, s1, k)) - 1) + w2 * (2 * normalCdf(halfWidth(w2, s2, k)) - 1) - level;
    const kHigh = Math.min(w1 / s1, w2 / s2) / Math.sqrt(2 * Math.PI);
    const k = brent(massAt, 1e-6, kHigh, massAt(1e-6), massAt(kHigh), 1e-14);
    const region = hpdRegion(grid, p, level);
    expect(region.intervals).toHaveLength(2);
    const z1 = halfWidth(w1, s1, k);
    const z2 = halfWidth(w2, s2, k);
    expect(region.intervals[0][0]).toBeCloseTo(m1 - z1 * s1, 3);
    expect(region.intervals[0][1]).toBeCloseTo(m1 + z1 * s1, 3);
    expect(region.intervals[1][0]).toBeCloseTo(m2 - z2 * s2, 3);
    expect(region.intervals[1][1]).toBeCloseTo(m2 + z2 * s2, 3);
    expect(region.threshold).toBeCloseTo(k, 4);
    // at a low credibility only the taller mode is left
    expect(hpdRegion(grid, p, 0.2).intervals).toHaveLength(1);
  });

  it('a region that reaches the grid’s end stays open there; bad input is refused', () => {
    const p = posteriorOnGrid(grid, Float64Array.from(grid, (m) => -0.5 * (m - 170)));
    const [[from, to]] = hpdRegion(grid, p, 0.5).intervals;
    expect(from).toBe(170);
    expect(to).toBeGreaterThan(170);
    expect(() => hpdRegion(grid, p, 1)).toThrow(/credibility/);
    expect(() => posteriorOnGrid(Float64Array.of(1, 1), Float64Array.of(0, 0))).toThrow(/increase/);
    expect(() => posteriorOnGrid(Float64Array.of(1, 2), Float64Array.of(NaN, 0))).toThrow(/log density/);
    expect(() => posteriorOnGrid(Float64Array.of(1, 2), Float64Array.of(-Infinity, -Infinity))).toThrow(/zero everywhere/);
  });
});

describe('expected coverage and the ratio posterior', () => {
  it('hpdCredibility: a Gaussian’s mode enters at 0, μ ± σ at 68.27%, μ − 2σ at 95.45%', () => {
    const p = posteriorOnGrid(grid, Float64Array.from(grid, gaussianLog(174, 0.5)));
    expect(hpdCredibility(grid, p, 174)).toBeCloseTo(0, 4);
    expect(hpdCredibility(grid, p, 174.5)).toBeCloseTo(2 * normalCdf(1) - 1, 4);
    expect(hpdCredibility(grid, p, 173)).toBeCloseTo(2 * normalCdf(2) - 1, 4);
    expect(() => hpdCredibility(grid, p, 181)).toThrow(/outside the grid/);
  });

  it('ratioPosterior: a network whose ln r is linear in θ, c θ + d·x, gives the truncated exponential c e^{cθ}/(e^{cb} − e^{ca}) whatever x', () => {
    const c = 0.4;
    const network = parseFrozenNetwork({
      format: 'frozen-mlp/1',
      inputs: 3,
      outputs: 1,
      inputScaling: { mean: new Float32Array(3), std: Float32Array.of(1, 1, 1) },
      head: { kind: 'identity' },
      members: [{ layers: [{ inputs: 3, outputs: 1, kernel: Float32Array.of(0.7, -1.5, c), bias: Float32Array.of(2), activation: 'linear' }] }],
    });
    const g = Float64Array.from({ length: 1001 }, (_, i) => 170 + i / 100);
    const p = ratioPosterior(network, [0.3, 1.2], g);
    const norm = Math.exp(c * 180) - Math.exp(c * 170);
    for (const k of [0, 250, 1000]) expect(p[k] / ((c * Math.exp(c * g[k])) / norm)).toBeCloseTo(1, 4);
    expect(() => ratioPosterior(network, [0.3], g)).toThrow(/takes 2 summary values/);
  });
});
