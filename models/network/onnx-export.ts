/**
 * Frozen networks as standard ONNX models (opset 17, float32), for tools that evaluate ONNX
 * themselves: ROOT's RooONNXFunction and SOFIE, SModelS, onnxruntime in any language. The graph
 * computes exactly what the frozen runtime (frozen-network.ts) computes, operator by operator:
 * input scaling, each member's dense layers and activations, output scaling and the head, the
 * members stacked on a leading axis and their mean.
 *
 * Two kinds of output:
 * - `head`: input `x` [events, D]; outputs `members` [K, events, H] and `mean` [events, H],
 *   the head outputs (a sum-of-squares head's ĉ on the monomial basis, a classifier's
 *   probability, …). A morphing head's ĉ = A r̂ (seed 003 eq. 25) is made non-negative as the
 *   runtime does (nonNegativeQuadratic), its eigen-decomposition replaced by a matrix-sign
 *   iteration (nonNegativeQuadraticGraph below).
 * - `log-ratio`, for a network that gives a polynomial term's coefficients: inputs `x`
 *   [events, D] and `theta` [rows, P] (one row for every event, or one per event); outputs
 *   `log_ratio` [events] = ln R̂(x|θ), R̂ = ĉ·m(θ − θ0) from the members' mean ĉ as the
 *   service evaluates it, and `member_log_ratios` [K, events]. With a signal fraction f_s
 *   (seed 003 app. D) R̂ = f_s ĉ·m + 1 − f_s, f_s the mean of the fraction network's members.
 *
 * For ROOT's RooONNXFunction (statically shaped inputs, one scalar output, float32 through
 * SOFIE), `events` fixes the events dimension and `meanOnly` drops the members' output.
 *
 * Precision. 'float64' (the default) computes as the frozen runtime does by default: the
 * published float32 weights, every operation in double, so the two agree to rounding (~1e-15
 * relative; gelu's erf alone is evaluated in float32, since onnxruntime has no double Erf, ~1e-7).
 * onnxruntime lacks double kernels for LeakyRelu, Elu, Selu and Softplus too, so in float64
 * they are written with Relu, Min, Abs, Exp and Log. 'float32' uses the native activation
 * operators and computes in float32 throughout, for tools that evaluate float only (ROOT's
 * SOFIE): it differs from the runtime by float32 rounding, ~1e-6 relative on ĉ after L Lᵀ.
 */
import { monomialBasis } from '../basis/monomial-basis.js';
import { morphing, morphingCoefficientMatrix } from '../basis/morphing.js';
import { sumOfSquaresLayout } from '../basis/sum-of-squares.js';
import { headShape, requireMlpFormat, type DenseLayer, type FrozenNetwork } from './frozen-network-schema.js';
import { float, int, ints, OnnxGraph, OnnxType, type OnnxValueInfo } from './onnx-model.js';

export const ONNX_OPSET = 17;

export type OnnxOutputKind = 'head' | 'log-ratio';

export interface OnnxExportOptions {
  /** names of the network's inputs, in order (documentation in the model) */
  inputNames: readonly string[];
  /** what the model outputs (default 'head') */
  output?: OnnxOutputKind;
  /** for 'log-ratio': the polynomial's parameters, their reference point θ0 and the basis degree */
  polynomial?: { parameters: readonly string[]; reference: readonly number[]; degree: number; signalFraction?: FrozenNetwork };
  /** element type of inputs, weights and outputs (default 'float64') */
  precision?: 'float64' | 'float32';
  /** a fixed events dimension (RooONNXFunction takes statically shaped inputs), else symbolic */
  events?: number;
  /** the mean output only, without the members' (RooONNXFunction takes one output) */
  meanOnly?: boolean;
  producer: { name: string; version: string };
  /** what the model is, first line of its doc string */
  title: string;
  metadata?: Record<string, string>;
}

