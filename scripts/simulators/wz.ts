/**
 * The W±Z SMEFT process (wz-physics.ts) behind the Simulator interface (types.ts), so that
 * fractional smearing, derivative learning and the reference samples run on it unchanged.
 * Parton-level rows are (charge of the W, ŝ, t̂, then the lab-frame (E, px, py, pz) of ℓ_W, ν,
 * ℓ⁺_Z, ℓ⁻_Z); weights are pb per event at θ0, multiplied at θ ≠ θ0 by each event's exact
 * ratio c(z)·m(θ). The detector is wz-detector.ts's.
 *
 * The generator's final state is one flavour combination (e ν μμ); the weights count the four
 * with ℓ, ℓ' ∈ {e, μ} (LEPTON_COMBINATIONS), whose kinematics the flavour-blind detector treats
 * alike, neglecting the identical-lepton interference of eee and μμμ, as the seed's sample sums them.
 */
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { createRandom } from '../../models/random.js';
import type { FourVector } from './four-vectors.js';
import { detectWZ, WZ_DETECTOR_DEFAULTS, WZ_RECO_OBSERVABLES, type WzDetectorOptions } from './wz-detector.js';
import { ALPHA, BASIS, GAMMA_W, GAMMA_Z, LAMBDA, leptonicBranching, M_W, M_Z, PARAMETERS, sampleWZ, SIN2_W, SQRT_S } from './wz-physics.js';
import { checkEventCount, deriveSeed, parameterPoint, simulateThroughDetector, type DetectorOutput, type PartonSample, type Simulator } from './types.js';

/** W → eν, μν times Z → ee, μμ: the weights count all four (module comment). */
export const LEPTON_COMBINATIONS = 4;
/** Parton-level columns: the W charge, ŝ, t̂, then four four-momenta. */
export const WZ_PARTON_DIMENSION = 19;
/** The parton-level training inputs of seed 003 sec. 4.1: ŝ, t̂ and the W charge. */
export const WZ_PARTON_INPUTS = ['s', 't', 'charge'] as const;

const UNITS: Record<string, string> = { m_ll: 'GeV', pt_Z: 'GeV', pt_lW: 'GeV', mt_W: 'GeV', mt_WZ: 'GeV', met_x: 'GeV', met_y: 'GeV', met: 'GeV' };
const DESCRIPTIONS: Record<string, string> = {
  met_x: 'missing E_T, x component',
  met_y: 'missing E_T, y component',
  met: 'missing E_T',
  charge: 'sum of the three lepton charges (the W charge)',
  m_ll: 'm_Z^ℓℓ of the Z candidate',
  pt_Z: 'p_T of the Z candidate',
  pt_lW: 'p_T of the W lepton',
  mt_W: 'm_T^W of the W lepton and the missing E_T',
  mt_WZ: 'm_T^WZ of the three leptons and the missing E_T',
};
const PARTICLES: Record<string, string> = { lW: 'the W lepton', lZp: 'the Z candidate ℓ⁺', lZm: 'the Z candidate ℓ⁻' };

function observableInfo(name: string) {
  const [particle, component] = name.split('_');
  if (PARTICLES[particle]) return { name, unit: 'GeV', description: `${component} of ${PARTICLES[particle]}` };
  return { name, ...(UNITS[name] ? { unit: UNITS[name] } : {}), description: DESCRIPTIONS[name] };
}

const vector = (row: Float64Array, at: number): FourVector => [row[at], row[at + 1], row[at + 2], row[at + 3]];

export function wzSimulator(options: { detector?: WzDetectorOptions } = {}): Simulator {
  const detectorOptions = options.detector ?? {};
  const C = BASIS.size;
  const D = WZ_RECO_OBSERVABLES.length;
  const sampleParton = ({ events, theta, seed }: { events: number; theta?: number | ArrayLike<number>; seed: number }): PartonSample => {
    checkEventCount(events);
    const point = parameterPoint(simulator, theta);
    const rng = createRandom(deriveSeed(seed, 'wz-parton'));
    const sample = sampleWZ(events, () => rng.uniform());
    const parton = new Float64Array(sample.count * WZ_PARTON_DIMENSION);
    for (let i = 0; i < sample.count; i++) {
      const o = i * WZ_PARTON_DIMENSION;
      parton[o] = sample.charge[i];
      parton[o + 1] = sample.s[i];
      parton[o + 2] = sample.t[i];
      parton.set(sample.momenta.subarray(i * 16, (i + 1) * 16), o + 3);
    }
    const weights = sample.weights;
    for (let i = 0; i < sample.count; i++) weights[i] *= LEPTON_COMBINATIONS;
    if (point.some((t) => t !== 0)) {
      const m = evaluateMonomials(BASIS, point);
      for (let i = 0; i < sample.count; i++) weights[i] *= polynomialValue(sample.coefficients, m, i * C);
    }
    return { count: sample.count, parton, coefficients: sample.coefficients, weights };
  };
  const smear = (parton: Float64Array, count: number, seed: number): DetectorOutput => {
    checkEventCount(count);
    if (parton.length < count * WZ_PARTON_DIMENSION) throw new RangeError(`expected ${count} × ${WZ_PARTON_DIMENSION} parton-level values, got ${parton.length}`);
    const random = createRandom(seed);
    let reco = new Float64Array(count * D);
    const accepted = new Int32Array(count);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const row = parton.subarray(i * WZ_PARTON_DIMENSION, (i + 1) * WZ_PARTON_DIMENSION);
      const event = { charge: row[0], lW: vector(row, 3), nu: vector(row, 7), lZp: vector(row, 11), lZm: vector(row, 15) };
      if (detectWZ(event, random, reco, n * D, detectorOptions)) accepted[n++] = i;
    }
    reco = reco.slice(0, n * D);
    return { reco, accepted: accepted.slice(0, n) };
  };
  const simulator: Simulator = {
    name: 'wz-smeft',
    parameters: PARAMETERS.map((p) => ({ name: p.name, reference: 0, description: `${p.description} (WCxf ${p.wcxf})`, range: p.range })),
    partonVariables: [
      { name: 'charge', description: 'charge of the W' },
      { name: 's', unit: 'GeV^2', description: 'ŝ' },
      { name: 't', unit: 'GeV^2', description: 't̂ = (p_q − p_W)²' },
      ...['lW', 'nu', 'lZp', 'lZm'].flatMap((p) => ['E', 'px', 'py', 'pz'].map((c) => ({ name: `${p}_${c}`, unit: 'GeV', description: `${c} of the parton-level ${p}` }))),
    ],
    observables: WZ_RECO_OBSERVABLES.map(observableInfo),
    degree: 2,
    basis: BASIS,
    metadata: {
      simulator: 'wz-smeft',
      process: 'pp → W±Z → ℓν ℓ′⁺ℓ′⁻ (ℓ, ℓ′ ∈ {e, μ}, generated as e ν μμ), leading order, first generation, narrow-width W and Z with spin correlations; c_ΦWB, c_WWW, c_Φq^(3) (wz-amplitudes.ts)',
      sqrtS: SQRT_S,
      mW: M_W,
      mZ: M_Z,
      gammaW: GAMMA_W,
      gammaZ: GAMMA_Z,
      sin2W: SIN2_W,
      alpha: ALPHA,
      lambda: LAMBDA,
      branching: { ...leptonicBranching, combinations: LEPTON_COMBINATIONS },
      detector: { ...WZ_DETECTOR_DEFAULTS, ...detectorOptions },
      weights: 'pb per event',
    },
    sampleParton,
    smear,
    simulate: (request) => simulateThroughDetector(simulator, request),
  };
  return simulator;
}
