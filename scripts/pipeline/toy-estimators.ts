/**
 * The toy pipeline's training step for the estimators other than derivative learning (seed 003
 * sec. 2.1 and eq. 6-11): morphing-aware (the seed's variant and MadMiner's) and the
 * θ-parametrised classifiers CARL and ALICE. Each simulates, trains, freezes and checks the
 * frozen network against tfjs, and returns what the publish step needs (toy-pipeline.ts).
 */
import { backendProvenance, selectBackend, type BackendSelection } from '../training/backend.js';
import { parityCheck, parityValidation, type ParityReference } from '../training/freeze.js';
import { trainMorphingAware, type MorphingAwareConfig } from '../training/morphing-aware.js';
import { trainMorphingAwareJoint, type MorphingAwareJointConfig } from '../training/morphing-aware-joint.js';
import { parametrisedTrainingRows, trainParametrisedClassifier, type ParametrisedClassifierConfig } from '../training/parametrised-classifier.js';
import type { twoGaussianSimulator } from '../simulators/two-gaussian.js';
import { deriveSeed } from '../simulators/types.js';
import type { FrozenNetwork } from '../../models/network/frozen-network.js';
import type { PipelineHooks, ToyPipelineConfig, TrainedToy } from './toy-pipeline.js';

type ToySimulator = ReturnType<typeof twoGaussianSimulator>;

/** What every estimator's training gives the shared freeze step. */
interface Trained {
  frozen: FrozenNetwork;
  seconds: number;
  eventsPerSecond: number;
  predict: ParityReference['predict'];
  dispose(): void;
}

/** The backend to train on, after refusing what applies to derivative learning only. */
async function trainingBackend(config: ToyPipelineConfig): Promise<BackendSelection> {
  if (config.training.fractionalSmearing) throw new RangeError('fractional smearing applies to derivative learning only');
  return selectBackend({ log: null });
}

/** The frozen network's parity against its tfjs model on held-out inputs (n × its inputs), then what the publish step needs. */
function frozenToy(trained: Trained, heldOut: { x: Float64Array; count: number }, backend: BackendSelection, record: { epochs: number; trainingEvents: number; members: number; configuration: Record<string, unknown> }, hooks: PipelineHooks): TrainedToy {
  const parity = parityCheck({ inputs: trained.frozen.inputs, coefficients: trained.frozen.outputs, predict: trained.predict }, trained.frozen, heldOut.x, heldOut.count);
  const parityRecord = parityValidation(parity, backend.name);
  trained.dispose();
  hooks.onStage?.('freeze', `runtime vs tfjs: max relative difference ${parity.maxRelativeDifference.toExponential(2)}`);
  const backendRecord = backendProvenance(backend);
  return {
    frozen: trained.frozen,
    parity: { maxRelativeDifference: parity.maxRelativeDifference, ...parityRecord },
    training: { seconds: trained.seconds, eventsPerSecond: trained.eventsPerSecond, backend: backend.name, epochs: record.epochs, trainingEvents: record.trainingEvents, members: record.members },
    configuration: record.configuration,
    backend: { versions: backendRecord.versions, details: backendRecord.details as unknown as Record<string, unknown> },
    fractionalSmearing: null,
  };
}

/** Held-out events at θ0 for the parity figure. */
const heldOutEvents = (simulator: ToySimulator, seed: number) => {
  const sample = simulator.simulate({ events: 10_000, seed: deriveSeed(seed, 'parity') });
  return { x: sample.reco, count: sample.count };
};

/**
 * simulate at θ0 and each benchmark → one classifier ensemble per benchmark (ALICE loss) →
 * freeze into a morphing head (scripts/training/morphing-aware.ts), with the parity figure.
 */
