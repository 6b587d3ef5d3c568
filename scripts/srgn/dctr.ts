/**
 * DCTR, a θ-parametrised reweighting learned by a classifier at generator level (seed 004
 * sec. II, eq. 1-2): f(x_G, θ) separates events drawn at θ, uniform in the parameters' ranges,
 * from events of the nominal sample θ0 that are shown the same θ (weighted binary cross
 * entropy, both classes of equal total weight). Its logit then approximates
 * ln[p(x_G|θ)/p(x_G|θ0)], so w(x_G, θ) = f/(1 − f) = e^logit; the network is frozen with an
 * identity head on that logit, the same form as a CARL classifier (seed 003 eq. 6-9), and the
 * service's parametrised term evaluates it (models/terms/unbinned-parametrised.ts).
 */
import { evaluateNetwork, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { deriveSeed } from '../simulators/types.js';
import { freezeLogit, meanLogitReference, parityCheck, type ParityResult } from '../training/freeze.js';
import { trainMlp, type MlpConfig } from '../training/weighted-mlp.js';
import type { SrgnExample } from './gaussian-examples.js';

/**
 * Defaults: the seed's three hidden layers of 50 units, but swish instead of ReLU (on 5·10⁴
 * events and 8 epochs it learns eq. 10's weights five times closer: mean |Δw| 0.02-0.03
 * against 0.09-0.15), 12 epochs of batches of 500 (the seed: early stopping, batches of 10⁵).
 */
export interface DctrConfig extends Partial<Pick<MlpConfig, 'hidden' | 'epochs' | 'batchSize' | 'learningRate' | 'members' | 'activation'>> {
  /** events drawn at θ (each at its own uniform θ), and as many nominal ones */
  events: number;
  /** the generator-level columns the reweighting sees (default all: the full phase space) */
  features?: number[];
  seed: number;
}

export interface Dctr {
  /** inputs: the chosen generator features, then θ; one identity output, the logit ln w */
  network: FrozenNetwork;
  features: number[];
  seconds: number;
  /** the frozen runtime against tfjs on 2 000 fresh rows */
  parity: ParityResult;
}

export function trainDctr(example: SrgnExample, config: DctrConfig): Dctr {
  const G = example.generatorFeatures.length;
  const features = config.features ?? Array.from({ length: G }, (_, j) => j);
  const P = example.parameters.length;
  const F = features.length;
  const n = config.events;
  const random = createRandom(deriveSeed(config.seed, 'dctr-events'));
  const nominal = example.generate(example.parameters.map((p) => p.nominal), n, random).generator;
  const width = F + P;
  const x = new Float64Array(2 * n * width);
  const labels = new Float32Array(2 * n);
  const theta = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    example.parameters.forEach((p, j) => (theta[j] = p.range[0] + (p.range[1] - p.range[0]) * random.uniform()));
    const event = example.generate(theta, 1, random).generator;
    for (const [row, source, offset, label] of [[2 * i, event, 0, 1], [2 * i + 1, nominal, i * G, 0]] as const) {
      dctrRow(x, row, source, offset, features, theta);
      labels[row] = label;
    }
  }
  const trained = trainMlp(x, 2 * n, width, labels, new Float64Array(2 * n).fill(1), 'sigmoid', 1, {
    hidden: config.hidden ?? [50, 50, 50],
    activation: config.activation ?? 'swish',
    epochs: config.epochs ?? 12,
    batchSize: config.batchSize ?? 500,
    learningRate: config.learningRate ?? 2e-3,
    finalLearningRate: (config.learningRate ?? 2e-3) / 10,
    members: config.members ?? 1,
    seed: deriveSeed(config.seed, 'dctr-network'),
  });
  const network = freezeLogit(trained, width);
  // parity of the frozen runtime with tfjs on rows the training never saw
  const held = 2000;
  const heldRows = new Float64Array(held * width);
  for (let i = 0; i < held; i++) {
    example.parameters.forEach((p, j) => (theta[j] = p.range[0] + (p.range[1] - p.range[0]) * random.uniform()));
    const event = example.generate(theta, 1, random).generator;
    dctrRow(heldRows, i, event, 0, features, theta);
  }
  const parity = parityCheck(
    meanLogitReference(trained, width),
    network,
    heldRows,
    held,
  );
  trained.dispose();
  return { network, features, seconds: trained.seconds, parity };
}

/**
 * w(x_G, θ) of every row of a generator-level sample (n × G) from a frozen DCTR network (its
 * members' mean logit), normalised so that the sample's mean weight is 1: the nominal sample
 * reweighted to θ keeps its size.
 */
export function dctrWeights(dctr: Dctr, generator: Float64Array, n: number, G: number, theta: ArrayLike<number>): Float64Array {
  const rows = new Float64Array(n * (dctr.features.length + theta.length));
  for (let i = 0; i < n; i++) dctrRow(rows, i, generator, i * G, dctr.features, theta);
  const logit = new Float64Array(n);
  const members = dctr.network.members.length;
  for (let m = 0; m < members; m++) {
    const z = evaluateNetwork(dctr.network, m, rows, n);
    for (let i = 0; i < n; i++) logit[i] += z[i] / members;
  }
  return normalisedExp(logit);
}

/** Row `row` of a DCTR input matrix: the chosen generator-level features of the event at `offset` in `source`, then θ. */
function dctrRow(out: Float64Array, row: number, source: ArrayLike<number>, offset: number, features: readonly number[], theta: ArrayLike<number>): void {
  const width = features.length + theta.length;
  features.forEach((c, k) => (out[row * width + k] = source[offset + c]));
  for (let j = 0; j < theta.length; j++) out[row * width + features.length + j] = theta[j];
}

/** e^{z_i} scaled to mean 1 (shifted by the largest z first, so that no term overflows). */
export function normalisedExp(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]);
  const w = z.map((v) => Math.exp(v - max));
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i];
  for (let i = 0; i < w.length; i++) w[i] *= w.length / sum;
  return w;
}
