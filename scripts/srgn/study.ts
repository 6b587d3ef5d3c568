/**
 * Seed 004's Gaussian studies (sec. III A), run the seed's way: the data and the nominal
 * sample are drawn once per example, and each run trains its own reweighting f and classifier g
 * from its own random initialisation (the seed's runs "differed only in their random
 * initialization"), so the spread over runs is the spread of the method's training, at fixed
 * data. Outliers are removed as the seed does (`withoutOutliers`).
 */
import { createRandom } from '../../models/random.js';
import { deriveSeed } from '../simulators/types.js';
import { dctrWeights, trainDctr, type DctrConfig } from './dctr.js';
import { gaussian1d, gaussian2d, generatorDependentDetector, type GaussianExample } from './gaussian-examples.js';
import { histogramChi2, weightedHistogram } from './histograms.js';
import { srgnFit, srgnPoint, type ClassifierConfig, type SrgnSamples } from './srgn.js';
import { powell } from '../../models/numeric/powell.js';

export interface SrgnStudyConfig {
  /** independent trainings of f and g */
  runs: number;
  /** events in the fitted data and in the nominal sample, each (the seed: 10⁶) */
  events: number;
  dctr: Omit<DctrConfig, 'seed'>;
  classifier: Omit<ClassifierConfig, 'seed'>;
  /** points of the AUC scans of run 0 (fig. 5: per axis; fig. 7: per axis of the grid) */
  scanPoints: number;
  seed: number;
}

/** The documented study: 6 runs of 3-5 minutes each here; `runs: 40` is the seed's count. */
export const FULL_STUDY: SrgnStudyConfig = { runs: 6, events: 20_000, dctr: { events: 50_000, epochs: 8 }, classifier: { hidden: [32, 32], epochs: 3, batchSize: 500 }, scanPoints: 21, seed: 20261205 };
/** A try-out of the pipeline in about a minute: its numbers mean little. */
export const QUICK_STUDY: SrgnStudyConfig = { runs: 2, events: 4000, dctr: { events: 20_000, epochs: 4, hidden: [32, 32] }, classifier: { hidden: [16, 16], epochs: 4, batchSize: 200 }, scanPoints: 7, seed: 20261205 };

/** Fitted values of one parameter over the runs, and the summary the seed's tables give. */
export interface FitSummary {
  values: number[];
  kept: number[];
  mean: number;
  sd: number;
}

export interface SrgnStudy {
  config: SrgnStudyConfig;
  /** table I: μ at generator and simulation level; appendix B: the loss's maximiser at generator level */
  table1: { generator: FitSummary; simulation: FitSummary; lossGenerator: FitSummary };
  /** table II: (μ, σ) at both levels */
  table2: { generator: FitSummary[]; simulation: FitSummary[] };
  /** fig. 4: the generator-dependent detector, with the reweighting from the full phase space and from x_G,0 alone */
  detector: { full: FitSummary; primary: FitSummary; closure: DetectorClosure };
  /** fig. 5: AUC against μ of run 0 */
  scan1d: { mu: number[]; generator: number[]; simulation: number[] };
  /** fig. 7: AUC over (μ, σ) of run 0 at simulation level */
  scan2d: { mu: number[]; sigma: number[]; auc: number[][] };
  /** learned against exact weights of run 0 on the nominal sample, mean |w − w_exact| at a few θ */
  weightClosure: { example: string; theta: number[]; meanAbs: number; meanExact: number }[];
  seconds: number;
}

export interface DetectorClosure {
  edges: number[];
  /** per bin: the nominal simulation reweighted to the target θ (normalised to the target's count), and the target simulation */
  target: number[];
  exact: number[];
  full: number[];
  primary: number[];
  /** χ² per bin of each reweighting against the target sample (both samples' Poisson errors) */
  chi2: { exact: number; full: number; primary: number; bins: number };
}

/**
 * The seed's outlier removal (table I's caption and sec. III B): drop fits within 5% of the
 * range of a bound (an optimisation that ended on the box), then values outside two standard
 * deviations around the mean of the rest.
 */
export function withoutOutliers(values: readonly number[], range: readonly [number, number]): FitSummary {
  const margin = 0.05 * (range[1] - range[0]);
  const inside = values.filter((v) => v > range[0] + margin && v < range[1] - margin);
  const stats = (v: readonly number[]) => {
    const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
    return { mean, sd };
  };
  const first = stats(inside);
  const kept = inside.length > 2 ? inside.filter((v) => Math.abs(v - first.mean) <= 2 * first.sd) : inside;
  return { values: [...values], kept, ...stats(kept) };
}

interface ExampleSamples {
  data: { generator: Float64Array; simulation: Float64Array };
  nominal: { generator: Float64Array; simulation: Float64Array };
}

