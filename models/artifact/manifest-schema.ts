/**
 * The published likelihood artifact's manifest (DESIGN.md "A published likelihood
 * artifact"): one zod schema, the single source of truth. The JSON Schema published
 * with the API is generated from it (`manifestJsonSchema`), and every cross-reference
 * (term → parameters, term → components) is checked here, with errors as structured
 * issues (code + path).
 */
import { z } from 'zod';
import { basisSize } from '../basis/monomial-basis.js';
import { afterStructure } from '../schema-checks.js';

export const MANIFEST_SCHEMA_VERSION = '1';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
export const ParameterName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a name of letters, digits and _, not starting with a digit');
export const ArtifactId = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,79}$/, 'lower-case letters, digits, "." and "-"');
export const ArtifactVersion = z.string().regex(/^\d+\.\d+\.\d+$/, 'a semantic version like 1.0.0');
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256');
const ComponentName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'lower-case letters, digits and "-"');

export const ParameterSchema = z
  .object({
    name: ParameterName,
    description: z.string().optional(),
    /** θ0: the reference point of the monomial basis (usually the Standard Model) */
    reference: finite,
    /** allowed range, used for fits, scans and contours */
    range: z.tuple([finite, finite]),
    unit: z.string().optional(),
    /** WCxf basis and coefficient name, for SMEFT Wilson coefficients */
    wcxf: z.object({ eft: z.string(), basis: z.string(), name: z.string() }).optional(),
  })
  .refine((p) => p.range[0] < p.reference && p.reference < p.range[1], { message: 'the reference value must lie inside the range', path: ['range'] });

export const ObservableSchema = z.object({
  name: ParameterName,
  unit: z.string().optional(),
  description: z.string().optional(),
  /**
   * the region min ≤ x ≤ max (in `unit`) that the likelihood describes: its cross section and
   * reference sample count only selected events, and submitted events outside are refused
   */
  selection: z
    .object({ min: z.number().optional(), max: z.number().optional() })
    .refine((s) => s.min !== undefined || s.max !== undefined, 'a selection needs min, max or both')
    .refine((s) => s.min === undefined || s.max === undefined || s.min < s.max, 'a selection needs min < max')
    .optional(),
});

export const ComponentKind = z.enum(['network', 'analytic-ratio', 'coefficient-sample', 'event-sample', 'binned-model', 'figure', 'page-analysis']);
export type ComponentKind = z.infer<typeof ComponentKind>;

export const ComponentRefSchema = z.object({
  kind: ComponentKind,
  /** file name inside the artifact's folder */
  file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a plain file name'),
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
  /** media type: application/msgpack for data, image/svg+xml for figures */
  mediaType: z.enum(['application/msgpack', 'image/svg+xml']),
  description: z.string().optional(),
});

/**
 * How σ(θ) = σ0 s·m(Δθ) was obtained: exact; summed from learned ĉ over the reference sample
 * (seed 003 eq. 34); or 'control-variate': eq. 34 with the generator's exact coefficients c(z)
 * as a control variate, s = s_exact + Σ w (ĉ(x) − c(z)) / Σ w, s_exact from a sample far larger
 * than the published one (the Monte Carlo error of σ(θ) then stays below the data's);
 * 'generator-sample': eq. 34 over the generator's own sample at θ0, larger than the published
 * reference sample (for a smaller Monte Carlo error where no exact control variate helps); or
 * 'morphing': the generator's σ(θ_i) at the benchmarks of a morphing-aware estimator, morphed
 * (seed 003 eq. 20-24: s = W⁻¹ [σ(θ_i)/σ0])
 */
const CrossSectionOrigin = z.enum(['exact', 'reference-sample', 'control-variate', 'generator-sample', 'morphing']);

export const UnbinnedPolynomialTermSchema = z.object({
  kind: z.literal('unbinned-polynomial'),
  name: ComponentName,
  description: z.string().optional(),
  /** the parameters R̂ depends on, in the order of the monomial basis */
  parameters: z.array(ParameterName).min(1),
  degree: z.number().int().min(1).max(8),
  /** the observables, in the order events are submitted */
  observables: z.array(ParameterName).min(1),
  crossSection: z.object({
    /** σ(θ0) */
    value: z.number().positive(),
    unit: z.string(),
    /** s on the monomial basis, σ(θ) = σ0 s·m(Δθ) (ensemble estimate) */
    coefficients: z.array(finite),
    origin: CrossSectionOrigin,
  }),
  /** component giving ĉ(x) for submitted events: a network or an analytic ratio */
  ratio: ComponentName,
  /**
   * component of kind network (sigmoid head, one output): the signal's share f_s(x) of
   * dσ(x|θ0) when a θ-independent background is present (seed 003 app. D). The term's
   * ratio is then f_s(x) ĉ(x) + (1 − f_s(x)) e_0, and its cross section is signal plus
   * background; the reference sample holds the combined coefficients.
   */
  signalFraction: ComponentName.optional(),
  /** component of kind coefficient-sample: ĉ over a reference sample drawn at θ0, for Asimov data and σ */
  reference: ComponentName,
  /** component of kind event-sample: the observed events, if published */
  observed: ComponentName.optional(),
});

