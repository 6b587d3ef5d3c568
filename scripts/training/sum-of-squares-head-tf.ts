/**
 * The sum-of-squares head of models/basis/sum-of-squares.ts written in tf ops, for training
 * (derivative-learning.ts): the same packing and mapping, as constant matrices, so that only
 * 2-D matMuls and element-wise products are differentiated.
 */
import * as tf from '@tensorflow/tfjs';
import type { SumOfSquaresLayout } from '../../models/basis/sum-of-squares.js';

export interface HeadTensors {
  /** [R, T] and [R, T]: the factors L_ak and L_bk of every product term t = (a ≥ b, k ≤ b) taken from the raw outputs */
  left: tf.Tensor2D;
  right: tf.Tensor2D;
  /** [T]: the part of each factor that is the constant L_00 = 1 (fixReference), else 0 */
  leftFixed: tf.Tensor1D;
  rightFixed: tf.Tensor1D;
  /** [T, C]: term t adds w_ab (1 on the diagonal, 2 off it) to c_γ, γ = e_a + e_b */
  collect: tf.Tensor2D;
}

/**
 * The head as constant matrices: c = ((raw·S_L + s_L) ⊙ (raw·S_R + s_R)) · M, with one column
 * per product L_ak L_bk (a ≥ b ≥ k) of A_ab = Σ_k L_ak L_bk, so every step is a 2-D matMul
 * or element-wise (tf.gather's gradient needs UnsortedSegmentSum, which the wasm backend
 * lacks, and batched V×V matMuls are slow there).
 */
export function headTensors(layout: SumOfSquaresLayout): HeadTensors {
  const { halfSize: V, size: C, fixReference, rawSize: R, pairTarget, pairWeight } = layout;
  const terms: { a: number; b: number; k: number }[] = [];
  for (let a = 0; a < V; a++) for (let b = 0; b <= a; b++) for (let k = 0; k <= b; k++) terms.push({ a, b, k });
  const T = terms.length;
  const left = new Float32Array(R * T);
  const right = new Float32Array(R * T);
  const leftFixed = new Float32Array(T);
  const rightFixed = new Float32Array(T);
  const collect = new Float32Array(T * C);
  // packing of sum-of-squares.ts: L_ab (b ≤ a) at a(a+1)/2 + b, minus 1 with fixReference (L_00 = 1)
  const put = (m: Float32Array, fixedVector: Float32Array, a: number, b: number, t: number) => {
    const p = (a * (a + 1)) / 2 + b;
    if (fixReference && p === 0) fixedVector[t] = 1;
    else m[(fixReference ? p - 1 : p) * T + t] = 1;
  };
  terms.forEach(({ a, b, k }, t) => {
    put(left, leftFixed, a, k, t);
    put(right, rightFixed, b, k, t);
    const pair = (a * (a + 1)) / 2 + b;
    collect[t * C + pairTarget[pair]] = pairWeight[pair];
  });
  return {
    left: tf.keep(tf.tensor2d(left, [R, T])),
    right: tf.keep(tf.tensor2d(right, [R, T])),
    leftFixed: tf.keep(tf.tensor1d(leftFixed)),
    rightFixed: tf.keep(tf.tensor1d(rightFixed)),
    collect: tf.keep(tf.tensor2d(collect, [T, C])),
  };
}

/** c = coefficients of vᵀ L Lᵀ v from the scaled raw outputs [B, R] → [B, C] (sum-of-squares.ts's mapping). */
export function sumOfSquaresHead(head: HeadTensors, raw: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.matMul(raw, head.left).add(head.leftFixed);
    const v = tf.matMul(raw, head.right).add(head.rightFixed);
    return tf.matMul(u.mul(v) as tf.Tensor2D, head.collect);
  });
}

/**
 * The tf head on its own: the coefficients (n × C) of the scaled raw outputs `raw` (n × R),
 * computed with the same tf ops as in training (for checks against sum-of-squares.ts).
 */
export function sumOfSquaresHeadTf(layout: SumOfSquaresLayout, raw: Float32Array, n: number): Float32Array {
  const head = headTensors(layout);
  try {
    return tf.tidy(() => sumOfSquaresHead(head, tf.tensor2d(raw, [n, layout.rawSize])).dataSync() as Float32Array);
  } finally {
    for (const t of Object.values(head)) t.dispose();
  }
}