function drawSamples(example: GaussianExample, events: number, seed: number): ExampleSamples {
  const random = createRandom(deriveSeed(seed, `${example.id}-samples`));
  return {
    data: example.generate(example.parameters.map((p) => p.target), events, random),
    nominal: example.generate(example.parameters.map((p) => p.nominal), events, random),
  };
}

function fitSamples(example: GaussianExample, samples: ExampleSamples, level: 'generator' | 'simulation', weightsAt: (theta: Float64Array) => Float64Array): SrgnSamples {
  const S = level === 'generator' ? example.generatorFeatures.length : example.simulationFeatures.length;
  return { data: samples.data[level], simulation: samples.nominal[level], S, weightsAt };
}

const boundsOf = (example: GaussianExample) => ({ lower: example.parameters.map((p) => p.range[0]), upper: example.parameters.map((p) => p.range[1]) });
const nominalOf = (example: GaussianExample) => example.parameters.map((p) => p.nominal);

export function runSrgnStudy(config: SrgnStudyConfig, onProgress?: (stage: string, done: number, total: number) => void): SrgnStudy {
  const started = performance.now();
  const { runs, events } = config;
  const one = drawSamples(gaussian1d, events, config.seed);
  const two = drawSamples(gaussian2d, events, config.seed);
  const detector = drawSamples(generatorDependentDetector, events, config.seed);
  const fits = { g1: [] as number[], s1: [] as number[], loss: [] as number[], g2: [[], []] as number[][], s2: [[], []] as number[][], full: [] as number[], primary: [] as number[] };
  let scan1d: SrgnStudy['scan1d'] = { mu: [], generator: [], simulation: [] };
  let scan2d: SrgnStudy['scan2d'] = { mu: [], sigma: [], auc: [] };
  let closure: DetectorClosure | null = null;
  const weightClosure: SrgnStudy['weightClosure'] = [];
  for (let run = 0; run < runs; run++) {
    const seed = deriveSeed(config.seed, `run-${run}`);
    const classifier = { ...config.classifier, seed: deriveSeed(seed, 'g') };
    onProgress?.('runs', run, runs);

    // table I, and appendix B's loss at generator level
    const f1 = trainDctr(gaussian1d, { ...config.dctr, seed: deriveSeed(seed, 'f-1d') });
    const w1 = (theta: Float64Array) => dctrWeights(f1, one.nominal.generator, events, 1, theta);
    const generator1 = fitSamples(gaussian1d, one, 'generator', w1);
    const simulation1 = fitSamples(gaussian1d, one, 'simulation', w1);
    fits.g1.push(srgnFit(generator1, nominalOf(gaussian1d), boundsOf(gaussian1d), classifier).x[0]);
    fits.s1.push(srgnFit(simulation1, nominalOf(gaussian1d), boundsOf(gaussian1d), classifier).x[0]);
    fits.loss.push(powell((theta) => -srgnPoint(generator1, theta, classifier).loss, nominalOf(gaussian1d), { ...boundsOf(gaussian1d), xtol: 1e-4, ftol: 1e-4 }).x[0]);

    // table II
    const f2 = trainDctr(gaussian2d, { ...config.dctr, seed: deriveSeed(seed, 'f-2d') });
    const w2 = (theta: Float64Array) => dctrWeights(f2, two.nominal.generator, events, 1, theta);
    for (const [level, into] of [['generator', fits.g2], ['simulation', fits.s2]] as const) {
      const fit = srgnFit(fitSamples(gaussian2d, two, level, w2), nominalOf(gaussian2d), boundsOf(gaussian2d), classifier);
      into[0].push(fit.x[0]);
      into[1].push(fit.x[1]);
    }

    // fig. 4: the same detector, reweighted from the full phase space and from the primary feature alone
    const fFull = trainDctr(generatorDependentDetector, { ...config.dctr, seed: deriveSeed(seed, 'f-full') });
    const fPrimary = trainDctr(generatorDependentDetector, { ...config.dctr, features: [0], seed: deriveSeed(seed, 'f-primary') });
    const wFull = (theta: Float64Array) => dctrWeights(fFull, detector.nominal.generator, events, 2, theta);
    const wPrimary = (theta: Float64Array) => dctrWeights(fPrimary, detector.nominal.generator, events, 2, theta);
    fits.full.push(srgnFit(fitSamples(generatorDependentDetector, detector, 'simulation', wFull), nominalOf(generatorDependentDetector), boundsOf(generatorDependentDetector), classifier).x[0]);
    fits.primary.push(srgnFit(fitSamples(generatorDependentDetector, detector, 'simulation', wPrimary), nominalOf(generatorDependentDetector), boundsOf(generatorDependentDetector), classifier).x[0]);

    if (run === 0) {
      closure = detectorClosure(detector, events, wFull, wPrimary);
      weightClosure.push(...learnedAgainstExact(gaussian1d, one.nominal.generator, w1, [[-1], [1], [1.5]]), ...learnedAgainstExact(gaussian2d, two.nominal.generator, w2, [[-1, 0.75], [1, 1.25]]));
      weightClosure.push(...learnedAgainstExact(generatorDependentDetector, detector.nominal.generator, wFull, [[1.5]]));
      scan1d = aucScan1d(generator1, simulation1, config.scanPoints, classifier);
      scan2d = aucScan2d(fitSamples(gaussian2d, two, 'simulation', w2), config.scanPoints, classifier);
    }
  }
  onProgress?.('runs', runs, runs);
  const [mu1, mu2, sigma2] = [gaussian1d.parameters[0].range, gaussian2d.parameters[0].range, gaussian2d.parameters[1].range];
  return {
    config,
    table1: { generator: withoutOutliers(fits.g1, mu1), simulation: withoutOutliers(fits.s1, mu1), lossGenerator: withoutOutliers(fits.loss, mu1) },
    table2: { generator: [withoutOutliers(fits.g2[0], mu2), withoutOutliers(fits.g2[1], sigma2)], simulation: [withoutOutliers(fits.s2[0], mu2), withoutOutliers(fits.s2[1], sigma2)] },
    detector: { full: withoutOutliers(fits.full, mu1), primary: withoutOutliers(fits.primary, mu1), closure: closure! },
    scan1d,
    scan2d,
    weightClosure,
    seconds: (performance.now() - started) / 1000,
  };
}

