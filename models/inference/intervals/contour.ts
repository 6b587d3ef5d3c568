/**
 * Two-dimensional profile-likelihood confidence regions (DESIGN.md "The likelihood"):
 * {(θ_a, θ_b) : q(θ_a, θ_b) < χ²_2 quantile(CL)}, others profiled, on a grid of profile
 * fits traced by marching squares (d3-contour). Regions may have several rings. Without
 * explicit ranges each axis spans the window `thresholdWindow` finds around the MLE on the
 * 1-D profile of that parameter (the other profiled too) at the χ²₂ threshold — the region's
 * extent along that axis — or its allowed range where that is about as fine; a region that reaches an edge of the grid that is not the parameter's bound is said to
 * continue beyond it (`notes`).
 */
import { contours as d3Contours } from 'd3-contour';
import { z } from 'zod';
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../../numeric/distributions.js';
import { brent } from '../../numeric/root-finding.js';
import { maximumLikelihood, type FitResult } from '../mle.js';
import { ProfileScanner, profileQ } from '../test-statistics.js';
import { axisWindows, rayContour } from './contour-rays.js';
import { uniformGrid } from './profile.js';

/** A ring is a closed polyline of [θ_a, θ_b] points; a polygon is an outer ring plus holes. */
export const RingSchema = z.array(z.tuple([z.number(), z.number()]));
export const ContourLevelSchema = z.object({
  cl: z.number(),
  threshold: z.number().meta({ description: 'the q threshold χ²_2 quantile(cl)' }),
  polygons: z.array(z.array(RingSchema)).meta({ description: 'polygons (outer ring first, then holes) in parameter coordinates' }),
});
export type Ring = z.infer<typeof RingSchema>;
export type ContourLevel = z.infer<typeof ContourLevelSchema>;

export interface ProfileContourResult {
  parameters: [string, string];
  best: [number, number];
  nllMin: number;
  fit: FitResult;
  /** the scan: q on an ny × nx grid (row j, column i at x[i], y[j]) */
  grid: { x: number[]; y: number[]; q: number[] };
  contours: ContourLevel[];
  converged: boolean;
  /** what a reader of the contours must know: regions cut by the grid's edge, levels with no region, failed fits */
  notes: string[];
}

export interface ProfileContourOptions {
  /** the grid's ranges; default from the likelihood's curvature (see the module's comment); with `roots`, the box the rays stay in (default the allowed ranges) */
  ranges?: readonly [readonly [number, number], readonly [number, number]];
  /** grid points per axis (default 41); with `roots`, of the check grid (default 11) */
  points?: number;
  variant?: number;
  /** move each traced vertex onto the exact profiled contour by root finding along its grid edge (default true) */
  refine?: boolean;
  /**
   * `scan` (default): the grid traced by marching squares. `roots`: each region's boundary by
   * root finding along `rays` rays from its minimum (`contour-rays.ts`), checked on a coarse
   * grid, and traced on a grid of `fallbackPoints` where the check finds the rays miss part of a region.
   */
  method?: 'scan' | 'roots';
  /** rays per region with `roots` before refinement (default 32) */
  rays?: number;
  /** with `roots`, the grid's points per axis where the rays cannot trace the regions (default FALLBACK_POINTS; 0: none, the result then says so and is not converged) */
  fallbackPoints?: number;
}

/** Grid points per axis where the rays' check fails and the regions are traced on a grid after all. */
export const FALLBACK_POINTS = 31;

export function profileContour(likelihood: Likelihood, data: LikelihoodData, parameters: readonly [string, string], levels: readonly number[], options: ProfileContourOptions = {}): ProfileContourResult {
  const indices = parameters.map((name) => {
    const i = likelihood.indexOf(name);
    if (i < 0) throw new RangeError(`unknown parameter '${name}'`);
    return i;
  });
  if (indices[0] === indices[1]) throw new RangeError('a contour needs two different parameters');
  const variant = options.variant ?? 0;
  const bounds = indices.map((i) => likelihood.parameters[i].bounds);
  const global = maximumLikelihood(likelihood, data, { variant });
  if (options.method === 'roots') return rootsContour(likelihood, data, parameters, indices, bounds, global, levels, options);
  return gridContour(likelihood, data, parameters, indices, bounds, global, levels, options);
}

