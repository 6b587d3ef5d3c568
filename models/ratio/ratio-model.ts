/**
 * A ratio model gives the coefficients ĉ(x) of R̂(x|θ) = ĉ(x)·m(Δθ) for submitted events
 * (seed 003 sec. 2.2), per ensemble variant: variant 0 is the estimate, 1..K the members.
 */
import { evaluateEnsemble, networkOutputs, type AnyFrozenNetwork } from '../network/frozen-network.js';
import { lgatrUnitsPerEvent } from '../network/lgatr.js';
import { analyticRatioCoefficients, type AnalyticRatioSpec } from './analytic-ratio.js';

export interface RatioModel {
  readonly observables: number;
  /** coefficients per event C */
  readonly coefficients: number;
  /** 1 + ensemble members (1 when there is no ensemble) */
  readonly variants: number;
  /** events n × D row-major → per variant an n × C matrix */
  coefficientsFor(events: ArrayLike<number>, n: number): Float64Array[];
  /** the work of `coefficientsFor` per event, in rough floating-point operations (for the service's cost model) */
  readonly unitsPerEvent: number;
}

/** Multiply-adds of one event through every member of a frozen network (an L-GATr's: lgatr.ts). */
export function networkUnits(network: AnyFrozenNetwork): number {
  if (network.format === 'frozen-lgatr/1') return lgatrUnitsPerEvent(network);
  let units = 0;
  for (const member of network.members) for (const layer of member.layers) units += layer.inputs * layer.outputs;
  return units;
}

export function analyticRatioModel(spec: AnalyticRatioSpec): RatioModel {
  return {
    observables: spec.observables,
    coefficients: spec.numerators.length,
    variants: 1,
    coefficientsFor: (events, n) => [analyticRatioCoefficients(spec, events, n)],
    // a few special functions per coefficient
    unitsPerEvent: 50 * spec.numerators.length,
  };
}

/**
 * A frozen network (ensemble) whose head gives the coefficients: variant 0 is the members'
 * mean ĉ (still a PSD polynomial for a sum-of-squares head), variants 1..K the members.
 */
export function networkRatioModel(network: AnyFrozenNetwork): RatioModel {
  const K = network.members.length;
  return {
    observables: network.inputs,
    coefficients: networkOutputs(network),
    variants: K > 1 ? K + 1 : 1,
    unitsPerEvent: networkUnits(network),
    coefficientsFor(events, n) {
      const x = events instanceof Float64Array || events instanceof Float32Array ? events : Float64Array.from(events);
      const { mean, members } = evaluateEnsemble(network, x, n);
      return K > 1 ? [mean, ...members] : [mean];
    },
  };
}

/**
 * Signal plus a θ-independent background (seed 003 app. D): with f_s(x) the signal's share
 * of dσ(x|θ0), dσ(x|θ)/dσ(x|θ0) = f_s(x) R̂_s(x|θ) + 1 − f_s(x), so each variant's
 * coefficients become f_s ĉ + (1 − f_s) e_0 (e_0: the constant monomial). A convex
 * combination of non-negative polynomials, so R̂ stays ≥ 0 for every θ.
 */
export function backgroundMixtureRatioModel(signal: RatioModel, signalFraction: (events: Float64Array | Float32Array, n: number) => Float64Array, fractionUnits: number): RatioModel {
  const C = signal.coefficients;
  return {
    observables: signal.observables,
    coefficients: C,
    variants: signal.variants,
    unitsPerEvent: signal.unitsPerEvent + fractionUnits,
    coefficientsFor(events, n) {
      const x = events instanceof Float64Array || events instanceof Float32Array ? events : Float64Array.from(events);
      const f = signalFraction(x, n);
      return signal.coefficientsFor(x, n).map((c) => mixWithBackground(c, f, n, C));
    },
  };
}

/** f ĉ + (1 − f) e_0 per event, in place (n × C). */
export function mixWithBackground(coefficients: Float64Array, signalFraction: ArrayLike<number>, n: number, C: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const f = signalFraction[i];
    for (let c = 0; c < C; c++) coefficients[i * C + c] *= f;
    coefficients[i * C] += 1 - f;
  }
  return coefficients;
}

/** f_s(x) from a frozen classifier: the mean of its members' single sigmoid output. */
export function networkSignalFraction(network: AnyFrozenNetwork): (events: Float64Array | Float32Array, n: number) => Float64Array {
  return (events, n) => evaluateEnsemble(network, events, n).mean;
}
