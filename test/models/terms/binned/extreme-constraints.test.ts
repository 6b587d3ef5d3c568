/**
 * Issue 14, item 1–2: Poisson constraints with τ = 10⁶ … 10¹⁴ (a shapesys of relative width
 * 1e-3 … 1e-7 in one bin, the class of a real three-lepton search). −ln L against 60-digit
 * arithmetic, fits against a Newton step taken in 60-digit arithmetic from the fit's point, and
 * CLs limits against the limit of the same workspace with that bin known exactly.
 */
import type Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { maximumLikelihood } from '../../../../models/inference/mle.js';
import { upperLimit } from '../../../../models/inference/intervals/upper-limit.js';
import { importWorkspace, pyhfLikelihood } from '../../../../models/pyhf/import.js';
import { createRandom } from '../../../../models/random.js';
import { ExactDecimal as D, exact } from '../../../../scripts/reference/exact-poisson.js';
import { exactExtremeNll, extremeWorkspace, shapeTau, type ExtremePoint } from '../../../helpers/extreme-workspace.js';

const PRECISIONS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7];

function build(precision: number, normsys = false) {
  return pyhfLikelihood(importWorkspace(extremeWorkspace(precision, { normsys })));
}

/** the engine's parameter vector for a point of doubles */
function vector(names: readonly string[], point: ExtremePoint): Float64Array {
  const value: Record<string, Decimal.Value> = { mu: point.mu, lumi: point.lumi, 'stat_CR[0]': point.stat[0], 'stat_CR[1]': point.stat[1], bkg_norm: point.alpha ?? 0 };
  point.shape.forEach((v, b) => (value[`bkg_shape[${b}]`] = v));
  return Float64Array.from(names, (name) => {
    if (!(name in value)) throw new Error(`unexpected parameter ${name}`);
    return Number(value[name]);
  });
}

function pointOf(names: readonly string[], x: readonly Decimal[]): ExtremePoint {
  const at = (name: string) => x[names.indexOf(name)];
  return { mu: at('mu'), lumi: at('lumi'), stat: [at('stat_CR[0]'), at('stat_CR[1]')], shape: [at('bkg_shape[0]'), at('bkg_shape[1]'), at('bkg_shape[2]')] };
}

describe('Poisson constraints at extreme scales (issue 14)', () => {
  it('−ln L agrees with 60-digit arithmetic to 1e-13 relative at the initial point and at random points, for τ up to 10¹⁴', () => {
    const random = createRandom(1414);
    const gauss = () => random.normal();
    for (const precision of PRECISIONS) {
      const { likelihood, data } = build(precision, true);
      const tau = shapeTau(precision);
      const points: ExtremePoint[] = [{ mu: 1, lumi: 1, shape: [1, 1, 1], stat: [1, 1], alpha: 0 }];
      for (const alpha of [1, -1, 2.5, -1.7]) {
        // each shapesys γ_b within a few widths 1/√τ_b of 1, the extreme one included
        const shape = tau.map((t) => 1 + 2 * gauss() / Math.sqrt(t)) as [number, number, number];
        points.push({ mu: 3 * random.uniform(), lumi: 1 + 0.03 * gauss(), shape, stat: [1 + 0.05 * gauss(), 1 + 0.05 * gauss()], alpha });
      }
      for (const point of points) {
        const reference = exactExtremeNll(precision, point);
        const value = likelihood.nll(vector(likelihood.names, point), data);
        const relative = exact(value).minus(reference).abs().div(reference).toNumber();
        expect(relative, `precision ${precision}, ${JSON.stringify(point)}`).toBeLessThan(1e-13);
      }
    }
  });

  it('fits converge to the minimum found in 60-digit arithmetic: −ln L to 1e-12, parameters to 1e-6 of their uncertainties', () => {
    for (const precision of PRECISIONS) {
      const { likelihood, data } = build(precision);
      const fit = maximumLikelihood(likelihood, data);
      expect(fit.converged, `${precision}: ${fit.message}`).toBe(true);
      expect(fit.edm).toBeLessThan(1e-10);

      const names = likelihood.names;
      const f = (x: Decimal[]) => exactExtremeNll(precision, pointOf(names, x));
      const polished = exactNewtonStep(f, Array.from(fit.parameters, (v) => exact(v)), Array.from(fit.uncertainties));
      const exactMinimum = f(polished.x);
      expect(exact(fit.nll).minus(exactMinimum).abs().div(exactMinimum).toNumber(), `${precision}`).toBeLessThan(1e-12);
      names.forEach((name, i) => {
        const sigma = polished.sigma[i];
        expect(Math.abs(fit.parameters[i] - polished.x[i].toNumber()) / sigma, `${precision}: ${name}`).toBeLessThan(1e-6);
        // the polished point is a minimum: a step of 1% of σ either way raises −ln L
        for (const side of [-1, 1]) {
          const moved = polished.x.slice();
          moved[i] = moved[i].plus(side * 0.01 * sigma);
          expect(f(moved).gt(exactMinimum), `${precision}: ${name} ${side}`).toBe(true);
        }
      });
      // the extreme nuisance is resolved at its own scale: its uncertainty is about its constraint width
      const extreme = names.indexOf('bkg_shape[1]');
      expect(fit.uncertainties[extreme] * Math.sqrt(shapeTau(precision)[1])).toBeGreaterThan(0.5);
      expect(fit.uncertainties[extreme] * Math.sqrt(shapeTau(precision)[1])).toBeLessThan(1.01);
    }
  });

  it('CLs upper limits converge and tend to the limit of the same workspace with the bin known exactly (δ = 0)', () => {
    const tolerance = 1e-10;
    const { likelihood, data } = build(0, true);
    const exactlyKnown = upperLimit(likelihood, data, 'mu', { tolerance });
    expect(exactlyKnown.converged).toBe(true);
    const known = [exactlyKnown.observed, ...exactlyKnown.expected] as number[];
    const gaps = PRECISIONS.map((precision) => {
      const extreme = build(precision, true);
      const limit = upperLimit(extreme.likelihood, extreme.data, 'mu', { tolerance });
      expect(limit.converged, limit.messages.join('; ')).toBe(true);
      return Math.max(...[limit.observed, ...limit.expected].map((v, k) => Math.abs(v! / known[k] - 1)));
    });
    // The bin's background variance grows by (40 δ)² against the Poisson 47: a relative 34 δ²,
    // which bounds the limits' shift; each decade of δ shrinks the shift a hundredfold, down
    // to the root finder's tolerance.
    PRECISIONS.forEach((precision, i) => {
      expect(gaps[i]).toBeLessThan((40 * precision) ** 2 / 47);
      if (i > 0) expect(gaps[i]).toBeLessThan(Math.max(gaps[i - 1] / 50, 1e-9));
    });
  });
});

