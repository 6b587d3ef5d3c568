/**
 * Numeric kernels of the unbinned polynomial term: sums of ln R̂(x_i|θ) with
 * R̂(x_i|θ) = ĉ_i · m(Δθ) (seed 003 eq. 29-33, derivative learning), over an N × C
 * coefficient matrix. Plain indexed loops over typed arrays; no allocation per event.
 *
 * A ratio that is not positive is a defect of the artifact or of the submitted
 * events; the kernels report the first such event instead of clipping it.
 */

export interface NonPositiveRatio {
  event: number;
  value: number;
}

/** Returned by the kernels when some R̂(x_i|θ) ≤ 0 (or is not finite). */
export class NonPositiveRatioError extends Error {
  constructor(readonly event: number, readonly value: number) {
    super(`event ${event}: ratio R(x|θ) = ${value} is not positive`);
    this.name = 'NonPositiveRatioError';
  }
}

// Products of moderate ratios stay far inside double range, so ln Π r_i costs one
// logarithm per block instead of one per event; extreme ratios are logged directly.
const PRODUCT_MIN = 1e-30;
const PRODUCT_MAX = 1e30;
const FLUSH_LOW = 1e-200;
const FLUSH_HIGH = 1e200;

/**
 * Σ_i w_i ln(ĉ_i · m) for one point with monomials `m` (length C).
 * `weights` null means unit weights. Throws NonPositiveRatioError.
 */
export function sumLogRatios(coefficients: Float64Array, count: number, monomials: Float64Array, weights: Float64Array | null): number {
  const C = monomials.length;
  if (weights) {
    let sum = 0;
    for (let i = 0, o = 0; i < count; i++, o += C) {
      let r = 0;
      for (let c = 0; c < C; c++) r += coefficients[o + c] * monomials[c];
      if (!(r > 0) || r === Infinity) throw new NonPositiveRatioError(i, r);
      sum += weights[i] * Math.log(r);
    }
    return sum;
  }
  let logSum = 0;
  let product = 1;
  for (let i = 0, o = 0; i < count; i++, o += C) {
    let r = 0;
    for (let c = 0; c < C; c++) r += coefficients[o + c] * monomials[c];
    if (r > PRODUCT_MIN && r < PRODUCT_MAX) {
      product *= r;
      if (product < FLUSH_LOW || product > FLUSH_HIGH) {
        logSum += Math.log(product);
        product = 1;
      }
    } else {
      if (!(r > 0) || r === Infinity) throw new NonPositiveRatioError(i, r);
      logSum += Math.log(r);
    }
  }
  return logSum + Math.log(product);
}

/**
 * Σ_i w_i ln(ĉ_i · m_k) for K points at once: `monomials` is K × C row-major, the
 * result goes to `out` (length K). Events are the outer loop, so each event's
 * coefficients are read once for all points, and points go four at a time so that one
 * load of a coefficient feeds four dot products.
 */
export function sumLogRatiosBatch(
  coefficients: Float64Array,
  count: number,
  C: number,
  monomials: Float64Array,
  K: number,
  weights: Float64Array | null,
  out: Float64Array,
): Float64Array {
  out.fill(0, 0, K);
  const ratios = new Float64Array(K);
  if (weights === null) {
    const product = new Float64Array(K).fill(1);
    for (let i = 0, o = 0; i < count; i++, o += C) {
      ratiosOfEvent(coefficients, o, C, monomials, K, ratios);
      for (let k = 0; k < K; k++) {
        const r = ratios[k];
        if (r > PRODUCT_MIN && r < PRODUCT_MAX) {
          const p = product[k] * r;
          if (p < FLUSH_LOW || p > FLUSH_HIGH) {
            out[k] += Math.log(p);
            product[k] = 1;
          } else product[k] = p;
        } else {
          if (!(r > 0) || r === Infinity) throw new NonPositiveRatioError(i, r);
          out[k] += Math.log(r);
        }
      }
    }
    for (let k = 0; k < K; k++) out[k] += Math.log(product[k]);
    return out;
  }
  for (let i = 0, o = 0; i < count; i++, o += C) {
    ratiosOfEvent(coefficients, o, C, monomials, K, ratios);
    const w = weights[i];
    for (let k = 0; k < K; k++) {
      const r = ratios[k];
      if (!(r > 0) || r === Infinity) throw new NonPositiveRatioError(i, r);
      out[k] += w * Math.log(r);
    }
  }
  return out;
}

