/**
 * Combinations of likelihoods (issue 25 item 1) against two independent references: the sum
 * of the members' own NLLs (exactly, with gradients and Hessians), and pyhf's own semantics for
 * a combination, one workspace holding both channels, where modifiers of the same name are one
 * parameter with one constraint.
 */
import { describe, expect, it } from 'vitest';
import { combinedData, combineLikelihoods, CombinationError } from '../../../models/likelihood/combination.js';
import { maximumLikelihood } from '../../../models/inference/mle.js';
import { importWorkspace, pyhfLikelihood } from '../../../models/pyhf/import.js';
import { createRandom } from '../../../models/random.js';

/** A one-channel workspace: signal (normfactor mu) and background with a normsys, a histosys, staterror and the luminosity. */
function workspace(channel: string, signal: number[], background: number[], observed: number[], options: { lumiSigma?: number; muBounds?: [number, number]; normsys?: [number, number] } = {}) {
  const [hi, lo] = options.normsys ?? [1.1, 0.9];
  return {
    version: '1.0.0',
    channels: [
      {
        name: channel,
        samples: [
          { name: 'signal', data: signal, modifiers: [{ name: 'mu', type: 'normfactor', data: null }, { name: 'lumi', type: 'lumi', data: null }] },
          {
            name: 'background',
            data: background,
            modifiers: [
              { name: 'alpha_shared', type: 'normsys', data: { hi, lo } },
              { name: 'alpha_shape', type: 'histosys', data: { hi_data: background.map((b) => b * 1.05), lo_data: background.map((b) => b * 0.97) } },
              { name: `staterror_${channel}`, type: 'staterror', data: background.map((b) => Math.sqrt(b) / 2) },
              { name: 'lumi', type: 'lumi', data: null },
            ],
          },
        ],
      },
    ],
    observations: [{ name: channel, data: observed }],
    measurements: [
      {
        name: 'm',
        config: {
          poi: 'mu',
          parameters: [
            { name: 'lumi', auxdata: [1], sigmas: [options.lumiSigma ?? 0.02], bounds: [[0.5, 1.5]], inits: [1] },
            ...(options.muBounds ? [{ name: 'mu', bounds: [options.muBounds] }] : []),
          ],
        },
      },
    ],
  };
}

const W1 = workspace('SR', [3, 5, 2], [20, 12, 6], [25, 19, 7]);
const W2 = workspace('CR', [1, 2], [50, 30], [48, 35], { normsys: [1.2, 0.85] });
/** pyhf's combination of W1 and W2: both channels in one workspace, modifiers of the same name one parameter */
function merged(rename: (name: string, ws: 1 | 2) => string = (name) => name) {
  const channel = (w: typeof W1, ws: 1 | 2) => ({
    ...w.channels[0],
    samples: w.channels[0].samples.map((s) => ({ ...s, modifiers: s.modifiers.map((m) => (m.type === 'normfactor' ? m : { ...m, name: rename(m.name, ws) })) })),
  });
  const lumis = [1, 2] as const;
  return {
    version: '1.0.0',
    channels: [channel(W1, 1), channel(W2, 2)],
    observations: [...W1.observations, ...W2.observations],
    measurements: [{ name: 'm', config: { poi: 'mu', parameters: [...new Set(lumis.map((ws) => rename('lumi', ws)))].map((name) => ({ name, auxdata: [1], sigmas: [0.02], bounds: [[0.5, 1.5]], inits: [1] })) } }],
  };
}

const member = (key: string, ws: unknown) => ({ key, ...pyhfLikelihood(importWorkspace(ws)) });

/** A random point near nominal for a likelihood's parameters. */
function randomPoint(names: readonly string[], init: Float64Array, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from(names, (_, i) => init[i] + 0.2 * (random.uniform() - 0.5) * (names[i] === 'mu' ? 5 : 1));
}

