/**
 * Root finding on a bracket: Brent's method (R. P. Brent, "Algorithms for Minimization without
 * Derivatives", 1973, ch. 4, procedure "zero"), which inverse-quadratic or secant steps make
 * fast and bisection keeps safe. Interval ends, contour vertices and CLs limits are its roots.
 */

/** The root is not bracketed: f(a) and f(b) have the same sign (a defect of the caller, never of the client). */
export class NotBracketedError extends Error {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super(`brent: the root is not bracketed by [${a}, ${b}]`);
    this.name = 'NotBracketedError';
  }
}

/**
 * A root of f on [a, b], where f(a) = fa and f(b) = fb have opposite signs, to `tolerance`;
 * brent(x => x * x - 2, 0, 2, -2, 2, 1e-12) ≈ √2. An end where f is infinite (a point the data
 * exclude outright, q = +∞) is first moved in by bisection until f is finite there: Brent's
 * interpolation needs finite values, and the sign alone still brackets the root.
 */
export function brent(f: (x: number) => number, a: number, b: number, fa: number, fb: number, tolerance: number, maxIterations = 100): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (!(fa * fb < 0)) throw new NotBracketedError(a, b);
  while (!(Number.isFinite(fa) && Number.isFinite(fb))) {
    if (Math.abs(b - a) <= tolerance) return Number.isFinite(fa) ? a : b;
    const m = 0.5 * (a + b);
    const fm = f(m);
    if (fm === 0) return m;
    if (Number.isNaN(fm)) throw new RangeError(`brent: f(${m}) is NaN`);
    if (fm * fa > 0) [a, fa] = [m, fm];
    else [b, fb] = [m, fm];
  }
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let i = 0; i < maxIterations; i++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}
