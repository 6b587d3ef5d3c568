/**
 * The reference sample of a learned unbinned term (DESIGN.md "A published likelihood
 * artifact"; models/terms/unbinned-polynomial.ts): events drawn at θ0, with the learned ĉ(x)
 * of the frozen ensemble for each, as the artifact's coefficient-sample component (variants
 * [ensemble mean, member 1, …, member K]), and the cross-section coefficients of each variant
 * by seed 003 eq. 34: s = Σ_i w_i ĉ(x_i) / Σ_i w_i, summing the learned values (not the
 * parton-level truth) so that the first-order term of Σ ln r vanishes at θ0 by construction.
 *
 * The coefficients come from the frozen runtime, not from tfjs: they are what the service
 * will compute from the published network, so Asimov data and σ(θ) agree with it exactly.
 */
import type { CoefficientSample } from '../../models/artifact/components.js';
import { evaluateEnsemble, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { deriveSeed, parameterPoint, type Simulator } from '../simulators/types.js';

export interface LearnedReferenceSample {
  /** the coefficient-sample component: variants [mean, ...members] */
  sample: CoefficientSample;
  /** cross-section coefficients s per variant (eq. 34), s_0 = 1 for a network with fixReference */
  crossSections: Float64Array[];
  /** the reco-level events the coefficients belong to (count × D) */
  events: Float64Array;
}

/**
 * The learned coefficients ĉ(x) of every reference event (x: count × D, drawn at θ0) and
 * the cross-section coefficients of each variant (eq. 34).
 */
export function learnedReferenceSample(network: FrozenNetwork, events: Float64Array | Float32Array, count: number, weights?: Float64Array): LearnedReferenceSample {
  if (events.length !== count * network.inputs) throw new RangeError(`expected ${count} × ${network.inputs} reference events, got ${events.length} values`);
  if (weights && weights.length !== count) throw new RangeError(`expected ${count} weights, got ${weights.length}`);
  const C = network.outputs;
  const { members, mean } = evaluateEnsemble(network, events, count);
  const variants = [mean, ...members];
  const crossSections = variants.map((v) => crossSectionFromReference(v, count, C, weights ?? null));
  const sample: CoefficientSample = { kind: 'coefficient-sample', count, coefficients: C, variants, ...(weights ? { weights } : {}) };
  return { sample, crossSections, events: Float64Array.from(events) };
}

/**
 * Draws `events` reco-level events at θ0 from the simulator (seed-derived stream, independent
 * of any training stream with the same seed) and computes their learned coefficients.
 */
export function simulateLearnedReferenceSample(network: FrozenNetwork, simulator: Simulator, events: number, seed: number): LearnedReferenceSample {
  const theta0 = parameterPoint(simulator, undefined);
  const sample = simulator.simulate({ events, theta: theta0, seed: deriveSeed(seed, 'reference-sample') });
  const unit = sample.weights.every((w) => w === 1);
  return learnedReferenceSample(network, sample.reco, sample.count, unit ? undefined : sample.weights);
}
