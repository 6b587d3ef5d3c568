/**
 * Issue 6, the learned likelihood `dy-smeft-run3`: derivative learning (seed 003 sec. 2.2)
 * with a repulsive ensemble (app. A) and fractional smearing (sec. 2.3) on the Drell–Yan
 * events behind the Simulator interface, plus a signal/background classifier at θ0
 * (app. D), frozen into one artifact whose term serves
 *
 *     R̂(x|θ) = f_s(x) ĉ(x)·m(θ) + 1 − f_s(x),     σ(θ) = σ_s(θ) + σ_b,
 *
 * for any submitted reco-level event x (the ten observables of the issue).
 *
 * σ(θ): seed 003 eq. 34 sums the learned ĉ over a sample at θ0. Its Monte Carlo error must
 * stay below the statistical error of 300 fb⁻¹ (≈ 350 000 events), or toys drawn from the
 * truth would see a biased likelihood. The published coefficients therefore use the
 * generator's exact c(z) as a control variate: s = s_exact + Σ w (ĉ_mix(x) − c_event) / Σ w,
 * with s_exact from millions of events (cheap: no network) and the correction, whose
 * variance is only that of ĉ − c, from the reference sample. c_event is c(z) for a signal
 * event and e_0 for a background event, so ĉ_mix is its regression.
 */
