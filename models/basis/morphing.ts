/**
 * Morphing (seed 003 sec. 2.1, eq. 20-25): a polynomial in θ is fixed by its values at as
 * many benchmark points θ_i as it has coefficients, so any density whose θ-dependence is
 * polynomial can be written as a combination of the densities at those points.
 *
 * With the monomial basis m(Δθ) of monomial-basis.ts and the unnormalised ratio
 * R(x|θ) = dσ(x|θ)/dσ(x|θ0) = c(x)·m(Δθ) (eq. 27), the benchmarks' values R_i(x) = R(x|θ_i)
 * are R = W c with the morphing matrix
 *
 *     W_ia = m_a(Δθ_i)                                                  (B × C, B = C)
 *
 * (eq. 24's M with the σ(θ_i) moved into R_i), so c(x) = W⁻¹ R(x) and
 *
 *     R(x|θ) = Σ_i w_i(θ) R_i(x),   w(θ)ᵀ = m(Δθ)ᵀ W⁻¹                  (eq. 25)
 *
 * and for the normalised densities p(x|θ) = Σ_i w_i(θ) σ(θ_i)/σ(θ) p(x|θ_i) (eq. 23). The
 * w_i are polynomials in θ on the same basis: the columns of W⁻¹ are their coefficients.
 *
 * A morphing-aware estimator learns r_i(x) = p(x|θ_i)/p(x|θ0) = R_i(x) σ0/σ(θ_i) at each
 * benchmark and freezes them into the polynomial coefficients
 *
 *     ĉ(x) = W⁻¹ diag(σ(θ_i)/σ0) r̂(x)                                  (`morphedCoefficients`)
 *
 * which the unbinned polynomial term evaluates like any other ĉ. Large entries of W⁻¹
 * (a large condition number of W) multiply the networks' errors; benchmarks along the axes
 * (app. C, `axisBenchmarks`) keep W close to triangular.
 */
import { invert, symmetricEigen } from '../numeric/linear-algebra.js';
import { evaluateMonomials, monomialBasis, type MonomialBasis } from './monomial-basis.js';

export interface Morphing {
  readonly basis: MonomialBasis;
  /** number of benchmarks B (= basis size C) */
  readonly count: number;
  /** benchmark offsets Δθ_i = θ_i − θ0, row-major B × P */
  readonly benchmarks: Float64Array;
  /** W, row-major B × C: W_ia = m_a(Δθ_i) */
  readonly matrix: Float64Array;
  /** W⁻¹, row-major C × B: column i holds the coefficients of the weight polynomial w_i */
  readonly inverse: Float64Array;
  /** the 2-norm condition number of W, σ_max/σ_min */
  readonly conditionNumber: number;
}

/** Condition numbers beyond this are refused: the morphed coefficients would be noise. */
export const MAX_MORPHING_CONDITION = 1e10;

/**
 * The morphing of the degree-`degree` polynomials in P parameters through the benchmark
 * offsets `benchmarks` (each of length P). Throws a RangeError when their number is not the
 * basis size or when W is singular or conditioned worse than MAX_MORPHING_CONDITION.
 *
 * @example
 * // one parameter, degree 2, benchmarks θ0 and θ0 ± 1: Lagrange interpolation
 * morphingWeights(morphing(1, 2, [[0], [-1], [1]]), [0.5]) // → [0.75, −0.125, 0.375]
 */
export function morphing(parameters: number, degree: number, benchmarks: ReadonlyArray<ArrayLike<number>>): Morphing {
  const basis = monomialBasis(parameters, degree);
  const C = basis.size;
  const P = parameters;
  if (benchmarks.length !== C) throw new RangeError(`a degree-${degree} polynomial in ${P} parameter${P === 1 ? '' : 's'} needs ${C} benchmarks, got ${benchmarks.length}`);
  const offsets = new Float64Array(C * P);
  benchmarks.forEach((b, i) => {
    if (b.length !== P) throw new RangeError(`benchmark ${i} has ${b.length} values, expected ${P}`);
    for (let j = 0; j < P; j++) {
      if (!Number.isFinite(b[j])) throw new RangeError(`benchmark ${i} has a non-finite value`);
      offsets[i * P + j] = b[j];
    }
  });
  const matrix = new Float64Array(C * C);
  for (let i = 0; i < C; i++) evaluateMonomials(basis, offsets.subarray(i * P, (i + 1) * P), matrix.subarray(i * C, (i + 1) * C));
  const conditionNumber = matrixConditionNumber(matrix, C);
  const inverse = conditionNumber <= MAX_MORPHING_CONDITION ? invert(matrix, C) : null;
  if (!inverse) throw new RangeError(`the benchmarks do not fix a degree-${degree} polynomial: the morphing matrix has condition number ${conditionNumber.toExponential(2)} (at most ${MAX_MORPHING_CONDITION.toExponential(0)})`);
  return { basis, count: C, benchmarks: offsets, matrix, inverse, conditionNumber };
}

