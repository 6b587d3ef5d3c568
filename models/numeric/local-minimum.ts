/**
 * A local minimum of a function of one variable on [a, b] without derivatives: Brent's method
 * (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 5, procedure
 * "localmin"), golden-section steps made fast by parabolic interpolation. Interval searches
 * use it to find how deep a second minimum of a profile q goes between two scan points.
 */

const GOLDEN = (3 - Math.sqrt(5)) / 2;

export interface LocalMinimum {
  x: number;
  value: number;
}

/**
 * The minimum of f on [a, b] to an absolute `tolerance` in x, where f is unimodal there (else a
 * local minimum); localMinimum((x) => (x - 1) ** 2, 0, 3, 1e-9).x ≈ 1. Infinite values are
 * treated as larger than any finite one; a NaN is returned as the value where it was met last.
 */
export function localMinimum(f: (x: number) => number, a: number, b: number, tolerance: number, maxIterations = 100): LocalMinimum {
  let x = a + GOLDEN * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let i = 0; i < maxIterations; i++) {
    const m = 0.5 * (a + b);
    const tol = Math.sqrt(Number.EPSILON) * Math.abs(x) + tolerance / 3;
    if (Math.abs(x - m) <= 2 * tol - 0.5 * (b - a)) break;
    let golden = true;
    if (Math.abs(e) > tol && Number.isFinite(fx) && Number.isFinite(fw) && Number.isFinite(fv)) {
      // a parabola through (v, fv), (w, fw), (x, fx)
      let r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      r = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < 2 * tol || b - u < 2 * tol) d = x < m ? tol : -tol;
        golden = false;
      }
    }
    if (golden) {
      e = (x < m ? b : a) - x;
      d = GOLDEN * e;
    }
    const u = x + (Math.abs(d) >= tol ? d : d > 0 ? tol : -tol);
    const fu = f(u);
    if (Number.isNaN(fu)) return { x: u, value: NaN };
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      [v, fv, w, fw, x, fx] = [w, fw, x, fx, u, fu];
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        [v, fv, w, fw] = [w, fw, u, fu];
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, value: fx };
}
