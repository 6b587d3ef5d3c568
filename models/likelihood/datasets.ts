/**
 * Datasets (DESIGN.md "The public HTTP API", `Dataset`), resolved for every term of a
 * likelihood through the `Term` interface:
 *
 * - `asimov` at θ_A (default θ0): each term's expected data at θ_A, nuisances at their nominal
 *   values (the reference sample reweighted to θ_A for unbinned terms, the expected counts for
 *   binned ones), at any luminosity;
 * - `observed`: the published data;
 * - `submitted`: events (n × D in the likelihood's observable order) with optional weights, for
 *   unbinned terms, and counts per channel for binned terms.
 *
 * Every problem with a dataset is a `DatasetError` carrying the path of the offending field in
 * the dataset request `{ data, at, luminosity, rate }`.
 */
import { DatasetError, type SubmittedData, type ToyRandom } from './term.js';
import type { Likelihood, LikelihoodData, TermData } from './likelihood.js';
import { assertInsideSelection } from './selection.js';

export { DatasetError } from './term.js';

export type ParameterPoint = Readonly<Record<string, number>>;

export type DatasetSpec = { kind: 'asimov'; at?: ParameterPoint } | { kind: 'observed' } | ({ kind: 'submitted' } & SubmittedData);

/** How far a dataset's luminosity may lie from the published one: the templates scale by this factor, and beyond it the likelihood leaves double precision. */
export const LUMINOSITY_RANGE = [1e-6, 1e6] as const;

export interface DatasetOptions {
  /** integrated luminosity of the data, in the manifest's unit (default: the published one) */
  luminosity?: number;
  /** false drops the unbinned rate term: a shape-only likelihood */
  rate?: boolean;
}

/** An unknown parameter name in a point (a `DatasetError` the service reports as such). */
export class UnknownParameterError extends DatasetError {
  override readonly name = 'UnknownParameterError';
}

/** A parameter value outside its allowed range (a `DatasetError` the service reports as such). */
export class ParameterRangeError extends DatasetError {
  override readonly name = 'ParameterRangeError';
}

/**
 * The global parameter vector for a point given by name: parameters of interest from the
 * point (missing ones at their reference value), nuisances at their initial values.
 * Unknown names and values outside the allowed range are errors at `path`.
 */
export function parameterVector(likelihood: Likelihood, point: ParameterPoint, path: (string | number)[] = [], options: { nuisances?: boolean } = {}): Float64Array {
  const params = likelihood.initial();
  const addressable = options.nuisances ? likelihood.names.length : likelihood.interest;
  for (const [name, value] of Object.entries(point)) {
    const index = likelihood.indexOf(name);
    if (index < 0 || index >= addressable) {
      const known = likelihood.names.slice(0, addressable);
      const listed = known.length > 12 ? `${known.slice(0, 12).join(', ')} and ${known.length - 12} more` : known.join(', ');
      const hint = !options.nuisances && index >= 0 ? ' (a nuisance parameter: only `nll` points may set those)' : '';
      throw new UnknownParameterError([...path, name], `unknown parameter '${name}'${hint}; this likelihood has ${listed}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DatasetError([...path, name], `parameter '${name}' must be a finite number`);
    const [lo, hi] = likelihood.parameters[index].bounds;
    if (value < lo || value > hi) throw new ParameterRangeError([...path, name], `parameter '${name}' = ${value} lies outside its allowed range [${lo}, ${hi}]`);
    params[index] = value;
  }
  return params;
}

/** Whether every term publishes observed data (the default dataset is then `observed`, else `asimov`). */
export function hasObservedData(likelihood: Likelihood): boolean {
  return likelihood.terms.every(({ term }) => term.hasObserved);
}

export function resolveDataset(likelihood: Likelihood, spec: DatasetSpec, options: DatasetOptions = {}): LikelihoodData {
  const luminosity = options.luminosity ?? likelihood.publishedLuminosity;
  if (!(luminosity > 0) || !Number.isFinite(luminosity)) throw new DatasetError(['luminosity'], 'luminosity must be a positive finite number');
  const scale = luminosity / likelihood.publishedLuminosity;
  if (!(scale >= LUMINOSITY_RANGE[0] && scale <= LUMINOSITY_RANGE[1])) {
    throw new DatasetError(['luminosity'], `luminosity ${luminosity} is ${scale.toExponential(2)} times the published ${likelihood.publishedLuminosity}; it must lie between ${LUMINOSITY_RANGE[0]} and ${LUMINOSITY_RANGE[1]} times it`);
  }
  const rate = options.rate ?? true;
  if (!rate && likelihood.terms.some(({ term }) => term.submits === 'counts')) throw new DatasetError(['rate'], 'rate: false (shape only) applies to unbinned terms; this likelihood has binned terms');

  const terms: Record<string, TermData> = {};
  const at = spec.kind === 'asimov' ? parameterVector(likelihood, spec.at ?? {}, ['at']) : null;
  if (spec.kind === 'submitted') {
    for (const [field, kind] of [['events', 'events'], ['binned', 'counts']] as const) {
      if (spec[field] && !likelihood.terms.some(({ term }) => term.submits === kind)) throw new DatasetError(['data', field], `this likelihood has no ${kind === 'events' ? 'unbinned' : 'binned'} terms: ${field === 'events' ? 'events' : 'binned counts'} do not apply`);
    }
  }
  if (spec.kind === 'submitted' && spec.events) assertInsideSelection(spec.events.values, spec.events.count, spec.events.observables, likelihood.selection, ['data', 'events']);
  for (const { term, index } of likelihood.terms) {
    try {
      if (at) terms[term.name] = term.asimov(at, index, likelihood.context(term, luminosity, rate));
      else terms[term.name] = spec.kind === 'submitted' ? term.submitted(spec) : term.observed();
    } catch (error) {
      if (error instanceof DatasetError && !at) throw new DatasetError(['data', ...error.path], error.message);
      throw error;
    }
  }
  return { luminosity, rate, terms };
}

/**
 * A pseudo-experiment at global `params`: every term's toy (`Term.toy`: counts or events drawn
 * around their expectation, auxiliary data from the constraints) at the luminosity and rate of
 * `like`, the dataset it stands beside.
 */
export function toyDataset(likelihood: Likelihood, params: Float64Array, like: Pick<LikelihoodData, 'luminosity' | 'rate'>, rng: ToyRandom): LikelihoodData {
  const terms: Record<string, TermData> = {};
  for (const { term, index } of likelihood.terms) terms[term.name] = term.toy(params, index, likelihood.context(term, like.luminosity, like.rate), rng);
  return { luminosity: like.luminosity, rate: like.rate, terms };
}

/** Events n × D in the likelihood's observable order (and optional weights) as a submitted dataset. */
export function eventsDataset(likelihood: Likelihood, values: ArrayLike<number>, count: number, weights?: ArrayLike<number>): DatasetSpec {
  return { kind: 'submitted', events: { values, count, observables: likelihood.observables }, ...(weights ? { weights } : {}) };
}
