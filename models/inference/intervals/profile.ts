/**
 * One-dimensional profile-likelihood intervals (DESIGN.md "The likelihood"): the set
 * {θ : q(θ) < χ²_1 quantile(CL)} for one parameter, others profiled (seed 003 app. A
 * eq. 50-52). The set may be disjoint (a coupling whose sign is not resolved), and a segment
 * that reaches the parameter's allowed range is reported as open there. A point the data
 * exclude outright (the likelihood zero there for every nuisance value) has q = +∞. Two ways
 * to find it:
 *
 * - `scan`: q on a grid that includes θ̂, each crossing of the threshold bracketed and refined
 *   with Brent's method. Without an explicit range the grid spans the allowed range and, where
 *   the likelihood's own scale is far finer, a second grid of as many points spans the window
 *   `thresholdWindow` finds around θ̂, and another around every other minimum the global fit's
 *   starts found: every interval is then resolved by its own scan.
 * - `roots`: each end by Newton steps on √q outwards from each minimum (`rootsInterval`,
 *   `crossing`): a few profile fits per end.
 */
import { z } from 'zod';
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../../numeric/distributions.js';
import { localMinimum } from '../../numeric/local-minimum.js';
import { brent } from '../../numeric/root-finding.js';
import { maximumLikelihood, profileFit, type FitResult } from '../mle.js';
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
  /** grid points of the scan, and of the refined window where there is one (default 61); with `roots`, of a coarse scan for other minima (default none) */
  points?: number;
  variant?: number;
  /** absolute tolerance on interval end points (default 1e-7 of the range) */
  tolerance?: number;
  /**
   * How the crossings are found. `scan` (default): q on a grid, each crossing between grid
   * points refined by Brent's method (what result pages plot). `roots`: each end by root
   * finding on √q outwards from each minimum (`crossing`), other minima from the global fit's starts —
   * a few fits per end instead of a grid (issue 21: `dy-smeft-run3`'s interval 7× faster).
   */
  method?: 'scan' | 'roots';
  /**
   * With `roots`: another variant's result on the same data (the ensemble's estimate, for a
   * member). Its fit is where the global fit starts, its ends are where the searches start,
   * and its segments replace the coarse scan.
   */
  guide?: ProfileIntervalResult;
}

export function profileInterval(likelihood: Likelihood, data: LikelihoodData, parameter: string, levels: readonly number[], options: ProfileIntervalOptions = {}): ProfileIntervalResult {
  const index = likelihood.indexOf(parameter);
  if (index < 0) throw new RangeError(`unknown parameter '${parameter}'`);
  const spec = likelihood.parameters[index];
  const [lo, hi] = options.range ?? spec.bounds;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`parameter '${parameter}' needs a finite scan range, got [${lo}, ${hi}]`);
  const roots = options.method === 'roots';
  const settings: Settings = {
    index,
    range: [lo, hi],
    refine: !options.range,
    points: options.points ?? (roots ? 0 : 61),
    variant: options.variant ?? 0,
    tolerance: options.tolerance ?? 1e-7 * (hi - lo),
  };
  return roots ? rootsInterval(likelihood, data, levels, settings, options.guide) : scanInterval(likelihood, data, levels, settings);
}

interface Settings {
  index: number;
  range: [number, number];
  /** refine the scan around θ̂ where the likelihood's scale is far finer (no explicit range) */
  refine: boolean;
  points: number;
  variant: number;
  tolerance: number;
}

