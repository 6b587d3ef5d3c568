/**
 * The frozen-network format: what the training scripts write (as a MessagePack component of
 * a published artifact, DESIGN.md "A published likelihood artifact") and what
 * `frozen-network.ts` evaluates. Plain data, typed arrays for numbers:
 *
 * ```
 * {
 *   format: 'frozen-mlp/1',
 *   inputs: D,                        // observables per event
 *   outputs: H,                       // head outputs per event (see `head`)
 *   inputScaling: { mean, std },      // Float32Array(D) each: the first layer sees (x − mean) / std
 *   outputScaling?: { mean, std },    // Float32Array(R) each, R = the last layer's outputs:
 *                                     //   raw outputs become y·std + mean before the head
 *   head:                             // applied to the R (scaled) raw outputs
 *       { kind: 'identity' }          //   H = R
 *     | { kind: 'sigmoid' }           //   H = R, 1/(1 + e^−y) element-wise
 *     | { kind: 'softmax' }           //   H = R, over the R outputs
 *     | { kind: 'sum-of-squares', parameters: P, degree: d, fixReference: boolean },
 *                                     //   R = sumOfSquaresLayout(P, d, fixReference).rawSize entries of
 *                                     //   the Cholesky-like factor L (packing: sum-of-squares.ts),
 *                                     //   H = basisSize(P, d) polynomial coefficients c on the
 *                                     //   monomial basis of monomial-basis.ts, c·m(Δθ) ≥ 0 for all θ
 *     | { kind: 'morphing', parameters: P, degree: 2,
 *         benchmarks: Δθ_i (B = basisSize(P, 2) rows of P; the first is θ0, all zeros),
 *         crossSectionRatios: σ(θ_i)/σ0 (B values, the first 1) },
 *                                     //   R = B − 1 raw outputs y_i = ln r̂_i(x), the learned
 *                                     //   ratios p(x|θ_i)/p(x|θ0) of the benchmarks after θ0;
 *                                     //   H = basisSize(P, 2) coefficients ĉ = W⁻¹ diag(σ_i/σ0) r̂
 *                                     //   (morphing.ts, seed 003 eq. 25), made non-negative
 *                                     //   for every θ by nonNegativeQuadratic (sum-of-squares.ts)
 *   members: [                        // an ensemble of K ≥ 1 networks, same inputs and head
 *     { layers: [
 *         { inputs: I, outputs: O,
 *           kernel: Float32Array(I·O),  // row-major [I, O]: kernel[i·O + j] is the weight from
 *                                       //   input i to output j, exactly tfjs's dense kernel
 *                                       //   (`layer.getWeights()[0].dataSync()`)
 *           bias: Float32Array(O),
 *           activation: 'linear' | 'relu' | 'leaky-relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid'
 *                     | 'softplus' | 'swish' | 'gelu' | 'gelu_new',
 *           alpha?: number }            // leaky-relu slope, default 0.2 (tfjs's LeakyReLU default)
 *       ] }
 *   ]
 * }
 * ```
 *
 * Each layer computes y_j = act(b_j + Σ_i x_i W[i·O + j]). The activations are tfjs's
 * definitions: elu with alpha 1, selu with tfjs's constants (scale 1.0507009873554805,
 * scale·alpha 1.7580993408473769), swish x·sigmoid(x), gelu the exact erf form
 * x·Φ(x) (tfjs-layers' 'gelu'), gelu_new the tanh approximation
 * 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) (tfjs-layers' 'gelu_new'). A LeakyReLU layer of
 * tfjs is written as the activation of the dense layer before it.
 *
 * Every number must be finite and every shape must chain; `FrozenNetworkSchema` checks all
 * of it, with the path of each problem.
 */
import { z } from 'zod';
import { basisSize } from '../basis/monomial-basis.js';
import { morphing } from '../basis/morphing.js';
import { afterStructure } from '../schema-checks.js';
import { lgatrIssues, LgatrFieldsSchema } from './frozen-lgatr-schema.js';

