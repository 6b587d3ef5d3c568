/**
 * From a request's fields to what the models evaluate: parameter points as global vectors,
 * the dataset (`data`, `at`, `luminosity`, `rate`) resolved for every term, events as a flat
 * row-major array; and the one place where the models' failures become the service's
 * (`evaluating`): a dataset that does not fit is invalid input, a point where the likelihood
 * is undefined likewise, a POI for which CLs does not apply is not applicable. Every other
 * error is a defect and stays one.
 */
import type { Manifest } from '../artifact/manifest-schema.js';
import { InvalidPoiError } from '../inference/calculators/asymptotic.js';
import { SelectionError } from '../likelihood/selection.js';
import { DatasetError, hasObservedData, ParameterRangeError, parameterVector, resolveDataset, UnknownParameterError, type DatasetSpec, type ParameterPoint } from '../likelihood/datasets.js';
import type { Likelihood, LikelihoodData } from '../likelihood/likelihood.js';
import { NonPositiveRateError } from '../likelihood/term.js';
import { unbinnedTerms } from '../terms/unbinned.js';
import { LruCache } from './cache.js';
import { Cost, eventCounts, likelihoodSizes, type EventCounts } from './cost.js';
import { invalidInput, ServiceError, tooCostly } from './errors.js';
import { LIMITS, type BinaryNumbers, type DatasetRequest, type EventsRequest } from './schemas.js';

/** Runs a model computation; the models' failures that are the client's become `ServiceError`s. */
export function evaluating<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof NonPositiveRateError) throw invalidInput('likelihood-undefined', error.message);
    if (error instanceof DatasetError) throw invalidInput(error instanceof UnknownParameterError ? 'unknown-parameter' : error instanceof ParameterRangeError ? 'parameter-out-of-range' : error instanceof SelectionError ? 'outside-selection' : 'invalid-dataset', error.message, error.path);
    if (error instanceof InvalidPoiError) throw new ServiceError({ kind: 'not-applicable', message: `CLs does not apply: ${error.message}`, issues: [{ path: ['poi'], message: error.message }] });
    throw error;
  }
}

/** The events of a request as a flat row-major array, with their count and width. */
export function flattenEvents(events: EventsRequest, path: (string | number)[]): { values: Float64Array; count: number; width: number } {
  if (Array.isArray(events)) {
    const count = events.length;
    const width = count ? events[0].length : 0;
    const values = new Float64Array(count * width);
    events.forEach((row, i) => {
      if (row.length !== width) throw invalidInput('invalid-dataset', `event ${i} has ${row.length} values, event 0 has ${width}`, [...path, i], [{ path: [...path, i], message: 'rows must have equal length' }]);
      values.set(row, i * width);
    });
    return { values, count, width };
  }
  const [count, width] = events.shape;
  const given = 'values' in events ? events.values : binaryNumbers(events, path);
  if (given.length !== count * width) {
    throw invalidInput('invalid-dataset', `shape [${count}, ${width}] needs ${count * width} values, got ${given.length}`, undefined, [{ path: [...path, 'values' in events ? 'values' : 'data'], message: 'length does not match shape' }]);
  }
  const values = Float64Array.from(given);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw invalidInput('invalid-dataset', 'event values must be finite numbers', undefined, [{ path: [...path, 'values', i], message: 'not a finite number' }]);
  }
  return { values, count, width };
}

/** The numbers of a portable binary array: little-endian float32 or float64 bytes (schemas.ts `BinaryNumbersSchema`). */
function binaryNumbers(array: BinaryNumbers, path: (string | number)[]): Float32Array | Float64Array {
  const size = array.dtype === 'float32' ? 4 : 8;
  const { data } = array;
  if (data.byteLength % size !== 0) throw invalidInput('invalid-dataset', `${data.byteLength} bytes are not a whole number of ${array.dtype} values`, undefined, [{ path: [...path, 'data'], message: `length not a multiple of ${size}` }]);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.byteLength / size;
  if (size === 4) return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
  return Float64Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
}

/** The dataset fields a request may carry. */
export interface DataFields {
  data?: DatasetRequest;
  at?: ParameterPoint;
  luminosity?: number;
  rate?: boolean;
}

/** What the service's operations read of a likelihood they serve: the likelihood, its id and its validation record (a published artifact, or a combination of them). */
export interface ServedLikelihood {
  likelihood: Likelihood;
  manifest: { id: string; validation: Manifest['validation'] };
}

/**
 * How a likelihood whose data are not resolved term by term resolves a request's dataset and
 * prices it: a combination resolves each member's data with the member's own likelihood.
 */
export interface DataResolver {
  data(fields: DataFields): LikelihoodData;
  cost(fields: DataFields): Cost;
}
const resolvers = new WeakMap<Likelihood, DataResolver>();