function scanInterval(likelihood: Likelihood, data: LikelihoodData, levels: readonly number[], { index, range: [lo, hi], refine, points, variant, tolerance }: Settings): ProfileIntervalResult {
  const global = maximumLikelihood(likelihood, data, { variant });
  const scanner = new ProfileScanner(likelihood, data, [index], { variant, global });
  const grid = uniformGrid(lo, hi, points);
  const best = scanner.best!.parameters[index];
  if (best > lo && best < hi) grid.push(best);
  if (refine) {
    // a window at the likelihood's own scale around θ̂, and around every other minimum the fit's starts found below the thresholds
    const widest = Math.max(...levels.map((cl) => chiSquaredThreshold(cl, 1)));
    const others = startMinima((v) => scanner.q([v]), global, index, [lo, hi], widest);
    for (const minimum of [best, ...others]) {
      const window = thresholdWindow((v) => scanner.q([v]), minimum, global.uncertainties[index], [lo, hi], widest);
      if (window) grid.push(minimum, ...uniformGrid(window[0], window[1], points));
    }
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
  const fit = scanner.best!;
  scan.forEach((point, k) => (point.q = profileQ(fits[k], fit.nll)));
  return { parameter: likelihood.names[index], best: fit.parameters[index], nllMin: fit.nll, fit, intervals, scan, converged: scanner.converged };
}

/**
 * The `roots` method. From each minimum of q (θ̂; with a guide, the member's own; and any other
 * below the largest threshold: where the global fit's other starts converged, where a coarse scan
 * of `points`, when asked for, dips, or, with a guide, in the guide's other segments), each
 * level's end on each side is a `crossing` of √q, the smallest level first, whose end is where
 * the next level's search starts. A search starts at the guide's end, else at the parabolic
 * guess θ̂ ± σ̂ √t (eq. 51), else at the previous level's end scaled by √(t/t_prev). Segments of
 * one level that overlap are one. If some profile finds a lower minimum than the global fit,
 * the ends are searched again against it.
 *
 * Each profile fit starts from the nearest one's solution, so a search that starts at θ̂ follows
 * θ̂'s branch of the profiled parameters. Where other parameters of interest are profiled they
 * may have a second branch, lower away from θ̂ (`tttt-cp`: b_t = 0 and b_t = ±0.35 at a_t < 1):
 * without a guide, the outermost ends are checked by a multi-start fit, and if it finds a lower
 * profile, every end is searched again with multi-start fits.
 */
function rootsInterval(likelihood: Likelihood, data: LikelihoodData, levels: readonly number[], settings: Settings, guide?: ProfileIntervalResult): ProfileIntervalResult {
  const { index, variant } = settings;
  const global = guide ? maximumLikelihood(likelihood, data, { variant, start: guide.fit.parameters, multiStart: false }) : maximumLikelihood(likelihood, data, { variant });
  let scanner = new ProfileScanner(likelihood, data, [index], { variant, global });
  const thresholds = levels.map((cl) => chiSquaredThreshold(cl, 1));
  const widest = Math.max(...thresholds);
  const q = (v: number) => scanner.q([v]);
  const refit = (start: Float64Array) => maximumLikelihood(likelihood, data, { variant, start, multiStart: false, covariance: false });
  const others = guide ? guidedMinima(q, guide, refit, global.parameters[index], index, widest, settings.tolerance) : [...startMinima(q, global, index, settings.range, widest), ...(settings.points ? scannedMinima(q, settings, global.parameters[index], widest) : [])];

  let found = searchEnds(scanner, thresholds, [global.parameters[index], ...others], settings, guide);
  if (!guide && othersProfiled(likelihood, index)) {
    const outermost = found[thresholds.indexOf(widest)].flatMap((s) => [...(s.lowerOpen ? [] : [s.lower]), ...(s.upperOpen ? [] : [s.upper])]);
    const lower = outermost.some((v) => {
      const warm = scanner.fit([v]);
      return profileFit(likelihood, data, new Map([[index, v]]), { variant, start: warm.parameters, multiStart: true }).nll < warm.nll - 1e-6;
    });
    if (lower) {
      scanner = new ProfileScanner(likelihood, data, [index], { variant, global: scanner.best!, multiStart: true });
      found = searchEnds(scanner, thresholds, [global.parameters[index], ...others], settings, guide);
    }
  }

  const fit = scanner.best!;
  scanner.fit([fit.parameters[index]]); // θ̂ in the scan, as the scan method has it
  const scan: ScanPoint[] = scanner
    .fitted()
    .map(({ values: [value], fit: f }) => ({ value, nll: f.nll, q: profileQ(f, fit.nll), converged: f.converged || f.singular }))
    .sort((a, b) => a.value - b.value);
  const intervals = levels.map((cl, k) => ({ cl, threshold: thresholds[k], segments: mergeSegments(found[k]) }));
  return { parameter: likelihood.names[index], best: fit.parameters[index], nllMin: fit.nll, fit, intervals, scan, converged: scanner.converged };
}

/** Whether parameters of interest other than `index` are profiled: whose branches the `roots` method checks with a multi-start fit. */
export function othersProfiled(likelihood: Likelihood, index: number): boolean {
  return likelihood.parameters.some((p, i) => i < likelihood.interest && i !== index && !p.fixed);
}

/** Every level's segments around θ̂ and the other minima (see `rootsInterval`), searched again once, around the new θ̂ too, if a lower minimum turns up. */
function searchEnds(scanner: ProfileScanner, thresholds: readonly number[], others: readonly number[], { index, range, tolerance }: Settings, guide?: ProfileIntervalResult): IntervalSegment[][] {
  const ascending = [...thresholds.keys()].sort((a, b) => thresholds[a] - thresholds[b]);
  let found: IntervalSegment[][] = [];
  let minima = others;
  for (let attempt = 0; attempt < 2; attempt++) {
    const nllMin = scanner.best!.nll;
    const best = scanner.best!.parameters[index];
    const sigma = scanner.best!.uncertainties[index];
    found = thresholds.map((): IntervalSegment[] => []);
    for (const minimum of [best, ...minima]) {
      const qMin = scanner.q([minimum]);
      // the levels whose region holds this minimum, unless an earlier minimum's segment holds it
      const held = ascending.filter((k) => qMin < thresholds[k] && !(minimum !== best && found[k].some((s) => s.lower <= minimum && minimum <= s.upper)));
      const segments = held.map((): IntervalSegment => ({ lower: minimum, upper: minimum, lowerOpen: false, upperOpen: false }));
      for (const side of [-1, 1] as const) {
        const edge = side < 0 ? range[0] : range[1];
        let inside = minimum;
        let step = minimum === best && sigma > 0 && Number.isFinite(sigma) ? sigma : (range[1] - range[0]) / 100;
        let previous = 0;
        let end: number | null = minimum;
        held.forEach((k, j) => {
          const t = thresholds[k];
          // past an open end every larger level is open too; past a failed fit every end is unknown
          if (end !== null && !Number.isNaN(end)) {
            const h = radial(scanner, [0], [1], t); // along the parameter itself
            const guess = guidedEnd(guide?.intervals[k], minimum, side) ?? (previous > 0 ? minimum + side * step * Math.sqrt(t / previous) : minimum + side * step * Math.sqrt(t));
            end = crossing(h, inside, guess, edge, tolerance);
          }
          const [value, open] = end === null ? [edge, true] : [end, false];
          if (side < 0) [segments[j].lower, segments[j].lowerOpen] = [value, open];
          else [segments[j].upper, segments[j].upperOpen] = [value, open];
          if (end !== null && !Number.isNaN(end)) [step, previous, inside] = [Math.abs(end - minimum), t, end];
        });
      }
      held.forEach((k, j) => found[k].push(segments[j]));
    }
    if (!(scanner.best!.nll < nllMin - 1e-9)) break;
    minima = [...minima, best]; // the first attempt's θ̂ is a minimum still
  }
  return found;
}

/**
 * h(s) = √q − √t at the pinned values centre + s·u, with its slope: dq/ds = 2 ∇_θ(−ln L)·u at
 * the profile (the envelope theorem: the profiled parameters' own derivatives vanish there), so
 * dh/ds = ∇·u / √q. One pinned parameter along itself is centre [0], u [1]; contours walk rays.
 */
export function radial(scanner: ProfileScanner, centre: readonly number[], u: readonly number[], t: number): (s: number) => { value: number; slope: number } {
  return (s) => {
    const values = centre.map((c, k) => c + s * u[k]);
    const fit = scanner.fit(values);
    const q = profileQ(fit, scanner.best!.nll);
    let slope = 0;
    scanner.pinned.forEach((i, k) => (slope += fit.gradient[i] * u[k]));
    return { value: Math.sqrt(Math.max(q, 0)) - Math.sqrt(t), slope: q > 0 ? slope / Math.sqrt(q) : NaN };
  };
}

/**
 * Where h = √q − √t crosses 0 on one side of `inside` (where h < 0), towards `edge`, starting
 * at a `guess`: Newton steps on h, whose slope at a profile is ∂(−ln L)/∂θ / √q (the envelope
 * theorem: the profiled parameters' own derivatives vanish there), outwards at most 4× the
 * distance covered until h ≥ 0 brackets the crossing, then kept inside the bracket
 * (bisection where a step leaves it or h has no slope, as at a point excluded outright).
 * √q is nearly linear in θ where −ln L is nearly parabolic: from a good guess two or three
 * fits reach the tolerance. Null where h < 0 up to the edge (the segment is open there); NaN
 * where a fit failed.
 */
export function crossing(h: (v: number) => { value: number; slope: number }, inside: number, guess: number, edge: number, tolerance: number): number | null {
  const side = Math.sign(edge - inside);
  if (side === 0) return null;
  let a = inside; // h(a) < 0
  let b: number | null = null; // h(b) ≥ 0, once found
  let x = side * (guess - inside) > 0 ? guess : inside + side * Math.max(Math.abs(edge - inside) / 100, tolerance);
  if (side * (x - edge) > 0) x = edge;
  let newtonSteps = 0;
  for (let k = 0; k < 100; k++) {
    const { value, slope } = h(x);
    if (Number.isNaN(value)) return NaN;
    if (value === 0) return x;
    if (value > 0) b = x;
    else {
      if (x === edge) return null;
      a = x;
    }
    const newton = Number.isFinite(value) && side * slope > 0 ? x - value / slope : NaN; // h grows outwards
    if (Math.abs(newton - x) <= 0.5 * tolerance) return newton;
    let next: number;
    if (b === null) {
      const covered = Math.abs(x - inside);
      const outward = side * (newton - x) > 0 ? newton : x + side * covered;
      next = side > 0 ? Math.min(outward, x + 4 * covered, edge) : Math.max(outward, x - 4 * covered, edge);
    } else {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      if (hi - lo <= tolerance) return 0.5 * (lo + hi);
      next = newton >= lo && newton <= hi && ++newtonSteps <= 12 ? newton : 0.5 * (lo + hi); // past a dozen steps Newton is not converging: bisect
    }
    x = next;
  }
  return NaN;
}

/** The guide's end on `side` of the segment holding `at` (else the nearest segment), where a search starts. */
function guidedEnd(interval: ConfidenceInterval | undefined, at: number, side: -1 | 1): number | null {
  if (!interval?.segments.length) return null;
  const distance = (s: IntervalSegment) => (at < s.lower ? s.lower - at : at > s.upper ? at - s.upper : 0);
  const segment = interval.segments.reduce((a, b) => (distance(b) < distance(a) ? b : a));
  return side < 0 ? segment.lower : segment.upper;
}

/**
 * Other minima of q below `threshold`, from a coarse scan of the range: every local minimum of
 * q on the grid away from θ̂, followed down by Brent's localmin between its grid neighbours.
 */
function scannedMinima(q: (v: number) => number, { range: [lo, hi], points }: Settings, best: number, threshold: number): number[] {
  const grid = uniformGrid(lo, hi, points);
  if (best > lo && best < hi) grid.push(best);
  grid.sort((a, b) => a - b);
  const values = grid.map(q);
  const minima: number[] = [];
  for (let k = 0; k < grid.length; k++) {
    if (grid[k] === best || !(values[k] < (values[k - 1] ?? Infinity) && values[k] <= (values[k + 1] ?? Infinity))) continue;
    const bracket: [number, number] = [grid[Math.max(k - 1, 0)], grid[Math.min(k + 1, grid.length - 1)]];
    const deepest = localMinimum(q, bracket[0], bracket[1], 1e-4 * (bracket[1] - bracket[0]));
    const at = deepest.value < values[k] ? deepest : { x: grid[k], value: values[k] };
    if (at.value < threshold) minima.push(at.x);
  }
  return minima;
}

/** The other minima the global fit's starts found (`FitResult.otherMinima`) inside the range, where q is below `threshold`. */
function startMinima(q: (v: number) => number, global: FitResult, index: number, [lo, hi]: readonly [number, number], threshold: number): number[] {
  return global.otherMinima.map((x) => x[index]).filter((v) => v >= lo && v <= hi && q(v) < threshold);
}

/**
 * With a guide: the member's minima in the guide's segments (of the largest level) that do not
 * hold the member's θ̂; where one holds a minimum the guide's fit found from another start, the
 * member's own minimum is a fit started there, else Brent's localmin over the segment.
 */
function guidedMinima(q: (v: number) => number, guide: ProfileIntervalResult, refit: (start: Float64Array) => FitResult, best: number, index: number, threshold: number, tolerance: number): number[] {
  const widest = guide.intervals.reduce((a, b) => (b.threshold > a.threshold ? b : a), guide.intervals[0]);
  const minima: number[] = [];
  for (const s of widest?.segments ?? []) {
    if (s.lower <= best && best <= s.upper) continue;
    const start = guide.fit.otherMinima.find((x) => s.lower <= x[index] && x[index] <= s.upper);
    const own = start ? refit(start) : null;
    const at = own?.converged ? own.parameters[index] : localMinimum(q, s.lower, s.upper, Math.max(tolerance, 1e-4 * (s.upper - s.lower))).x;
    if (q(at) < threshold) minima.push(at);
  }
  return minima;
}

/** Segments of one level sorted, those that overlap merged. */
function mergeSegments(segments: readonly IntervalSegment[]): IntervalSegment[] {
  const sorted = [...segments].sort((a, b) => a.lower - b.lower);
  const merged: IntervalSegment[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.lower <= last.upper) {
      if (s.upper > last.upper) [last.upper, last.upperOpen] = [s.upper, s.upperOpen];
    } else merged.push({ ...s });
  }
  return merged;
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

/** Total width of an interval's segments at a level (Infinity when its fits did not converge). */
export function intervalWidth(result: ProfileIntervalResult, cl: number): number {
  if (!result.converged) return Infinity;
  const interval = result.intervals.find((i) => i.cl === cl);
  if (!interval) return Infinity;
  return interval.segments.reduce((t, s) => t + (s.lowerOpen || s.upperOpen ? Infinity : s.upper - s.lower), 0);
}
