/**
 * A one-dimensional posterior tabulated on a grid, and its highest-posterior-density regions
 * (seed 002, "Observable optimization"): HPD_α = {m : p(m | x) ≥ k} with k chosen so that
 * ∫_{HPD_α} p(m | x) dm = α. Between grid points the density is taken as linear, so the
 * region's ends are where the linear pieces cross k and the mass is exact for that density;
 * a multimodal posterior gives several intervals.
 *
 *   const grid = Float64Array.from({ length: 2001 }, (_, i) => 170 + i / 200);
 *   const p = posteriorOnGrid(grid, Float64Array.from(grid, (m) => -0.5 * ((m - 172.5) / 0.3) ** 2));
 *   hpdRegion(grid, p, 0.6827).intervals // [[172.2, 172.8]] to 1e-4
 */

import { evaluateEnsemble, type FrozenNetwork } from '../network/frozen-network.js';

/**
 * The density on the grid normalised to ∫ p dm = 1 (trapezoids), from its logarithm up to a
 * constant (a log prior plus a log ratio, as neural ratio estimation gives it).
 */
export function posteriorOnGrid(grid: Float64Array, logDensity: Float64Array): Float64Array {
  const n = grid.length;
  if (logDensity.length !== n) throw new RangeError(`the grid has ${n} points and the density ${logDensity.length}`);
  if (n < 2) throw new RangeError('a posterior needs a grid of at least two points');
  let top = -Infinity;
  for (let i = 0; i < n; i++) {
    if (i > 0 && !(grid[i] > grid[i - 1])) throw new RangeError('the grid must increase');
    if (Number.isNaN(logDensity[i]) || logDensity[i] === Infinity) throw new RangeError(`the log density at ${grid[i]} is ${logDensity[i]}`);
    if (logDensity[i] > top) top = logDensity[i];
  }
  if (top === -Infinity) throw new RangeError('the density is zero everywhere on the grid');
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.exp(logDensity[i] - top);
  const norm = trapezoid(grid, p);
  for (let i = 0; i < n; i++) p[i] /= norm;
  return p;
}

/** ∫ p dm by trapezoids. */
export function trapezoid(grid: Float64Array, p: Float64Array): number {
  let sum = 0;
  for (let i = 1; i < grid.length; i++) sum += 0.5 * (p[i] + p[i - 1]) * (grid[i] - grid[i - 1]);
  return sum;
}

/** The mode: the grid's largest density, refined by the parabola through it and its neighbours. */
export function posteriorMode(grid: Float64Array, p: Float64Array): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  if (best === 0 || best === p.length - 1) return grid[best];
  const [x0, x1, x2] = [grid[best - 1], grid[best], grid[best + 1]];
  const [y0, y1, y2] = [p[best - 1], p[best], p[best + 1]];
  const denominator = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0);
  if (denominator === 0) return x1;
  return x1 - 0.5 * ((x1 - x0) ** 2 * (y1 - y2) - (x1 - x2) ** 2 * (y1 - y0)) / denominator;
}

export interface HpdRegion {
  /** the credibility α asked for */
  level: number;
  /** k: the density on the region's boundary */
  threshold: number;
  /** the region {m : p(m) ≥ k} as disjoint intervals, increasing */
  intervals: [number, number][];
  /** ∫ p over the region (α, up to the bisection's tolerance) */
  mass: number;
}

/** ∫ p over {p ≥ k} for the piecewise-linear density, and that set's intervals. */
function massAbove(grid: Float64Array, p: Float64Array, k: number, intervals: [number, number][] | null): number {
  let mass = 0;
  let open: number | null = null;
  for (let i = 1; i < grid.length; i++) {
    const [x0, x1, p0, p1] = [grid[i - 1], grid[i], p[i - 1], p[i]];
    const width = x1 - x0;
    let from = x0;
    let to = x1;
    if (p0 < k && p1 < k) {
      if (open !== null) intervals?.push([open, x0]);
      open = null;
      continue;
    }
    // the piece where p ≥ k: [from, to], found where the line crosses k
    if (p0 < k) from = x0 + (width * (k - p0)) / (p1 - p0);
    if (p1 < k) to = x0 + (width * (k - p0)) / (p1 - p0);
    const at = (x: number) => p0 + ((p1 - p0) * (x - x0)) / width;
    mass += 0.5 * (at(from) + at(to)) * (to - from);
    if (open === null) open = from;
    if (p1 < k) {
      intervals?.push([open, to]);
      open = null;
    }
  }
  if (open !== null) intervals?.push([open, grid[grid.length - 1]]);
  return mass;
}

/**
 * The highest-posterior-density region of credibility `level` for a normalised density on a
 * grid (posteriorOnGrid): k by bisection on the mass above it, to 1e-14 of the largest density.
 */
export function hpdRegion(grid: Float64Array, p: Float64Array, level: number): HpdRegion {
  if (!(level > 0 && level < 1)) throw new RangeError(`the credibility must lie in (0, 1), got ${level}`);
  let low = 0;
  let high = 0;
  for (let i = 0; i < p.length; i++) high = Math.max(high, p[i]);
  // mass(k) is continuous and falls as k grows; `low` keeps a mass of at least `level`
  for (let iteration = 0; iteration < 200 && high - low > 1e-14 * high; iteration++) {
    const k = 0.5 * (low + high);
    if (massAbove(grid, p, k, null) >= level) low = k;
    else high = k;
  }
  const intervals: [number, number][] = [];
  const mass = massAbove(grid, p, low, intervals);
  return { level, threshold: low, intervals, mass };
}

/**
 * The credibility at which `value` enters the HPD regions: ∫ p over {p ≥ p(value)} (p linear
 * between grid points). For a calibrated posterior it is uniform on [0, 1] over data drawn
 * from the prior, and the HPD region of credibility α covers the truth with probability α
 * (Hermans et al., expected coverage).
 */
export function hpdCredibility(grid: Float64Array, p: Float64Array, value: number): number {
  const n = grid.length;
  if (!(value >= grid[0] && value <= grid[n - 1])) throw new RangeError(`${value} lies outside the grid [${grid[0]}, ${grid[n - 1]}]`);
  let i = 1;
  while (i < n - 1 && grid[i] < value) i++;
  const at = p[i - 1] + ((p[i] - p[i - 1]) * (value - grid[i - 1])) / (grid[i] - grid[i - 1]);
  return massAbove(grid, p, at, null);
}

/**
 * The posterior p(θ | x) ∝ r(x, θ) π(θ) on a grid of θ from a neural ratio estimator
 * r(x, θ) = p(x | θ)/p(x), a frozen network of the inputs (x, θ) whose identity head is ln r
 * (the members' mean), and a uniform prior on the grid's range (seed 002, Hermans et al.).
 */
export function ratioPosterior(network: FrozenNetwork, x: ArrayLike<number>, grid: Float64Array): Float64Array {
  const D = x.length;
  if (network.inputs !== D + 1) throw new RangeError(`the ratio network takes ${network.inputs - 1} summary values, got ${D}`);
  const rows = new Float64Array(grid.length * (D + 1));
  for (let g = 0; g < grid.length; g++) {
    for (let d = 0; d < D; d++) rows[g * (D + 1) + d] = x[d];
    rows[g * (D + 1) + D] = grid[g];
  }
  return posteriorOnGrid(grid, evaluateEnsemble(network, rows, grid.length).mean);
}
