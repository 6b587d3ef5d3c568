/**
 * One-dimensional profile-likelihood intervals (DESIGN.md "The likelihood"): the set
 * {θ : q(θ) < χ²_1 quantile(CL)} for one parameter, others profiled (seed 003 app. A
 * eq. 50-52). Found by scanning q on a grid that includes θ̂, bracketing each crossing of
 * the threshold and refining it with Brent's method. The set may be disjoint (a coupling
 * whose sign is not resolved), and a segment that reaches the parameter's allowed range
 * is reported as open there.
 */
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { chiSquaredThreshold } from './chi-squared.js';
import { maximumLikelihood, type FitResult } from './mle.js';
import { profileFit } from './test-statistics.js';

export interface ScanPoint {
  value: number;
  q: number;
  nll: number;
  converged: boolean;
}

export interface IntervalSegment {
  lower: number;
  upper: number;
  /** the segment reaches the lower (upper) end of the scanned range: the interval continues beyond it */
  lowerOpen: boolean;
  upperOpen: boolean;
}

export interface ConfidenceInterval {
  cl: number;
  /** the q threshold χ²_1 quantile(cl) */
  threshold: number;
  segments: IntervalSegment[];
}

export interface ProfileIntervalResult {
  parameter: string;
  best: number;
  nllMin: number;
  fit: FitResult;
  intervals: ConfidenceInterval[];
  scan: ScanPoint[];
  /** every fit behind the result converged */
  converged: boolean;
}

export interface ProfileIntervalOptions {
  /** scanned range; default the parameter's allowed range */
  range?: readonly [number, number];
  /** grid points of the scan (default 61) */
  points?: number;
  variant?: number;
  /** absolute tolerance on interval end points (default 1e-7 of the range) */
  tolerance?: number;
}

export function profileInterval(likelihood: Likelihood, data: LikelihoodData, parameter: string, cls: readonly number[], options: ProfileIntervalOptions = {}): ProfileIntervalResult {
  const index = likelihood.indexOf(parameter);
  if (index < 0) throw new RangeError(`unknown parameter '${parameter}'`);
  const spec = likelihood.parameters[index];
  const [lo, hi] = options.range ?? spec.bounds;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`parameter '${parameter}' needs a finite scan range, got [${lo}, ${hi}]`);
  const points = options.points ?? 61;
  const variant = options.variant ?? 0;
  const tolerance = options.tolerance ?? 1e-7 * (hi - lo);

  let global = maximumLikelihood(likelihood, data, { variant });
  let allConverged = global.converged;

  // Profiled NLL at a value, warm-started from the nearest previous profile.
  const profiles: { value: number; fit: FitResult }[] = [];
  const profileAt = (value: number) => {
    let start = global.parameters;
    let nearest = Infinity;
    for (const p of profiles) {
      const d = Math.abs(p.value - value);
      if (d < nearest && p.fit.converged) {
        nearest = d;
        start = p.fit.parameters;
      }
    }
    const fit = profileFit(likelihood, data, new Map([[index, value]]), { variant, start, multiStart: false });
    profiles.push({ value, fit });
    allConverged &&= fit.converged;
    if (fit.nll < global.nll) global = fit;
    return fit;
  };

  const grid: number[] = [];
  for (let k = 0; k < points; k++) grid.push(lo + ((hi - lo) * k) / (points - 1));
  const best = global.parameters[index];
  if (best > lo && best < hi && !grid.includes(best)) grid.push(best);
  grid.sort((a, b) => a - b);
  const nlls = grid.map((v) => profileAt(v).nll);
  const qAt = (nll: number) => 2 * (nll - global.nll);
  const scan: ScanPoint[] = grid.map((value, k) => ({ value, nll: nlls[k], q: qAt(nlls[k]), converged: profiles[k].fit.converged }));

  const intervals = cls.map((cl) => {
    const threshold = chiSquaredThreshold(cl, 1);
    const f = (v: number) => qAt(profileAt(v).nll) - threshold;
    const segments: IntervalSegment[] = [];
    let open: { lower: number; lowerOpen: boolean } | null = scan[0].q < threshold ? { lower: lo, lowerOpen: true } : null;
    for (let k = 1; k < scan.length; k++) {
      const a = scan[k - 1];
      const b = scan[k];
      const inA = a.q < threshold;
      const inB = b.q < threshold;
      if (inA === inB) continue;
      const root = brent(f, a.value, b.value, a.q - threshold, b.q - threshold, tolerance);
      if (!inA && inB) open = { lower: root, lowerOpen: false };
      else if (open) {
        segments.push({ lower: open.lower, upper: root, lowerOpen: open.lowerOpen, upperOpen: false });
        open = null;
      }
    }
    if (open) segments.push({ lower: open.lower, upper: hi, lowerOpen: open.lowerOpen, upperOpen: true });
    return { cl, threshold, segments };
  });

  // q values of the scan against the final global minimum.
  for (const point of scan) point.q = qAt(point.nll);
  return { parameter, best: global.parameters[index], nllMin: global.nll, fit: global, intervals, scan, converged: allConverged };
}

/** Brent's root finder on [a, b] with f(a), f(b) of opposite sign (Brent 1973, "zero"). */
export function brent(f: (x: number) => number, a: number, b: number, fa: number, fb: number, tolerance: number, maxIterations = 100): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa * fb > 0) throw new RangeError('brent: the root is not bracketed');
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
