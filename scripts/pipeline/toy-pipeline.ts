/**
 * The derivative-learning pipeline on the two-Gaussian toy of seed 003 (sec. 2.2, 2.3, 3,
 * app. A): simulate → train (repulsive ensemble, optional fractional smearing) → freeze
 * (with the runtime-vs-tfjs parity figure) → assemble the artifact → validate against the
 * toy's closed forms (closure of ln r, the learned second derivative, expected ln r,
 * empirical coverage) → publish, with every figure and number in the manifest.
 */
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { ArtifactId, ArtifactVersion } from '../../models/artifact/manifest-schema.js';
import { morphedCoefficients, morphing } from '../../models/basis/morphing.js';
import { linePlot, COLORS, type Point } from '../../render/plots.js';
import type { EventSample } from '../../models/artifact/components.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import type { ManifestDraft } from '../lib/artifact-writer.js';
import { writeArtifact, type ComponentInput } from '../lib/artifact-writer.js';
import { coverageEstimates, empiricalCoverage, type CoverageEstimate, type CoverageRun } from '../../models/inference/coverage.js';
import { testStatistic } from '../../models/inference/test-statistics.js';
import { resolveDataset, eventsDataset } from '../../models/likelihood/datasets.js';
import { createRandom } from '../../models/random.js';
import { unbinnedTerms, type UnbinnedTerm } from '../../models/terms/unbinned.js';
import { logMeanExp } from '../../models/terms/unbinned-parametrised.js';
import { drawToyEvents, toyExtendedNll, toyLogRatio, toyMaximumLikelihood, toySecondCoefficient } from '../../models/toys/two-gaussian.js';
import { provenance } from '../lib/provenance.js';
import { twoGaussianSimulator } from '../simulators/two-gaussian.js';
import { deriveSeed } from '../simulators/types.js';
import type { FrozenNetwork } from '../../models/network/frozen-network-schema.js';
import { backendProvenance, selectBackend } from '../training/backend.js';
import { trainDerivativeLearning, type DerivativeLearningConfig, type TrainingProgress } from '../training/derivative-learning.js';
import { simulateWithFractionalSmearing } from '../training/fractional-smearing.js';
import { freezeModel, parityCheck, parityValidation } from '../training/freeze.js';
import { TOY_CROSS_SECTION, trainMorphingAwareJointToy, trainMorphingAwareToy, trainParametrisedToy } from './toy-estimators.js';
import { simulateLearnedReferenceSample } from '../training/reference-sample.js';

