/**
 * Morphing-aware likelihood-ratio estimation, seed 003's own variant (sec. 2.1, eq. 25, and
 * sec. 3.1): events are drawn at each benchmark θ_i as well as at θ0, and for each θ_i ≠ θ0
 * a repulsive ensemble of classifiers learns r_i(x) = p(x|θ_i)/p(x|θ0) independently, with
 * ALICE's loss (eq. 11): soft labels s(z) = r(z|θ_i, θ0)/(1 + r(z|θ_i, θ0)) from the joint
 * ratio on the mixture of both samples, so the logit converges to ln r_i(x). The θ-dependence
 * is then imposed, not learned: the benchmark ratios are frozen into one network whose
 * morphing head (frozen-network-schema.ts) returns the polynomial coefficients
 * ĉ(x) = W⁻¹ diag(σ(θ_i)/σ0) r̂(x), made R̂ ≥ 0 for every θ. The artifact's unbinned
 * polynomial term evaluates them like those of derivative learning: no new code path at the
 * edge.
 *
 * The joint ratio at θ_i of an event with coefficients c(z) (simulators/types.ts) is
 * r(z|θ_i, θ0) = R(z|θ_i) σ0/σ(θ_i), R(z|θ) = c(z)·m(Δθ). The cross-section ratio comes from
 * the events drawn at θ_i themselves: E_{θ_i}[1/R(z|θ_i)] = σ0/σ(θ_i), a bounded estimator
 * wherever R is large (the tails that make E_{θ0}[R] noisy).
 *
 * Common random numbers: the benchmarks after θ0 are drawn from one random stream (the same seed
 * at each θ_i) and their ensembles start from the same weights and see the same batch order. The
 * morphed coefficients are differences of the benchmark ratios (for θ_i = ±1, ĉ₁ = (R̂₁ − R̂₋₁)/2),
 * so what matters is that the networks' errors are correlated, not that each is small: with
 * independent samples and initial weights, the noise of two networks trained on the same physics
 * becomes a linear term in θ that no generator produced. Where the physics is symmetric (the
 * two-Gaussian toy depends on θ² only), the ±θ_i samples are then the same events and ĉ₁ ≡ 0
 * exactly; where it is not, the differences between the samples are the physics' own.
 *
 * Freezing: the B − 1 ensembles share the input standardisation (the weighted mean and
 * standard deviation of all samples); member m of the frozen network stacks member m of every
 * benchmark's ensemble side by side (first layers concatenated, the others block-diagonal),
 * which computes exactly the separate networks.
 */
