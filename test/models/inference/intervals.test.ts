import { describe, expect, it } from 'vitest';
import { monomialBasis } from '../../../models/basis/monomial-basis.js';
import { chiSquaredThreshold } from '../../../models/numeric/distributions.js';
import { profileContour } from '../../../models/inference/intervals/contour.js';
import { profileInterval, thresholdWindow } from '../../../models/inference/intervals/profile.js';
import { maximumLikelihood } from '../../../models/inference/mle.js';
import { createLikelihood } from '../../../models/likelihood/likelihood.js';
import { createRandom } from '../../../models/random.js';
import { createUnbinnedPolynomialTerm } from '../../../models/terms/unbinned-polynomial.js';
import { normalDensity, toyExtendedNll, twoGaussianToy } from '../../../models/toys/two-gaussian.js';
import { eventData, exactToyCoefficients, interest, toyEvents, toyLikelihood } from '../../helpers/toy-likelihood.js';

const toy = twoGaussianToy(1.5, 0.7);
const sigma0 = 10;
const L = 100;

/** Brute force: the closed-form NLL on a fine grid; minimum and threshold crossings by linear interpolation. */
function bruteForce(nll: (t: number) => number, lo: number, hi: number, steps: number, thresholds: number[]) {
  const xs = Float64Array.from({ length: steps + 1 }, (_, k) => lo + ((hi - lo) * k) / steps);
  const ys = xs.map(nll);
  let k0 = 0;
  for (let k = 1; k < ys.length; k++) if (ys[k] < ys[k0]) k0 = k;
  // refine the minimum with a parabola through the three grid points around it
  const [a, b, c] = [ys[k0 - 1], ys[k0], ys[k0 + 1]];
  const h = xs[1] - xs[0];
  const best = xs[k0] + (h * (a - c)) / (2 * (a - 2 * b + c));
  const min = Math.min(nll(best), b);
  const crossings = thresholds.map((t) => {
    const out: number[] = [];
    for (let k = 1; k < ys.length; k++) {
      const qa = 2 * (ys[k - 1] - min) - t;
      const qb = 2 * (ys[k] - min) - t;
      if (qa * qb < 0) out.push(xs[k - 1] + (h * qa) / (qa - qb));
    }
    return out;
  });
  return { best, min, crossings };
}

describe('MLE and profile intervals on the exact two-Gaussian toy', () => {
  const events = toyEvents(toy, 0.55, 1000, 21);
  const likelihood = toyLikelihood(sigma0, L);
  const data = eventData(exactToyCoefficients(toy, events), events.length, L);
  const closed = (theta: number) => toyExtendedNll(toy, events, theta, L, sigma0);
  const cls = [0.68, 0.95];
  const truth = bruteForce(closed, -2, 2, 400_000, cls.map((cl) => chiSquaredThreshold(cl, 1)));

  it('the MLE equals the brute-force minimum to 1e-4 and says it converged', () => {
    const fit = maximumLikelihood(likelihood, data);
    expect(fit.converged).toBe(true);
    // the likelihood depends on θ² only: both signs are minima
    expect(Math.abs(Math.abs(fit.parameters[0]) - Math.abs(truth.best))).toBeLessThan(1e-4);
    expect(fit.nll).toBeCloseTo(truth.min, 8);
    expect(fit.uncertainties[0]).toBeGreaterThan(0);
  });

  it('68% and 95% intervals equal the brute-force scan to 1e-4, disjoint as the truth is', () => {
    const result = profileInterval(likelihood, data, 'theta', cls);
    expect(result.converged).toBe(true);
    result.intervals.forEach((interval, k) => {
      const ends = interval.segments.flatMap((s) => [s.lower, s.upper]);
      expect(ends.length).toBe(truth.crossings[k].length);
      ends.forEach((e, j) => expect(Math.abs(e - truth.crossings[k][j])).toBeLessThan(1e-4));
      interval.segments.forEach((s) => expect(s.lowerOpen || s.upperOpen).toBe(false));
    });
    // at 68% the sign is resolved into two disjoint segments, symmetric about 0
    expect(result.intervals[0].segments.length).toBe(2);
    const [left, right] = result.intervals[0].segments;
    expect(left.upper).toBeCloseTo(-right.lower, 5);
    // the scan includes the best fit with q = 0
    expect(Math.min(...result.scan.map((p) => p.q))).toBeCloseTo(0, 9);
  });

  it('without a range, keeps the whole range\'s grid and refines a window around θ̂ and around the mirror minimum the fit\'s other start found', () => {
    const result = profileInterval(likelihood, data, 'theta', cls);
    const values = result.scan.map((p) => p.value);
    for (let k = 0; k <= 60; k++) expect(values).toContain(-2 + (4 * k) / 60);
    const best = result.best;
    // the whole range's grid alone puts 6 points within 0.2 of a point; each window adds its own 61
    const near = values.filter((v) => Math.abs(v - best) < 0.2).length;
    const mirror = values.filter((v) => Math.abs(v + best) < 0.2).length;
    expect(near).toBeGreaterThan(40);
    expect(mirror).toBeGreaterThan(40);
  });

  it('marks a segment that reaches the end of the scanned range as open', () => {
    const result = profileInterval(likelihood, data, 'theta', [0.95], { range: [0, 0.4] });
    const last = result.intervals[0].segments.at(-1)!;
    expect(last.upperOpen).toBe(true);
    expect(last.upper).toBe(0.4);
  });
});