const positive = z.number().positive();
/** The pipeline's configuration file, validated (scripts/pipeline/configs/*.json). */
export const ToyPipelineConfigSchema = z
  .object({
    id: ArtifactId,
    version: ArtifactVersion,
    title: z.string().optional(),
    simulator: z.object({ alpha: z.number(), smearing: z.number().nonnegative().optional() }).strict(),
    training: z
      .object({
        events: z.number().int().positive(),
        seed: z.number().int().nonnegative(),
        estimator: z.enum(['derivative-learning', 'morphing-aware', 'morphing-aware-joint', 'carl', 'alice']).optional(),
        benchmarks: z.array(z.number()).min(2).optional(),
        fractionalSmearing: z.object({ threshold: positive.optional(), maxCopies: z.number().int().positive().optional() }).strict().nullable().optional(),
        network: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    referenceEvents: z.number().int().positive().optional(),
    normalisation: z.enum(['reference-sample', 'none']).optional(),
    sigma0: positive.optional(),
    luminosity: positive.optional(),
    observedTheta: z.number().optional(),
    validation: z
      .object({ testTheta: z.number().optional(), testEvents: z.number().int().positive().optional(), thetaRange: z.tuple([z.number(), z.number()]).optional(), coverageTheta: z.number().optional(), coverageToys: z.number().int().positive().optional() })
      .strict()
      .optional(),
  })
  .strict();

export interface ToyPipelineConfig {
  id: string;
  version: string;
  title?: string;
  simulator: { alpha: number; smearing?: number };
  training: {
    /** events at θ0 (derivative learning), or at each benchmark θ0 included (morphing-aware) */
    events: number;
    seed: number;
    /**
     * default 'derivative-learning' (seed 003 sec. 2.2); 'morphing-aware' is sec. 2.1's own variant
     * (scripts/training/morphing-aware.ts), 'morphing-aware-joint' MadMiner's (one network set on the
     * morphed combination, `events` at θ from the prior; scripts/training/morphing-aware-joint.ts); 'carl' and
     * 'alice' are θ-parametrised classifiers (eq. 6-11, scripts/training/parametrised-classifier.ts): `events`
     * at θ drawn from the prior and as many at θ0
     */
    estimator?: 'derivative-learning' | 'morphing-aware' | 'morphing-aware-joint' | 'carl' | 'alice';
    /** the morphing-aware benchmarks other than θ0 (default [−1, 1], as in sec. 3.1) */
    benchmarks?: number[];
    /** fractional smearing of seed 003 sec. 2.3 (null: none) */
    fractionalSmearing?: { threshold?: number; maxCopies?: number } | null;
    network?: Partial<Omit<DerivativeLearningConfig, 'parameters' | 'degree' | 'seed'>>;
  };
  /** events of the reference sample at θ0 (Asimov data and σ by eq. 34) */
  referenceEvents?: number;
  /** CARL and ALICE: normalise r̂ over the reference sample (default) or not (models/terms/unbinned-parametrised.ts) */
  normalisation?: 'reference-sample' | 'none';
  /** σ(θ0) in fb and the published luminosity in fb⁻¹ */
  sigma0?: number;
  luminosity?: number;
  /** θ of the published pseudo-observed dataset */
  observedTheta?: number;
  validation?: { testTheta?: number; testEvents?: number; thetaRange?: [number, number]; coverageTheta?: number; coverageToys?: number };
}

export interface ToyPipelineResult {
  folder: string;
  artifact: LoadedArtifact;
  closure: Record<string, number>;
  coverage: CoverageRun;
  training: { seconds: number; eventsPerSecond: number; backend: string; epochs: number; trainingEvents: number; members: number };
  parity: number;
}

export type PipelineStage = 'simulate' | 'train' | 'freeze' | 'reference' | 'validate' | 'coverage' | 'publish';

/** What a training reports after each epoch (for morphing-aware, epochs count over all benchmarks). */
export type TrainingTick = Pick<TrainingProgress, 'epoch' | 'epochs' | 'loss' | 'validationLoss'>;

export interface PipelineHooks {
  onStage?: (stage: PipelineStage, detail: string) => void;
  onTrainingProgress?: (progress: TrainingTick) => void;
  onCoverageProgress?: (done: number, total: number) => void;
}

/** What the train step hands to the publish step (MessagePack-serialisable: `npm run cli -- train` writes it). */
export interface TrainedToy {
  frozen: FrozenNetwork;
  parity: { maxRelativeDifference: number; closure: Record<string, number>; note: string };
  training: ToyPipelineResult['training'];
  /** the trainer's resolved configuration, for provenance */
  configuration: Record<string, unknown>;
  backend: { versions: Record<string, string>; details: Record<string, unknown> };
  fractionalSmearing: Record<string, unknown> | null;
}

function resolvedSettings(config: ToyPipelineConfig) {
  return {
    simulator: twoGaussianSimulator({ alpha: config.simulator.alpha, smearing: config.simulator.smearing ?? 0.7 }),
    seed: config.training.seed,
    sigma0: config.sigma0 ?? 10,
    luminosity: config.luminosity ?? 100,
    referenceEvents: config.referenceEvents ?? 100_000,
    observedTheta: config.observedTheta ?? 0.4,
    validation: { testTheta: 0.6, testEvents: 20_000, thetaRange: [-1, 1] as [number, number], coverageTheta: 0.5, coverageToys: 300, ...config.validation },
  };
}

/** simulate → train → freeze (with the runtime-vs-tfjs parity figure on held-out events). */
export async function trainToy(config: ToyPipelineConfig, hooks: PipelineHooks = {}): Promise<TrainedToy> {
  const { simulator, seed } = resolvedSettings(config);
  const estimator = config.training.estimator;
  if (estimator === 'morphing-aware') return trainMorphingAwareToy(config, simulator, seed, hooks);
  if (estimator === 'morphing-aware-joint') return trainMorphingAwareJointToy(config, simulator, seed, hooks);
  if (estimator === 'carl' || estimator === 'alice') return trainParametrisedToy(config, estimator, simulator, seed, hooks);
  const stage = hooks.onStage ?? (() => {});

  // 1. simulate
  const smearingOptions = config.training.fractionalSmearing ?? null;
  const smeared = smearingOptions ? simulateWithFractionalSmearing(simulator, { events: config.training.events, seed, ...smearingOptions }) : null;
  const sample = smeared ? smeared.sample : simulator.simulate({ events: config.training.events, seed });
  stage('simulate', smeared ? `${config.training.events} events at θ0, fractional smearing → ${smeared.expanded} weighted events` : `${sample.count} events at θ0`);

  // 2. train
  const backend = await selectBackend({ log: null });
  const networkConfig: DerivativeLearningConfig = { ...config.training.network, parameters: 1, degree: 2, seed };
  const trained = await trainDerivativeLearning(networkConfig, { count: sample.count, inputs: sample.reco, targets: sample.coefficients, weights: sample.weights }, hooks.onTrainingProgress, { backend });
  stage('train', `${trained.seconds.toFixed(1)} s on ${trained.backend}, ${Math.round(trained.eventsPerSecond)} events/s`);

  // 3. freeze, with the parity figure on a held-out batch
  const frozen = freezeModel(trained.model);
  const heldOut = simulator.simulate({ events: 10_000, seed: deriveSeed(seed, 'parity') });
  const parity = parityCheck(trained.model, frozen, heldOut.reco, heldOut.count);
  const parityRecord = parityValidation(parity, trained.backend);
  trained.model.dispose();
  stage('freeze', `runtime vs tfjs: max relative difference ${parity.maxRelativeDifference.toExponential(2)}`);
  const backendRecord = backendProvenance(backend);
  return {
    frozen,
    parity: { maxRelativeDifference: parity.maxRelativeDifference, ...parityRecord },
    training: {
      seconds: trained.seconds,
      eventsPerSecond: trained.eventsPerSecond,
      backend: trained.backend,
      epochs: trained.configuration.epochs,
      trainingEvents: trained.configuration.trainingEvents,
      members: trained.configuration.members,
    },
    configuration: trained.configuration as unknown as Record<string, unknown>,
    backend: { versions: backendRecord.versions, details: backendRecord.details as unknown as Record<string, unknown> },
    fractionalSmearing: smeared ? { threshold: smeared.threshold, expanded: smeared.expanded, capped: smeared.capped, columns: smeared.columns } : null,
  };
}

/**
 * σ(θ)/σ0 of a learned toy. Derivative learning: the learned ĉ summed over the reference sample
 * (eq. 34). Morphing-aware: the benchmarks' own σ(θ_i)/σ0, measured on their samples to a few
 * per mille, morphed (eq. 20-24). Eq. 34 would sum r̂_i over events at θ0, where the ratio's
 * tail is rare and large: at α = 3 a 10⁵-event reference sample gave s₂ = 0.934 for a network
 * whose mean over 10⁶ events is 1.00 ± 0.01 (docs/estimators.md).
 */
function toyCrossSection(frozen: FrozenNetwork, referenceSum: ArrayLike<number>): { coefficients: number[]; origin: 'reference-sample' | 'morphing' } {
  if (frozen.head.kind !== 'morphing') return { coefficients: Array.from(referenceSum), origin: 'reference-sample' };
  const m = morphing(frozen.head.parameters, frozen.head.degree, frozen.head.benchmarks);
  const coefficients = new Float64Array(m.count);
  morphedCoefficients(m.inverse, frozen.head.crossSectionRatios, coefficients);
  return { coefficients: Array.from(coefficients), origin: 'morphing' };
}

/** The whole pipeline: trainToy, then publishToy. */
export async function runToyPipeline(config: ToyPipelineConfig, out: string, hooks: PipelineHooks = {}): Promise<ToyPipelineResult> {
  return publishToy(config, await trainToy(config, hooks), out, hooks);
}

/** reference sample → artifact → validation (closure, coverage, figures) → publish. */
export async function publishToy(config: ToyPipelineConfig, trained: TrainedToy, out: string, hooks: PipelineHooks = {}): Promise<ToyPipelineResult> {
  const stage = hooks.onStage ?? (() => {});
  const { simulator, seed, sigma0, luminosity, referenceEvents, observedTheta, validation } = resolvedSettings(config);
  const { alpha } = config.simulator;
  const toy = simulator.toy;
  const { frozen } = trained;
  const parityRecord = trained.parity;

  // 4. the reference sample (learned coefficients and σ by eq. 34; raw events for a parametrised ratio)
  const parametrised = frozen.head.kind === 'identity';
  const method = parametrised ? String(trained.configuration.estimator).toUpperCase() : '';
  let referenceComponent: ComponentInput;
  let crossSection: { coefficients: number[]; origin: 'reference-sample' | 'morphing' | 'exact' };
  if (parametrised) {
    const sample = simulator.simulate({ events: referenceEvents, seed: deriveSeed(seed, 'reference-sample') });
    const description = `${referenceEvents} events drawn at θ0 = 0`;
    referenceComponent = { name: 'reference-sample', kind: 'event-sample', file: 'reference-sample.msgpack', description, payload: { kind: 'event-sample', count: sample.count, observables: 1, values: sample.reco, description } satisfies EventSample };
    crossSection = { coefficients: TOY_CROSS_SECTION, origin: 'exact' };
  } else {
    const reference = simulateLearnedReferenceSample(frozen, simulator, referenceEvents, seed);
    referenceComponent = { name: 'reference-sample', kind: 'coefficient-sample', file: 'reference-sample.msgpack', description: `learned ĉ of ${referenceEvents} events drawn at θ0 = 0 (ensemble mean, then members)`, payload: reference.sample };
    crossSection = toyCrossSection(frozen, reference.crossSections[0]);
  }
  stage('reference', `${referenceEvents} reference events, s = [${crossSection.coefficients.map((v) => v.toPrecision(4)).join(', ')}] (${crossSection.origin})`);

  const observedEvents = drawToyEvents(toy, observedTheta, luminosity * sigma0 * (1 + observedTheta ** 2), createRandom(deriveSeed(seed, 'observed')));
  const observed: EventSample = { kind: 'event-sample', count: observedEvents.length, observables: 1, values: observedEvents, description: `pseudo-data: ${observedEvents.length} events drawn from the exact toy at θ = ${observedTheta}` };

  const trainingRecord = trained.training;
  const backendRecord = trained.backend;
  const morphingAware = frozen.head.kind === 'morphing';
  const joint = trained.configuration.estimator === 'morphing-aware-joint';
  const draft: ManifestDraft = {
    schemaVersion: '1',
    id: config.id,
    version: config.version,
    title: config.title ?? `Two-Gaussian toy, α = ${alpha}: ${parametrised ? `${method}, a θ-parametrised classifier` : joint ? "morphing-aware estimation, MadMiner's variant" : morphingAware ? 'morphing-aware estimation' : `derivative learning${trained.fractionalSmearing ? ' with fractional smearing' : ''}`}`,
    description: parametrised
      ? `A learned likelihood for the toy model of seed 003 sec. 3 (eq. 41-43, α = ${alpha}, smearing ${toy.smearing}), by ${method} (eq. 6-11): ` +
        `a repulsive ensemble of ${trainingRecord.members} classifiers f(x, θ) separates ${config.training.events} events drawn at θ from a standard normal prior (${String(trained.configuration.thetaDraws)} draws) from as many drawn at θ0 = 0` +
        `${method === 'ALICE' ? ", with ALICE's soft labels from the joint ratio (eq. 11)" : ' (hard labels, eq. 8)'}; its logit is ln r̂(x|θ, 0), evaluated at the edge for every event and θ (a parametrised term). ` +
        `σ(θ) = σ0 (1 + θ²) is exact (eq. 43): a classifier learns normalised densities, not rates. ${(config.normalisation ?? 'reference-sample') === 'none' ? 'r̂ is taken as normalised (Z ≡ 1); how far its mean over the reference sample is from 1 is recorded under closure.' : 'r̂ is normalised by its mean over the reference sample, Z(θ).'} Validated against the exact likelihood (closure, coverage); observed data are pseudo-data.`
      : joint
      ? `A learned likelihood for the toy model of seed 003 sec. 3 (eq. 41-43, α = ${alpha}, smearing ${toy.smearing}), by morphing-aware estimation in MadMiner's variant (sec. 2.1 and 3.1, fig. 3): ` +
        `one repulsive ensemble of ${trainingRecord.members} networks outputs the ratios ln r̂_i(x) of the benchmarks θ_i = ${(config.training.benchmarks ?? [-1, 1]).join(', ')}, and the morphing combines them at the θ of each training event, ` +
        `${config.training.events} events drawn at θ from a standard normal prior and as many at θ0, trained with ALICE's loss (eq. 11) on the morphed logit ln r̂(x|θ): the rows of the ALICE artifact of the same seed (without its Fisher weighting), so that the two differ in how θ enters. ` +
        "It freezes into the same morphing head as the seed's own variant: R̂(x|θ) ≥ 0 for every θ; σ(θ) is exact. Validated against the exact likelihood (closure, coverage); observed data are pseudo-data."
      : morphingAware
      ? `A learned likelihood for the toy model of seed 003 sec. 3 (eq. 41-43, α = ${alpha}, smearing ${toy.smearing}), by morphing-aware estimation (sec. 2.1, eq. 25, the seed's own variant): ` +
        `${config.training.events} events are drawn at θ0 = 0 and at each benchmark θ_i = ${(config.training.benchmarks ?? [-1, 1]).join(', ')} (the benchmarks from one random stream), and for each benchmark a repulsive ensemble of ${trainingRecord.members} classifiers learns r_i(x) = p(x|θ_i)/p(x|θ0) with ALICE's loss (eq. 11), Fisher-weighted. ` +
        'The network\'s morphing head turns the benchmark ratios into the polynomial coefficients ĉ(x) = W⁻¹ diag(σ(θ_i)/σ0) r̂(x) and keeps R̂(x|θ) ≥ 0 for every θ; σ(θ) is the morphing of the benchmarks\' cross sections, measured on their own events (eq. 20-24). ' +
        'Validated against the exact likelihood (closure, coverage); observed data are pseudo-data.'
      : `A learned likelihood for the toy model of seed 003 sec. 3 (eq. 41-43, α = ${alpha}, smearing ${toy.smearing}): a repulsive ensemble of ${trainingRecord.members} networks regresses the joint ` +
        `coefficients c(z) = [1, 0, N(z; α, 0.1)/N(z; 0, 1)] from the reco-level x (derivative learning, sec. 2.2), from ${config.training.events} events at θ0 = 0` +
        `${trained.fractionalSmearing ? ` with fractional smearing (sec. 2.3, t = ${trained.fractionalSmearing.threshold})` : ''}. The head is a sum of squares, so R̂(x|θ) ≥ 0 for every θ; σ(θ) comes from the learned ĉ summed over the reference sample (eq. 34). ` +
        'Validated against the exact likelihood (closure, coverage); observed data are pseudo-data.',
    citation: ['T. Bahl, V. Bresó-Pla, G. De Crescenzo, T. Plehn, "Advancing Tools for Simulation-Based Inference" (Heidelberg, 2024; version of January 17, 2025)'],
    parameters: [{ name: 'theta', description: 'weight of the displaced Gaussian: p(z|θ) ∝ N(0,1) + θ² N(α, 0.1)', reference: 0, range: [-2, 2] }],
    observables: [{ name: 'x', description: `reco-level observable x = z + N(0, ${toy.smearing})` }],
    luminosity: { value: luminosity, unit: 'fb^-1' },
    terms: [
      parametrised
        ? {
            kind: 'unbinned-parametrised',
            name: 'toy',
            description: `extended unbinned likelihood with the ${method} network's ln r̂(x|θ, 0) and the exact σ(θ)`,
            parameters: ['theta'],
            observables: ['x'],
            crossSection: { value: sigma0, unit: 'fb', degree: 2, coefficients: crossSection.coefficients, origin: 'exact' },
            ratio: 'network',
            normalisation: config.normalisation ?? 'reference-sample',
            reference: 'reference-sample',
            observed: 'observed-events',
          }
        : {
            kind: 'unbinned-polynomial',
            name: 'toy',
            description: 'extended unbinned likelihood with the learned R̂(x|θ) = ĉ(x)·[1, θ, θ²]',
            parameters: ['theta'],
            degree: 2,
            observables: ['x'],
            crossSection: { value: sigma0, unit: 'fb', ...crossSection },
            ratio: 'network',
            reference: 'reference-sample',
            observed: 'observed-events',
          },
    ],
    provenance: provenance(
      'pipeline',
      { training: seed, reference: deriveSeed(seed, 'reference-sample'), observed: deriveSeed(seed, 'observed'), coverage: deriveSeed(seed, 'coverage') },
      { pipeline: config, simulator: simulator.metadata, training: trained.configuration, trainingFigures: trainingRecord, fractionalSmearing: trained.fractionalSmearing, backend: backendRecord.details },
      backendRecord.versions,
    ),
    validation: {},
  };
  const components: ComponentInput[] = [
    { name: 'network', kind: 'network', file: 'network.msgpack', description: parametrised ? `frozen repulsive ensemble of ${trainingRecord.members} ${method} classifiers of (x, θ) (frozen-mlp/1, identity head on the logit ln r̂)` : joint ? `frozen repulsive ensemble of ${trainingRecord.members} networks giving the benchmark ratios (frozen-mlp/1, morphing head)` : morphingAware ? `frozen repulsive ensembles of ${trainingRecord.members} classifiers per benchmark, stacked (frozen-mlp/1, morphing head)` : `frozen repulsive ensemble of ${trainingRecord.members} networks (frozen-mlp/1, sum-of-squares head)`, payload: { kind: 'network', network: frozen } },
    referenceComponent,
    { name: 'observed-events', kind: 'event-sample', file: 'observed-events.msgpack', description: observed.description, payload: observed },
  ];

  // 5. validate on a scratch copy, then publish with the results recorded
  const scratch = `${out}/.scratch-${config.id}-${process.pid}`;
  let closure: Record<string, number>;
  let coverage: CoverageRun;
  let figures: ComponentInput[];
  try {
    const { artifact } = await writeArtifact(scratch, draft, components);
    const validated = validateToyArtifact(artifact, alpha, toy, validation, seed);
    closure = { ...validated.closure, ...parityRecord.closure, 'training seconds': trainingRecord.seconds, 'training events per second': trainingRecord.eventsPerSecond };
    figures = validated.figures;
    stage('validate', `mean |ln r̂ − ln r| = ${validated.closure['mean |ln r̂ − ln r|'].toExponential(2)}, max ${validated.closure['max |ln r̂ − ln r|'].toExponential(2)}`);
    coverage = coverageOfToyArtifact(artifact, toy, validation.coverageTheta, validation.coverageToys, deriveSeed(seed, 'coverage'), hooks.onCoverageProgress);
    stage('coverage', coverage.estimates.map((e) => `${(100 * e.cl).toFixed(2)}%: ${(100 * e.coverage).toFixed(1)} ± ${(100 * e.error).toFixed(1)}%`).join(', '));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  draft.validation = {
    closure,
    coverage: coverage.estimates.map((e) => ({ cl: e.cl, coverage: e.coverage, error: e.error, toys: e.toys, at: { theta: validation.coverageTheta }, luminosity })),
    figures: figures.map((f) => ({ component: f.name, caption: f.description ?? '' })),
    notes: [
      `closure: ${validation.testEvents} test events drawn from the exact toy at θ = ${validation.testTheta}; |ln r̂(x|θ, 0) − ln r(x|θ, 0)| over those events and 41 values of θ in [${validation.thetaRange.join(', ')}]`,
      `coverage: ${validation.coverageToys} toys drawn from the exact toy at θ = ${validation.coverageTheta}, ${luminosity} fb⁻¹, evaluated with the learned likelihood; ${coverage.failed} toys with unconverged fits dropped`,
      parityRecord.note,
      `training: ${trainingRecord.trainingEvents} events × ${trainingRecord.epochs} epochs in ${trainingRecord.seconds.toFixed(1)} s on ${trainingRecord.backend} (${Math.round(trainingRecord.eventsPerSecond)} events/s through the ensemble)`,
    ],
  };
  // a parametrised term runs its network over every event at every θ: its page's scans (ensemble members, Asimov
  // data on the reference sample) take longer than a request may, so they are published with it
  const { folder, artifact } = await writeArtifact(out, draft, [...components, ...figures], { pageAnalysis: parametrised });
  stage('publish', folder);
  return { folder, artifact, closure, coverage, training: trainingRecord, parity: parityRecord.maxRelativeDifference };
}

/**
 * Closure against the exact toy: ln r̂ against ln r on test events, the learned θ²
 * coefficient against N(x; α, σ_b)/N(x; 0, σ_a), and the expected ln r against θ (seed 003
 * fig. 2 and 5), with the ensemble's spread; figures as SVG components.
 */
export function validateToyArtifact(
  artifact: LoadedArtifact,
  alpha: number,
  toy: ReturnType<typeof twoGaussianSimulator>['toy'],
  validation: { testTheta: number; testEvents: number; thetaRange: [number, number] },
  seed: number,
): { closure: Record<string, number>; figures: ComponentInput[] } {
  const [term] = unbinnedTerms(artifact.likelihood);
  const test = drawToyEvents(toy, validation.testTheta, validation.testEvents, createRandom(deriveSeed(seed, 'closure')));
  const n = test.length;
  const thetas = Array.from({ length: 41 }, (_, k) => validation.thetaRange[0] + ((validation.thetaRange[1] - validation.thetaRange[0]) * k) / 40);
  const { meanAbs, maxAbs, expectedTrue, expectedLearned } = toyClosure(artifact, toy, test, thetas);

  // what the network learned as a function of x, against the truth: the θ² coefficient of a
  // polynomial ratio (seed 003 fig. 5 left), or ln r̂(x|θ = 1, 0) of a parametrised one
  const xs = Array.from({ length: 121 }, (_, k) => -4 + ((alpha + 8) * k) / 120);
  const log10 = (v: number) => Math.log10(Math.max(v, 1e-12));
  const polynomial = term.kind === 'unbinned-polynomial';
  let truthCurve: Point[];
  let learned: number[][];
  if (term.kind === 'unbinned-polynomial') {
    const learnedC = term.events!.ratio.coefficientsFor(Float64Array.from(xs), xs.length);
    truthCurve = xs.map((x) => [x, log10(toySecondCoefficient(toy, x))]);
    learned = learnedC.map((c) => xs.map((_, k) => log10(c[k * 3 + 2])));
  } else {
    const data = term.eventData(Float64Array.from(xs), xs.length);
    const index = artifact.likelihood.terms[0].index;
    truthCurve = xs.map((x) => [x, toyLogRatio(toy, x, 1)]);
    learned = Array.from({ length: term.variants }, (_, v) => Array.from(term.eventLogRatios(data, Float64Array.of(1), index, v)));
  }
  const meanCurve: Point[] = xs.map((x, k) => [x, learned[0][k]]);
  const members = learned.slice(1);
  const band = members.length
    ? { x: xs, lower: xs.map((_, k) => Math.min(...members.map((m) => m[k]))), upper: xs.map((_, k) => Math.max(...members.map((m) => m[k]))), color: COLORS.sky, opacity: 0.35, label: 'ensemble members (min–max)' }
    : undefined;
  const yValues = [...truthCurve, ...meanCurve].map((p) => p[1]);
  const learnedSvg = linePlot({
    id: 'second-derivative',
    title: polynomial ? `Learned θ² coefficient against the truth, α = ${alpha}` : `Learned ln r(x|θ = 1, 0) against the truth, α = ${alpha}`,
    xDomain: [xs[0], xs.at(-1)!],
    yDomain: polynomial ? [Math.max(-6, Math.min(...yValues)), Math.max(...yValues) + 0.5] : [Math.max(-12, Math.min(...yValues)) - 0.5, Math.min(20, Math.max(...yValues)) + 0.5],
    xLabel: 'x',
    yLabel: polynomial ? 'log10 ĉ₂(x) = log10 ½ ∂²R/∂θ²' : 'ln r(x|θ = 1, θ0)',
    series: [
      { points: truthCurve, color: COLORS.black, width: 2, label: polynomial ? 'truth N(x; α, σ_b)/N(x; 0, σ_a)' : 'truth' },
      { points: meanCurve, color: COLORS.vermilion, width: 2, dash: '6 4', label: 'learned (ensemble mean)' },
    ],
    bands: band ? [band] : [],
  });

  const expectedBand = expectedLearned.length > 1
    ? { x: thetas, lower: thetas.map((_, k) => Math.min(...expectedLearned.slice(1).map((m) => m[k]))), upper: thetas.map((_, k) => Math.max(...expectedLearned.slice(1).map((m) => m[k]))), color: COLORS.sky, opacity: 0.35, label: 'ensemble members (min–max)' }
    : undefined;
  const allExpected = [...expectedTrue, ...expectedLearned.flat()];
  const expectedSvg = linePlot({
    id: 'expected-log-ratio',
    title: `Expected ln r(x|θ, 0) over events at θ = ${validation.testTheta}, α = ${alpha}`,
    xDomain: [thetas[0], thetas.at(-1)!],
    yDomain: [Math.min(...allExpected) - 0.05, Math.max(...allExpected) + 0.05],
    xLabel: 'θ',
    yLabel: '⟨ln r(x|θ, θ0)⟩',
    series: [
      { points: thetas.map((t, k) => [t, expectedTrue[k]] as Point), color: COLORS.black, width: 2, label: 'truth' },
      { points: thetas.map((t, k) => [t, expectedLearned[0][k]] as Point), color: COLORS.vermilion, width: 2, dash: '6 4', label: 'learned (ensemble mean)' },
    ],
    bands: expectedBand ? [expectedBand] : [],
  });

  let expectedMax = 0;
  thetas.forEach((_, k) => (expectedMax = Math.max(expectedMax, Math.abs(expectedLearned[0][k] - expectedTrue[k]))));
  // a classifier's own normalisation: ln of the mean r̂ over the reference sample (0 for an exact one)
  let normalisationMax = 0;
  if (term.kind === 'unbinned-parametrised') {
    const reference = term.referenceData();
    for (const t of thetas) normalisationMax = Math.max(normalisationMax, Math.abs(logMeanExp(term.logRatios(reference, Float64Array.of(t), 0, 0), reference.weights[0], 1, 0).value));
  }
  return {
    closure: {
      'mean |ln r̂ − ln r|': meanAbs,
      'max |ln r̂ − ln r|': maxAbs,
      'max |⟨ln r̂⟩ − ⟨ln r⟩| over θ': expectedMax,
      ...(term.kind === 'unbinned-parametrised' ? { 'max |ln Z(θ)| over θ (mean r̂ over the reference sample)': normalisationMax } : {}),
      'test events': n,
    },
    figures: [
      polynomial
        ? { name: 'second-derivative', kind: 'figure', file: 'second-derivative.svg', description: `The learned θ² coefficient ĉ₂(x) (half the second derivative of R at θ0) against the exact N(x; α, σ_b)/N(x; 0, σ_a), α = ${alpha}; band: ensemble members (seed 003 fig. 5 left).`, payload: { svg: learnedSvg } }
        : { name: 'log-ratio', kind: 'figure', file: 'log-ratio.svg', description: `The learned ln r̂(x|θ = 1, 0) against the exact ln r, α = ${alpha}; band: ensemble members.`, payload: { svg: learnedSvg } },
      { name: 'expected-log-ratio', kind: 'figure', file: 'expected-log-ratio.svg', description: `The expected ln r(x|θ, 0) over ${n} events drawn at θ = ${validation.testTheta}, learned against true (seed 003 fig. 5 right).`, payload: { svg: expectedSvg } },
    ],
  };
}

/**
 * ln r̂(x|θ, 0) of a learned toy artifact against the exact ln r on the events `test`, for each θ
 * of `thetas`: the mean and largest |ln r̂ − ln r| of the ensemble mean over events and θ, and the
 * expected ⟨ln r⟩ over the events (truth; the mean, then each member, of the learned).
 */
export function toyClosure(artifact: LoadedArtifact, toy: ReturnType<typeof twoGaussianSimulator>['toy'], test: Float64Array, thetas: readonly number[]): { meanAbs: number; maxAbs: number; expectedTrue: number[]; expectedLearned: number[][] } {
  const [term]: UnbinnedTerm[] = unbinnedTerms(artifact.likelihood);
  const index = artifact.likelihood.terms[0].index;
  const n = test.length;
  const data = term.eventData(test, n);
  const variants = term.variants;
  let sum = 0;
  let maxAbs = 0;
  const expectedLearned: number[][] = Array.from({ length: variants }, () => []);
  const expectedTrue: number[] = [];
  for (const t of thetas) {
    const learned = Array.from({ length: variants }, (_, v) => term.eventLogRatios(data, Float64Array.of(t), index, v));
    let meanTrue = 0;
    for (let i = 0; i < n; i++) {
      const truth = toyLogRatio(toy, test[i], t);
      meanTrue += truth / n;
      const d = Math.abs(learned[0][i] - truth);
      sum += d;
      if (!(d <= maxAbs)) maxAbs = d;
    }
    expectedTrue.push(meanTrue);
    learned.forEach((values, v) => expectedLearned[v].push(values.reduce((a, b) => a + b, 0) / n));
  }
  return { meanAbs: sum / (n * thetas.length), maxAbs, expectedTrue, expectedLearned };
}

/** Coverage of the learned likelihood on toys drawn from the exact toy model (seed 003 eq. 53). */
/** The levels of the toys' coverage: ±1σ and ±2σ. */
const COVERAGE_LEVELS = [0.6827, 0.9545];

export interface ToyCoverage extends CoverageRun {
  /** the exact likelihood's coverage on the same toys (eq. 53 with the closed form of eq. 49) */
  truth: CoverageEstimate[];
  /** mean |θ̂| − |θ| of the learned likelihood (converged toys) and of the exact one (all toys): θ's sign is not resolved */
  bias: { learned: number; truth: number };
}

export function coverageOfToyArtifact(artifact: LoadedArtifact, toy: ReturnType<typeof twoGaussianSimulator>['toy'], theta: number, toys: number, seed: number, onProgress?: (done: number, total: number) => void): ToyCoverage {
  const random = createRandom(seed);
  const L = artifact.manifest.luminosity.value;
  const sigma0 = unbinnedTerms(artifact.likelihood)[0].sigma0;
  const truthQ: number[] = [];
  let truthBias = 0;
  const draw = () => {
    // toys come from the exact model: the true σ(θ) = σ0 (1 + θ²)
    const events = drawToyEvents(toy, theta, L * sigma0 * (1 + theta * theta), random);
    const exact = toyMaximumLikelihood(toy, events, L, sigma0);
    truthQ.push(testStatistic(toyExtendedNll(toy, events, theta, L, sigma0), exact.nll));
    truthBias += exact.theta - Math.abs(theta);
    return resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, events, events.length));
  };
  const run = empiricalCoverage(artifact.likelihood, Float64Array.of(theta), COVERAGE_LEVELS, toys, draw, (done) => onProgress?.(done, toys));
  const learnedBias = run.best.reduce((sum, [t]) => sum + Math.abs(t) - Math.abs(theta), 0) / run.best.length;
  return { ...run, truth: coverageEstimates(truthQ, COVERAGE_LEVELS, 1), bias: { learned: learnedBias, truth: truthBias / toys } };
}
