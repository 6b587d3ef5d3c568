/**
 * Powell's conjugate-direction method inside a box, without derivatives (M. J. D. Powell,
 * Comput. J. 7 (1964) 155; the variant of Numerical Recipes §10.7 that scipy's
 * `minimize(method='Powell')` implements). Seed 004 fits SRGN's AUC with it (fig. 5: bounds, a
 * relative tolerance of 1e-4 in x and f, at most 100 iterations), because an AUC computed from a
 * trained classifier has no usable gradient.
 *
 * Each iteration minimises along every direction in turn (Brent's `localMinimum` on the part of
 * the line inside the box), then tries the iteration's net displacement as a new direction and
 * lets it replace the direction of largest decrease where Powell's test says the set stays
 * conjugate. powell((x) => (x[0] - 1) ** 2 + 10 * (x[1] + x[0]) ** 2, [0, 0], { lower: [-2, -2],
 * upper: [2, 2] }).x ≈ [1, −1].
 */
import { localMinimum } from './local-minimum.js';

export interface PowellOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  /** tolerance of each line search, relative to the box's extent along the line (default 1e-4) */
  xtol?: number;
  /** stop when an iteration lowers f by less than ftol (|f| + |f_prev|) / 2 (default 1e-4) */
  ftol?: number;
  /** default 100 */
  maxIterations?: number;
  /**
   * stop after the iteration or line search in which f has been evaluated this many times
   * (scipy's `maxfev`; default unlimited): a noisy objective can keep lowering f by more than
   * ftol for all its iterations
   */
  maxEvaluations?: number;
}

export interface PowellResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  /** false where maxIterations or maxEvaluations ran out first */
  converged: boolean;
}

export function powell(f: (x: Float64Array) => number, start: ArrayLike<number>, options: PowellOptions): PowellResult {
  const n = start.length;
  const { lower, upper } = options;
  if (lower.length !== n || upper.length !== n) throw new RangeError(`bounds need ${n} values each`);
  for (let i = 0; i < n; i++) {
    if (!(lower[i] < upper[i])) throw new RangeError(`empty box in coordinate ${i}: [${lower[i]}, ${upper[i]}]`);
    if (!(start[i] >= lower[i] && start[i] <= upper[i])) throw new RangeError(`start ${start[i]} outside [${lower[i]}, ${upper[i]}] in coordinate ${i}`);
  }
  const xtol = options.xtol ?? 1e-4;
  const ftol = options.ftol ?? 1e-4;
  const maxIterations = options.maxIterations ?? 100;
  const maxEvaluations = options.maxEvaluations ?? Infinity;
  let evaluations = 0;
  const evaluate = (x: Float64Array) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const directions = Array.from({ length: n }, (_, i) => {
    const d = new Float64Array(n);
    d[i] = 1;
    return d;
  });
  let x = Float64Array.from(start);
  let value = evaluate(x);
  const trial = new Float64Array(n);

  /** Minimises along x + t d over the t that keep it in the box; moves x there where that is lower. */
  const lineSearch = (d: Float64Array) => {
    const [tLow, tHigh] = lineInBox(x, d, lower, upper);
    if (!(tHigh > tLow)) return;
    const along = (t: number) => {
      for (let i = 0; i < n; i++) trial[i] = Math.min(upper[i], Math.max(lower[i], x[i] + t * d[i]));
      return evaluate(trial);
    };
    const best = localMinimum(along, tLow, tHigh, xtol * (tHigh - tLow));
    if (best.value < value) {
      for (let i = 0; i < n; i++) x[i] = Math.min(upper[i], Math.max(lower[i], x[i] + best.x * d[i]));
      value = best.value;
    }
  };

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const startValue = value;
    const origin = Float64Array.from(x);
    let largest = 0;
    let largestAt = 0;
    for (let k = 0; k < n; k++) {
      if (evaluations >= maxEvaluations) return { x, value, iterations: iteration, evaluations, converged: false };
      const before = value;
      lineSearch(directions[k]);
      if (before - value > largest) {
        largest = before - value;
        largestAt = k;
      }
    }
    if (2 * (startValue - value) <= ftol * (Math.abs(startValue) + Math.abs(value)) + 1e-20) {
      return { x, value, iterations: iteration, evaluations, converged: true };
    }
    if (n === 1) continue;
    // the net displacement: extrapolate along it once (inside the box) and keep it as a direction only where Powell's test says so
    const displacement = x.map((v, i) => v - origin[i]);
    const extrapolated = x.map((v, i) => Math.min(upper[i], Math.max(lower[i], 2 * v - origin[i])));
    const extrapolatedValue = evaluate(extrapolated);
    if (extrapolatedValue < startValue) {
      const t = 2 * (startValue - 2 * value + extrapolatedValue) * (startValue - value - largest) ** 2 - largest * (startValue - extrapolatedValue) ** 2;
      if (t < 0) {
        lineSearch(displacement);
        directions[largestAt] = directions[n - 1];
        directions[n - 1] = displacement;
      }
    }
  }
  return { x, value, iterations: maxIterations, evaluations, converged: false };
}

/** The t for which x + t d stays inside [lower, upper] in every coordinate. */
function lineInBox(x: Float64Array, d: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number>): [number, number] {
  let low = -Infinity;
  let high = Infinity;
  for (let i = 0; i < x.length; i++) {
    if (d[i] === 0) continue;
    const a = (lower[i] - x[i]) / d[i];
    const b = (upper[i] - x[i]) / d[i];
    low = Math.max(low, Math.min(a, b));
    high = Math.min(high, Math.max(a, b));
  }
  return [low, high];
}