describe('2-D profile contours on a two-parameter exact toy', () => {
  // p(x|a, b) ∝ N(x; 0, σ_a) + a² N(x; 1.5, σ_b) + b² N(x; −1, σ_b): R = 1 + a² k_b(x) + b² k_c(x), σ ∝ 1 + a² + b².
  const kB = (x: number) => normalDensity(x, 1.5, toy.sigmaB) / normalDensity(x, 0, toy.sigmaA);
  const kC = (x: number) => normalDensity(x, -1, toy.sigmaB) / normalDensity(x, 0, toy.sigmaA);
  const random = createRandom(31);
  const [a0, b0] = [0.5, 0.4];
  const events: number[] = [];
  const n = random.poisson(L * sigma0 * (1 + a0 * a0 + b0 * b0));
  for (let i = 0; i < n; i++) {
    const u = random.uniform() * (1 + a0 * a0 + b0 * b0);
    const z = u < 1 ? random.normal() : u < 1 + a0 * a0 ? 1.5 + 0.1 * random.normal() : -1 + 0.1 * random.normal();
    events.push(z + 0.7 * random.normal());
  }
  const coefficients = new Float64Array(n * 6);
  events.forEach((x, i) => {
    coefficients[i * 6] = 1;
    coefficients[i * 6 + 3] = kB(x);
    coefficients[i * 6 + 5] = kC(x);
  });
  const params = [interest('a', [0, 1]), interest('b', [0, 1])];
  const term = createUnbinnedPolynomialTerm({ name: 'toy', parameters: params, degree: 2, basis: monomialBasis(2, 2), sigma0, crossSection: [Float64Array.of(1, 0, 0, 1, 0, 1)] });
  const likelihood = createLikelihood(params, [term], L);
  const data = eventData(coefficients, n, L);
  const closed = (a: number, b: number) => {
    let s = L * sigma0 * (1 + a * a + b * b);
    for (const x of events) s -= Math.log(1 + a * a * kB(x) + b * b * kC(x));
    return s;
  };

  it.each([
    ['scan', { points: 61 }],
    ['roots', {}],
  ] as const)('contour vertices lie on the closed-form q = χ²₂ threshold, and the best fit inside (%s)', (method, options) => {
    const result = profileContour(likelihood, data, ['a', 'b'], [0.6827, 0.95], { method, ...options });
    expect(result.converged).toBe(true);
    const min = closed(result.best[0], result.best[1]);
    expect(result.nllMin).toBeCloseTo(min, 8);
    for (const level of result.contours) {
      expect(level.polygons.length).toBeGreaterThan(0);
      let vertices = 0;
      for (const polygon of level.polygons) {
        for (const [x, y] of polygon[0]) {
          // vertices on the edge of the range are where the scan stops, not on the contour
          if (x <= 1e-9 || x >= 1 - 1e-9 || y <= 1e-9 || y >= 1 - 1e-9) continue;
          const q = 2 * (closed(x, y) - min);
          // each vertex is refined onto the profiled contour by root finding
          expect(Math.abs(q - level.threshold)).toBeLessThan(1e-6);
          vertices++;
        }
      }
      expect(vertices).toBeGreaterThan(20);
    }
    // the 68% region lies inside the 95% region, both around the truth
    expect(result.best[0]).toBeGreaterThan(0.3);
    expect(result.best[1]).toBeGreaterThan(0.2);
  });

  it('by rays, the regions have the grid\'s area to 1% from a third of its fits', () => {
    const area = (ring: readonly (readonly number[])[]) => {
      let sum = 0;
      for (let k = 0; k + 1 < ring.length; k++) sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
      return Math.abs(sum) / 2;
    };
    const grid = profileContour(likelihood, data, ['a', 'b'], [0.6827, 0.95], { points: 61 });
    const rays = profileContour(likelihood, data, ['a', 'b'], [0.6827, 0.95], { method: 'roots' });
    expect(rays.notes).toEqual(grid.notes);
    grid.contours.forEach((level, k) => {
      const [a, b] = [level, rays.contours[k]].map((l) => l.polygons.reduce((sum, polygon) => sum + area(polygon[0]), 0));
      expect(Math.abs(b / a - 1)).toBeLessThan(0.01);
    });
  });
});