/**
 * One Newton step x − H⁻¹∇f in decimal arithmetic with central-difference derivatives (steps of
 * 10⁻¹² of each parameter's uncertainty: in 60 digits the differences keep ~35 of them), and the
 * uncertainties √(H⁻¹)_ii there. From a point within 10⁻⁵ σ of the minimum one step lands within
 * ~10⁻¹⁰ σ of it.
 */
function exactNewtonStep(f: (x: Decimal[]) => Decimal, x: Decimal[], sigma: number[]): { x: Decimal[]; sigma: number[] } {
  const n = x.length;
  const h = sigma.map((s) => exact(s).mul(1e-12));
  const at = (shifts: [number, number][]) => {
    const y = x.slice();
    for (const [i, s] of shifts) y[i] = y[i].plus(h[i].mul(s));
    return f(y);
  };
  const f0 = f(x);
  const g = x.map((_, i) => at([[i, 1]]).minus(at([[i, -1]])).div(h[i].mul(2)));
  const H: Decimal[][] = x.map(() => new Array<Decimal>(n));
  for (let i = 0; i < n; i++) {
    H[i][i] = at([[i, 1]]).minus(f0.mul(2)).plus(at([[i, -1]])).div(h[i].mul(h[i]));
    for (let j = 0; j < i; j++) {
      const mixed = at([[i, 1], [j, 1]]).minus(at([[i, 1], [j, -1]])).minus(at([[i, -1], [j, 1]])).plus(at([[i, -1], [j, -1]]));
      H[i][j] = H[j][i] = mixed.div(h[i].mul(h[j]).mul(4));
    }
  }
  const step = solve(H, g);
  const inverseDiagonal = x.map((_, i) => solve(H, x.map((__, j) => new D(i === j ? 1 : 0)))[i]);
  return { x: x.map((v, i) => v.minus(step[i])), sigma: inverseDiagonal.map((v) => Math.sqrt(v.toNumber())) };
}

/** A x = b by Gaussian elimination with partial pivoting, in decimal arithmetic. */
function solve(A: Decimal[][], b: Decimal[]): Decimal[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (M[r][c].abs().gt(M[pivot][c].abs())) pivot = r;
    [M[c], M[pivot]] = [M[pivot], M[c]];
    for (let r = c + 1; r < n; r++) {
      const factor = M[r][c].div(M[c][c]);
      for (let k = c; k <= n; k++) M[r][k] = M[r][k].minus(factor.mul(M[c][k]));
    }
  }
  const x = new Array<Decimal>(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s = s.minus(M[r][k].mul(x[k]));
    x[r] = s.div(M[r][r]);
  }
  return x;
}
