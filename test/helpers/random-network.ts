/** Random frozen networks for tests of the runtime and of the terms built on it. */
import { parseFrozenNetwork, type Activation, type FrozenNetwork, type NetworkHead } from '../../models/network/frozen-network.js';
import type { Random } from '../../models/random.js';

export function randomArray(random: Random, n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * random.normal();
  return a;
}

export function randomNetwork(random: Random, spec: { inputs: number; hidden: number[]; raw: number; outputs?: number; head: NetworkHead; activations: Activation[]; members?: number; outputScaling?: boolean; alpha?: number }): FrozenNetwork {
  const widths = [spec.inputs, ...spec.hidden, spec.raw];
  return parseFrozenNetwork({
    format: 'frozen-mlp/1',
    inputs: spec.inputs,
    outputs: spec.outputs ?? spec.raw,
    inputScaling: { mean: randomArray(random, spec.inputs, 1), std: Float32Array.from({ length: spec.inputs }, () => 0.5 + random.uniform()) },
    outputScaling: spec.outputScaling ? { mean: randomArray(random, spec.raw, 0.3), std: Float32Array.from({ length: spec.raw }, () => 0.5 + random.uniform()) } : undefined,
    head: spec.head,
    members: Array.from({ length: spec.members ?? 1 }, () => ({
      layers: widths.slice(1).map((outputs, l) => ({
        inputs: widths[l],
        outputs,
        kernel: randomArray(random, widths[l] * outputs, 1.2 / Math.sqrt(widths[l])),
        bias: randomArray(random, outputs, 0.3),
        activation: spec.activations[l],
        ...(spec.activations[l] === 'leaky-relu' && spec.alpha !== undefined ? { alpha: spec.alpha } : {}),
      })),
    })),
  });
}