describe('scan windows at the likelihood\'s own scale', () => {
  const parabola = (best: number, sigma: number) => (x: number) => ((x - best) / sigma) ** 2;
  const quartic = (x: number) => (x / 0.01) ** 4; // a coupling whose effect starts at second order: the Hessian at 0 vanishes

  it('contains the crossing of the threshold and is at most three times as wide, whatever σ̂ says', () => {
    const t = 3.84;
    for (const [q, crossing, sigmaHat] of [
      [parabola(0.2, 0.003), 0.003 * Math.sqrt(t), 0.003],
      [parabola(0.2, 0.003), 0.003 * Math.sqrt(t), 0.1], // σ̂ 30 times too large
      [parabola(0.2, 0.003), 0.003 * Math.sqrt(t), 1e-6], // and far too small
      [parabola(0.2, 0.003), 0.003 * Math.sqrt(t), NaN], // none: a hundredth of the range
    ] as const) {
      const window = thresholdWindow(q, 0.2, sigmaHat, [-2, 2], t)!;
      for (const side of [-1, 1]) {
        const reach = Math.abs((side < 0 ? window[0] : window[1]) - 0.2);
        expect(reach).toBeGreaterThan(crossing);
        expect(reach).toBeLessThan(3 * crossing);
      }
    }
    const window = thresholdWindow(quartic, 0, NaN, [-2, 2], t)!;
    const crossing = 0.01 * t ** 0.25;
    expect(window[1]).toBeGreaterThan(crossing);
    expect(window[1]).toBeLessThan(3 * crossing);
  });

  it('stops at the allowed range, and gives none where the range is about as fine', () => {
    expect(thresholdWindow(parabola(0, 0.003), 0, 0.003, [0, 2], 3.84)![0]).toBe(0);
    expect(thresholdWindow(parabola(0, 0.5), 0, 0.5, [-2, 2], 3.84)).toBeNull();
    // a point excluded outright (q = +∞) is beyond any threshold
    const excluded = (x: number) => (x < 0.1 ? Infinity : parabola(0.5, 0.01)(x));
    const window = thresholdWindow(excluded, 0.5, 0.5, [0, 3.5], 3.84)!;
    expect(window[0]).toBeGreaterThan(0.1);
    expect(window[0]).toBeLessThan(0.5 - 0.01 * Math.sqrt(3.84));
  });
});
