import { describe, expect, it } from 'vitest';
import { brent, NotBracketedError } from '../../../models/numeric/root-finding.js';

describe("Brent's method", () => {
  it('finds √2 and refuses an unbracketed root', () => {
    expect(brent((x) => x * x - 2, 0, 2, -2, 2, 1e-12)).toBeCloseTo(Math.SQRT2, 11);
    expect(() => brent((x) => x * x + 1, 0, 2, 1, 5, 1e-12)).toThrow(NotBracketedError);
  });

  it('brackets by sign alone where one end is infinite (a point excluded outright), then converges', () => {
    // f = +∞ below 0.25 (the data exclude it), finite above, root at 0.5
    const f = (x: number) => (x < 0.25 ? Infinity : 0.5 - x);
    let calls = 0;
    const counted = (x: number) => (calls++, f(x));
    expect(brent(counted, 0, 1, Infinity, -0.5, 1e-10)).toBeCloseTo(0.5, 9);
    expect(calls).toBeLessThan(60);
    // and the root may be at the edge of the finite region: then the bisection finds the edge
    const g = (x: number) => (x < 0.3 ? Infinity : -1);
    expect(brent(g, 0, 1, Infinity, -1, 1e-10)).toBeCloseTo(0.3, 9);
  });
});
