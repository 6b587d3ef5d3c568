/**
 * The frozen L-GATr format 'frozen-lgatr/1' (seed 003 sec. 2.4, eq. 36-40; Spinner et al.,
 * arXiv:2405.14806): a Lorentz-equivariant geometric algebra transformer over the particles of
 * an event, evaluated by lgatr.ts and trained by scripts/training/lgatr-tf.ts.
 *
 * ```
 * {
 *   format: 'frozen-lgatr/1',
 *   inputs: D, outputs: H, head, outputScaling?   // as in 'frozen-mlp/1' (frozen-network-schema.ts)
 *   tokens: number[][],          // P particles, each the 4 input columns of (E, px, py, pz)
 *   scalars: number[],           // E input columns of event-level Lorentz scalars
 *   scalarScaling: { mean, std } // Float32Array(E) each: the scalars enter as (x − mean)/std
 *   momentumScale: number,       // ONE global factor on every momentum component (equivariance)
 *   channels: C, scalarChannels: S, blocks: L, heads: A   // C and S divisible by A
 *   members: [ { input, blocks: [ { attention: { query, key, value, out },
 *                                   mlp: { left, right, hidden, out } } ], output } ]
 * }
 * ```
 *
 * Tokens: T = P + 1, the particles then one global token. Particle t's multivector (one input
 * channel) holds p^μ·momentumScale in the vector grade (eq. 40), the global token's is 0; every
 * token's scalars are the one-hot of its index (T values) then the E standardised event
 * scalars: S_in = T + E.
 *
 * Each equivariant linear map (Cin, Sin) → (Cout, Sout) holds, all Float32Array, row-major:
 *
 *     grade                 [5, Cin, Cout]  y_co += Σ_ci w[g(i)][ci][co] x_ci,i           (grade projections)
 *     pseudo                [5, Cin, Cout]  y_co += Σ_ci v[4−g(i)][ci][co] (e0123 x_ci)_i  (e0123 ⟨x⟩_g)
 *     scalarToMultivector   [Sin, Cout]     grade 0 of y_co += Σ_si s_si w[si][co]
 *     multivectorBias       [Cout]          grade 0 of y_co
 *     multivectorToScalar   [Cin, Sout]     s'_so += Σ_ci x_ci,0 w[ci][so]
 *     pseudoscalarToScalar  [Cin, Sout]     s'_so += Σ_ci x_ci,15 w[ci][so]
 *     scalarToScalar        [Sin, Sout]     s'_so += Σ_si s_si w[si][so]
 *     scalarBias            [Sout]
 *
 * with the shapes input (1, T + E) → (C, S); attention query/key/value/out and mlp
 * left/hidden/out (C, S) → (C, S); mlp right (C, S) → (C, 0); output (C, S) → (R, 0), R the raw
 * outputs the head needs. The forward pass (eq. 39), per event:
 *
 *     h = input(x)
 *     per block:  h += out(Attention(query(LN h), key(LN h), value(LN h)))
 *                 h += out(GatedGELU(hidden(GP(left(LN h), right(LN h)))))
 *     raw_r = grade 0 of output(h), channel r, of the global token
 *
 * LN: multivectors divided by √(mean over channels of |⟨x, x⟩| + 1e-6), per token; scalars
 * (s − mean)/√(var + 1e-6) over the S channels. Attention, per head a (C/A multivector and S/A
 * scalar channels): logits (Σ_c ⟨q_c, k_c⟩ + Σ_s q_s k_s)/√(16 C/A + S/A) over the tokens,
 * softmax, values multivectors and scalars alike. GP: channel-wise geometric product of left's
 * and right's multivectors, left's scalars passed on. GatedGELU: x_c·gelu(x_c,0), gelu(s), with
 * gelu the tanh form 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). ⟨x, y⟩ = ⟨x̃ y⟩₀ (spacetime-algebra.ts).
 */
import { z } from 'zod';
import { afterStructure } from '../schema-checks.js';

const Float32 = z.instanceof(Float32Array, { message: 'must be a Float32Array' });

export const LGATR_LINEAR_KEYS = ['grade', 'pseudo', 'scalarToMultivector', 'multivectorBias', 'multivectorToScalar', 'pseudoscalarToScalar', 'scalarToScalar', 'scalarBias'] as const;
export type LgatrLinearKey = (typeof LGATR_LINEAR_KEYS)[number];

export const LgatrLinearSchema = z.object(Object.fromEntries(LGATR_LINEAR_KEYS.map((k) => [k, Float32])) as Record<LgatrLinearKey, typeof Float32>);
export type LgatrLinear = z.infer<typeof LgatrLinearSchema>;

export const LgatrBlockSchema = z.object({
  attention: z.object({ query: LgatrLinearSchema, key: LgatrLinearSchema, value: LgatrLinearSchema, out: LgatrLinearSchema }),
  mlp: z.object({ left: LgatrLinearSchema, right: LgatrLinearSchema, hidden: LgatrLinearSchema, out: LgatrLinearSchema }),
});
export type LgatrBlock = z.infer<typeof LgatrBlockSchema>;

export const LgatrMemberSchema = z.object({ input: LgatrLinearSchema, blocks: z.array(LgatrBlockSchema), output: LgatrLinearSchema });
export type LgatrMember = z.infer<typeof LgatrMemberSchema>;

/** The sizes of one equivariant linear map: multivector and scalar channels in and out. */
export interface LinearShape {
  cin: number;
  sin: number;
  cout: number;
  sout: number;
}

