/**
 * Morphing-aware estimation, MadMiner's variant (seed 003 sec. 2.1 and 3.1, fig. 3; the
 * variant (b) of issue 16): one network set outputs the benchmark ratios ln r̂_i(x) after θ0,
 * and the morphing combines them at a θ drawn from the prior, row by row,
 *
 *     r̂(x|θ) = R̂(x|θ) σ0/σ(θ),   R̂(x|θ) = Σ_i w_i(θ) (σ(θ_i)/σ0) r̂_i(x)   (eq. 20-24, r̂_0 = 1),
 *
 * trained with ALICE's loss (eq. 11) on the logit ln r̂(x|θ): the rows of the ALICE classifier
 * (parametrised-classifier.ts), events at θ ~ q(θ), the standard normal (the seed's prior), and as
 * many at θ0, with soft labels r(z|θ, θ0)/(1 + r(z|θ, θ0)). So it differs from ALICE in how θ
 * enters (and in lacking its Fisher weighting, which needs the logit the row loss hides). Not the seed's regression (eq. 17): as printed it regresses r on events at θ, which
 * converges to E_θ[r(z)|x], which exceeds r(x|θ, θ0) (Jensen) wherever events of different r mix
 * at one x; MadMiner's two-sample form (r on events at θ0, 1/r on events at θ) diverged in our trial
 * at α = 3, 1/r̂ exploding where the morphed r̂ crosses 0.
 * Unlike variant (a), the benchmarks' ratios are never learned one by one: only their morphed
 * combination meets the data, and the morphing weights w_i(θ) change sign across θ.
 *
 * It freezes into the same network with a morphing head as variant (a), so the polynomial term
 * serves it with R̂ ≥ 0 for every θ; σ(θ_i)/σ0 are the given cross-section polynomial's.
 */
