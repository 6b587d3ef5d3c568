/**
 * Bounded minimisation with analytic gradient and Hessian: a projected, damped Newton
 * method (Levenberg-style damping on the Hessian, Armijo acceptance, an active set for
 * parameters held at a bound). The objective is an NLL, so convergence is judged like
 * Minuit's: the estimated distance to the minimum, EDM = ½ gᵀ H⁻¹ g over the free
 * parameters, must fall below the tolerance with H positive definite there.
 * It never claims convergence it did not reach.
 */
import { cholesky, choleskySolve, symmetricEigen } from '../numeric/linear-algebra.js';

/** f(x), writing ∇f into `gradient` and ∇²f (n × n) into `hessian` when they are given (both zeroed by the caller). */
export type Objective = (x: Float64Array, gradient: Float64Array | null, hessian: Float64Array | null) => number;

export interface MinimizeOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  /** parameters held at their starting value */
  fixed?: ArrayLike<boolean>;
  maxIterations?: number;
  /** EDM below which the minimum is accepted (in units of the objective) */
  tolerance?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  /** the Hessian at x (n × n) */
  hessian: Float64Array;
  converged: boolean;
  iterations: number;
  edm: number;
  message: string;
}

export function minimize(objective: Objective, start: ArrayLike<number>, options: MinimizeOptions): MinimizeResult {
  const n = start.length;
  const { lower, upper } = options;
  const fixed = options.fixed ?? new Array<boolean>(n).fill(false);
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-10;

  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = clamp(start[i], lower[i], upper[i]);
  const g = new Float64Array(n);
  const H = new Float64Array(n * n);
  const evaluate = (at: Float64Array) => {
    g.fill(0);
    H.fill(0);
    return objective(at, g, H);
  };
  let f = evaluate(x);
  if (!Number.isFinite(f)) return result(x, f, g, H, false, 0, Infinity, 'objective is not finite at the starting point');

  const trial = new Float64Array(n);
  const step = new Float64Array(n);
  let lambda = 0;
  let edm = Infinity;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const free: number[] = [];
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      if (x[i] <= lower[i] && g[i] > 0) continue;
      if (x[i] >= upper[i] && g[i] < 0) continue;
      free.push(i);
    }
    if (free.length === 0) return result(x, f, g, H, true, iteration, 0, 'all parameters fixed or held at bounds');

    // Undamped Newton step: its EDM decides convergence.
    const newton = solveNewton(H, g, free, n, 0);
    if (newton) {
      edm = newton.edm;
      if (edm < tolerance) return result(x, f, g, H, true, iteration, edm, 'converged');
    }

    // On a saddle or a maximum (e.g. a sign-symmetric coupling started at 0) the gradient
    // can vanish: follow the direction of most negative curvature downhill instead. Where
    // the Hessian is merely indefinite and the gradient is not small, the damped Newton
    // steps below make progress; negative curvature alone would crawl (a histosys α in its
    // polynomial region makes real likelihoods indefinite away from the minimum).
    let gradientScale = 0;
    for (const i of free) gradientScale = Math.max(gradientScale, Math.abs(g[i]));
    if (!newton && gradientScale <= 1e-8 * Math.max(1, Math.abs(f))) {
      const moved = negativeCurvatureStep(objective, x, f, g, H, free, n, lower, upper, trial);
      if (moved !== null) {
        x.set(trial);
        f = evaluate(x);
        lambda = 0;
        continue;
      }
    }

    let accepted = false;
    for (let attempt = 0; attempt < 60 && !accepted; attempt++) {
      const solved = lambda === 0 && newton ? newton : solveNewton(H, g, free, n, lambda);
      if (!solved) {
        lambda = Math.max(1e-6, lambda * 10);
        continue;
      }
      step.fill(0);
      for (let a = 0; a < free.length; a++) step[free[a]] = solved.step[a];
      let descent = 0;
      trial.set(x);
      for (const i of free) {
        trial[i] = clamp(x[i] + step[i], lower[i], upper[i]);
        descent += g[i] * (trial[i] - x[i]);
      }
      const fTrial = objective(trial, null, null);
      if (Number.isFinite(fTrial) && fTrial <= f + 1e-4 * Math.min(descent, 0)) {
        const improvement = f - fTrial;
        x.set(trial);
        f = evaluate(x);
        lambda = lambda < 1e-5 ? 0 : lambda / 10;
        accepted = true;
        // A step that no longer changes f in the last digits ends the search; report the EDM honestly.
        if (improvement <= 1e-15 * Math.max(1, Math.abs(f)) && scaledStepSize(step, H, free, n) < 1e-12) {
          const last = solveNewton(H, g, free, n, 0);
          edm = last ? last.edm : Infinity;
          const ok = last !== null && edm < Math.max(tolerance, 1e-12 * Math.max(1, Math.abs(f)));
          return result(x, f, g, H, ok, iteration, edm, ok ? 'converged' : 'no further progress possible');
        }
      } else {
        lambda = Math.max(1e-6, lambda * 10);
      }
      if (lambda > 1e16) break;
    }
    if (!accepted && !newton && negativeCurvatureStep(objective, x, f, g, H, free, n, lower, upper, trial) !== null) {
      // no damped step descends on this indefinite Hessian: leave along negative curvature
      x.set(trial);
      f = evaluate(x);
      lambda = 0;
      continue;
    }
    if (!accepted) {
      const last = solveNewton(H, g, free, n, 0);
      edm = last ? last.edm : Infinity;
      const ok = last !== null && edm < Math.max(tolerance, 1e-12 * Math.max(1, Math.abs(f)));
      return result(x, f, g, H, ok, iteration, edm, ok ? 'converged' : 'line search failed: no descent step found');
    }
  }
  return result(x, f, g, H, false, maxIterations, edm, `no convergence in ${maxIterations} iterations`);
}

