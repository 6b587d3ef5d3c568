/**
 * Request and response schemas of the public API (v1): the single source of truth for
 * validation, for the OpenAPI document and for the docs page.
 */
import { z } from 'zod';

export const LIMITS = {
  /** request body, bytes (JSON or MessagePack, after gzip is undone by the platform) */
  bodyBytes: 16 * 1024 * 1024,
  /** parameter points per nll / ratio request */
  points: 10_000,
  /** events per submitted dataset */
  events: 200_000,
  /** event × point values one ratio response may hold */
  ratioValues: 2_000_000,
  /** scan points of a 1-D interval */
  scanPoints: 401,
  /** grid points per axis of a 2-D contour */
  contourPoints: 81,
  /** POI values of one CLs request */
  clsValues: 200,
} as const;

const TypedNumbers = z.custom<Float32Array | Float64Array>((v) => v instanceof Float32Array || v instanceof Float64Array, 'expected a Float32Array or Float64Array');

export const PointSchema = z
  .record(z.string(), z.number())
  .meta({ description: 'a parameter point keyed by parameter name; missing parameters take their reference value', example: { theta: 0.5 } });

export const EventsSchema = z
  .union([
    z.array(z.array(z.number()).min(1).max(64)).max(LIMITS.events),
    z.object({
      shape: z.tuple([z.number().int().nonnegative().max(LIMITS.events), z.number().int().positive().max(64)]),
      values: z.union([z.array(z.number()), TypedNumbers]),
    }),
  ])
  .meta({ description: 'events as rows of observables in the published order and units, or {shape: [n, d], values} (row-major; typed arrays in MessagePack)' });

const Counts = z.array(z.number().nonnegative()).meta({ description: 'counts per bin' });

export const DatasetSchema = z
  .union([
    z.literal('asimov'),
    z.literal('observed'),
    z.object({ binned: z.record(z.string(), Counts) }).strict(),
    z
      .object({
        events: EventsSchema,
        weights: z.union([z.array(z.number().nonnegative()), TypedNumbers]).optional(),
        binned: z.record(z.string(), Counts).optional(),
      })
      .strict(),
  ])
  .meta({ description: '"asimov" (expected data at `at`), "observed" (the published data), binned counts per channel, or submitted events' });

const dataFields = {
  data: DatasetSchema.optional().meta({ description: 'default: "observed" where the likelihood publishes data, else "asimov"' }),
  at: PointSchema.optional().meta({ description: 'the point the Asimov dataset is generated at (default: the reference point)' }),
  luminosity: z.number().positive().optional().meta({ description: "integrated luminosity of the data, in the manifest's unit (default: the published one)" }),
  rate: z.boolean().optional().meta({ description: 'false drops the Poisson rate term of unbinned terms (shape-only likelihood)' }),
};

export const NllRequestSchema = z
  .object({
    points: z.array(PointSchema).min(1).max(LIMITS.points),
    ...dataFields,
    profile: z.boolean().default(false).meta({ description: 'profile the nuisance parameters at each point (default: nuisances at their nominal values)' }),
    gradient: z.boolean().default(false).meta({ description: 'also return ∂NLL/∂θ for the parameters of interest' }),
  })
  .strict();

export const RatioRequestSchema = z
  .object({
    events: EventsSchema,
    points: z.array(PointSchema).min(1).max(LIMITS.points),
  })
  .strict();

export const FitRequestSchema = z
  .object({
    ...dataFields,
    fixed: PointSchema.optional().meta({ description: 'parameters of interest held fixed in the fit' }),
  })
  .strict();

export const IntervalRequestSchema = z
  .object({
    parameters: z.array(z.string()).min(1).max(2).meta({ description: 'one parameter (1-D interval) or two (2-D contour); the others are profiled' }),
    cl: z.array(z.number().gt(0).lt(1)).min(1).max(5).default([0.68, 0.95]),
    ...dataFields,
    points: z.number().int().min(5).optional().meta({ description: 'scan points (1-D, default 61, at most 401) or grid points per axis (2-D, default 41, at most 81)' }),
    range: z
      .tuple([z.number(), z.number()])
      .optional()
      .meta({ description: "the scanned range of a 1-D interval (default: the parameter's allowed range); an interval reaching its ends is marked open there" }),
  })
  .strict();

const hypothesisFields = {
  poi: z.string().optional().meta({ description: 'the signal strength: a normfactor of the binned model (default: the first parameter of interest)' }),
  testStatistic: z.enum(['qtilde', 'q']).default('qtilde').meta({ description: 'q̃_μ (default, as pyhf) or q_μ (Cowan, Cranmer, Gross, Vitells 2011, eq. 14 and 16)' }),
};

export const ClsRequestSchema = z
  .object({
    values: z.array(z.number()).min(1).max(LIMITS.clsValues).meta({ description: 'POI values μ to test', example: [0.5, 1, 2] }),
    ...hypothesisFields,
    ...dataFields,
  })
  .strict();