/** The `roots` method (`contour-rays.ts`), and the grid where the rays cannot trace the regions. */
function rootsContour(likelihood: Likelihood, data: LikelihoodData, parameters: readonly [string, string], indices: number[], bounds: (readonly [number, number])[], global: FitResult, levels: readonly number[], options: ProfileContourOptions): ProfileContourResult {
  const box = options.ranges ?? (bounds as [[number, number], [number, number]]);
  const scanner = new ProfileScanner(likelihood, data, indices, { variant: options.variant ?? 0, global });
  const rays = rayContour(scanner, global, [indices[0], indices[1]], levels, box, options.rays ?? 32, options.points ?? 11, 1e-7);
  const result = (contours: ContourLevel[], converged: boolean, notes: string[]): ProfileContourResult => {
    const best = scanner.best!;
    return { parameters: [parameters[0], parameters[1]], best: [best.parameters[indices[0]], best.parameters[indices[1]]], nllMin: best.nll, fit: best, grid: rays.grid, contours, converged, notes };
  };
  if (rays.disagreements === 0 && !rays.flat) {
    const failed = scanner.fitted().filter(({ fit }) => !fit.converged && !fit.singular).length;
    return result(rays.contours, scanner.converged, [
      ...(failed ? [`${failed} of the ${scanner.fitted().length} profile fits did not converge: no contour is given`] : []),
      ...rays.open.map((cl) => `the ${cl} region reaches the edge of the ${options.ranges ? 'requested ranges: it continues beyond; ask with wider ranges' : 'allowed ranges'}`),
    ]);
  }
  const why = rays.flat
    ? "the fit's curvature does not describe the regions (an uncertainty many times their extent: a flat or second-order direction), along which they may curve out of the rays' sight"
    : `the regions are not star-shaped around their minima (${rays.disagreements} disagreements of the rays with the ${options.points ?? 11}² check grid or with each other)`;
  const fallback = options.fallbackPoints ?? FALLBACK_POINTS;
  if (fallback === 0) return result([], false, [`${why}; a grid to trace them does not fit this request's budget: ask with method "scan" and fewer points, or narrower ranges`]);
  // without ranges the box is the allowed range, so the rays' windows are the grid's default ranges
  const traced = gridContour(likelihood, data, parameters, indices, bounds, global, levels, { ...options, points: fallback, ranges: options.ranges ?? rays.windows });
  return { ...traced, notes: [`${why}: traced on a ${fallback} × ${fallback} grid instead`, ...traced.notes] };
}

