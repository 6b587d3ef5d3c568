/**
 * Positive-semidefinite polynomial heads and positivity checks (DESIGN.md, "The central
 * idea: polynomial event weights": a learned ratio must never be negative for any θ, and
 * clipping is not acceptable).
 *
 * A degree-d polynomial (d even) in P parameters that is non-negative for every θ by
 * construction is a sum of squares:
 *
 *     R(θ) = v(Δθ)ᵀ A v(Δθ),   A = L Lᵀ,   v = the monomials of degree ≤ d/2,
 *
 * with L lower-triangular V×V, V = basisSize(P, d/2). A network head outputs the entries of
 * L; `sumOfSquaresCoefficients` turns them into the coefficient vector c on the degree-d
 * monomial basis (monomial-basis.ts), c_γ = Σ_{a,b: e_a+e_b=γ} A_ab, so R(θ) = c·m(Δθ) like
 * every other polynomial in the project. For d = 2, v = (1, Δθ) and A is exactly the Gram
 * matrix of `quadraticGramMatrix`; every PSD quadratic has such a form, so the
 * parametrisation loses nothing there (for d ≥ 4 and P ≥ 2 not every non-negative
 * polynomial is a sum of squares, but every one this head produces is non-negative).
 *
 * Packing of L in the raw outputs: row-major over the lower triangle,
 *
 *     L_00, L_10, L_11, L_20, L_21, L_22, …,   L_ab (b ≤ a) at a(a+1)/2 + b,
 *
 * rows and columns indexed by the degree-≤d/2 monomials in the basis order (graded, then
 * lexicographic; index 0 is the constant monomial 1). With `fixReference`, L_00 is not an
 * output but fixed to 1 and every other index moves down by one (L_ab at a(a+1)/2 + b − 1),
 * so c_0 = A_00 = 1: the ratio is exactly 1 at θ0. The diagonal of L is used as is (no
 * exp/softplus): A = LLᵀ is PSD for any real L.
 */
import { cholesky, symmetricEigenInPlace } from '../numeric/linear-algebra.js';
import { basisSize, evaluateMonomials, monomialBasis, type MonomialBasis } from './monomial-basis.js';

export { minimumEigenvalue, symmetricEigen } from '../numeric/linear-algebra.js';

export interface SumOfSquaresLayout {
  /** number of parameters P */
  readonly parameters: number;
  /** degree d of the polynomial (even) */
  readonly degree: number;
  /** L_00 fixed to 1 (not an output) */
  readonly fixReference: boolean;
  /** V = basisSize(P, d/2): the size of v and of L */
  readonly halfSize: number;
  /** number of raw outputs: V(V+1)/2, minus 1 with fixReference */
  readonly rawSize: number;
  /** C = basisSize(P, d): the number of coefficients produced */
  readonly size: number;
  /** the degree-d monomial basis the coefficients are on */
  readonly basis: MonomialBasis;
  /**
   * For each pair a ≥ b (packed like L, index a(a+1)/2 + b): the index in the degree-d
   * basis of the monomial v_a·v_b, and the multiplicity (1 on the diagonal, 2 off it, since
   * A is symmetric and both A_ab and A_ba contribute).
   */
  readonly pairTarget: Int32Array;
  readonly pairWeight: Float64Array;
}

const layoutCache = new Map<string, SumOfSquaresLayout>();

