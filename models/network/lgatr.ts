/**
 * The L-GATr runtime: evaluates a frozen 'frozen-lgatr/1' member (frozen-lgatr-schema.ts,
 * where the forward pass is defined) over typed arrays with plain indexed loops, in float64
 * (weights and inputs are the published float32 values), without tfjs, in Node and Workers.
 * `frozen-network.ts` calls `lgatrRawOutputs` per block of events and applies the head.
 *
 * Layout of one event: multivectors (t·C + c)·16 + i (token t, channel c, component i of
 * spacetime-algebra.ts), scalars t·S + s. Scratch is module-level and grows on demand: nothing
 * here awaits, so one evaluation runs at a time per isolate.
 */
import type { FrozenLgatr } from './frozen-network-schema.js';
import { lgatrShapes, type LgatrLinear, type LgatrMember, type LinearShape } from './frozen-lgatr-schema.js';
import { GP_INDEX, GP_SIGN, GRADE, INNER_SIGN, PSEUDO_INDEX, PSEUDO_SIGN } from './spacetime-algebra.js';

/** layer-norm ε of multivectors and scalars (frozen-lgatr-schema.ts) */
export const LGATR_EPSILON = 1e-6;
const GELU_C = Math.sqrt(2 / Math.PI);

/** the tanh form of GELU, as lgatr-tf.ts computes it */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

/** for each component i of e0123·x: the source component j and its sign, (e0123 x)_i = sign·x_j */
const PSEUDO_SOURCE = new Int8Array(16);
const PSEUDO_SOURCE_SIGN = new Int8Array(16);
for (let j = 0; j < 16; j++) {
  PSEUDO_SOURCE[PSEUDO_INDEX[j]] = j;
  PSEUDO_SOURCE_SIGN[PSEUDO_INDEX[j]] = PSEUDO_SIGN[j];
}

/** y = the equivariant linear map (frozen-lgatr-schema.ts) of T tokens' multivectors xm and scalars xs */
export function equivariantLinear(w: LgatrLinear, s: LinearShape, T: number, xm: Float64Array, xs: Float64Array, ym: Float64Array, ys: Float64Array): void {
  const { cin, sin, cout, sout } = s;
  for (let t = 0; t < T; t++) {
    const xmt = t * cin * 16;
    const xst = t * sin;
    for (let co = 0; co < cout; co++) {
      const yo = (t * cout + co) * 16;
      for (let i = 0; i < 16; i++) {
        const g = GRADE[i];
        const j = PSEUDO_SOURCE[i];
        const sign = PSEUDO_SOURCE_SIGN[i];
        let acc = 0;
        for (let ci = 0; ci < cin; ci++) {
          const xo = xmt + ci * 16;
          acc += w.grade[(g * cin + ci) * cout + co] * xm[xo + i] + sign * w.pseudo[((4 - g) * cin + ci) * cout + co] * xm[xo + j];
        }
        if (i === 0) {
          acc += w.multivectorBias[co];
          for (let si = 0; si < sin; si++) acc += w.scalarToMultivector[si * cout + co] * xs[xst + si];
        }
        ym[yo + i] = acc;
      }
    }
    for (let so = 0; so < sout; so++) {
      let acc = w.scalarBias[so];
      for (let si = 0; si < sin; si++) acc += w.scalarToScalar[si * sout + so] * xs[xst + si];
      for (let ci = 0; ci < cin; ci++) {
        const xo = xmt + ci * 16;
        acc += w.multivectorToScalar[ci * sout + so] * xm[xo] + w.pseudoscalarToScalar[ci * sout + so] * xm[xo + 15];
      }
      ys[t * sout + so] = acc;
    }
  }
}

/** the equivariant layer norm of T tokens (C multivector, S scalar channels), x → y */
export function layerNorm(T: number, C: number, S: number, xm: Float64Array, xs: Float64Array, ym: Float64Array, ys: Float64Array): void {
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const o = (t * C + c) * 16;
      let ip = 0;
      for (let i = 0; i < 16; i++) ip += INNER_SIGN[i] * xm[o + i] * xm[o + i];
      sum += Math.abs(ip);
    }
    const inv = 1 / Math.sqrt(sum / C + LGATR_EPSILON);
    for (let k = t * C * 16; k < (t + 1) * C * 16; k++) ym[k] = xm[k] * inv;
    let mean = 0;
    for (let s = 0; s < S; s++) mean += xs[t * S + s];
    mean /= S;
    let variance = 0;
    for (let s = 0; s < S; s++) variance += (xs[t * S + s] - mean) ** 2;
    const sinv = 1 / Math.sqrt(variance / S + LGATR_EPSILON);
    for (let s = 0; s < S; s++) ys[t * S + s] = (xs[t * S + s] - mean) * sinv;
  }
}

