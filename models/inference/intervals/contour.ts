/**
 * Two-dimensional profile-likelihood confidence regions (DESIGN.md "The likelihood"):
 * {(θ_a, θ_b) : q(θ_a, θ_b) < χ²_2 quantile(CL)}, others profiled, on a grid of profile
 * fits traced by marching squares (d3-contour). Regions may have several rings.
 */
import { contours as d3Contours } from 'd3-contour';
import { z } from 'zod';
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../../numeric/distributions.js';
import { brent } from '../../numeric/root-finding.js';
import { maximumLikelihood, type FitResult } from '../mle.js';
import { ProfileScanner, testStatistic } from '../test-statistics.js';

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
}

export interface ProfileContourOptions {
  ranges?: readonly [readonly [number, number], readonly [number, number]];
  /** grid points per axis (default 41) */
  points?: number;
  variant?: number;
  /** move each traced vertex onto the exact profiled contour by root finding along its grid edge (default true) */
  refine?: boolean;
}

export function profileContour(likelihood: Likelihood, data: LikelihoodData, parameters: readonly [string, string], levels: readonly number[], options: ProfileContourOptions = {}): ProfileContourResult {
  const indices = parameters.map((name) => {
    const i = likelihood.indexOf(name);
    if (i < 0) throw new RangeError(`unknown parameter '${name}'`);
    return i;
  });
  if (indices[0] === indices[1]) throw new RangeError('a contour needs two different parameters');
  const ranges = options.ranges ?? [likelihood.parameters[indices[0]].bounds, likelihood.parameters[indices[1]].bounds];
  for (const [lo, hi] of ranges) if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`contour ranges must be finite, got [${lo}, ${hi}]`);
  const points = options.points ?? 41;
  const variant = options.variant ?? 0;
  const axis = ([lo, hi]: readonly [number, number]) => Array.from({ length: points }, (_, k) => lo + ((hi - lo) * k) / (points - 1));
  const x = axis(ranges[0]);
  const y = axis(ranges[1]);

  // Snake through the grid so each profile fit starts from its neighbour's solution.
  const scanner = new ProfileScanner(likelihood, data, indices, { variant, global: maximumLikelihood(likelihood, data, { variant }), warmStart: 'previous' });
  const nll = new Array<number>(points * points);
  for (let j = 0; j < points; j++) {
    for (let step = 0; step < points; step++) {
      const i = j % 2 === 0 ? step : points - 1 - step;
      nll[j * points + i] = scanner.fit([x[i], y[j]]).nll;
    }
  }
  const q = nll.map((v) => testStatistic(v, scanner.best!.nll));

  // d3-contour places sample (i, j) at (i + ½, j + ½) and traces {value ≥ threshold}; we want q < t.
  const negated = q.map((v) => (Number.isFinite(v) ? -v : -1e300));
  const toParameter = (c: number, grid: number[]) => {
    const t = Math.min(Math.max(c - 0.5, 0), points - 1);
    const k = Math.min(Math.floor(t), points - 2);
    return grid[k] + (t - k) * (grid[k + 1] - grid[k]);
  };
  // a refined vertex's fit starts at the global minimum, not at a grid neighbour
  const qAtPoint = (a: number, b: number) => testStatistic(scanner.fit([a, b], scanner.best!.parameters).nll, scanner.best!.nll);
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

  const global = scanner.best!;
  return {
    parameters: [parameters[0], parameters[1]],
    best: [global.parameters[indices[0]], global.parameters[indices[1]]],
    nllMin: global.nll,
    fit: global,
    grid: { x, y, q },
    contours,
    converged: scanner.converged,
  };
}
