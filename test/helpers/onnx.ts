/** Running exported ONNX models under onnxruntime-node (an independent runtime), for the parity tests. */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { morphedCoefficients, morphing, morphingCoefficientMatrix } from '../../models/basis/morphing.js';
import { evaluateEnsemble, type FrozenNetwork } from '../../models/network/frozen-network.js';

/** Runs the model on `feeds` (float64 data, cast to float32 for a float32 model); every output as Float64Array with its dims. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, { data: Float64Array; dims: number[] }>, precision: 'float64' | 'float32' = 'float64'): Promise<Record<string, { data: Float64Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, precision === 'float64' ? new ort.Tensor('float64', f.data, f.dims) : new ort.Tensor('float32', Float32Array.from(f.data), f.dims)]));
  const out = await session.run(inputs);
  return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, { data: Float64Array.from(t.data as Float64Array | Float32Array), dims: t.dims }]));
}

/** max |a − b| / max(1, |b|) */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

/**
 * A morphing head's ĉ = A r̂ before its positivity projection (seed 003 eq. 25), every member
 * ([K · n · C]) and their mean, from the runtime's raw outputs ln r̂_i: what the ONNX export gives.
 */
export function morphingBeforeProjection(net: FrozenNetwork, x: Float64Array, n: number): { members: Float64Array; mean: Float64Array } {
  const head = net.head;
  if (head.kind !== 'morphing') throw new Error('not a morphing head');
  const m = morphing(head.parameters, head.degree, head.benchmarks);
  const A = morphingCoefficientMatrix(m, head.crossSectionRatios);
  const B = m.count;
  const C = net.outputs;
  const K = net.members.length;
  const raw = evaluateEnsemble({ ...net, head: { kind: 'identity' }, outputs: B - 1 }, x, n).members;
  const members = new Float64Array(K * n * C);
  const mean = new Float64Array(n * C);
  const r = new Float64Array(B);
  const c = new Float64Array(C);
  raw.forEach((y, k) => {
    for (let e = 0; e < n; e++) {
      r[0] = 1;
      for (let j = 1; j < B; j++) r[j] = Math.exp(y[e * (B - 1) + j - 1]);
      morphedCoefficients(A, r, c);
      members.set(c, (k * n + e) * C);
      for (let q = 0; q < C; q++) mean[e * C + q] += c[q] / K;
    }
  });
  return { members, mean };
}
