/**
 * The L-GATr (seed 003 sec. 2.4, eq. 36-40; Spinner et al., arXiv:2405.14806) in TensorFlow.js,
 * as a member architecture of derivative learning (derivative-learning.ts), and its freezing to
 * 'frozen-lgatr/1' (models/network/frozen-lgatr-schema.ts, which defines the forward pass that
 * models/network/lgatr.ts evaluates).
 *
 * Layout: multivectors [16, N, C] (component-major; N = B·T, token t of event b at b·T + t),
 * scalars [N, S]. Every equivariant linear map is two batched matMuls over the 16 components
 * (per-component weights expanded from the 5 grade weights by a constant matMul, the product
 * with e0123 a constant signed permutation) plus dense maps between the scalar channels and the
 * grade-0 / grade-4 components; the geometric product is the outer product of the components
 * times a constant [16, 256] matrix. Only matMul, element-wise ops, reshape, transpose, slice
 * and concat are used (tf.gather's gradient is missing on wasm).
 *
 * Inputs arrive standardised as derivative learning does (x − mean)/std, where for L-GATr the
 * momentum columns have mean 0 and std 1/momentumScale (one global factor: per-component
 * standardisation would break equivariance) and the event scalars their own mean and std.
 */
import * as tf from '@tensorflow/tfjs';
import { LGATR_LINEAR_KEYS, lgatrShapes, linearSizes, type LgatrLinear, type LgatrMember, type LinearShape } from '../../models/network/frozen-lgatr-schema.js';
import { LGATR_EPSILON } from '../../models/network/lgatr.js';
import { GP_INDEX, GP_SIGN, GRADE, INNER_SIGN, PSEUDO_INDEX, PSEUDO_SIGN } from '../../models/network/spacetime-algebra.js';
import { parseFrozenNetwork, type FrozenLgatr, type NetworkHead } from '../../models/network/frozen-network-schema.js';
import { deriveSeed } from '../simulators/types.js';

/** The L-GATr of derivative learning's `architecture` option. */
export interface LgatrArchitecture {
  kind: 'lgatr';
  /** per particle, the 4 input columns of (E, px, py, pz) */
  tokens: number[][];
  /** input columns of event-level Lorentz scalars (standardised by their mean and std) */
  scalars: number[];
  /** the one global factor on every momentum component (e.g. 1/100 for GeV) */
  momentumScale: number;
  /** multivector channels C (default 8), scalar channels S (default 16), blocks (default 2), attention heads (default 2) */
  channels?: number;
  scalarChannels?: number;
  blocks?: number;
  heads?: number;
}

export type ResolvedLgatr = Required<LgatrArchitecture>;

/** Defaults filled in and checked against D inputs (a RangeError names what is wrong). */
export function resolveLgatr(a: LgatrArchitecture, D: number): ResolvedLgatr {
  const r: ResolvedLgatr = { kind: 'lgatr', tokens: a.tokens.map((t) => [...t]), scalars: [...a.scalars], momentumScale: a.momentumScale, channels: a.channels ?? 8, scalarChannels: a.scalarChannels ?? 16, blocks: a.blocks ?? 2, heads: a.heads ?? 2 };
  if (!(r.momentumScale > 0 && Number.isFinite(r.momentumScale))) throw new RangeError(`lgatr momentumScale must be positive, got ${r.momentumScale}`);
  if (r.tokens.length < 1 || r.tokens.some((t) => t.length !== 4)) throw new RangeError('lgatr tokens must be a non-empty list of 4 input columns (E, px, py, pz) each');
  const used = new Set<number>();
  for (const c of [...r.tokens.flat(), ...r.scalars]) {
    if (!Number.isInteger(c) || c < 0 || c >= D) throw new RangeError(`lgatr column ${c} is not one of the ${D} inputs`);
    if (used.has(c)) throw new RangeError(`lgatr column ${c} is used twice (a momentum component and a scalar are scaled differently)`);
    used.add(c);
  }
  for (const [name, v] of [['channels', r.channels], ['scalarChannels', r.scalarChannels], ['heads', r.heads]] as const) if (!Number.isInteger(v) || v < 1) throw new RangeError(`lgatr ${name} must be a positive integer, got ${v}`);
  if (!Number.isInteger(r.blocks) || r.blocks < 0) throw new RangeError(`lgatr blocks must be a non-negative integer, got ${r.blocks}`);
  if (r.channels % r.heads || r.scalarChannels % r.heads) throw new RangeError(`lgatr channels ${r.channels} and scalarChannels ${r.scalarChannels} must be divisible by heads ${r.heads}`);
  return r;
}