import * as tf from '@tensorflow/tfjs';
import type { Morphing } from '../../models/basis/morphing.js';
import { morphing } from '../../models/basis/morphing.js';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { parseFrozenNetwork, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { morphedPrediction } from './morphing-aware-joint.js';
import { deriveSeed, type SimulatedSample, type Simulator } from '../simulators/types.js';
import { trainMlp, weightedScaling, type EnsembleOptions, type RowLoss, type TrainedMlp } from './weighted-mlp.js';

/**
 * Defaults: 4 members of (64, 64, 64) swish, 30 epochs, batches of 1024, learning rate 1e-3, repulsion 1, and the
 * Fisher weighting of the classifiers' loss capped at 1e4 (weighted-mlp.ts; null: plain cross entropy).
 */
export interface MorphingAwareConfig extends EnsembleOptions {
  /** the benchmarks as offsets Δθ_i from θ0, θ0 itself first (default: θ0, θ0 ± 1 for one parameter) */
  benchmarks?: number[][];
  /** events drawn at each benchmark, θ0 included */
  eventsPerBenchmark: number;
  /** draw the benchmarks after θ0 from one random stream and start their ensembles from the same weights (default true; see the module comment) */
  commonRandomNumbers?: boolean;
  /**
   * 'alice' (default): cross entropy with soft labels (eq. 11); 'squared-ratio': seed 003 eq. 55
   * (app. C, its choice for pp → WZ), [r(z) − r̂(x)]² on the θ0 events and [1/r(z) − 1/r̂(x)]² on
   * the θ_i events, whose minimiser is also r̂ = r(x); the network's output stays ln r̂
   */
  loss?: 'alice' | 'squared-ratio';
  seed: number;
}

export interface MorphingAwareProgress {
  /** the benchmark being trained (1 … B − 1) and its θ offset */
  benchmark: number;
  benchmarks: number;
  epoch: number;
  epochs: number;
  loss: number;
  seconds: number;
}

/** What either morphing-aware variant gives: benchmark ratios frozen behind a morphing head. */
export interface MorphedEnsemble {
  frozen: FrozenNetwork;
  morphing: Morphing;
  /** σ(θ_i)/σ0 of the benchmarks */
  crossSectionRatios: number[];
  /** ĉ per member and their mean from tfjs's outputs (the parity reference of the frozen network) */
  predict(x: Float32Array | Float64Array, n: number): { members: Float64Array[]; mean: Float64Array };
  seconds: number;
  eventsPerSecond: number;
  dispose(): void;
}

export interface MorphingAwareResult extends MorphedEnsemble {
  /** σ(θ_i)/σ0, estimated from the events drawn at θ_i */
  crossSectionRatios: number[];
  configuration: Required<Omit<MorphingAwareConfig, 'finalLearningRate' | 'fisherWeightCap'>> & {
    finalLearningRate: number;
    fisherWeightCap: number | null;
    /** rows trained on (a reused ensemble's are not counted again) */
    trainingEvents: number;
    conditionNumber: number;
    /** benchmark → the earlier benchmark whose ensemble it shares */
    reusedEnsembles: Record<number, number>;
  };
}

/** σ0/σ(θ_i) = E_{θ_i}[1/R(z|θ_i)] over events drawn at θ_i (weighted), inverted. */
export function crossSectionRatioFromSample(sample: SimulatedSample, monomials: ArrayLike<number>): number {
  const C = monomials.length;
  let sumW = 0;
  let sumInverse = 0;
  for (let e = 0; e < sample.count; e++) {
    sumW += sample.weights[e];
    sumInverse += sample.weights[e] / polynomialValue(sample.coefficients, monomials, e * C);
  }
  return sumW / sumInverse;
}

/**
 * The training rows of benchmark i: the θ0 events and the θ_i events, each sample's weights
 * normalised to the same total (the mixture of eq. 11), with ALICE's soft label
 * r(z)/(1 + r(z)), r(z) = R(z|θ_i) σ0/σ(θ_i).
 */
export function aliceTrainingRows(reference: SimulatedSample, benchmark: SimulatedSample, monomials: ArrayLike<number>, crossSectionRatio: number, D: number): { x: Float64Array; labels: Float32Array; weights: Float64Array; ratios: Float64Array; count: number } {
  const C = monomials.length;
  const count = reference.count + benchmark.count;
  const x = new Float64Array(count * D);
  const labels = new Float32Array(count);
  const weights = new Float64Array(count);
  const ratios = new Float64Array(count);
  let row = 0;
  for (const sample of [reference, benchmark]) {
    let total = 0;
    for (let e = 0; e < sample.count; e++) total += sample.weights[e];
    for (let e = 0; e < sample.count; e++, row++) {
      x.set(sample.reco.subarray(e * D, (e + 1) * D), row * D);
      const r = polynomialValue(sample.coefficients, monomials, e * C) / crossSectionRatio;
      ratios[row] = r;
      labels[row] = r / (1 + r);
      weights[row] = sample.weights[e] / total;
    }
  }
  return { x, labels, weights, ratios, count };
}

/**
 * Seed 003 eq. 55 as a row loss on the raw output y = ln r̂: (r − e^y)² for the first
 * `referenceRows` rows (events at θ0), (1/r − e^−y)² for the others (events at θ_i).
 */
export function squaredRatioLoss(rows: { ratios: Float64Array; count: number }, referenceRows: number): RowLoss {
  const auxiliary = new Float32Array(rows.count * 2);
  for (let i = 0; i < rows.count; i++) {
    auxiliary[2 * i] = i < referenceRows ? 0 : 1;
    auxiliary[2 * i + 1] = rows.ratios[i];
  }
  return {
    outputs: 1,
    width: 2,
    auxiliary,
    apply: (raw, _targets, aux) =>
      tf.tidy(() => {
        const y = raw.reshape([-1]);
        const atBenchmark = aux.slice([0, 0], [-1, 1]).reshape([-1]);
        const r = aux.slice([0, 1], [-1, 1]).reshape([-1]);
        const reference = tf.square(tf.sub(r, tf.exp(y)));
        const benchmark = tf.square(tf.sub(tf.reciprocal(r), tf.exp(tf.neg(y))));
        return tf.add(tf.mul(tf.sub(1, atBenchmark), reference), tf.mul(atBenchmark, benchmark)) as tf.Tensor1D;
      }),
  };
}

function sameRows(a: ReturnType<typeof aliceTrainingRows>, b: ReturnType<typeof aliceTrainingRows>): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i++) if (a.labels[i] !== b.labels[i] || a.weights[i] !== b.weights[i]) return false;
  for (let i = 0; i < a.x.length; i++) if (a.x[i] !== b.x[i]) return false;
  return true;
}

