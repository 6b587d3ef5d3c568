/**
 * Closed-form ratio coefficients for toy models whose densities are Gaussian mixtures:
 *
 *     c_k(x) = Σ_j a_kj N(x; μ_kj, σ_kj) / Σ_j b_j N(x; μ_j, σ_j)
 *
 * with diagonal Gaussians in the D observables. This is how a *truth* artifact serves
 * exact R(x|θ) = c(x)·m(Δθ) for any submitted event, with no network (e.g. the
 * two-Gaussian toy of seed 003 eq. 43: c = [1, 0, N(x; α, σ_b)/N(x; 0, σ_a)]).
 * Evaluated in log space so far tails neither overflow nor lose precision.
 */
import { z } from 'zod';
import { afterStructure } from '../schema-checks.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const GaussianComponentSchema = z.object({
  weight: finite,
  mean: z.array(finite).min(1),
  sigma: z.array(z.number().positive().refine(Number.isFinite, 'must be finite')).min(1),
});

export const AnalyticRatioSchema = z
  .object({
    kind: z.literal('gaussian-mixture-ratio'),
    observables: z.number().int().positive(),
    /** the reference density's components (weights must be positive) */
    denominator: z.array(GaussianComponentSchema.extend({ weight: z.number().positive() })).min(1),
    /** per coefficient on the monomial basis, the numerator's components (may be empty: c_k = 0) */
    numerators: z.array(z.array(GaussianComponentSchema)).min(1),
  })
  .superRefine((spec, ctx) => {
    const D = spec.observables;
    const check = (c: z.infer<typeof GaussianComponentSchema>, path: (string | number)[]) => {
      if (c.mean.length !== D || c.sigma.length !== D) ctx.addIssue({ code: 'custom', path, message: `mean and sigma need ${D} entries` });
    };
    spec.denominator.forEach((c, j) => check(c, ['denominator', j]));
    spec.numerators.forEach((list, k) => list.forEach((c, j) => check(c, ['numerators', k, j])));
  }, afterStructure);

export type AnalyticRatioSpec = z.infer<typeof AnalyticRatioSchema>;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function logNormal(events: ArrayLike<number>, offset: number, c: { mean: number[]; sigma: number[] }): number {
  let s = 0;
  for (let d = 0; d < c.mean.length; d++) {
    const u = (events[offset + d] - c.mean[d]) / c.sigma[d];
    s -= 0.5 * u * u + Math.log(c.sigma[d]) + LOG_SQRT_2PI;
  }
  return s;
}

/** c(x_i) for n events (n × D row-major) into an n × C matrix. */
export function analyticRatioCoefficients(spec: AnalyticRatioSpec, events: ArrayLike<number>, n: number): Float64Array {
  const D = spec.observables;
  const C = spec.numerators.length;
  const out = new Float64Array(n * C);
  const logDen = new Float64Array(spec.denominator.length);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    spec.denominator.forEach((c, j) => {
      logDen[j] = Math.log(c.weight) + logNormal(events, i * D, c);
      max = Math.max(max, logDen[j]);
    });
    let sum = 0;
    for (let j = 0; j < logDen.length; j++) sum += Math.exp(logDen[j] - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < C; k++) {
      let v = 0;
      for (const c of spec.numerators[k]) v += c.weight * Math.exp(logNormal(events, i * D, c) - lse);
      out[i * C + k] = v;
    }
  }
  return out;
}
