/**
 * The frozen-network runtime's evaluation kernels in plain TypeScript: the dense layers on
 * feature-major blocks (the fallback where the WebAssembly SIMD kernel of dense-simd.ts cannot
 * be compiled, summing in the same order so both give bit-identical results) and the
 * activations (tfjs's definitions, computed in float64).
 */
import erfc from '@stdlib/math-base-special-erfc';
import { Act, BLOCK, type PreparedLayer } from './prepared-network.js';

// ---------------------------------------------------------------------------------------
// Dense layers in TypeScript, feature-major: src[so + i·BLOCK + e] → dst[do + j·BLOCK + e].
// Same summation order as the SIMD kernel: s = b_j, then s += x_i·W_ij for i = 0 … I−1.

export function denseTs64(src: Float64Array, so: number, dst: Float64Array, d0: number, nb: number, layer: PreparedLayer): void {
  const { inputs: I, outputs: O, kernelT64: K, bias64: bias } = layer;
  const relu = layer.act === Act.Relu;
  let j = 0;
  // two outputs × four events per tile: 6 loads per 8 multiply-adds
  for (; j + 2 <= O; j += 2) {
    const b0 = bias[j];
    const b1 = bias[j + 1];
    const k0 = j * I;
    const k1 = k0 + I;
    const d = d0 + j * BLOCK;
    let e = 0;
    for (; e + 4 <= nb; e += 4) {
      let s0 = b0, s1 = b0, s2 = b0, s3 = b0;
      let t0 = b1, t1 = b1, t2 = b1, t3 = b1;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) {
        const w = K[k0 + i];
        const v = K[k1 + i];
        const x0 = src[p], x1 = src[p + 1], x2 = src[p + 2], x3 = src[p + 3];
        s0 += x0 * w; s1 += x1 * w; s2 += x2 * w; s3 += x3 * w;
        t0 += x0 * v; t1 += x1 * v; t2 += x2 * v; t3 += x3 * v;
      }
      if (relu) {
        s0 = s0 > 0 ? s0 : 0; s1 = s1 > 0 ? s1 : 0; s2 = s2 > 0 ? s2 : 0; s3 = s3 > 0 ? s3 : 0;
        t0 = t0 > 0 ? t0 : 0; t1 = t1 > 0 ? t1 : 0; t2 = t2 > 0 ? t2 : 0; t3 = t3 > 0 ? t3 : 0;
      }
      dst[d + e] = s0; dst[d + e + 1] = s1; dst[d + e + 2] = s2; dst[d + e + 3] = s3;
      dst[d + BLOCK + e] = t0; dst[d + BLOCK + e + 1] = t1; dst[d + BLOCK + e + 2] = t2; dst[d + BLOCK + e + 3] = t3;
    }
    for (; e < nb; e++) {
      let s = b0;
      let t = b1;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) {
        s += src[p] * K[k0 + i];
        t += src[p] * K[k1 + i];
      }
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
      dst[d + BLOCK + e] = relu ? (t > 0 ? t : 0) : t;
    }
  }
  for (; j < O; j++) {
    const bj = bias[j];
    const k = j * I;
    const d = d0 + j * BLOCK;
    for (let e = 0; e < nb; e++) {
      let s = bj;
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) s += src[p] * K[k + i];
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
    }
  }
}

const f32 = Math.fround;

/**
 * float32 arithmetic: every product and sum rounded to float32 (exactly as f32x4 does), in the
 * same per-output order as the float64 kernel. Untiled: float32 is asked for where the SIMD
 * kernel runs; this loop keeps the TypeScript backend's results bit-identical to it elsewhere.
 */
