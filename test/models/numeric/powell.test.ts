import { describe, expect, it } from 'vitest';
import { powell } from '../../../models/numeric/powell.js';

describe('Powell minimisation in a box (seed 004 fig. 5)', () => {
  it('finds the minimum of a rotated, badly scaled quadratic: the conjugate directions, not just the axes', () => {
    // the doc comment's example: minimum at (1, −1), a valley along x + y = 0
    const f = (x: Float64Array) => (x[0] - 1) ** 2 + 10 * (x[1] + x[0]) ** 2;
    const r = powell(f, [0, 0], { lower: [-2, -2], upper: [2, 2], xtol: 1e-8, ftol: 1e-12 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(-1, 5);
    expect(r.value).toBeLessThan(1e-10);
  });

  it('walks the curved valley of Rosenbrock’s function to (1, 1)', () => {
    const f = (x: Float64Array) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    const r = powell(f, [-1.2, 1], { lower: [-2, -2], upper: [2, 2], xtol: 1e-10, ftol: 1e-14, maxIterations: 500 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });

  it('stops on the edge of the box where the minimum lies outside it, and never evaluates outside', () => {
    const seen: number[][] = [];
    const f = (x: Float64Array) => {
      seen.push(Array.from(x));
      return (x[0] - 3) ** 2 + (x[1] - 0.5) ** 2 + x[0] * x[1];
    };
    // unconstrained minimum at (11/3, −4/3); in [−2, 2]² the minimum is at x = 2, y = 0.5 − 1 = −0.5
    const r = powell(f, [0, 0], { lower: [-2, -2], upper: [2, 2], xtol: 1e-9, ftol: 1e-12 });
    expect(r.x[0]).toBeCloseTo(2, 6);
    expect(r.x[1]).toBeCloseTo(-0.5, 5);
    for (const [a, b] of seen) {
      expect(Math.abs(a)).toBeLessThanOrEqual(2);
      expect(Math.abs(b)).toBeLessThanOrEqual(2);
    }
  });

  it('minimises in one dimension with the tolerances of the seed (1e-4) to that precision', () => {
    const r = powell((x) => Math.cosh(x[0] - 0.3), [1.5], { lower: [-2], upper: [2] });
    expect(r.converged).toBe(true);
    // the line search's tolerance: 1e-4 of the box's extent, 4
    expect(Math.abs(r.x[0] - 0.3)).toBeLessThan(4e-4);
    expect(r.evaluations).toBeLessThan(60);
  });

  it('stops at maxEvaluations on an objective that never lets it converge, and says so', () => {
    let k = 0;
    // a quadratic that drifts down with every call: each iteration lowers f by more than ftol, for ever
    const f = (x: Float64Array) => (x[0] - 0.5) ** 2 + (x[1] + 0.5) ** 2 - 1e-3 * ++k;
    const r = powell(f, [0, 0], { lower: [-2, -2], upper: [2, 2], ftol: 1e-12, maxEvaluations: 150 });
    expect(r.converged).toBe(false);
    // the cap is checked between line searches: at most one line search (≤ 100 Brent steps) beyond it
    expect(r.evaluations).toBeGreaterThanOrEqual(150);
    expect(r.evaluations).toBeLessThan(150 + 101);
    expect(Math.hypot(r.x[0] - 0.5, r.x[1] + 0.5)).toBeLessThan(0.3);
  });

  it('refuses a start outside the box or an empty box', () => {
    expect(() => powell((x) => x[0], [3], { lower: [-2], upper: [2] })).toThrow(/outside/);
    expect(() => powell((x) => x[0], [0], { lower: [1], upper: [1] })).toThrow(/empty box/);
  });
});
