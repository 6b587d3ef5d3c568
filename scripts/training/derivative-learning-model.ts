/**
 * The derivative-learning ensemble as a model (derivative-learning.ts): K seeded members
 * (dense layers, glorot-uniform, zero bias), the constant tensors of the scalings, the head
 * and the loss, ĉ(x) of a member during training and `predict` for the trained ensemble.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../simulators/types.js';
import type { DerivativeLearningModel, DerivativeLearningSettings, EnsemblePrediction, TrainableActivation } from './derivative-learning.js';
import type { PreparedTrainingData } from './derivative-learning-data.js';
import { createLgatrMember } from './lgatr-tf.js';
import { headTensors, sumOfSquaresHead } from './sum-of-squares-head-tf.js';

/** The model and what training needs of it besides. */
export interface Ensemble {
  model: DerivativeLearningModel;
  /** every member's trainable variables, and all of them */
  variables: tf.Variable[][];
  allVariables: tf.Variable[];
  /** ĉ of member m for standardised inputs [B, D] → [B, C] */
  memberCoefficients(m: number, xs: tf.Tensor2D): tf.Tensor2D;
  /** [C, T] selection of the trained coefficients (a matMul: tf.gather's gradient is missing on wasm) */
  select: tf.Tensor2D;
  /** [T]: 1/v_k and 1/√v_k of the trained coefficients */
  invVariance: tf.Tensor1D;
  invStd: tf.Tensor1D;
}

function buildMember(D: number, hidden: readonly number[], R: number, activation: TrainableActivation, seed: number): tf.Sequential {
  const model = tf.sequential();
  const widths = [...hidden, R];
  widths.forEach((units, l) => {
    model.add(
      tf.layers.dense({
        units,
        inputShape: l === 0 ? [D] : undefined,
        activation: l === widths.length - 1 ? 'linear' : activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, `kernel-${l}`) }),
        biasInitializer: 'zeros',
      }),
    );
  });
  return model;
}

/** The members (initialised from the seed) and the tensors that live as long as the model. */
export function createEnsemble(settings: DerivativeLearningSettings, prepared: PreparedTrainingData): Ensemble {
  const { layout, hidden, activation, members: K, seed } = settings;
  const { D, inMean, inStd, outputScaling, targetVariance, trained } = prepared;
  const C = layout.size;
  const R = layout.rawSize;

  // Tensors that live as long as the model.
  const head = headTensors(layout);
  // [C, T] selection of the trained coefficients (a matMul: tf.gather's gradient is missing on wasm)
  const selection = new Float32Array(C * trained.length);
  trained.forEach((k, t) => (selection[k * trained.length + t] = 1));
  const select = tf.keep(tf.tensor2d(selection, [C, trained.length]));
  const invVariance = tf.keep(tf.tensor1d(Float32Array.from(trained, (k) => 1 / targetVariance[k])));
  const invStd = tf.keep(tf.tensor1d(Float32Array.from(trained, (k) => 1 / Math.sqrt(targetVariance[k]))));
  const inMeanT = tf.keep(tf.tensor1d(inMean));
  const inStdT = tf.keep(tf.tensor1d(inStd));
  const outMeanT = tf.keep(tf.tensor1d(outputScaling.mean));
  const outStdT = tf.keep(tf.tensor1d(outputScaling.std));

  const { architecture } = settings;
  const members = architecture === 'mlp' ? Array.from({ length: K }, (_, m) => buildMember(D, hidden, R, activation, deriveSeed(seed, `member-${m}`))) : [];
  const lgatrMembers = architecture === 'mlp' ? [] : Array.from({ length: K }, (_, m) => createLgatrMember(architecture, D, R, deriveSeed(seed, `lgatr-member-${m}`)));
  const variables = architecture === 'mlp' ? members.map((model) => model.trainableWeights.map((w) => w.read() as tf.Variable)) : lgatrMembers.map((m) => [...m.variables]);
  /** raw outputs [B, R] of member m */
  const rawOf = (m: number, xs: tf.Tensor2D, training: boolean): tf.Tensor2D => (architecture === 'mlp' ? (members[m].apply(xs, { training }) as tf.Tensor2D) : lgatrMembers[m].apply(xs));

  const memberCoefficients = (m: number, xs: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const raw = rawOf(m, xs, true);
      return sumOfSquaresHead(head, raw.mul(outStdT).add(outMeanT) as tf.Tensor2D);
    });

  const predict = (x: Float32Array | Float64Array, count: number, predictBatch = 8192): EnsemblePrediction => {
    if (x.length < count * D) throw new RangeError(`expected ${count} × ${D} inputs, got ${x.length}`);
    const outs = Array.from({ length: K }, () => new Float32Array(count * C));
    for (let start = 0; start < count; start += predictBatch) {
      const nb = Math.min(predictBatch, count - start);
      const xb = x instanceof Float32Array ? x.subarray(start * D, (start + nb) * D) : Float32Array.from(x.subarray(start * D, (start + nb) * D));
      const results = tf.tidy(() => {
        const xs = tf.tensor2d(xb, [nb, D]).sub(inMeanT).div(inStdT) as tf.Tensor2D;
        return outs.map((_, m) => {
          const raw = rawOf(m, xs, false);
          return sumOfSquaresHead(head, raw.mul(outStdT).add(outMeanT) as tf.Tensor2D);
        });
      });
      results.forEach((t, m) => {
        outs[m].set(t.dataSync(), start * C);
        t.dispose();
      });
    }
    const mean = new Float64Array(count * C);
    for (const o of outs) for (let k = 0; k < mean.length; k++) mean[k] += o[k];
    for (let k = 0; k < mean.length; k++) mean[k] /= K;
    return { members: outs, mean };
  };

  const model: DerivativeLearningModel = {
    kind: 'derivative-learning',
    members,
    architecture,
    lgatrMembers,
    inputs: D,
    coefficients: C,
    layout,
    head: { kind: 'sum-of-squares', parameters: settings.parameters, degree: settings.degree, fixReference: settings.fixReference },
    inputScaling: { mean: inMean, std: inStd },
    outputScaling,
    targetVariance,
    trainedCoefficients: trained,
    hidden,
    activation,
    predict,
    dispose() {
      for (const m of members) m.dispose();
      for (const m of lgatrMembers) m.dispose();
      for (const t of [head.left, head.right, head.leftFixed, head.rightFixed, head.collect, select, invVariance, invStd, inMeanT, inStdT, outMeanT, outStdT]) t.dispose();
    },
  };
  return { model, variables, allVariables: variables.flat(), memberCoefficients, select, invVariance, invStd };
}