/** Constant tensors every member shares. */
interface Algebra {
  /** [16, 5]: row i one-hot at grade(i); and at 4 − grade(i) */
  grade: tf.Tensor2D;
  gradeDual: tf.Tensor2D;
  /** [16, 16]: (e0123 x)_i = Σ_j P[i][j] x_j */
  pseudo: tf.Tensor2D;
  /** [16, 256]: (x y)_k = Σ_ij M[k][16i + j] x_i y_j */
  product: tf.Tensor2D;
  /** [16, 1, 1] inner-product signs, and the grade-0 mask */
  inner: tf.Tensor3D;
  scalarMask: tf.Tensor3D;
}

function algebra(): Algebra {
  const grade = new Float32Array(80);
  const gradeDual = new Float32Array(80);
  const pseudo = new Float32Array(256);
  const product = new Float32Array(16 * 256);
  for (let i = 0; i < 16; i++) {
    grade[i * 5 + GRADE[i]] = 1;
    gradeDual[i * 5 + 4 - GRADE[i]] = 1;
    pseudo[PSEUDO_INDEX[i] * 16 + i] = PSEUDO_SIGN[i];
    for (let j = 0; j < 16; j++) product[GP_INDEX[16 * i + j] * 256 + 16 * i + j] = GP_SIGN[16 * i + j];
  }
  return tf.tidy(() => ({
    grade: tf.keep(tf.tensor2d(grade, [16, 5])),
    gradeDual: tf.keep(tf.tensor2d(gradeDual, [16, 5])),
    pseudo: tf.keep(tf.tensor2d(pseudo, [16, 16])),
    product: tf.keep(tf.tensor2d(product, [16, 256])),
    inner: tf.keep(tf.tensor3d(Float32Array.from(INNER_SIGN), [16, 1, 1])),
    scalarMask: tf.keep(tf.tensor3d(Float32Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0)), [16, 1, 1])),
  }));
}

/** One equivariant linear map's variables (absent where the size is 0). */
type LinearVars = { shape: LinearShape } & Partial<Record<keyof LgatrLinear, tf.Variable>>;

/** Multivectors [16, N, C] and scalars [N, S] (S may be 0: null). */
interface Features {
  m: tf.Tensor3D;
  s: tf.Tensor2D | null;
}

function linearVars(shape: LinearShape, seed: number, label: string): LinearVars {
  const sizes = linearSizes(shape);
  const out: LinearVars = { shape };
  const mvScale = 1 / Math.sqrt(2 * shape.cin + shape.sin);
  const sScale = 1 / Math.sqrt(shape.sin + 2 * shape.cin);
  for (const key of LGATR_LINEAR_KEYS) {
    if (sizes[key] === 0) continue;
    const bias = key === 'multivectorBias' || key === 'scalarBias';
    const a = key === 'grade' || key === 'pseudo' || key === 'scalarToMultivector' ? mvScale : sScale;
    const init = bias ? tf.zeros([sizes[key]]) : tf.randomUniform([sizes[key]], -Math.sqrt(3) * a, Math.sqrt(3) * a, 'float32', deriveSeed(seed, `${label}-${key}`));
    out[key] = tf.variable(init, true, `${label}-${key}-${seed}`);
    init.dispose();
  }
  return out;
}

