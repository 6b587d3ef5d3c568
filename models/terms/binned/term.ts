/**
 * The binned template term: HistFactory channels, samples and modifiers with pyhf's
 * semantics (pyhf `pdf.py`, `modifiers/`, `constraints.py`), where each sample's nominal
 * yield in each bin is a polynomial in the parameters of interest (DESIGN.md "polynomial
 * event weights", seed 000: a bin's yield is Σ_events c·m(Δθ)).
 *
 * Per sample s and bin b (pyhf's `_MainModel`: additive modifiers first, then factors),
 *
 *     ν_sb(θ, η) = L_scale · [ c_sb·m(θ − θ0) + Σ_histosys δ_sb(α) ] · Π_factors f(η),
 *     ν_b = Σ_s ν_sb,
 *
 * with factors normfactor μ, normsys interpolated factor, lumi λ, staterror, shapesys and
 * shapefactor γ_b. The negative log-likelihood is pyhf's −logpdf with every constant
 * (DESIGN.md "The likelihood", binned Poisson term and constraints):
 *
 *     −ln L = Σ_b [ν_b − n_b ln ν_b + ln Γ(n_b + 1)]
 *           + Σ_normal [½((a − p)/σ)² + ln σ + ½ ln 2π]
 *           + Σ_poisson [p τ − a ln(p τ) + ln Γ(a + 1)].
 *
 * Interpolation defaults are pyhf's `Model` defaults: normsys `code4`, histosys `code4p`
 * (pyhf ≥ 0.7; `code1`/`code0` on request through `interpolation`).
 *
 * Evaluation is precompiled into flat typed arrays: groups are (channel, sample) pairs
 * holding the sample's scalar factors and histosys parameters, rows are (bin, sample) pairs
 * ordered by global bin, each with its coefficient vector, its histosys deltas and its
 * per-bin factors. The gradient and Hessian are analytic (product rule over factors, the
 * basis derivatives for θ, and the Poisson chain rule per bin).
 *
 * This module assembles the term; the folder holds its parts: `schema.ts` (the
 * specification), `compile.ts` (parameters, constraints, the tables), `scratch.ts` (work
 * buffers), `interpolation.ts` (normsys and histosys codes), `yields.ts` (expected counts),
 * `nll.ts` (−ln L), `derivatives.ts` (gradient and Hessian), `asimov.ts` (Asimov data and
 * toys) and `data.ts` (counts per channel).
 */
import { DatasetError, type Derivatives, type EvaluationContext, type ParameterSpec, type SubmittedData, type Term, type ToyRandom } from '../../likelihood/term.js';
import { asimovData, nominalAux, toyData } from './asimov.js';
import { compileTables, type BinnedChannel, type BinnedConstraint, type CompiledBinnedModel } from './compile.js';
import { channelCounts, type BinnedData } from './data.js';
import { binnedNll } from './nll.js';
import { parseBinnedModel, type BinnedModelSpec } from './schema.js';
import { allocateScratch } from './scratch.js';
import { expectedCounts } from './yields.js';

/** The part of the evaluation context a binned term reads: the templates' luminosity scale. */
export type BinnedContext = Pick<EvaluationContext, 'luminosityScale'>;

const PUBLISHED: BinnedContext = { luminosityScale: 1 };

export interface BinnedTemplateTerm extends Term<BinnedData> {
  readonly kind: 'binned-template';
  readonly name: string;
  /** the model as compiled (validated), for export and result pages */
  readonly spec: BinnedModelSpec;
  /** the published observed counts per channel, or null */
  readonly observations: Readonly<Record<string, readonly number[]>> | null;
  /**
   * The term's own parameters: first the θ parameters (kind 'interest', init = reference,
   * bounds from the settings or (−∞, ∞)), then the nuisances in order of first appearance
   * (per-bin ones named `name[b]`, as pyhf's `par_names`).
   */
  readonly parameters: readonly ParameterSpec[];
  /** number of θ parameters, which come first in `parameters` */
  readonly interest: number;
  readonly channels: readonly BinnedChannel[];
  readonly totalBins: number;
  /** the constraint terms, in the order of the auxiliary data */
  readonly constraints: readonly BinnedConstraint[];
  /** expected counts per bin (concatenated) at global parameters `params`, `index` mapping term-local parameter j to global position */
  expected(params: Float64Array, index: Int32Array, luminosityScale?: number): Float64Array;
  /** −ln L; adds the analytic gradient and Hessian (global n, n × n row-major) into `derivatives` when given */
  nll(params: Float64Array, index: Int32Array, data: BinnedData, context?: BinnedContext, derivatives?: Derivatives): number;
  /** the nominal auxiliary data (observed aux of the published measurement) */
  nominalAux(): Float64Array;
  /** Asimov data: expected counts at params, aux at their expectation there (pyhf's `expected_auxdata`: p for normal, p τ for poisson constraints) */
  asimov(params: Float64Array, index: Int32Array, context?: BinnedContext): BinnedData;
  /** a random toy: Poisson counts around the expected ones, and aux data drawn from the constraints at params */
  toy(params: Float64Array, index: Int32Array, context: BinnedContext, rng: ToyRandom): BinnedData;
}

