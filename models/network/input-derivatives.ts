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
import { requireMlpFormat, type FrozenNetwork } from './frozen-network-schema.js';

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
  requireMlpFormat(net, 'input derivatives (evaluateWithInputDerivatives)');
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
  // Each unit carries C = 1 + P + Q channels side by side (value, tangents, second tangents), so
  // a layer is one product of its kernel with a (units × C) block: every weight is read once for
  // all channels, not once per channel.
  const C = 1 + P + Q;
  const W = p.maxWidth;
  const layers = p.members[member];

  let a = new Float64Array(W * C);
  let b = new Float64Array(W * C);
  const z = new Float64Array(C);
  const phi = new Float64Array(3);
  const outScale = p.outStd ? p.outStd[0] : 1;
  const outShift = p.outMean ? p.outMean[0] : 0;

  const value = new Float64Array(n);
  const gradient = order > 0 ? new Float64Array(n * P) : null;
  const hessian = order === 2 ? new Float64Array(n * P * P) : null;

  for (let e = 0; e < n; e++) {
    // the inputs and their tangents: ∂u_i/∂u_j = δ_ij / std_i, second tangents 0
    a.fill(0, 0, D * C);
    for (let i = 0; i < D; i++) a[i * C] = (x[e * D + i] - p.inMean[i]) / p.inStd[i];
    for (let j = 0; j < P; j++) a[inputs[j] * C + 1 + j] = 1 / p.inStd[inputs[j]];

    for (const layer of layers) {
      const { inputs: I, outputs: O, kernelT64: K, bias64: bias } = layer;
      for (let o = 0; o < O; o++) {
        const row = o * I;
        channelProduct(K, row, I, a, C, z);
        activationDerivatives(z[0] + bias[o], layer.act, layer.alpha, phi);
        const out = o * C;
        b[out] = phi[0];
        for (let j = 0; j < P; j++) b[out + 1 + j] = phi[1] * z[1 + j];
        for (let q = 0; q < Q; q++) b[out + 1 + P + q] = phi[2] * z[1 + pairJ[q]] * z[1 + pairK[q]] + phi[1] * z[1 + P + q];
      }
      const swap = a;
      a = b;
      b = swap;
    }

    value[e] = a[0] * outScale + outShift;
    for (let j = 0; j < P; j++) gradient![e * P + j] = a[1 + j] * outScale;
    for (let q = 0; q < Q; q++) {
      const j = pairJ[q];
      const k = pairK[q];
      const h = a[1 + P + q] * outScale;
      hessian![(e * P + j) * P + k] = h;
      hessian![(e * P + k) * P + j] = h;
    }
  }
  return { value, gradient, hessian };
}

/**
 * z_c = Σ_i K[row + i] a[i·C + c] for the C channels: unrolled for one parameter (C = 2 for the
 * gradient, 3 with the Hessian), where a loop over c would cost more than the products.
 */
function channelProduct(K: Float64Array, row: number, I: number, a: Float64Array, C: number, z: Float64Array): void {
  if (C === 3) {
    let z0 = 0, z1 = 0, z2 = 0;
    for (let i = 0, base = 0; i < I; i++, base += 3) {
      const k = K[row + i];
      z0 += a[base] * k;
      z1 += a[base + 1] * k;
      z2 += a[base + 2] * k;
    }
    (z[0] = z0), (z[1] = z1), (z[2] = z2);
  } else if (C === 2) {
    let z0 = 0, z1 = 0;
    for (let i = 0, base = 0; i < I; i++, base += 2) {
      const k = K[row + i];
      z0 += a[base] * k;
      z1 += a[base + 1] * k;
    }
    (z[0] = z0), (z[1] = z1);
  } else {
    z.fill(0, 0, C);
    for (let i = 0; i < I; i++) {
      const k = K[row + i];
      const base = i * C;
      for (let c = 0; c < C; c++) z[c] += a[base + c] * k;
    }
  }
}
