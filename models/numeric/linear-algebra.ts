/**
 * Small dense linear algebra on row-major Float64Arrays: Cholesky factorisation and
 * solves (Newton steps, covariances, PSD checks) and Jacobi eigen-decomposition (negative
 * curvature, Gram matrices). Plain indexed loops; sizes are the number of fit parameters.
 */

/**
 * Lower-triangular Cholesky factor L of a symmetric m × m matrix A (row-major, lower part
 * read), written into `out` (which may be A itself: in place); false when A is not
 * positive definite.
 */
export function cholesky(A: Float64Array, m: number, out: Float64Array = A): boolean {
  for (let j = 0; j < m; j++) {
    let s = A[j * m + j];
    for (let k = 0; k < j; k++) s -= out[j * m + k] * out[j * m + k];
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    out[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let t = A[i * m + j];
      for (let k = 0; k < j; k++) t -= out[i * m + k] * out[j * m + k];
      out[i * m + j] = t / ljj;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b with the factor from cholesky. */
export function choleskySolve(L: Float64Array, m: number, b: Float64Array): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < m; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= L[i * m + k] * y[k];
    y[i] = s / L[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * y[k];
    y[i] = s / L[i * m + i];
  }
  return y;
}

/** The inverse of a general n × n matrix by Gauss–Jordan elimination with partial pivoting; null when singular. */
export function invert(A: ArrayLike<number>, n: number): Float64Array | null {
  const a = Float64Array.from(A);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[pivot * n + c])) pivot = r;
    const p = a[pivot * n + c];
    if (!(Math.abs(p) > 0) || !Number.isFinite(p)) return null;
    if (pivot !== c) {
      for (let k = 0; k < n; k++) {
        [a[c * n + k], a[pivot * n + k]] = [a[pivot * n + k], a[c * n + k]];
        [inv[c * n + k], inv[pivot * n + k]] = [inv[pivot * n + k], inv[c * n + k]];
      }
    }
    for (let k = 0; k < n; k++) {
      a[c * n + k] /= p;
      inv[c * n + k] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] -= f * a[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/**
 * Eigen-decomposition of a small symmetric n×n matrix (row-major) by cyclic Jacobi
 * rotations. Returns the eigenvalues and the eigenvectors as the columns of a row-major
 * n×n matrix (vectors[i·n + k] is component i of eigenvector k). The input is not modified.
 */
export function symmetricEigen(symmetricMatrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) a[k] = symmetricMatrix[k];
  const vectors = new Float64Array(n * n);
  const values = new Float64Array(n);
  symmetricEigenInPlace(a, vectors, values, n);
  return { values, vectors };
}

/**
 * Jacobi in place (symmetricEigen without allocation): `a` (symmetrised first) is destroyed, `v` receives the eigenvectors as
 * columns, `values` the eigenvalues. No allocation.
 */
export function symmetricEigenInPlace(a: Float64Array, v: Float64Array, values: Float64Array, n: number): void {
  let norm = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      v[i * n + j] = i === j ? 1 : 0;
      if (j > i) a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
      norm += a[i * n + j] * a[i * n + j];
    }
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off === 0 || off <= 1e-32 * norm) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
}

/** The smallest eigenvalue of a small symmetric n×n matrix (row-major), by Jacobi. */
export function minimumEigenvalue(symmetricMatrix: ArrayLike<number>, n: number): number {
  const { values } = symmetricEigen(symmetricMatrix, n);
  let m = Infinity;
  for (let i = 0; i < n; i++) if (values[i] < m) m = values[i];
  return m;
}