/** mean |w − w_exact| over the nominal sample, both normalised to mean 1 there, at each θ. */
function learnedAgainstExact(example: GaussianExample, generator: Float64Array, learned: (theta: Float64Array) => Float64Array, thetas: number[][]): SrgnStudy['weightClosure'] {
  const G = example.generatorFeatures.length;
  const n = generator.length / G;
  return thetas.map((theta) => {
    const w = learned(Float64Array.from(theta));
    const exact = Float64Array.from({ length: n }, (_, i) => example.exactWeight(generator.subarray(i * G, (i + 1) * G), theta));
    const mean = exact.reduce((a, b) => a + b, 0) / n;
    let meanAbs = 0;
    for (let i = 0; i < n; i++) meanAbs += Math.abs(w[i] - exact[i] / mean) / n;
    return { example: example.id, theta, meanAbs, meanExact: mean };
  });
}

function aucScan1d(generator: SrgnSamples, simulation: SrgnSamples, points: number, classifier: ClassifierConfig): SrgnStudy['scan1d'] {
  const mu = Array.from({ length: points }, (_, k) => 0.5 + k / (points - 1));
  return {
    mu,
    generator: mu.map((m) => srgnPoint(generator, Float64Array.of(m), classifier).auc),
    simulation: mu.map((m) => srgnPoint(simulation, Float64Array.of(m), classifier).auc),
  };
}

function aucScan2d(samples: SrgnSamples, points: number, classifier: ClassifierConfig): SrgnStudy['scan2d'] {
  const k = Math.max(5, Math.round(points / 2));
  const mu = Array.from({ length: k }, (_, i) => -1.5 + i / (k - 1));
  const sigma = Array.from({ length: k }, (_, i) => 0.5 + (0.5 * i) / (k - 1));
  return { mu, sigma, auc: sigma.map((s) => mu.map((m) => srgnPoint(samples, Float64Array.of(m, s), classifier).auc)) };
}

/** Fig. 4's bottom panel: x_S of the nominal sample reweighted to the target μ, against x_S drawn at the target. */
function detectorClosure(samples: ExampleSamples, events: number, full: (theta: Float64Array) => Float64Array, primary: (theta: Float64Array) => Float64Array): DetectorClosure {
  const example = generatorDependentDetector;
  const target = Float64Array.of(example.parameters[0].target);
  const edges = Array.from({ length: 25 }, (_, k) => -4 + (14 * k) / 24);
  const exactWeights = Float64Array.from({ length: events }, (_, i) => example.exactWeight(samples.nominal.generator.subarray(2 * i, 2 * i + 2), target));
  const mean = exactWeights.reduce((a, b) => a + b, 0) / events;
  for (let i = 0; i < events; i++) exactWeights[i] /= mean;
  const truth = weightedHistogram(samples.data.simulation, null, edges);
  const exact = weightedHistogram(samples.nominal.simulation, exactWeights, edges);
  const learnedFull = weightedHistogram(samples.nominal.simulation, full(target), edges);
  const learnedPrimary = weightedHistogram(samples.nominal.simulation, primary(target), edges);
  const c = [exact, learnedFull, learnedPrimary].map((h) => histogramChi2(truth, h));
  return { edges, target: truth.values, exact: exact.values, full: learnedFull.values, primary: learnedPrimary.values, chi2: { exact: c[0].chi2, full: c[1].chi2, primary: c[2].chi2, bins: c[0].bins } };
}
