/**
 * The one interface every kind of likelihood term implements (seed 003 app. A eq. 49;
 * DESIGN.md "The likelihood"): its −ln L with analytic derivatives, its Asimov data, its
 * published data and the data a client submits. Likelihood, datasets and CLs call it
 * without asking which kind of term they hold.
 *
 * A term declares the parameters it uses by name; the likelihood unions them into one
 * global parameter vector (parameters of interest first, in manifest order, then
 * nuisances in order of first appearance) and hands each term an `index` that maps
 * the term's j-th parameter to its global position. Terms add their −ln L into a
 * total and, when asked, their analytic gradient and Hessian into global arrays.
 */

/** Kind of constraint a nuisance parameter carries (HistFactory semantics, as pyhf). */
export type ConstraintKind = 'none' | 'normal' | 'poisson';

export interface ParameterSpec {
  readonly name: string;
  /** starting value for fits; the reference value θ0 for parameters of interest */
  readonly init: number;
  readonly bounds: readonly [number, number];
  readonly kind: 'interest' | 'nuisance';
  /** fixed in every fit (e.g. a staterror γ whose bin has no uncertainty) */
  readonly fixed: boolean;
  readonly constraint: ConstraintKind;
}

/** A free, unconstrained parameter of interest starting at its reference value θ0. */
export function interestParameter(name: string, reference: number, bounds: readonly [number, number], fixed = false): ParameterSpec {
  return { name, init: reference, bounds, kind: 'interest', fixed, constraint: 'none' };
}

/**
 * Optional derivative outputs. `gradient` has the global length n and `hessian` is
 * n × n row-major; a term *adds* its contribution to both.
 */
export interface Derivatives {
  gradient?: Float64Array;
  hessian?: Float64Array;
}

/** What a term's −ln L depends on besides parameters and data. */
export interface EvaluationContext {
  /** integrated luminosity L the data correspond to, in the manifest's unit */
  readonly luminosity: number;
  /** L over the published luminosity: the factor on published templates */
  readonly luminosityScale: number;
  /** include the unbinned terms' Poisson rate term (false: shape only) */
  readonly rate: boolean;
  /** ensemble variant: 0 = estimate, 1..K = members (clamped to the term's own) */
  readonly variant: number;
}

/** Data a client submits, already decoded; each term takes what it needs and checks it. */
export interface SubmittedData {
  /** events, n × D row-major, columns named by `observables` */
  readonly events?: { readonly values: ArrayLike<number>; readonly count: number; readonly observables: readonly string[] };
  /** one weight per event (default unit weights) */
  readonly weights?: ArrayLike<number>;
  /** counts per channel name */
  readonly binned?: Readonly<Record<string, ArrayLike<number>>>;
}

/** The random source a pseudo-experiment needs (`models/random.ts`'s `Random` satisfies it). */
export interface ToyRandom {
  uniform(): number;
  normal(): number;
  /** a Poisson-distributed integer with the given mean ≥ 0 */
  poisson(mean: number): number;
}

/** One constraint term π(a | p) of a nuisance parameter, in auxiliary-data order. */
export interface Constraint {
  /** the constrained parameter's name (a term parameter) */
  readonly parameter: string;
  readonly kind: 'normal' | 'poisson';
  /** width σ of a normal constraint (1 for poisson) */
  readonly sigma: number;
  /** rate factor τ of a poisson constraint, rate = p τ (1 for normal) */
  readonly tau: number;
  /** the nominal auxiliary datum */
  readonly aux: number;
}

/** A term's −ln L, its data and its parameters. */
export interface Term<Data = unknown> {
  readonly kind: string;
  readonly name: string;
  /** the term's parameters; the likelihood binds them to global positions by name */
  readonly parameters: readonly ParameterSpec[];
  /** 1 + ensemble members (1 without an ensemble) */
  readonly variants: number;
  /** what a client submits for this term: events (unbinned) or counts per channel (binned) */
  readonly submits: 'events' | 'counts';
  /** whether the artifact publishes observed data for this term */
  readonly hasObserved: boolean;
  /** −ln L at global parameters; adds the analytic gradient and Hessian into `derivatives` when given */
  nll(params: Float64Array, index: Int32Array, data: Data, context: EvaluationContext, derivatives?: Derivatives): number;
  /** the Asimov data at global parameters `params`: expected data, auxiliary data at their expectation */
  asimov(params: Float64Array, index: Int32Array, context: EvaluationContext): Data;
  /** the published observed data (`DatasetError` where there are none) */
  observed(): Data;
  /**
   * A pseudo-experiment drawn from the model at global `params` (toy-based tests): counts or
   * events around their expectation there, auxiliary data drawn from the constraints.
   */
  toy(params: Float64Array, index: Int32Array, context: EvaluationContext, rng: ToyRandom): Data;
  /** submitted data, checked (`DatasetError` with the path of the offending field inside the dataset) */
  submitted(data: SubmittedData): Data;
  /**
   * The work of one −ln L evaluation, in rough floating-point operations: `order` 0 for the
   * value, 1 with the gradient, 2 with the Hessian; `events` the events of an unbinned term's
   * data (binned terms ignore it); `variant` the ensemble variant evaluated (0, the estimate, by
   * default: a term whose members' evaluations cost less than the estimate's, which averages
   * them all, prices a member's by it). The service's cost model prices it before any work starts.
   */
  evaluationUnits(order: EvaluationOrder, events: number, variant?: number): number;
  /** the events in this term's data (0 for binned terms): what `evaluationUnits` counts */
  eventCount(data: Data): number;
  /** the constraint terms of its nuisance parameters, in the order of its auxiliary data (none for unbinned terms) */
  readonly constraints: readonly Constraint[];
  /**
   * The same term without the constraint terms of the named parameters (their auxiliary data
   * go with them): a combination that correlates a nuisance counts its constraint once.
   */
  withoutConstraints(parameters: ReadonlySet<string>): Term<Data>;
}

/** What an evaluation computes: the value (0), with the gradient (1), with the Hessian (2). */
export type EvaluationOrder = 0 | 1 | 2;

/** A dataset that does not fit the likelihood; `path` locates the offending field inside the dataset request. */
export class DatasetError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Thrown when a term's predicted rate or ratio is not positive: a defect to report, never to clip. */
export class NonPositiveRateError extends Error {
  constructor(
    readonly term: string,
    readonly where: string,
    readonly value: number,
  ) {
    super(`term '${term}': predicted ${where} is ${value}, not positive; the likelihood is undefined here`);
    this.name = 'NonPositiveRateError';
  }
}