/**
 * An unbinned term whose ratio is a network of (x, θ) (seed 003 eq. 6-11, CARL and ALICE):
 * −ln L = L σ(θ) − W ln(σ(θ)/σ(θ0)) − Σ w ln r̂(x|θ, θ0), with σ(θ) a polynomial on the
 * monomial basis (a classifier learns normalised densities, not rates).
 */
export const UnbinnedParametrisedTermSchema = z.object({
  kind: z.literal('unbinned-parametrised'),
  name: ComponentName,
  description: z.string().optional(),
  /** the parameters θ, in the order the network takes them after the observables */
  parameters: z.array(ParameterName).min(1),
  /** the observables, in the order events are submitted */
  observables: z.array(ParameterName).min(1),
  crossSection: z.object({
    value: z.number().positive(),
    unit: z.string(),
    /** degree of σ(θ) on the monomial basis */
    degree: z.number().int().min(1).max(8),
    coefficients: z.array(finite),
    /** 'exact' or 'morphing' (a classifier's ratio carries no rate, so no eq. 34 sum) */
    origin: CrossSectionOrigin.exclude(['reference-sample', 'control-variate', 'generator-sample']),
  }),
  /** component of kind network: inputs the observables then θ (absolute values), one identity output ln r̂(x|θ, θ0) */
  ratio: ComponentName,
  /**
   * 'reference-sample': r̂ is normalised by Z(θ), its weighted mean over the reference sample
   * (the eq. 34 analogue; exact Asimov fits, but every evaluation runs the network over the
   * sample, which must be far larger than the data); 'none': Z ≡ 1, the classifier's own
   * normalisation (models/terms/unbinned-parametrised.ts)
   */
  normalisation: z.enum(['reference-sample', 'none']).default('reference-sample'),
  /** component of kind event-sample: events drawn at θ0 with weights, for Asimov data (and Z) */
  reference: ComponentName,
  /** component of kind event-sample: the observed events, if published */
  observed: ComponentName.optional(),
  /**
   * how one event is made from jets (seed 002): the jets' EEEC in a shape's window, projected
   * onto `edges` (one bin per observable) and summed over the jets, normalised where asked; POST
   * …/posterior then takes the jets themselves
   */
  eventSummary: z
    .object({
      kind: z.literal('eeec-projection'),
      Q: z.number().positive(),
      shape: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('triangle'), n1: z.number().positive(), n2: z.number().positive(), delta: z.number().positive() }),
        z.object({ kind: z.literal('equilateral'), delta: z.number().positive() }),
      ]),
      edges: z.array(finite).min(2),
      normalise: z.boolean(),
    })
    .optional(),
});

/** What a channel's bins are: the observable binned and its bin edges, increasing. */
export const BinAxisSchema = z
  .object({
    observable: z.string().min(1),
    unit: z.string().optional(),
    /** the bins' edges: one more than the bins, or as many as the bins when the last bin is an overflow [last edge, ∞) */
    edges: z.array(finite).min(1),
    overflow: z.boolean().default(false),
  })
  .refine((a) => a.edges.every((e, k) => k === 0 || e > a.edges[k - 1]), { message: 'the edges must increase', path: ['edges'] });
export type BinAxis = z.infer<typeof BinAxisSchema>;

export const BinnedTemplateTermSchema = z.object({
  kind: z.literal('binned-template'),
  name: ComponentName,
  description: z.string().optional(),
  /** component of kind binned-model: channels, samples (coefficient templates), modifiers, observations */
  model: ComponentName,
  /** per channel name, its bin axis, where the producer knows it (a pyhf workspace does not carry one); checked against the bin counts when loaded */
  axes: z.record(z.string(), BinAxisSchema).optional(),
});

export const TermSchema = z.discriminatedUnion('kind', [UnbinnedPolynomialTermSchema, UnbinnedParametrisedTermSchema, BinnedTemplateTermSchema]);
export type TermManifest = z.infer<typeof TermSchema>;

export const CoverageSchema = z.object({
  /** nominal confidence level */
  cl: z.number().gt(0).lt(1),
  /** fraction of toys whose true θ lies inside the region (seed 003 eq. 53) */
  coverage: z.number().min(0).max(1),
  /** binomial standard error √(c(1−c)/n) */
  error: z.number().nonnegative(),
  toys: z.number().int().positive(),
  at: z.record(z.string(), finite),
  luminosity: z.number().positive(),
});

