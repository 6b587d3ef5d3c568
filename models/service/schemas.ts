/**
 * What each use case of the service takes and returns: the single source of truth for the
 * service's types, for request validation and response checks at the edge, for the OpenAPI
 * document and for the docs page. Also the limits every request is held to.
 */
import { z } from 'zod';
import { ContourLevelSchema } from '../inference/intervals/contour.js';
import { ConfidenceIntervalSchema } from '../inference/intervals/profile.js';

export const LIMITS = {
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
  /** pseudo-experiments per hypothesis of a toy-based CLs request (the CPU budget usually binds first) */
  toys: 100_000,
  /** operations of one JSON Patch */
  jsonPatchOperations: 10_000,
  /** bins of an inline workspace */
  workspaceBins: 5_000,
  /** parameters of an inline workspace (every fit holds an n × n Hessian and its factor) */
  workspaceParameters: 1_000,
  /** likelihoods in one combination */
  members: 8,
  /** grid points of a posterior */
  posteriorPoints: 2001,
  /** jets of one submitted observation, and constituents per jet (C(64, 3) = 41 664 triplets) */
  jets: 10_000,
  jetConstituents: 64,
} as const;

const TypedNumbers = z
  .custom<Float32Array | Float64Array>((v) => v instanceof Float32Array || v instanceof Float64Array, 'expected a Float32Array or Float64Array')
  .meta({ type: 'array', items: { type: 'number' }, description: 'a Float32Array or Float64Array (MessagePack typed array)' });

/** Raw bytes: MessagePack `bin` (msgpackr gives a Uint8Array) */
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (MessagePack bin)').meta({ type: 'string', format: 'binary' });

/**
 * Numbers as little-endian IEEE 754 bytes with their type: the array format any MessagePack
 * library writes (Python: `{"dtype": "float64", "data": array.astype("<f8").tobytes()}`), beside
 * msgpackr's own typed-array extension.
 */
export const BinaryNumbersSchema = z
  .object({ dtype: z.enum(['float32', 'float64']), data: Bytes })
  .strict()
  .meta({ description: 'numbers as little-endian bytes: {dtype: "float32" | "float64", data: <bin>} (MessagePack only)' });
export type BinaryNumbers = z.infer<typeof BinaryNumbersSchema>;

export const PointSchema = z
  .record(z.string(), z.number())
  .meta({ description: 'a parameter point keyed by parameter name; missing parameters take their reference value', example: { theta: 0.5 } });

export const EventsSchema = z
  .union([
    // the count is checked after decoding (413 too-many-events), not here, where a union would hide it
    z.array(z.array(z.number()).min(1).max(64)),
    z.object({
      shape: z.tuple([z.number().int().nonnegative(), z.number().int().positive().max(64)]),
      values: z.union([z.array(z.number()), TypedNumbers]),
    }),
    z.object({ shape: z.tuple([z.number().int().nonnegative(), z.number().int().positive().max(64)]) }).extend(BinaryNumbersSchema.shape).strict(),
  ])
  .meta({
    description: `events as rows of observables in the published order and units, or {shape: [n, d], values} (row-major; in MessagePack also msgpackr typed arrays), or {shape: [n, d], dtype: "float32" | "float64", data: <bin>} (row-major little-endian bytes: any MessagePack library); at most ${LIMITS.events} events (413 too-many-events)`,
  });

/** Events or counts beyond this are no dataset: the likelihood of 1e15 events already needs every digit of a double. */
const MAX_COUNT = 1e15;

const Counts = z.array(z.number().nonnegative().max(MAX_COUNT)).meta({ description: 'counts per bin' });

