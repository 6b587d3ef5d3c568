/**
 * The SIMD kernel the Workers bundle imports precompiled (functions/dense-kernel.wasm, issue 21
 * item 5): the committed file is exactly what the generator writes, and a runtime given the
 * module (as functions/worker.ts gives it) evaluates on it, bit for bit as the TypeScript loops.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { denseKernelBytes, useDenseModule } from '../../../models/network/dense-simd.js';
import { evaluateNetwork, networkBackend, setNetworkBackend } from '../../../models/network/frozen-network.js';
import { createRandom } from '../../../models/random.js';
import { DENSE_KERNEL_FILE } from '../../../scripts/build/dense-kernel.js';
import { randomNetwork } from '../../helpers/random-network.js';

afterEach(() => {
  setNetworkBackend('auto');
});

describe('the precompiled SIMD kernel', () => {
  it('is the generator’s output byte for byte (npm run build:wasm after changing the kernel)', () => {
    expect(Buffer.from(readFileSync(DENSE_KERNEL_FILE)).equals(Buffer.from(denseKernelBytes()))).toBe(true);
  });

  it('runs the networks when given as a module, with the TypeScript loops’ numbers', () => {
    const module = new WebAssembly.Module(readFileSync(DENSE_KERNEL_FILE));
    expect(useDenseModule(module)).toBe(true);
    expect(networkBackend()).toBe('wasm-simd');
    const random = createRandom(41);
    const net = randomNetwork(random, { inputs: 5, hidden: [24, 24], raw: 3, head: { kind: 'identity' }, activations: ['relu', 'swish', 'linear'], members: 1 });
    const x = Float64Array.from({ length: 300 * 5 }, () => random.normal());
    const simd = evaluateNetwork(net, 0, x, 300);
    setNetworkBackend('typescript');
    const loops = evaluateNetwork(net, 0, x, 300);
    expect(Array.from(simd)).toEqual(Array.from(loops));
  });
});
