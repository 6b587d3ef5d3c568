/**
 * Issue 16 item 5: the Drell–Yan likelihood learned by the other estimators of seed 003, for
 * the same test-sample comparison as `dy-smeft-run3` (derivative learning, learned.ts).
 *
 * - morphing-aware (sec. 2.1, eq. 25; seed 003's own variant): one repulsive ensemble of ALICE
 *   classifiers per benchmark along the axes (app. C, eq. 54) learns the signal's
 *   r_i(x) = p_s(x|θ_i)/p_s(x|θ0); frozen with a morphing head, ĉ(x) = W⁻¹ diag(σ(θ_i)/σ0) r̂(x)
 *   enters the same term as derivative learning, R̂ = f_s ĉ·m(θ) + 1 − f_s, with the same
 *   classifier f_s (taken from `dy-smeft-run3`, so that the two artifacts differ in ĉ only).
 * - CARL (eq. 6-8): one θ-parametrised classifier between signal plus background drawn at θ from
 *   a prior and at θ0. The background does not depend on θ, so its optimal logit is the ratio of
 *   the full densities, ln[p(x|θ)/p(x|θ0)], which the parametrised term kind serves as it is, with
 *   σ(θ) of signal plus background from the generator.
 *
 * The benchmarks' spreads s (and CARL's prior widths) are set by what a classifier can
 * resolve, not by the intervals: morphing interpolates wherever θ lies inside the benchmarks'
 * hull, and the errors of ĉ are those of ln r̂_i divided by s (linear) and s² (quadratic). At
 * these budgets the classifiers' ln r̂_i have an rms error of about 5e-3 over the events; at
 * s = (0.02, 0.012, 0.02), twice the expected 95% half-widths, that is as large as ln r_i itself
 * and the quadratic coefficients came out as noise, which the positivity projection then turns
 * into a bias upwards (σ's C_lq1² coefficient 99 against 2.2). Ten times that, the ratios at the
 * benchmarks are some ten times the error (mean |ln r| 0.04–0.1; at the highest masses r reaches
 * 10³).
 */
import { axisBenchmarks } from '../../models/basis/morphing.js';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import type { FrozenNetwork } from '../../models/network/frozen-network.js';
import { BASIS, PARAMETERS } from '../simulators/drell-yan-physics.js';
import { deriveSeed, parameterPoint, type SimulateOptions, type SimulatedSample, type Simulator } from '../simulators/types.js';
import { backendProvenance, selectBackend } from '../training/backend.js';
import { parityCheck, parityValidation } from '../training/freeze.js';
import { trainMorphingAware } from '../training/morphing-aware.js';
import { parametrisedTrainingRows, trainParametrisedClassifier } from '../training/parametrised-classifier.js';
import type { EnsembleOptions } from '../training/weighted-mlp.js';
import { drellYanSelectable, generatorCrossSection, mixedSample, type GeneratorCrossSection, type PublishedEstimator, type TrainedDrellYan } from './learned.js';

export type DrellYanEstimator = 'morphing' | 'carl';

export interface EstimatorConfig {
  /** the run seed: the generator's σ and the reference sample are those of `dy-smeft-run3` when it is the same */
  seed: number;
  /** benchmark offsets along each axis, s_j (morphing) and the prior's standard deviations (CARL) */
  spreads: [number, number, number];
  /** morphing: parton events simulated at each benchmark (θ0 included); CARL: signal parton events at θ and as many at θ0 */
  events: number;
  /** CARL: background events drawn with each class */
  backgroundEvents: number;
  /** CARL: distinct θ drawn from the prior */
  thetaDraws: number;
  /** morphing-aware: the classifiers' loss (scripts/training/morphing-aware.ts): ALICE's cross entropy (absent) or seed 003 eq. 55 */
  morphingLoss?: 'alice' | 'squared-ratio';
  network: Required<Pick<EnsembleOptions, 'hidden' | 'members' | 'epochs' | 'batchSize' | 'learningRate' | 'finalLearningRate' | 'repulsionStrength'>>;
  crossSectionEvents: number;
  referenceEvents: number;
  backgroundReferenceEvents: number;
  /** σ(θ)'s control variate over its own sample, as `dy-smeft-run3`@1.1.0 (learned.ts `publishedCrossSection`) */
  controlVariateEvents: { signal: number; background: number };
}

