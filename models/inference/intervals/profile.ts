/**
 * One-dimensional profile-likelihood intervals (DESIGN.md "The likelihood"): the set
 * {θ : q(θ) < χ²_1 quantile(CL)} for one parameter, others profiled (seed 003 app. A
 * eq. 50-52). Found by scanning q on a grid that includes θ̂, bracketing each crossing of
 * the threshold and refining it with Brent's method. The set may be disjoint (a coupling
 * whose sign is not resolved), and a segment that reaches the parameter's allowed range
 * is reported as open there.
 */
import { z } from 'zod';
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../../numeric/distributions.js';
import { brent } from '../../numeric/root-finding.js';
import { maximumLikelihood, type FitResult } from '../mle.js';
import { ProfileScanner, testStatistic } from '../test-statistics.js';

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
  /** scanned range; default the parameter's allowed range */
  range?: readonly [number, number];
  /** grid points of the scan (default 61) */
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
  const grid: number[] = [];
  for (let k = 0; k < points; k++) grid.push(lo + ((hi - lo) * k) / (points - 1));
  const best = scanner.best!.parameters[index];
  if (best > lo && best < hi && !grid.includes(best)) grid.push(best);
  grid.sort((a, b) => a - b);
  const fits = grid.map((value) => scanner.fit([value]));
  const scan: ScanPoint[] = grid.map((value, k) => ({ value, nll: fits[k].nll, q: testStatistic(fits[k].nll, scanner.best!.nll), converged: fits[k].converged }));

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
  const global = scanner.best!;
  for (const point of scan) point.q = testStatistic(point.nll, global.nll);
  return { parameter, best: global.parameters[index], nllMin: global.nll, fit: global, intervals, scan, converged: scanner.converged };
}