/** tfjs's SELU constants (frozen-network-schema.ts): ONNX's γ and α. */
const SELU_GAMMA = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** The ONNX model of `net` (see the module comment), as protobuf bytes. */
export function networkToOnnx(net: FrozenNetwork, options: OnnxExportOptions): Uint8Array {
  requireMlpFormat(net, 'ONNX export (networkToOnnx)');
  if (options.polynomial?.signalFraction) requireMlpFormat(options.polynomial.signalFraction, 'ONNX export (networkToOnnx) of a signal fraction');
  const kind = options.output ?? 'head';
  const real = options.precision === 'float32' ? OnnxType.Float : OnnxType.Double;
  if (options.inputNames.length !== net.inputs) throw new RangeError(`the network takes ${net.inputs} inputs, ${options.inputNames.length} names were given`);
  const events = options.events ?? 'events';
  const x: OnnxValueInfo = { name: 'x', type: real, dims: [events, net.inputs], doc: `events × (${options.inputNames.join(', ')})` };
  const inputs = [x];
  const poly = options.polynomial;
  if (kind === 'log-ratio') {
    if (!poly) throw new RangeError('a log-ratio model needs the polynomial it evaluates');
    inputs.push({ name: 'theta', type: real, dims: [options.events === undefined ? 'rows' : 1, poly.parameters.length], doc: `(${poly.parameters.join(', ')}): one row for every event, or one per event` });
  }
  const g = new OnnxGraph(inputs, 'frozen-network', real);
  const K = net.members.length;
  const H = net.outputs;
  let outputs: OnnxValueInfo[];
  if (kind === 'head') {
    ensemble(g, net, 'x', 'network', 'members', 'mean');
    outputs = [
      { name: 'members', type: real, dims: [K, events, H], doc: 'each member’s head outputs' },
      { name: 'mean', type: real, dims: [events, H], doc: 'the members’ mean' },
    ];
  } else {
    const { parameters, reference, degree } = poly!;
    const basis = monomialBasis(parameters.length, degree);
    if (basis.size !== H) throw new RangeError(`the network gives ${H} coefficients, a degree-${degree} polynomial in ${parameters.length} parameters has ${basis.size}`);
    const { members, mean } = ensemble(g, net, 'x', 'network');
    // m(Δθ)_k = Π_i Δθ_i^{e_ki}: [rows, 1, P] ^ [C, P] → [rows, C, P], product over P
    const delta = g.node('Sub', ['theta', g.constant('theta0', [parameters.length], reference)], 'delta_theta');
    const powers = g.node('Pow', [g.node('Unsqueeze', [delta, g.int64('axis1', [1])], 'delta_theta'), g.constant('exponents', [basis.size, parameters.length], basis.exponents)], 'monomials');
    const monomials = g.node('ReduceProd', [powers], 'monomials', { axes: ints([2]), keepdims: int(0) });
    const last = g.int64('last_axis', [-1]);
    let memberRatio = g.node('ReduceSum', [g.node('Mul', [members, monomials], 'member_terms'), last], 'member_ratios', { keepdims: int(0) });
    let meanRatio = g.node('ReduceSum', [g.node('Mul', [mean, monomials], 'mean_terms'), last], 'ratio', { keepdims: int(0) });
    if (poly!.signalFraction) {
      // R̂ = f_s ĉ·m + 1 − f_s (seed 003 app. D)
      const fraction = g.node('Reshape', [ensemble(g, poly!.signalFraction, 'x', 'signal_fraction').mean, g.int64('flat', [-1])], 'signal_fraction');
      const background = g.node('Sub', [g.constant('one', [], [1]), fraction], 'background_fraction');
      memberRatio = g.node('Add', [g.node('Mul', [memberRatio, fraction], 'member_signal'), background], 'member_ratios');
      meanRatio = g.node('Add', [g.node('Mul', [meanRatio, fraction], 'signal'), background], 'ratio');
    }
    g.node('Log', [meanRatio], 'log_ratio', {}, 'log_ratio');
    if (!options.meanOnly) g.node('Log', [memberRatio], 'member_log_ratios', {}, 'member_log_ratios');
    outputs = [
      { name: 'log_ratio', type: real, dims: [events], doc: 'ln R̂(x|θ, θ0) from the members’ mean' },
      { name: 'member_log_ratios', type: real, dims: [K, events], doc: 'each member’s ln R̂(x|θ, θ0)' },
    ];
  }
  if (options.meanOnly) outputs = outputs.filter((o) => !o.name.startsWith('member'));
  const doc = [options.title, `inputs: ${inputs.map((v) => `${v.name} [${v.dims.join(', ')}] ${v.doc}`).join('; ')}`, `outputs: ${outputs.map((v) => `${v.name} [${v.dims.join(', ')}] ${v.doc}`).join('; ')}`].join('\n');
  return g.encode(outputs, { producer: options.producer.name, producerVersion: options.producer.version, doc, opset: ONNX_OPSET, metadata: { inputs: options.inputNames.join(','), head: net.head.kind, members: String(K), ...options.metadata } });
}