export async function trainMorphingAwareToy(config: ToyPipelineConfig, simulator: ToySimulator, seed: number, hooks: PipelineHooks): Promise<TrainedToy> {
  const backend = await trainingBackend(config);
  const thetas = config.training.benchmarks ?? [-1, 1];
  const network = (config.training.network ?? {}) as Partial<MorphingAwareConfig>;
  const settings: MorphingAwareConfig = { ...network, benchmarks: [[0], ...thetas.map((t) => [t])], eventsPerBenchmark: config.training.events, seed };
  const trained = await trainMorphingAware(simulator, settings, (p) =>
    hooks.onTrainingProgress?.({ epoch: (p.benchmark - 1) * p.epochs + p.epoch, epochs: p.benchmarks * p.epochs, loss: p.loss, validationLoss: null }),
  );
  const { configuration } = trained;
  hooks.onStage?.('train', `${thetas.length} benchmark ensembles in ${trained.seconds.toFixed(1)} s on ${backend.name}, σ(θ_i)/σ0 = [${trained.crossSectionRatios.map((v) => v.toFixed(4)).join(', ')}], condition number ${configuration.conditionNumber.toFixed(2)}`);
  return frozenToy(trained, heldOutEvents(simulator, seed), backend, { ...configuration, configuration: { estimator: 'morphing-aware', ...configuration, crossSectionRatios: trained.crossSectionRatios } }, hooks);
}

/**
 * simulate at θ from the prior and at θ0 → one network set whose benchmark ratios are morphed at each
 * row's θ (MadMiner's variant, scripts/training/morphing-aware-joint.ts) → freeze into a morphing head.
 */
export async function trainMorphingAwareJointToy(config: ToyPipelineConfig, simulator: ToySimulator, seed: number, hooks: PipelineHooks): Promise<TrainedToy> {
  const backend = await trainingBackend(config);
  const thetas = config.training.benchmarks ?? [-1, 1];
  const network = (config.training.network ?? {}) as Partial<MorphingAwareJointConfig>;
  const trained = await trainMorphingAwareJoint(simulator, { ...network, benchmarks: [[0], ...thetas.map((t) => [t])], events: config.training.events, crossSection: TOY_CROSS_SECTION, seed }, (epoch, epochs, loss) =>
    hooks.onTrainingProgress?.({ epoch, epochs, loss, validationLoss: null }),
  );
  const { configuration } = trained;
  hooks.onStage?.('train', `one network set for ${thetas.length} benchmarks in ${trained.seconds.toFixed(1)} s on ${backend.name}, condition number ${configuration.conditionNumber.toFixed(2)}`);
  return frozenToy(trained, heldOutEvents(simulator, seed), backend, { ...configuration, configuration: { estimator: 'morphing-aware-joint', ...configuration, crossSectionRatios: trained.crossSectionRatios } }, hooks);
}

/** The toy's exact σ(θ)/σ0 = 1 + θ² (seed 003 eq. 43), on the basis [1, θ, θ²]. */
export const TOY_CROSS_SECTION = [1, 0, 1];

/**
 * simulate at θ0 and at θ drawn from the prior → one θ-parametrised classifier ensemble (CARL or
 * ALICE, scripts/training/parametrised-classifier.ts) → freeze, with the parity figure on held-out
 * rows (x, θ).
 */
export async function trainParametrisedToy(config: ToyPipelineConfig, method: 'carl' | 'alice', simulator: ToySimulator, seed: number, hooks: PipelineHooks): Promise<TrainedToy> {
  const backend = await trainingBackend(config);
  const network = (config.training.network ?? {}) as Partial<ParametrisedClassifierConfig>;
  const trained = await trainParametrisedClassifier(simulator, { ...network, method, events: config.training.events, crossSection: TOY_CROSS_SECTION, seed }, (epoch, epochs, loss) =>
    hooks.onTrainingProgress?.({ epoch, epochs, loss, validationLoss: null }),
  );
  const { configuration } = trained;
  hooks.onStage?.('train', `${method.toUpperCase()}: ${configuration.trainingRows} rows in ${trained.seconds.toFixed(1)} s on ${backend.name}`);
  const heldOut = parametrisedTrainingRows(simulator, { method, events: 10_000, thetaDraws: 100, crossSection: TOY_CROSS_SECTION, seed: deriveSeed(seed, 'parity') });
  return frozenToy(trained, heldOut, backend, { ...configuration, trainingEvents: configuration.trainingRows, configuration: { estimator: method, ...configuration } }, hooks);
}
