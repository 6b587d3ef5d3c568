/** Builders shared by tests: likelihoods over the two-Gaussian toy with exact coefficients, no artifact involved. */
import { monomialBasis } from '../../models/basis/monomial-basis.js';
import { createLikelihood, type Likelihood, type LikelihoodData } from '../../models/likelihood/likelihood.js';
import type { ParameterSpec } from '../../models/likelihood/term.js';
import { createRandom } from '../../models/random.js';
import { createUnbinnedPolynomialTerm, type UnbinnedData } from '../../models/terms/unbinned-polynomial.js';
import { sampleToyEvent, toySecondCoefficient, type TwoGaussianToy } from '../../models/toys/two-gaussian.js';

export function interest(name: string, range: [number, number] = [-2, 2], reference = 0): ParameterSpec {
  return { name, init: reference, bounds: range, kind: 'interest', fixed: false, constraint: 'none' };
}

export function toyEvents(toy: TwoGaussianToy, theta: number, n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: n }, () => sampleToyEvent(toy, theta, random));
}

export function exactToyCoefficients(toy: TwoGaussianToy, events: ArrayLike<number>): Float64Array {
  const c = new Float64Array(events.length * 3);
  for (let i = 0; i < events.length; i++) {
    c[i * 3] = 1;
    c[i * 3 + 2] = toySecondCoefficient(toy, events[i]);
  }
  return c;
}

export function toyLikelihood(sigma0: number, luminosity: number): Likelihood {
  const term = createUnbinnedPolynomialTerm({ name: 'toy', parameters: [interest('theta')], degree: 2, basis: monomialBasis(1, 2), sigma0, crossSection: [Float64Array.of(1, 0, 1)] });
  return createLikelihood([interest('theta')], [term], luminosity);
}

export function eventData(coefficients: Float64Array, count: number, luminosity: number, weights: Float64Array | null = null, rate = true): LikelihoodData {
  const data: UnbinnedData = { count, coefficients: [coefficients], weights: [weights] };
  return { luminosity, rate, terms: { toy: data } };
}