/** Every member's head outputs stacked on axis 0 ([K, events, H]) and their mean ([events, H]). */
function ensemble(g: OnnxGraph, net: FrozenNetwork, x: string, hint: string, membersName?: string, meanName?: string): { members: string; mean: string } {
  const scaled = g.node('Div', [g.node('Sub', [x, g.constant(`${hint}/input_mean`, [net.inputs], net.inputScaling.mean)], `${hint}/centred`), g.constant(`${hint}/input_std`, [net.inputs], net.inputScaling.std)], `${hint}/scaled`);
  const axis0 = g.int64(`${hint}/axis0`, [0]);
  const stacked = net.members.map((member, m) => g.node('Unsqueeze', [memberOutputs(g, net, member.layers, scaled, `${hint}/member${m}`), axis0], `${hint}/member${m}/out`));
  const members = g.node('Concat', stacked, `${hint}/members`, { axis: int(0) }, membersName);
  const mean = g.node('ReduceMean', [members], `${hint}/mean`, { axes: ints([0]), keepdims: int(0) }, meanName);
  return { members, mean };
}

function memberOutputs(g: OnnxGraph, net: FrozenNetwork, layers: DenseLayer[], input: string, hint: string): string {
  let h = input;
  layers.forEach((layer, l) => {
    const at = `${hint}/layer${l}`;
    h = gemm(g, h, g.constant(`${at}/kernel`, [layer.inputs, layer.outputs], layer.kernel), at, g.constant(`${at}/bias`, [layer.outputs], layer.bias));
    h = activation(g, h, layer, at);
  });
  if (net.outputScaling) {
    const R = net.outputScaling.std.length;
    h = g.node('Add', [g.node('Mul', [h, g.constant(`${hint}/output_std`, [R], net.outputScaling.std)], `${hint}/unscaled`), g.constant(`${hint}/output_mean`, [R], net.outputScaling.mean)], `${hint}/unscaled`);
  }
  return head(g, net, h, hint);
}

/**
 * 1/(1 + e^−x). In double as exactly that: onnxruntime's double Sigmoid is accurate to ~5e-8
 * only (measured), and e^−x → ∞ gives 0 as it should.
 */
function sigmoid(g: OnnxGraph, h: string, at: string): string {
  if (g.real !== OnnxType.Double) return g.node('Sigmoid', [h], at);
  const one = g.constant(`${at}/one`, [], [1]);
  return g.node('Div', [one, g.node('Add', [g.node('Exp', [g.node('Neg', [h], at)], at), one], at)], at);
}

/** x·W (+ b) for x [events, I]: Gemm, since onnxruntime's extended optimisations fuse a double MatMul + Add into a float-accurate kernel (measured: 1e-8), and Gemm is what SOFIE reads too. */
function gemm(g: OnnxGraph, x: string, weights: string, hint: string, bias?: string): string {
  return g.node('Gemm', bias ? [x, weights, bias] : [x, weights], hint);
}

/**
 * The activation of a dense layer, as tfjs defines it (frozen-network-schema.ts). In a double
 * graph, the activations onnxruntime has no double kernel for are composed from ones it has.
 */