export const ACTIVATIONS = ['linear', 'relu', 'leaky-relu', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'swish', 'gelu', 'gelu_new'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const Float32 = z.instanceof(Float32Array, { message: 'must be a Float32Array' });

function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

const ScalingSchema = z.object({ mean: Float32, std: Float32 });

export const DenseLayerSchema = z.object({
  inputs: z.number().int().positive(),
  outputs: z.number().int().positive(),
  kernel: Float32,
  bias: Float32,
  activation: z.enum(ACTIVATIONS),
  alpha: z.number().optional(),
});

export const NetworkHeadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('identity') }),
  z.object({ kind: z.literal('sigmoid') }),
  z.object({ kind: z.literal('softmax') }),
  z.object({
    kind: z.literal('sum-of-squares'),
    parameters: z.number().int().positive().max(64),
    degree: z.number().int().min(0).max(8).refine((d) => d % 2 === 0, 'the degree of a sum-of-squares head must be even'),
    fixReference: z.boolean(),
  }),
  z.object({
    kind: z.literal('morphing'),
    parameters: z.number().int().positive().max(64),
    degree: z.literal(2),
    benchmarks: z.array(z.array(z.number())).min(2),
    crossSectionRatios: z.array(z.number().positive()),
  }),
]);

/** Raw outputs R a head needs from the last layer, and the head outputs H it gives. */
export function headShape(head: z.infer<typeof NetworkHeadSchema>, rawOutputs: number): { raw: number; outputs: number } {
  if (head.kind === 'morphing') return { raw: head.benchmarks.length - 1, outputs: basisSize(head.parameters, head.degree) };
  if (head.kind !== 'sum-of-squares') return { raw: rawOutputs, outputs: rawOutputs };
  const V = basisSize(head.parameters, head.degree / 2);
  return { raw: (V * (V + 1)) / 2 - (head.fixReference ? 1 : 0), outputs: basisSize(head.parameters, head.degree) };
}

type IssueFn = (message: string, path: (string | number)[]) => void;

/** The checks of the head, the outputs and the output scaling that every format shares; the raw outputs R the members must give. */
function headIssues(net: { outputs: number; head: z.infer<typeof NetworkHeadSchema>; outputScaling?: { mean: Float32Array; std: Float32Array } }, issue: IssueFn): number {
  const shape = headShape(net.head, net.outputs);
  if (net.head.kind === 'sum-of-squares' && net.outputs !== shape.outputs) {
    issue(`a degree-${net.head.degree} sum-of-squares head in ${net.head.parameters} parameters gives ${shape.outputs} coefficients, but outputs is ${net.outputs}`, ['outputs']);
  }
  if (net.head.kind === 'softmax' && net.outputs < 2) issue('a softmax head needs at least 2 outputs', ['outputs']);
  if (net.head.kind === 'morphing') morphingHeadIssues(net.head, net.outputs, issue);
  if (net.outputScaling) {
    for (const key of ['mean', 'std'] as const) {
      const a = net.outputScaling[key];
      if (a.length !== shape.raw) issue(`needs ${shape.raw} values (one per raw output of the last layer), got ${a.length}`, ['outputScaling', key]);
      else {
        const i = firstNonFinite(a);
        if (i >= 0) issue(`must hold finite numbers only, element ${i} is ${a[i]}`, ['outputScaling', key]);
      }
    }
  }
  return shape.raw;
}

/** 'frozen-lgatr/1' (frozen-lgatr-schema.ts): the same inputs, outputs, head and output scaling as 'frozen-mlp/1', an L-GATr per member. */
export const FrozenLgatrSchema = z
  .object({
    inputs: z.number().int().positive(),
    outputs: z.number().int().positive(),
    outputScaling: ScalingSchema.optional(),
    head: NetworkHeadSchema,
    ...LgatrFieldsSchema,
  })
  .superRefine((net, ctx) => {
    const issue: IssueFn = (message, path) => ctx.addIssue({ code: 'custom', message, path });
    const raw = headIssues(net, issue);
    lgatrIssues(net, raw, issue);
  }, afterStructure);

