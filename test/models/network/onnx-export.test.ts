/**
 * ONNX export (issue 25 item 5): every frozen network, evaluated by onnxruntime-node (an
 * independent runtime), gives the frozen runtime's outputs to 1e-6 on random inputs: every
 * activation, every head, ensembles on the member axis, both precisions, and the per-event
 * ln R̂(x|θ) of a polynomial term with a signal fraction.
 */
import { describe, expect, it } from 'vitest';
import { evaluateMonomials, monomialBasis } from '../../../models/basis/monomial-basis.js';
import { sumOfSquaresLayout } from '../../../models/basis/sum-of-squares.js';
import { ACTIVATIONS, evaluateEnsemble, type FrozenNetwork, type NetworkHead } from '../../../models/network/frozen-network.js';
import { networkToOnnx, type OnnxExportOptions } from '../../../models/network/onnx-export.js';
import { createRandom, type Random } from '../../../models/random.js';
import { maxDifference, morphingBeforeProjection, runOnnx } from '../../helpers/onnx.js';
import { randomNetwork } from '../../helpers/random-network.js';

const PRODUCER = { name: 'test', version: '0' };

/** n events spread over ±3 standard deviations of the network's input scaling */
function randomInputs(random: Random, net: FrozenNetwork, n: number): Float64Array {
  const x = new Float64Array(n * net.inputs);
  for (let e = 0; e < n; e++) for (let i = 0; i < net.inputs; i++) x[e * net.inputs + i] = net.inputScaling.mean[i] + 3 * net.inputScaling.std[i] * (2 * random.uniform() - 1);
  return x;
}

function options(net: FrozenNetwork, extra: Partial<OnnxExportOptions> = {}): OnnxExportOptions {
  return { inputNames: Array.from({ length: net.inputs }, (_, i) => `x${i}`), producer: PRODUCER, title: 'test network', ...extra };
}

/** The ONNX head outputs against evaluateEnsemble: every member and the mean. */
async function headParity(net: FrozenNetwork, random: Random, precision: 'float64' | 'float32' = 'float64'): Promise<number> {
  const n = 300;
  const x = randomInputs(random, net, n);
  const out = await runOnnx(networkToOnnx(net, options(net, { precision })), { x: { data: x, dims: [n, net.inputs] } }, precision);
  const ref = evaluateEnsemble(net, precision === 'float32' ? Float32Array.from(x) : x, n, { precision });
  const K = net.members.length;
  expect(out.members.dims).toEqual([K, n, net.outputs]);
  expect(out.mean.dims).toEqual([n, net.outputs]);
  let worst = maxDifference(out.mean.data, ref.mean);
  for (let m = 0; m < K; m++) worst = Math.max(worst, maxDifference(out.members.data.subarray(m * n * net.outputs, (m + 1) * n * net.outputs), ref.members[m]));
  return worst;
}