function linear(alg: Algebra, w: LinearVars, x: Features): Features {
  const { cin, sin, cout, sout } = w.shape;
  const N = x.m.shape[1];
  const W16 = tf.matMul(alg.grade, w.grade!.reshape([5, cin * cout])).reshape([16, cin, cout]) as tf.Tensor3D;
  const V16 = tf.matMul(alg.gradeDual, w.pseudo!.reshape([5, cin * cout])).reshape([16, cin, cout]) as tf.Tensor3D;
  const xI = tf.matMul(alg.pseudo, x.m.reshape([16, N * cin])).reshape([16, N, cin]) as tf.Tensor3D;
  let m = tf.matMul(x.m, W16).add(tf.matMul(xI, V16)) as tf.Tensor3D;
  let grade0 = w.multivectorBias!.reshape([1, cout]) as tf.Tensor2D;
  if (sin > 0 && x.s) grade0 = tf.matMul(x.s, w.scalarToMultivector!.reshape([sin, cout])).add(grade0);
  m = m.add(grade0.expandDims(0).mul(alg.scalarMask)) as tf.Tensor3D;
  if (sout === 0) return { m, s: null };
  const x0 = x.m.slice([0, 0, 0], [1, N, cin]).reshape([N, cin]) as tf.Tensor2D;
  const x15 = x.m.slice([15, 0, 0], [1, N, cin]).reshape([N, cin]) as tf.Tensor2D;
  let s = tf.matMul(x0, w.multivectorToScalar!.reshape([cin, sout])).add(tf.matMul(x15, w.pseudoscalarToScalar!.reshape([cin, sout]))).add(w.scalarBias!) as tf.Tensor2D;
  if (sin > 0 && x.s) s = s.add(tf.matMul(x.s, w.scalarToScalar!.reshape([sin, sout])));
  return { m, s };
}

function layerNorm(alg: Algebra, x: Features): Features {
  const ip = x.m.square().mul(alg.inner).sum(0); // [N, C]
  const norm = ip.abs().mean(1, true).add(LGATR_EPSILON).sqrt(); // [N, 1]
  const m = x.m.div(norm.expandDims(0)) as tf.Tensor3D;
  if (!x.s) return { m, s: null };
  const d = x.s.sub(x.s.mean(1, true));
  return { m, s: d.div(d.square().mean(1, true).add(LGATR_EPSILON).sqrt()) as tf.Tensor2D };
}

function gelu(x: tf.Tensor): tf.Tensor {
  return x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
}

function gatedGelu(x: Features): Features {
  const N = x.m.shape[1];
  const C = x.m.shape[2];
  const g = gelu(x.m.slice([0, 0, 0], [1, N, C]));
  return { m: x.m.mul(g) as tf.Tensor3D, s: x.s ? (gelu(x.s) as tf.Tensor2D) : null };
}

function geometricProduct(alg: Algebra, a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [, N, C] = a.shape;
  const outer = a.expandDims(1).mul(b.expandDims(0)).reshape([256, N * C]);
  return tf.matMul(alg.product, outer as tf.Tensor2D).reshape([16, N, C]);
}

/** [B·A, T, 16·C/A + S/A]: per event and head, each token's multivector channels (times `signs`) and scalars */
function headRows(x: Features, B: number, T: number, A: number, signs: tf.Tensor3D | null): tf.Tensor3D {
  const [, , C] = x.m.shape;
  const S = x.s ? x.s.shape[1] : 0;
  const m = (signs ? x.m.mul(signs) : x.m).reshape([16, B, T, A, C / A]).transpose([1, 3, 2, 0, 4]).reshape([B * A, T, (16 * C) / A]);
  const s = x.s!.reshape([B, T, A, S / A]).transpose([0, 2, 1, 3]).reshape([B * A, T, S / A]);
  return tf.concat([m, s], 2) as tf.Tensor3D;
}

function attention(alg: Algebra, q: Features, k: Features, v: Features, B: number, T: number, A: number): Features {
  const C = q.m.shape[2];
  const S = q.s!.shape[1];
  const Q = headRows(q, B, T, A, alg.inner);
  const K = headRows(k, B, T, A, null);
  const V = headRows(v, B, T, A, null);
  const weights = tf.softmax(tf.matMul(Q, K, false, true).mul(1 / Math.sqrt((16 * C) / A + S / A)));
  const out = tf.matMul(weights as tf.Tensor3D, V); // [B·A, T, 16C/A + S/A]
  const mPart = out.slice([0, 0, 0], [B * A, T, (16 * C) / A]);
  const sPart = out.slice([0, 0, (16 * C) / A], [B * A, T, S / A]);
  return {
    m: mPart.reshape([B, A, T, 16, C / A]).transpose([3, 0, 2, 1, 4]).reshape([16, B * T, C]) as tf.Tensor3D,
    s: sPart.reshape([B, A, T, S / A]).transpose([0, 2, 1, 3]).reshape([B * T, S]) as tf.Tensor2D,
  };
}