/**
 * Compiles a binned model specification (validated with `BinnedModelSchema`; throws
 * `InvalidBinnedModelError` listing every problem) into an evaluable term, with the published
 * observed counts per channel when there are some.
 */
export function compileBinnedModel(name: string, input: BinnedModelSpec, observations: Readonly<Record<string, readonly number[]>> | null = null, unconstrained: ReadonlySet<string> = new Set()): BinnedTemplateTerm {
  const spec = parseBinnedModel(input);
  const model = compileTables(name, spec, unconstrained);
  const scratch = allocateScratch(model);
  const { channels, totalBins } = model;
  const units = evaluationUnits(model);
  return {
    kind: 'binned-template',
    name,
    spec,
    observations,
    variants: 1,
    submits: 'counts',
    hasObserved: observations !== null,
    evaluationUnits: (order) => units[order],
    eventCount: () => 0,
    observed() {
      if (!observations) throw new DatasetError([], `this likelihood publishes no observed counts for term '${name}'`);
      return { counts: channelCounts(channels, totalBins, observations, []), aux: nominalAux(model) };
    },
    submitted(data: SubmittedData) {
      if (!data.binned) throw new DatasetError([], `term '${name}' is binned: submit counts per channel`);
      return { counts: channelCounts(channels, totalBins, data.binned, ['binned']), aux: nominalAux(model) };
    },
    parameters: model.parameters,
    interest: model.P,
    channels,
    totalBins,
    constraints: model.constraints,
    withoutConstraints: (parameters) => compileBinnedModel(name, spec, observations, new Set([...unconstrained, ...parameters])),
    expected: (params, index, luminosityScale = 1) => expectedCounts(model, scratch, params, index, luminosityScale),
    nll: (params, index, data, context = PUBLISHED, derivatives) => binnedNll(model, scratch, params, index, data, context.luminosityScale, derivatives),
    nominalAux: () => nominalAux(model),
    asimov: (params, index, context = PUBLISHED) => asimovData(model, scratch, params, index, context.luminosityScale),
    toy: (params, index, context, rng) => toyData(model, scratch, params, index, rng, context.luminosityScale),
  };
}

/**
 * The work of one evaluation (the Term interface's `evaluationUnits`): the value path visits
 * every row's coefficients and factors and takes a logarithm per bin; the gradient the same again
 * per factor; the Hessian adds the outer product over the parameters that touch each bin.
 */
function evaluationUnits(model: CompiledBinnedModel): [number, number, number] {
  const value = model.rows * (model.C + 4) + model.nSlots * 6 + 20 * model.totalBins + model.nCons;
  // per row, the factors and histosys deltas it carries: the product rule visits each, the
  // Hessian each pair; per bin, the outer product over the parameters that touch it
  let factors = 0;
  let pairs = 0;
  for (let r = 0; r < model.rows; r++) {
    const g = model.rowGroup[r];
    const k = model.groupSlotPtr[g + 1] - model.groupSlotPtr[g] + model.groupDeltaPtr[g + 1] - model.groupDeltaPtr[g] + model.rowSlotPtr[r + 1] - model.rowSlotPtr[r] + model.P;
    factors += k;
    pairs += k * k;
  }
  let outer = 0;
  for (let b = 0; b < model.totalBins; b++) outer += (model.binParamPtr[b + 1] - model.binParamPtr[b]) ** 2;
  return [value, 2 * value + 8 * factors, 2 * value + 8 * factors + pairs + 2 * outer];
}

/** The binned template terms of a likelihood, in order. */
export function binnedTerms(likelihood: { readonly terms: readonly { readonly term: Term }[] }): BinnedTemplateTerm[] {
  return likelihood.terms.flatMap(({ term }) => (term.kind === 'binned-template' ? [term as BinnedTemplateTerm] : []));
}