import type { CoefficientSample } from '../../models/artifact/components.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { MANIFEST_SCHEMA_VERSION } from '../../models/artifact/manifest-schema.js';
import { evaluateEnsemble, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { backgroundMixtureRatioModel, networkRatioModel, networkSignalFraction, networkUnits } from '../../models/ratio/ratio-model.js';
import { crossSectionFromReference } from '../../models/terms/unbinned-polynomial.js';
import { rowsInsideSelection } from '../../models/likelihood/selection.js';
import { writeArtifact, type ComponentInput, type ManifestDraft } from '../lib/artifact-writer.js';
import { provenance } from '../lib/provenance.js';
import { drellYanSimulator } from '../simulators/drell-yan.js';
import { ANALYSIS_SELECTION, BASIS, crossSectionCoefficients, manifestParameters, PARAMETERS, RECO_OBSERVABLES, SELECTABLE_REGION } from '../simulators/drell-yan-physics.js';
import { deriveSeed } from '../simulators/types.js';
import { backendProvenance, selectBackend } from '../training/backend.js';
import { trainDerivativeLearning, type TrainingProgress } from '../training/derivative-learning.js';
import { fractionalSmearing } from '../training/fractional-smearing.js';
import { freezeModel, parityCheck, parityValidation } from '../training/freeze.js';
import { trainMlp } from '../training/weighted-mlp.js';
import { signalAbove200, simulateBackground, weightedBackground, type SelectedSample } from './baselines.js';

const C = BASIS.size;
const D = RECO_OBSERVABLES.length;
/** pb → fb: the artifact's cross sections are in fb, its luminosity in fb⁻¹ */
export const PB = 1000;
export const LUMINOSITY_FB = 300;

export interface LearnedConfig {
  seed: number;
  /** signal parton events of the training sample (in the selectable region, before fractional smearing and the selection) */
  trainingEvents: number;
  /** background events of the classifier's training sample (before the selection) */
  backgroundTrainingEvents: number;
  /** seed 003 sec. 2.3 on every R_i, R_ij (null: none) */
  fractionalSmearing: { threshold: number; maxCopies: number } | null;
  /** relativeFloor: the relative loss weighting of derivative-learning.ts (absent: the variance weighting) */
  network: { hidden: number[]; members: number; epochs: number; batchSize: number; learningRate: number; finalLearningRate: number; repulsionStrength: number; relativeFloor?: number };
  /**
   * the weights of the regression loss: 'physical' (the events' cross sections) or
   * 'proposal' (the importance-sampled events as drawn, unit weights before fractional
   * smearing). The loss's minimiser is E[c(z)|x] under the training distribution; the
   * detector pins z to x within about 1%, over which the ratio of the physical density to
   * the proposal is constant, so both give the same ĉ(x), but the proposal (∝ m^−3) keeps
   * the high-mass events, where the Wilson coefficients act, from being weighted away.
   */
  trainingWeights: 'physical' | 'proposal';
  classifier: { hidden: number[]; epochs: number; batchSize: number; learningRate: number };
  /** signal and background events of the published reference sample */
  referenceEvents: number;
  backgroundReferenceEvents: number;
  /** signal parton events behind the generator's σ coefficients (the control variate) */
  crossSectionEvents: number;
  /**
   * signal and background events of the control variate's own sample, drawn in batches, where
   * the reference sample's are too few: σ's linear coefficients must equal the mean ĉ far
   * below the reference sample's Monte Carlo error, or θ̂ is biased along the nearly
   * degenerate direction (docs/drell-yan-coverage.md). Default: the reference sample.
   */
  controlVariateEvents?: { signal: number; background: number };
}

export const DEFAULT_LEARNED_CONFIG: LearnedConfig = {
  seed: 20261125,
  trainingEvents: 300_000,
  backgroundTrainingEvents: 120_000,
  fractionalSmearing: { threshold: 0.5, maxCopies: 20 },
  network: { hidden: [64, 64], members: 3, epochs: 36, batchSize: 512, learningRate: 2e-3, finalLearningRate: 5e-5, repulsionStrength: 1 },
  trainingWeights: 'physical',
  classifier: { hidden: [32, 32], epochs: 8, batchSize: 512, learningRate: 2e-3 },
  // ≈ 45 000 events: 9 MB in float32 with the 4 members, about what a Worker isolate should hold per artifact
  referenceEvents: 50_000,
  backgroundReferenceEvents: 25_000,
  crossSectionEvents: 4_000_000,
};

/** The configuration with the relative loss weighting at floor f (`drell-yan --relative-floor f`), or as it is. */
export function withRelativeFloor(config: LearnedConfig, relativeFloor: number | undefined): LearnedConfig {
  return relativeFloor === undefined ? config : { ...config, network: { ...config.network, relativeFloor } };
}

/** A configuration small enough for the tests (seconds, not minutes). */
export const QUICK_LEARNED_CONFIG: LearnedConfig = {
  ...DEFAULT_LEARNED_CONFIG,
  trainingEvents: 8000,
  backgroundTrainingEvents: 4000,
  fractionalSmearing: { threshold: 0.5, maxCopies: 4 },
  network: { hidden: [16], members: 2, epochs: 2, batchSize: 256, learningRate: 2e-3, finalLearningRate: 1e-3, repulsionStrength: 1 },
  classifier: { hidden: [8], epochs: 2, batchSize: 256, learningRate: 2e-3 },
  referenceEvents: 4000,
  backgroundReferenceEvents: 2000,
  crossSectionEvents: 40_000,
};

export type LearnedStage = 'generator' | 'simulate' | 'train' | 'classifier' | 'freeze' | 'reference' | 'publish';

export interface LearnedHooks {
  onStage?: (stage: LearnedStage, detail: string) => void;
  onTrainingProgress?: (progress: TrainingProgress) => void;
  onClassifierEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export const drellYanSelectable = () => drellYanSimulator({ region: SELECTABLE_REGION });

/** The generator's selected signal cross section: σ_s (pb), its coefficients s (s_0 = 1) with errors, and σ_s above 200 GeV. */
export interface GeneratorCrossSection {
  sigma: number;
  sigmaError: number;
  coefficients: Float64Array;
  errors: Float64Array;
  above200: number;
  events: number;
  selected: number;
}

/** The selected signal at θ0 from the generator (exact coefficients), in batches so memory stays flat. */
export function generatorCrossSection(events: number, seed: number): GeneratorCrossSection {
  const simulator = drellYanSelectable();
  const value = new Float64Array(C);
  const squares = new Float64Array(C);
  let above200 = 0;
  let selected = 0;
  const batch = 200_000;
  for (let start = 0, b = 0; start < events; start += batch, b++) {
    const n = Math.min(batch, events - start);
    const sample = analysisSelected(simulator.simulate({ events: n, seed: deriveSeed(seed, `batch-${b}`) }));
    // weights are σ/n for this batch: rescale to the whole run
    const scale = n / events;
    const part = crossSectionCoefficients({ count: sample.count, coefficients: sample.coefficients, weights: sample.weights.map((w) => w * scale) });
    for (let k = 0; k < C; k++) {
      value[k] += part.value[k];
      // per-batch variance estimates add (independent batches)
      squares[k] += part.error[k] ** 2;
    }
    above200 += signalAbove200(sample) * scale;
    selected += sample.count;
  }
  const sigma = value[0];
  const coefficients = value.map((v) => v / sigma);
  const errors = squares.map((s) => Math.sqrt(s) / sigma);
  return { sigma, sigmaError: Math.sqrt(squares[0]), coefficients, errors, above200, events, selected };
}

export interface TrainedDrellYan {
  network: FrozenNetwork;
  classifier: FrozenNetwork;
  generator: GeneratorCrossSection;
  training: {
    seconds: number;
    eventsPerSecond: number;
    backend: string;
    epochs: number;
    members: number;
    partonEvents: number;
    trainingEvents: number;
    history: { epoch: number; loss: number; validationLoss: number | null; seconds: number }[];
    fractionalSmearing: Record<string, unknown> | null;
    classifierSeconds: number;
    classifierHistory: number[];
    classifierEvents: { signal: number; background: number };
  };
  parity: { network: number; classifier: number; note: string };
  configuration: Record<string, unknown>;
  backend: { versions: Record<string, string>; details: Record<string, unknown> };
}

/** generator σ → simulate (fractional smearing, detector) → train the ensemble and the classifier → freeze. */
export async function trainDrellYan(config: LearnedConfig, hooks: LearnedHooks = {}): Promise<TrainedDrellYan> {
  const stage = hooks.onStage ?? (() => {});
  const simulator = drellYanSelectable();
  const { seed } = config;

  const generator = generatorCrossSection(config.crossSectionEvents, deriveSeed(seed, 'generator'));
  stage('generator', `σ_s × acceptance = ${generator.sigma.toFixed(4)} ± ${generator.sigmaError.toFixed(4)} pb from ${generator.events} events (${generator.selected} selected)`);

  // 1. the training sample: parton events, fractional smearing on every R_i, R_ij, the detector
  const physical = simulator.sampleParton({ events: config.trainingEvents, seed: deriveSeed(seed, 'training') });
  const parton = config.trainingWeights === 'proposal' ? { ...physical, weights: new Float64Array(physical.count).fill(1) } : physical;
  const smearing = config.fractionalSmearing ?? { threshold: 0.5, maxCopies: 1 }; // one copy each: no smearing
  const smeared = fractionalSmearing(simulator, parton, { threshold: smearing.threshold, maxCopies: smearing.maxCopies, columns: Array.from({ length: C - 1 }, (_, k) => k + 1), seed: deriveSeed(seed, 'fractional-smearing') });
  const sample = smeared.sample;
  // the classifier needs the physical cross section of every copy
  const physicalWeights = Float64Array.from(smeared.source, (i) => physical.weights[i] / smeared.copies[i]);
  stage('simulate', `${config.trainingEvents} parton events${config.fractionalSmearing ? ` → ${smeared.expanded} copies (fractional smearing, t = ${smeared.threshold})` : ''} → ${sample.count} selected; ${config.trainingWeights} weights`);

  // 2. derivative learning
  const backend = await selectBackend({ log: null });
  const { network: n } = config;
  const trained = await trainDerivativeLearning(
    { parameters: 3, degree: 2, hidden: n.hidden, members: n.members, epochs: n.epochs, batchSize: n.batchSize, learningRate: n.learningRate, finalLearningRate: n.finalLearningRate, repulsion: { kind: 'function', strength: n.repulsionStrength }, relativeFloor: n.relativeFloor ?? null, seed: deriveSeed(seed, 'network') },
    { count: sample.count, inputs: sample.reco, targets: sample.coefficients, weights: sample.weights },
    hooks.onTrainingProgress,
    { backend },
  );
  stage('train', `${trained.seconds.toFixed(1)} s on ${trained.backend}, ${Math.round(trained.eventsPerSecond)} events/s`);

  // 3. the background classifier at θ0: weighted BCE with the events' cross sections as
  //    weights, so its output is the posterior f_s(x) = dσ_s / (dσ_s + dσ_b) itself
  const background = weightedBackground(simulateBackground(config.backgroundTrainingEvents, deriveSeed(seed, 'background-training')), generator.above200);
  const x = new Float64Array((sample.count + background.count) * D);
  x.set(sample.reco, 0);
  x.set(background.reco, sample.count * D);
  const labels = new Float32Array(sample.count + background.count);
  labels.fill(1, 0, sample.count);
  const weights = new Float64Array(sample.count + background.count);
  weights.set(physicalWeights, 0);
  weights.set(background.weights, sample.count);
  const c = config.classifier;
  const mlp = await trainMlp(x, labels.length, D, labels, weights, 'sigmoid', 1, { ...c, seed: deriveSeed(seed, 'classifier') }, (epoch, loss) => hooks.onClassifierEpoch?.(epoch, c.epochs, loss));
  stage('classifier', `${mlp.seconds.toFixed(1)} s, final loss ${mlp.history.at(-1)!.toFixed(4)}`);

  // 4. freeze, with parity figures on held-out events
  const network = freezeModel(trained.model);
  const classifier = mlp.freeze();
  const heldOut = simulator.simulate({ events: 20_000, seed: deriveSeed(seed, 'parity') });
  const parity = parityCheck(trained.model, network, heldOut.reco, heldOut.count);
  const tfFraction = mlp.predict(heldOut.reco, heldOut.count);
  const runtimeFraction = evaluateEnsemble(classifier, heldOut.reco, heldOut.count).mean;
  let classifierParity = 0;
  for (let i = 0; i < heldOut.count; i++) classifierParity = Math.max(classifierParity, Math.abs(tfFraction[i] - runtimeFraction[i]));
  trained.model.dispose();
  mlp.dispose();
  const parityRecord = parityValidation(parity, trained.backend);
  stage('freeze', `runtime vs tfjs: ensemble ${parity.maxRelativeDifference.toExponential(2)} (relative), classifier ${classifierParity.toExponential(2)} (absolute)`);

  const backendRecord = backendProvenance(backend);
  return {
    network,
    classifier,
    generator,
    training: {
      seconds: trained.seconds,
      eventsPerSecond: trained.eventsPerSecond,
      backend: trained.backend,
      epochs: trained.configuration.epochs,
      members: trained.configuration.members,
      partonEvents: config.trainingEvents,
      trainingEvents: trained.configuration.trainingEvents,
      history: trained.history.map((h) => ({ epoch: h.epoch, loss: h.loss, validationLoss: h.validationLoss, seconds: h.seconds })),
      fractionalSmearing: config.fractionalSmearing ? { threshold: smeared.threshold, expanded: smeared.expanded, selected: sample.count, capped: smeared.capped, maxCopies: smearing.maxCopies } : null,
      classifierSeconds: mlp.seconds,
      classifierHistory: mlp.history,
      classifierEvents: { signal: sample.count, background: background.count },
    },
    parity: { network: parity.maxRelativeDifference, classifier: classifierParity, note: parityRecord.note },
    configuration: { network: trained.configuration, classifier: c },
    backend: { versions: backendRecord.versions, details: backendRecord.details as unknown as Record<string, unknown> },
  };
}

/** Signal and background at θ0 after the detector: each part, and both in one sample (signal first) with the events' exact coefficients. */
export function mixedSample(signalEvents: number, backgroundEvents: number, seed: number, above200: number, options: { selection?: boolean } = {}): { signal: SelectedSample; background: SelectedSample; mixed: SelectedSample } {
  const select = options.selection === false ? (s: SelectedSample) => s : analysisSelected;
  const signal = select(drellYanSelectable().simulate({ events: signalEvents, seed: deriveSeed(seed, 'signal') }));
  // weighted before the selection, as the published 1.0.x samples were: the selection drops events, never reweights
  const background = select(weightedBackground(simulateBackground(backgroundEvents, deriveSeed(seed, 'background')), above200));
  return { signal, background, mixed: concatenatedSamples(signal, background) };
}

/** The events of a sample inside ANALYSIS_SELECTION (the detector's acceptance and m_ℓℓ ≤ M_MAX). */
export function analysisSelected(sample: SelectedSample): SelectedSample {
  const rows = rowsInsideSelection(sample.reco, sample.count, RECO_OBSERVABLES, ANALYSIS_SELECTION);
  if (rows.length === sample.count) return sample;
  return { count: rows.length, reco: takeRows(sample.reco, D, rows), coefficients: takeRows(sample.coefficients, C, rows), weights: takeRows(sample.weights, 1, rows) };
}

/** The given rows of a row-major array of `width` columns. */
export function takeRows(values: Float64Array, width: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((i, r) => out.set(values.subarray(i * width, (i + 1) * width), r * width));
  return out;
}

/** Two selected samples as one, the first's events first. */
export function concatenatedSamples(first: SelectedSample, second: SelectedSample): SelectedSample {
  const count = first.count + second.count;
  const reco = new Float64Array(count * D);
  reco.set(first.reco.subarray(0, first.count * D));
  reco.set(second.reco.subarray(0, second.count * D), first.count * D);
  const coefficients = new Float64Array(count * C);
  coefficients.set(first.coefficients.subarray(0, first.count * C));
  coefficients.set(second.coefficients.subarray(0, second.count * C), first.count * C);
  const weights = new Float64Array(count);
  weights.set(first.weights.subarray(0, first.count));
  weights.set(second.weights.subarray(0, second.count), first.count);
  return { count, reco, coefficients, weights };
}

/** The mixed learned coefficients f_s ĉ + 1 − f_s of events, per variant, exactly as the service computes them. */
export function learnedCoefficients(network: FrozenNetwork, classifier: FrozenNetwork, reco: Float64Array, count: number): Float64Array[] {
  return backgroundMixtureRatioModel(networkRatioModel(network), networkSignalFraction(classifier), networkUnits(classifier)).coefficientsFor(reco, count);
}

/**
 * σ(θ)/σ(θ0)'s coefficients of the selected signal (σ_s, its coefficients s) with a
 * θ-independent background σ_b added: (σ_s s_k + δ_k0 σ_b) / total, total = σ_s + σ_b unless
 * given (any one unit for all three).
 */
export function withBackground(sigma: number, coefficients: ArrayLike<number>, background: number, total = sigma + background): Float64Array {
  return Float64Array.from(coefficients, (s, k) => (sigma * s + (k === 0 ? background : 0)) / total);
}

/** Events with their exact coefficients and the learned ones (ensemble mean): one batch of the control variate. */
export interface ControlVariateBatch {
  sample: SelectedSample;
  learned: Float64Array;
}

/**
 * σ(θ)/σ(θ0) of signal plus background by the control variate (module comment) over one or
 * more batches, with its Monte Carlo error: the generator's error and the correction's, added
 * in quadrature.
 */
export function controlVariateCrossSection(generator: GeneratorCrossSection, backgroundPb: number, batches: Iterable<ControlVariateBatch>): { coefficients: Float64Array; errors: Float64Array; correction: Float64Array; events: number } {
  const total = generator.sigma + backgroundPb;
  const exact = withBackground(generator.sigma, generator.coefficients, backgroundPb, total);
  // Σ w δ and Σ (w δ)², δ = ĉ − c, over every batch; normalised by Σ w at the end
  const sum = new Float64Array(C);
  const squares = new Float64Array(C);
  let W = 0;
  let n = 0;
  for (const { sample, learned } of batches) {
    for (let i = 0; i < sample.count; i++) {
      const w = sample.weights[i];
      W += w;
      for (let k = 0; k < C; k++) {
        const d = w * (learned[i * C + k] - sample.coefficients[i * C + k]);
        sum[k] += d;
        squares[k] += d * d;
      }
    }
    n += sample.count;
  }
  const correction = sum.map((v) => v / W);
  const coefficients = exact.map((s, k) => s + correction[k]);
  const errors = generator.errors.map((e, k) => Math.hypot((e * generator.sigma) / total, Math.sqrt(Math.max(0, squares[k] / (W * W) - (correction[k] * correction[k]) / n))));
  return { coefficients, errors, correction, events: n };
}

export type ControlVariateCrossSection = ReturnType<typeof controlVariateCrossSection>;

/**
 * The σ(θ) a Drell–Yan artifact publishes: the control variate over `controlVariateEvents`
 * (its own sample), or over the reference sample where the config names none. `reference`
 * passes the reference sample and its learned coefficients where the caller has them.
 */
export function publishedCrossSection(
  config: Pick<LearnedConfig, 'seed' | 'referenceEvents' | 'backgroundReferenceEvents' | 'controlVariateEvents'>,
  trained: Pick<TrainedDrellYan, 'generator' | 'network' | 'classifier'>,
  reference?: { parts: ReturnType<typeof mixedSample>; learned: Float64Array },
): ControlVariateCrossSection {
  const { generator, network, classifier } = trained;
  const parts = reference?.parts ?? mixedSample(config.referenceEvents, config.backgroundReferenceEvents, deriveSeed(config.seed, 'reference-sample'), generator.above200);
  const backgroundPb = parts.background.count * parts.background.weights[0];
  const batches = config.controlVariateEvents
    ? controlVariateBatches(config.controlVariateEvents, deriveSeed(config.seed, 'control-variate'), generator.above200, network, classifier)
    : [{ sample: parts.mixed, learned: reference?.learned ?? learnedCoefficients(network, classifier, parts.mixed.reco, parts.mixed.count)[0] }];
  return controlVariateCrossSection(generator, backgroundPb, batches);
}

/** The control variate's own sample in batches of at most `batch` signal events, each with its learned coefficients. */
function* controlVariateBatches(events: { signal: number; background: number }, seed: number, above200: number, network: FrozenNetwork, classifier: FrozenNetwork, batch = 1_000_000): Generator<ControlVariateBatch> {
  const batches = Math.ceil(events.signal / batch);
  for (let b = 0; b < batches; b++) {
    const { mixed } = mixedSample(Math.round(events.signal / batches), Math.round(events.background / batches), deriveSeed(seed, `control-variate-${b}`), above200);
    yield { sample: mixed, learned: learnedCoefficients(network, classifier, mixed.reco, mixed.count)[0] };
  }
}

/** What names a published Drell–Yan likelihood after the estimator that learned its ĉ. */
export interface PublishedEstimator {
  id: string;
  title: string;
  /** the producer recorded in provenance */
  producer: string;
  /** the labels of the seeds derived from the run seed for its training */
  seeds: string[];
  /** the network, in words, for the description */
  network: (members: number) => string;
}

export const DERIVATIVE_LEARNING: PublishedEstimator = {
  id: 'dy-smeft-run3',
  title: 'Drell–Yan in the SMEFT at Run 3: the learned unbinned likelihood',
  producer: 'drell-yan-learned',
  seeds: ['training', 'network'],
  network: (members) => `a repulsive ensemble of ${members} networks (derivative learning, fractional smearing, sum-of-squares head)`,
};

export interface PublishedDrellYan {
  folder: string;
  artifact: LoadedArtifact;
  crossSection: ReturnType<typeof controlVariateCrossSection> & { sigmaFb: number; backgroundFb: number; referenceSample: Float64Array };
}

/** reference sample → σ by the control variate → the artifact `dy-smeft-run3`. */
export async function publishDrellYan(
  config: Pick<LearnedConfig, 'seed' | 'referenceEvents' | 'backgroundReferenceEvents' | 'controlVariateEvents'>,
  trained: TrainedDrellYan,
  out: string,
  version: string,
  extra: {
    validation?: ManifestDraft['validation'];
    figures?: ComponentInput[];
    pageAnalysis?: boolean;
    estimator?: PublishedEstimator;
    /** σ(θ) as publishedCrossSection gave it for the same config and networks (a draft's): its control variate can take many minutes */
    crossSection?: ControlVariateCrossSection;
  } = {},
  hooks: LearnedHooks = {},
): Promise<PublishedDrellYan> {
  const stage = hooks.onStage ?? (() => {});
  const { seed } = config;
  const estimator = extra.estimator ?? DERIVATIVE_LEARNING;
  const { generator, network, classifier } = trained;
  const parts = mixedSample(config.referenceEvents, config.backgroundReferenceEvents, deriveSeed(seed, 'reference-sample'), generator.above200);
  const reference = parts.mixed;
  const variants = learnedCoefficients(network, classifier, reference.reco, reference.count);
  const backgroundPb = parts.background.count * parts.background.weights[0];
  const sigma = extra.crossSection ?? publishedCrossSection(config, trained, { parts, learned: variants[0] });
  const referenceSample = crossSectionFromReference(variants[0], reference.count, C, reference.weights);
  stage('reference', `${reference.count} reference events (${parts.signal.count} signal); σ = ${((generator.sigma + backgroundPb) * PB).toFixed(1)} fb; control variate over ${sigma.events} events, correction of s up to ${Math.max(...Array.from(sigma.correction, Math.abs)).toExponential(2)}`);

  // stored in float32 (half the bytes); the loader's positivity check runs on what is stored
  const sample: CoefficientSample = { kind: 'coefficient-sample', count: reference.count, coefficients: C, variants: variants.map((v) => Float32Array.from(v)), weights: Float32Array.from(reference.weights, (w) => w * PB) };
  const t = trained.training;
  const draft: ManifestDraft = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: estimator.id,
    version,
    title: estimator.title,
    description:
      `pp → Z/γ* → ℓ⁺ℓ⁻ at 13.6 TeV, 300 fb⁻¹, leading order with the contact operators C_lq^(1), C_lq^(3), C_eu at Λ = 1 TeV (synthetic: stand-in parton densities, a θ-independent detector). ` +
      `Submit events with the ten reco-level observables; ${estimator.network(t.members)} gives ĉ(x), a classifier at θ0 the signal fraction f_s(x) against a θ-independent background, ` +
      'and the term uses R̂(x|θ) = f_s ĉ·m(θ) + 1 − f_s. Asimov data at the SM from the reference sample; no observed data. ' +
      'It describes the events of the analysis selection only (observables[].selection: the detector acceptance and 150 GeV ≤ m_ll ≤ 6 TeV); events outside are refused.',
    citation: ['T. Bahl, V. Bresó-Pla, G. De Crescenzo, T. Plehn, "Advancing Tools for Simulation-Based Inference" (Heidelberg, 2024; version of January 17, 2025), sec. 2-4, app. A, B, D'],
    parameters: manifestParameters(),
    observables: drellYanSelectable().observables.map((o) => ({ name: o.name, ...(o.unit ? { unit: o.unit } : {}), ...(o.description ? { description: o.description } : {}), ...(ANALYSIS_SELECTION[o.name] ? { selection: ANALYSIS_SELECTION[o.name] } : {}) })),
    luminosity: { value: LUMINOSITY_FB, unit: 'fb^-1' },
    terms: [
      {
        kind: 'unbinned-polynomial',
        name: 'dy',
        description: 'extended unbinned likelihood of the selected dilepton events, signal plus background',
        parameters: PARAMETERS.map((p) => p.name),
        degree: 2,
        observables: [...RECO_OBSERVABLES],
        crossSection: { value: (generator.sigma + backgroundPb) * PB, unit: 'fb', coefficients: Array.from(sigma.coefficients), origin: 'control-variate' },
        ratio: 'network',
        signalFraction: 'signal-fraction',
        reference: 'reference-sample',
      },
    ],
    provenance: provenance(
      estimator.producer,
      { run: seed, generator: deriveSeed(seed, 'generator'), ...Object.fromEntries(estimator.seeds.map((label) => [label, deriveSeed(seed, label)])), classifier: deriveSeed(seed, 'classifier'), reference: deriveSeed(seed, 'reference-sample') },
      {
        drellYan: config,
        simulator: drellYanSelectable().metadata,
        training: trained.configuration,
        trainingFigures: { ...t, history: undefined },
        generatorCrossSection: { sigmaPb: generator.sigma, sigmaErrorPb: generator.sigmaError, coefficients: Array.from(generator.coefficients), errors: Array.from(generator.errors), events: generator.events },
        crossSectionErrors: Array.from(sigma.errors),
        referenceSampleCrossSection: Array.from(referenceSample),
        backend: trained.backend.details,
      },
      trained.backend.versions,
    ),
    validation: extra.validation ?? {},
  };
  const components: ComponentInput[] = [
    { name: 'network', kind: 'network', file: 'network.msgpack', description: `${estimator.network(t.members)} (frozen-mlp/1): ĉ(x) of the signal`, payload: { kind: 'network', network } },
    { name: 'signal-fraction', kind: 'network', file: 'signal-fraction.msgpack', description: 'frozen classifier (sigmoid head): the signal fraction f_s(x) of dσ(x|θ0)', payload: { kind: 'network', network: classifier } },
    { name: 'reference-sample', kind: 'coefficient-sample', file: 'reference-sample.msgpack', description: `f_s ĉ + 1 − f_s of ${reference.count} events at θ0 (${parts.signal.count} signal, the rest background), weights in fb; ensemble mean, then members`, payload: sample },
    ...(extra.figures ?? []),
  ];
  // the result page's scans and contours take minutes here: computed now, published with it
  const { folder, artifact } = await writeArtifact(out, draft, components, { pageAnalysis: extra.pageAnalysis });
  stage('publish', folder);
  return { folder, artifact, crossSection: { ...sigma, sigmaFb: generator.sigma * PB, backgroundFb: backgroundPb * PB, referenceSample } };
}
