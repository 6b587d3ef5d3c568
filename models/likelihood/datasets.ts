/**
 * Datasets (DESIGN.md "The public HTTP API", `Dataset`), resolved for every term of a
 * loaded artifact:
 *
 * - `asimov` at θ_A (default θ0): for unbinned terms the published reference sample
 *   reweighted to θ_A (`unbinnedAsimov`), for binned terms the expected counts at θ_A
 *   with nuisances at their nominal values; at any luminosity;
 * - `observed`: the published data;
 * - `events`: submitted events (n × D in the manifest's observable order) with optional
 *   weights, for unbinned terms, and `binned` counts per channel for binned terms.
 *
 * Every problem with a request is a DatasetError carrying the path of the offending field.
 */
import type { LoadedArtifact } from '../artifact/load.js';
import { unbinnedAsimov } from '../terms/unbinned-polynomial.js';
import type { LikelihoodData, TermData } from './likelihood.js';

export class DatasetError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

export type ParameterPoint = Readonly<Record<string, number>>;

export type DatasetSpec =
  | { kind: 'asimov'; at?: ParameterPoint }
  | { kind: 'observed' }
  | { kind: 'events'; events: ArrayLike<number>; count: number; weights?: ArrayLike<number>; binned?: Readonly<Record<string, ArrayLike<number>>> }
  | { kind: 'binned'; counts: Readonly<Record<string, ArrayLike<number>>> };

export interface DatasetOptions {
  /** integrated luminosity of the data, in the manifest's unit (default: the published one) */
  luminosity?: number;
  /** false drops the unbinned rate term: a shape-only likelihood */
  rate?: boolean;
}

/**
 * The global parameter vector for a point given by name: parameters of interest from the
 * point (missing ones at their reference value), nuisances at their initial values.
 * Unknown names and values outside the allowed range are errors.
 */