const add = (x: Features, y: Features): Features => ({ m: x.m.add(y.m), s: x.s && y.s ? (x.s.add(y.s) as tf.Tensor2D) : x.s });

interface BlockVars {
  attention: { query: LinearVars; key: LinearVars; value: LinearVars; out: LinearVars };
  mlp: { left: LinearVars; right: LinearVars; hidden: LinearVars; out: LinearVars };
}

/** One L-GATr member in tfjs: its variables and its raw outputs for standardised inputs. */
export interface LgatrTfMember {
  readonly architecture: ResolvedLgatr;
  readonly variables: tf.Variable[];
  /** raw outputs [B, R] for standardised inputs xs [B, D] */
  apply(xs: tf.Tensor2D): tf.Tensor2D;
  /** the member's weights in the frozen format */
  freeze(): LgatrMember;
  dispose(): void;
}

let sharedAlgebra: Algebra | null = null;

/** A seeded member with D inputs and R raw outputs. */
export function createLgatrMember(arch: ResolvedLgatr, D: number, R: number, seed: number): LgatrTfMember {
  const alg = (sharedAlgebra ??= algebra());
  const P = arch.tokens.length;
  const T = P + 1;
  const E = arch.scalars.length;
  const C = arch.channels;
  const shapes = lgatrShapes({ tokens: T, scalars: E, channels: C, scalarChannels: arch.scalarChannels, raw: R });
  const input = linearVars(shapes.input, seed, 'input');
  const blocks: BlockVars[] = Array.from({ length: arch.blocks }, (_, b) => ({
    attention: { query: linearVars(shapes.inner, seed, `b${b}-q`), key: linearVars(shapes.inner, seed, `b${b}-k`), value: linearVars(shapes.inner, seed, `b${b}-v`), out: linearVars(shapes.inner, seed, `b${b}-ao`) },
    mlp: { left: linearVars(shapes.inner, seed, `b${b}-l`), right: linearVars(shapes.right, seed, `b${b}-r`), hidden: linearVars(shapes.inner, seed, `b${b}-h`), out: linearVars(shapes.inner, seed, `b${b}-mo`) },
  }));
  const output = linearVars(shapes.output, seed, 'output');
  const all: LinearVars[] = [input, ...blocks.flatMap((b) => [b.attention.query, b.attention.key, b.attention.value, b.attention.out, b.mlp.left, b.mlp.right, b.mlp.hidden, b.mlp.out]), output];
  const variables = all.flatMap((w) => LGATR_LINEAR_KEYS.flatMap((k) => (w[k] ? [w[k]] : [])));

  // Constant embedding matrices: [D, T·16] momenta into the vector grade, [D, E] the scalars, [T, T] the token types.
  const embedding = new Float32Array(D * T * 16);
  arch.tokens.forEach((cols, t) => cols.forEach((c, mu) => (embedding[c * T * 16 + t * 16 + 1 + mu] = 1)));
  const selection = new Float32Array(D * E);
  arch.scalars.forEach((c, e) => (selection[c * E + e] = 1));
  const embedT = tf.keep(tf.tensor2d(embedding, [D, T * 16]));
  const selectT = E > 0 ? tf.keep(tf.tensor2d(selection, [D, E])) : null;
  const typesT = tf.keep(tf.eye(T).reshape([1, T, T]));

  const apply = (xs: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const B = xs.shape[0];
      const N = B * T;
      const m = tf.matMul(xs, embedT).reshape([B, T, 16]).transpose([2, 0, 1]).reshape([16, N, 1]) as tf.Tensor3D;
      let s = typesT.tile([B, 1, 1]) as tf.Tensor3D;
      if (selectT) s = tf.concat([s, tf.matMul(xs, selectT).reshape([B, 1, E]).tile([1, T, 1])], 2) as tf.Tensor3D;
      let h = linear(alg, input, { m, s: s.reshape([N, T + E]) as tf.Tensor2D });
      for (const block of blocks) {
        let n = layerNorm(alg, h);
        const att = attention(alg, linear(alg, block.attention.query, n), linear(alg, block.attention.key, n), linear(alg, block.attention.value, n), B, T, arch.heads);
        h = add(h, linear(alg, block.attention.out, att));
        n = layerNorm(alg, h);
        const left = linear(alg, block.mlp.left, n);
        const right = linear(alg, block.mlp.right, n);
        const hidden = gatedGelu(linear(alg, block.mlp.hidden, { m: geometricProduct(alg, left.m, right.m), s: left.s }));
        h = add(h, linear(alg, block.mlp.out, hidden));
      }
      const y = linear(alg, output, h).m; // [16, N, R]
      return y.slice([0, 0, 0], [1, N, R]).reshape([B, T, R]).slice([0, T - 1, 0], [B, 1, R]).reshape([B, R]) as tf.Tensor2D;
    });

  const freezeLinear = (w: LinearVars): LgatrLinear => Object.fromEntries(LGATR_LINEAR_KEYS.map((k) => [k, w[k] ? Float32Array.from(w[k].dataSync()) : new Float32Array(0)])) as LgatrLinear;
  const freeze = (): LgatrMember => ({
    input: freezeLinear(input),
    blocks: blocks.map((b) => ({
      attention: { query: freezeLinear(b.attention.query), key: freezeLinear(b.attention.key), value: freezeLinear(b.attention.value), out: freezeLinear(b.attention.out) },
      mlp: { left: freezeLinear(b.mlp.left), right: freezeLinear(b.mlp.right), hidden: freezeLinear(b.mlp.hidden), out: freezeLinear(b.mlp.out) },
    })),
    output: freezeLinear(output),
  });

  return {
    architecture: arch,
    variables,
    apply,
    freeze,
    dispose() {
      for (const v of variables) v.dispose();
      for (const t of [embedT, selectT, typesT]) t?.dispose();
    },
  };
}

