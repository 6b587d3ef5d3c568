/**
 * From validated request fields to the models' dataset and parameter vectors; every
 * mismatch with the artifact (unknown parameter, wrong event width, missing channel) is a
 * 422 problem naming the offending field.
 */
import type { LoadedArtifact } from '../models/artifact/load.js';
import { DatasetError, parameterVector, resolveDataset, type DatasetSpec, type ParameterPoint, hasObservedData, UnknownParameterError } from '../models/likelihood/datasets.js';
import type { LikelihoodData } from '../models/likelihood/likelihood.js';
import { LIMITS, type DatasetRequest } from './schemas.js';
import { Problem } from './problem.js';

export interface DataFields {
  data?: DatasetRequest;
  at?: ParameterPoint;
  luminosity?: number;
  rate?: boolean;
}

/** The events of a request as a flat row-major array, with their count and width. */
export function flattenEvents(events: number[][] | { shape: [number, number]; values: ArrayLike<number> }, path: (string | number)[]): { values: Float64Array; count: number; width: number } {
  if (Array.isArray(events)) {
    const count = events.length;
    const width = count ? events[0].length : 0;
    const values = new Float64Array(count * width);
    events.forEach((row, i) => {
      if (row.length !== width) throw new Problem(422, 'invalid-dataset', `event ${i} has ${row.length} values, event 0 has ${width}`, [{ path: [...path, i], message: 'rows must have equal length' }]);
      values.set(row, i * width);
    });
    return { values, count, width };
  }
  const [count, width] = events.shape;
  if (events.values.length !== count * width) {
    throw new Problem(422, 'invalid-dataset', `shape [${count}, ${width}] needs ${count * width} values, got ${events.values.length}`, [{ path: [...path, 'values'], message: 'length does not match shape' }]);
  }
  const values = Float64Array.from(events.values);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Problem(422, 'invalid-dataset', 'event values must be finite numbers', [{ path: [...path, 'values', i], message: 'not a finite number' }]);
  }
  return { values, count, width };
}

export function datasetProblem(error: unknown): unknown {
  if (error instanceof DatasetError) {
    const code = error instanceof UnknownParameterError ? 'unknown-parameter' : 'invalid-dataset';
    return new Problem(422, code, error.message, [{ path: error.path, message: error.message }]);
  }
  return error;
}

// Observed and Asimov data depend only on the request's small fields: resolve each once per
// isolate (an Asimov dataset reweights the whole reference sample) and keep the last few.
const resolved = new WeakMap<LoadedArtifact, Map<string, LikelihoodData>>();
const CACHED_DATASETS = 16;

export function resolveRequestData(artifact: LoadedArtifact, fields: DataFields): LikelihoodData {
  const cacheable = fields.data === undefined || typeof fields.data === 'string';
  if (!cacheable) return resolveUncached(artifact, fields);
  const key = JSON.stringify([fields.data ?? null, fields.at ?? null, fields.luminosity ?? null, fields.rate ?? null]);
  let cache = resolved.get(artifact);
  if (!cache) resolved.set(artifact, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const data = resolveUncached(artifact, fields);
  if (cache.size >= CACHED_DATASETS) cache.delete(cache.keys().next().value!);
  cache.set(key, data);
  return data;
}

function resolveUncached(artifact: LoadedArtifact, fields: DataFields): LikelihoodData {
  const hasObserved = hasObservedData(artifact.likelihood);
  const data = fields.data ?? (hasObserved ? 'observed' : 'asimov');
  let spec: DatasetSpec;
  if (data === 'asimov') spec = { kind: 'asimov', at: fields.at };
  else if (data === 'observed') spec = { kind: 'observed' };
  else if ('binned' in data && !('events' in data)) spec = { kind: 'submitted', binned: data.binned };
  else if ('events' in data) {
    const { values, count } = flattenEvents(data.events as never, ['data', 'events']);
    if (count > LIMITS.events) throw new Problem(413, 'too-many-events', `${count} events; the limit is ${LIMITS.events}`);
    spec = { kind: 'submitted', events: { values, count, observables: artifact.likelihood.observables }, weights: data.weights, binned: data.binned };
  } else throw new Problem(422, 'invalid-dataset', 'unrecognised dataset');
  if (fields.at && data !== 'asimov') throw new Problem(422, 'invalid-request', '`at` applies to Asimov data only', [{ path: ['at'], message: 'only with data: "asimov"' }]);
  try {
    return resolveDataset(artifact.likelihood, spec, { luminosity: fields.luminosity, rate: fields.rate });
  } catch (error) {
    throw datasetProblem(error);
  }
}

export function pointVectors(artifact: LoadedArtifact, points: readonly ParameterPoint[], field = 'points'): Float64Array[] {
  return points.map((p, k) => {
    try {
      return parameterVector(artifact.likelihood, p, [field, k]);
    } catch (error) {
      throw datasetProblem(error);
    }
  });
}