export const DatasetSchema = z
  .union([
    z.literal('asimov'),
    z.literal('observed'),
    z.object({ binned: z.record(z.string(), Counts) }).strict(),
    z
      .object({
        events: EventsSchema,
        weights: z.union([z.array(z.number().nonnegative().max(MAX_COUNT)), TypedNumbers, BinaryNumbersSchema]).optional(),
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
    points: z
      .array(PointSchema)
      .min(1)
      .max(LIMITS.points)
      .meta({
        description:
          'parameter points keyed by name: the parameters of interest and any nuisance parameter (the full vector, as pyhf’s logpdf takes it, constraint terms included); a parameter not named takes its reference value, or with `profile` a nuisance not named is profiled (then every point must name the same nuisances)',
      }),
    ...dataFields,
    profile: z.boolean().default(false).meta({ description: 'profile the nuisance parameters the points do not name (default: nuisances at their nominal values)' }),
    gradient: z.boolean().default(false).meta({ description: 'also return ∂NLL/∂θ (analytic) over the parameters `derivatives` names' }),
    hessian: z.boolean().default(false).meta({ description: 'also return the Hessian ∂²NLL/∂θ_i∂θ_j (analytic) over the parameters `derivatives` names; of the NLL itself, also where nuisances are profiled' }),
    memberSpread: z.boolean().default(true).meta({ description: 'for an ensemble, also evaluate every member for the spread (false: only the ensemble mean, m + 1 times fewer evaluations for m members)' }),
    derivatives: z.enum(['interest', 'all']).default('interest').meta({ description: 'what the gradient and Hessian cover, in the order of the response’s `parameters`: the parameters of interest (default), or every parameter, nuisances included' }),
    offset: z
      .union([z.literal('best-fit'), PointSchema])
      .optional()
      .meta({ description: 'subtract the NLL at the best fit (a global fit on the same data) or at the given point (nuisances not named at their nominal values), so that values are small numbers; the response states it' }),
  })
  .strict();

export const RatioRequestSchema = z
  .object({
    events: EventsSchema,
    points: z.array(PointSchema).min(1).max(LIMITS.points),
  })
  .strict();

export const ReweightRequestSchema = z
  .object({
    events: EventsSchema.meta({ description: 'events at the level the reweighting was learned (generator level for a DCTR reweighter), one array of observables each' }),
    points: z.array(PointSchema).min(1).max(LIMITS.points).meta({ description: 'the θ to reweight to, each inside the parameters’ ranges (where the reweighting was learned)' }),
  })
  .strict();

export const FitRequestSchema = z
  .object({
    ...dataFields,
    fixed: PointSchema.optional().meta({ description: 'parameters of interest held fixed in the fit' }),
  })
  .strict();

export const DiagnosticsRequestSchema = z
  .object({
    ...dataFields,
    poi: z.string().optional().meta({ description: 'the parameter of interest impacts are measured on (default: the first)' }),
    impacts: z
      .union([z.enum(['all', 'none']), z.array(z.string()).max(1000)])
      .default('all')
      .meta({ description: "whose impacts to compute: every free nuisance parameter ('all', default), 'none', or the named ones (four refits each: a large model may need fewer to fit one request's budget)" }),
  })
  .strict();

export const IntervalRequestSchema = z
  .object({
    parameters: z.array(z.string()).min(1).max(2).meta({ description: 'one parameter (1-D interval) or two (2-D contour); the others are profiled' }),
    cl: z.array(z.number().gt(0).lt(1)).min(1).max(5).default([0.68, 0.95]),
    ...dataFields,
    method: z
      .enum(['roots', 'scan'])
      .default('roots')
      .meta({
        description:
          "how the ends are found. `roots` (default): by root finding on √q outwards from the best fit and from the other minima the fit's starts found, a few profile fits per end; the ensemble members' searches start at the estimate's ends. `scan`: q on a grid of `points` (1-D) or points × points (2-D), each crossing refined by Brent's method, which also finds regions no minimum leads to",
      }),
    points: z.number().int().min(5).optional().meta({ description: "`scan`: scan points (1-D, default 61, at most 401) or grid points per axis (2-D, default 41, at most 81); where the default would cost more than a request may, the default is the largest count that fits (the scan or grid in the response shows it). `roots`: a 1-D scan of that many points looking for further minima (default none), or the 2-D check grid's points per axis (default 11)" }),
    range: z
      .union([z.tuple([z.number(), z.number()]), z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])])])
      .optional()
      .meta({
        description:
          "the scanned range: [lo, hi] for a 1-D interval (default: the parameter's allowed range, with a second, finer scan around the best fit where the likelihood's own scale is far finer), [[lo, hi], [lo, hi]] for a contour (default: around the best fit, at the likelihood's own scale); an interval reaching the ends is marked open there",
      }),
  })
  .strict();

