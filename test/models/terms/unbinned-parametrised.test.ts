import { describe, expect, it } from 'vitest';
import { evaluateMonomials, monomialBasis, polynomialValue } from '../../../models/basis/monomial-basis.js';
import { createLikelihood, type LikelihoodData } from '../../../models/likelihood/likelihood.js';
import { DatasetError, NonPositiveRateError } from '../../../models/likelihood/term.js';
import { evaluateNetwork } from '../../../models/network/frozen-network.js';
import { createRandom } from '../../../models/random.js';
import { createUnbinnedParametrisedTerm, parametrisedAsimov } from '../../../models/terms/unbinned-parametrised.js';
import { interest } from '../../helpers/toy-likelihood.js';
import { randomNetwork } from '../../helpers/random-network.js';

const random = createRandom(2024);
const D = 2;
const P = 2;
const K = 3;
const network = randomNetwork(random, { inputs: D + P, hidden: [8, 6], raw: 1, head: { kind: 'identity' }, activations: ['swish', 'tanh', 'linear'], members: K });
const basis = monomialBasis(P, 2);
// σ(θ)/σ(θ0) = 1 + 0.3 Δθ_a − 0.2 Δθ_b + 0.5 Δθ_a² + 0.1 Δθ_a Δθ_b + 0.4 Δθ_b² (positive definite quadratic part)
const crossSection = Float64Array.of(1, 0.3, -0.2, 0.5, 0.1, 0.4);
const sigma0 = 2.5;
const parameters = [interest('a', [-2, 2], 0.1), interest('b', [-2, 2], -0.2)];
const n = 40;
const reference = { count: 300, values: Float64Array.from({ length: 300 * D }, () => random.normal()), weights: Float64Array.from({ length: 300 }, () => 0.5 + random.uniform()) };
const term = createUnbinnedParametrisedTerm({
  name: 'param',
  parameters,
  basis,
  sigma0,
  crossSection,
  events: { network, observables: ['x1', 'x2'], reference, observed: null },
});
const likelihood = createLikelihood(parameters, [term], 100, ['x1', 'x2']);
const events = Float64Array.from({ length: n * D }, () => random.normal());
const weights = Float64Array.from({ length: n }, () => random.uniform() * 2);

/** ln r̂ of variant v at θ on events x (count × D), independently: the network on rows (x, θ), members averaged for v = 0. */
function directLogRatios(theta: number[], v: number, x: ArrayLike<number> = events, count = n): number[] {
  const rows = new Float64Array(count * (D + P));
  for (let i = 0; i < count; i++) rows.set([x[i * D], x[i * D + 1], ...theta], i * (D + P));
  const members = v === 0 ? Array.from({ length: K }, (_, k) => k) : [v - 1];
  const sum = new Array<number>(count).fill(0);
  for (const k of members) evaluateNetwork(network, k, rows, count).forEach((y, i) => (sum[i] += y / members.length));
  return sum;
}

/** ln Z(θ) = ln of the weighted mean of r̂ over the reference sample (the eq. 34 analogue). */
function directLogNormalisation(theta: number[], v: number): number {
  const lr = directLogRatios(theta, v, reference.values, reference.count);
  let sum = 0;
  let sumW = 0;
  lr.forEach((l, i) => {
    sum += reference.weights[i] * Math.exp(l);
    sumW += reference.weights[i];
  });
  return Math.log(sum / sumW);
}

function sigmaRatio(theta: number[]): number {
  const m = evaluateMonomials(basis, [theta[0] - 0.1, theta[1] + 0.2]);
  return polynomialValue(crossSection, m);
}