/** What freezing an L-GATr ensemble needs besides its members. */
export interface LgatrFreezeSpec {
  inputs: number;
  outputs: number;
  head: NetworkHead;
  /** mean and std of the event scalars (one per `architecture.scalars` column) */
  scalarScaling: { mean: Float32Array; std: Float32Array };
  outputScaling?: { mean: Float32Array; std: Float32Array };
}

/** The members in the frozen format 'frozen-lgatr/1', validated (parseFrozenNetwork). */
export function freezeLgatr(members: readonly LgatrTfMember[], spec: LgatrFreezeSpec): FrozenLgatr {
  if (members.length < 1) throw new RangeError('an L-GATr ensemble needs at least one member');
  const a = members[0].architecture;
  return parseFrozenNetwork<FrozenLgatr>({
    format: 'frozen-lgatr/1',
    inputs: spec.inputs,
    outputs: spec.outputs,
    head: structuredClone(spec.head),
    ...(spec.outputScaling ? { outputScaling: { mean: Float32Array.from(spec.outputScaling.mean), std: Float32Array.from(spec.outputScaling.std) } } : {}),
    tokens: a.tokens.map((t) => [...t]),
    scalars: [...a.scalars],
    scalarScaling: { mean: Float32Array.from(spec.scalarScaling.mean), std: Float32Array.from(spec.scalarScaling.std) },
    momentumScale: a.momentumScale,
    channels: a.channels,
    scalarChannels: a.scalarChannels,
    blocks: a.blocks,
    heads: a.heads,
    members: members.map((m) => m.freeze()),
  });
}

/**
 * The input scaling (x − mean)/std that feeds `apply`: momentum columns mean 0 and std
 * 1/momentumScale (one global factor), event-scalar columns the given mean and std, other
 * columns (unused) 0 and 1.
 */
export function lgatrInputScaling(arch: Pick<ResolvedLgatr, 'tokens' | 'scalars' | 'momentumScale'>, D: number, scalarScaling: { mean: ArrayLike<number>; std: ArrayLike<number> }): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(D);
  const std = new Float32Array(D).fill(1);
  for (const c of arch.tokens.flat()) std[c] = 1 / arch.momentumScale;
  arch.scalars.forEach((c, e) => {
    mean[c] = scalarScaling.mean[e];
    std[c] = scalarScaling.std[e];
  });
  return { mean, std };
}