export function denseTs32(src: Float32Array, so: number, dst: Float32Array, d0: number, nb: number, layer: PreparedLayer): void {
  const { inputs: I, outputs: O, kernelT32: K, bias32: bias } = layer;
  const relu = layer.act === Act.Relu;
  for (let j = 0; j < O; j++) {
    const k = j * I;
    const d = d0 + j * BLOCK;
    for (let e = 0; e < nb; e++) {
      let s = bias[j];
      let p = so + e;
      for (let i = 0; i < I; i++, p += BLOCK) s = f32(s + f32(src[p] * K[k + i]));
      dst[d + e] = relu ? (s > 0 ? s : 0) : s;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Activations (tfjs's definitions), computed in float64.

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** 1/(1 + e^−x), without overflow for either sign. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const z = Math.exp(x);
  return z / (1 + z);
}

/** ln(1 + e^x), stable for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** x·Φ(x) = x·erfc(−x/√2)/2, tfjs-layers' 'gelu' (the erf form), accurate for negative x too. */
export function gelu(x: number): number {
  return 0.5 * x * erfc(-x * SQRT_HALF);
}

/** 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), tfjs-layers' 'gelu_new'. */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** Activation `act` applied in place to a[from … to). */
export function activate(a: Float64Array | Float32Array, from: number, to: number, act: Act, alpha: number): void {
  switch (act) {
    case Act.Linear:
      return;
    case Act.Relu:
      for (let k = from; k < to; k++) a[k] = a[k] > 0 ? a[k] : 0;
      return;
    case Act.LeakyRelu:
      for (let k = from; k < to; k++) {
        const x = a[k];
        a[k] = x < 0 ? alpha * x : x;
      }
      return;
    case Act.Elu:
      for (let k = from; k < to; k++) {
        const x = a[k];
        a[k] = x >= 0 ? x : Math.expm1(x);
      }
      return;
    case Act.Selu:
      for (let k = from; k < to; k++) {
        const x = a[k];
        a[k] = x >= 0 ? SELU_SCALE * x : SELU_SCALE_ALPHA * Math.expm1(x);
      }
      return;
    case Act.Tanh:
      for (let k = from; k < to; k++) a[k] = Math.tanh(a[k]);
      return;
    case Act.Sigmoid:
      for (let k = from; k < to; k++) a[k] = sigmoid(a[k]);
      return;
    case Act.Softplus:
      for (let k = from; k < to; k++) a[k] = softplus(a[k]);
      return;
    case Act.Swish:
      for (let k = from; k < to; k++) a[k] = a[k] * sigmoid(a[k]);
      return;
    case Act.Gelu:
      for (let k = from; k < to; k++) a[k] = gelu(a[k]);
      return;
    case Act.GeluTanh:
      for (let k = from; k < to; k++) a[k] = geluTanh(a[k]);
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Activation derivatives, for input derivatives through a network (input-derivatives.ts).

/**
 * φ(z), φ'(z) and φ''(z) of activation `act` into out[0..2]. ReLU's and leaky ReLU's kinks
 * take the right-hand derivative, as tfjs's gradients do.
 */
export function activationDerivatives(z: number, act: Act, alpha: number, out: Float64Array): void {
  let f: number, d1: number, d2: number;
  switch (act) {
    case Act.Linear:
      (f = z), (d1 = 1), (d2 = 0);
      break;
    case Act.Relu:
      (f = z > 0 ? z : 0), (d1 = z > 0 ? 1 : 0), (d2 = 0);
      break;
    case Act.LeakyRelu:
      (f = z < 0 ? alpha * z : z), (d1 = z < 0 ? alpha : 1), (d2 = 0);
      break;
    case Act.Elu:
      if (z >= 0) (f = z), (d1 = 1), (d2 = 0);
      else (f = Math.expm1(z)), (d1 = d2 = Math.exp(z));
      break;
    case Act.Selu:
      if (z >= 0) (f = SELU_SCALE * z), (d1 = SELU_SCALE), (d2 = 0);
      else (f = SELU_SCALE_ALPHA * Math.expm1(z)), (d1 = d2 = SELU_SCALE_ALPHA * Math.exp(z));
      break;
    case Act.Tanh: {
      const t = Math.tanh(z);
      (f = t), (d1 = 1 - t * t), (d2 = -2 * t * (1 - t * t));
      break;
    }
    case Act.Sigmoid: {
      const s = sigmoid(z);
      (f = s), (d1 = s * (1 - s)), (d2 = s * (1 - s) * (1 - 2 * s));
      break;
    }
    case Act.Softplus: {
      const s = sigmoid(z);
      (f = softplus(z)), (d1 = s), (d2 = s * (1 - s));
      break;
    }
    case Act.Swish: {
      const s = sigmoid(z);
      (f = z * s), (d1 = s + z * s * (1 - s)), (d2 = s * (1 - s) * (2 + z * (1 - 2 * s)));
      break;
    }
    case Act.Gelu: {
      // x·Φ(x): Φ + x·φ, then φ·(2 − x²)
      const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      (f = gelu(z)), (d1 = 0.5 * erfc(-z * SQRT_HALF) + z * density), (d2 = density * (2 - z * z));
      break;
    }
    case Act.GeluTanh: {
      const u = SQRT_2_OVER_PI * (z + 0.044715 * z * z * z);
      const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z);
      const d2u = SQRT_2_OVER_PI * 6 * 0.044715 * z;
      const t = Math.tanh(u);
      const sech2 = 1 - t * t;
      f = 0.5 * z * (1 + t);
      d1 = 0.5 * (1 + t) + 0.5 * z * sech2 * du;
      d2 = sech2 * du + 0.5 * z * sech2 * (d2u - 2 * t * du * du);
      break;
    }
  }
  out[0] = f;
  out[1] = d1;
  out[2] = d2;
}
