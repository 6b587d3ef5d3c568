import { describe, expect, it } from 'vitest';
import { evaluateMonomials, monomialBasis } from '../../../models/basis/monomial-basis.js';
import { sumOfSquaresCoefficients, sumOfSquaresLayout } from '../../../models/basis/sum-of-squares.js';
import { createLikelihood } from '../../../models/likelihood/likelihood.js';
import { NonPositiveRateError } from '../../../models/likelihood/term.js';
import { createRandom } from '../../../models/random.js';
import { createUnbinnedPolynomialTerm, crossSectionFromReference, unbinnedAsimov, type UnbinnedData, polynomialTerms } from '../../../models/terms/unbinned-polynomial.js';
import { toyDensity, toyExtendedNll, twoGaussianToy } from '../../../models/toys/two-gaussian.js';
import { eventData, exactToyCoefficients, interest, toyEvents, toyLikelihood } from '../../helpers/toy-likelihood.js';

const toy = twoGaussianToy(1.5, 0.7);
const sigma0 = 10;
const L = 100;

describe('unbinned polynomial term on the exact two-Gaussian toy', () => {
  const events = toyEvents(toy, 0.4, 1200, 11);
  const likelihood = toyLikelihood(sigma0, L);
  const data = eventData(exactToyCoefficients(toy, events), events.length, L);
  const nll = (theta: number) => likelihood.nll(Float64Array.of(theta), data);

  it('NLL differences equal the closed-form extended likelihood (eq. 49) to 1e-9 relative', () => {
    const closed = (theta: number) => toyExtendedNll(toy, events, theta, L, sigma0);
    for (const [a, b] of [[0.1, 0.5], [-0.3, 0.9], [0, 1.7], [-1.2, 0.35]]) {
      const ours = nll(a) - nll(b);
      const truth = closed(a) - closed(b);
      expect(Math.abs(ours - truth)).toBeLessThan(1e-9 * Math.abs(truth));
    }
  });

  it('the shape-only NLL equals −Σ ln p(x|θ) + Σ ln p(x|θ0) with p of eq. 43', () => {
    const shape = eventData(exactToyCoefficients(toy, events), events.length, L, null, false);
    for (const theta of [0.2, -0.8, 1.3]) {
      let truth = 0;
      for (const x of events) truth -= Math.log(toyDensity(toy, x, theta)) - Math.log(toyDensity(toy, x, 0));
      const ours = likelihood.nll(Float64Array.of(theta), shape);
      expect(Math.abs(ours - truth)).toBeLessThan(1e-9 * Math.abs(truth));
    }
  });

  it('unit weights give the same NLL as no weights; weights scale event terms', () => {
    const weighted = eventData((data.terms.toy as UnbinnedData).coefficients[0], events.length, L, new Float64Array(events.length).fill(1));
    expect(likelihood.nll(Float64Array.of(0.7), weighted)).toBeCloseTo(nll(0.7), 9);
    const doubled = eventData((data.terms.toy as UnbinnedData).coefficients[0], events.length, L, new Float64Array(events.length).fill(2));
    const rateTerm = L * sigma0 * (1 + 0.49);
    expect(likelihood.nll(Float64Array.of(0.7), doubled) - rateTerm).toBeCloseTo(2 * (nll(0.7) - rateTerm), 8);
  });

  it('the batched kernel equals point-by-point evaluation', () => {
    const thetas = Float64Array.from({ length: 50 }, (_, k) => -2 + (4 * k) / 49);
    const [term] = polynomialTerms(likelihood);
    const batch = term.nllBatch(thetas, thetas.length, data.terms.toy as UnbinnedData, { luminosity: L, rate: true, variant: 0 });
    thetas.forEach((t, k) => expect(Math.abs(batch[k] - nll(t))).toBeLessThan(1e-10 * Math.abs(nll(t))));
  });
});

