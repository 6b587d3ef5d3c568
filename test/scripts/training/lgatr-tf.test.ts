import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { evaluateEnsemble } from '../../../models/network/frozen-network.js';
import { createRandom } from '../../../models/random.js';
import { selectBackend } from '../../../scripts/training/backend.js';
import { trainDerivativeLearning, type DerivativeLearningConfig } from '../../../scripts/training/derivative-learning.js';
import { freezeDerivativeLearning, freezeLgatrModel, freezeModel, parityCheck } from '../../../scripts/training/freeze.js';
import { createLgatrMember, freezeLgatr, lgatrInputScaling, resolveLgatr } from '../../../scripts/training/lgatr-tf.js';
import { equivarianceError, invariantMassToy, lgatrColumns, lgatrEvents, relativeChange } from '../../helpers/lgatr-events.js';

const backend = await selectBackend({ prefer: 'wasm', log: null });

const P = 3;
const E = 1;
const D = 4 * P + E;


describe('L-GATr in tfjs', () => {
  it('the frozen runtime reproduces the tfjs forward pass (parity < 1e-5)', () => {
    const arch = resolveLgatr({ kind: 'lgatr', ...lgatrColumns(P, E), momentumScale: 1 / 50, channels: 8, scalarChannels: 16, blocks: 2, heads: 2 }, D);
    const R = 3;
    const members = [0, 1].map((m) => createLgatrMember(arch, D, R, 100 + m));
    const scalarScaling = { mean: Float32Array.of(3), std: Float32Array.of(2) };
    const n = 64;
    const x = Float32Array.from(lgatrEvents(createRandom(5), n, P, E));
    const scaling = lgatrInputScaling(arch, D, scalarScaling);
    const tfOut = members.map((m) =>
      tf.tidy(() => m.apply(tf.tensor2d(x, [n, D]).sub(tf.tensor1d(scaling.mean)).div(tf.tensor1d(scaling.std)) as tf.Tensor2D).dataSync() as Float32Array),
    );
    const frozen = freezeLgatr(members, { inputs: D, outputs: R, head: { kind: 'identity' }, scalarScaling });
    const runtime = evaluateEnsemble(frozen, x, n);
    const diffs = members.map((_, m) => relativeChange(runtime.members[m], tfOut[m]));
    console.log('parity (max relative difference per member):', diffs.map((d) => d.toExponential(2)).join(', '));
    for (const d of diffs) expect(d).toBeLessThan(1e-5);
    for (const m of members) m.dispose();
  });

  it('derivative learning trains a repulsive L-GATr ensemble on an invariant-mass toy; frozen, it is invariant and matches tfjs', async () => {
    const data = invariantMassToy(1, 1200);
    const config: DerivativeLearningConfig = {
      parameters: 1,
      degree: 2,
      members: 2,
      batchSize: 256,
      learningRate: 3e-3,
      validationFraction: 0.2,
      seed: 3,
      architecture: { kind: 'lgatr', ...lgatrColumns(3, 1), momentumScale: 1 / 50, channels: 8, scalarChannels: 16, blocks: 2, heads: 2 },
    };
    // the initial validation loss: the same seed, one epoch at a negligible learning rate
    const initial = await trainDerivativeLearning({ ...config, epochs: 1, learningRate: 1e-12 }, data, undefined, { backend });
    const initialLoss = initial.history[0].validationLoss!;
    initial.model.dispose();
    const t0 = performance.now();
    const result = await trainDerivativeLearning({ ...config, epochs: 6 }, data, undefined, { backend });
    const seconds = (performance.now() - t0) / 1000;
    const finalLoss = result.history.at(-1)!.validationLoss!;
    console.log(`L-GATr training: validation loss ${initialLoss.toFixed(3)} → ${finalLoss.toFixed(3)} in ${seconds.toFixed(1)} s, ${result.eventsPerSecond.toFixed(0)} events/s (K = 2, ${backend.name})`);
    expect(finalLoss).toBeLessThan(0.5 * initialLoss);
    expect(result.configuration.architecture?.kind).toBe('lgatr');
    expect(result.model.members).toHaveLength(0);
    expect(() => freezeModel(result.model)).toThrow(/freezeLgatrModel/);

    const frozen = freezeLgatrModel(result.model);
    expect(freezeDerivativeLearning(result.model).format).toBe('frozen-lgatr/1');
    expect(frozen.head).toEqual({ kind: 'sum-of-squares', parameters: 1, degree: 2, fixReference: true });
    const n = 200;
    const x = data.inputs.subarray(0, n * 13);
    const parity = parityCheck({ inputs: 13, coefficients: 3, predict: (rows, count) => result.model.predict(rows, count) }, frozen, x, n);
    const equivariance = equivarianceError(frozen, Float64Array.from(Float32Array.from(x)), n, 5, 9);
    console.log(`trained L-GATr: parity ${parity.maxRelativeDifference.toExponential(2)}, equivariance error ${equivariance.toExponential(2)}`);
    // tfjs sums ⟨x, x⟩ of nearly light-like momenta in float32 (E² − p² cancels by ~100 for these
    // masses), which the multivector layer norm divides by: the trained network's figure sits at
    // ~1e-5 (1.02e-5 measured), the random one's at 2e-6 … 6e-6; the runtime itself is float64
    expect(parity.maxRelativeDifference).toBeLessThan(3e-5);
    expect(equivariance).toBeLessThan(1e-5);
    result.model.dispose();
  }, 90_000);
});
