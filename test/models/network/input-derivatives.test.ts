import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, evaluateNetwork, type Activation } from '../../../models/network/frozen-network.js';
import { evaluateWithInputDerivatives } from '../../../models/network/input-derivatives.js';
import { createRandom } from '../../../models/random.js';
import { randomNetwork } from '../../helpers/random-network.js';

/** y of member 0 at one event, from the runtime's own forward pass. */
function outputAt(net: ReturnType<typeof randomNetwork>, row: Float64Array): number {
  return evaluateNetwork(net, 0, row, 1)[0];
}

describe('input derivatives through a frozen network (forward mode)', () => {
  // ReLU-type kinks make finite differences meaningless where a pre-activation crosses 0; their
  // second derivative is 0 everywhere else, which the smooth ones check nontrivially
  for (const activation of ACTIVATIONS) {
    it(`gives the value, gradient and Hessian of a ${activation} network, against central differences`, () => {
      const random = createRandom(101 + ACTIVATIONS.indexOf(activation));
      const D = 4;
      const net = randomNetwork(random, { inputs: D, hidden: [7, 5], raw: 1, head: { kind: 'identity' }, activations: [activation, activation, 'linear'] as Activation[], outputScaling: true });
      const inputs = [2, 3, 0];
      const n = 6;
      const x = Float64Array.from({ length: n * D }, () => random.normal());
      const got = evaluateWithInputDerivatives(net, 0, x, n, inputs, 2);
      const plain = evaluateNetwork(net, 0, x, n);
      const h = 1e-5;
      for (let e = 0; e < n; e++) {
        expect(got.value[e]).toBeCloseTo(plain[e], 12);
        const row = x.slice(e * D, (e + 1) * D);
        const scale = 1 + Math.abs(plain[e]);
        for (let j = 0; j < inputs.length; j++) {
          const up = row.slice();
          const down = row.slice();
          up[inputs[j]] += h;
          down[inputs[j]] -= h;
          const fd = (outputAt(net, up) - outputAt(net, down)) / (2 * h);
          expect(Math.abs(got.gradient![e * 3 + j] - fd)).toBeLessThan(1e-6 * scale);
          // the Hessian's row j against differences of the analytic gradient
          const gUp = evaluateWithInputDerivatives(net, 0, up, 1, inputs, 1).gradient!;
          const gDown = evaluateWithInputDerivatives(net, 0, down, 1, inputs, 1).gradient!;
          for (let k = 0; k < inputs.length; k++) {
            const fd2 = (gUp[k] - gDown[k]) / (2 * h);
            expect(Math.abs(got.hessian![(e * 3 + j) * 3 + k] - fd2)).toBeLessThan(1e-5 * scale);
            expect(got.hessian![(e * 3 + j) * 3 + k]).toBe(got.hessian![(e * 3 + k) * 3 + j]);
          }
        }
      }
    });
  }

  it('differentiates a linear network exactly: the gradient is the product of the kernels over the input scale', () => {
    const random = createRandom(7);
    const net = randomNetwork(random, { inputs: 3, hidden: [4], raw: 1, head: { kind: 'identity' }, activations: ['linear', 'linear'] });
    const [first, second] = net.members[0].layers;
    const got = evaluateWithInputDerivatives(net, 0, Float64Array.of(0.3, -1, 2), 1, [1], 2);
    let expected = 0;
    for (let j = 0; j < 4; j++) expected += first.kernel[1 * 4 + j] * second.kernel[j];
    expected /= net.inputScaling.std[1];
    expect(got.gradient![0]).toBeCloseTo(expected, 6);
    expect(got.hessian![0]).toBe(0);
  });

  it('refuses networks that are not scalar with an identity head, and bad arguments', () => {
    const random = createRandom(9);
    const sigmoid = randomNetwork(random, { inputs: 2, hidden: [3], raw: 1, head: { kind: 'sigmoid' }, activations: ['tanh', 'linear'] });
    expect(() => evaluateWithInputDerivatives(sigmoid, 0, new Float64Array(2), 1, [1], 1)).toThrow(/identity head/);
    const net = randomNetwork(random, { inputs: 2, hidden: [3], raw: 1, head: { kind: 'identity' }, activations: ['tanh', 'linear'] });
    expect(() => evaluateWithInputDerivatives(net, 1, new Float64Array(2), 1, [1], 1)).toThrow(/member index/);
    expect(() => evaluateWithInputDerivatives(net, 0, new Float64Array(2), 1, [2], 1)).toThrow(/input 2/);
    expect(() => evaluateWithInputDerivatives(net, 0, new Float64Array(1), 1, [1], 1)).toThrow(/inputs/);
  });
});
