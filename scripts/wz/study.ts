/**
 * Issue 17: the whole W±Z study in one run (`npm run cli -- wz`): the generator's exact σ(θ),
 * parton level (parton.ts), reco-level training of both architectures (train.ts), the
 * comparison on one test sample (inference.ts) and the coverage of both learned likelihoods
 * (coverage.ts). The frozen networks are kept beside the study for publishing.
 *
 * σ(θ) of a learned likelihood is seed 003 eq. 34 over the generator's sample (its selected
 * events, the largest sample at θ0 the study has), not over the published reference sample:
 * the Monte Carlo error of the mean ĉ shifts the score at θ0 by about √(N_data/N_eff) of its
 * standard deviation, which for 7 800 expected events and the reference sample's weights would
 * be most of one. The coverage toys are drawn from that same sample, so they see the
 * likelihood's σ(θ) as exact; `generator.effectiveEvents` says how far from exact it is.
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
  toys: 300,
  reco: {
    partonEvents: 60_000,
    fractionalSmearing: { threshold: 0.5, maxCopies: 8 },
    mlp: { hidden: [64, 64, 64], members: 3, epochs: 24, batchSize: 512, learningRate: 2e-3, finalLearningRate: 1e-4 },
    lgatr: { channels: 4, scalarChannels: 8, blocks: 1, heads: 1, members: 2, epochs: 16, batchSize: 256, learningRate: 2e-3, finalLearningRate: 1e-4 },
  },
  parton: {
    trainingEvents: 100_000,
    morphingEventsPerBenchmark: 50_000,
    testEvents: 100_000,
    derivative: { hidden: [64, 64, 64], members: 3, epochs: 30, batchSize: 512, learningRate: 2e-3, finalLearningRate: 1e-4 },
    morphing: { hidden: [64, 64], members: 2, epochs: 12, batchSize: 512, learningRate: 2e-3 },
    points: 31,
    contourPoints: 11,
  },
  points: 31,
  contourPoints: 11,
};

/** Under two minutes: every stage, on samples far too small for the numbers to mean anything. */
export const QUICK_WZ_STUDY: WzStudyConfig = {
  seed: 20261206,
  generatorEvents: 40_000,
  testEvents: 20_000,
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
  /** (Σw)²/Σw²: the equal-weight events the weighted sample is worth */
  effectiveEvents: number;
  /** σ(θ)/σ0 by eq. 34 over the same events with each learned ĉ (ensemble mean) */
  learned: Record<WzArchitecture, number[]>;
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
 * The learned likelihood as the artifact serves it for submitted data: ĉ from the network, σ(θ)
 * by seed 003 eq. 34 over the generator's sample (module comment), so that its score at θ0 is
 * unbiased for data drawn at θ0 whatever the regression's errors.
 */
export function learnedLikelihood(sigmaPb: number, crossSection: readonly number[], name = 'wz') {
  const parameters = wilsonCoefficients();
  const term = createUnbinnedPolynomialTerm({ name, parameters, degree: 2, basis: BASIS, sigma0: sigmaPb * PB, crossSection: [Float64Array.from(crossSection)] });
  return { term, likelihood: createLikelihood(parameters, [term], LUMINOSITY_FB) };
}

export function generatorRecord(sample: SelectedSample, learned: Record<WzArchitecture, Float64Array>): GeneratorRecord {
  const g = crossSectionOf(sample);
  let squares = 0;
  for (const w of sample.weights) squares += w * w;
  const mean = (c: Float64Array) => Array.from(crossSectionFromReference(c, sample.count, C, sample.weights));
  return { sigmaPb: g.sigma, sigmaErrorPb: g.sigmaError, coefficients: Array.from(g.coefficients), errors: Array.from(g.errors), selected: sample.count, effectiveEvents: (g.sigma * g.sigma) / squares, learned: { mlp: mean(learned.mlp), lgatr: mean(learned.lgatr) } };
}

export async function runWzStudy(config: WzStudyConfig, log: (line: string) => void): Promise<{ study: WzStudy; networks: Record<WzArchitecture, AnyFrozenNetwork> }> {
  const started = performance.now();
  const { seed } = config;
  const generatorSample = selectedSample(config.generatorEvents, deriveSeed(seed, 'generator'));
  const exact = crossSectionOf(generatorSample);
  log(`[generator] σ × BR × acceptance = ${(exact.sigma * PB).toFixed(2)} ± ${(exact.sigmaError * PB).toFixed(2)} fb (${generatorSample.count} selected events)`);
  const test = selectedSample(config.testEvents, deriveSeed(seed, 'test'));
  const testSigma = test.weights.reduce((a, b) => a + b, 0);
  const models: Partial<Record<RecoInference, InferenceModel>> = {
    truth: polynomialInference(test, [test.coefficients], 'truth', exact.sigma * PB),
    histogram: binnedInference(test, MTWZ_EDGES, 'mtwz'),
    rate: binnedInference(test, [0, Infinity], 'rate'),
  };
  const halfWidths = scanHalfWidths(models.histogram!);
  log(`[scan ranges] ± ${halfWidths.map((h) => h.toPrecision(3)).join(', ')}`);

  const parton = await partonStudy(config.parton, seed, halfWidths, log);

  const smeared = recoTrainingSample(config.reco, seed);
  log(`[reco] ${config.reco.partonEvents} parton events → ${smeared.expanded} copies (fractional smearing, t = ${smeared.threshold}) → ${smeared.sample.count} selected`);
  const trained = {} as Record<WzArchitecture, TrainedReco>;
  for (const architecture of ['mlp', 'lgatr'] as const) {
    trained[architecture] = await trainReco(architecture, config.reco, smeared, seed, (p) => log(`[reco ${architecture}] epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)}${p.validationLoss === null ? '' : ` validation ${p.validationLoss.toFixed(4)}`}`));
    models[architecture] = polynomialInference(test, learnedVariants(trained[architecture].network, test), architecture, exact.sigma * PB);
    log(`[reco ${architecture}] ${trained[architecture].record.seconds.toFixed(0)} s, parity ${trained[architecture].record.parity.toExponential(2)}`);
  }

  const all = models as Record<RecoInference, InferenceModel>;
  const scans = runScans(all, halfWidths, { points: config.points, contourPoints: config.contourPoints, contours: RECO_INFERENCES, onScan: (what) => log(`[scan] ${what}`) });

  // σ(θ) of the learned likelihoods over the generator's sample, and the coverage toys from it
  const generatorLearned = { mlp: evaluateEnsemble(trained.mlp.network, generatorSample.reco, generatorSample.count).mean, lgatr: evaluateEnsemble(trained.lgatr.network, generatorSample.reco, generatorSample.count).mean };
  const generator = generatorRecord(generatorSample, generatorLearned);
  log(`[generator] ${generator.effectiveEvents.toFixed(0)} effective events; eq. 34 over them for both networks`);
  const coverage = {} as WzStudy['coverage'];
  for (const of of ['truth', 'mlp', 'lgatr'] as const) {
    const { term, likelihood } = learnedLikelihood(generator.sigmaPb, of === 'truth' ? generator.coefficients : generator.learned[of]);
    coverage[of] = coverageAtSM(likelihood, term, generatorSample, of === 'truth' ? generatorSample.coefficients : generatorLearned[of], config.toys, deriveSeed(seed, `coverage-${of}`));
    log(`[coverage ${of}] ${coverage[of].estimates.map((e) => `${(e.cl * 100).toFixed(1)}%: ${(e.coverage * 100).toFixed(1)} ± ${(e.error * 100).toFixed(1)}%`).join(', ')}`);
  }
  const study: WzStudy = {
    config,
    generator,
    test: { events: test.count, sigmaPb: testSigma, expectedEvents: testSigma * PB * LUMINOSITY_FB, belowHistogram: underflowShare(test) },
    parton,
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