import * as tf from '@tensorflow/tfjs';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { morphing, morphingWeights } from '../../models/basis/morphing.js';
import { morphingHead, parseFrozenNetwork, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { prepare } from '../../models/network/prepared-network.js';
import { deriveSeed, type Simulator } from '../simulators/types.js';
import { parametrisedTrainingRows, priorSettings, type ParametrisedClassifierConfig } from './parametrised-classifier.js';
import type { MorphedEnsemble } from './morphing-aware.js';
import { trainMlp, type RowLoss } from './weighted-mlp.js';

/** ALICE's settings (events at θ from the prior and as many at θ0, the network), and the benchmarks. */
export interface MorphingAwareJointConfig extends Omit<ParametrisedClassifierConfig, 'method' | 'fisherWeightCap'> {
  /** the benchmarks as offsets from θ0, θ0 first (default θ0, θ0 ± 1 for one parameter) */
  benchmarks?: number[][];
}

export interface MorphingAwareJointResult extends MorphedEnsemble {
  configuration: Record<string, unknown> & { epochs: number; members: number; trainingEvents: number; conditionNumber: number };
}

/** ĉ per member and their mean, from each member's raw outputs (n × (B − 1), ln r̂_i) through the morphing head. */
export function morphedPrediction(frozen: FrozenNetwork, raw: readonly ArrayLike<number>[], n: number): { members: Float64Array[]; mean: Float64Array } {
  const head = prepare(frozen).morphing!;
  const C = frozen.outputs;
  const R = head.ratios.length - 1;
  const y = new Float64Array(R);
  const c = new Float64Array(C);
  const members = raw.map((z) => {
    const out = new Float64Array(n * C);
    for (let e = 0; e < n; e++) {
      for (let b = 0; b < R; b++) y[b] = z[e * R + b];
      morphingHead(head, y, R, c);
      out.set(c, e * C);
    }
    return out;
  });
  const mean = new Float64Array(n * C);
  for (const out of members) for (let q = 0; q < mean.length; q++) mean[q] += out[q] / members.length;
  return { members, mean };
}

export async function trainMorphingAwareJoint(simulator: Simulator, config: MorphingAwareJointConfig, onEpoch?: (epoch: number, epochs: number, loss: number) => void): Promise<MorphingAwareJointResult> {
  const P = simulator.parameters.length;
  const D = simulator.observables.length;
  if (simulator.degree !== 2) throw new RangeError(`morphing-aware estimation is implemented for degree-2 weights, the simulator's are degree ${simulator.degree}`);
  const benchmarks = config.benchmarks ?? (P === 1 ? [[0], [-1], [1]] : undefined);
  if (!benchmarks) throw new RangeError('benchmarks are required for more than one parameter (axisBenchmarks gives a choice along the axes)');
  const m = morphing(P, 2, benchmarks);
  const B = m.count;
  const settings = { benchmarks: benchmarks.map((b) => [...b]), ...priorSettings(simulator, config) };
  const finalLearningRate = config.finalLearningRate ?? settings.learningRate;
  const sigmaRatio = (dtheta: ArrayLike<number>) => polynomialValue(config.crossSection, evaluateMonomials(simulator.basis, dtheta));
  const crossSectionRatios = benchmarks.map((b) => sigmaRatio(b));
  const theta0 = simulator.parameters.map((p) => p.reference);

  // ALICE's rows (x, θ) with soft labels; per row the morphing factors a_i = w_i(θ) (σ(θ_i)/σ0) σ0/σ(θ)
  const rows = parametrisedTrainingRows(simulator, { method: 'alice', events: settings.events, prior: settings.prior, thetaDraws: settings.thetaDraws, crossSection: config.crossSection, seed: config.seed });
  const count = rows.count;
  const W = D + P;
  const x = new Float64Array(count * D);
  const auxiliary = new Float32Array(count * B);
  const w = new Float64Array(B);
  const dtheta = new Float64Array(P);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < D; k++) x[i * D + k] = rows.x[i * W + k];
    for (let j = 0; j < P; j++) dtheta[j] = rows.x[i * W + D + j] - theta0[j];
    const sm = sigmaRatio(dtheta);
    morphingWeights(m, dtheta, w);
    for (let b = 0; b < B; b++) auxiliary[i * B + b] = (w[b] * crossSectionRatios[b]) / sm;
  }

  const rowLoss: RowLoss = {
    outputs: B - 1,
    width: B,
    auxiliary,
    apply: (raw, y, a) =>
      tf.tidy(() => {
        // r̂ = a_0 + Σ_i a_i e^{y_i} (e^{y} capped where float32 would overflow), its logit ln r̂ (r̂ floored: the
        // morphed sum can cross 0 where weights are negative), then cross entropy as trainMlp's, soft labels y
        const ratios = tf.exp(tf.minimum(raw, 80));
        const rHat = tf.add(a.slice([0, 0], [-1, 1]), tf.sum(tf.mul(a.slice([0, 1], [-1, B - 1]), ratios), 1, true));
        const z = tf.log(tf.maximum(rHat, 1e-6));
        return tf.sum(tf.add(tf.sub(tf.relu(z), tf.mul(y, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), 1) as tf.Tensor1D;
      }),
  };
  const started = performance.now();
  const trained = await trainMlp(x, count, D, rows.labels, rows.weights, 'sigmoid', 1, { ...settings, finalLearningRate, rowLoss, seed: deriveSeed(config.seed, 'ensemble') }, (epoch, loss) => onEpoch?.(epoch, settings.epochs, loss));
  const seconds = (performance.now() - started) / 1000;
  const frozen = parseFrozenNetwork({
    format: 'frozen-mlp/1',
    inputs: D,
    outputs: m.count,
    inputScaling: trained.inputScaling,
    head: { kind: 'morphing', parameters: P, degree: 2, benchmarks: settings.benchmarks, crossSectionRatios },
    members: trained.frozenMembers(),
  });
  return {
    frozen,
    morphing: m,
    crossSectionRatios,
    predict: (rows, n) => morphedPrediction(frozen, trained.logits(rows, n), n),
    seconds,
    eventsPerSecond: (count * settings.epochs) / seconds,
    configuration: { ...settings, finalLearningRate, trainingEvents: count, conditionNumber: m.conditionNumber },
    dispose: () => trained.dispose(),
  };
}