/** Routes `requestData` and `baseCost` for `likelihood` through `resolver`. */
export function registerDataResolver(likelihood: Likelihood, resolver: DataResolver): void {
  resolvers.set(likelihood, resolver);
}

// Observed and Asimov data depend only on the request's small fields: resolve each once per
// isolate (an Asimov dataset reweights the whole reference sample) and keep the last few.
const resolved = new WeakMap<Likelihood, LruCache<string, LikelihoodData>>();
const CACHED_DATASETS = 16;

/** The request's dataset, resolved for every term (default: observed where published, else Asimov at θ0). */
export function requestData(likelihood: Likelihood, fields: DataFields): LikelihoodData {
  const resolver = resolvers.get(likelihood);
  if (resolver) return resolver.data(fields);
  if (fields.data !== undefined && typeof fields.data !== 'string') return resolveUncached(likelihood, fields);
  let cache = resolved.get(likelihood);
  if (!cache) resolved.set(likelihood, (cache = new LruCache(CACHED_DATASETS)));
  const key = JSON.stringify([fields.data ?? null, fields.at ?? null, fields.luminosity ?? null, fields.rate ?? null]);
  return cache.getOrSet(key, () => resolveUncached(likelihood, fields));
}

function resolveUncached(likelihood: Likelihood, fields: DataFields): LikelihoodData {
  const data = requestedDataset(likelihood, fields);
  let spec: DatasetSpec;
  if (data === 'asimov') spec = { kind: 'asimov', at: fields.at };
  else if (data === 'observed') spec = { kind: 'observed' };
  else if ('events' in data) {
    const { values, count } = flattenEvents(data.events, ['data', 'events']);
    if (count > LIMITS.events) throw tooCostly('too-many-events', `${count} events; the limit is ${LIMITS.events}`, ['data', 'events']);
    const weights = data.weights && !Array.isArray(data.weights) && 'dtype' in data.weights ? binaryNumbers(data.weights, ['data', 'weights']) : data.weights;
    spec = { kind: 'submitted', events: { values, count, observables: likelihood.observables }, weights, binned: data.binned };
  } else spec = { kind: 'submitted', binned: data.binned };
  if (fields.at && data !== 'asimov') throw invalidInput('invalid-request', '`at` applies to Asimov data only', ['at'], [{ path: ['at'], message: 'only with data: "asimov"' }]);
  return evaluating(() => resolveDataset(likelihood, spec, { luminosity: fields.luminosity, rate: fields.rate }));
}

/** The dataset a request names: `data` or the default (observed where published, else Asimov at θ0). */
function requestedDataset(likelihood: Likelihood, fields: DataFields): NonNullable<DataFields['data']> {
  return fields.data ?? (hasObservedData(likelihood) ? 'observed' : 'asimov');
}

/** The events each unbinned term's data will hold for the request's dataset, for the cost model, before it is resolved. */
export function requestEventCounts(likelihood: Likelihood, fields: DataFields): EventCounts {
  const data = requestedDataset(likelihood, fields);
  if (typeof data === 'string') return eventCounts(likelihood, data);
  return eventCounts(likelihood, { submitted: 'events' in data ? submittedCount(data.events) : 0 });
}

/**
 * What resolving the request's dataset costs: submitted events through each unbinned term's
 * ratio model (and their coefficients held per ensemble variant), the reference samples
 * reweighted for Asimov data; binned data cost next to nothing.
 */
export function datasetCost(likelihood: Likelihood, fields: DataFields): { units: number; memoryBytes: number } {
  const counts = requestEventCounts(likelihood, fields);
  const submitted = typeof requestedDataset(likelihood, fields) === 'object';
  let units = 0;
  let memoryBytes = 0;
  for (const term of unbinnedTerms(likelihood)) {
    const cost = term.dataCost(counts(term.name), submitted);
    units += cost.units;
    memoryBytes += cost.memoryBytes;
  }
  return { units, memoryBytes };
}

/** The number of submitted events, from their shape alone. */
export function submittedCount(events: EventsRequest): number {
  return Array.isArray(events) ? events.length : events.shape[0];
}

/** Named parameter points as global parameter vectors (nuisances at their initial values). */
export function parameterPoints(likelihood: Likelihood, points: readonly ParameterPoint[], field = 'points', options: { nuisances?: boolean } = {}): Float64Array[] {
  return points.map((p, k) => evaluating(() => parameterVector(likelihood, p, [field, k], options)));
}

/** The cost of a request's dataset, as the start of its operation's cost. */
export function baseCost(likelihood: Likelihood, fields: DataFields): Cost {
  const resolver = resolvers.get(likelihood);
  if (resolver) return resolver.cost(fields);
  const { units, memoryBytes } = datasetCost(likelihood, fields);
  return new Cost(likelihoodSizes(likelihood, requestEventCounts(likelihood, fields))).other(units, memoryBytes);
}