/** The layout of a sum-of-squares head: how many raw outputs, and the index map to c. */
export function sumOfSquaresLayout(parameters: number, degree: number, fixReference: boolean): SumOfSquaresLayout {
  if (!Number.isInteger(degree) || degree < 0 || degree % 2 !== 0) throw new RangeError(`sum-of-squares degree must be an even non-negative integer, got ${degree}`);
  const key = `${parameters}:${degree}:${fixReference}`;
  const hit = layoutCache.get(key);
  if (hit) return hit;
  const basis = monomialBasis(parameters, degree);
  const P = parameters;
  const V = basisSize(P, degree / 2);
  // The degree-≤d/2 monomials are the first V of the degree-d basis (graded order).
  const index = new Map<string, number>();
  for (let k = 0; k < basis.size; k++) index.set(basis.exponents.subarray(k * P, (k + 1) * P).join(','), k);
  const pairs = (V * (V + 1)) / 2;
  const pairTarget = new Int32Array(pairs);
  const pairWeight = new Float64Array(pairs);
  const e = new Array<number>(P);
  for (let a = 0; a < V; a++) {
    for (let b = 0; b <= a; b++) {
      for (let i = 0; i < P; i++) e[i] = basis.exponents[a * P + i] + basis.exponents[b * P + i];
      const t = index.get(e.join(','));
      if (t === undefined) throw new Error('internal: product monomial missing from the basis');
      const p = (a * (a + 1)) / 2 + b;
      pairTarget[p] = t;
      pairWeight[p] = a === b ? 1 : 2;
    }
  }
  const layout: SumOfSquaresLayout = {
    parameters: P,
    degree,
    fixReference,
    halfSize: V,
    rawSize: pairs - (fixReference ? 1 : 0),
    size: basis.size,
    basis,
    pairTarget,
    pairWeight,
  };
  layoutCache.set(key, layout);
  return layout;
}

/**
 * Coefficients c (length C, on the degree-d basis) of vᵀ L Lᵀ v from the packed entries of
 * L read at raw[rawOffset …] (layout.rawSize of them), written to out[outOffset …].
 * A_ab = Σ_{k ≤ b} L_ak L_bk (a ≥ b), c_γ = Σ_{a ≥ b, e_a+e_b=γ} w_ab A_ab with w = 1 on
 * the diagonal and 2 off it. Cost O(V³/6) per call; no allocation.
 */
export function sumOfSquaresCoefficients(
  layout: SumOfSquaresLayout,
  raw: ArrayLike<number>,
  rawOffset: number,
  out: { [k: number]: number; length: number },
  outOffset: number,
): void {
  const { halfSize: V, size: C, pairTarget, pairWeight, fixReference } = layout;
  for (let k = 0; k < C; k++) out[outOffset + k] = 0;
  // L_ab lives at raw[base + a(a+1)/2 + b]; with fixReference, base = rawOffset − 1 and L_00 = 1.
  const base = fixReference ? rawOffset - 1 : rawOffset;
  for (let a = 0; a < V; a++) {
    const rowA = base + (a * (a + 1)) / 2;
    for (let b = 0; b <= a; b++) {
      const rowB = base + (b * (b + 1)) / 2;
      let s = 0;
      let k = 0;
      if (fixReference) {
        // k = 0 column: L_a0 L_b0 with L_00 = 1
        s = (a === 0 ? 1 : raw[rowA]) * (b === 0 ? 1 : raw[rowB]);
        k = 1;
      }
      for (; k <= b; k++) s += raw[rowA + k] * raw[rowB + k];
      const p = (a * (a + 1)) / 2 + b;
      out[outOffset + pairTarget[p]] += pairWeight[p] * s;
    }
  }
}

/**
 * The symmetric (P+1)×(P+1) Gram matrix Q (row-major) of a quadratic on the degree-2 basis,
 * Q_00 = c_0, Q_0i = c_i/2, Q_ii = c_ii, Q_ij = c_ij/2 (i ≠ j), so that
 * p(Δθ) = [1, Δθ]ᵀ Q [1, Δθ]. p ≥ 0 on all of R^P iff Q is positive semidefinite.
 * `coefficients` must hold basisSize(P, 2) values (from `offset`).
 */
export function quadraticGramMatrix(coefficients: ArrayLike<number>, parameters: number, offset = 0, out: Float64Array = new Float64Array((parameters + 1) * (parameters + 1))): Float64Array {
  const P = parameters;
  const n = P + 1;
  out[0] = coefficients[offset];
  for (let i = 0; i < P; i++) {
    out[i + 1] = out[(i + 1) * n] = coefficients[offset + 1 + i] / 2;
  }
  // Degree-2 monomials in basis order: (i, j) with i ≤ j, lexicographic.
  let k = offset + 1 + P;
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) {
      const c = coefficients[k++];
      if (i === j) out[(i + 1) * n + i + 1] = c;
      else out[(i + 1) * n + j + 1] = out[(j + 1) * n + i + 1] = c / 2;
    }
  }
  return out;
}

