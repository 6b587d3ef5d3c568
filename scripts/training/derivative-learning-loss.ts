/**
 * The loss of derivative learning (see the module comment of derivative-learning.ts): on a
 * batch, Σ_i ℓ_i over the members (data term, repulsion, optional prior) as one tf scalar to
 * minimise; on the held-out events, the mean data loss of the trained ensemble.
 */
import * as tf from '@tensorflow/tfjs';
import type { DerivativeLearningModel, DerivativeLearningSettings } from './derivative-learning.js';
import type { PreparedTrainingData } from './derivative-learning-data.js';
import type { Ensemble } from './derivative-learning-model.js';
import { repulsionTerm, repulsionVectors, stopGradient } from './repulsive-ensemble.js';

/** A batch's loss to minimise, and the parts to report: the data term and the repulsion, each the mean over members. */
export interface BatchLoss {
  total: tf.Scalar;
  data: number;
  repulsion: number;
}

/**
 * Σ_i ℓ_i on one batch of B events: standardised inputs xs [B, D], the trained targets ys
 * [B, T] (the targets times `ensemble.select`) and weights ws [B]; N is the number of training
 * events. To be called inside the optimizer's minimize (tf tracks the ops for the gradient).
 */
export function batchLoss(ensemble: Ensemble, settings: DerivativeLearningSettings, N: number, batch: { xs: tf.Tensor2D; ys: tf.Tensor; ws: tf.Tensor1D; B: number }): BatchLoss {
  const { model, memberCoefficients, select, invVariance, invStd, variables, allVariables } = ensemble;
  const { members: K, repulsionKind, strength, priorStd } = settings;
  const { xs, ys, ws, B } = batch;
  const T = model.trainedCoefficients.length;
  const outputs = Array.from({ length: K }, (_, m) => memberCoefficients(m, xs).matMul(select));
  // data term per member: (1/B) Σ_b w_b ½ Σ_k (ĉ − c)²/v_k, or with the relative weighting
  // 1/(sg[ĉ_k(x)]² + f² v_k): a weight that depends on x alone keeps the minimum at E[c|x]
  const { relativeFloor } = settings;
  const dataTerms = outputs.map((o) => {
    const weight = relativeFloor === null ? invVariance : tf.onesLike(o).div((stopGradient(o) as tf.Tensor).square().add(invVariance.reciprocal().mul(relativeFloor * relativeFloor)));
    return o.sub(ys).square().mul(weight).sum(1).mul(ws).mean().mul(0.5);
  });
  let total = tf.addN(dataTerms) as tf.Scalar;
  const dataMean = total.div(K);
  const data = dataMean.dataSync()[0];
  let repulsion = 0;
  if (repulsionKind !== 'none' && strength > 0) {
    const F = repulsionVectors(repulsionKind, outputs, variables, invStd, B, T);
    const term = repulsionTerm(F, K, strength, N);
    repulsion = term.value;
    total = total.add(term.term);
  }
  if (priorStd !== null) {
    const prior = tf.addN(allVariables.map((v) => v.square().sum())).mul(1 / (2 * priorStd * priorStd * N));
    total = total.add(prior);
  }
  return { total, data, repulsion };
}

/** The mean over members of the weighted data loss on the validation events (null without any). */
export function validationLoss(model: DerivativeLearningModel, validation: PreparedTrainingData['validation']): number | null {
  const { count: nValidation, x: xVal, y: yVal, w: wVal } = validation;
  const { coefficients: C, trainedCoefficients: trained, targetVariance } = model;
  if (nValidation === 0) return null;
  const { members: outs } = model.predict(xVal, nValidation);
  const K = outs.length;
  let total = 0;
  let wv = 0;
  for (let r = 0; r < nValidation; r++) wv += wVal[r];
  for (const o of outs) {
    let s = 0;
    for (let r = 0; r < nValidation; r++) {
      let e = 0;
      for (const k of trained) e += (o[r * C + k] - yVal[r * C + k]) ** 2 / targetVariance[k];
      s += wVal[r] * 0.5 * e;
    }
    total += s / wv;
  }
  return total / K;
}