describe('unbinned polynomial term with three parameters', () => {
  // Random non-negative ratios from the sum-of-squares head: R(θ) = v(Δθ)ᵀ L Lᵀ v(Δθ) ≥ 0.
  const P = 3;
  const basis = monomialBasis(P, 2);
  const C = basis.size;
  const layout = sumOfSquaresLayout(P, 2, true);
  const random = createRandom(5);
  const N = 400;
  const coefficients = new Float64Array(N * C);
  const raw = new Float64Array(layout.rawSize);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < raw.length; k++) raw[k] = 0.4 * random.normal();
    sumOfSquaresCoefficients(layout, raw, 0, coefficients, i * C);
  }
  const s = crossSectionFromReference(coefficients, N, C, null);
  const params = [interest('a', [-3, 3]), interest('b', [-3, 3]), interest('c', [-3, 3])];
  const term = createUnbinnedPolynomialTerm({ name: 'toy', parameters: params, degree: 2, basis, sigma0: 2, crossSection: [s] });
  const likelihood = createLikelihood(params, [term], 50);
  const weights = Float64Array.from({ length: N }, () => 0.5 + random.uniform());

  for (const rate of [true, false]) {
    it(`gradient and Hessian equal central finite differences (rate: ${rate})`, () => {
      const data = eventData(coefficients, N, 50, weights, rate);
      const x = Float64Array.of(0.3, -0.45, 0.2);
      const g = new Float64Array(3);
      const H = new Float64Array(9);
      const f0 = likelihood.nll(x, data, 0, { gradient: g, hessian: H });
      expect(f0).toBeCloseTo(likelihood.nll(x, data), 10);
      const f = (y: Float64Array) => likelihood.nll(y, data);
      const h = 1e-5;
      for (let i = 0; i < 3; i++) {
        const xp = Float64Array.from(x);
        const xm = Float64Array.from(x);
        xp[i] += h;
        xm[i] -= h;
        const fd = (f(xp) - f(xm)) / (2 * h);
        expect(Math.abs(g[i] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        const gp = new Float64Array(3);
        const gm = new Float64Array(3);
        likelihood.nll(xp, data, 0, { gradient: gp });
        likelihood.nll(xm, data, 0, { gradient: gm });
        for (let j = 0; j < 3; j++) {
          const fd2 = (gp[j] - gm[j]) / (2 * h);
          expect(Math.abs(H[i * 3 + j] - fd2)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd2)));
        }
      }
    });
  }

  it('Asimov weights sum to L σ(θ_A) when s is the reference mean (eq. 34)', () => {
    const reference = { count: N, coefficients: [coefficients], weights: [null] };
    const at = Float64Array.of(0.5, -0.2, 0.1);
    const asimov = unbinnedAsimov(term, reference, at, 50);
    const total = asimov.weights[0]!.reduce((a, b) => a + b, 0);
    const sigma = 2 * s.reduce((acc, sk, k) => acc + sk * evaluateMonomials(basis, at)[k], 0);
    expect(total).toBeCloseTo(50 * sigma, 9);
    // The Asimov NLL has zero gradient at θ_A.
    const g = new Float64Array(3);
    likelihood.nll(at, { luminosity: 50, rate: true, terms: { toy: asimov } }, 0, { gradient: g });
    for (const gi of g) expect(Math.abs(gi)).toBeLessThan(1e-9 * total);
  });

  it('reports a non-positive ratio instead of clipping it', () => {
    const bad = Float64Array.from(coefficients);
    bad[7 * C] = 1;
    bad[7 * C + 1] = 10; // R = 1 + 10 a goes negative at a = −0.2
    const data = eventData(bad, N, 50);
    expect(() => likelihood.nll(Float64Array.of(-0.5, 0, 0), data)).toThrow(NonPositiveRateError);
    expect(() => likelihood.nll(Float64Array.of(-0.5, 0, 0), data)).toThrow(/event 7/);
  });
});