/** A table of results (fits, a study's runs) for the result page: a header and rows of as many cells. */
export const ValidationTableSchema = z
  .object({
    caption: z.string(),
    columns: z.array(z.string()).min(1).max(20),
    rows: z.array(z.array(z.union([z.string(), finite]))).max(500),
  })
  .refine((t) => t.rows.every((row) => row.length === t.columns.length), { message: 'every row has one cell per column', path: ['rows'] });
export type ValidationTable = z.infer<typeof ValidationTableSchema>;

export const ValidationSchema = z.object({
  coverage: z.array(CoverageSchema).optional(),
  /** closure against analytic truth, quantities named by the producer */
  closure: z.record(z.string(), finite).optional(),
  /** results the producer tabulates (fits, studies), shown as tables on the result page */
  tables: z.array(ValidationTableSchema).optional(),
  /** figures (components of kind figure) with captions */
  figures: z.array(z.object({ component: ComponentName, caption: z.string() })).optional(),
  notes: z.array(z.string()).optional(),
});

export const ProvenanceSchema = z.object({
  createdAt: z.string().datetime(),
  /** the tool that wrote the artifact and its version */
  producer: z.object({ name: z.string(), version: z.string(), command: z.string().optional() }),
  /** versions of the runtime and libraries involved (node, tfjs, backend, …) */
  versions: z.record(z.string(), z.string()),
  seeds: z.record(z.string(), z.number().int()).optional(),
  /** generator, simulator and training configuration, as the producer records them */
  configuration: z.record(z.string(), z.unknown()).optional(),
  /**
   * set when this version revises the metadata of an earlier one (units, bin axes, validation,
   * descriptions) with byte-identical components: the numbers it gives are the earlier version's
   */
  revisionOf: z.object({ version: ArtifactVersion, manifestSha256: Sha256, changes: z.array(z.string()).min(1) }).optional(),
});

/** A combination of published likelihoods (models/likelihood/combination.ts), each pinned by the sha256 of its manifest. */
export const CombinationSchema = z.object({
  members: z
    .array(z.object({ id: ArtifactId, version: ArtifactVersion, manifestSha256: Sha256 }))
    .min(2)
    .meta({ description: 'the members, each pinned to one version by its manifest’s sha256 (a member whose manifest differs is refused)' }),
  rename: z.record(z.string(), z.record(z.string(), z.string())).optional().meta({ description: 'per member id, its parameter names → their names in the combination' }),
  correlate: z.array(z.string()).optional().meta({ description: 'nuisance names shared by every member that has them, their constraint counted once' }),
});

/**
 * A network giving the density of some variables (seed 002's EEEC surrogate), served by POST
 * …/density: inputs ln x of each variable ('log' coordinates) or x ('linear'), then the
 * parameters; one identity output f. In 'log' coordinates the density in x is e^f / Π x.
 */
export const DensitySchema = z.object({
  name: ComponentName,
  description: z.string().optional(),
  /** component of kind network */
  network: ComponentName,
  variables: z.array(ParameterName).min(1).max(16),
  parameters: z.array(ParameterName),
  coordinates: z.enum(['log', 'linear']),
  /** where the density is defined: the variables in increasing order, min ≤ x1 ≤ x2 ≤ … ≤ max */
  region: z.object({ kind: z.literal('ordered'), min: finite, max: finite }).refine((r) => r.min < r.max, { message: 'min must be below max' }),
  /** what the density integrates to over the region, in words */
  normalisation: z.string(),
}).refine((d) => d.coordinates === 'linear' || d.region.min > 0, { message: 'log coordinates need a region above 0', path: ['region', 'min'] });
export type DensityManifest = z.infer<typeof DensitySchema>;

