/**
 * The repulsive-ensemble term of derivative learning (seed 003 app. A; D'Angelo & Fortuin,
 * arXiv:2106.11642; see "Repulsion space" in derivative-learning.ts): the members' vectors f_i
 * in function or weight space, and (λ/N) Σ_i log Σ_j κ(f_i, sg[f_j]) with the RBF kernel and
 * the median heuristic.
 */
import * as tf from '@tensorflow/tfjs';
import type { RepulsionKind } from './derivative-learning.js';

/** A zero-gradient identity: tf has no stopGradient. */
export const stopGradient = tf.customGrad((...args) => ({ value: (args[0] as tf.Tensor).clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/**
 * The members' vectors f_i, [K, ·]: for 'function' each member's standardised trained
 * outputs on the batch (`outputs`, [B, T] each, times `invStd`), flattened; for 'weight' all
 * of its weights, flattened.
 */
export function repulsionVectors(kind: Exclude<RepulsionKind, 'none'>, outputs: tf.Tensor[], variables: tf.Variable[][], invStd: tf.Tensor1D, B: number, T: number): tf.Tensor {
  return kind === 'function'
    ? tf.stack(outputs.map((o) => o.mul(invStd).reshape([B * T])))
    : tf.stack(variables.map((vs) => tf.concat(vs.map((v) => v.reshape([-1])))));
}

/**
 * The repulsion (λ/N) Σ_i log Σ_j κ(f_i, sg f_j) of the K members' vectors F, with
 * κ(f, f') = exp(−‖f − f'‖²/h), h = med²/log K (a constant of the step), and its value per
 * member (λ = `strength`, N the training events).
 */
export function repulsionTerm(F: tf.Tensor, K: number, strength: number, N: number): { term: tf.Scalar; value: number } {
  const Fd = stopGradient(F);
  // squared distances ‖f_i − sg f_j‖², [K, K]
  const D2 = F.expandDims(1).sub(Fd.expandDims(0)).square().sum(2);
  const d2 = D2.dataSync();
  const off: number[] = [];
  for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) off.push(d2[i * K + j]);
  const h = Math.max(median(off) / Math.log(K), 1e-30);
  const logKde = D2.div(-h).exp().sum(1).log(); // [K]: log Σ_j κ(f_i, sg f_j)
  const term = logKde.sum().mul(strength / N) as tf.Scalar;
  return { term, value: term.dataSync()[0] / K };
}