/**
 * A step along the eigenvector of H_ff with the most negative eigenvalue, signed downhill,
 * of length a tenth of the free parameters' range (halved until f decreases); writes the
 * new point into `out` and returns its value, or null when no decrease was found.
 */
function negativeCurvatureStep(
  objective: Objective,
  x: Float64Array,
  f: number,
  g: Float64Array,
  H: Float64Array,
  free: number[],
  n: number,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  out: Float64Array,
): number | null {
  const m = free.length;
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) A[a * m + b] = H[free[a] * n + free[b]];
  const { values, vectors } = symmetricEigen(A, m);
  let k = 0;
  for (let a = 1; a < m; a++) if (values[a] < values[k]) k = a;
  if (!(values[k] < 0)) return null;
  let slope = 0;
  for (let a = 0; a < m; a++) slope += g[free[a]] * vectors[a * m + k];
  const sign = slope > 0 ? -1 : 1;
  let radius = Infinity;
  for (const i of free) {
    const span = upper[i] - lower[i];
    radius = Math.min(radius, Number.isFinite(span) ? 0.1 * span : 1);
  }
  for (let t = radius; t > 1e-10 * radius; t /= 2) {
    out.set(x);
    for (let a = 0; a < m; a++) {
      const i = free[a];
      out[i] = clamp(x[i] + sign * t * vectors[a * m + k], lower[i], upper[i]);
    }
    const value = objective(out, null, null);
    if (Number.isFinite(value) && value < f) return value;
  }
  return null;
}

function result(x: Float64Array, value: number, gradient: Float64Array, hessian: Float64Array, converged: boolean, iterations: number, edm: number, message: string): MinimizeResult {
  return { x: Float64Array.from(x), value, gradient: Float64Array.from(gradient), hessian: Float64Array.from(hessian), converged, iterations, edm, message };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Solves (H_ff + λ diag(|H_ff|)) d = −g_f by Cholesky; null when the damped matrix is not
 * positive definite. Also returns EDM = −½ gᵀd. The system is solved for the parameters in
 * units of their curvature, z_i = x_i √|H_ii| (Jacobi preconditioning): a nuisance constrained
 * to 10⁻⁷ and a signal strength of order 1 are then both unit-scale variables, and the Cholesky
 * factor of a matrix with unit diagonal loses no digits to their ratio.
 */
function solveNewton(H: Float64Array, g: Float64Array, free: number[], n: number, lambda: number): { step: Float64Array; edm: number } | null {
  const m = free.length;
  const scale = curvatureScales(H, free, n);
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) A[a * m + b] = H[free[a] * n + free[b]] * scale[a] * scale[b];
    A[a * m + a] += lambda * Math.max(Math.abs(A[a * m + a]), 1e-12);
  }
  if (!cholesky(A, m)) return null;
  const rhs = Float64Array.from(free, (i, a) => -g[i] * scale[a]);
  const d = choleskySolve(A, m, rhs);
  let edm = 0;
  for (let a = 0; a < m; a++) {
    d[a] *= scale[a];
    edm -= 0.5 * g[free[a]] * d[a];
  }
  return { step: d, edm };
}

/** 1/√|H_ii| for each free parameter (1 where the curvature vanishes): the Jacobi preconditioner. */
function curvatureScales(H: Float64Array, free: readonly number[], n: number): Float64Array {
  return Float64Array.from(free, (i) => {
    const h = Math.abs(H[i * n + i]);
    return h > 0 && Number.isFinite(h) ? 1 / Math.sqrt(h) : 1;
  });
}

/** The largest step in units of the parameters' curvature scales, max_i |d_i| √|H_ii|. */
function scaledStepSize(step: Float64Array, H: Float64Array, free: readonly number[], n: number): number {
  const scale = curvatureScales(H, free, n);
  let size = 0;
  free.forEach((i, a) => (size = Math.max(size, Math.abs(step[i]) / scale[a])));
  return size;
}

/** Inverse of the Hessian restricted to `free` (the covariance at a minimum), n × n with zeros elsewhere; null if not positive definite. */
export function covarianceFromHessian(H: Float64Array, n: number, free: readonly number[]): Float64Array | null {
  const m = free.length;
  const A = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) A[a * m + b] = H[free[a] * n + free[b]];
  if (!cholesky(A, m)) return null;
  const cov = new Float64Array(n * n);
  for (let b = 0; b < m; b++) {
    const e = new Float64Array(m);
    e[b] = 1;
    const col = choleskySolve(A, m, e);
    for (let a = 0; a < m; a++) cov[free[a] * n + free[b]] = col[a];
  }
  return cov;
}