export const ManifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    id: ArtifactId,
    version: ArtifactVersion,
    title: z.string().min(1),
    description: z.string(),
    citation: z.array(z.string()).default([]),
    parameters: z.array(ParameterSchema).min(1),
    observables: z.array(ObservableSchema).default([]),
    luminosity: z.object({ value: z.number().positive(), unit: z.string() }),
    terms: z.array(TermSchema).default([]),
    /** instead of terms: a combination of published likelihoods */
    combination: CombinationSchema.optional(),
    components: z.record(ComponentName, ComponentRefSchema),
    /** component of kind page-analysis: the result page's numbers, precomputed at publication */
    pageAnalysis: ComponentName.optional(),
    /** densities of variables served by POST …/density (a surrogate of a distribution, not a term of the likelihood) */
    densities: z.array(DensitySchema).optional(),
    provenance: ProvenanceSchema,
    validation: ValidationSchema.default({}),
  })
  .superRefine((manifest, ctx) => {
    const parameterNames = new Set<string>();
    manifest.parameters.forEach((p, i) => {
      if (parameterNames.has(p.name)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `duplicate parameter '${p.name}'` });
      parameterNames.add(p.name);
    });
    if (manifest.combination ? manifest.terms.length > 0 : manifest.terms.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['terms'], message: 'a likelihood has terms, or is a combination of published ones (`combination`), not both' });
    }
    const observableNames = manifest.observables.map((o) => o.name);
    const termNames = new Set<string>();
    const needComponent = (name: string | undefined, kinds: ComponentKind[], path: (string | number)[]) => {
      if (name === undefined) return;
      const ref = manifest.components[name];
      if (!ref) ctx.addIssue({ code: 'custom', path, message: `no component named '${name}'` });
      else if (!kinds.includes(ref.kind)) ctx.addIssue({ code: 'custom', path, message: `component '${name}' is a ${ref.kind}, expected ${kinds.join(' or ')}` });
    };
    manifest.terms.forEach((term, t) => {
      if (termNames.has(term.name)) ctx.addIssue({ code: 'custom', path: ['terms', t, 'name'], message: `duplicate term '${term.name}'` });
      termNames.add(term.name);
      if (term.kind === 'unbinned-polynomial' || term.kind === 'unbinned-parametrised') {
        term.parameters.forEach((p, j) => {
          if (!parameterNames.has(p)) ctx.addIssue({ code: 'custom', path: ['terms', t, 'parameters', j], message: `'${p}' is not a parameter of this likelihood` });
        });
        term.observables.forEach((o, j) => {
          if (!observableNames.includes(o)) ctx.addIssue({ code: 'custom', path: ['terms', t, 'observables', j], message: `'${o}' is not an observable of this likelihood` });
        });
        const degree = term.kind === 'unbinned-polynomial' ? term.degree : term.crossSection.degree;
        const C = basisSize(term.parameters.length, degree);
        if (term.crossSection.coefficients.length !== C) {
          ctx.addIssue({ code: 'custom', path: ['terms', t, 'crossSection', 'coefficients'], message: `needs ${C} coefficients for degree ${degree} in ${term.parameters.length} parameters` });
        }
        needComponent(term.observed, ['event-sample'], ['terms', t, 'observed']);
        if (term.kind === 'unbinned-parametrised') {
          const edges = term.eventSummary?.edges;
          if (edges && edges.length !== term.observables.length + 1) {
            ctx.addIssue({ code: 'custom', path: ['terms', t, 'eventSummary', 'edges'], message: `needs ${term.observables.length + 1} edges, one bin per observable` });
          }
          // the projections bin equally between the first and the last edge
          const width = edges ? (edges[edges.length - 1] - edges[0]) / (edges.length - 1) : 0;
          if (edges && !(width > 0 && edges.every((e, k) => Math.abs(e - (edges[0] + k * width)) <= 1e-9 * Math.max(1, Math.abs(e))))) {
            ctx.addIssue({ code: 'custom', path: ['terms', t, 'eventSummary', 'edges'], message: 'the edges must increase in equal steps' });
          }
          needComponent(term.ratio, ['network'], ['terms', t, 'ratio']);
          needComponent(term.reference, ['event-sample'], ['terms', t, 'reference']);
          return;
        }
        needComponent(term.ratio, ['network', 'analytic-ratio'], ['terms', t, 'ratio']);
        needComponent(term.signalFraction, ['network'], ['terms', t, 'signalFraction']);
        needComponent(term.reference, ['coefficient-sample'], ['terms', t, 'reference']);
      } else {
        needComponent(term.model, ['binned-model'], ['terms', t, 'model']);
      }
    });
    manifest.validation.figures?.forEach((f, i) => needComponent(f.component, ['figure'], ['validation', 'figures', i, 'component']));
    needComponent(manifest.pageAnalysis, ['page-analysis'], ['pageAnalysis']);
    manifest.densities?.forEach((d, k) => {
      needComponent(d.network, ['network'], ['densities', k, 'network']);
      d.parameters.forEach((p, j) => {
        if (!parameterNames.has(p)) ctx.addIssue({ code: 'custom', path: ['densities', k, 'parameters', j], message: `'${p}' is not a parameter of this likelihood` });
      });
    });
  }, afterStructure);

export type Manifest = z.infer<typeof ManifestSchema>;
export type ParameterManifest = z.infer<typeof ParameterSchema>;

/** The manifest's JSON Schema (draft 2020-12), generated from the zod schema. */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ManifestSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}