/** The ensemble size, widths and learning-rate schedule of `dy-smeft-run3`'s derivative learning (equal network sizes for all estimators). */
export const DEFAULT_ESTIMATOR_CONFIG: EstimatorConfig = {
  seed: 20261125,
  spreads: [0.2, 0.12, 0.2],
  events: 100_000,
  backgroundEvents: 40_000,
  thetaDraws: 1000,
  network: { hidden: [64, 64], members: 3, epochs: 12, batchSize: 1024, learningRate: 2e-3, finalLearningRate: 5e-5, repulsionStrength: 1 },
  crossSectionEvents: 4_000_000,
  referenceEvents: 50_000,
  backgroundReferenceEvents: 25_000,
  controlVariateEvents: { signal: 8_000_000, background: 4_000_000 },
};

export const QUICK_ESTIMATOR_CONFIG: EstimatorConfig = {
  ...DEFAULT_ESTIMATOR_CONFIG,
  events: 3000,
  backgroundEvents: 1500,
  thetaDraws: 50,
  network: { hidden: [8], members: 2, epochs: 1, batchSize: 256, learningRate: 2e-3, finalLearningRate: 2e-3, repulsionStrength: 1 },
  crossSectionEvents: 40_000,
  referenceEvents: 3000,
  backgroundReferenceEvents: 1500,
  controlVariateEvents: { signal: 20_000, background: 10_000 },
};

export interface EstimatorHooks {
  onStage?: (stage: string, detail: string) => void;
  onProgress?: (done: number, total: number, loss: number) => void;
}

/** The benchmarks of morphing-aware estimation: θ0, θ0 ± s_j e_j, θ0 + s_j e_j + s_k e_k (app. C). */
export const drellYanBenchmarks = (config: EstimatorConfig) => axisBenchmarks(PARAMETERS.length, config.spreads);

export const MORPHING_AWARE: PublishedEstimator = {
  id: 'dy-smeft-run3-morphing',
  title: 'Drell–Yan in the SMEFT at Run 3: the learned unbinned likelihood, morphing-aware',
  producer: 'drell-yan-morphing-aware',
  seeds: ['morphing-aware'],
  network: (members) => `morphing-aware estimation (seed 003 eq. 25): at each of 9 benchmarks along the axes a repulsive ensemble of ${members} classifiers (ALICE loss) learns p_s(x|θ_i)/p_s(x|θ0), frozen side by side with a morphing head,`,
};

/** The signal fraction another Drell–Yan artifact was published with, and its training figures. */
export interface SignalFractionSource {
  classifier: FrozenNetwork;
  figures: Pick<TrainedDrellYan['training'], 'classifierSeconds' | 'classifierHistory' | 'classifierEvents'>;
}

/**
 * generator σ → one ALICE ensemble per benchmark → frozen with a morphing head, parity on
 * held-out events; `source` gives the signal fraction f_s(x) the artifact pairs it with.
 */
export async function trainMorphingDrellYan(config: EstimatorConfig, source: SignalFractionSource, hooks: EstimatorHooks = {}): Promise<TrainedDrellYan> {
  const stage = hooks.onStage ?? (() => {});
  const { seed } = config;
  const generator = generatorCrossSection(config.crossSectionEvents, deriveSeed(seed, 'generator'));
  stage('generator', `σ_s × acceptance = ${generator.sigma.toFixed(4)} ± ${generator.sigmaError.toFixed(4)} pb from ${generator.events} events`);
  const backend = await selectBackend({ log: null });
  const simulator = drellYanSelectable();
  const benchmarks = drellYanBenchmarks(config);
  const trained = await trainMorphingAware(simulator, { ...config.network, benchmarks, eventsPerBenchmark: config.events, loss: config.morphingLoss, seed: deriveSeed(seed, 'morphing-aware') }, (p) =>
    hooks.onProgress?.((p.benchmark - 1) * p.epochs + p.epoch, p.benchmarks * p.epochs, p.loss),
  );
  stage('train', `${benchmarks.length - 1} benchmark ensembles in ${trained.seconds.toFixed(0)} s on ${backend.name}; condition number ${trained.configuration.conditionNumber.toFixed(1)}; σ(θ_i)/σ0 = ${trained.crossSectionRatios.map((v) => v.toFixed(4)).join(', ')}`);
  const heldOut = simulator.simulate({ events: 20_000, seed: deriveSeed(seed, 'parity') });
  const parity = parityCheck({ inputs: trained.frozen.inputs, coefficients: trained.frozen.outputs, predict: trained.predict }, trained.frozen, heldOut.reco, heldOut.count);
  trained.dispose();
  stage('freeze', `runtime vs tfjs: ${parity.maxRelativeDifference.toExponential(2)} (relative)`);
  const backendRecord = backendProvenance(backend);
  const { configuration } = trained;
  return {
    network: trained.frozen,
    classifier: source.classifier,
    generator,
    training: {
      ...source.figures,
      seconds: trained.seconds,
      eventsPerSecond: trained.eventsPerSecond,
      backend: backend.name,
      epochs: configuration.epochs,
      members: configuration.members,
      partonEvents: config.events * benchmarks.length,
      trainingEvents: configuration.trainingEvents,
      history: [],
      fractionalSmearing: null,
    },
    parity: { network: parity.maxRelativeDifference, classifier: 0, note: parityValidation(parity, backend.name).note },
    configuration: { estimator: 'morphing-aware', network: { ...configuration, crossSectionRatios: trained.crossSectionRatios }, classifier: 'the signal fraction of dy-smeft-run3' },
    backend: { versions: backendRecord.versions, details: backendRecord.details as unknown as Record<string, unknown> },
  };
}