export interface PositivityResult {
  /** whether the polynomial was found non-negative (within the tolerance) */
  nonNegative: boolean;
  /**
   * 'gram-matrix': exact, on all of R^P (degree ≤ 2; `minimum` is then the smallest
   * eigenvalue of the Gram matrix Q, not a value of the polynomial);
   * 'grid': the polynomial's minimum over a grid in the given ranges, a necessary check only.
   */
  method: 'gram-matrix' | 'grid';
  /** smallest eigenvalue of Q ('gram-matrix') or smallest value on the grid ('grid') */
  minimum: number;
  /** a Δθ (offset from the reference point) where the polynomial is negative, when one was found */
  at?: number[];
}

export interface PositivityOptions {
  /**
   * Relative tolerance: a negative value counts as an offence only below
   * −tolerance·scale, with scale the largest |Q_ij| ('gram-matrix') or the largest |value|
   * on the grid ('grid'). Default 1e-9 (float32 coefficients of a PSD head can round Q to
   * slightly indefinite only at the 1e-7 level when Q is near singular; pass a larger
   * tolerance for such inputs).
   */
  tolerance?: number;
  /**
   * grid points per parameter for degree > 2 (default: about 20 000 points in all for one
   * polynomial, about 250 for a batch, 3 to 101 per axis; the ends of each range included)
   */
  gridPoints?: number;
  /** start of the coefficient vector in `coefficients` (default 0) */
  offset?: number;
}

/** Ranges are in Δθ (offsets from the reference point), one [low, high] per parameter. */
export type ParameterRanges = ReadonlyArray<readonly [number, number]>;

interface GramWork {
  quadratic: Float64Array;
  q: Float64Array;
  vectors: Float64Array;
  values: Float64Array;
}

function gramWork(P: number): GramWork {
  const n = P + 1;
  return { quadratic: new Float64Array(basisSize(P, 2)), q: new Float64Array(n * n), vectors: new Float64Array(n * n), values: new Float64Array(n) };
}

function gramCheck(coefficients: ArrayLike<number>, basis: MonomialBasis, offset: number, tolerance: number, work: GramWork): PositivityResult {
  const { quadratic, q, vectors, values } = work;
  const P = basis.parameters;
  const n = P + 1;
  // Lift lower-degree coefficients onto the degree-2 basis (degree 0 and 1 are prefixes of it).
  quadratic.fill(0);
  for (let k = 0; k < basis.size; k++) quadratic[k] = coefficients[offset + k];
  quadraticGramMatrix(quadratic, P, 0, q);
  let scale = 0;
  for (let k = 0; k < n * n; k++) if (Math.abs(q[k]) > scale) scale = Math.abs(q[k]);
  symmetricEigenInPlace(q, vectors, values, n); // q is destroyed
  let iMin = 0;
  for (let i = 1; i < n; i++) if (values[i] < values[iMin]) iMin = i;
  const minimum = values[iMin];
  if (!(minimum >= -tolerance * scale)) {
    // v = eigenvector of λ < 0: p(v_{1:}/v_0) = λ/v_0² < 0 when v_0 ≠ 0; otherwise p is
    // negative along the direction v_{1:} far enough out: p(s·v_{1:}) = s²λ + O(s).
    const v0 = vectors[iMin];
    const dir = Array.from({ length: P }, (_, i) => vectors[(i + 1) * n + iMin]);
    const m = new Float64Array(basis.size);
    const value = (point: number[]) => {
      evaluateMonomials(basis, point, m);
      let val = 0;
      for (let k = 0; k < basis.size; k++) val += coefficients[offset + k] * m[k];
      return val;
    };
    let at: number[] | undefined;
    if (Math.abs(v0) > 1e-6 && value(dir.map((x) => x / v0)) < 0) at = dir.map((x) => x / v0);
    else {
      for (let it = 0, s = 1; it < 64 && !at; it++, s *= 2) {
        const point = dir.map((x) => x * s);
        if (value(point) < 0) at = point;
      }
    }
    const result: PositivityResult = { nonNegative: false, method: 'gram-matrix', minimum };
    if (at) result.at = at;
    return result;
  }
  return { nonNegative: true, method: 'gram-matrix', minimum };
}