function activation(g: OnnxGraph, h: string, layer: DenseLayer, at: string): string {
  const scalar = (v: number) => g.constant(`${at}/c`, [], [v]);
  const double = g.real === OnnxType.Double;
  /** e^{min(x, 0)} − 1: the negative branch of elu and selu (0 for x ≥ 0) */
  const expm1Negative = () => g.node('Sub', [g.node('Exp', [g.node('Min', [h, scalar(0)], at)], at), scalar(1)], at);
  switch (layer.activation) {
    case 'linear':
      return h;
    case 'relu':
      return g.node('Relu', [h], at);
    case 'leaky-relu': {
      const alpha = layer.alpha ?? 0.2;
      if (!double) return g.node('LeakyRelu', [h], at, { alpha: float(alpha) });
      return g.node('Add', [g.node('Relu', [h], at), g.node('Mul', [g.node('Min', [h, scalar(0)], at), scalar(alpha)], at)], at);
    }
    case 'elu':
      if (!double) return g.node('Elu', [h], at, { alpha: float(1) });
      return g.node('Add', [g.node('Relu', [h], at), expm1Negative()], at);
    case 'selu':
      if (!double) return g.node('Selu', [h], at, { alpha: float(SELU_ALPHA), gamma: float(SELU_GAMMA) });
      return g.node('Add', [g.node('Mul', [g.node('Relu', [h], at), scalar(SELU_GAMMA)], at), g.node('Mul', [expm1Negative(), scalar(SELU_GAMMA * SELU_ALPHA)], at)], at);
    case 'tanh':
      return g.node('Tanh', [h], at);
    case 'sigmoid':
      return sigmoid(g, h, at);
    case 'softplus': {
      if (!double) return g.node('Softplus', [h], at);
      // max(x, 0) + ln(1 + e^{−|x|}), stable for either sign
      const tail = g.node('Log', [g.node('Add', [g.node('Exp', [g.node('Neg', [g.node('Abs', [h], at)], at)], at), scalar(1)], at)], at);
      return g.node('Add', [g.node('Relu', [h], at), tail], at);
    }
    case 'swish':
      // in double, x/(1 + e^−x): onnxruntime fuses x·Sigmoid(x) into QuickGelu, which has float kernels only
      if (double) return g.node('Div', [h, g.node('Add', [g.node('Exp', [g.node('Neg', [h], at)], at), scalar(1)], at)], at);
      return g.node('Mul', [h, sigmoid(g, h, at)], at);
    case 'gelu': {
      // x·Φ(x) = 0.5 x (1 + erf(x/√2)); Gelu itself is opset 20, and Erf has float kernels only
      let erf = g.node('Mul', [h, scalar(Math.SQRT1_2)], at);
      erf = double ? g.node('Cast', [g.node('Erf', [g.node('Cast', [erf], at, { to: int(OnnxType.Float) })], at)], at, { to: int(OnnxType.Double) }) : g.node('Erf', [erf], at);
      return g.node('Mul', [g.node('Mul', [h, scalar(0.5)], at), g.node('Add', [erf, scalar(1)], at)], at);
    }
    case 'gelu_new': {
      // 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³)))
      const cube = g.node('Mul', [g.node('Mul', [h, h], at), h], at);
      const inner = g.node('Mul', [g.node('Add', [h, g.node('Mul', [cube, scalar(0.044715)], at)], at), scalar(Math.sqrt(2 / Math.PI))], at);
      return g.node('Mul', [g.node('Mul', [h, scalar(0.5)], at), g.node('Add', [g.node('Tanh', [inner], at), scalar(1)], at)], at);
    }
  }
}