/** ratios[k] = ĉ_i · m_k for all K points, four points per pass over the coefficients. */
function ratiosOfEvent(coefficients: Float64Array, o: number, C: number, monomials: Float64Array, K: number, ratios: Float64Array): void {
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const m0 = k * C;
    const m1 = m0 + C;
    const m2 = m1 + C;
    const m3 = m2 + C;
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    for (let c = 0; c < C; c++) {
      const a = coefficients[o + c];
      r0 += a * monomials[m0 + c];
      r1 += a * monomials[m1 + c];
      r2 += a * monomials[m2 + c];
      r3 += a * monomials[m3 + c];
    }
    ratios[k] = r0;
    ratios[k + 1] = r1;
    ratios[k + 2] = r2;
    ratios[k + 3] = r3;
  }
  for (; k < K; k++) {
    let r = 0;
    for (let c = 0; c < C; c++) r += coefficients[o + c] * monomials[k * C + c];
    ratios[k] = r;
  }
}

/**
 * Σ_i w_i ln R_i with its gradient and Hessian in θ (P parameters):
 *   ∂_j Σ w ln R = Σ w (ĉ·∂_j m)/R,
 *   ∂_j∂_k Σ w ln R = Σ w [(ĉ·∂_j∂_k m)/R − (ĉ·∂_j m)(ĉ·∂_k m)/R²].
 * `dm` is C × P, `d2m` is C × P × P (from monomialGradient / monomialHessian);
 * `gradient` (P) and `hessian` (P × P) are overwritten; pass null to skip the Hessian.
 *
 * The derivatives of the monomials do not depend on the event, so the sums over events are
 * taken in monomial space, S_c = Σ w ĉ_c / R, and contracted with ∂m and ∂²m once at the end:
 * per event only R, S and the P products u_j = ĉ·∂_j m (sparse: for degree 2, ∂_j touches
 * P + 1 of the C monomials) for the outer-product term remain.
 */
export function sumLogRatiosWithDerivatives(
  coefficients: Float64Array,
  count: number,
  monomials: Float64Array,
  dm: Float64Array,
  d2m: Float64Array | null,
  P: number,
  weights: Float64Array | null,
  gradient: Float64Array,
  hessian: Float64Array | null,
): number {
  const C = monomials.length;
  const grad = sparseColumns(dm, C, P, P);
  const S = new Float64Array(C);
  const u = new Float64Array(P);
  const outer = hessian ? new Float64Array(P * P) : null;
  let sum = 0;
  for (let i = 0, o = 0; i < count; i++, o += C) {
    let r = 0;
    for (let c = 0; c < C; c++) r += coefficients[o + c] * monomials[c];
    if (!(r > 0) || r === Infinity) throw new NonPositiveRatioError(i, r);
    const w = weights ? weights[i] : 1;
    const inv = 1 / r;
    const wInv = w * inv;
    sum += w * Math.log(r);
    for (let c = 0; c < C; c++) S[c] += coefficients[o + c] * wInv;
    if (outer) {
      for (let j = 0; j < P; j++) {
        let s = 0;
        for (let e = grad.start[j]; e < grad.start[j + 1]; e++) s += coefficients[o + grad.index[e]] * grad.value[e];
        u[j] = s * inv;
      }
      for (let j = 0; j < P; j++) {
        const wu = w * u[j];
        for (let k = j; k < P; k++) outer[j * P + k] += wu * u[k];
      }
    }
  }
  for (let j = 0; j < P; j++) {
    let g = 0;
    for (let c = 0; c < C; c++) g += S[c] * dm[c * P + j];
    gradient[j] = g;
  }
  if (hessian && outer) {
    for (let j = 0; j < P; j++) {
      for (let k = j; k < P; k++) {
        let h = -outer[j * P + k];
        if (d2m) for (let c = 0; c < C; c++) h += S[c] * d2m[(c * P + j) * P + k];
        hessian[j * P + k] = h;
        hessian[k * P + j] = h;
      }
    }
  }
  return sum;
}

/**
 * The non-zero entries of a C × columns row-major matrix, grouped by column:
 * column q's entries are index/value[start[q] … start[q+1]).
 */
function sparseColumns(matrix: Float64Array, C: number, columns: number, stride: number, keep: (q: number) => boolean = () => true) {
  const start = new Int32Array(columns + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let q = 0; q < columns; q++) {
    start[q] = index.length;
    if (!keep(q)) continue;
    for (let c = 0; c < C; c++) {
      const v = matrix[c * stride + q];
      if (v !== 0) {
        index.push(c);
        value.push(v);
      }
    }
  }
  start[columns] = index.length;
  return { start, index: Int32Array.from(index), value: Float64Array.from(value) };
}