interface Grid {
  points: number;
  monomials: Float64Array; // points × C
  deltas: Float64Array; // points × P
  row: Float64Array; // the coefficients being checked (C)
}

function makeGrid(basis: MonomialBasis, ranges: ParameterRanges | undefined, gridPoints: number | undefined, budget: number): Grid {
  const P = basis.parameters;
  if (!ranges) throw new RangeError(`positivity of a degree-${basis.degree} polynomial cannot be decided exactly here: give parameter ranges for a grid check`);
  if (ranges.length !== P) throw new RangeError(`expected ${P} parameter ranges, got ${ranges.length}`);
  for (const [lo, hi] of ranges) if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) throw new RangeError(`invalid range [${lo}, ${hi}]`);
  const perAxis = gridPoints ?? Math.max(3, Math.min(101, Math.floor(Math.pow(budget, 1 / P) + 1e-9)));
  if (!Number.isInteger(perAxis) || perAxis < 1) throw new RangeError(`gridPoints must be a positive integer, got ${gridPoints}`);
  const points = Math.pow(perAxis, P);
  if (points > 1e7) throw new RangeError(`grid of ${points} points is too large; lower gridPoints`);
  const C = basis.size;
  const monomials = new Float64Array(points * C);
  const deltas = new Float64Array(points * P);
  const idx = new Array<number>(P).fill(0);
  const d = new Float64Array(P);
  for (let g = 0; g < points; g++) {
    for (let i = 0; i < P; i++) {
      const [lo, hi] = ranges[i];
      d[i] = perAxis === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * idx[i]) / (perAxis - 1);
      deltas[g * P + i] = d[i];
    }
    evaluateMonomials(basis, d, monomials.subarray(g * C, (g + 1) * C));
    for (let i = 0; i < P; i++) {
      if (++idx[i] < perAxis) break;
      idx[i] = 0;
    }
  }
  return { points, monomials, deltas, row: new Float64Array(C) };
}

function gridCheck(coefficients: ArrayLike<number>, basis: MonomialBasis, offset: number, tolerance: number, grid: Grid): PositivityResult {
  const C = basis.size;
  const P = basis.parameters;
  const { row, monomials } = grid;
  for (let k = 0; k < C; k++) row[k] = coefficients[offset + k];
  let minimum = Infinity;
  let gMin = 0;
  let scale = 0;
  for (let g = 0; g < grid.points; g++) {
    let s = 0;
    const o = g * C;
    for (let k = 0; k < C; k++) s += row[k] * monomials[o + k];
    if (s < minimum || Number.isNaN(s)) {
      minimum = s;
      gMin = g;
      if (Number.isNaN(s)) break;
    }
    if (Math.abs(s) > scale) scale = Math.abs(s);
  }
  const nonNegative = minimum >= -tolerance * scale;
  const result: PositivityResult = { nonNegative, method: 'grid', minimum };
  if (!nonNegative) result.at = Array.from(grid.deltas.subarray(gMin * P, (gMin + 1) * P));
  return result;
}

/**
 * Is the polynomial c·m(Δθ) non-negative? Exact for degree ≤ 2 (non-negative on all of R^P
 * iff the Gram matrix Q of `quadraticGramMatrix` is PSD); for higher degrees, the minimum
 * over a regular grid in `ranges` (Δθ, one [low, high] per parameter), which can find a
 * negative value but cannot prove there is none; `method` says which was done.
 */
export function checkPolynomialPositivity(
  coefficients: ArrayLike<number>,
  basis: MonomialBasis,
  ranges?: ParameterRanges,
  options: PositivityOptions = {},
): PositivityResult {
  const offset = options.offset ?? 0;
  const tolerance = options.tolerance ?? 1e-9;
  if (coefficients.length < offset + basis.size) throw new RangeError(`expected ${basis.size} coefficients, got ${coefficients.length - offset}`);
  if (basis.degree <= 2) {
    return gramCheck(coefficients, basis, offset, tolerance, gramWork(basis.parameters));
  }
  return gridCheck(coefficients, basis, offset, tolerance, makeGrid(basis, ranges, options.gridPoints, 20000));
}