/**
 * The selected Drell–Yan signal plus the θ-independent background as one simulator: at θ the
 * signal is reweighted by R(z|θ) = c(z)·m(θ), the background (coefficients e_0) is not.
 */
export function signalPlusBackground(generator: Pick<GeneratorCrossSection, 'above200'>, backgroundShare: number): Simulator {
  const signal = drellYanSelectable();
  const simulate = (request: SimulateOptions): SimulatedSample => {
    const theta = parameterPoint(signal, request.theta);
    const background = Math.max(1, Math.round(request.events * backgroundShare));
    const { mixed } = mixedSample(request.events, background, request.seed, generator.above200);
    if (theta.some((t) => t !== 0)) {
      const m = evaluateMonomials(BASIS, theta);
      for (let i = 0; i < mixed.count; i++) mixed.weights[i] *= polynomialValue(mixed.coefficients, m, i * BASIS.size);
    }
    // the classifiers see reco-level observables only, and the background has no parton level: NaN
    return { ...mixed, parton: new Float64Array(mixed.count * signal.partonVariables.length).fill(NaN) };
  };
  return { ...signal, name: 'drell-yan-smeft-with-background', simulate };
}

/** The trained CARL network with what publishing and the comparison need. */
export interface TrainedCarl {
  network: FrozenNetwork;
  generator: GeneratorCrossSection;
  seconds: number;
  eventsPerSecond: number;
  backend: string;
  parity: number;
  configuration: Record<string, unknown>;
}

/** generator σ → CARL on signal plus background at θ ~ N(0, spreads²) against θ0 → frozen, parity on held-out rows. */
export async function trainCarlDrellYan(config: EstimatorConfig, hooks: EstimatorHooks = {}): Promise<TrainedCarl> {
  const stage = hooks.onStage ?? (() => {});
  const { seed } = config;
  const generator = generatorCrossSection(config.crossSectionEvents, deriveSeed(seed, 'generator'));
  const backend = await selectBackend({ log: null });
  const simulator = signalPlusBackground(generator, config.backgroundEvents / config.events);
  const prior = { mean: [0, 0, 0], sd: [...config.spreads] };
  const trained = await trainParametrisedClassifier(
    simulator,
    { ...config.network, method: 'carl', events: config.events, prior, thetaDraws: config.thetaDraws, crossSection: generator.coefficients, seed: deriveSeed(seed, 'carl') },
    (epoch, epochs, loss) => hooks.onProgress?.(epoch, epochs, loss),
  );
  stage('train', `CARL: ${trained.configuration.trainingRows} rows in ${trained.seconds.toFixed(0)} s on ${backend.name}`);
  const heldOut = parametrisedTrainingRows(simulator, { method: 'carl', events: 10_000, prior, thetaDraws: 100, crossSection: generator.coefficients, seed: deriveSeed(seed, 'parity') });
  const parity = parityCheck({ inputs: trained.frozen.inputs, coefficients: 1, predict: trained.predict }, trained.frozen, heldOut.x, heldOut.count);
  trained.dispose();
  stage('freeze', `runtime vs tfjs: ${parity.maxRelativeDifference.toExponential(2)} (relative)`);
  return { network: trained.frozen, generator, seconds: trained.seconds, eventsPerSecond: trained.eventsPerSecond, backend: backend.name, parity: parity.maxRelativeDifference, configuration: { estimator: 'carl', ...trained.configuration } };
}
