/**
 * Issue 17: the whole W±Z study in one run (`npm run cli -- wz`): the generator's exact σ(θ),
 * parton level (parton.ts), reco-level training of both architectures (train.ts), the
 * comparison on one test sample (inference.ts) and the coverage of both learned likelihoods
 * (coverage.ts). The frozen networks are kept beside the study for publishing.
 */
import { createLikelihood } from '../../models/likelihood/likelihood.js';
import type { ProfileContourResult } from '../../models/inference/intervals/contour.js';
import type { ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { evaluateEnsemble, type AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { deriveSeed } from '../simulators/types.js';
import { BASIS } from '../simulators/wz-physics.js';
import { coverageAtSM, type CoverageResult } from './coverage.js';
import { binnedInference, learnedVariants, MTWZ_EDGES, polynomialInference, runScans, scanHalfWidths, wilsonCoefficients, type InferenceModel } from './inference.js';
import { partonStudy, type PartonConfig, type PartonStudy } from './parton.js';
import { C, crossSectionOf, LUMINOSITY_FB, PB, recoColumn, selectedSample, type SelectedSample } from './samples.js';
import { recoTrainingSample, trainReco, type RecoTrainingConfig, type TrainedReco, type WzArchitecture } from './train.js';

export const RECO_INFERENCES = ['truth', 'lgatr', 'mlp', 'histogram', 'rate'] as const;
export type RecoInference = (typeof RECO_INFERENCES)[number];

export interface WzStudyConfig {
  seed: number;
  /** parton events behind the generator's exact σ(θ) of the selected events */
  generatorEvents: number;
  /** parton events of the comparison's test sample */
  testEvents: number;
  /** parton events of the coverage toys' pool */
  coveragePoolEvents: number;
  toys: number;
  reco: RecoTrainingConfig;
  parton: PartonConfig;
  points: number;
  contourPoints: number;
}

export const FULL_WZ_STUDY: WzStudyConfig = {
  seed: 20261206,
  generatorEvents: 2_000_000,
  testEvents: 400_000,
  coveragePoolEvents: 600_000,
  toys: 300,
  reco: {
    partonEvents: 60_000,
    fractionalSmearing: { threshold: 0.5, maxCopies: 8 },
    mlp: { hidden: [64, 64], members: 3, epochs: 24, batchSize: 512, learningRate: 2e-3, finalLearningRate: 1e-4 },
    lgatr: { channels: 4, scalarChannels: 8, blocks: 1, heads: 1, members: 2, epochs: 6, batchSize: 256, learningRate: 2e-3, finalLearningRate: 2e-4 },
  },
  parton: {
    trainingEvents: 100_000,
    morphingEventsPerBenchmark: 20_000,
    testEvents: 100_000,
    derivative: { hidden: [64, 64], members: 3, epochs: 20, batchSize: 512, learningRate: 2e-3, finalLearningRate: 1e-4 },
    morphing: { hidden: [32, 32], members: 2, epochs: 8, batchSize: 512, learningRate: 2e-3 },
    points: 31,
    contourPoints: 15,
  },
  points: 31,
  contourPoints: 15,
};

/** Under two minutes: every stage, on samples far too small for the numbers to mean anything. */
export const QUICK_WZ_STUDY: WzStudyConfig = {
  seed: 20261206,
  generatorEvents: 40_000,
  testEvents: 20_000,
  coveragePoolEvents: 20_000,
  toys: 20,
  reco: {
    partonEvents: 3000,
    fractionalSmearing: { threshold: 0.5, maxCopies: 3 },
    mlp: { hidden: [16], members: 2, epochs: 2, batchSize: 256, learningRate: 2e-3, finalLearningRate: 1e-3 },
    lgatr: { channels: 2, scalarChannels: 4, blocks: 1, heads: 1, members: 2, epochs: 1, batchSize: 128, learningRate: 2e-3, finalLearningRate: 1e-3 },
  },
  parton: {
    trainingEvents: 4000,
    morphingEventsPerBenchmark: 1000,
    testEvents: 4000,
    derivative: { hidden: [16], members: 2, epochs: 2, batchSize: 256, learningRate: 2e-3, finalLearningRate: 1e-3 },
    morphing: { hidden: [8], members: 2, epochs: 1, batchSize: 256, learningRate: 2e-3 },
    points: 7,
    contourPoints: 5,
  },
  points: 7,
  contourPoints: 5,
};

export interface GeneratorRecord {
  sigmaPb: number;
  sigmaErrorPb: number;
  coefficients: number[];
  errors: number[];
  selected: number;
}

export interface WzStudy {
  config: WzStudyConfig;
  generator: GeneratorRecord;
  test: { events: number; sigmaPb: number; expectedEvents: number; belowHistogram: number };
  parton: PartonStudy;
  training: Record<WzArchitecture, TrainedReco['record']>;
  halfWidths: number[];
  profiled: Record<RecoInference, ProfileIntervalResult[][]>;
  oneAtATime: Record<RecoInference, ProfileIntervalResult[]>;
  contours: Partial<Record<RecoInference, ProfileContourResult[]>>;
  coverage: Record<WzArchitecture | 'truth', CoverageResult>;
  seconds: number;
}

/**
 * The learned likelihood as the artifact serves it: ĉ from the network, σ(θ) by seed 003 eq. 34,
 * the mean ĉ over the reference sample (the test sample), so that its score at θ0 is unbiased
 * for data drawn at θ0 whatever the regression's errors (up to the sample's Monte Carlo error).
 */
export function learnedLikelihood(reference: SelectedSample, coefficients: Float64Array, name = 'wz') {
  const parameters = wilsonCoefficients();
  const weightsFb = reference.weights.map((w) => w * PB);
  const sigma0 = weightsFb.reduce((a, b) => a + b, 0);
  const term = createUnbinnedPolynomialTerm({ name, parameters, degree: 2, basis: BASIS, sigma0, crossSection: [crossSectionFromReference(coefficients, reference.count, C, weightsFb)] });
  return { term, likelihood: createLikelihood(parameters, [term], LUMINOSITY_FB) };
}

export function generatorRecord(sample: SelectedSample): GeneratorRecord {
  const g = crossSectionOf(sample);
  return { sigmaPb: g.sigma, sigmaErrorPb: g.sigmaError, coefficients: Array.from(g.coefficients), errors: Array.from(g.errors), selected: sample.count };
}

export async function runWzStudy(config: WzStudyConfig, log: (line: string) => void): Promise<{ study: WzStudy; networks: Record<WzArchitecture, AnyFrozenNetwork> }> {
  const started = performance.now();
  const { seed } = config;
  const generator = generatorRecord(selectedSample(config.generatorEvents, deriveSeed(seed, 'generator')));
  log(`[generator] σ × BR × acceptance = ${(generator.sigmaPb * PB).toFixed(2)} ± ${(generator.sigmaErrorPb * PB).toFixed(2)} fb (${generator.selected} selected events)`);
  const test = selectedSample(config.testEvents, deriveSeed(seed, 'test'));
  const testSigma = test.weights.reduce((a, b) => a + b, 0);
  const models: Partial<Record<RecoInference, InferenceModel>> = {
    truth: polynomialInference(test, [test.coefficients], 'truth'),
    histogram: binnedInference(test, MTWZ_EDGES, 'mtwz'),
    rate: binnedInference(test, [0, Infinity], 'rate'),
  };
  const halfWidths = scanHalfWidths(models.histogram!);
  log(`[scan ranges] ± ${halfWidths.map((h) => h.toPrecision(3)).join(', ')}`);

  const parton = await partonStudy(config.parton, seed, halfWidths, log);
  const { networks: _partonNetworks, ...partonRecord } = parton;

  const smeared = recoTrainingSample(config.reco, seed);
  log(`[reco] ${config.reco.partonEvents} parton events → ${smeared.expanded} copies (fractional smearing, t = ${smeared.threshold}) → ${smeared.sample.count} selected`);
  const trained = {} as Record<WzArchitecture, TrainedReco>;
  const testVariants = { truth: [test.coefficients] } as Record<WzArchitecture | 'truth', Float64Array[]>;
  for (const architecture of ['mlp', 'lgatr'] as const) {
    trained[architecture] = await trainReco(architecture, config.reco, smeared, seed, (p) => log(`[reco ${architecture}] epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}${p.validationLoss === null ? '' : ` validation ${p.validationLoss.toFixed(4)}`}`));
    testVariants[architecture] = learnedVariants(trained[architecture].network, test);
    models[architecture] = polynomialInference(test, testVariants[architecture], architecture);
    log(`[reco ${architecture}] ${trained[architecture].record.seconds.toFixed(0)} s, parity ${trained[architecture].record.parity.toExponential(2)}`);
  }

  const all = models as Record<RecoInference, InferenceModel>;
  const scans = runScans(all, halfWidths, { points: config.points, contourPoints: config.contourPoints, contours: RECO_INFERENCES, onScan: (what) => log(`[scan] ${what}`) });

  const pool = selectedSample(config.coveragePoolEvents, deriveSeed(seed, 'coverage-pool'));
  const coverage = {} as WzStudy['coverage'];
  for (const of of ['truth', 'mlp', 'lgatr'] as const) {
    const { term, likelihood } = learnedLikelihood(test, testVariants[of][0]);
    const coefficients = of === 'truth' ? pool.coefficients : evaluateEnsemble(trained[of].network, pool.reco, pool.count).mean;
    coverage[of] = coverageAtSM(likelihood, term, pool, coefficients, config.toys, deriveSeed(seed, `coverage-${of}`));
    log(`[coverage ${of}] ${coverage[of].estimates.map((e) => `${(e.cl * 100).toFixed(1)}%: ${(e.coverage * 100).toFixed(1)} ± ${(e.error * 100).toFixed(1)}%`).join(', ')}`);
  }
  const study: WzStudy = {
    config,
    generator,
    test: { events: test.count, sigmaPb: testSigma, expectedEvents: testSigma * PB * LUMINOSITY_FB, belowHistogram: underflowShare(test) },
    parton: partonRecord,
    training: { mlp: trained.mlp.record, lgatr: trained.lgatr.record },
    halfWidths,
    profiled: scans.profiled,
    oneAtATime: scans.oneAtATime,
    contours: scans.contours,
    coverage,
    seconds: (performance.now() - started) / 1000,
  };
  return { study, networks: { mlp: trained.mlp.network, lgatr: trained.lgatr.network } };
}

/** The share of the selected cross section below the seed's first m_T^WZ edge (200 GeV): the histogram's underflow bin. */
function underflowShare(sample: SelectedSample): number {
  const mt = recoColumn(sample, 'mt_WZ');
  let below = 0;
  let total = 0;
  for (let i = 0; i < sample.count; i++) {
    total += sample.weights[i];
    if (mt[i] < MTWZ_EDGES[1]) below += sample.weights[i];
  }
  return below / total;
}