export const PosteriorRequestSchema = z
  .object({
    parameter: z.string().optional().meta({ description: 'the parameter (default: the likelihood’s only one; a likelihood of several is refused: marginalising is not offered)' }),
    prior: z.tuple([z.number(), z.number()]).optional().meta({ description: "the uniform prior's range [lo, hi] (default: the parameter's allowed range); the posterior is tabulated there" }),
    points: z.number().int().min(11).max(LIMITS.posteriorPoints).default(201).meta({ description: 'grid points over the prior’s range (the density is linear between them)' }),
    cl: z.array(z.number().gt(0).lt(1)).min(1).max(5).default([0.68, 0.95]).meta({ description: 'credibilities of the highest-posterior-density regions' }),
    ...dataFields,
    jets: z
      .array(z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])).min(3).max(LIMITS.jetConstituents))
      .min(1)
      .max(LIMITS.jets)
      .optional()
      .meta({ description: 'instead of `data`, for a likelihood whose event is a summary of jets (eeec-top-mass): the jets of one observation, each a list of constituents (E, p_x, p_y, p_z) in GeV; the service computes the summary as the likelihood declares it' }),
  })
  .strict()
  .refine((r) => r.jets === undefined || r.data === undefined, { message: 'send `jets` or `data`, not both', path: ['jets'] });
export type PosteriorRequest = z.infer<typeof PosteriorRequestSchema>;

export const DensityRequestSchema = z
  .object({
    density: z.string().optional().meta({ description: 'which of the likelihood’s densities (default: its first)' }),
    points: z.array(PointSchema).min(1).max(LIMITS.points).meta({ description: 'points naming every variable and parameter of the density; the variables in the density’s region (in increasing order, between its min and max), the parameters in their allowed ranges' }),
  })
  .strict();
export type DensityRequest = z.infer<typeof DensityRequestSchema>;

const hypothesisFields = {
  poi: z.string().optional().meta({ description: 'the signal strength: a normfactor of the binned model (default: the first parameter of interest)' }),
  testStatistic: z.enum(['qtilde', 'q']).default('qtilde').meta({ description: 'q̃_μ (default, as pyhf) or q_μ (Cowan, Cranmer, Gross, Vitells 2011, eq. 14 and 16)' }),
};

