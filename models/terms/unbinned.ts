/**
 * What every unbinned term offers besides the `Term` interface, whichever way its ratio
 * R̂(x|θ) = dσ(x|θ)/dσ(x|θ0) is represented: a polynomial in θ with learned coefficients
 * ĉ(x) (unbinned-polynomial.ts) or a network taking (x, θ) (unbinned-parametrised.ts). The
 * service asks these questions (per-event ratios, event counts, costs) without asking
 * which kind it holds. Also the checks on submitted events both kinds share.
 */
import { DatasetError, NonPositiveRateError, type ToyRandom, type SubmittedData, type Term } from '../likelihood/term.js';
import type { UnbinnedParametrisedTerm } from './unbinned-parametrised.js';
import type { UnbinnedPolynomialTerm } from './unbinned-polynomial.js';

export interface UnbinnedTerm<Data = unknown> extends Term<Data> {
  readonly kind: 'unbinned-polynomial' | 'unbinned-parametrised';
  /** σ(θ0) in the manifest's unit */
  readonly sigma0: number;
  /** θ0 of the term's parameters, in their order */
  readonly reference: Float64Array;
  /** the observables the term reads, in its input order (empty for a term built from data alone) */
  readonly observables: readonly string[];
  /** events of the published reference sample drawn at θ0 (0 where none) */
  readonly referenceCount: number;
  /** events of the published observed data (0 where none) */
  readonly observedCount: number;
  /** the data of events n × D in the term's observables, with optional weights */
  eventData(values: ArrayLike<number>, count: number, weights?: Float64Array | null): Data;
  /** ln r(x_i|θ, θ0) = ln[p(x_i|θ)/p(x_i|θ0)] per event, for one variant (seed 003 eq. 5) */
  eventLogRatios(data: Data, params: Float64Array, index: Int32Array, variant?: number): Float64Array;
  /** σ(θ) for a variant at global parameters */
  totalCrossSection(params: Float64Array, index: Int32Array, variant?: number): number;
  /** what making data of `events` events costs: submitted ones or the published samples (rough flops, bytes held) */
  dataCost(events: number, submitted: boolean): { units: number; memoryBytes: number };
  /** what `eventLogRatios` costs for `events` events at `points` points, every variant (rough flops, bytes held) */
  ratioCost(events: number, points: number): { units: number; memoryBytes: number };
}

/** Either kind of unbinned term, told apart by `kind`. */
export type AnyUnbinnedTerm = UnbinnedPolynomialTerm | UnbinnedParametrisedTerm;

/** The unbinned terms of a likelihood, in order. */
export function unbinnedTerms(likelihood: { readonly terms: readonly { readonly term: Term }[] }): AnyUnbinnedTerm[] {
  return likelihood.terms.flatMap(({ term }) => (term.kind === 'unbinned-polynomial' || term.kind === 'unbinned-parametrised' ? [term as AnyUnbinnedTerm] : []));
}

/**
 * Submitted events and weights, checked: n × D finite values, n finite non-negative weights
 * (`DatasetError` paths inside the dataset); the events in the term's own observable order.
 */
export function submittedEvents(name: string, data: SubmittedData, termObservables: readonly string[]): { values: ArrayLike<number>; count: number; weights: Float64Array | null } {
  if (!data.events) throw new DatasetError([], `term '${name}' is unbinned: submit events, not binned counts`);
  const { values, count, observables } = data.events;
  const D = observables.length;
  if (values.length !== count * D) throw new DatasetError(['events'], `events need ${D} values each (${observables.join(', ')}); got ${values.length} values for ${count} events`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new DatasetError(['events', Math.floor(i / D), i % D], 'event values must be finite numbers');
  }
  let weights: Float64Array | null = null;
  if (data.weights) {
    if (data.weights.length !== count) throw new DatasetError(['weights'], `${count} events need ${count} weights, got ${data.weights.length}`);
    weights = Float64Array.from(data.weights);
    weights.forEach((w, i) => {
      if (!(w >= 0) || !Number.isFinite(w)) throw new DatasetError(['weights', i], 'weights must be finite and non-negative');
    });
  }
  const columns = termObservables.map((o) => observables.indexOf(o));
  const own = columns.length === D && columns.every((c, j) => c === j);
  return { values: own ? values : selectColumns(values, count, D, columns), count, weights };
}

/** The given columns of an n × D row-major matrix. */
function selectColumns(values: ArrayLike<number>, count: number, D: number, columns: readonly number[]): Float64Array {
  const out = new Float64Array(count * columns.length);
  for (let i = 0; i < count; i++) for (let j = 0; j < columns.length; j++) out[i * columns.length + j] = values[i * D + columns[j]];
  return out;
}

/** Σ w_i (n for unit weights). */
export function totalWeight(count: number, weights: ArrayLike<number> | null): number {
  if (!weights) return count;
  let W = 0;
  for (let i = 0; i < count; i++) W += weights[i];
  return W;
}

/** Draws a pseudo-experiment's events from the weighted sample that represents the model at θ (`toySampler`). */
export type ToySampler = (theta: ArrayLike<number>, weightsAt: () => ArrayLike<number>, expected: number, rng: ToyRandom) => Int32Array;

/**
 * The events of pseudo-experiments drawn from a weighted sample that represents the model at θ:
 * their count N ~ Poisson(`expected`), each event the sample's i-th with probability ∝ w_i at θ
 * (`weightsAt()`: w_i R̂(x_i|θ), the sample drawn at θ0 reweighted to θ); their indices into the
 * sample, ascending. The sample stands in for the model, so toys repeat its events: enough for
 * test-statistic distributions when the sample is far larger than the data. The cumulative
 * weights at the last θ are kept: the toys of one hypothesis, all at one θ, reweight the sample once.
 */
export function toySampler(term: string): ToySampler {
  let last: { key: string; cumulative: Float64Array } | null = null;
  return (theta, weightsAt, expected, rng) => {
    const key = Array.from(theta).join(',');
    if (last?.key !== key) last = { key, cumulative: cumulativeWeights(term, weightsAt()) };
    return drawIndices(term, last.cumulative, expected, rng);
  };
}

function cumulativeWeights(term: string, weights: ArrayLike<number>): Float64Array {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new NonPositiveRateError(term, `weight × ratio of reference event ${i}, which toys sample from`, w);
    total += w;
    cumulative[i] = total;
  }
  if (!(total > 0)) throw new NonPositiveRateError(term, 'sum of the reference sample’s weights × ratios', total);
  return cumulative;
}

function drawIndices(term: string, cumulative: Float64Array, expected: number, rng: ToyRandom): Int32Array {
  if (!(expected >= 0) || !Number.isFinite(expected)) throw new NonPositiveRateError(term, 'expected number of events', expected);
  const n = cumulative.length;
  const total = cumulative[n - 1];
  const count = rng.poisson(expected);
  const indices = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const u = rng.uniform() * total;
    // the first i with cumulative[i] > u
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    indices[k] = lo;
  }
  return indices.sort();
}