/** Member m of each benchmark's ensemble side by side: one member of the frozen network. */
function stackMembers(ensembles: FrozenNetwork['members'][], m: number): FrozenNetwork['members'][number] {
  const nets = ensembles.map((e) => e[m].layers);
  const depth = nets[0].length;
  const layers = Array.from({ length: depth }, (_, l) => {
    const parts = nets.map((layersOf) => layersOf[l]);
    const inputs = l === 0 ? parts[0].inputs : parts.reduce((s, p) => s + p.inputs, 0);
    const outputs = parts.reduce((s, p) => s + p.outputs, 0);
    const kernel = new Float32Array(inputs * outputs);
    const bias = new Float32Array(outputs);
    let rowOffset = 0;
    let colOffset = 0;
    for (const part of parts) {
      for (let i = 0; i < part.inputs; i++) for (let j = 0; j < part.outputs; j++) kernel[(rowOffset + i) * outputs + colOffset + j] = part.kernel[i * part.outputs + j];
      bias.set(part.bias, colOffset);
      if (l > 0) rowOffset += part.inputs;
      colOffset += part.outputs;
    }
    return { inputs, outputs, kernel, bias, activation: parts[0].activation };
  });
  return { layers };
}

/** Trains one ensemble per benchmark after θ0 and freezes them into a network with a morphing head. */
export async function trainMorphingAware(simulator: Simulator, config: MorphingAwareConfig, onProgress?: (progress: MorphingAwareProgress) => void): Promise<MorphingAwareResult> {
  const P = simulator.parameters.length;
  const D = simulator.observables.length;
  const degree = simulator.degree;
  if (degree !== 2) throw new RangeError(`morphing-aware estimation is implemented for degree-2 weights, the simulator's are degree ${degree}`);
  const benchmarks = config.benchmarks ?? (P === 1 ? [[0], [-1], [1]] : undefined);
  if (!benchmarks) throw new RangeError('benchmarks are required for more than one parameter (axisBenchmarks gives a choice along the axes)');
  const m = morphing(P, degree, benchmarks);
  if (benchmarks[0].some((v) => v !== 0)) throw new RangeError('the first benchmark must be θ0 itself (all offsets 0)');
  const settings = {
    benchmarks: benchmarks.map((b) => [...b]),
    eventsPerBenchmark: config.eventsPerBenchmark,
    hidden: config.hidden ?? [64, 64, 64],
    activation: config.activation ?? 'swish',
    members: config.members ?? 4,
    epochs: config.epochs ?? 30,
    batchSize: config.batchSize ?? 1024,
    learningRate: config.learningRate ?? 1e-3,
    repulsionStrength: config.repulsionStrength ?? 1,
    commonRandomNumbers: config.commonRandomNumbers ?? true,
    loss: config.loss ?? 'alice',
    fisherWeightCap: config.fisherWeightCap === undefined ? 1e4 : config.fisherWeightCap,
    seed: config.seed,
  };
  const finalLearningRate = config.finalLearningRate ?? settings.learningRate;
  const theta0 = simulator.parameters.map((p) => p.reference);

  // common random numbers: every benchmark after θ0 is drawn from the same stream, and its ensemble starts from the same weights
  const common = settings.commonRandomNumbers;
  const samples = benchmarks.map((b, i) =>
    simulator.simulate({ events: settings.eventsPerBenchmark, theta: b.map((v, j) => theta0[j] + v), seed: deriveSeed(config.seed, !common ? `benchmark-${i}` : i === 0 ? 'reference-benchmark' : 'benchmarks') }),
  );
  const monomials = benchmarks.map((b) => evaluateMonomials(m.basis, b));
  const crossSectionRatios = samples.map((s, i) => (i === 0 ? 1 : crossSectionRatioFromSample(s, monomials[i])));

  // one input standardisation for all benchmarks: their networks are stacked into one
  const all = samples.reduce((n, s) => n + s.count, 0);
  const allX = new Float64Array(all * D);
  const allW = new Float64Array(all);
  let offset = 0;
  for (const s of samples) {
    allX.set(s.reco.subarray(0, s.count * D), offset * D);
    allW.set(s.weights.subarray(0, s.count), offset);
    offset += s.count;
  }
  const { mean, sd } = weightedScaling(allX, all, D, allW);

  const started = performance.now();
  const trained: TrainedMlp[] = [];
  const trainedRows: ReturnType<typeof aliceTrainingRows>[] = [];
  /** benchmark i → the earlier benchmark whose ensemble it reuses (identical training rows and seeds) */
  const reused: Record<number, number> = {};
  let trainingEvents = 0;
  try {
    for (let i = 1; i < benchmarks.length; i++) {
      const rows = aliceTrainingRows(samples[0], samples[i], monomials[i], crossSectionRatios[i], D);
      // with common random numbers, a benchmark whose rows equal an earlier one's (θ → −θ of a θ²-only model)
      // would train to the same networks bit for bit: take them instead of training again
      const same = common ? trainedRows.findIndex((r) => sameRows(r, rows)) : -1;
      trainedRows.push(rows);
      if (same >= 0) {
        reused[i] = same + 1;
        trained.push(trained[same]);
        onProgress?.({ benchmark: i, benchmarks: benchmarks.length - 1, epoch: settings.epochs, epochs: settings.epochs, loss: NaN, seconds: (performance.now() - started) / 1000 });
        continue;
      }
      trainingEvents += rows.count;
      trained.push(
        await trainMlp(
          rows.x,
          rows.count,
          D,
          rows.labels,
          rows.weights,
          'sigmoid',
          1,
          { ...settings, finalLearningRate, inputScaling: { mean, std: sd }, ...(settings.loss === 'squared-ratio' ? { rowLoss: squaredRatioLoss(rows, samples[0].count), fisherWeightCap: null } : {}), seed: deriveSeed(config.seed, common ? 'ensembles' : `ensemble-${i}`) },
          (epoch, loss) => onProgress?.({ benchmark: i, benchmarks: benchmarks.length - 1, epoch, epochs: settings.epochs, loss, seconds: (performance.now() - started) / 1000 }),
        ),
      );
    }
  } catch (e) {
    new Set(trained).forEach((t) => t.dispose());
    throw e;
  }
  const seconds = (performance.now() - started) / 1000;

  const ensembles = trained.map((t) => t.frozenMembers());
  const frozen = parseFrozenNetwork({
    format: 'frozen-mlp/1',
    inputs: D,
    outputs: m.count,
    inputScaling: trained[0].inputScaling,
    head: { kind: 'morphing', parameters: P, degree: 2, benchmarks: settings.benchmarks, crossSectionRatios },
    members: Array.from({ length: settings.members }, (_, k) => stackMembers(ensembles, k)),
  });

  const predict = (x: Float32Array | Float64Array, n: number) => {
    const logits = trained.map((t) => t.logits(x, n)); // [benchmark][member] → n values
    const R = benchmarks.length - 1;
    // member k's raw outputs, event-major: ln r̂_i of each benchmark after θ0
    const raw = Array.from({ length: settings.members }, (_, k) => {
      const z = new Float64Array(n * R);
      for (let e = 0; e < n; e++) for (let b = 0; b < R; b++) z[e * R + b] = logits[b][k][e];
      return z;
    });
    return morphedPrediction(frozen, raw, n);
  };
  return {
    frozen,
    morphing: m,
    crossSectionRatios,
    predict,
    seconds,
    eventsPerSecond: (trainingEvents * settings.epochs) / seconds,
    configuration: { ...settings, finalLearningRate, trainingEvents, conditionNumber: m.conditionNumber, reusedEnsembles: reused },
    dispose: () => new Set(trained).forEach((t) => t.dispose()),
  };
}
