/**
 * What a simulator gives the training scripts (DESIGN.md "Data flow": simulate / ingest →
 * train). A simulator draws parton-level events z at a parameter point, passes them through
 * a detector (smearing) to reco-level observables x, and attaches to every event its exact
 * joint coefficients on the monomial basis at the reference point θ0 (seed 003 eq. 5, 29):
 *
 *     dσ(z|θ) / dσ(z|θ0) = c(z) · m(θ − θ0),   c normalised so that c_0(z) = 1,
 *
 * so c(z) holds R(z|θ0) = 1 and the Taylor coefficients of the joint ratio (for degree 2: the
 * joint scores, and half the second derivatives on the diagonal; monomial-basis.ts). These
 * are the regression targets of derivative learning (seed 003 sec. 2.2).
 *
 * The two stages are separate (`sampleParton`, then `smear`) so that fractional smearing
 * (seed 003 sec. 2.3) can copy parton-level events before the detector and smear each copy
 * independently; `simulate` is both stages in one call. An importer of events simulated
 * elsewhere produces the same `SimulatedSample` (and, where it can re-run its detector
 * stage, implements `smear` too); everything downstream sees only the arrays.
 */
import type { MonomialBasis } from '../../models/basis/monomial-basis.js';

export interface ParameterInfo {
  readonly name: string;
  /** θ0 for this parameter: the point the joint coefficients are expanded around */
  readonly reference: number;
  readonly description?: string;
  /** a sensible range for scans and checks */
  readonly range?: readonly [number, number];
}

export interface ObservableInfo {
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
}

export interface SimulateOptions {
  /** number of events to draw (unit-weight events, before any fractional smearing) */
  events: number;
  /** the parameter point the events are drawn at (one value per parameter, or a number for one parameter); default θ0 */
  theta?: number | ArrayLike<number>;
  /** seed of every random stream used (models/random.ts) */
  seed: number;
}

/** Events before the detector: parton-level variables, exact joint coefficients and weights. */
export interface PartonSample {
  readonly count: number;
  /** count × partonDimension, row-major */
  readonly parton: Float64Array;
  /** count × C (C = basis size), row-major: c(z)/c_0(z) on the basis at θ0, so column 0 is 1 */
  readonly coefficients: Float64Array;
  /** per-event weights (1 for unweighted events) */
  readonly weights: Float64Array;
}

/**
 * What a detector returns: the reco-level observables of the events it accepts. A detector
 * with a selection (trigger, efficiencies, cuts) drops events; since it is θ-independent,
 * the accepted events with their weights and exact coefficients are still a sample of
 * dσ(x|θ) after the selection (seed 003 eq. 2-5).
 */
export interface DetectorOutput {
  /** accepted × observables, row-major */
  readonly reco: Float64Array;
  /** indices of the accepted events in the detector's input, ascending; null when all are accepted */
  readonly accepted: Int32Array | null;
}

/** Events after the detector (the accepted ones): `reco` holds the observables the networks see. */
export interface SimulatedSample extends PartonSample {
  /** count × observables, row-major, in the simulator's observable order */
  readonly reco: Float64Array;
}

export interface Simulator {
  /** a short identifier, e.g. 'two-gaussian' */
  readonly name: string;
  /** θ, in basis order; θ0 is each parameter's `reference` */
  readonly parameters: readonly ParameterInfo[];
  /** parton-level variables z (dimension dz) */
  readonly partonVariables: readonly ObservableInfo[];
  /** reco-level observables x (dimension dx), the network inputs */
  readonly observables: readonly ObservableInfo[];
  /** polynomial degree of the event weights in θ */
  readonly degree: number;
  /** the monomial basis of the coefficients (monomialBasis(P, degree)) */
  readonly basis: MonomialBasis;
  /** configuration to record in an artifact's provenance (everything needed to re-run it) */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** parton-level events at θ with their joint coefficients at θ0 */
  sampleParton(options: SimulateOptions): PartonSample;
  /**
   * The detector: reco-level observables of `count` parton-level events (count × dz), each
   * event smeared independently with the stream of `seed`, and which of them it accepts.
   */
  smear(parton: Float64Array, count: number, seed: number): DetectorOutput;
  /** `sampleParton`, then `smear` with the seed derived by `deriveSeed(seed, 'smear')` */
  simulate(options: SimulateOptions): SimulatedSample;
}

/**
 * A seed for an independent stream derived from a base seed and a label (FNV-1a over the
 * label, mixed with the seed by a splitmix-style finaliser), so that one user-given seed
 * fixes every stream of a run without two streams sharing a state. Result in [0, 2³²).
 */
export function deriveSeed(seed: number, label: string): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let z = (h ^ (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** θ as a Float64Array of the simulator's parameters (θ0 where not given). */
export function parameterPoint(simulator: Pick<Simulator, 'parameters'>, theta: SimulateOptions['theta']): Float64Array {
  const P = simulator.parameters.length;
  if (theta === undefined) return Float64Array.from(simulator.parameters, (p) => p.reference);
  const values = typeof theta === 'number' ? [theta] : Array.from(theta);
  if (values.length !== P) throw new RangeError(`expected ${P} parameter values, got ${values.length}`);
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`parameter values must be finite, got ${v}`);
  return Float64Array.from(values);
}

/** The accepted events of a parton-level sample with their reco-level observables. */
export function acceptedSample(sample: PartonSample, detected: DetectorOutput, partonDimension: number): SimulatedSample {
  const { accepted, reco } = detected;
  if (accepted === null) return { ...sample, reco };
  const C = sample.coefficients.length / sample.count;
  const n = accepted.length;
  const parton = new Float64Array(n * partonDimension);
  const coefficients = new Float64Array(n * C);
  const weights = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = accepted[r];
    parton.set(sample.parton.subarray(i * partonDimension, (i + 1) * partonDimension), r * partonDimension);
    coefficients.set(sample.coefficients.subarray(i * C, (i + 1) * C), r * C);
    weights[r] = sample.weights[i];
  }
  return { count: n, parton, coefficients, weights, reco };
}

/** `simulate` as the interface defines it: `sampleParton`, then `smear` with the seed deriveSeed(seed, 'smear'), keeping the accepted events. */
export function simulateThroughDetector(simulator: Pick<Simulator, 'sampleParton' | 'smear' | 'partonVariables'>, options: SimulateOptions): SimulatedSample {
  const sample = simulator.sampleParton(options);
  return acceptedSample(sample, simulator.smear(sample.parton, sample.count, deriveSeed(options.seed, 'smear')), simulator.partonVariables.length);
}

/** Checks the event count of a simulate call. */
export function checkEventCount(events: number): void {
  if (!Number.isSafeInteger(events) || events < 0) throw new RangeError(`events must be a non-negative integer, got ${events}`);
}