export interface BatchPositivityResult extends PositivityResult {
  /** the first row (event) whose polynomial is negative somewhere, or −1 when none is */
  firstOffendingRow: number;
}

/**
 * `checkPolynomialPositivity` over the rows of an N×C row-major coefficient matrix (one
 * polynomial per event). Stops at the first offending row and reports it, with its
 * minimum and `at`.
 *
 * Degree ≤ 2: a row whose Gram matrix Q passes a Cholesky factorisation is positive
 * definite (up to rounding) and accepted at once; only the others get the Jacobi
 * eigenvalues and the tolerance test. When every row passes, `minimum` is then a lower
 * bound on every row's smallest eigenvalue: the smallest eigenvalue among the rows that
 * needed Jacobi, and 0 where some row was positive definite (so it is exact whenever it is
 * ≤ 0). Cost about 0.1 µs per row for P = 3 when all are positive definite.
 *
 * Degree > 2: the minimum over the grid, shared by all rows (N × grid points × C
 * multiply-adds; default about 250 points, coarse: pass `gridPoints` for a finer one where
 * the time is there); `minimum` is the smallest value found.
 */
export function checkPolynomialPositivityBatch(
  coefficients: ArrayLike<number>,
  rows: number,
  basis: MonomialBasis,
  ranges?: ParameterRanges,
  options: Omit<PositivityOptions, 'offset'> = {},
): BatchPositivityResult {
  const C = basis.size;
  const P = basis.parameters;
  const tolerance = options.tolerance ?? 1e-9;
  if (coefficients.length < rows * C) throw new RangeError(`expected ${rows} × ${C} coefficients, got ${coefficients.length}`);
  let minimum = Infinity;
  if (basis.degree <= 2) {
    const work = gramWork(P);
    const n = P + 1;
    const factor = new Float64Array(n * n);
    for (let r = 0; r < rows; r++) {
      const { quadratic, q } = work;
      quadratic.fill(0);
      for (let k = 0; k < C; k++) quadratic[k] = coefficients[r * C + k];
      quadraticGramMatrix(quadratic, P, 0, q);
      if (cholesky(q, n, factor)) {
        if (minimum > 0) minimum = 0;
        continue;
      }
      const res = gramCheck(coefficients, basis, r * C, tolerance, work);
      if (!res.nonNegative) return { ...res, firstOffendingRow: r };
      if (res.minimum < minimum) minimum = res.minimum;
    }
    return { nonNegative: true, method: 'gram-matrix', minimum, firstOffendingRow: -1 };
  }
  const grid = makeGrid(basis, ranges, options.gridPoints, 250);
  for (let r = 0; r < rows; r++) {
    const res = gridCheck(coefficients, basis, r * C, tolerance, grid);
    if (!res.nonNegative) return { ...res, firstOffendingRow: r };
    if (res.minimum < minimum) minimum = res.minimum;
  }
  return { nonNegative: true, method: 'grid', minimum, firstOffendingRow: -1 };
}

/** Scratch of `nonNegativeQuadratic` for P parameters (allocate once, reuse per event). */
export interface QuadraticProjectionWork {
  readonly parameters: number;
  readonly schur: Float64Array;
  readonly vectors: Float64Array;
  readonly values: Float64Array;
}

export function quadraticProjectionWork(parameters: number): QuadraticProjectionWork {
  const P = parameters;
  return { parameters: P, schur: new Float64Array(P * P), vectors: new Float64Array(P * P), values: new Float64Array(P) };
}