/** Values each array of a linear map of this shape holds. */
export function linearSizes(s: LinearShape): Record<LgatrLinearKey, number> {
  return {
    grade: 5 * s.cin * s.cout,
    pseudo: 5 * s.cin * s.cout,
    scalarToMultivector: s.sin * s.cout,
    multivectorBias: s.cout,
    multivectorToScalar: s.cin * s.sout,
    pseudoscalarToScalar: s.cin * s.sout,
    scalarToScalar: s.sin * s.sout,
    scalarBias: s.sout,
  };
}

/** The architecture's sizes, from which every linear map's shape follows. */
export interface LgatrSizes {
  /** tokens T = particles + 1 (the global token) */
  tokens: number;
  /** event scalars E */
  scalars: number;
  channels: number;
  scalarChannels: number;
  /** raw outputs R */
  raw: number;
}

/** The shape of every linear map of a member (the module comment). */
export function lgatrShapes(s: LgatrSizes): { input: LinearShape; inner: LinearShape; right: LinearShape; output: LinearShape } {
  const C = s.channels;
  const S = s.scalarChannels;
  return {
    input: { cin: 1, sin: s.tokens + s.scalars, cout: C, sout: S },
    inner: { cin: C, sin: S, cout: C, sout: S },
    right: { cin: C, sin: S, cout: C, sout: 0 },
    output: { cin: C, sin: S, cout: s.raw, sout: 0 },
  };
}

export const LgatrFieldsSchema = {
  format: z.literal('frozen-lgatr/1'),
  tokens: z.array(z.array(z.number().int().nonnegative()).length(4)).min(1),
  scalars: z.array(z.number().int().nonnegative()),
  scalarScaling: z.object({ mean: Float32, std: Float32 }),
  momentumScale: z.number().positive().finite(),
  channels: z.number().int().positive(),
  scalarChannels: z.number().int().positive(),
  blocks: z.number().int().nonnegative(),
  heads: z.number().int().positive(),
  members: z.array(LgatrMemberSchema).min(1),
};

type Issue = (message: string, path: (string | number)[]) => void;

function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

function linearIssues(linear: LgatrLinear, shape: LinearShape, path: (string | number)[], issue: Issue): void {
  const sizes = linearSizes(shape);
  for (const key of LGATR_LINEAR_KEYS) {
    const a = linear[key];
    if (a.length !== sizes[key]) issue(`needs ${sizes[key]} values (Cin ${shape.cin}, Sin ${shape.sin} → Cout ${shape.cout}, Sout ${shape.sout}), got ${a.length}`, [...path, key]);
    else {
      const bad = firstNonFinite(a);
      if (bad >= 0) issue(`must hold finite numbers only, element ${bad} is ${a[bad]}`, [...path, key]);
    }
  }
}

/** Every issue of an L-GATr beyond the structure: column indices, scalings, head sizes and every weight's shape. */
export function lgatrIssues(net: z.infer<z.ZodObject<typeof LgatrFieldsSchema>> & { inputs: number }, raw: number, issue: Issue): void {
  net.tokens.forEach((cols, t) => cols.forEach((c, mu) => c >= net.inputs && issue(`column ${c} is beyond the ${net.inputs} inputs`, ['tokens', t, mu])));
  net.scalars.forEach((c, e) => c >= net.inputs && issue(`column ${c} is beyond the ${net.inputs} inputs`, ['scalars', e]));
  const E = net.scalars.length;
  const { mean, std } = net.scalarScaling;
  if (mean.length !== E) issue(`needs ${E} values (one per event scalar), got ${mean.length}`, ['scalarScaling', 'mean']);
  else if (firstNonFinite(mean) >= 0) issue('must hold finite numbers only', ['scalarScaling', 'mean']);
  if (std.length !== E) issue(`needs ${E} values (one per event scalar), got ${std.length}`, ['scalarScaling', 'std']);
  else {
    const bad = std.findIndex((s) => !(Number.isFinite(s) && s > 0));
    if (bad >= 0) issue(`must be finite and positive, element ${bad} is ${std[bad]}`, ['scalarScaling', 'std']);
  }
  if (net.channels % net.heads) issue(`channels ${net.channels} must be divisible by heads ${net.heads}`, ['channels']);
  if (net.scalarChannels % net.heads) issue(`scalarChannels ${net.scalarChannels} must be divisible by heads ${net.heads}`, ['scalarChannels']);
  const shapes = lgatrShapes({ tokens: net.tokens.length + 1, scalars: E, channels: net.channels, scalarChannels: net.scalarChannels, raw });
  net.members.forEach((member, m) => {
    const path = ['members', m];
    linearIssues(member.input, shapes.input, [...path, 'input'], issue);
    if (member.blocks.length !== net.blocks) issue(`needs ${net.blocks} blocks, got ${member.blocks.length}`, [...path, 'blocks']);
    member.blocks.forEach((block, b) => {
      for (const key of ['query', 'key', 'value', 'out'] as const) linearIssues(block.attention[key], shapes.inner, [...path, 'blocks', b, 'attention', key], issue);
      for (const key of ['left', 'hidden', 'out'] as const) linearIssues(block.mlp[key], shapes.inner, [...path, 'blocks', b, 'mlp', key], issue);
      linearIssues(block.mlp.right, shapes.right, [...path, 'blocks', b, 'mlp', 'right'], issue);
    });
    linearIssues(member.output, shapes.output, [...path, 'output'], issue);
  });
}

export { afterStructure };