/** multi-head attention over the T tokens with the invariant inner product; the result into om, os */
export function attention(T: number, C: number, S: number, heads: number, q: Float64Array, qs: Float64Array, k: Float64Array, ks: Float64Array, v: Float64Array, vs: Float64Array, om: Float64Array, os: Float64Array, logits: Float64Array): void {
  const Ch = C / heads;
  const Sh = S / heads;
  const scale = 1 / Math.sqrt(16 * Ch + Sh);
  for (let a = 0; a < heads; a++) {
    for (let t = 0; t < T; t++) {
      let max = -Infinity;
      for (let u = 0; u < T; u++) {
        let dot = 0;
        for (let c = a * Ch; c < (a + 1) * Ch; c++) {
          const qo = (t * C + c) * 16;
          const ko = (u * C + c) * 16;
          for (let i = 0; i < 16; i++) dot += INNER_SIGN[i] * q[qo + i] * k[ko + i];
        }
        for (let s = a * Sh; s < (a + 1) * Sh; s++) dot += qs[t * S + s] * ks[u * S + s];
        logits[u] = dot * scale;
        if (logits[u] > max) max = logits[u];
      }
      let sum = 0;
      for (let u = 0; u < T; u++) sum += logits[u] = Math.exp(logits[u] - max);
      for (let u = 0; u < T; u++) logits[u] /= sum;
      for (let c = a * Ch; c < (a + 1) * Ch; c++) {
        for (let i = 0; i < 16; i++) {
          let acc = 0;
          for (let u = 0; u < T; u++) acc += logits[u] * v[(u * C + c) * 16 + i];
          om[(t * C + c) * 16 + i] = acc;
        }
      }
      for (let s = a * Sh; s < (a + 1) * Sh; s++) {
        let acc = 0;
        for (let u = 0; u < T; u++) acc += logits[u] * vs[u * S + s];
        os[t * S + s] = acc;
      }
    }
  }
}

/** channel-wise geometric product z_c = x_c y_c of n = T·C multivectors */
export function geometricProducts(n: number, x: Float64Array, y: Float64Array, z: Float64Array): void {
  for (let m = 0; m < n; m++) {
    const o = m * 16;
    for (let k = 0; k < 16; k++) z[o + k] = 0;
    for (let i = 0; i < 16; i++) {
      const xi = x[o + i];
      for (let j = 0; j < 16; j++) z[o + GP_INDEX[16 * i + j]] += GP_SIGN[16 * i + j] * xi * y[o + j];
    }
  }
}

/** gated GELU in place: each multivector times gelu of its grade-0 component, gelu on the scalars */
export function gatedGelu(n: number, ns: number, xm: Float64Array, xs: Float64Array): void {
  for (let m = 0; m < n; m++) {
    const g = geluTanh(xm[m * 16]);
    for (let i = 0; i < 16; i++) xm[m * 16 + i] *= g;
  }
  for (let s = 0; s < ns; s++) xs[s] = geluTanh(xs[s]);
}

let scratch: Float64Array[] = [];
let scratchSize = 0;

function buffers(size: number): Float64Array[] {
  if (size > scratchSize) {
    scratch = Array.from({ length: 14 }, () => new Float64Array(size));
    scratchSize = size;
  }
  return scratch;
}

/** the embedding of event x (row `row` of D inputs) into the input multivectors and scalars (eq. 40) */
function embed(net: FrozenLgatr, x: ArrayLike<number>, row: number, T: number, xm: Float64Array, xs: Float64Array): void {
  const D = net.inputs;
  const E = net.scalars.length;
  const Sin = T + E;
  xm.fill(0, 0, T * 16);
  net.tokens.forEach((cols, t) => {
    for (let mu = 0; mu < 4; mu++) xm[t * 16 + 1 + mu] = x[row * D + cols[mu]] * net.momentumScale;
  });
  const { mean, std } = net.scalarScaling;
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < T; s++) xs[t * Sin + s] = s === t ? 1 : 0;
    for (let e = 0; e < E; e++) xs[t * Sin + T + e] = (x[row * D + net.scalars[e]] - mean[e]) / std[e];
  }
}

