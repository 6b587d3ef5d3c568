/**
 * Simulator of the two-Gaussian toy of seed 003 sec. 3 (eq. 41-42):
 *
 *     parton level   z ~ p(z|θ) = [N(z; 0, 1) + θ² N(z; α, 0.1)] / (1 + θ²)
 *     detector       x = z + N(0, s),  s = 0.7 by default
 *
 * with θ0 = 0. Each event carries its exact joint coefficients at θ0 on the basis
 * [1, θ, θ²] (seed 003 eq. 5, 29): dσ(z|θ)/dσ(z|0) = 1 + θ² N(z; α, 0.1)/N(z; 0, 1), so
 *
 *     c(z) = [1, 0, N(z; α, 0.1) / N(z; 0, 1)].
 *
 * Their reco-level expectation E[c(z)|x] is the exact ratio of eq. 43
 * (models/toys/two-gaussian.ts): the target derivative learning should converge to. The
 * closed forms are those of models/toys/two-gaussian.ts: the parton level is that toy with
 * no smearing (widths 1 and 0.1).
 */
import { monomialBasis } from '../../models/basis/monomial-basis.js';
import { createRandom } from '../../models/random.js';
import { sampleToyEvent, toySecondCoefficient, twoGaussianToy, type TwoGaussianToy } from '../../models/toys/two-gaussian.js';
import { checkEventCount, simulateThroughDetector, parameterPoint, type DetectorOutput, type PartonSample, type SimulatedSample, type SimulateOptions, type Simulator } from './types.js';

export interface TwoGaussianSimulatorOptions {
  /** distance of the displaced Gaussian (default 1.5; the paper uses 1.5, 3 and 4) */
  alpha?: number;
  /** width of the Gaussian smearing (default 0.7, eq. 42) */
  smearing?: number;
}

export interface TwoGaussianSimulator extends Simulator {
  /** the reco-level closed forms (eq. 43) */
  readonly toy: TwoGaussianToy;
  /** the parton-level closed forms (the same toy without smearing) */
  readonly partonToy: TwoGaussianToy;
  /** c_2(z) = N(z; α, 0.1)/N(z; 0, 1), the θ² joint coefficient */
  partonSecondCoefficient(z: number): number;
}

export function twoGaussianSimulator(options: TwoGaussianSimulatorOptions = {}): TwoGaussianSimulator {
  const alpha = options.alpha ?? 1.5;
  const smearing = options.smearing ?? 0.7;
  if (!Number.isFinite(alpha)) throw new RangeError(`alpha must be finite, got ${alpha}`);
  if (!(smearing >= 0) || !Number.isFinite(smearing)) throw new RangeError(`smearing must be finite and ≥ 0, got ${smearing}`);
  const toy = twoGaussianToy(alpha, smearing);
  const partonToy = twoGaussianToy(alpha, 0);
  const basis = monomialBasis(1, 2);
  const C = basis.size;

  const partonSecondCoefficient = (z: number) => toySecondCoefficient(partonToy, z);

  const sampleParton = ({ events, theta, seed }: SimulateOptions): PartonSample => {
    checkEventCount(events);
    const [t] = parameterPoint(simulator, theta);
    const random = createRandom(seed);
    const parton = new Float64Array(events);
    const coefficients = new Float64Array(events * C);
    for (let i = 0; i < events; i++) {
      // the parton-level toy has smearing 0: sampleToyEvent returns z itself
      const z = sampleToyEvent(partonToy, t, random);
      parton[i] = z;
      coefficients[i * C] = 1;
      coefficients[i * C + 2] = partonSecondCoefficient(z);
    }
    return { count: events, parton, coefficients, weights: new Float64Array(events).fill(1) };
  };

  const smear = (parton: Float64Array, count: number, seed: number): DetectorOutput => {
    checkEventCount(count);
    if (parton.length < count) throw new RangeError(`expected ${count} parton-level events, got ${parton.length}`);
    const random = createRandom(seed);
    const reco = new Float64Array(count);
    for (let i = 0; i < count; i++) reco[i] = parton[i] + smearing * random.normal();
    return { reco, accepted: null };
  };

  const simulator: TwoGaussianSimulator = {
    name: 'two-gaussian',
    parameters: [{ name: 'theta', reference: 0, description: 'weight of the displaced Gaussian: p(z|θ) ∝ N(0,1) + θ² N(α, 0.1)', range: [-2, 2] }],
    partonVariables: [{ name: 'z', description: 'parton-level variable, eq. 41' }],
    observables: [{ name: 'x', description: `reco-level observable x = z + N(0, ${smearing}), eq. 42` }],
    degree: 2,
    basis,
    metadata: { simulator: 'two-gaussian', equations: 'seed 003 eq. 41-43', alpha, smearing, narrowWidth: 0.1, reference: [0] },
    toy,
    partonToy,
    partonSecondCoefficient,
    sampleParton,
    smear,
    simulate: (options: SimulateOptions): SimulatedSample => simulateThroughDetector(simulator, options),
  };
  return simulator;
}