describe('networkToOnnx against the frozen runtime, under onnxruntime-node', () => {
  it('gives every activation to 1e-6 (float64), in a two-member ensemble with output scaling', async () => {
    const random = createRandom(251);
    for (const activation of ACTIVATIONS) {
      const net = randomNetwork(random, { inputs: 4, hidden: [12, 9], raw: 3, head: { kind: 'identity' }, activations: [activation, activation, 'linear'], members: 2, outputScaling: true, alpha: 0.15 });
      const worst = await headParity(net, random);
      // gelu's erf runs in float32 (onnxruntime has no double Erf), every other activation in double
      expect(worst, activation).toBeLessThan(activation === 'gelu' ? 1e-6 : 1e-12);
    }
  });

  it('gives the sigmoid, softmax and sum-of-squares heads (degrees 2 and 4, with and without a fixed reference) to 1e-12', async () => {
    const random = createRandom(252);
    const heads: { head: NetworkHead; raw: number; outputs: number }[] = [
      { head: { kind: 'sigmoid' }, raw: 1, outputs: 1 },
      { head: { kind: 'softmax' }, raw: 4, outputs: 4 },
    ];
    for (const [parameters, degree, fixReference] of [[1, 2, true], [3, 2, false], [2, 4, true]] as const) {
      const layout = sumOfSquaresLayout(parameters, degree, fixReference);
      heads.push({ head: { kind: 'sum-of-squares', parameters, degree, fixReference }, raw: layout.rawSize, outputs: layout.size });
    }
    for (const { head, raw, outputs } of heads) {
      const net = randomNetwork(random, { inputs: 3, hidden: [10], raw, outputs, head, activations: ['tanh', 'linear'], members: 3, outputScaling: head.kind !== 'softmax' });
      expect(await headParity(net, random), JSON.stringify(head)).toBeLessThan(1e-12);
    }
  });

  it('gives a morphing head’s ĉ = A r̂ (seed 003 eq. 25) made non-negative as the runtime does, also where the projection acts', async () => {
    const random = createRandom(253);
    const benchmarks = [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]];
    const head: NetworkHead = { kind: 'morphing', parameters: 2, degree: 2, benchmarks, crossSectionRatios: [1, 1.2, 0.9, 1.1, 1.3, 1.6] };
    const net = randomNetwork(random, { inputs: 2, hidden: [8], raw: 5, outputs: 6, head, activations: ['relu', 'linear'], members: 2 });
    const n = 400;
    const x = randomInputs(random, net, n);
    const expected = evaluateEnsemble(net, x, n);
    // the projection must act on some events, else this would not test it
    const unprojected = morphingBeforeProjection(net, x, n);
    let acted = 0;
    for (let e = 0; e < n; e++) if (unprojected.members.subarray(e * 6, e * 6 + 6).some((v, k) => Math.abs(v - expected.members[0][e * 6 + k]) > 1e-3)) acted++;
    expect(acted).toBeGreaterThan(n / 10);
    expect(acted).toBeLessThan(n);
    for (const precision of ['float64', 'float32'] as const) {
      const out = await runOnnx(networkToOnnx(net, options(net, { precision })), { x: { data: x, dims: [n, 2] } }, precision);
      expect(maxDifference(out.mean.data, expected.mean), precision).toBeLessThan(precision === 'float64' ? 1e-9 : 1e-4);
      expect(maxDifference(out.members.data.subarray(0, n * 6), expected.members[0]), precision).toBeLessThan(precision === 'float64' ? 1e-9 : 1e-4);
    }
  });

  it('in float32 uses the native operators and agrees to float32 rounding', async () => {
    const random = createRandom(254);
    for (const activation of ACTIVATIONS) {
      const net = randomNetwork(random, { inputs: 4, hidden: [12], raw: 2, head: { kind: 'identity' }, activations: [activation, 'linear'], members: 2, outputScaling: true });
      expect(await headParity(net, random, 'float32'), activation).toBeLessThan(1e-5);
    }
  });

  it('gives ln R̂(x|θ) = ln(f_s ĉ·m(θ − θ0) + 1 − f_s) for one θ row or one per event', async () => {
    const random = createRandom(255);
    const P = 2;
    const layout = sumOfSquaresLayout(P, 2, true);
    const ratioNet = randomNetwork(random, { inputs: 3, hidden: [10], raw: layout.rawSize, outputs: layout.size, head: { kind: 'sum-of-squares', parameters: P, degree: 2, fixReference: true }, activations: ['gelu_new', 'linear'], members: 3 });
    const fractionNet = randomNetwork(random, { inputs: 3, hidden: [6], raw: 1, head: { kind: 'sigmoid' }, activations: ['relu', 'linear'], members: 2 });
    const reference = [0.3, -0.2];
    const n = 100;
    const x = randomInputs(random, ratioNet, n);
    const thetas = Float64Array.from({ length: n * P }, () => 2 * random.uniform() - 1);
    const bytes = networkToOnnx(ratioNet, options(ratioNet, { output: 'log-ratio', polynomial: { parameters: ['a', 'b'], reference, degree: 2, signalFraction: fractionNet } }));

    const c = evaluateEnsemble(ratioNet, x, n);
    const f = evaluateEnsemble(fractionNet, x, n).mean;
    const basis = monomialBasis(P, 2);
    const expected = (coefficients: Float64Array, e: number, theta: ArrayLike<number>) => {
      const m = evaluateMonomials(basis, [theta[0] - reference[0], theta[1] - reference[1]]);
      let s = 0;
      for (let k = 0; k < basis.size; k++) s += coefficients[e * basis.size + k] * m[k];
      return Math.log(f[e] * s + 1 - f[e]);
    };
    const perEvent = await runOnnx(bytes, { x: { data: x, dims: [n, 3] }, theta: { data: thetas, dims: [n, P] } });
    const oneRow = await runOnnx(bytes, { x: { data: x, dims: [n, 3] }, theta: { data: thetas.slice(0, P), dims: [1, P] } });
    expect(perEvent.member_log_ratios.dims).toEqual([3, n]);
    const want = Float64Array.from({ length: n }, (_, e) => expected(c.mean, e, thetas.subarray(e * P)));
    const wantRow = Float64Array.from({ length: n }, (_, e) => expected(c.mean, e, thetas.subarray(0, P)));
    const wantMembers = Float64Array.from({ length: 3 * n }, (_, k) => expected(c.members[Math.floor(k / n)], k % n, thetas.subarray((k % n) * P)));
    expect(maxDifference(perEvent.log_ratio.data, want)).toBeLessThan(1e-12);
    expect(maxDifference(oneRow.log_ratio.data, wantRow)).toBeLessThan(1e-12);
    expect(maxDifference(perEvent.member_log_ratios.data, wantMembers)).toBeLessThan(1e-12);
  });

  it('refuses what it cannot express: a log ratio without its polynomial, wrong input names, a polynomial of another size', () => {
    const random = createRandom(256);
    const net = randomNetwork(random, { inputs: 2, hidden: [4], raw: 1, head: { kind: 'sigmoid' }, activations: ['relu', 'linear'] });
    expect(() => networkToOnnx(net, options(net, { output: 'log-ratio' }))).toThrow(/polynomial/);
    expect(() => networkToOnnx(net, { ...options(net), inputNames: ['only-one'] })).toThrow(/2 inputs/);
    expect(() => networkToOnnx(net, options(net, { output: 'log-ratio', polynomial: { parameters: ['a'], reference: [0], degree: 2 } }))).toThrow(/coefficients/);
  });
});
