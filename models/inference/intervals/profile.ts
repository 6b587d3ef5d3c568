/**
 * One-dimensional profile-likelihood intervals (DESIGN.md "The likelihood"): the set
 * {θ : q(θ) < χ²_1 quantile(CL)} for one parameter, others profiled (seed 003 app. A
 * eq. 50-52). Found by scanning q on a grid that includes θ̂, bracketing each crossing of
 * the threshold and refining it with Brent's method. The set may be disjoint (a coupling
 * whose sign is not resolved), and a segment that reaches the parameter's allowed range
 * is reported as open there. Without an explicit range the grid spans the allowed range and,
 * where the likelihood's own scale is far finer, a second grid of as many points spans the
 * window `thresholdWindow` finds around θ̂: every interval is then resolved by its own scan.
 * A point the data exclude outright (the likelihood zero there for every nuisance value) has
 * q = +∞.
 */
import { z } from 'zod';
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../../numeric/distributions.js';
import { brent } from '../../numeric/root-finding.js';
import { maximumLikelihood, type FitResult } from '../mle.js';
import { ProfileScanner, profileQ } from '../test-statistics.js';

export interface ScanPoint {
  value: number;
  q: number;
  nll: number;
  converged: boolean;
}

// The interval as the service returns it and result pages store it: one schema, types inferred.
export const IntervalSegmentSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  lowerOpen: z.boolean().meta({ description: 'the segment reaches the lower end of the scanned range: the interval continues beyond it' }),
  upperOpen: z.boolean().meta({ description: 'the segment reaches the upper end of the scanned range' }),
});
export const ConfidenceIntervalSchema = z.object({
  cl: z.number(),
  threshold: z.number().meta({ description: 'the q threshold χ²_k quantile(cl)' }),
  segments: z.array(IntervalSegmentSchema).meta({ description: 'the confidence set {θ : q(θ) < threshold}, possibly disjoint' }),
});
export type IntervalSegment = z.infer<typeof IntervalSegmentSchema>;
export type ConfidenceInterval = z.infer<typeof ConfidenceIntervalSchema>;

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
  /** scanned range; default the parameter's allowed range, refined around θ̂ (see the module's comment) */
  range?: readonly [number, number];
  /** grid points of the scan, and of the refined window where there is one (default 61) */
  points?: number;
  variant?: number;
  /** absolute tolerance on interval end points (default 1e-7 of the range) */
  tolerance?: number;
}

export function profileInterval(likelihood: Likelihood, data: LikelihoodData, parameter: string, levels: readonly number[], options: ProfileIntervalOptions = {}): ProfileIntervalResult {
  const index = likelihood.indexOf(parameter);
  if (index < 0) throw new RangeError(`unknown parameter '${parameter}'`);
  const spec = likelihood.parameters[index];
  const [lo, hi] = options.range ?? spec.bounds;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`parameter '${parameter}' needs a finite scan range, got [${lo}, ${hi}]`);
  const points = options.points ?? 61;
  const variant = options.variant ?? 0;
  const tolerance = options.tolerance ?? 1e-7 * (hi - lo);

  const scanner = new ProfileScanner(likelihood, data, [index], { variant, global: maximumLikelihood(likelihood, data, { variant }) });
  const grid = uniformGrid(lo, hi, points);
  const best = scanner.best!.parameters[index];
  if (best > lo && best < hi) grid.push(best);
  if (!options.range) {
    const window = thresholdWindow((v) => scanner.q([v]), best, scanner.best!.uncertainties[index], [lo, hi], Math.max(...levels.map((cl) => chiSquaredThreshold(cl, 1))));
    if (window) grid.push(...uniformGrid(window[0], window[1], points));
  }
  grid.sort((a, b) => a - b);
  for (let k = grid.length - 1; k > 0; k--) if (grid[k] === grid[k - 1]) grid.splice(k, 1);
  const fits = grid.map((value) => scanner.fit([value]));
  const scan: ScanPoint[] = grid.map((value, k) => ({ value, nll: fits[k].nll, q: profileQ(fits[k], scanner.best!.nll), converged: fits[k].converged || fits[k].singular }));

  const intervals = levels.map((cl) => {
    const threshold = chiSquaredThreshold(cl, 1);
    const f = (v: number) => scanner.q([v]) - threshold;
    const segments: IntervalSegment[] = [];
    let open: { lower: number; lowerOpen: boolean } | null = scan[0].q < threshold ? { lower: lo, lowerOpen: true } : null;
    for (let k = 1; k < scan.length; k++) {
      const a = scan[k - 1];
      const b = scan[k];
      const inA = a.q < threshold;
      const inB = b.q < threshold;
      if (inA === inB || Number.isNaN(a.q) || Number.isNaN(b.q)) continue; // a failed fit voids the result (`converged`)
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
  const global = scanner.best!;
  scan.forEach((point, k) => (point.q = profileQ(fits[k], global.nll)));
  return { parameter, best: global.parameters[index], nllMin: global.nll, fit: global, intervals, scan, converged: scanner.converged };
}

/** `points` equally spaced values from lo to hi. */
export function uniformGrid(lo: number, hi: number, points: number): number[] {
  return Array.from({ length: points }, (_, k) => lo + ((hi - lo) * k) / (points - 1));
}

/**
 * Where a scan of one parameter should look closely, measured on the likelihood itself: from
 * θ̂ outwards on each side, steps that halve or double from σ̂ (the fit's uncertainty, eq. 51;
 * a hundredth of the range where there is none) until q(θ̂ ± s) < 2t ≤ q(θ̂ ± 2s); the window
 * ends at θ̂ ± 2s, clipped to the range. For a parabolic q that is 1.4–2.8 times the distance to
 * the crossing of t (the largest threshold). σ̂ only seeds the search: where the Hessian misleads
 * (a coupling whose effect starts at second order, σ̂ ≫ the interval) the halving corrects it.
 * Null where the window spans more than half of the range: the range is then about as fine.
 * `q(value)` is the profile q with the parameter pinned at value. For `dy-smeft-run3`, C_lq1:
 * a window of about ±0.01 in a range [−2, 2].
 */
export function thresholdWindow(q: (value: number) => number, best: number, sigma: number, range: readonly [number, number], threshold: number): [number, number] | null {
  const [lo, hi] = range;
  const start = sigma > 0 && Number.isFinite(sigma) ? sigma : (hi - lo) / 100;
  const edge = (side: -1 | 1): number => {
    const bound = side < 0 ? lo : hi;
    const at = (s: number) => q(side < 0 ? Math.max(lo, best - s) : Math.min(hi, best + s));
    let s = Math.min(start, Math.abs(bound - best));
    if (s === 0) return bound;
    // shrink while even s is beyond 2t, then grow until 2s is
    for (let k = 0; k < 40 && at(s) >= 2 * threshold; k++) s /= 2;
    for (let k = 0; k < 60 && !(at(2 * s) >= 2 * threshold); k++) {
      if (2 * s >= Math.abs(bound - best)) return bound;
      s *= 2;
    }
    return side < 0 ? Math.max(lo, best - 2 * s) : Math.min(hi, best + 2 * s);
  };
  const window: [number, number] = [edge(-1), edge(1)];
  return window[1] - window[0] < 0.5 * (hi - lo) ? window : null;
}