describe('combineLikelihoods', () => {
  const one = member('w1', W1);
  const two = member('w2', W2);

  it('without correlations, the NLL, gradient and Hessian are exactly the sums of the members’ at any point', () => {
    const { likelihood, members } = combineLikelihoods([one, two]);
    // mu shared (same name), every nuisance the member's own
    expect(likelihood.names[0]).toBe('mu');
    expect(likelihood.interest).toBe(1);
    expect(likelihood.names).toContain('w1/lumi');
    expect(likelihood.names).toContain('w2/lumi');
    expect(likelihood.parameters.length).toBe(one.likelihood.parameters.length + two.likelihood.parameters.length - 1);
    const data = combinedData(members, [one.data, two.data], 1, true);
    const n = likelihood.parameters.length;
    for (let seed = 1; seed <= 5; seed++) {
      const x = randomPoint(likelihood.names, likelihood.initial(), seed);
      const gradient = new Float64Array(n);
      const hessian = new Float64Array(n * n);
      const value = likelihood.nll(x, data, 0, { gradient, hessian });
      const parts = members.map((m, k) => {
        const local = Float64Array.from(m.index, (c) => x[c]);
        const d = local.length;
        const g = new Float64Array(d);
        const h = new Float64Array(d * d);
        const v = m.likelihood.nll(local, [one.data, two.data][k], 0, { gradient: g, hessian: h });
        return { v, g, h, index: m.index };
      });
      expect(value).toBe(parts[0].v + parts[1].v);
      const expectedGradient = new Float64Array(n);
      const expectedHessian = new Float64Array(n * n);
      for (const { g, h, index } of parts) {
        index.forEach((a, i) => {
          expectedGradient[a] += g[i];
          index.forEach((b, j) => (expectedHessian[a * n + b] += h[i * index.length + j]));
        });
      }
      expect(gradient).toEqual(expectedGradient);
      expect(hessian).toEqual(expectedHessian);
    }
  });

  it('with only the luminosity correlated, it is pyhf’s combination with every other modifier renamed apart (1e-10)', () => {
    // pyhf has one luminosity parameter, named lumi: it cannot be renamed apart
    const { likelihood, members } = combineLikelihoods([one, two], { correlate: ['lumi'] });
    const reference = pyhfLikelihood(importWorkspace(merged((name, ws) => (name === 'lumi' ? name : `w${ws}/${name}`))));
    compareWithReference(likelihood, combinedData(members, [one.data, withoutReleasedAux(members, two)], 1, true), reference);
  });

  it('correlated by name, the constraint counted once, it is pyhf’s combination of the two workspaces (1e-10), fit included', () => {
    const { likelihood, members } = combineLikelihoods([one, two], { correlate: ['alpha_shared', 'lumi', 'alpha_shape'] });
    expect(likelihood.names).toContain('lumi');
    expect(likelihood.names).not.toContain('w2/lumi');
    // the second member's terms lost those constraints, and its data their auxiliary data
    expect(members[1].likelihood.terms[0].term.constraints.map((c) => c.parameter)).not.toContain('lumi');
    const data = combinedData(members, [one.data, withoutReleasedAux(members, two)], 1, true);
    const reference = pyhfLikelihood(importWorkspace(merged()));
    compareWithReference(likelihood, data, reference);
    const ours = maximumLikelihood(likelihood, data);
    const theirs = maximumLikelihood(reference.likelihood, reference.data);
    expect(ours.converged && theirs.converged).toBe(true);
    expect(ours.nll).toBeCloseTo(theirs.nll, 8);
    expect(ours.parameters[0]).toBeCloseTo(theirs.parameters[0], 5);
  });

  it('refuses what cannot be combined, saying why', () => {
    const bounded = member('w3', workspace('VR', [1], [10], [11], { muBounds: [20, 30] }));
    expect(() => combineLikelihoods([one, bounded])).toThrow(/conflicting parameter bounds: 'mu' in 'w3' has \[20, 30\]/);
    expect(() => combineLikelihoods([one, one])).toThrow(/'w1' is listed twice/);
    expect(() => combineLikelihoods([one, two], { correlate: ['staterror_SR'] })).toThrow(/'staterror_SR' is a nuisance parameter of 'w1' only/);
    const otherLumi = member('w4', workspace('VR', [1], [10], [11], { lumiSigma: 0.017 }));
    expect(() => combineLikelihoods([one, otherLumi], { correlate: ['lumi'] })).toThrow(/'lumi' cannot be correlated: its constraint in 'w1' is normal \(σ 0.02.*in 'w4' normal \(σ 0.017/);
    expect(() => combineLikelihoods([one, two], { rename: { w2: { nope: 'x' } } })).toThrow(/'w2' has no parameter 'nope'/);
    expect(() => combineLikelihoods([one, two], { rename: { w9: { mu: 'x' } } })).toThrow(CombinationError);
    // a renamed POI is its own parameter: two parameters of interest
    expect(combineLikelihoods([one, two], { rename: { w2: { mu: 'mu_CR' } } }).likelihood.interest).toBe(2);
  });
});

/** The second member's observed data as its likelihood in the combination takes them: the auxiliary data of the constraints it gave up removed. */
function withoutReleasedAux(members: ReturnType<typeof combineLikelihoods>['members'], original: ReturnType<typeof member>) {
  const { term } = members[1].likelihood.terms[0];
  const kept = term.constraints.map((c) => original.term.constraints.findIndex((o) => o.parameter === c.parameter));
  const observed = original.data.terms.pyhf as { counts: Float64Array; aux: Float64Array };
  return { ...original.data, terms: { pyhf: { counts: observed.counts, aux: Float64Array.from(kept, (k) => observed.aux[k]) } } };
}

/** The combination and a reference likelihood over the same parameters agree in value and gradient at random points; a member's own nuisance `w1/x` is the reference's `x` where the reference has it so. */
function compareWithReference(likelihood: ReturnType<typeof combineLikelihoods>['likelihood'], data: ReturnType<typeof combinedData>, reference: ReturnType<typeof pyhfLikelihood>) {
  const names = reference.likelihood.names;
  expect(names.length).toBe(likelihood.names.length);
  const order = names.map((name) => [name, `w1/${name}`, `w2/${name}`].map((n) => likelihood.indexOf(n)).find((i) => i >= 0)!);
  expect(new Set(order).size).toBe(names.length);
  expect(order.every((i) => i !== undefined)).toBe(true);
  for (let seed = 11; seed <= 15; seed++) {
    const x = randomPoint(likelihood.names, likelihood.initial(), seed);
    const y = Float64Array.from(order, (i) => x[i]);
    const gx = new Float64Array(x.length);
    const gy = new Float64Array(y.length);
    const ours = likelihood.nll(x, data, 0, { gradient: gx });
    const theirs = reference.likelihood.nll(y, reference.data, 0, { gradient: gy });
    expect(Math.abs(ours - theirs) / Math.abs(theirs)).toBeLessThan(1e-10);
    order.forEach((i, j) => expect(gx[i]).toBeCloseTo(gy[j], 8));
  }
}