export const UpperLimitRequestSchema = z
  .object({
    level: z.number().gt(0).lt(1).default(0.05).meta({ description: 'the CLs level (0.05: the 95% CLs upper limit)' }),
    range: z.tuple([z.number(), z.number()]).optional().meta({ description: "where to look for the limits (default: the POI's bounds)" }),
    ...hypothesisFields,
    ...dataFields,
  })
  .strict();

export const SignalSchema = z
  .object({
    sample: z.string().optional().meta({ description: 'the signal sample (default: the one sample the POI scales)' }),
    yields: z.record(z.string(), z.array(z.number())).meta({ description: 'new nominal yields per channel, one per bin; every channel where the sample is published must be given', example: { SR: [1.2, 0.4] } }),
  })
  .strict();

export const ReinterpretRequestSchema = z
  .object({
    signal: SignalSchema,
    values: z.array(z.number()).min(1).max(LIMITS.clsValues).default([1]).meta({ description: 'POI values μ at which to report CLs (default [1]: the new signal as given)' }),
    level: z.number().gt(0).lt(1).default(0.05),
    ...hypothesisFields,
  })
  .strict();

/** Fields of the inline pyhf endpoints that say which likelihood to build. */
export const workspaceSourceFields = {
  workspace: z.record(z.string(), z.unknown()).meta({ description: 'a pyhf workspace (schema 1.0.0), e.g. a HEPData background-only workspace' }),
  patchset: z.record(z.string(), z.unknown()).optional().meta({ description: 'a pyhf patchset; with `patch`, one of its patches is applied (its sha256 digest checked first, as pyhf)' }),
  patch: z
    .union([z.string(), z.array(z.union([z.number(), z.string()]))])
    .optional()
    .meta({ description: "the patch of `patchset` to apply, by name or by its label values" }),
  jsonPatch: z.array(z.unknown()).optional().meta({ description: 'an RFC 6902 JSON Patch applied to the workspace (instead of a patchset)' }),
  measurement: z.union([z.string(), z.number().int().nonnegative()]).optional().meta({ description: 'the measurement, by name or index (default: the first, as pyhf)' }),
  verify: z.boolean().default(true).meta({ description: "check the patchset's digest of the workspace (needs a JSON body: MessagePack loses the int/float distinction pyhf's digest depends on)" }),
};

export const InlineNllRequestSchema = NllRequestSchema.extend(workspaceSourceFields).strict();
export const InlineFitRequestSchema = FitRequestSchema.extend(workspaceSourceFields).strict();
export const InlineIntervalRequestSchema = IntervalRequestSchema.extend(workspaceSourceFields).strict();
export const InlineClsRequestSchema = ClsRequestSchema.extend(workspaceSourceFields).strict();
export const InlineUpperLimitRequestSchema = UpperLimitRequestSchema.extend(workspaceSourceFields).strict();
export const InlineReinterpretRequestSchema = ReinterpretRequestSchema.extend(workspaceSourceFields).strict();

export type NllRequest = z.infer<typeof NllRequestSchema>;
export type ClsRequest = z.infer<typeof ClsRequestSchema>;
export type UpperLimitRequest = z.infer<typeof UpperLimitRequestSchema>;
export type ReinterpretRequest = z.infer<typeof ReinterpretRequestSchema>;
export type WorkspaceSource = z.infer<z.ZodObject<typeof workspaceSourceFields>>;
export type RatioRequest = z.infer<typeof RatioRequestSchema>;
export type FitRequest = z.infer<typeof FitRequestSchema>;
export type IntervalRequest = z.infer<typeof IntervalRequestSchema>;
export type DatasetRequest = z.infer<typeof DatasetSchema>;

// Responses: documented here, from the same schemas the OpenAPI document is generated from.
const NamedValues = z.record(z.string(), z.number().nullable());
const Segment = z.object({ lower: z.number(), upper: z.number(), lowerOpen: z.boolean(), upperOpen: z.boolean() });
const Interval = z.object({ cl: z.number(), threshold: z.number().meta({ description: 'χ²_k quantile(cl)' }), segments: z.array(Segment) });

export const CatalogueResponseSchema = z.object({
  likelihoods: z.array(
    z.object({
      id: z.string(),
      latest: z.string(),
      versions: z.array(z.string()),
      title: z.string().optional(),
      parameters: z.array(z.object({ name: z.string(), reference: z.number(), range: z.tuple([z.number(), z.number()]), unit: z.string().optional() })).optional(),
      terms: z.array(z.object({ kind: z.string(), name: z.string() })).optional(),
      unavailable: z.string().optional().meta({ description: 'why this artifact cannot be served (e.g. a failed integrity check)' }),
    }),
  ),
});

