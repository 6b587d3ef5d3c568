/**
 * Issue 17 item 3, parton level (seed 003 sec. 4.1, fig. 7-9): W and Z stable, the events'
 * information is (ŝ, t̂, the W charge), and the exact ratio is the production matrix element's
 * (wz-physics.ts `productionCoefficients`, the decays integrated out). Two estimators learn it:
 *
 * - derivative learning at θ0 (sec. 2.2), a repulsive ensemble;
 * - morphing-aware estimation (sec. 2.1, eq. 25) at app. C's nine basis points (eq. 54) with
 *   its MSE loss (eq. 55), a repulsive ensemble per basis point.
 *
 * Networks see (ln ŝ, −t̂/ŝ, y, charge): the seed's inputs (ŝ, t̂, charge), on scales a
 * standardisation handles (ŝ spans three decades), and the rapidity y of the W Z system. Our t̂
 * is taken from the parton moving along +z, which is the quark or the antiquark (both
 * orientations are summed); the parton densities weigh the two by y, so without y the exact
 * ratio would be an average over it. Each is compared with the truth on Asimov data at 300 fb⁻¹, at the
 * SM and at the seed's BSM point (1, 0.1, 0.1): q = −2 Δln L is N times the seed's averaged
 * log-likelihood ratio plus the rate's term.
 */
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { profileContour, type ProfileContourResult } from '../../models/inference/intervals/contour.js';
import { profileInterval, type ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import { evaluateEnsemble, type AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { BASIS, buildPoint, hadronicCoefficients, M_W, M_Z, PARAMETERS, sampleWZ } from '../simulators/wz-physics.js';
import { checkEventCount, deriveSeed, parameterPoint, type Simulator } from '../simulators/types.js';
import { createRandom } from '../../models/random.js';
import { selectBackend } from '../training/backend.js';
import { trainDerivativeLearning } from '../training/derivative-learning.js';
import { freezeModel } from '../training/freeze.js';
import { trainMorphingAware } from '../training/morphing-aware.js';
import { LEVELS, PAIRS, wilsonCoefficients } from './inference.js';
import { C, LUMINOSITY_FB, PB } from './samples.js';

/** Seed 003 eq. 54: θ0 and app. C's nine basis points (c_ΦWB, c_WWW, c_Φq^(3)). */
export const MORPHING_BENCHMARKS = [
  [0, 0, 0],
  [-4, 0, 0],
  [4, 0, 0],
  [0, -0.2, 0],
  [0, 0.2, 0],
  [0, 0, -0.2],
  [0, 0, 0.2],
  [-1.2, -0.09, 0],
  [-1.2, 0, -0.09],
  [0, -0.09, -0.09],
];
/** The seed's BSM point (sec. 4.1). */
export const BSM_POINT = [1, 0.1, 0.1];
const PARTON_INPUTS = 4;

/** A spherical 2-design (the tetrahedron's vertices): exact for harmonics of degree ≤ 2. */
const TETRAHEDRON = [
  [1, 1, 1],
  [1, -1, -1],
  [-1, 1, -1],
  [-1, -1, 1],
].map(([x, y, z]) => [z / Math.sqrt(3), Math.atan2(y, x)] as const);

/**
 * The production-level coefficients at (charge, ŝ, t̂, y), normalised (c_0 = 1): the hadronic
 * coefficients averaged over both decay directions. Each decay amplitude of a spin-1 boson into
 * massless leptons is a degree-1 harmonic of the lepton's direction in the boson's rest frame,
 * so |A|² is of degree ≤ 2 in each direction and the tetrahedral 2-design integrates it
 * exactly (16 points); the azimuth of the production plane does not matter.
 */
export function partonLevelCoefficients(charge: number, s: number, t: number, y: number, out: Float64Array): Float64Array {
  const m = Math.sqrt(s);
  const q = Math.sqrt(Math.max(0, (s - (M_W + M_Z) ** 2) * (s - (M_W - M_Z) ** 2))) / (2 * m);
  // t = m_W² − √ŝ (E_W − k_z) for the parton along +z
  const kz = Math.hypot(q, M_W) - (M_W * M_W - t) / m;
  const cos = Math.max(-1, Math.min(1, kz / q));
  const scratch = new Float64Array(C);
  out.fill(0);
  for (const [cw, fw] of TETRAHEDRON) {
    for (const [cz, fz] of TETRAHEDRON) {
      hadronicCoefficients(charge > 0 ? 1 : -1, buildPoint(m, y, cos, 0, [cw, fw, cz, fz]), scratch);
      for (let k = 0; k < C; k++) out[k] += scratch[k];
    }
  }
  const norm = out[0];
  for (let k = 0; k < C; k++) out[k] = norm > 0 ? out[k] / norm : k === 0 ? 1 : 0;
  return out;
}

export interface PartonConfig {
  trainingEvents: number;
  morphingEventsPerBenchmark: number;
  testEvents: number;
  /** relativeFloor: the relative loss weighting of derivative-learning.ts: the ratio's tails span decades */
  derivative: { hidden: number[]; members: number; epochs: number; batchSize: number; learningRate: number; finalLearningRate: number; relativeFloor?: number };
  morphing: { hidden: number[]; members: number; epochs: number; batchSize: number; learningRate: number };
  points: number;
  contourPoints: number;
}

/** The rapidity of event i's W Z system from its four lepton momenta. */
function systemRapidity(momenta: Float64Array, i: number): number {
  let e = 0;
  let z = 0;
  for (let l = 0; l < 4; l++) {
    e += momenta[i * 16 + 4 * l];
    z += momenta[i * 16 + 4 * l + 3];
  }
  return 0.5 * Math.log((e + z) / (e - z));
}

/** W Z events at parton level behind the Simulator interface: (ln ŝ, −t̂/ŝ, y, charge) with the production-level coefficients. */
export function wzPartonSimulator(): Simulator {
  const sampleParton = ({ events, theta, seed }: { events: number; theta?: number | ArrayLike<number>; seed: number }) => {
    checkEventCount(events);
    const point = parameterPoint(simulator, theta);
    const rng = createRandom(deriveSeed(seed, 'wz-parton-level'));
    const sample = sampleWZ(events, () => rng.uniform());
    const n = sample.count;
    const parton = new Float64Array(n * PARTON_INPUTS);
    const coefficients = new Float64Array(n * C);
    const weights = Float64Array.from(sample.weights);
    const m = evaluateMonomials(BASIS, point);
    const moved = point.some((v) => v !== 0);
    for (let i = 0; i < n; i++) {
      const y = systemRapidity(sample.momenta, i);
      const o = i * PARTON_INPUTS;
      parton[o] = Math.log(sample.s[i]);
      parton[o + 1] = -sample.t[i] / sample.s[i];
      parton[o + 2] = y;
      parton[o + 3] = sample.charge[i];
      partonLevelCoefficients(sample.charge[i], sample.s[i], sample.t[i], y, coefficients.subarray(i * C, (i + 1) * C));
      if (moved) weights[i] *= polynomialValue(coefficients, m, i * C);
    }
    return { count: n, parton, coefficients, weights };
  };
  const simulator: Simulator = {
    name: 'wz-smeft-parton',
    parameters: PARAMETERS.map((p) => ({ name: p.name, reference: 0, range: p.range })),
    partonVariables: [{ name: 'ln_s' }, { name: 't_over_s' }, { name: 'y' }, { name: 'charge' }],
    observables: [{ name: 'ln_s', description: 'ln(ŝ/GeV²)' }, { name: 't_over_s', description: '−t̂/ŝ' }, { name: 'y', description: 'rapidity of the W Z system' }, { name: 'charge', description: 'charge of the W' }],
    degree: 2,
    basis: BASIS,
    metadata: { simulator: 'wz-smeft-parton' },
    sampleParton,
    smear: (parton, count) => ({ reco: parton.slice(0, count * PARTON_INPUTS), accepted: null }),
    simulate: (request) => {
      const sample = sampleParton(request);
      return { ...sample, reco: sample.parton };
    },
  };
  return simulator;
}

export interface PartonStudy {
  test: { events: number; sigmaPb: number; expectedEvents: number };
  /** per data set (sm, bsm), per estimator, per coefficient: q with the others at 0 (variant 0 and members) */
  scans: Record<'sm' | 'bsm', Record<PartonEstimator, ProfileIntervalResult[][]>>;
  /** per data set, per estimator, per pair (third at 0): the estimate's regions */
  contours: Record<'sm' | 'bsm', Record<PartonEstimator, ProfileContourResult[]>>;
  halfWidths: number[];
  training: Record<'derivative' | 'morphing', { seconds: number; events: number }>;
}

export const PARTON_ESTIMATORS = ['truth', 'derivative', 'morphing'] as const;
export type PartonEstimator = (typeof PARTON_ESTIMATORS)[number];

/**
 * The likelihood of the test events with coefficients `variants`, Asimov data at θ_A drawn with
 * the exact ratio; the parameters in `fixed` held at θ_A.
 */
function asimovLikelihood(test: { count: number; coefficients: Float64Array; weights: Float64Array }, variants: readonly Float64Array[], thetaA: readonly number[], fixed: readonly string[]) {
  const weightsFb = test.weights.map((w) => w * PB);
  // the term expands around θ0 (its parameters' initial values); the likelihood starts at θ_A and holds `fixed` there
  const parameters = wilsonCoefficients().map((p, j) => ({ ...p, init: thetaA[j], fixed: fixed.includes(p.name) }));
  const sigma0 = weightsFb.reduce((a, b) => a + b, 0);
  const crossSection = variants.map((v) => crossSectionFromReference(v, test.count, C, weightsFb));
  const term = createUnbinnedPolynomialTerm({ name: 'parton', parameters: wilsonCoefficients(), degree: 2, basis: BASIS, sigma0, crossSection });
  const m = evaluateMonomials(BASIS, thetaA);
  const dataWeights = Float64Array.from(weightsFb, (w, i) => w * LUMINOSITY_FB * polynomialValue(test.coefficients, m, i * C));
  const data = { luminosity: LUMINOSITY_FB, rate: true, terms: { parton: { count: test.count, coefficients: [...variants], weights: variants.map(() => dataWeights), crossSections: crossSection } } };
  return { likelihood: createLikelihood(parameters, [term], LUMINOSITY_FB), data };
}

/** Trains both estimators, then scans and contours on the SM and BSM Asimov data. */
export async function partonStudy(config: PartonConfig, seed: number, halfWidths: number[], log: (line: string) => void): Promise<PartonStudy> {
  const simulator = wzPartonSimulator();
  const backend = await selectBackend({ log: null });
  const train = simulator.simulate({ events: config.trainingEvents, seed: deriveSeed(seed, 'parton-training') });
  const d = config.derivative;
  const derivative = await trainDerivativeLearning(
    { parameters: 3, degree: 2, ...d, repulsion: { kind: 'function', strength: 1 }, seed: deriveSeed(seed, 'parton-derivative') },
    { count: train.count, inputs: train.reco, targets: train.coefficients, weights: train.weights },
    (p) => log(`[parton] derivative learning epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}`),
    { backend },
  );
  const derivativeNetwork = freezeModel(derivative.model);
  derivative.model.dispose();
  const morphing = await trainMorphingAware(simulator, { benchmarks: MORPHING_BENCHMARKS, eventsPerBenchmark: config.morphingEventsPerBenchmark, ...config.morphing, loss: 'squared-ratio', seed: deriveSeed(seed, 'parton-morphing') }, (p) =>
    p.epoch === p.epochs ? log(`[parton] morphing-aware benchmark ${p.benchmark}/${p.benchmarks} loss ${p.loss.toFixed(4)}`) : undefined,
  );
  const morphingNetwork = morphing.frozen;
  morphing.dispose();

  const test = simulator.sampleParton({ events: config.testEvents, seed: deriveSeed(seed, 'parton-test') });
  const variants: Record<PartonEstimator, Float64Array[]> = {
    truth: [test.coefficients],
    derivative: ensembleVariants(derivativeNetwork, test.parton, test.count),
    morphing: ensembleVariants(morphingNetwork, test.parton, test.count),
  };
  const scans = {} as PartonStudy['scans'];
  const contours = {} as PartonStudy['contours'];
  for (const [set, thetaA] of [['sm', [0, 0, 0]], ['bsm', BSM_POINT]] as const) {
    scans[set] = {} as Record<PartonEstimator, ProfileIntervalResult[][]>;
    contours[set] = {} as Record<PartonEstimator, ProfileContourResult[]>;
    for (const estimator of PARTON_ESTIMATORS) {
      const range = (k: number) => (set === 'sm' ? [-halfWidths[k], halfWidths[k]] : [BSM_POINT[k] - 2 * halfWidths[k], BSM_POINT[k] + 2 * halfWidths[k]]) as [number, number];
      // one coefficient at a time, the others at the data's point: seed 003 fig. 7 (SM) and slices of fig. 9 (BSM)
      scans[set][estimator] = PARAMETERS.map((p, k) => {
        const { likelihood, data } = asimovLikelihood(test, variants[estimator], thetaA, PARAMETERS.filter((o) => o.name !== p.name).map((o) => o.name));
        return variants[estimator].map((_, variant) => profileInterval(likelihood, data, p.name, LEVELS, { points: config.points, range: range(k), variant }));
      });
      // the third coefficient at the data's point: fig. 8 (SM) and fig. 9 (BSM)
      contours[set][estimator] = PAIRS.map(([a, b]) => {
        const { likelihood, data } = asimovLikelihood(test, variants[estimator], thetaA, [PARAMETERS[3 - a - b].name]);
        return profileContour(likelihood, data, [PARAMETERS[a].name, PARAMETERS[b].name], LEVELS, { points: config.contourPoints, ranges: [range(a), range(b)] });
      });
      log(`[parton] ${set} ${estimator}: scans and contours`);
    }
  }
  const sigmaPb = test.weights.reduce((a, b) => a + b, 0);
  return {
    test: { events: test.count, sigmaPb, expectedEvents: sigmaPb * PB * LUMINOSITY_FB },
    scans,
    contours,
    halfWidths,
    training: { derivative: { seconds: derivative.seconds, events: train.count }, morphing: { seconds: morphing.seconds, events: morphing.configuration.trainingEvents } },
  };
}

/** The ensemble mean, then each member, of a frozen network on n events. */
function ensembleVariants(network: AnyFrozenNetwork, x: Float64Array, n: number): Float64Array[] {
  const { mean, members } = evaluateEnsemble(network, x, n);
  return [mean, ...members];
}
