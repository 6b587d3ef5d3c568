import { describe, expect, it } from 'vitest';
import { lgatrShapes, linearSizes, LGATR_LINEAR_KEYS, type LgatrLinear, type LinearShape } from '../../../models/network/frozen-lgatr-schema.js';
import { evaluateEnsemble, InvalidFrozenNetworkError, networkOutputs, parseFrozenNetwork, type FrozenLgatr, type NetworkHead } from '../../../models/network/frozen-network.js';
import { evaluateWithInputDerivatives } from '../../../models/network/input-derivatives.js';
import { networkToOnnx } from '../../../models/network/onnx-export.js';
import { createRandom, type Random } from '../../../models/random.js';
import { equivarianceError, lgatrColumns, lgatrEvents, relativeChange } from '../../helpers/lgatr-events.js';

const P = 3;
const E = 2;
const D = 4 * P + E;

function randomLinear(random: Random, shape: LinearShape, scale: number): LgatrLinear {
  const sizes = linearSizes(shape);
  return Object.fromEntries(LGATR_LINEAR_KEYS.map((k) => [k, Float32Array.from({ length: sizes[k] }, () => scale * random.normal())])) as LgatrLinear;
}

/** A frozen L-GATr with random weights (K members, R raw outputs). */
function randomLgatr(seed: number, head: NetworkHead, outputs: number, R: number, K = 2): FrozenLgatr {
  const random = createRandom(seed);
  const C = 4;
  const S = 8;
  const blocks = 2;
  const shapes = lgatrShapes({ tokens: P + 1, scalars: E, channels: C, scalarChannels: S, raw: R });
  const lin = (s: LinearShape) => randomLinear(random, s, 0.4);
  return parseFrozenNetwork<FrozenLgatr>({
    format: 'frozen-lgatr/1',
    inputs: D,
    outputs,
    head,
    ...lgatrColumns(P, E),
    scalarScaling: { mean: Float32Array.of(3, 3), std: Float32Array.of(2, 2) },
    momentumScale: 0.02,
    channels: C,
    scalarChannels: S,
    blocks,
    heads: 2,
    members: Array.from({ length: K }, () => ({
      input: lin(shapes.input),
      blocks: Array.from({ length: blocks }, () => ({
        attention: { query: lin(shapes.inner), key: lin(shapes.inner), value: lin(shapes.inner), out: lin(shapes.inner) },
        mlp: { left: lin(shapes.inner), right: lin(shapes.right), hidden: lin(shapes.inner), out: lin(shapes.inner) },
      })),
      output: lin(shapes.output),
    })),
  });
}

describe('the L-GATr runtime', () => {
  const n = 40;
  const x = lgatrEvents(createRandom(11), n, P, E);

  it('is Lorentz-invariant under boosts and rotations of every momentum (identity and sum-of-squares heads)', () => {
    const identity = randomLgatr(1, { kind: 'identity' }, 3, 3);
    const sos = randomLgatr(2, { kind: 'sum-of-squares', parameters: 2, degree: 2, fixReference: true }, 6, 5);
    expect(networkOutputs(sos)).toBe(6);
    const errors = [equivarianceError(identity, x, n, 10, 3), equivarianceError(sos, x, n, 10, 4)];
    console.log('equivariance error (random L-GATr, identity / sum-of-squares):', errors.map((e) => e.toExponential(2)).join(' / '));
    for (const e of errors) expect(e).toBeLessThan(1e-5);
  });

  it('a non-equivariant perturbation fails the same check', () => {
    const net = randomLgatr(1, { kind: 'identity' }, 3, 3);
    // per-component scaling of the inputs (px of every particle × 1.5): no longer a function of invariants
    const scalePx = (v: Float64Array): Float64Array => v.map((value, i) => (i % D < 4 * P && i % 4 === 1 ? 1.5 * value : value));
    expect(equivarianceError(net, x, n, 5, 5, scalePx)).toBeGreaterThan(1e-3);
    // a token that reads px as its energy
    const swapped = parseFrozenNetwork<FrozenLgatr>({ ...net, tokens: net.tokens.map((t, p) => (p === 0 ? [t[1], t[0], t[2], t[3]] : t)) });
    expect(equivarianceError(swapped, x, n, 5, 6)).toBeGreaterThan(1e-3);
  });

  it('depends on the event scalars and on every token', () => {
    const net = randomLgatr(3, { kind: 'identity' }, 3, 3);
    const base = evaluateEnsemble(net, x, n).mean;
    const shifted = evaluateEnsemble(net, x.map((v, i) => (i % D === 4 * P ? v + 1 : v)), n).mean;
    expect(relativeChange(shifted, base)).toBeGreaterThan(1e-3);
  });

  it('the schema rejects tampered shapes and non-finite weights with their paths', () => {
    const net = randomLgatr(4, { kind: 'identity' }, 3, 3);
    const clone = () => structuredClone(net);
    const issuesOf = (data: unknown) => {
      try {
        parseFrozenNetwork(data);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidFrozenNetworkError);
        return (e as InvalidFrozenNetworkError).issues.map((i) => i.path.join('.'));
      }
      throw new Error('accepted');
    };
    const a = clone();
    a.members[1].blocks[0].attention.key.grade = new Float32Array(3);
    expect(issuesOf(a)).toContain('members.1.blocks.0.attention.key.grade');
    const b = clone();
    b.members[0].output.multivectorBias[1] = NaN;
    expect(issuesOf(b)).toContain('members.0.output.multivectorBias');
    const c = clone();
    c.members[0].blocks.pop();
    expect(issuesOf(c)).toContain('members.0.blocks');
    const d = clone();
    d.tokens[2][3] = D + 5;
    expect(issuesOf(d)).toContain('tokens.2.3');
    const f = clone();
    f.scalarScaling.std[0] = 0;
    expect(issuesOf(f)).toContain('scalarScaling.std');
    const g = { ...clone(), heads: 3 };
    expect(issuesOf(g)).toContain('channels');
    const h = clone();
    (h.members[0].input as Record<string, unknown>).scalarToMultivector = [1, 2];
    expect(issuesOf(h)).toContain('members.0.input.scalarToMultivector');
  });

  it('input derivatives and ONNX export refuse the format by name', () => {
    const net = randomLgatr(5, { kind: 'identity' }, 1, 1) as unknown as Parameters<typeof networkToOnnx>[0];
    expect(() => evaluateWithInputDerivatives(net, 0, x, 1, [0], 1)).toThrow(/frozen-lgatr\/1/);
    expect(() => networkToOnnx(net, { inputNames: Array.from({ length: D }, (_, i) => `x${i}`), producer: { name: 'test', version: '0' }, title: 'test' })).toThrow(/frozen-lgatr\/1/);
  });
});
