/**
 * Issue 17 item 4: reco-level derivative learning on W±Z (seed 003 sec. 4.2) with fractional
 * smearing at t = 0.5 on every R_i, R_ij (sec. 2.3), for the two architectures the seed
 * compares: (a) an MLP repulsive ensemble; (b) L-GATr (sec. 2.4), tokens the three leptons'
 * four-momenta, the other features (the missing E_T among them: a transverse vector, not a
 * four-momentum) as the scalars every token carries.
 */
import { backendProvenance, selectBackend } from '../training/backend.js';
import { trainDerivativeLearning, type DerivativeLearningConfig, type TrainingProgress } from '../training/derivative-learning.js';
import { fractionalSmearing } from '../training/fractional-smearing.js';
import { freezeDerivativeLearning, parityCheck } from '../training/freeze.js';
import type { AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { WZ_RECO_OBSERVABLES } from '../simulators/wz-detector.js';
import { wzSimulator } from '../simulators/wz.js';
import { deriveSeed } from '../simulators/types.js';
import { C } from './samples.js';

export type WzArchitecture = 'mlp' | 'lgatr';

export interface RecoTrainingConfig {
  /** parton-level events before fractional smearing and the selection */
  partonEvents: number;
  fractionalSmearing: { threshold: number; maxCopies: number };
  /** relativeFloor: the relative loss weighting of derivative-learning.ts (absent: the variance weighting) */
  mlp: { hidden: number[]; members: number; epochs: number; batchSize: number; learningRate: number; finalLearningRate: number; relativeFloor?: number };
  lgatr: { channels: number; scalarChannels: number; blocks: number; heads: number; members: number; epochs: number; batchSize: number; learningRate: number; finalLearningRate: number; relativeFloor?: number };
}

export interface TrainedReco {
  architecture: WzArchitecture;
  network: AnyFrozenNetwork;
  record: {
    seconds: number;
    eventsPerSecond: number;
    backend: string;
    trainingEvents: number;
    partonEvents: number;
    smearing: { threshold: number; expanded: number; capped: number };
    finalLoss: number;
    finalValidationLoss: number | null;
    parity: number;
    configuration: Record<string, unknown>;
    versions: Record<string, string>;
  };
}

const column = (name: string) => WZ_RECO_OBSERVABLES.indexOf(name as (typeof WZ_RECO_OBSERVABLES)[number]);

/** L-GATr's tokens (input columns of E, px, py, pz per lepton) and its scalar features: everything else. */
export function lgatrInputs(): { tokens: number[][]; scalars: number[] } {
  const tokens = ['lW', 'lZp', 'lZm'].map((p) => ['E', 'px', 'py', 'pz'].map((c) => column(`${p}_${c}`)));
  const used = new Set(tokens.flat());
  return { tokens, scalars: WZ_RECO_OBSERVABLES.map((_, k) => k).filter((k) => !used.has(k)) };
}

/** The training sample (fractional smearing, the detector) for one seed; both architectures see the same events. */
export function recoTrainingSample(config: RecoTrainingConfig, seed: number) {
  const simulator = wzSimulator();
  const parton = simulator.sampleParton({ events: config.partonEvents, seed: deriveSeed(seed, 'training') });
  const { threshold, maxCopies } = config.fractionalSmearing;
  return fractionalSmearing(simulator, parton, { threshold, maxCopies, columns: Array.from({ length: C - 1 }, (_, k) => k + 1), seed: deriveSeed(seed, 'fractional-smearing') });
}

/** Trains one architecture on the sample and freezes it, with the runtime's parity on held-out events. */
export async function trainReco(architecture: WzArchitecture, config: RecoTrainingConfig, smeared: ReturnType<typeof recoTrainingSample>, seed: number, onProgress?: (p: TrainingProgress) => void): Promise<TrainedReco> {
  const backend = await selectBackend({ log: null });
  const sample = smeared.sample;
  const common = { parameters: 3, degree: 2, repulsion: { kind: 'function' as const, strength: 1 }, seed: deriveSeed(seed, `network-${architecture}`) };
  const settings: DerivativeLearningConfig =
    architecture === 'mlp'
      ? { ...common, ...config.mlp }
      : (() => {
          const { channels, scalarChannels, blocks, heads, ...rest } = config.lgatr;
          return { ...common, ...rest, architecture: { kind: 'lgatr' as const, ...lgatrInputs(), momentumScale: 0.01, channels, scalarChannels, blocks, heads } };
        })();
  const trained = await trainDerivativeLearning(settings, { count: sample.count, inputs: sample.reco, targets: sample.coefficients, weights: sample.weights }, onProgress, { backend });
  const network = freezeDerivativeLearning(trained.model);
  const heldOut = wzSimulator().simulate({ events: 5000, seed: deriveSeed(seed, 'parity') });
  const parity = parityCheck(trained.model, network, heldOut.reco, heldOut.count);
  trained.model.dispose();
  const last = trained.history.at(-1)!;
  const provenance = backendProvenance(backend);
  return {
    architecture,
    network,
    record: {
      seconds: trained.seconds,
      eventsPerSecond: trained.eventsPerSecond,
      backend: trained.backend,
      trainingEvents: sample.count,
      partonEvents: config.partonEvents,
      smearing: { threshold: smeared.threshold, expanded: smeared.expanded, capped: smeared.capped },
      finalLoss: last.loss,
      finalValidationLoss: last.validationLoss,
      parity: parity.maxRelativeDifference,
      configuration: trained.configuration as unknown as Record<string, unknown>,
      versions: provenance.versions,
    },
  };
}