export function parameterVector(artifact: LoadedArtifact, point: ParameterPoint, path: (string | number)[] = []): Float64Array {
  const { likelihood, manifest } = artifact;
  const params = likelihood.initial();
  for (const [name, value] of Object.entries(point)) {
    const index = likelihood.indexOf(name);
    if (index < 0 || index >= likelihood.interest) {
      throw new DatasetError([...path, name], `unknown parameter '${name}'; this likelihood has ${manifest.parameters.map((p) => p.name).join(', ')}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DatasetError([...path, name], `parameter '${name}' must be a finite number`);
    const [lo, hi] = manifest.parameters[index].range;
    if (value < lo || value > hi) throw new DatasetError([...path, name], `parameter '${name}' = ${value} lies outside its allowed range [${lo}, ${hi}]`);
    params[index] = value;
  }
  return params;
}

export function resolveDataset(artifact: LoadedArtifact, spec: DatasetSpec, options: DatasetOptions = {}): LikelihoodData {
  const { manifest, likelihood } = artifact;
  const luminosity = options.luminosity ?? manifest.luminosity.value;
  if (!(luminosity > 0) || !Number.isFinite(luminosity)) throw new DatasetError(['luminosity'], 'luminosity must be a positive finite number');
  const rate = options.rate ?? true;
  if (!rate && artifact.binned.length > 0) throw new DatasetError(['rate'], 'rate: false (shape only) applies to unbinned terms; this likelihood has binned terms');

  const terms: Record<string, TermData> = {};
  const lumiScale = luminosity / likelihood.publishedLuminosity;
  switch (spec.kind) {
    case 'asimov': {
      const at = parameterVector(artifact, spec.at ?? {}, ['data', 'at']);
      for (const { term, reference } of artifact.unbinned) {
        const index = likelihood.termIndex(term);
        terms[term.name] = unbinnedAsimov(term, reference, Float64Array.from(index, (i) => at[i]), luminosity);
      }
      for (const { term } of artifact.binned) {
        const index = likelihood.termIndex(term);
        terms[term.name] = term.asimov(at, index, lumiScale);
      }
      break;
    }
    case 'observed': {
      for (const { term, ratio, observed, spec: termSpec } of artifact.unbinned) {
        if (!observed) throw new DatasetError(['data'], `this likelihood publishes no observed events for term '${termSpec.name}'`);
        const weights = observed.weights ? Float64Array.from(observed.weights) : null;
        const coefficients = ratio.coefficientsFor(observed.values, observed.count);
        terms[term.name] = { count: observed.count, coefficients, weights: coefficients.map(() => weights) };
      }
      for (const { term, observations } of artifact.binned) {
        if (!observations) throw new DatasetError(['data'], `this likelihood publishes no observed counts for term '${term.name}'`);
        terms[term.name] = { counts: binnedCounts(artifact, term.name, observations, ['data']), aux: term.nominalAux() };
      }
      break;
    }
    case 'events':
    case 'binned': {
      const D = manifest.observables.length;
      for (const { term, ratio, spec: termSpec } of artifact.unbinned) {
        if (spec.kind !== 'events') throw new DatasetError(['data'], `term '${termSpec.name}' is unbinned: submit events, not binned counts`);
        const { count, events } = spec;
        if (events.length !== count * D) throw new DatasetError(['data', 'events'], `events need ${D} values each (${manifest.observables.map((o) => o.name).join(', ')}); got ${events.length} values for ${count} events`);
        for (let i = 0; i < events.length; i++) {
          if (!Number.isFinite(events[i])) throw new DatasetError(['data', 'events', Math.floor(i / D), i % D], 'event values must be finite numbers');
        }
        let weights: Float64Array | null = null;
        if (spec.weights) {
          if (spec.weights.length !== count) throw new DatasetError(['data', 'weights'], `${count} events need ${count} weights, got ${spec.weights.length}`);
          weights = Float64Array.from(spec.weights);
          weights.forEach((w, i) => {
            if (!(w >= 0) || !Number.isFinite(w)) throw new DatasetError(['data', 'weights', i], 'weights must be finite and non-negative');
          });
        }
        const columns = termSpec.observables.map((o) => manifest.observables.findIndex((m) => m.name === o));
        const selected = columns.every((c, j) => c === j) && columns.length === D ? events : selectColumns(events, count, D, columns);
        const coefficients = ratio.coefficientsFor(selected, count);
        terms[term.name] = { count, coefficients, weights: coefficients.map(() => weights) };
      }
      const counts = spec.kind === 'binned' ? spec.counts : spec.binned;
      if (counts && artifact.binned.length === 0) throw new DatasetError(['data', 'binned'], 'this likelihood has no binned terms: binned counts do not apply');
      for (const { term } of artifact.binned) {
        if (!counts) throw new DatasetError(['data'], `term '${term.name}' is binned: submit counts per channel`);
        terms[term.name] = { counts: binnedCounts(artifact, term.name, counts, ['data', 'binned']), aux: term.nominalAux() };
      }
      break;
    }
  }
  return { luminosity, rate, terms };
}

function selectColumns(events: ArrayLike<number>, count: number, D: number, columns: number[]): Float64Array {
  const out = new Float64Array(count * columns.length);
  for (let i = 0; i < count; i++) for (let j = 0; j < columns.length; j++) out[i * columns.length + j] = events[i * D + columns[j]];
  return out;
}

function binnedCounts(artifact: LoadedArtifact, termName: string, counts: Readonly<Record<string, ArrayLike<number>>>, path: (string | number)[]): Float64Array {
  const { term } = artifact.binned.find((b) => b.term.name === termName)!;
  const out = new Float64Array(term.totalBins);
  const known = new Set(term.channels.map((c) => c.name));
  for (const name of Object.keys(counts)) if (!known.has(name)) throw new DatasetError([...path, name], `unknown channel '${name}'; channels are ${[...known].join(', ')}`);
  for (const channel of term.channels) {
    const given = counts[channel.name];
    if (!given) throw new DatasetError([...path, channel.name], `counts for channel '${channel.name}' are missing`);
    if (given.length !== channel.bins) throw new DatasetError([...path, channel.name], `channel '${channel.name}' has ${channel.bins} bins, got ${given.length} counts`);
    for (let b = 0; b < channel.bins; b++) {
      const n = given[b];
      if (!(n >= 0) || !Number.isFinite(n)) throw new DatasetError([...path, channel.name, b], 'counts must be finite and non-negative');
      out[channel.offset + b] = n;
    }
  }
  return out;
}