function gridContour(likelihood: Likelihood, data: LikelihoodData, parameters: readonly [string, string], indices: number[], bounds: (readonly [number, number])[], global: FitResult, levels: readonly number[], options: ProfileContourOptions): ProfileContourResult {
  const points = options.points ?? 41;
  const variant = options.variant ?? 0;
  const ranges = options.ranges ?? axisWindows(likelihood, data, [indices[0], indices[1]], global, [bounds[0], bounds[1]], Math.max(...levels.map((cl) => chiSquaredThreshold(cl, 2))), variant);
  for (const [lo, hi] of ranges) if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`contour ranges must be finite, got [${lo}, ${hi}]`);
  const x = uniformGrid(ranges[0][0], ranges[0][1], points);
  const y = uniformGrid(ranges[1][0], ranges[1][1], points);

  // Snake through the grid so each profile fit starts from its neighbour's solution.
  const scanner = new ProfileScanner(likelihood, data, indices, { variant, global, warmStart: 'previous' });
  const fits = new Array<FitResult>(points * points);
  for (let j = 0; j < points; j++) {
    for (let step = 0; step < points; step++) {
      const i = j % 2 === 0 ? step : points - 1 - step;
      fits[j * points + i] = scanner.fit([x[i], y[j]]);
    }
  }
  const q = fits.map((fit) => profileQ(fit, scanner.best!.nll));

  // d3-contour places sample (i, j) at (i + ½, j + ½) and traces {value ≥ threshold}; we want q < t
  // (a point excluded outright, q = +∞, or a failed fit lies outside).
  const negated = q.map((v) => (Number.isFinite(v) ? -v : -1e300));
  const toParameter = (c: number, grid: number[]) => {
    const t = Math.min(Math.max(c - 0.5, 0), points - 1);
    const k = Math.min(Math.floor(t), points - 2);
    return grid[k] + (t - k) * (grid[k + 1] - grid[k]);
  };
  // a refined vertex's fit starts at the global minimum, not at a grid neighbour
  const qAtPoint = (a: number, b: number) => profileQ(scanner.fit([a, b], scanner.best!.parameters), scanner.best!.nll);
  const refine = options.refine ?? true;
  const contours = levels.map((cl) => {
    const threshold = chiSquaredThreshold(cl, 2);
    const [multi] = d3Contours().size([points, points]).thresholds([-threshold])(negated);
    // Marching squares interpolates q linearly along a grid edge; with `refine`, each vertex
    // on an edge is moved to the root of the profiled q − threshold on that edge (Brent).
    const vertex = ([cx, cy]: [number, number]): [number, number] => {
      const px = toParameter(cx, x);
      const py = toParameter(cy, y);
      if (!refine) return [px, py];
      const fx = cx - 0.5;
      const fy = cy - 0.5;
      const onColumn = Number.isInteger(fx) && fx >= 0 && fx < points;
      const onRow = Number.isInteger(fy) && fy >= 0 && fy < points;
      if (onColumn && !onRow) {
        const j = Math.floor(fy);
        if (j < 0 || j + 1 >= points) return [px, py];
        const [qa, qb] = [q[j * points + fx], q[(j + 1) * points + fx]];
        if (!((qa - threshold) * (qb - threshold) < 0)) return [px, py];
        return [px, brent((v) => qAtPoint(px, v) - threshold, y[j], y[j + 1], qa - threshold, qb - threshold, 1e-7 * (y[1] - y[0]))];
      }
      if (onRow && !onColumn) {
        const i = Math.floor(fx);
        if (i < 0 || i + 1 >= points) return [px, py];
        const [qa, qb] = [q[fy * points + i], q[fy * points + i + 1]];
        if (!((qa - threshold) * (qb - threshold) < 0)) return [px, py];
        return [brent((v) => qAtPoint(v, py) - threshold, x[i], x[i + 1], qa - threshold, qb - threshold, 1e-7 * (x[1] - x[0])), py];
      }
      return [px, py];
    };
    const polygons = multi.coordinates.map((polygon) => polygon.map((ring) => ring.map((c) => vertex(c as [number, number]))));
    return { cl, threshold, polygons };
  });

  const best = scanner.best!;
  return {
    parameters: [parameters[0], parameters[1]],
    best: [best.parameters[indices[0]], best.parameters[indices[1]]],
    nllMin: best.nll,
    fit: best,
    grid: { x, y, q },
    contours,
    converged: scanner.converged,
    notes: contourNotes(parameters, { x, y, q }, contours, bounds, fits),
  };
}

/** What the grid leaves open: levels without a region, regions reaching an edge that is not a bound, failed fits. */
function contourNotes(parameters: readonly [string, string], grid: { x: number[]; y: number[]; q: number[] }, contours: readonly ContourLevel[], bounds: readonly (readonly [number, number])[], fits: readonly FitResult[]): string[] {
  const notes: string[] = [];
  const failed = fits.filter((f) => !f.converged && !f.singular).length;
  if (failed) notes.push(`${failed} of the ${fits.length} profile fits on the grid did not converge: no contour is given`);
  const { x, y, q } = grid;
  const nx = x.length;
  const edges: [string, number[], number][] = [
    [`${parameters[0]} = ${x[0]}`, y.map((_, j) => q[j * nx]), x[0] > bounds[0][0] ? 1 : 0],
    [`${parameters[0]} = ${x[nx - 1]}`, y.map((_, j) => q[j * nx + nx - 1]), x[nx - 1] < bounds[0][1] ? 1 : 0],
    [`${parameters[1]} = ${y[0]}`, x.map((_, i) => q[i]), y[0] > bounds[1][0] ? 1 : 0],
    [`${parameters[1]} = ${y[y.length - 1]}`, x.map((_, i) => q[(y.length - 1) * nx + i]), y[y.length - 1] < bounds[1][1] ? 1 : 0],
  ];
  for (const level of contours) {
    const inside = q.filter((v) => v < level.threshold).length;
    if (inside === 0) notes.push(`no grid point has q below the ${level.cl} threshold ${level.threshold.toPrecision(4)}: the region is narrower than the grid's spacing; ask for a narrower range`);
    const cut = edges.filter(([, values, inner]) => inner && values.some((v) => v < level.threshold)).map(([edge]) => edge);
    if (cut.length) notes.push(`the ${level.cl} region reaches the grid's edge at ${cut.join(', ')}, inside the allowed range: it continues beyond; ask with a wider range`);
  }
  return notes;
}