export const ClsRequestSchema = z
  .object({
    values: z.array(z.number()).min(1).max(LIMITS.clsValues).meta({ description: 'POI values μ to test', example: [0.5, 1, 2] }),
    ...hypothesisFields,
    calculator: z
      .enum(['asymptotic', 'toys'])
      .default('asymptotic')
      .meta({ description: "'asymptotic' (Cowan et al. 2011, as pyhf) or 'toys': pseudo-experiments at the conditional fits to the data (the LHC procedure, pyhf's ToyCalculator), with Monte Carlo errors; priced before any work and refused (422 too-costly, with how many toys would fit) beyond one request's CPU budget" }),
    toys: z.number().int().min(10).max(LIMITS.toys).default(1000).meta({ description: 'toys per hypothesis (s+b and b) and POI value, for calculator "toys"' }),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1).meta({ description: 'seed of the toys: the same request gives the same numbers' }),
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

/** What makes a combination of published likelihoods (models/likelihood/combination.ts). */
const combinationFields = {
  likelihoods: z
    .array(z.string().min(1))
    .min(1)
    .max(LIMITS.members)
    .meta({ description: `the members, id or id@version, at most ${LIMITS.members}; parameters of interest with the same name are one parameter`, example: ['atlas-sbottom-regiona', 'pyhf-2bin-shapesys'] }),
  rename: z
    .record(z.string(), z.record(z.string(), z.string()))
    .optional()
    .meta({ description: 'per member id, its parameter names → their names in the combination (to share a parameter of interest, or to correlate nuisances of different names)', example: { 'pyhf-2bin-shapesys': { mu: 'mu_SIG' } } }),
  correlate: z
    .array(z.string())
    .max(10_000)
    .optional()
    .meta({ description: 'nuisance names (after renaming) that are one parameter for every member that has them, their constraint counted once (it must be the same in each); every other nuisance stays the member\'s own, named `<id>/<name>`' }),
};

/** A combination's dataset: one kind for every member, or per member id (members not named take their default). */
const CombinationDataSchema = z
  .union([z.literal('asimov'), z.literal('observed'), z.record(z.string(), DatasetSchema)])
  .meta({ description: '"asimov" or "observed" for every member, or per member id any dataset a single likelihood takes; a member not named gets its default: "observed" where it publishes data, else "asimov"' });

const combinationDataFields = {
  ...dataFields,
  data: CombinationDataSchema.optional(),
  luminosity: z.number().positive().optional().meta({ description: "a factor on every member's published luminosity (default 1)" }),
};

export const CombinationNllRequestSchema = NllRequestSchema.extend({ ...combinationFields, ...combinationDataFields }).strict();
export const CombinationFitRequestSchema = FitRequestSchema.extend({ ...combinationFields, ...combinationDataFields }).strict();
export const CombinationIntervalRequestSchema = IntervalRequestSchema.extend({ ...combinationFields, ...combinationDataFields }).strict();
export type CombinationFields = z.infer<z.ZodObject<typeof combinationFields>> & { data?: z.infer<typeof CombinationDataSchema>; at?: Record<string, number>; luminosity?: number; rate?: boolean };

/** Fields of the inline pyhf endpoints that say which likelihood to build. */
export const workspaceSourceFields = {
  workspace: z.record(z.string(), z.unknown()).meta({ description: 'a pyhf workspace (schema 1.0.0), e.g. a HEPData background-only workspace' }),
  patchset: z.record(z.string(), z.unknown()).optional().meta({ description: 'a pyhf patchset; with `patch`, one of its patches is applied (its sha256 digest checked first, as pyhf)' }),
  patch: z
    .union([z.string(), z.array(z.union([z.number(), z.string()]))])
    .optional()
    .meta({ description: "the patch of `patchset` to apply, by name or by its label values" }),
  jsonPatch: z.array(z.unknown()).max(LIMITS.jsonPatchOperations).optional().meta({ description: 'an RFC 6902 JSON Patch applied to the workspace (instead of a patchset)' }),
  measurement: z.union([z.string(), z.number().int().nonnegative()]).optional().meta({ description: 'the measurement, by name or index (default: the first, as pyhf)' }),
  verify: z.boolean().default(true).meta({ description: "check the patchset's digest of the workspace (needs a JSON body: MessagePack loses the int/float distinction pyhf's digest depends on)" }),
};


export type NllRequest = z.infer<typeof NllRequestSchema>;
export type ClsRequest = z.infer<typeof ClsRequestSchema>;
export type UpperLimitRequest = z.infer<typeof UpperLimitRequestSchema>;
export type DiagnosticsRequest = z.infer<typeof DiagnosticsRequestSchema>;
export type DiagnosticsResponse = z.infer<typeof DiagnosticsResponseSchema>;
export type ReinterpretRequest = z.infer<typeof ReinterpretRequestSchema>;
export type WorkspaceSource = z.infer<z.ZodObject<typeof workspaceSourceFields>>;

/** POST /v1/pyhf/page: the workspace, and the POI where its measurement names none. */
export const InlinePageRequestSchema = z
  .object({ ...workspaceSourceFields, poi: z.string().optional().meta({ description: 'the signal strength, where the measurement names no POI' }) })
  .strict();
export type RatioRequest = z.infer<typeof RatioRequestSchema>;
export type ReweightRequest = z.infer<typeof ReweightRequestSchema>;
export type FitRequest = z.infer<typeof FitRequestSchema>;
export type IntervalRequest = z.infer<typeof IntervalRequestSchema>;
export type DatasetRequest = z.infer<typeof DatasetSchema>;
export type EventsRequest = z.infer<typeof EventsSchema>;


// Responses: what the service returns, as it reaches a client in JSON (where a NaN, from a
// fit that failed at one scan point, becomes null).
const NamedValues = z.record(z.string(), z.number().nullable());
const MaybeNumber = z.number().nullable().meta({ description: 'null where the value is not a finite number (a failed fit)' });

const CatalogueParameterSchema = z.object({ name: z.string(), reference: z.number(), range: z.tuple([z.number(), z.number()]), unit: z.string().optional() });

export const CatalogueEntrySchema = z.object({
  id: z.string(),
  latest: z.string().meta({ description: 'the latest version' }),
  versions: z.array(z.string()),
  title: z.string(),
  parameters: z.array(CatalogueParameterSchema).meta({ description: 'the parameters of interest' }),
  observables: z.array(z.string()).meta({ description: 'the observables of submitted events, in their column order' }),
  terms: z.array(z.object({ kind: z.string(), name: z.string() })),
  luminosity: z.object({ value: z.number(), unit: z.string() }).meta({ description: 'the luminosity of the published data and templates' }),
  links: z.object({ manifest: z.string(), page: z.string() }),
});

export const UnavailableEntrySchema = z.object({
  id: z.string(),
  latest: z.string(),
  versions: z.array(z.string()),
  unavailable: z.string().meta({ description: 'why this artifact cannot be served (e.g. a failed integrity check)' }),
});

/** The query of GET /v1/likelihoods/{id}/onnx/{component} (models/service/onnx.ts). */
export const OnnxQuerySchema = z
  .object({
    output: z
      .enum(['head', 'log-ratio'])
      .default('head')
      .meta({ description: "'head': input x [events, D], outputs members [K, events, H] and mean [events, H] (a sum-of-squares head's ĉ, a classifier's probability, a parametrised network's ln r̂); 'log-ratio', for a polynomial term's ratio network: inputs x and theta [1 or events, P], outputs log_ratio [events] and member_log_ratios [K, events], the signal fraction included" }),
    precision: z
      .enum(['float64', 'float32'])
      .optional()
      .meta({ description: "'float64' (default for onnxruntime): as the service computes (parity ~1e-15); 'float32' (the only one for roofit): native activation operators, for tools that evaluate float only" }),
    target: z
      .enum(['onnxruntime', 'roofit'])
      .default('onnxruntime')
      .meta({ description: "'onnxruntime': any number of events, every output; 'roofit': for ROOT's RooONNXFunction (SOFIE): float32, one event ([1, D] inputs), the mean output alone, which must be one number per event (output=log-ratio, or a one-output head)" }),
  })
  .strict();

export type OnnxQuery = z.infer<typeof OnnxQuerySchema>;

export const CatalogueResponseSchema = z.object({ likelihoods: z.array(z.union([CatalogueEntrySchema, UnavailableEntrySchema])) });

export const ParametersResponseSchema = z.object({
  parameters: z
    .array(
      z.object({
        name: z.string(),
        kind: z.enum(['interest', 'nuisance']),
        init: z.number().meta({ description: 'the reference value θ0 of a parameter of interest; a nuisance parameter’s nominal value' }),
        bounds: z.tuple([z.number().nullable(), z.number().nullable()]).meta({ description: 'the allowed range; null where unbounded' }),
        fixed: z.boolean(),
        constraint: z.enum(['none', 'normal', 'poisson']),
      }),
    )
    .meta({ description: 'every parameter in the order of the full vector: the parameters of interest, then the nuisance parameters' }),
});

export const NllResponseSchema = z.object({
  parameters: z.array(z.string()).meta({ description: 'the parameters of `gradient` and `hessian`, in their order: the parameters of interest, or every parameter with `derivatives: "all"`' }),
  nll: z.array(z.number()).meta({ description: '−ln L per point (unbinned terms up to a θ-free constant: ln R = 0 at the reference point), less `offset` where asked' }),
  gradient: z.array(z.array(z.number())).optional(),
  hessian: z.array(z.array(z.array(z.number()))).optional().meta({ description: 'per point, the Hessian as rows over `parameters`' }),
  offset: z.object({ nll: z.number(), parameters: NamedValues }).optional().meta({ description: 'the −ln L subtracted from every value, and the full point it was evaluated at' }),
  memberSpread: z
    .array(z.number())
    .optional()
    .meta({ description: 'standard deviation of the ensemble members’ NLL per point: the spread of the members, not a calibrated uncertainty (on the two-Gaussian toys the members’ spread of ln r holds the truth in 20–41% of cases where a 1σ band would hold 68%: docs/gaussian-toys.md)' }),
  nuisances: z.object({ parameters: z.array(z.string()), values: z.array(z.array(z.number())) }).optional(),
  converged: z.array(z.boolean()),
});

export const PosteriorResponseSchema = z.object({
  parameter: z.string(),
  prior: z.object({ kind: z.literal('uniform'), range: z.tuple([z.number(), z.number()]) }),
  tabulated: z.tuple([z.number(), z.number()]).meta({ description: 'the range of `grid`: the prior’s, or, for a posterior narrower than a quarter of it, the range holding all but 10⁻⁶ of the posterior widened by half its width on each side (tabulated again there)' }),
  grid: z.array(z.number()),
  density: z.array(z.number()).meta({ description: 'p(θ | data) ∝ L(θ) on the grid, normalised to ∫ p dθ = 1 (trapezoids)' }),
  mode: z.number().meta({ description: 'the grid’s largest density, refined by the parabola through its neighbours' }),
  hpd: z
    .array(z.object({ cl: z.number(), threshold: z.number(), intervals: z.array(z.tuple([z.number(), z.number()])), mass: z.number() }))
    .meta({ description: 'per credibility, the highest-posterior-density region {θ : p ≥ threshold} as disjoint intervals (several where the posterior is multimodal), and its mass' }),
});

export const DensityResponseSchema = z.object({
  density: z.string(),
  variables: z.array(z.string()),
  parameters: z.array(z.string()),
  values: z.array(z.number()).meta({ description: 'the density at each point in the variables themselves (per unit of each), the members’ mean' }),
  normalisation: z.string().meta({ description: 'what the density integrates to over its region' }),
});

export const RatioResponseSchema = z.object({
  observables: z.array(z.string()),
  logRatio: z.array(z.array(z.number())).meta({ description: 'per point, per event: ln r(x|θ, θ0) = ln p(x|θ) − ln p(x|θ0)' }),
  spread: z.array(z.array(z.number())).optional().meta({ description: 'standard deviation of the ensemble members’ ln r: the spread of the members, not a calibrated uncertainty (docs/gaussian-toys.md measures how often it holds the truth)' }),
});

export const ReweightResponseSchema = z.object({
  observables: z.array(z.string()),
  weights: z.array(z.array(z.number())).meta({ description: 'per point, per event: w(x|θ) = p(x|θ)/p(x|θ0), normalised so that the published reference sample at θ0 has mean weight 1' }),
  spread: z.array(z.array(z.number())).optional().meta({ description: 'standard deviation of the ensemble members’ weights: the spread of the members, not a calibrated uncertainty' }),
});

const FitWarnings = z.array(z.string()).meta({ description: 'problems met on the way, e.g. regions where the likelihood is undefined; and why any uncertainty is null' });

export const FitResponseSchema = z.union([
  z.object({
    converged: z.literal(true),
    message: z.string(),
    parameters: NamedValues.meta({ description: 'the best fit of the parameters of interest' }),
    nuisances: NamedValues,
    uncertainties: NamedValues.meta({ description: '√diag(covariance); null for fixed parameters, at a bound, or where the Hessian is not positive definite: `warnings` says which and why' }),
    nll: z.number(),
    covariance: z.object({ parameters: z.array(z.string()), matrix: z.array(z.array(z.number())) }).nullable().meta({ description: 'the inverse Hessian; null where it is not positive definite' }),
    iterations: z.number(),
    edm: z.number().meta({ description: 'the estimated distance to the minimum, ½ gᵀH⁻¹g' }),
    warnings: FitWarnings,
    ensemble: z.array(z.union([z.object({ parameters: NamedValues, nll: z.number() }), z.object({ converged: z.literal(false) })])).optional().meta({ description: 'the ensemble members’ fits, started at the estimate’s' }),
  }),
  z.object({ converged: z.literal(false), message: z.string(), parameters: z.null(), nll: z.null(), warnings: FitWarnings }),
]);

const ScanSchema = z.array(z.object({ value: z.number(), q: MaybeNumber, converged: z.boolean() })).meta({ description: 'the profile scan behind the intervals: q = 2 ΔNLL at each value' });

export const IntervalResponseSchema = z.object({
  parameter: z.string(),
  converged: z.boolean().meta({ description: 'every fit behind the result converged; if not, no interval is given' }),
  best: z.number().nullable(),
  nllMin: z.number().nullable(),
  intervals: z.array(ConfidenceIntervalSchema).nullable(),
  scan: ScanSchema,
  ensemble: z.array(z.object({ converged: z.boolean(), best: MaybeNumber, intervals: z.array(ConfidenceIntervalSchema).nullable() })).optional(),
  warnings: z.array(z.string()).meta({ description: "where the likelihood's own validation says its regions under-cover: the measured coverage below the nominal level" }),
});

export const ContourResponseSchema = z.object({
  parameters: z.tuple([z.string(), z.string()]),
  converged: z.boolean(),
  best: z.tuple([z.number(), z.number()]).nullable(),
  nllMin: z.number().nullable(),
  contours: z.array(ContourLevelSchema).nullable(),
  notes: z.array(z.string()).meta({ description: 'why no contour is given, a level has no region, or a region continues beyond the grid' }),
  warnings: z.array(z.string()).meta({ description: "where the likelihood's own validation says its regions under-cover" }),
  grid: z.object({ x: z.array(z.number()), y: z.array(z.number()), q: z.array(MaybeNumber) }).meta({ description: 'q on the grid, row-major: q[j · x.length + i] at (x[i], y[j])' }),
});

export const IntervalOrContourResponseSchema = z.union([IntervalResponseSchema, ContourResponseSchema]);

const HypothesisTestSchema = z.object({
  mu: z.number(),
  converged: z.boolean(),
  message: z.string(),
  cls: z.number().nullable().meta({ description: 'observed CLs = CL_s+b / CL_b' }),
  clsb: z.number().nullable(),
  clb: z.number().nullable(),
  expected: z.array(z.number()).nullable().meta({ description: "expected CLs, pyhf's order: at −2σ, −1σ, median, +1σ, +2σ of the background-only expectation" }),
  logCls: z.number().nullable().meta({ description: 'ln CLs = ln CL_s+b − ln CL_b, finite where CLs, CL_s+b or CL_b underflow to 0 (e.g. at very large luminosities)' }),
  logExpected: z.array(z.number()).nullable().meta({ description: 'ln of each expected CLs, same order' }),
  qmu: z.number().nullable().meta({ description: 'the test statistic on the observed data' }),
  qmuA: z.number().nullable().meta({ description: 'the test statistic on the Asimov (background-only) data; null for toys' }),
  muHat: z.number().nullable(),
  clsError: z.number().nullable().optional().meta({ description: 'toys: the Monte Carlo error of cls (binomial errors of CL_s+b and CL_b, propagated)' }),
  clsbError: z.number().nullable().optional(),
  clbError: z.number().nullable().optional(),
  failedToys: z.number().int().optional().meta({ description: 'toys: how many were left out because a fit did not converge' }),
});

const nullableNumber = z.number().nullable();
export const DiagnosticsResponseSchema = z.object({
  poi: z.string(),
  converged: z.boolean(),
  message: z.string(),
  poiValue: nullableNumber,
  poiSigma: nullableNumber,
  pulls: z
    .array(
      z.object({
        name: z.string(),
        constraint: z.enum(['normal', 'poisson', 'none']),
        nominal: z.number(),
        prefitSigma: nullableNumber.meta({ description: "the constraint's width: a normal constraint's σ, a Poisson constraint's √(θ0/τ)" }),
        value: z.number(),
        postfitSigma: nullableNumber,
        pull: nullableNumber.meta({ description: '(θ̂ − θ0)/σ_pre' }),
        constraintRatio: nullableNumber.meta({ description: 'σ̂/σ_pre' }),
      }),
    )
    .meta({ description: 'every free parameter but the POI, in the order of the full vector' }),
  impacts: z
    .array(z.object({ name: z.string(), prefit: z.tuple([nullableNumber, nullableNumber]).nullable(), postfit: z.tuple([nullableNumber, nullableNumber]) }))
    .meta({ description: 'ΔPOI with the parameter held at θ̂ − σ and θ̂ + σ (pre-fit σ_pre, post-fit σ̂) and the rest refitted; ranked by the larger post-fit shift; null where a refit failed' }),
  correlation: z.object({ names: z.array(z.string()), matrix: z.array(z.array(z.number())) }).nullable(),
  yields: z.array(
    z.object({
      term: z.string(),
      channel: z.string(),
      observed: z.array(z.number()).nullable(),
      prefit: z.array(z.number()),
      prefitError: z.array(z.number()),
      postfit: z.array(z.number()),
      postfitError: z.array(z.number()).nullable().meta({ description: '1σ from the covariance, σ² = J C Jᵀ' }),
    }),
  ),
});

export const ClsResponseSchema = z.object({
  poi: z.string(),
  testStatistic: z.enum(['qtilde', 'q']),
  calculator: z.enum(['asymptotic', 'toys']),
  toys: z.number().int().optional().meta({ description: 'toys per hypothesis and POI value' }),
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
  scan: z
    .array(
      z.object({
        mu: z.number(),
        cls: z.number().nullable().meta({ description: 'observed CLs; null where it was not evaluated or a fit failed (see message)' }),
        expected: z.array(z.number()).nullable().meta({ description: 'expected CLs; null where a fit failed (see message)' }),
        converged: z.boolean(),
        message: z.string().optional().meta({ description: 'why cls or expected is null, where one is' }),
      }),
    )
    .meta({ description: 'every POI value evaluated on the way, sorted' }),
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

export type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;
export type NllResponse = z.infer<typeof NllResponseSchema>;
export type ParametersResponse = z.infer<typeof ParametersResponseSchema>;
export type RatioResponse = z.infer<typeof RatioResponseSchema>;
export type ReweightResponse = z.infer<typeof ReweightResponseSchema>;
export type FitResponse = z.infer<typeof FitResponseSchema>;
export type IntervalResponse = z.infer<typeof IntervalResponseSchema>;
export type ContourResponse = z.infer<typeof ContourResponseSchema>;
export type ClsResponse = z.infer<typeof ClsResponseSchema>;
export type UpperLimitResponse = z.infer<typeof UpperLimitResponseSchema>;
export type ReinterpretResponse = z.infer<typeof ReinterpretResponseSchema>;
export type InlineModel = z.infer<typeof InlineModelSchema>;