describe('the unbinned parametrised term', () => {
  const dataset = (rate: boolean): LikelihoodData => ({ luminosity: 100, rate, terms: { param: term.eventData(events, n, weights) } });

  it('gives −ln L = Lσ(θ) − W ln(σ(θ)/σ(θ0)) − Σ w ln r̂ + W ln Z (rate) and −Σ w ln r̂ + W ln Z (shape) for every variant, away from θ0', () => {
    const W = weights.reduce((a, b) => a + b, 0);
    for (const theta of [
      [0.1, -0.2],
      [0.9, 0.4],
      [-1.3, 1.1],
    ]) {
      for (let v = 0; v <= K; v++) {
        const lr = directLogRatios(theta, v);
        const logSum = lr.reduce((s, l, i) => s + weights[i] * l, 0);
        const sm = sigmaRatio(theta);
        const lnZ = directLogNormalisation(theta, v);
        expect(Math.abs(lnZ)).toBeGreaterThan(1e-3); // an untrained network: Z matters
        expect(likelihood.nll(Float64Array.from(theta), dataset(true), v)).toBeCloseTo(100 * sigma0 * sm - W * Math.log(sm) - logSum + W * lnZ, 9);
        expect(likelihood.nll(Float64Array.from(theta), dataset(false), v)).toBeCloseTo(-logSum + W * lnZ, 9);
      }
    }
  });

  it('gives the analytic gradient and Hessian in θ, against central differences, for the estimate and a member, with and without the rate', () => {
    const h = 1e-5;
    for (const rate of [true, false]) {
      const data = dataset(rate);
      for (const v of [0, 2]) {
        const theta = Float64Array.of(0.7, -0.9);
        const gradient = new Float64Array(P);
        const hessian = new Float64Array(P * P);
        likelihood.nll(theta, data, v, { gradient, hessian });
        for (let j = 0; j < P; j++) {
          const up = theta.slice();
          const down = theta.slice();
          up[j] += h;
          down[j] -= h;
          const fd = (likelihood.nll(up, data, v) - likelihood.nll(down, data, v)) / (2 * h);
          expect(Math.abs(gradient[j] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
          const gUp = new Float64Array(P);
          const gDown = new Float64Array(P);
          likelihood.nll(up, data, v, { gradient: gUp });
          likelihood.nll(down, data, v, { gradient: gDown });
          for (let k = 0; k < P; k++) expect(Math.abs(hessian[j * P + k] - (gUp[k] - gDown[k]) / (2 * h))).toBeLessThan(1e-5 * (1 + Math.abs(hessian[j * P + k])));
        }
      }
    }
  });

  it('builds Asimov data at θ_A: the reference sample weighted by w_ref r̂(x|θ_A), normalised to L σ(θ_A), per variant', () => {
    const thetaA = Float64Array.of(0.5, 0.3);
    const asimov = parametrisedAsimov(term, thetaA, 100);
    expect(asimov.weights).toHaveLength(K + 1);
    for (let v = 0; v <= K; v++) {
      const w = asimov.weights[v]!;
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(100 * sigma0 * sigmaRatio([0.5, 0.3]), 8);
      const lr = term.logRatios(term.eventData(reference.values, reference.count), thetaA, v, 0).value;
      // w_i / (w_ref,i r̂_i) is one constant
      const ratio0 = w[0] / (reference.weights[0] * Math.exp(lr[0]));
      for (const i of [1, 57, 299]) expect(w[i] / (reference.weights[i] * Math.exp(lr[i]))).toBeCloseTo(ratio0, 10);
    }
    // through the term's interface, as the service asks
    const viaTerm = term.asimov(thetaA, Int32Array.of(0, 1), { luminosity: 100, luminosityScale: 1, rate: true, variant: 0 });
    expect(viaTerm.weights[1]).toEqual(asimov.weights[1]);
  });

  it('has its Asimov likelihood minimal exactly at θ_A, for every variant, although the network is not normalised (Gibbs with Z)', () => {
    const thetaA = Float64Array.of(-0.6, 0.9);
    for (const rate of [true, false]) {
      const data: LikelihoodData = { luminosity: 100, rate, terms: { param: parametrisedAsimov(term, thetaA, 100) } };
      for (let v = 0; v <= K; v++) {
        const gradient = new Float64Array(P);
        const hessian = new Float64Array(P * P);
        const at = likelihood.nll(thetaA, data, v, { gradient, hessian });
        expect(Math.abs(gradient[0]) + Math.abs(gradient[1])).toBeLessThan(1e-8 * Math.abs(at));
        // a minimum, not a saddle: the Hessian is positive definite
        expect(hessian[0]).toBeGreaterThan(0);
        expect(hessian[0] * hessian[3] - hessian[1] * hessian[2]).toBeGreaterThan(0);
        for (const step of [Float64Array.of(0.05, 0), Float64Array.of(-0.03, 0.04)]) expect(likelihood.nll(Float64Array.of(thetaA[0] + step[0], thetaA[1] + step[1]), data, v)).toBeGreaterThan(at);
      }
    }
  });

  it('gives ln r(x|θ, θ0) = ln r̂ − ln Z per event for the ratio route, from the network on (x, θ)', () => {
    const data = term.eventData(events, n);
    const got = term.eventLogRatios(data, Float64Array.of(-0.4, 0.8), Int32Array.of(0, 1), 1);
    const lnZ = directLogNormalisation([-0.4, 0.8], 1);
    directLogRatios([-0.4, 0.8], 1).forEach((v, i) => expect(got[i]).toBeCloseTo(v - lnZ, 12));
  });

  it('checks submitted events and reorders columns; refuses counts, wrong widths, non-finite values and bad weights with paths', () => {
    const swapped = new Float64Array(n * D);
    for (let i = 0; i < n; i++) swapped.set([events[i * D + 1], events[i * D]], i * D);
    const data = term.submitted({ events: { values: swapped, count: n, observables: ['x2', 'x1'] } });
    expect(Array.from(term.eventLogRatios(data, Float64Array.of(0, 0), Int32Array.of(0, 1)))).toEqual(Array.from(term.eventLogRatios(term.eventData(events, n), Float64Array.of(0, 0), Int32Array.of(0, 1))));
    expect(() => term.submitted({ binned: { a: [1] } })).toThrow(DatasetError);
    expect(() => term.submitted({ events: { values: new Float64Array(3), count: 2, observables: ['x1', 'x2'] } })).toThrow(/2 values each/);
    try {
      term.submitted({ events: { values: Float64Array.of(1, 2, NaN, 4), count: 2, observables: ['x1', 'x2'] } });
      expect.unreachable();
    } catch (error) {
      expect((error as DatasetError).path).toEqual(['events', 1, 0]);
    }
    expect(() => term.submitted({ events: { values: new Float64Array(4), count: 2, observables: ['x1', 'x2'] }, weights: [1, -1] })).toThrow(/non-negative/);
  });

  it("takes Z ≡ 1 with normalisation 'none': −Σ w ln r̂ alone, and ln r = ln r̂", () => {
    const raw = createUnbinnedParametrisedTerm({ name: 'param', parameters, basis, sigma0, crossSection, normalisation: 'none', events: { network, observables: ['x1', 'x2'], reference, observed: null } });
    const l = createLikelihood(parameters, [raw], 100);
    const theta = [0.9, 0.4];
    const logSum = directLogRatios(theta, 2).reduce((s, v, i) => s + weights[i] * v, 0);
    expect(l.nll(Float64Array.from(theta), { luminosity: 100, rate: false, terms: { param: raw.eventData(events, n, weights) } }, 2)).toBeCloseTo(-logSum, 9);
    const lr = raw.eventLogRatios(raw.eventData(events, n), Float64Array.from(theta), Int32Array.of(0, 1), 2);
    directLogRatios(theta, 2).forEach((v, i) => expect(lr[i]).toBeCloseTo(v, 12));
  });

  it('reports a non-positive σ(θ) as undefined, never a number', () => {
    const bad = createUnbinnedParametrisedTerm({ name: 'bad', parameters, basis, sigma0, crossSection: Float64Array.of(1, 0, 0, -1, 0, 0), events: { network, observables: ['x1', 'x2'], reference, observed: null } });
    const l = createLikelihood(parameters, [bad], 100);
    expect(() => l.nll(Float64Array.of(1.5, 0), { luminosity: 100, rate: true, terms: { bad: bad.eventData(events, n) } })).toThrow(NonPositiveRateError);
  });

  it('refuses a network that does not take the observables and θ to one identity output', () => {
    const wrong = randomNetwork(random, { inputs: D + P + 1, hidden: [3], raw: 1, head: { kind: 'identity' }, activations: ['tanh', 'linear'] });
    expect(() => createUnbinnedParametrisedTerm({ name: 'w', parameters, basis, sigma0, crossSection, events: { network: wrong, observables: ['x1', 'x2'], reference, observed: null } })).toThrow(/2 observables and 2 parameters/);
  });
});
