import { describe, expect, it } from 'vitest';
import { decodeMessagePack, encodeMessagePack } from '../../../models/artifact/codec.js';
import { CoefficientSampleSchema } from '../../../models/artifact/components.js';
import { evaluateEnsemble, FrozenNetworkSchema, type FrozenNetwork } from '../../../models/network/frozen-network.js';
import { crossSectionFromReference } from '../../../models/terms/unbinned-polynomial.js';
import { twoGaussianSimulator } from '../../../scripts/simulators/two-gaussian.js';
import { selectBackend } from '../../../scripts/training/backend.js';
import { trainDerivativeLearning, type DerivativeLearningConfig, type TrainableActivation } from '../../../scripts/training/derivative-learning.js';
import { freezeModel, parityCheck, parityValidation } from '../../../scripts/training/freeze.js';
import { learnedReferenceSample, simulateLearnedReferenceSample } from '../../../scripts/training/reference-sample.js';

const backend = await selectBackend({ prefer: 'wasm', log: null });
const sim = twoGaussianSimulator({ alpha: 1.5 });
const train = sim.simulate({ events: 3000, seed: 31 });
const heldOut = sim.simulate({ events: 5000, theta: 0.8, seed: 32 }); // held out, drawn away from θ0 too
const config: DerivativeLearningConfig = { parameters: 1, degree: 2, members: 2, epochs: 2, batchSize: 256, seed: 9 };

describe('freeze: tfjs ensemble → frozen-mlp/1, reproduced by the TypeScript runtime', () => {
  it('writes a valid frozen network whose runtime ĉ equals tfjs on a held-out batch to < 1e-5 relative (the parity figure)', async () => {
    const { model } = await trainDerivativeLearning(config, { count: train.count, inputs: train.reco, targets: train.coefficients }, undefined, { backend });
    try {
      const frozen = freezeModel(model);
      expect(FrozenNetworkSchema.safeParse(frozen).success).toBe(true);
      expect(frozen).toMatchObject({ format: 'frozen-mlp/1', inputs: 1, outputs: 3, head: { kind: 'sum-of-squares', parameters: 1, degree: 2, fixReference: true } });
      expect(frozen.members).toHaveLength(2);
      expect(frozen.members[0].layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual([
        [1, 64, 'swish'],
        [64, 64, 'swish'],
        [64, 64, 'swish'],
        [64, 2, 'linear'],
      ]);
      expect(frozen.outputScaling!.mean).toEqual(model.outputScaling.mean);

      const parity = parityCheck(model, frozen, heldOut.reco, heldOut.count);
      console.log(`parity (runtime vs tfjs ${backend.name}, ${parity.events} held-out events, ${parity.precision}): max relative difference ${parity.maxRelativeDifference.toExponential(2)}, max absolute ${parity.maxAbsoluteDifference.toExponential(2)}`);
      expect(parity.maxRelativeDifference).toBeLessThan(1e-5);
      expect(parity.perMember).toHaveLength(2);
      expect(parity.worst.event).toBeGreaterThanOrEqual(-1);
      const record = parityValidation(parity, backend.name);
      expect(Object.values(record.closure)).toEqual([parity.maxRelativeDifference]);
      expect(record.note).toContain(backend.name);
      // float32 runtime arithmetic too
      expect(parityCheck(model, frozen, heldOut.reco, heldOut.count, { precision: 'float32' }).maxRelativeDifference).toBeLessThan(1e-5);

      // survives the artifact codec bit for bit
      const decoded = FrozenNetworkSchema.parse(decodeMessagePack(encodeMessagePack(frozen))) as FrozenNetwork;
      const x = Float32Array.from(heldOut.reco.subarray(0, 500));
      expect(evaluateEnsemble(decoded, x, 500).mean).toEqual(evaluateEnsemble(frozen, x, 500).mean);

      // the reference sample component: variants [mean, ...members], σ coefficients by eq. 34
      const reference = simulateLearnedReferenceSample(frozen, sim, 4000, 77);
      expect(CoefficientSampleSchema.safeParse(reference.sample).success).toBe(true);
      expect(reference.sample.variants).toHaveLength(3);
      expect(reference.sample.coefficients).toBe(3);
      expect(reference.crossSections).toHaveLength(3);
      for (const s of reference.crossSections) {
        expect(s[0]).toBe(1); // ĉ_0 = 1 for every event
        expect(s[2]).toBeGreaterThan(0);
      }
      const { members, mean } = evaluateEnsemble(frozen, reference.events, 4000);
      expect(reference.sample.variants[0]).toEqual(mean);
      expect(reference.sample.variants[2]).toEqual(members[1]);
      expect(reference.crossSections[0]).toEqual(crossSectionFromReference(mean, 4000, 3, null));
      // the mean's σ is the mean of the members' σ (both linear in ĉ)
      expect(Math.abs(reference.crossSections[0][2] - (reference.crossSections[1][2] + reference.crossSections[2][2]) / 2)).toBeLessThan(1e-12);
      const weighted = learnedReferenceSample(frozen, reference.events, 4000, new Float64Array(4000).fill(2));
      expect(weighted.crossSections[0]).toEqual(reference.crossSections[0]);
      expect(weighted.sample.weights).toBeDefined();
    } finally {
      model.dispose();
    }
  });

  it('parity holds for every trainable activation, on wasm and on cpu', async () => {
    const worst: Record<string, number> = {};
    for (const activation of ['relu', 'gelu', 'gelu_new', 'tanh', 'elu', 'selu', 'sigmoid', 'softplus'] as TrainableActivation[]) {
      const { model } = await trainDerivativeLearning({ ...config, members: 1, epochs: 1, hidden: [16, 16], activation }, { count: train.count, inputs: train.reco, targets: train.coefficients }, undefined, { backend });
      worst[activation] = parityCheck(model, freezeModel(model), heldOut.reco, 2000).maxRelativeDifference;
      model.dispose();
    }
    const cpu = await selectBackend({ prefer: 'cpu', log: null });
    const { model } = await trainDerivativeLearning({ ...config, epochs: 1, hidden: [32, 32] }, { count: train.count, inputs: train.reco, targets: train.coefficients }, undefined, { backend: cpu });
    worst['swish (cpu)'] = parityCheck(model, freezeModel(model), heldOut.reco, 2000).maxRelativeDifference;
    model.dispose();
    await selectBackend({ prefer: 'wasm', log: null });
    console.log(`parity per activation: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    for (const [name, value] of Object.entries(worst)) expect(value, name).toBeLessThan(1e-5);
  });
});
