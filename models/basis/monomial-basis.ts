/**
 * The monomial basis m(Δθ) on which every event weight, ratio and yield is a
 * polynomial (DESIGN.md, "polynomial event weights"; seed 003 eq. 19 for
 * degree 2, seed 000 for degree 4).
 *
 * Convention, written once and used everywhere: a polynomial is
 *
 *     w(θ) = Σ_k c_k m_k(Δθ),   m_k(Δθ) = Π_i Δθ_i^{e_ki},   Δθ = θ − θ0,
 *
 * so c_k is the Taylor coefficient ∂^{e_k} w / e_k! at θ0. For degree 2 this
 * means the coefficient of Δθ_i² is half the second derivative and the
 * coefficient of Δθ_iΔθ_j (i < j) is the full mixed derivative.
 *
 * Order: graded, then lexicographic in the sorted variable indices. For two
 * parameters (a, b) at degree 2: [1, a, b, a², ab, b²].
 */
export interface MonomialBasis {
  /** number of parameters P */
  readonly parameters: number;
  /** maximal total degree d */
  readonly degree: number;
  /** number of monomials C = binom(P + d, d) */
  readonly size: number;
  /** exponents, row-major size × P */
  readonly exponents: Uint8Array;
  /** total degree of each monomial */
  readonly degrees: Uint8Array;
  /** m_k = m_parent[k] · Δθ_lastVariable[k] (k ≥ 1): evaluation by one product each */
  readonly parent: Int32Array;
  readonly lastVariable: Int32Array;
  /** lower[k·P + i]: the monomial with exponent e_k − 1_i, or −1 when e_ki = 0 */
  readonly lower: Int32Array;
}

const cache = new Map<string, MonomialBasis>();

/** The basis of all monomials of total degree ≤ `degree` in `parameters` variables. */
export function monomialBasis(parameters: number, degree: number): MonomialBasis {
  if (!Number.isInteger(parameters) || parameters < 1) throw new RangeError(`parameters must be a positive integer, got ${parameters}`);
  if (!Number.isInteger(degree) || degree < 0 || degree > 8) throw new RangeError(`degree must be an integer in [0, 8], got ${degree}`);
  const key = `${parameters}:${degree}`;
  const hit = cache.get(key);
  if (hit) return hit;

  // Enumerate sorted index tuples i1 ≤ … ≤ ig for g = 0..d: graded lexicographic order.
  const tuples: number[][] = [[]];
  let previous: number[][] = [[]];
  for (let g = 1; g <= degree; g++) {
    const next: number[][] = [];
    for (const t of previous) {
      const start = t.length ? t[t.length - 1] : 0;
      for (let i = start; i < parameters; i++) next.push([...t, i]);
    }
    tuples.push(...next);
    previous = next;
  }

  const size = tuples.length;
  const P = parameters;
  const exponents = new Uint8Array(size * P);
  const degrees = new Uint8Array(size);
  tuples.forEach((t, k) => {
    for (const i of t) exponents[k * P + i]++;
    degrees[k] = t.length;
  });
  const index = new Map<string, number>();
  for (let k = 0; k < size; k++) index.set(exponents.subarray(k * P, (k + 1) * P).join(','), k);

  const parent = new Int32Array(size).fill(-1);
  const lastVariable = new Int32Array(size).fill(-1);
  const lower = new Int32Array(size * P).fill(-1);
  for (let k = 0; k < size; k++) {
    const e = Array.from(exponents.subarray(k * P, (k + 1) * P));
    for (let i = 0; i < P; i++) {
      if (e[i] === 0) continue;
      e[i]--;
      lower[k * P + i] = index.get(e.join(','))!;
      e[i]++;
    }
    if (k > 0) {
      const t = tuples[k];
      lastVariable[k] = t[t.length - 1];
      parent[k] = lower[k * P + lastVariable[k]];
    }
  }

  const basis: MonomialBasis = { parameters, degree, size, exponents, degrees, parent, lastVariable, lower };
  cache.set(key, basis);
  return basis;
}

/** binom(P + d, d): the number of coefficients of a degree-d polynomial in P variables. */
export function basisSize(parameters: number, degree: number): number {
  let n = 1;
  for (let j = 1; j <= degree; j++) n = (n * (parameters + j)) / j;
  return Math.round(n);
}

/** m(Δθ), written into `out` (length C). */
export function evaluateMonomials(basis: MonomialBasis, dtheta: ArrayLike<number>, out = new Float64Array(basis.size)): Float64Array {
  const { size, parent, lastVariable } = basis;
  out[0] = 1;
  for (let k = 1; k < size; k++) out[k] = out[parent[k]] * dtheta[lastVariable[k]];
  return out;
}

/**
 * ∂m_k/∂θ_i = e_ki · m_{k − 1_i}, written row-major into `out` (C × P).
 * `monomials` must be m(Δθ) at the same point.
 */
export function monomialGradient(basis: MonomialBasis, monomials: ArrayLike<number>, out = new Float64Array(basis.size * basis.parameters)): Float64Array {
  const { size, parameters: P, exponents, lower } = basis;
  for (let k = 0; k < size; k++) {
    for (let i = 0; i < P; i++) {
      const l = lower[k * P + i];
      out[k * P + i] = l < 0 ? 0 : exponents[k * P + i] * monomials[l];
    }
  }
  return out;
}

/**
 * ∂²m_k/∂θ_i∂θ_j = e_ki · e'_j · m_{k − 1_i − 1_j} with e' the exponents of k − 1_i,
 * written into `out` (C × P × P, symmetric in the last two indices).
 */
export function monomialHessian(basis: MonomialBasis, monomials: ArrayLike<number>, out = new Float64Array(basis.size * basis.parameters * basis.parameters)): Float64Array {
  const { size, parameters: P, exponents, lower } = basis;
  out.fill(0);
  for (let k = 0; k < size; k++) {
    for (let i = 0; i < P; i++) {
      const li = lower[k * P + i];
      if (li < 0) continue;
      const ei = exponents[k * P + i];
      for (let j = 0; j < P; j++) {
        const lij = lower[li * P + j];
        if (lij < 0) continue;
        out[(k * P + i) * P + j] = ei * exponents[li * P + j] * monomials[lij];
      }
    }
  }
  return out;
}

/** Σ_k c_k m_k: the polynomial's value, given monomials m(Δθ). */
export function polynomialValue(coefficients: ArrayLike<number>, monomials: ArrayLike<number>, offset = 0): number {
  let s = 0;
  const n = monomials.length;
  for (let k = 0; k < n; k++) s += coefficients[offset + k] * monomials[k];
  return s;
}

/** Human-readable name of monomial k, e.g. `cW^2`, `cW*cHWB`, `1`. */
export function monomialLabel(basis: MonomialBasis, k: number, names: readonly string[]): string {
  const P = basis.parameters;
  const parts: string[] = [];
  for (let i = 0; i < P; i++) {
    const e = basis.exponents[k * P + i];
    if (e === 1) parts.push(names[i]);
    else if (e > 1) parts.push(`${names[i]}^${e}`);
  }
  return parts.length ? parts.join('*') : '1';
}

/** Index of the monomial with the given exponents, or −1. */
export function monomialIndex(basis: MonomialBasis, exponents: readonly number[]): number {
  const P = basis.parameters;
  outer: for (let k = 0; k < basis.size; k++) {
    for (let i = 0; i < P; i++) if (basis.exponents[k * P + i] !== (exponents[i] ?? 0)) continue outer;
    return k;
  }
  return -1;
}
