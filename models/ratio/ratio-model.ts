/**
 * A ratio model gives the coefficients ĉ(x) of R̂(x|θ) = ĉ(x)·m(Δθ) for submitted events
 * (seed 003 sec. 2.2), per ensemble variant: variant 0 is the estimate, 1..K the members.
 */
import { evaluateEnsemble, networkOutputs, type FrozenNetwork } from '../network/frozen-network.js';
import { analyticRatioCoefficients, type AnalyticRatioSpec } from './analytic-ratio.js';

export interface RatioModel {
  readonly observables: number;
  /** coefficients per event C */
  readonly coefficients: number;
  /** 1 + ensemble members (1 when there is no ensemble) */
  readonly variants: number;
  /** events n × D row-major → per variant an n × C matrix */
  coefficientsFor(events: ArrayLike<number>, n: number): Float64Array[];
}

export function analyticRatioModel(spec: AnalyticRatioSpec): RatioModel {
  return {
    observables: spec.observables,
    coefficients: spec.numerators.length,
    variants: 1,
    coefficientsFor: (events, n) => [analyticRatioCoefficients(spec, events, n)],
  };
}

/**
 * A frozen network (ensemble) whose head gives the coefficients: variant 0 is the members'
 * mean ĉ (still a PSD polynomial for a sum-of-squares head), variants 1..K the members.
 */
export function networkRatioModel(network: FrozenNetwork): RatioModel {
  const K = network.members.length;
  return {
    observables: network.inputs,
    coefficients: networkOutputs(network),
    variants: K > 1 ? K + 1 : 1,
    coefficientsFor(events, n) {
      const x = events instanceof Float64Array || events instanceof Float32Array ? events : Float64Array.from(events);
      const { mean, members } = evaluateEnsemble(network, x, n);
      return K > 1 ? [mean, ...members] : [mean];
    },
  };
}