export const FrozenMlpSchema = z
  .object({
    format: z.literal('frozen-mlp/1'),
    inputs: z.number().int().positive(),
    outputs: z.number().int().positive(),
    inputScaling: ScalingSchema,
    outputScaling: ScalingSchema.optional(),
    head: NetworkHeadSchema,
    members: z.array(z.object({ layers: z.array(DenseLayerSchema).min(1) })).min(1),
  })
  .superRefine((net, ctx) => {
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
    const finite = (a: Float32Array, path: (string | number)[]) => {
      const i = firstNonFinite(a);
      if (i >= 0) issue(`must hold finite numbers only, element ${i} is ${a[i]}`, path);
    };

    const { mean, std } = net.inputScaling;
    if (mean.length !== net.inputs) issue(`needs ${net.inputs} values (one per input), got ${mean.length}`, ['inputScaling', 'mean']);
    else finite(mean, ['inputScaling', 'mean']);
    if (std.length !== net.inputs) issue(`needs ${net.inputs} values (one per input), got ${std.length}`, ['inputScaling', 'std']);
    else {
      const bad = std.findIndex((s) => !(Number.isFinite(s) && s > 0));
      if (bad >= 0) issue(`must be finite and positive, element ${bad} is ${std[bad]}`, ['inputScaling', 'std']);
    }

    // Raw outputs every member must give, from the head (sum-of-squares) or from `outputs`.
    const shape = { raw: headIssues(net, issue) };

    net.members.forEach((member, m) => {
      let width = net.inputs;
      member.layers.forEach((layer, l) => {
        const path = ['members', m, 'layers', l];
        if (layer.inputs !== width) issue(`has ${layer.inputs} inputs but receives ${width} (${l === 0 ? 'the network inputs' : `the outputs of layer ${l - 1}`})`, [...path, 'inputs']);
        if (layer.kernel.length !== layer.inputs * layer.outputs) issue(`needs inputs × outputs = ${layer.inputs} × ${layer.outputs} = ${layer.inputs * layer.outputs} values, got ${layer.kernel.length}`, [...path, 'kernel']);
        else finite(layer.kernel, [...path, 'kernel']);
        if (layer.bias.length !== layer.outputs) issue(`needs ${layer.outputs} values, got ${layer.bias.length}`, [...path, 'bias']);
        else finite(layer.bias, [...path, 'bias']);
        if (layer.alpha !== undefined && layer.activation !== 'leaky-relu') issue(`alpha applies to leaky-relu only, not ${layer.activation}`, [...path, 'alpha']);
        width = layer.outputs;
      });
      if (width !== shape.raw) {
        const needs = net.head.kind === 'sum-of-squares' || net.head.kind === 'morphing' ? `the ${net.head.kind} head needs ${shape.raw} raw outputs` : `the network has ${net.outputs} outputs`;
        issue(`the last layer gives ${width} outputs but ${needs}`, ['members', m, 'layers', member.layers.length - 1, 'outputs']);
      }
    });
  }, afterStructure);

type MorphingHead = Extract<z.infer<typeof NetworkHeadSchema>, { kind: 'morphing' }>;