/**
 * The R raw outputs of member `member` for events start … start + nb − 1 of x (rows of
 * `net.inputs`), written feature-major: raw output r of event e at out[r·stride + e].
 */
export function lgatrRawOutputs(net: FrozenLgatr, member: LgatrMember, R: number, x: ArrayLike<number>, start: number, nb: number, out: Float64Array, stride: number): void {
  const T = net.tokens.length + 1;
  const C = net.channels;
  const S = net.scalarChannels;
  const shapes = lgatrShapes({ tokens: T, scalars: net.scalars.length, channels: C, scalarChannels: S, raw: R });
  const width = T * Math.max(C, R, 1) * 16 + T * Math.max(S, T + net.scalars.length) + T;
  const [h, hs, n, ns, q, qs, k, ks, v, vs, a, as, b, logits] = buffers(width);
  for (let e = 0; e < nb; e++) {
    embed(net, x, start + e, T, a, as);
    equivariantLinear(member.input, shapes.input, T, a, as, h, hs);
    for (const block of member.blocks) {
      layerNorm(T, C, S, h, hs, n, ns);
      equivariantLinear(block.attention.query, shapes.inner, T, n, ns, q, qs);
      equivariantLinear(block.attention.key, shapes.inner, T, n, ns, k, ks);
      equivariantLinear(block.attention.value, shapes.inner, T, n, ns, v, vs);
      attention(T, C, S, net.heads, q, qs, k, ks, v, vs, a, as, logits);
      equivariantLinear(block.attention.out, shapes.inner, T, a, as, q, qs);
      addInto(h, q, T * C * 16);
      addInto(hs, qs, T * S);
      layerNorm(T, C, S, h, hs, n, ns);
      equivariantLinear(block.mlp.left, shapes.inner, T, n, ns, a, as);
      equivariantLinear(block.mlp.right, shapes.right, T, n, ns, b, k);
      geometricProducts(T * C, a, b, q);
      equivariantLinear(block.mlp.hidden, shapes.inner, T, q, as, v, vs);
      gatedGelu(T * C, T * S, v, vs);
      equivariantLinear(block.mlp.out, shapes.inner, T, v, vs, q, qs);
      addInto(h, q, T * C * 16);
      addInto(hs, qs, T * S);
    }
    equivariantLinear(member.output, shapes.output, T, h, hs, a, k);
    // grade 0 of each output channel of the global token (the last)
    for (let r = 0; r < R; r++) out[r * stride + e] = a[((T - 1) * R + r) * 16];
  }
}

function addInto(x: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) x[i] += y[i];
}

/**
 * Dense-kernel units per L-GATr multiply-add: measured 3.0 ns per multiply-add for the published
 * W±Z L-GATr against 0.66 ns for the MLP ensemble on the same events (one run, this 2-core
 * machine), so 4.5, rounded up to keep the cost model's estimate above the measured time.
 */
export const LGATR_UNIT_PRICE = 5;

/** Multiply-adds of an equivariant linear map per token: 16 per multivector pair (grade and pseudoscalar parts), the scalar mixes. */
function linearUnits({ cin, sin, cout, sout }: LinearShape): number {
  return cin * cout * 32 + sin * cout + cin * sout * 2 + sin * sout;
}

/**
 * Rough multiply-adds of one event through every member (the service's cost model,
 * ratio-model.ts `networkUnits`): the equivariant linear maps per token, the geometric products
 * (16 × 16 per channel), attention (T² inner products of C multivectors and S scalars, per block),
 * and the layer norms, times LGATR_UNIT_PRICE: the cost model prices one unit as the dense MLP
 * kernels take it, and these per-event loops are slower per multiply-add.
 */
export function lgatrUnitsPerEvent(net: FrozenLgatr): number {
  const T = net.tokens.length + 1;
  const C = net.channels;
  const S = net.scalarChannels;
  const R = net.members[0].output.multivectorBias.length;
  const shapes = lgatrShapes({ tokens: T, scalars: net.scalars.length, channels: C, scalarChannels: S, raw: R });
  const block = T * (7 * linearUnits(shapes.inner) + linearUnits(shapes.right) + C * 256 + 2 * (C * 16 + S)) + T * T * (C * 16 + S) * 2;
  const member = T * (linearUnits(shapes.input) + linearUnits(shapes.output)) + net.blocks * block;
  return LGATR_UNIT_PRICE * net.members.length * member;
}