/** The head on the raw outputs y [events, R] of one member: [events, H]. */
function head(g: OnnxGraph, net: FrozenNetwork, y: string, hint: string): string {
  const h = net.head;
  const R = headShape(h, net.outputs).raw;
  switch (h.kind) {
    case 'identity':
      return y;
    case 'sigmoid':
      return sigmoid(g, y, `${hint}/head`);
    case 'softmax':
      return g.node('Softmax', [y], `${hint}/head`, { axis: int(-1) });
    case 'sum-of-squares': {
      // L (V×V, lower-triangular) = y scattered by S [R, V²] (+ L_00 = 1 with fixReference);
      // A = L Lᵀ; c = vec(A) T, T [V², C] summing A_ab and A_ba into the product monomial's c
      const layout = sumOfSquaresLayout(h.parameters, h.degree, h.fixReference);
      const V = layout.halfSize;
      const shift = h.fixReference ? 1 : 0;
      const scatter = new Float32Array(R * V * V);
      const gather = new Float32Array(V * V * layout.size);
      for (let a = 0; a < V; a++) {
        for (let b = 0; b <= a; b++) {
          const packed = (a * (a + 1)) / 2 + b;
          if (packed - shift >= 0) scatter[(packed - shift) * V * V + a * V + b] = 1;
          const target = layout.pairTarget[packed];
          gather[(a * V + b) * layout.size + target] = 1;
          gather[(b * V + a) * layout.size + target] = 1;
        }
      }
      const unit = new Float32Array(V * V);
      if (h.fixReference) unit[0] = 1;
      const flat = gemm(g, y, g.constant(`${hint}/scatter`, [R, V * V], scatter), `${hint}/cholesky`, h.fixReference ? g.constant(`${hint}/unit`, [V * V], unit) : undefined);
      const L = g.node('Reshape', [flat, g.int64(`${hint}/square`, [-1, V, V])], `${hint}/cholesky`);
      const A = g.node('MatMul', [L, g.node('Transpose', [L], `${hint}/cholesky_t`, { perm: ints([0, 2, 1]) })], `${hint}/gram`);
      const vecA = g.node('Reshape', [A, g.int64(`${hint}/flat`, [-1, V * V])], `${hint}/gram`);
      return gemm(g, vecA, g.constant(`${hint}/gather`, [V * V, layout.size], gather), `${hint}/coefficients`);
    }
    case 'morphing': {
      // ĉ = A r̂, r̂ = (1, e^{y_1}, …): the first column of A plus e^y times the rest (seed 003 eq. 25)
      const m = morphing(h.parameters, h.degree, h.benchmarks);
      const A = morphingCoefficientMatrix(m, h.crossSectionRatios);
      const C = net.outputs;
      const B = m.count;
      const rest = new Float64Array((B - 1) * C);
      const first = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        first[c] = A[c * B];
        for (let j = 1; j < B; j++) rest[(j - 1) * C + c] = A[c * B + j];
      }
      const ratios = g.node('Exp', [y], `${hint}/benchmark_ratios`);
      const c = gemm(g, ratios, g.constant(`${hint}/morphing`, [B - 1, C], rest), `${hint}/morphed`, g.constant(`${hint}/morphing_reference`, [C], first));
      return nonNegativeQuadraticGraph(g, c, h.parameters, `${hint}/projection`);
    }
  }
}

/** Newton–Schulz steps for the matrix sign: enough for eigenvalues down to 1e-10 of ‖S‖ (see below). */
const SIGN_ITERATIONS = 60;

/**
 * nonNegativeQuadratic (sum-of-squares.ts) as a graph, for c [events, C] with c_0 > 0 (a morphing
 * head's c_0 = r̂(θ0) = 1): with S = Q₂ − bbᵀ/(4c_0) the Schur complement of the Gram matrix, the
 * quadratic block gains S₊ − S = (|S| − S)/2, S₊ the nearest PSD matrix. ONNX has no
 * eigen-decomposition, so |S| = S·sign(S), the sign by the Newton–Schulz iteration
 * X ← X(3I − X²)/2 from X = S/‖S‖_F (every eigenvalue in [−1, 1]; each step takes an eigenvalue x
 * to x(3 − x²)/2, ×1.5 while small, so 60 steps settle every |x| ≥ 1e-10, and an eigenvalue
 * below that changes c by less than 1e-10 ‖S‖ whatever its sign). A PSD S gains (|S| − S)/2 = 0
 * up to rounding, as the runtime leaves it alone.
 */