/**
 * Makes the degree-2 polynomial c·m(Δθ) (C = basisSize(P, 2) coefficients from `offset`)
 * non-negative for every θ, in place, keeping c_0 and the linear terms: with the Gram matrix
 * Q = [[c_0, bᵀ/2], [b/2, Q₂]] (quadraticGramMatrix), Q is PSD iff c_0 ≥ 0 and the Schur
 * complement S = Q₂ − bbᵀ/(4c_0) is PSD (c_0 > 0), so the quadratic block becomes
 * S₊ + bbᵀ/(4c_0), S₊ the nearest PSD matrix to S in the Frobenius norm (negative eigenvalues
 * set to 0). A polynomial that is already non-negative is left bit for bit as it was.
 *
 * Why this projection: c_0 = R(θ0) and the linear terms (the score at θ0) are what a
 * likelihood near θ0 rests on; only the curvature is raised, by the least that makes R ≥ 0.
 * Since every true ratio R(x|θ) = E[|amplitude(z, θ)|² | x] has a PSD Gram matrix, the
 * projection moves a learned quadratic block no farther from the truth's (projection onto a
 * convex set that contains it). With c_0 ≤ 0 (not produced by a morphing head, where
 * c_0 = r(θ0) = 1) the whole of Q is projected instead. Non-finite coefficients (a network
 * output beyond the float range) are left as they are: the likelihood then refuses the event
 * instead of evaluating a polynomial made up here.
 *
 * @example
 * // 1 + 4θ + θ²: negative near θ = −2; becomes (1 + 2θ)² = 1 + 4θ + 4θ²
 * const c = Float64Array.of(1, 4, 1);
 * nonNegativeQuadratic(c, 1); // c → [1, 4, 4]; returns true (it was changed)
 */
export function nonNegativeQuadratic(coefficients: Float64Array | Float32Array, parameters: number, offset = 0, work: QuadraticProjectionWork = quadraticProjectionWork(parameters)): boolean {
  const P = parameters;
  const C = basisSize(P, 2);
  for (let k = 0; k < C; k++) if (!Number.isFinite(coefficients[offset + k])) return false; // reported where evaluated, never made up
  const c0 = coefficients[offset];
  if (!(c0 > 0)) return projectWholeGram(coefficients, P, offset);
  const { schur, vectors, values } = work;
  // S = Q₂ − bbᵀ/(4c_0), with b_i = c_i (the linear coefficients)
  let k = offset + 1 + P;
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) {
      const q = i === j ? coefficients[k] : coefficients[k] / 2;
      k++;
      schur[i * P + j] = schur[j * P + i] = q - (coefficients[offset + 1 + i] * coefficients[offset + 1 + j]) / (4 * c0);
    }
  }
  if (P === 1) {
    if (schur[0] >= 0) return false;
    coefficients[offset + 2] -= schur[0];
    return true;
  }
  symmetricEigenInPlace(schur, vectors, values, P); // schur is destroyed
  let negative = false;
  for (let i = 0; i < P; i++) if (values[i] < 0) negative = true;
  if (!negative) return false;
  // S₊ − S = −Σ_{λ<0} λ v vᵀ, added to the quadratic block
  k = offset + 1 + P;
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) {
      let add = 0;
      for (let e = 0; e < P; e++) if (values[e] < 0) add -= values[e] * vectors[i * P + e] * vectors[j * P + e];
      coefficients[k] += i === j ? add : 2 * add;
      k++;
    }
  }
  return true;
}

function projectWholeGram(coefficients: Float64Array | Float32Array, P: number, offset: number): boolean {
  const n = P + 1;
  const q = quadraticGramMatrix(coefficients, P, offset);
  const vectors = new Float64Array(n * n);
  const values = new Float64Array(n);
  symmetricEigenInPlace(q, vectors, values, n);
  if (values.every((v) => v >= 0)) return false;
  const Q = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    if (!(values[e] > 0)) continue;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] += values[e] * vectors[i * n + e] * vectors[j * n + e];
  }
  coefficients[offset] = Q[0];
  for (let i = 0; i < P; i++) coefficients[offset + 1 + i] = 2 * Q[i + 1];
  let k = offset + 1 + P;
  for (let i = 0; i < P; i++) for (let j = i; j < P; j++) coefficients[k++] = i === j ? Q[(i + 1) * n + i + 1] : 2 * Q[(i + 1) * n + j + 1];
  return true;
}
