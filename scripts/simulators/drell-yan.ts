/**
 * The Drell–Yan SMEFT process (drell-yan-physics.ts) behind the Simulator interface, beside
 * the two-Gaussian toy, so the training code (fractional smearing, derivative learning, the
 * reference sample) runs on it unchanged. Events are weighted (importance sampling in m_ℓℓ,
 * weights in pb); at θ ≠ θ0 each weight is multiplied by its event's exact ratio c(z)·m(θ),
 * which keeps the sample an unbiased estimate of dσ(z|θ). The detector drops the events
 * that fail the selection (`DetectorOutput.accepted`).
 */
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { createRandom } from '../../models/random.js';
import { ALPHA, BASIS, detector, DETECTOR_DEFAULTS, GAMMA_Z, LAMBDA, M_MAX, M_MIN, M_Z, PARAMETERS, RECO_OBSERVABLES, sampleDrellYan, SIN2_W, SQRT_S, type DetectorOptions, type GenerationRegion } from './drell-yan-physics.js';
import { checkEventCount, deriveSeed, parameterPoint, simulateThroughDetector, type DetectorOutput, type PartonSample, type SimulateOptions, type Simulator } from './types.js';

const UNITS: Record<string, string> = { lm_pt: 'GeV', lp_pt: 'GeV', m_ll: 'GeV', pt_ll: 'GeV' };
const DESCRIPTIONS: Record<string, string> = {
  lm_pt: 'p_T of ℓ⁻',
  lm_eta: 'η of ℓ⁻',
  lm_phi: 'φ of ℓ⁻',
  lp_pt: 'p_T of ℓ⁺',
  lp_eta: 'η of ℓ⁺',
  lp_phi: 'φ of ℓ⁺',
  m_ll: 'dilepton invariant mass',
  cos_cs: 'cos θ* in the Collins–Soper frame',
  y_ll: 'rapidity of the pair',
  pt_ll: 'p_T of the pair',
};

export interface DrellYanSimulatorOptions {
  detector?: DetectorOptions;
  /** generate only here (default: the m > 120 GeV, all rapidities); SELECTABLE_REGION loses no selected event */
  region?: GenerationRegion;
}

export function drellYanSimulator(options: DrellYanSimulatorOptions = {}): Simulator {
  const detectorOptions = options.detector ?? {};
  const region = options.region;
  const C = BASIS.size;
  const sampleParton = (request: SimulateOptions): PartonSample => {
    checkEventCount(request.events);
    const theta = parameterPoint(simulator, request.theta);
    const rng = createRandom(deriveSeed(request.seed, 'drell-yan-parton'));
    const events = sampleDrellYan(request.events, () => rng.uniform(), region);
    const parton = new Float64Array(events.count * 3);
    for (let i = 0; i < events.count; i++) {
      parton[i * 3] = events.m[i];
      parton[i * 3 + 1] = events.y[i];
      parton[i * 3 + 2] = events.cosTheta[i];
    }
    const weights = events.weights;
    if (theta.some((t) => t !== 0)) {
      const m = evaluateMonomials(BASIS, theta);
      for (let i = 0; i < events.count; i++) weights[i] *= polynomialValue(events.coefficients, m, i * C);
    }
    return { count: events.count, parton, coefficients: events.coefficients, weights };
  };
  const smear = (parton: Float64Array, count: number, seed: number): DetectorOutput => {
    checkEventCount(count);
    if (parton.length < count * 3) throw new RangeError(`expected ${count} × 3 parton-level values, got ${parton.length}`);
    const m = new Float64Array(count);
    const y = new Float64Array(count);
    const cosTheta = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      m[i] = parton[i * 3];
      y[i] = parton[i * 3 + 1];
      cosTheta[i] = parton[i * 3 + 2];
    }
    return detector({ count, m, y, cosTheta }, createRandom(seed), detectorOptions);
  };
  const simulator: Simulator = {
    name: 'drell-yan-smeft',
    parameters: PARAMETERS.map((p) => ({ name: p.name, reference: 0, description: `${p.description} (WCxf ${p.wcxf})`, range: [-2, 2] as const })),
    partonVariables: [
      { name: 'm', unit: 'GeV', description: 'dilepton mass' },
      { name: 'y', description: 'rapidity of the pair' },
      { name: 'cos_theta', description: 'cos θ* of ℓ⁻ from +z in the pair rest frame' },
    ],
    observables: RECO_OBSERVABLES.map((name) => ({ name, unit: UNITS[name], description: DESCRIPTIONS[name] })),
    degree: 2,
    basis: BASIS,
    metadata: {
      simulator: 'drell-yan-smeft',
      process: 'pp → Z/γ* → ℓ⁺ℓ⁻, leading order, u and d quarks, contact terms C_lq1, C_lq3, C_eu',
      sqrtS: SQRT_S,
      mZ: M_Z,
      gammaZ: GAMMA_Z,
      sin2W: SIN2_W,
      alpha: ALPHA,
      lambda: LAMBDA,
      generation: { mMin: region?.mMin ?? M_MIN, mMax: M_MAX, yMax: region?.yMax ?? 'kinematic limit', proposal: 'm^-3 × uniform y × uniform cos θ*' },
      detector: { ...DETECTOR_DEFAULTS, ...detectorOptions },
      weights: 'pb per event',
    },
    sampleParton,
    smear,
    simulate: (request) => simulateThroughDetector(simulator, request),
  };
  return simulator;
}
