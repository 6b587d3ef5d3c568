/**
 * The training loop of derivative learning (derivative-learning.ts): Adam over all members'
 * weights with the learning rate decaying exponentially per epoch, the seeded minibatches of
 * each epoch, then the validation loss, the history entry and the progress report.
 */
import * as tf from '@tensorflow/tfjs';
import type { DerivativeLearningSettings, HistoryEntry, TrainingProgress } from './derivative-learning.js';
import { minibatches, type Minibatches, type PreparedTrainingData } from './derivative-learning-data.js';
import { batchLoss, validationLoss } from './derivative-learning-loss.js';
import type { Ensemble } from './derivative-learning-model.js';

/** The learning rate of epoch 1 … epochs: learningRate decaying exponentially to finalLearningRate. */
function learningRateOf(epoch: number, settings: DerivativeLearningSettings): number {
  const { epochs, learningRate, finalLearningRate } = settings;
  return epochs > 1 ? learningRate * Math.pow(finalLearningRate / learningRate, (epoch - 1) / (epochs - 1)) : learningRate;
}

/** One pass over the training rows in a new order, one optimizer step per batch; the event-weighted means of the data term and the repulsion. */
function trainEpoch(optimizer: tf.Optimizer, ensemble: Ensemble, settings: DerivativeLearningSettings, prepared: PreparedTrainingData, batches: Minibatches): { loss: number; repulsion: number } {
  const { D, N } = prepared;
  const C = settings.layout.size;
  batches.shuffle();
  let dataSum = 0;
  let repulsionSum = 0;
  let events = 0;
  for (let b = 0; b < batches.count; b++) {
    const B = batches.fill(b);
    let dataValue = 0;
    let repulsionValue = 0;
    const cost = tf.tidy(() => {
      const xs = tf.tensor2d(batches.x.subarray(0, B * D), [B, D]);
      const ys = tf.tensor2d(batches.y.subarray(0, B * C), [B, C]).matMul(ensemble.select);
      const ws = tf.tensor1d(batches.w.subarray(0, B));
      return optimizer.minimize(
        () => {
          const loss = batchLoss(ensemble, settings, N, { xs, ys, ws, B });
          dataValue = loss.data;
          repulsionValue = loss.repulsion;
          return loss.total;
        },
        true,
        ensemble.allVariables,
      ) as tf.Scalar;
    });
    cost.dispose();
    dataSum += dataValue * B;
    repulsionSum += repulsionValue * B;
    events += B;
  }
  return { loss: dataSum / events, repulsion: repulsionSum / events };
}

/**
 * Trains the ensemble's members for `settings.epochs` epochs; `onProgress` is called after
 * every epoch. Throws (and disposes of the model) when the loss diverges.
 */
export function trainEpochs(ensemble: Ensemble, prepared: PreparedTrainingData, settings: DerivativeLearningSettings, onProgress?: (progress: TrainingProgress) => void): { history: HistoryEntry[]; seconds: number } {
  const { epochs } = settings;
  const { N } = prepared;
  const optimizer = tf.train.adam(settings.learningRate);
  const batches = minibatches(prepared, settings.layout.size, settings.batchSize, settings.seed);
  const history: HistoryEntry[] = [];

  const t0 = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const lr = learningRateOf(epoch, settings);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const { loss, repulsion } = trainEpoch(optimizer, ensemble, settings, prepared, batches);
    const val = validationLoss(ensemble.model, prepared.validation);
    const seconds = (performance.now() - t0) / 1000;
    const entry: HistoryEntry = { epoch, loss, repulsion, validationLoss: val, learningRate: lr, seconds };
    history.push(entry);
    if (!Number.isFinite(entry.loss)) {
      optimizer.dispose();
      ensemble.model.dispose();
      throw new Error(`training diverged at epoch ${epoch}: loss ${entry.loss}`);
    }
    onProgress?.({ epoch, epochs, loss: entry.loss, repulsion: entry.repulsion, validationLoss: val, learningRate: lr, seconds, etaSeconds: (seconds / epoch) * (epochs - epoch), eventsPerSecond: (N * epoch) / seconds });
  }
  optimizer.dispose();
  return { history, seconds: (performance.now() - t0) / 1000 };
}
