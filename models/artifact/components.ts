/**
 * Schemas of the binary components an artifact holds (MessagePack payloads), one per
 * component kind, discriminated on `kind`. Typed arrays are checked for type, length and
 * finiteness here, so nothing downstream meets a malformed array.
 */
import { z } from 'zod';
import { AnalyticRatioSchema } from '../ratio/analytic-ratio.js';
import { BinnedModelSchema } from '../terms/binned/schema.js';
import { AnyFrozenNetworkSchema } from '../network/frozen-network-schema.js';
import { afterStructure } from '../schema-checks.js';

const NumberArray = z.custom<Float64Array | Float32Array>((v) => v instanceof Float64Array || v instanceof Float32Array, 'must be a Float64Array or Float32Array');

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

export const CoefficientSampleSchema = z
  .object({
    kind: z.literal('coefficient-sample'),
    /** events N */
    count: z.number().int().positive(),
    /** coefficients per event C */
    coefficients: z.number().int().positive(),
    /** N × C matrices: the ensemble estimate first, then one per member (or only the exact ones) */
    variants: z.array(NumberArray).min(1),
    /** weights of the reference events at θ0 (default unit weights) */
    weights: NumberArray.optional(),
  })
  .superRefine((s, ctx) => {
    s.variants.forEach((v, k) => {
      if (v.length !== s.count * s.coefficients) ctx.addIssue({ code: 'custom', path: ['variants', k], message: `needs ${s.count} × ${s.coefficients} values, got ${v.length}` });
      else if (!allFinite(v)) ctx.addIssue({ code: 'custom', path: ['variants', k], message: 'holds non-finite values' });
    });
    if (s.weights && (s.weights.length !== s.count || !allFinite(s.weights))) ctx.addIssue({ code: 'custom', path: ['weights'], message: `needs ${s.count} finite weights` });
  }, afterStructure);

export const EventSampleSchema = z
  .object({
    kind: z.literal('event-sample'),
    count: z.number().int().nonnegative(),
    observables: z.number().int().positive(),
    /** count × observables, row-major, in the manifest's observable order and units */
    values: NumberArray,
    weights: NumberArray.optional(),
    description: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.values.length !== s.count * s.observables) ctx.addIssue({ code: 'custom', path: ['values'], message: `needs ${s.count} × ${s.observables} values` });
    else if (!allFinite(s.values)) ctx.addIssue({ code: 'custom', path: ['values'], message: 'holds non-finite values' });
    if (s.weights && (s.weights.length !== s.count || !allFinite(s.weights))) ctx.addIssue({ code: 'custom', path: ['weights'], message: `needs ${s.count} finite weights` });
  }, afterStructure);

export const BinnedModelComponentSchema = z.object({
  kind: z.literal('binned-model'),
  model: BinnedModelSchema,
  /** observed counts per channel name */
  observations: z.record(z.string(), z.array(z.number().nonnegative())).optional(),
});

export const NetworkComponentSchema = z.object({ kind: z.literal('network'), network: AnyFrozenNetworkSchema });
export const AnalyticRatioComponentSchema = z.object({ kind: z.literal('analytic-ratio'), ratio: AnalyticRatioSchema });

/**
 * The result page's numbers, computed when the artifact was published (scans, contours and
 * summaries take minutes for a large learned likelihood, beyond a Worker's CPU budget).
 * Their structure belongs to the page (functions/pages/analysis.ts), which checks it.
 */
export const PageAnalysisComponentSchema = z.object({ kind: z.literal('page-analysis'), analysis: z.record(z.string(), z.unknown()) });

export const ComponentPayloadSchema = z.discriminatedUnion('kind', [
  PageAnalysisComponentSchema,
  CoefficientSampleSchema,
  EventSampleSchema,
  BinnedModelComponentSchema,
  NetworkComponentSchema,
  AnalyticRatioComponentSchema,
]);

export type ComponentPayload = z.infer<typeof ComponentPayloadSchema>;
export type CoefficientSample = z.infer<typeof CoefficientSampleSchema>;
export type EventSample = z.infer<typeof EventSampleSchema>;
export type BinnedModelComponent = z.infer<typeof BinnedModelComponentSchema>;