/** σ_max/σ_min of a square n × n matrix, from the eigenvalues of AᵀA (Infinity when singular). */
export function matrixConditionNumber(a: ArrayLike<number>, n: number): number {
  const ata = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[k * n + i] * a[k * n + j];
    ata[i * n + j] = s;
  }
  const { values } = symmetricEigen(ata, n);
  let lo = Infinity;
  let hi = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo > 0 ? Math.sqrt(hi / lo) : Infinity;
}

/** The morphing weights w(θ) (eq. 25): R(x|θ) = Σ_i w_i(θ) R(x|θ_i) for every x. */
export function morphingWeights(m: Morphing, dtheta: ArrayLike<number>, out = new Float64Array(m.count)): Float64Array {
  const C = m.count;
  const monomials = evaluateMonomials(m.basis, dtheta);
  for (let i = 0; i < C; i++) {
    let s = 0;
    for (let a = 0; a < C; a++) s += monomials[a] * m.inverse[a * C + i];
    out[i] = s;
  }
  return out;
}

/**
 * The coefficient matrix A = W⁻¹ diag(σ(θ_i)/σ0), row-major C × B, that turns the normalised
 * benchmark ratios r_i(x) = p(x|θ_i)/p(x|θ0) into the polynomial coefficients ĉ(x) = A r(x).
 */
export function morphingCoefficientMatrix(m: Morphing, crossSectionRatios: ArrayLike<number>): Float64Array {
  const C = m.count;
  if (crossSectionRatios.length !== C) throw new RangeError(`expected ${C} cross-section ratios, got ${crossSectionRatios.length}`);
  const a = new Float64Array(C * C);
  for (let k = 0; k < C; k++) for (let i = 0; i < C; i++) a[k * C + i] = m.inverse[k * C + i] * crossSectionRatios[i];
  return a;
}

/** ĉ = A r for one event: `ratios` the B normalised benchmark ratios, written into `out` (C values from `offset`). */
export function morphedCoefficients(coefficientMatrix: ArrayLike<number>, ratios: ArrayLike<number>, out: Float64Array | Float32Array, offset = 0): void {
  const B = ratios.length;
  for (let k = 0; k < B; k++) {
    let s = 0;
    for (let i = 0; i < B; i++) s += coefficientMatrix[k * B + i] * ratios[i];
    out[offset + k] = s;
  }
}

/**
 * Benchmarks along the axes for a degree-2 polynomial (seed 003 app. C): θ0 first, then
 * θ0 ± s_j e_j for each parameter j, then θ0 + s_j e_j + s_k e_k for each pair j < k (the
 * mixed terms). `spread` gives s per parameter (or one s for all). The matrix is then block
 * triangular, with condition number of order max(s, 1/s)².
 */
export function axisBenchmarks(parameters: number, spread: number | ArrayLike<number>): number[][] {
  const P = parameters;
  const s = typeof spread === 'number' ? Array.from({ length: P }, () => spread) : Array.from(spread);
  if (s.length !== P || s.some((v) => !(Number.isFinite(v) && v > 0))) throw new RangeError(`spread needs ${P} positive values`);
  const out: number[][] = [new Array(P).fill(0)];
  for (let j = 0; j < P; j++) {
    for (const sign of [-1, 1]) {
      const b = new Array(P).fill(0);
      b[j] = sign * s[j];
      out.push(b);
    }
  }
  for (let j = 0; j < P; j++) {
    for (let k = j + 1; k < P; k++) {
      const b = new Array(P).fill(0);
      b[j] = s[j];
      b[k] = s[k];
      out.push(b);
    }
  }
  return out;
}