/** A morphing head's benchmarks must fix the polynomial, θ0 first (where r ≡ 1 and no output is learned). */
function morphingHeadIssues(head: MorphingHead, outputs: number, issue: (message: string, path: (string | number)[]) => void): void {
  const C = basisSize(head.parameters, head.degree);
  if (outputs !== C) issue(`a degree-${head.degree} morphing head in ${head.parameters} parameters gives ${C} coefficients, but outputs is ${outputs}`, ['outputs']);
  const B = head.benchmarks.length;
  if (head.crossSectionRatios.length !== B) issue(`needs ${B} values (one per benchmark), got ${head.crossSectionRatios.length}`, ['head', 'crossSectionRatios']);
  else if (head.crossSectionRatios[0] !== 1) issue(`the first benchmark is θ0, whose cross-section ratio is 1, got ${head.crossSectionRatios[0]}`, ['head', 'crossSectionRatios', 0]);
  const badRow = head.benchmarks.findIndex((b) => b.length !== head.parameters);
  if (badRow >= 0) return issue(`needs ${head.parameters} values (one per parameter), got ${head.benchmarks[badRow].length}`, ['head', 'benchmarks', badRow]);
  if (head.benchmarks[0].some((v) => v !== 0)) issue('the first benchmark must be θ0 itself (all offsets 0)', ['head', 'benchmarks', 0]);
  try {
    morphing(head.parameters, head.degree, head.benchmarks);
  } catch (e) {
    issue((e as Error).message, ['head', 'benchmarks']);
  }
}

/** The MLP format (the name every caller of 'frozen-mlp/1' uses). */
export const FrozenNetworkSchema = FrozenMlpSchema;
/** Every frozen network: an MLP ensemble ('frozen-mlp/1') or an L-GATr ensemble ('frozen-lgatr/1'). */
export const AnyFrozenNetworkSchema = z.discriminatedUnion('format', [FrozenMlpSchema, FrozenLgatrSchema]);

export type FrozenNetwork = z.infer<typeof FrozenMlpSchema>;
export type FrozenMlp = FrozenNetwork;
export type FrozenLgatr = z.infer<typeof FrozenLgatrSchema>;
/** What the runtime evaluates (evaluateNetwork, evaluateEnsemble, networkOutputs): either format. */
export type AnyFrozenNetwork = FrozenNetwork | FrozenLgatr;
export type DenseLayer = z.infer<typeof DenseLayerSchema>;
export type NetworkHead = z.infer<typeof NetworkHeadSchema>;

/**
 * Throws a clear Error where a path that handles 'frozen-mlp/1' only (input derivatives, ONNX
 * export, the dense-layer preparation) receives another format, e.g. 'frozen-lgatr/1'.
 */
export function requireMlpFormat(net: { format?: unknown }, what: string): void {
  if (net.format !== undefined && net.format !== 'frozen-mlp/1') throw new Error(`${what} supports the format 'frozen-mlp/1' only, not '${String(net.format)}'`);
}

/** The network as the MLP a path needs (ONNX export, input derivatives), or requireMlpFormat's Error. */
export function mlpOnly(net: AnyFrozenNetwork, what: string): FrozenNetwork {
  requireMlpFormat(net, what);
  return net as FrozenNetwork;
}

/** A network that failed validation; `issues` are zod's, with paths into the network. */
export class InvalidFrozenNetworkError extends Error {
  constructor(readonly issues: z.ZodError['issues']) {
    super(`invalid frozen network:\n${z.prettifyError(new z.ZodError(issues))}`);
    this.name = 'InvalidFrozenNetworkError';
  }
}

/**
 * Parses and validates a frozen network of either format ('frozen-mlp/1' or 'frozen-lgatr/1',
 * by `format`), throwing `InvalidFrozenNetworkError` with every problem found. The static type
 * defaults to the MLP (what every caller before the L-GATr expects); name the format you expect,
 * `parseFrozenNetwork<FrozenLgatr>(…)` or `<AnyFrozenNetwork>`, and check `format` where data may
 * hold either.
 */
export function parseFrozenNetwork<T extends AnyFrozenNetwork = FrozenNetwork>(data: unknown): T {
  const parsed = AnyFrozenNetworkSchema.safeParse(data);
  if (!parsed.success) throw new InvalidFrozenNetworkError(parsed.error.issues);
  return parsed.data as T;
}