export const NllResponseSchema = z.object({
  parameters: z.array(z.string()).meta({ description: 'the parameters of interest, in the order of `gradient`' }),
  nll: z.array(z.number()).meta({ description: '−ln L per point (unbinned terms up to a θ-free constant: ln R = 0 at the reference point)' }),
  gradient: z.array(z.array(z.number())).optional(),
  uncertainty: z.array(z.number()).optional().meta({ description: 'standard deviation of the ensemble members’ NLL per point' }),
  nuisances: z.object({ parameters: z.array(z.string()), values: z.array(z.array(z.number())) }).optional(),
  converged: z.array(z.boolean()),
});

export const RatioResponseSchema = z.object({
  observables: z.array(z.string()),
  logRatio: z.array(z.array(z.number())).meta({ description: 'per point, per event: ln r(x|θ, θ0) = ln p(x|θ) − ln p(x|θ0)' }),
  spread: z.array(z.array(z.number())).optional().meta({ description: 'ensemble standard deviation of ln r' }),
});

export const FitResponseSchema = z.object({
  converged: z.boolean(),
  message: z.string(),
  parameters: NamedValues.nullable(),
  nuisances: NamedValues.optional(),
  uncertainties: NamedValues.optional(),
  nll: z.number().nullable(),
  covariance: z.object({ parameters: z.array(z.string()), matrix: z.array(z.array(z.number())) }).nullable().optional(),
  iterations: z.number().optional(),
  edm: z.number().optional(),
  warnings: z.array(z.string()),
  ensemble: z.array(z.object({ parameters: NamedValues.optional(), nll: z.number().optional(), converged: z.boolean().optional() })).optional(),
});

export const IntervalResponseSchema = z.object({
  parameter: z.string().optional(),
  parameters: z.array(z.string()).optional(),
  converged: z.boolean(),
  best: z.union([z.number(), z.array(z.number())]).nullable(),
  nllMin: z.number().nullable(),
  intervals: z.array(Interval).nullable().optional(),
  contours: z.array(z.object({ cl: z.number(), threshold: z.number(), polygons: z.array(z.array(z.array(z.tuple([z.number(), z.number()])))) })).nullable().optional(),
  scan: z.array(z.object({ value: z.number(), q: z.number(), converged: z.boolean() })).optional(),
  grid: z.object({ x: z.array(z.number()), y: z.array(z.number()), q: z.array(z.number()) }).optional(),
  ensemble: z.array(z.object({ converged: z.boolean(), best: z.number(), intervals: z.array(Interval).nullable() })).optional(),
});

const HypothesisTestSchema = z.object({
  mu: z.number(),
  converged: z.boolean(),
  message: z.string(),
  cls: z.number().nullable().meta({ description: 'observed CLs = CL_s+b / CL_b' }),
  clsb: z.number().nullable(),
  clb: z.number().nullable(),
  expected: z.array(z.number()).nullable().meta({ description: "expected CLs, pyhf's order: at −2σ, −1σ, median, +1σ, +2σ of the background-only expectation" }),
  qmu: z.number().nullable().meta({ description: 'the test statistic on the observed data' }),
  qmuA: z.number().nullable().meta({ description: 'the test statistic on the Asimov (background-only) data' }),
  muHat: z.number().nullable(),
});

export const ClsResponseSchema = z.object({
  poi: z.string(),
  testStatistic: z.enum(['qtilde', 'q']),
  results: z.array(HypothesisTestSchema),
});

export const UpperLimitResponseSchema = z.object({
  poi: z.string(),
  level: z.number(),
  testStatistic: z.enum(['qtilde', 'q']),
  converged: z.boolean(),
  observed: z.number().nullable().meta({ description: 'the observed upper limit; null where not found (see messages)' }),
  expected: z.array(z.number().nullable()).meta({ description: "expected limits, pyhf's order: −2σ, −1σ, median, +1σ, +2σ" }),
  messages: z.array(z.string()),
  scan: z.array(z.object({ mu: z.number(), cls: z.number().nullable(), expected: z.array(z.number()).nullable(), converged: z.boolean() })).meta({ description: 'every POI value evaluated on the way, sorted' }),
});

export const ReinterpretResponseSchema = z.object({
  poi: z.string(),
  sample: z.string(),
  warnings: z.array(z.string()),
  cls: ClsResponseSchema,
  upperLimit: UpperLimitResponseSchema,
});

/** What the inline endpoints add: the model they built. */
export const InlineModelSchema = z.object({
  measurement: z.string(),
  poi: z.string(),
  patch: z.object({ name: z.string(), values: z.array(z.union([z.number(), z.string()])) }).nullable(),
  channels: z.number().int(),
  bins: z.number().int(),
  parameters: z.number().int(),
  warnings: z.array(z.string()),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string().optional() })).optional(),
  instance: z.string().optional(),
});
