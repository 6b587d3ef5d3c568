/**
 * Every kernel our training loops dispatch exists in @tensorflow/tfjs-backend-webgpu (issue 22).
 * The GPU itself is not needed: the backend package registers its kernels when imported, even
 * where no adapter lets it register the backend. Each trainer runs one tiny epoch on the cpu
 * backend under tf.profile, which names every kernel it ran (the backward passes and Adam's
 * updates included), and the names are looked up in the webgpu kernel registry. A kernel
 * missing there would fail training on a GPU at its first step; here it fails this test.
 */
import { describe, expect, it } from 'vitest';
import { gaussian2d } from '../../../scripts/srgn/gaussian-examples.js';
import { trainDctr } from '../../../scripts/srgn/dctr.js';
import { twoGaussianSimulator } from '../../../scripts/simulators/two-gaussian.js';
import { selectBackend } from '../../../scripts/training/backend.js';
import { trainDerivativeLearning } from '../../../scripts/training/derivative-learning.js';
import { simulateWithFractionalSmearing } from '../../../scripts/training/fractional-smearing.js';
import { trainMorphingAware } from '../../../scripts/training/morphing-aware.js';
import { trainMorphingAwareJoint } from '../../../scripts/training/morphing-aware-joint.js';
import { trainParametrisedClassifier } from '../../../scripts/training/parametrised-classifier.js';
import { trainMlp } from '../../../scripts/training/weighted-mlp.js';

// an optional package: imported by a name the type checker does not resolve, and skipped where absent
const webgpuPackage: string = '@tensorflow/tfjs-backend-webgpu';
const webgpuInstalled = await import(/* @vite-ignore */ webgpuPackage).then(
  () => true,
  () => false,
);
const cpu = await selectBackend({ prefer: 'cpu', log: null });
const { tf } = cpu;
const TOY_SIGMA = [1, 0, 1];

/** The kernels `train` dispatches, by name. */
async function kernelsOf(train: () => unknown): Promise<Set<string>> {
  const profile = await tf.profile(async () => {
    const result = (await train()) as { model?: { dispose(): void }; dispose?: () => void } | undefined;
    result?.model?.dispose();
    result?.dispose?.();
    return tf.scalar(0);
  });
  return new Set(profile.kernelNames);
}

/**
 * The kernels among `names` that webgpu lacks. tf.profile also names custom-gradient
 * functions (tf.customGrad, fused ops' wrappers: 'fusedMatMul__op', a scope's name): they ran
 * on cpu without a cpu kernel of their name, and their own kernels are recorded separately.
 */
function missingOnWebgpu(names: Set<string>): string[] {
  const registered = (backend: string) => new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
  const onCpu = registered('cpu');
  const onWebgpu = registered('webgpu');
  return [...names].filter((k) => onCpu.has(k) && !onWebgpu.has(k)).sort();
}

describe.skipIf(!webgpuInstalled)('the training loops on tfjs-backend-webgpu: every kernel they dispatch is registered there', () => {
  const sim = twoGaussianSimulator({ alpha: 1.5 });

  it('the check can fail: a kernel webgpu lacks (Unique) is reported', async () => {
    const kernels = await kernelsOf(() => tf.tidy(() => tf.unique(tf.tensor1d([1, 2, 2])).values));
    expect(missingOnWebgpu(kernels)).toEqual(['Unique']);
  });

  const trainers: [string, () => unknown][] = [
    [
      'derivative learning: repulsive ensemble, sum-of-squares head, fractional-smearing weights',
      () => {
        const smeared = simulateWithFractionalSmearing(sim, { events: 600, seed: 1, threshold: 0.5 });
        const s = smeared.sample;
        return trainDerivativeLearning({ parameters: 1, degree: 2, members: 2, epochs: 1, batchSize: 256, hidden: [8, 8], seed: 1, repulsion: { kind: 'function' } }, { count: s.count, inputs: s.reco, targets: s.coefficients, weights: s.weights }, undefined, { backend: cpu });
      },
    ],
    ['morphing-aware (ALICE rows per benchmark, Fisher weights)', () => trainMorphingAware(sim, { eventsPerBenchmark: 500, members: 2, hidden: [8], epochs: 1, batchSize: 250, seed: 2 })],
    ['morphing-aware, MadMiner’s joint variant', () => trainMorphingAwareJoint(sim, { events: 500, thetaDraws: 10, crossSection: TOY_SIGMA, members: 2, hidden: [8], epochs: 1, batchSize: 250, seed: 3 })],
    ['CARL', () => trainParametrisedClassifier(sim, { method: 'carl', events: 500, thetaDraws: 10, crossSection: TOY_SIGMA, members: 2, hidden: [8], epochs: 1, batchSize: 250, seed: 4 })],
    ['ALICE', () => trainParametrisedClassifier(sim, { method: 'alice', events: 500, thetaDraws: 10, crossSection: TOY_SIGMA, members: 2, hidden: [8], epochs: 1, batchSize: 250, seed: 5 })],
    ['the weighted MLP (background classifiers, SRGN’s g)', () => trainMlp(Float64Array.from({ length: 400 }, (_, i) => Math.sin(i)), 200, 2, Float32Array.from({ length: 200 }, (_, i) => i % 2), new Float64Array(200).fill(1), 'sigmoid', 1, { hidden: [8], epochs: 1, batchSize: 100, learningRate: 1e-2, seed: 6 })],
    ['DCTR (swish)', () => trainDctr(gaussian2d, { events: 400, epochs: 1, hidden: [8], seed: 7 })],
  ];
  for (const [name, train] of trainers) {
    it(name, async () => {
      const kernels = await kernelsOf(train);
      // the backward pass ran: gradients of matmuls and activations are kernels of their own
      expect(kernels.size).toBeGreaterThan(5);
      expect([...kernels].some((k) => k === '_FusedMatMul' || k === 'BatchMatMul')).toBe(true);
      expect(missingOnWebgpu(kernels)).toEqual([]);
    });
  }
});
