/**
 * A frozen network's scalar output y(x) and its first and second derivatives with respect to
 * chosen inputs, exactly (forward mode): each layer carries its activations a, their
 * tangents ∂a/∂u_j and second tangents ∂²a/∂u_j∂u_k,
 *
 *     z = W a + b,   ∂z = W ∂a,   ∂²z = W ∂²a,
 *     a' = φ(z),     ∂a' = φ'(z) ∂z,   ∂²_jk a' = φ''(z) ∂_j z ∂_k z + φ'(z) ∂²_jk z.
 *
 * With P differentiated inputs this costs about 1 + P (+ P(P+1)/2 for the Hessian) forward
 * passes, which for the few parameters θ a parametrised ratio r̂(x|θ) takes is less than a
 * reverse pass would keep in memory. Computed in float64 in plain loops, per event: the value
 * agrees with `evaluateNetwork` to float64 rounding (a different summation order), not bit for bit.
 */
import { activationDerivatives } from './network-kernels.js';
import { Head, prepare } from './prepared-network.js';
import type { FrozenNetwork } from './frozen-network-schema.js';

export interface InputDerivatives {
  /** y per event (n) */
  value: Float64Array;
  /** ∂y/∂u_j per event, n × P (null for order 0) */
  gradient: Float64Array | null;
  /** ∂²y/∂u_j∂u_k per event, n × P × P, symmetric (null below order 2) */
  hessian: Float64Array | null;
}

/**
 * Member `member`'s scalar output on the n events x (n × inputs, row-major) and its
 * derivatives with respect to the inputs listed in `inputs` (their column indices), up to
 * `order`. The network must have one output and an identity head (a logit or a log-ratio);
 * output scaling is applied.
 */
export function evaluateWithInputDerivatives(net: FrozenNetwork, member: number, x: ArrayLike<number>, n: number, inputs: readonly number[], order: 0 | 1 | 2): InputDerivatives {
  const p = prepare(net);
  if (p.head !== Head.Identity || p.outputs !== 1) throw new RangeError('input derivatives need a network with one output and an identity head');
  if (!Number.isInteger(member) || member < 0 || member >= p.members.length) throw new RangeError(`member index ${member} out of range [0, ${p.members.length})`);
  const D = p.inputs;
  if (x.length < n * D) throw new RangeError(`expected ${n} × ${D} inputs, got ${x.length} values`);
  for (const i of inputs) if (!Number.isInteger(i) || i < 0 || i >= D) throw new RangeError(`input ${i} out of range [0, ${D})`);
  const P = order > 0 ? inputs.length : 0;
  const pairs: [number, number][] = [];
  if (order === 2) for (let j = 0; j < P; j++) for (let k = j; k < P; k++) pairs.push([j, k]);
  const Q = pairs.length;
  const pairJ = Int32Array.from(pairs, (p) => p[0]);
  const pairK = Int32Array.from(pairs, (p) => p[1]);
  const W = p.maxWidth;
  const layers = p.members[member];

  let a = new Float64Array(W);
  let da = new Float64Array(P * W);
  let d2a = new Float64Array(Q * W);
  let b = new Float64Array(W);
  let db = new Float64Array(P * W);
  let d2b = new Float64Array(Q * W);
  const phi = new Float64Array(3);
  const dz = new Float64Array(P);
  const outScale = p.outStd ? p.outStd[0] : 1;
  const outShift = p.outMean ? p.outMean[0] : 0;

  const value = new Float64Array(n);
  const gradient = order > 0 ? new Float64Array(n * P) : null;
  const hessian = order === 2 ? new Float64Array(n * P * P) : null;

  for (let e = 0; e < n; e++) {
    for (let i = 0; i < D; i++) a[i] = (x[e * D + i] - p.inMean[i]) / p.inStd[i];
    // the inputs' tangents: ∂u_i/∂u_j = δ_ij / std_i, second tangents 0
    for (let j = 0; j < P; j++) for (let i = 0; i < D; i++) da[j * W + i] = i === inputs[j] ? 1 / p.inStd[i] : 0;
    for (let q = 0; q < Q; q++) for (let i = 0; i < D; i++) d2a[q * W + i] = 0;

    for (const layer of layers) {
      const { inputs: I, outputs: O, kernelT64: K, bias64: bias } = layer;
      for (let o = 0; o < O; o++) {
        const row = o * I;
        let z = bias[o];
        for (let i = 0; i < I; i++) z += a[i] * K[row + i];
        activationDerivatives(z, layer.act, layer.alpha, phi);
        b[o] = phi[0];
        for (let j = 0; j < P; j++) {
          let t = 0;
          for (let i = 0; i < I; i++) t += da[j * W + i] * K[row + i];
          dz[j] = t;
          db[j * W + o] = phi[1] * t;
        }
        for (let q = 0; q < Q; q++) {
          let t = 0;
          for (let i = 0; i < I; i++) t += d2a[q * W + i] * K[row + i];
          d2b[q * W + o] = phi[2] * dz[pairJ[q]] * dz[pairK[q]] + phi[1] * t;
        }
      }
      // swap the buffers (no destructuring: it would allocate per layer and event)
      const t0 = a;
      a = b;
      b = t0;
      const t1 = da;
      da = db;
      db = t1;
      const t2 = d2a;
      d2a = d2b;
      d2b = t2;
    }

    value[e] = a[0] * outScale + outShift;
    for (let j = 0; j < P; j++) gradient![e * P + j] = da[j * W] * outScale;
    for (let q = 0; q < Q; q++) {
      const j = pairJ[q];
      const k = pairK[q];
      const h = d2a[q * W] * outScale;
      hessian![(e * P + j) * P + k] = h;
      hessian![(e * P + k) * P + j] = h;
    }
  }
  return { value, gradient, hessian };
}