function nonNegativeQuadraticGraph(g: OnnxGraph, c: string, P: number, hint: string): string {
  const C = 1 + P + (P * (P + 1)) / 2;
  const toMatrix = new Float64Array(C * P * P);
  const fromMatrix = new Float64Array(P * P * C);
  const linear = new Float64Array(C * P);
  const constant = new Float64Array(C);
  constant[0] = 1;
  for (let i = 0; i < P; i++) linear[(1 + i) * P + i] = 1;
  // the quadratic monomials θ_iθ_j, i ≤ j, in the basis order (monomial-basis.ts)
  for (let i = 0, k = 1 + P; i < P; i++) {
    for (let j = i; j < P; j++, k++) {
      const weight = i === j ? 1 : 0.5;
      toMatrix[k * P * P + i * P + j] = weight;
      toMatrix[k * P * P + j * P + i] = weight;
      fromMatrix[(i * P + j) * C + k] = 1;
      if (i !== j) fromMatrix[(j * P + i) * C + k] = 1;
    }
  }
  const square = g.int64(`${hint}/square`, [-1, P, P]);
  const quadratic = g.node('Reshape', [gemm(g, c, g.constant(`${hint}/to_matrix`, [C, P * P], toMatrix), `${hint}/q2`), square], `${hint}/q2`);
  const b = gemm(g, c, g.constant(`${hint}/linear`, [C, P], linear), `${hint}/b`);
  const c0 = g.node('Reshape', [gemm(g, c, g.constant(`${hint}/constant`, [C, 1], constant), `${hint}/c0`), g.int64(`${hint}/scalar`, [-1, 1, 1])], `${hint}/c0`);
  const outer = g.node('Mul', [g.node('Unsqueeze', [b, g.int64(`${hint}/axis2`, [2])], `${hint}/b_col`), g.node('Unsqueeze', [b, g.int64(`${hint}/axis1`, [1])], `${hint}/b_row`)], `${hint}/bbT`);
  const schur = g.node('Sub', [quadratic, g.node('Div', [outer, g.node('Mul', [c0, g.constant(`${hint}/four`, [], [4])], `${hint}/4c0`)], `${hint}/bbT_4c0`)], `${hint}/schur`);
  let raise: string;
  // one parameter: S is a number, and S₊ − S = max(0, −S), as the runtime adds it
  if (P === 1) raise = g.node('Relu', [g.node('Neg', [schur], `${hint}/raise`)], `${hint}/raise`);
  else raise = g.node('Mul', [g.node('Sub', [g.node('MatMul', [schur, matrixSign(g, schur, P, hint)], `${hint}/abs`), schur], `${hint}/raise`), g.constant(`${hint}/half`, [], [0.5])], `${hint}/raise`);
  const added = gemm(g, g.node('Reshape', [raise, g.int64(`${hint}/flat`, [-1, P * P])], `${hint}/raise`), g.constant(`${hint}/from_matrix`, [P * P, C], fromMatrix), `${hint}/added`);
  return g.node('Add', [c, added], `${hint}/coefficients`);
}

/** sign(S) for symmetric S [events, P, P], by SIGN_ITERATIONS Newton–Schulz steps from S/‖S‖_F. */
function matrixSign(g: OnnxGraph, schur: string, P: number, hint: string): string {
  const norm = g.node('Add', [g.node('Sqrt', [g.node('ReduceSum', [g.node('Mul', [schur, schur], `${hint}/squares`), g.int64(`${hint}/matrix_axes`, [1, 2])], `${hint}/norm2`, { keepdims: int(1) })], `${hint}/norm`), g.constant(`${hint}/tiny`, [], [1e-30])], `${hint}/norm`);
  const identity3 = new Float64Array(P * P);
  for (let i = 0; i < P; i++) identity3[i * P + i] = 3;
  const threeI = g.constant(`${hint}/three_identity`, [P, P], identity3);
  const half = g.constant(`${hint}/half`, [], [0.5]);
  let sign = g.node('Div', [schur, norm], `${hint}/sign`);
  for (let k = 0; k < SIGN_ITERATIONS; k++) sign = g.node('Mul', [g.node('MatMul', [sign, g.node('Sub', [threeI, g.node('MatMul', [sign, sign], `${hint}/sign2`)], `${hint}/sign`)], `${hint}/sign`), half], `${hint}/sign`);
  return sign;
}
