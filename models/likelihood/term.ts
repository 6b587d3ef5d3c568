/**
 * What every likelihood term shares (seed 003 app. A eq. 49; DESIGN.md "The likelihood").
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
