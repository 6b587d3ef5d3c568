import { describe, expect, it } from 'vitest';
import { minimize, type Objective } from '../../../models/numeric/minimize.js';

// Rosenbrock: f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1)
const rosenbrock: Objective = (p, g, H) => {
  const [x, y] = p;
  if (g) {
    g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    g[1] = 200 * (y - x * x);
  }
  if (H) {
    H[0] = 2 - 400 * (y - 3 * x * x);
    H[1] = H[2] = -400 * x;
    H[3] = 200;
  }
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('bounded damped Newton', () => {
  it('finds the Rosenbrock minimum from a hard start and reports convergence', () => {
    const r = minimize(rosenbrock, [-1.2, 1], { lower: [-5, -5], upper: [5, 5] });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.edm).toBeLessThan(1e-10);
  });

  it('stops at an active bound with the gradient pointing outward', () => {
    const r = minimize(rosenbrock, [0, 0], { lower: [-5, -5], upper: [0.5, 5] });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBe(0.5);
    expect(r.x[1]).toBeCloseTo(0.25, 6);
  });

  it('holds fixed parameters and says when it did not converge', () => {
    const fixed = minimize(rosenbrock, [0.3, 2], { lower: [-5, -5], upper: [5, 5], fixed: [true, false] });
    expect(fixed.x[0]).toBe(0.3);
    expect(fixed.x[1]).toBeCloseTo(0.09, 8);
    const short = minimize(rosenbrock, [-1.2, 1], { lower: [-5, -5], upper: [5, 5], maxIterations: 2 });
    expect(short.converged).toBe(false);
    expect(short.message).toMatch(/no convergence/);
  });

  it('leaves a saddle along negative curvature', () => {
    // f = x⁴ − x² + y²: saddle at 0 with zero gradient, minima at x = ±1/√2
    const f: Objective = (p, g, H) => {
      const [x, y] = p;
      if (g) {
        g[0] = 4 * x ** 3 - 2 * x;
        g[1] = 2 * y;
      }
      if (H) {
        H[0] = 12 * x * x - 2;
        H[3] = 2;
      }
      return x ** 4 - x * x + y * y;
    };
    const r = minimize(f, [0, 0], { lower: [-2, -2], upper: [2, 2] });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0])).toBeCloseTo(Math.SQRT1_2, 6);
  });
});
