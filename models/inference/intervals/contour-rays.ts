/**
 * Two-dimensional profile-likelihood regions by root finding along rays (the `roots` method of
 * `profileContour`): from the best fit, and from any other minimum the fit's starts found, the
 * boundary {q = χ²_2 quantile(CL)} is found on each ray by the same Newton search on √q as the
 * 1-D interval ends (`crossing` on `radial`), each ray's search starting at its neighbour's
 * radius. The rays are spaced evenly in the region's own frame (its second moments, measured
 * by a shape pass), so that a nearly elliptic region gets evenly spaced vertices; a chord whose
 * midpoint strays from the threshold gets a ray between its ends; a ring that meets the box
 * follows its edges and corners. A few fits per vertex, instead of a grid of points² fits whose
 * boundary is then refined.
 *
 * Rays describe a region that is star-shaped around its centre. A coarse check grid over the
 * regions and the 1-D profiles' windows tests that: a grid point whose q is clearly below a
 * threshold but lies outside that level's rings, or clearly above it inside them, or rings of
 * one level that overlap, mean the rays missed part of a region; so does a fit whose
 * uncertainty dwarfs the region (`flat`). The caller then traces the regions on a grid.
 */
import type { Likelihood, LikelihoodData } from '../../likelihood/likelihood.js';
import { chiSquaredThreshold } from '../../numeric/distributions.js';
import type { FitResult } from '../mle.js';
import { ProfileScanner } from '../test-statistics.js';
import type { ContourLevel, Ring } from './contour.js';
import { crossing, radial, thresholdWindow, uniformGrid } from './profile.js';

export interface RayContourResult {
  contours: ContourLevel[];
  /** the check grid: q on an n × n grid around the regions (row j, column i at x[i], y[j]) */
  grid: { x: number[]; y: number[]; q: number[] };
  /** the 1-D profiles' windows (`axisWindows`) the check grid spans */
  windows: [[number, number], [number, number]];
  /** check-grid points whose q disagrees with the rings, plus pairs of rings of one level that overlap (0: the rays describe the regions) */
  disagreements: number;
  /**
   * the fit's uncertainties are over FLAT_RATIO times the widest region's half-extent (or missing)
   * on some axis: a direction the likelihood barely constrains at its minimum (a flat valley, a
   * coupling entering at second order), along which a region may curve out of the rays' sight
   */
  flat: boolean;
  /** levels whose rings reach the box's edge on some ray */
  open: number[];
}

/**
 * Per axis, the window `thresholdWindow` finds around the best fit on the 1-D profile of that
 * parameter (the other profiled too) at the threshold t — the region's extent along that axis —
 * or the box's side where that is about as fine.
 */
export function axisWindows(likelihood: Likelihood, data: LikelihoodData, indices: readonly [number, number], global: FitResult, box: Box, t: number, variant: number): [[number, number], [number, number]] {
  const window = (a: 0 | 1): [number, number] => {
    const axis = new ProfileScanner(likelihood, data, [indices[a]], { variant, global });
    return thresholdWindow((v) => axis.q([v]), global.parameters[indices[a]], global.uncertainties[indices[a]], box[a], t) ?? [box[a][0], box[a][1]];
  };
  return [window(0), window(1)];
}

/** See `RayContourResult.flat`. */
const FLAT_RATIO = 5;

/** A check point disagrees with the rings when its q is this far (as a fraction of the threshold) on the other side. */
const CHECK_MARGIN = 0.1;

/**
 * The regions of `levels` for the parameters `indices`, from the global fit `global` (whose
 * scanner is `scanner`, pinning `indices`), within `box`; `rays` per region, and a check grid of
 * `checkPoints` per axis.
 */
export function rayContour(scanner: ProfileScanner, global: FitResult, indices: readonly [number, number], levels: readonly number[], box: Box, rays: number, checkPoints: number, tolerance: number): RayContourResult {
  const { likelihood } = scanner;
  const thresholds = levels.map((cl) => chiSquaredThreshold(cl, 2));
  const ascending = [...thresholds.keys()].sort((a, b) => thresholds[a] - thresholds[b]);
  const widest = Math.max(...thresholds);
  const q = (a: number, b: number) => scanner.q([a, b]);
  const inBox = (p: ArrayLike<number>) => p[indices[0]] >= box[0][0] && p[indices[0]] <= box[0][1] && p[indices[1]] >= box[1][0] && p[indices[1]] <= box[1][1];
  const centres: [number, number][] = [global.parameters, ...global.otherMinima.filter(inBox)]
    .map((p): [number, number] => [p[indices[0]], p[indices[1]]])
    .filter(([a, b], k) => k === 0 || q(a, b) < widest);
  const axes = shapeAxes(scanner, centres[0], rayAxes(likelihood, global, indices, box), thresholds[ascending[0]], box, tolerance);

  const rings = thresholds.map((): Ring[] => []);
  const open = new Set<number>();
  for (const centre of centres) {
    const inside = (k: number) => rings[k].some((ring) => ringContains(ring, centre));
    let previous: { t: number; ring: TracedRing } | null = null;
    for (const k of ascending) {
      const t = thresholds[k];
      if (!(q(centre[0], centre[1]) < t) || inside(k)) continue;
      // the first ray starts at the previous level's radius scaled by √(t/t_prev), else at √t (a Gaussian's)
      const first = previous ? previous.ring.radii[0] * Math.sqrt(t / previous.t) : Math.sqrt(t);
      const traced = traceRing(scanner, centre, axes, t, box, rays, first, tolerance);
      if (traced.open) open.add(k);
      rings[k].push(traced.vertices);
      previous = { t, ring: traced };
    }
  }

  // the 1-D profiles' windows, the grid method's default ranges: where a region reaches that the rays from its minimum do not see (an arc)
  const windows = axisWindows(likelihood, scanner.data, indices, global, box, widest, scanner.variant);
  const grid = checkGrid(rings.flat(), centres, windows, box, checkPoints);
  const gridQ = grid.y.flatMap((b) => grid.x.map((a) => q(a, b)));
  let disagreements = 0;
  gridQ.forEach((value, p) => {
    const point: [number, number] = [grid.x[p % grid.x.length], grid.y[Math.floor(p / grid.x.length)]];
    thresholds.forEach((t, k) => {
      const held = rings[k].some((ring) => ringContains(ring, point));
      if ((value < t * (1 - CHECK_MARGIN) && !held) || (value > t * (1 + CHECK_MARGIN) && held)) disagreements++;
    });
  });
  // rings of one level that overlap are one region seen from two minima, which rays cannot trace as one
  for (const level of rings) level.forEach((ring, a) => level.forEach((other, b) => a !== b && ring.some((p) => ringContains(other, p)) && disagreements++));
  const contours = levels.map((cl, k) => ({ cl, threshold: thresholds[k], polygons: rings[k].map((ring) => [ring]) }));
  const widestRings = rings[thresholds.indexOf(widest)];
  const flat = indices.some((index, a) => {
    const extent = Math.max(0, ...widestRings.flat().map((p) => Math.abs(p[a] - centres[0][a])));
    return !(global.uncertainties[index] <= FLAT_RATIO * extent);
  });
  return { contours, grid: { ...grid, q: gridQ }, windows, disagreements, flat, open: [...open].map((k) => levels[k]) };
}

/** Radial error at a chord's midpoint, |√q − √t| / √t, below which the chord stands for the boundary: ~0.5% of the region's radius. */
const CHORD_TOLERANCE = 0.01;
/** The most rays one ring may get by refinement, and the smallest angle (in the rays' frame) it splits. */
const MAX_RAYS = 256;
const MIN_GAP = (2 * Math.PI) / 1024;

type Box = readonly [readonly [number, number], readonly [number, number]];

interface TracedRing {
  vertices: Ring;
  /** the radius on each ray, in the rays' frame, by angle */
  radii: number[];
  /** some ray reached the box's edge below the threshold */
  open: boolean;
}

/**
 * One level's boundary around one minimum: `rays` rays evenly spaced in angle, each ray's search
 * starting at its neighbour's radius; then every chord whose midpoint's q is off the threshold
 * by more than CHORD_TOLERANCE (radially) gets a ray at the bisecting angle, until every chord
 * passes or the ring has MAX_RAYS rays. A boundary that bends inwards between two rays (the
 * crescent of tttt-cp's (a_t, b_t) regions) is so followed where it bends.
 */
function traceRing(scanner: ProfileScanner, centre: readonly [number, number], axes: readonly [number, number, number], t: number, box: Box, rays: number, first: number, tolerance: number): TracedRing {
  const angles: number[] = [];
  const radii: number[] = [];
  const clipped: boolean[] = []; // the ray reached the box's edge below the threshold
  const ray = (at: number, angle: number, guess: number) => {
    const u = direction(axes, angle);
    const edge = boxExit(centre, u, box);
    const end = crossing(radial(scanner, centre, u, t), 0, guess, edge, tolerance);
    angles.splice(at, 0, angle);
    radii.splice(at, 0, end === null ? edge : Number.isNaN(end) ? guess : end);
    clipped.splice(at, 0, end === null);
  };
  const point = (k: number): [number, number] => {
    const u = direction(axes, angles[k]);
    return [centre[0] + radii[k] * u[0], centre[1] + radii[k] * u[1]];
  };
  for (let r = 0; r < rays; r++) ray(r, (2 * Math.PI * r) / rays, r > 0 ? radii[r - 1] : first);
  // each chord in turn: accepted, or split by a ray at its middle angle and checked again
  for (let k = 0; k < angles.length && angles.length < MAX_RAYS; ) {
    const next = (k + 1) % angles.length;
    const gap = (next === 0 ? angles[0] + 2 * Math.PI : angles[next]) - angles[k];
    const [a, b] = [point(k), point(next)];
    // a chord along the box's edge is the region's edge there, and so is the box's corner where
    // it turns one inside the region; a short chord is short enough
    const along = clipped[k] && clipped[next] && cornersBetween(a, b, box).every(([x, y]) => scanner.q([x, y]) < t);
    const good = along || gap < MIN_GAP || (!(clipped[k] && clipped[next]) && chordOnBoundary(scanner, a, b, t));
    if (good) k++;
    else ray(k + 1, angles[k] + gap / 2, (radii[k] + radii[next]) / 2);
  }
  const vertices: Ring = [];
  angles.forEach((_, k) => {
    vertices.push(point(k));
    const next = (k + 1) % angles.length;
    if (clipped[k] && clipped[next]) vertices.push(...cornersBetween(point(k), point(next), box).filter(([x, y]) => scanner.q([x, y]) < t));
  });
  vertices.push([vertices[0][0], vertices[0][1]]);
  return { vertices, radii, open: clipped.some(Boolean) };
}

/** Whether the profile q at the chord's midpoint is within CHORD_TOLERANCE (radially) of t. */
function chordOnBoundary(scanner: ProfileScanner, a: readonly [number, number], b: readonly [number, number], t: number): boolean {
  const q = scanner.q([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]);
  return Math.abs(Math.sqrt(Math.max(q, 0)) - Math.sqrt(t)) <= CHORD_TOLERANCE * Math.sqrt(t);
}

/** The box's corner between two points on its edge, when they lie on adjacent sides (a ring that follows the edge turns there). */
function cornersBetween(a: readonly [number, number], b: readonly [number, number], box: Box): [number, number][] {
  const on = (v: number, [lo, hi]: readonly [number, number]) => {
    const slack = 1e-9 * (hi - lo); // a ray's end at the edge, centre + s·u, is there to rounding
    return v <= lo + slack ? 0 : v >= hi - slack ? 1 : -1;
  };
  const side = (p: readonly [number, number]) => [on(p[0], box[0]), on(p[1], box[1])];
  const [sa, sb] = [side(a), side(b)];
  // a on a vertical side and b on a horizontal one, or the other way round
  if (sa[0] >= 0 && sb[1] >= 0 && sa[1] < 0 && sb[0] < 0) return [[box[0][sa[0]], box[1][sb[1]]]];
  if (sa[1] >= 0 && sb[0] >= 0 && sa[0] < 0 && sb[1] < 0) return [[box[0][sb[0]], box[1][sa[1]]]];
  return [];
}

/**
 * The rays' scale: the lower Cholesky factor [l11, l21, l22] of the fit's covariance of the two
 * parameters, so that direction(φ) = L (cos φ, sin φ) has unit Gaussian q at radius 1; where the
 * fit has no covariance, a hundredth of the box on each axis.
 */
function rayAxes(likelihood: Likelihood, global: FitResult, [i, j]: readonly [number, number], box: Box): [number, number, number] {
  const n = likelihood.parameters.length;
  const c = global.covariance;
  const [vii, vij, vjj] = c ? [c[i * n + i], c[i * n + j], c[j * n + j]] : [NaN, NaN, NaN];
  if (vii > 0 && vjj > 0 && vii * vjj - vij * vij > 0) {
    const l11 = Math.sqrt(vii);
    const l21 = vij / l11;
    return [l11, l21, Math.sqrt(vjj - l21 * l21)];
  }
  return [(box[0][1] - box[0][0]) / 100, 0, (box[1][1] - box[1][0]) / 100];
}

/** Rays of the shape pass: enough to measure a region's second moments. */
const SHAPE_RAYS = 8;

/**
 * The frame the rays are spaced in, measured on the region itself: SHAPE_RAYS rays in the frame
 * of the fit's uncertainties alone (no correlation), at threshold t, give boundary points whose
 * second moments M fix L = chol(2M)/√t (a region that is an ellipse then has radius √t on every
 * ray). The fit's own covariance can mislead: where couplings enter at second order its Hessian
 * is nearly singular (`dy-smeft-run3-mll`: σ̂ ≈ 0.1 against regions ≈ 0.005 wide) and rays in
 * its frame bunch into two directions.
 */
function shapeAxes(scanner: ProfileScanner, centre: readonly [number, number], [l11, l21, l22]: readonly [number, number, number], t: number, box: Box, tolerance: number): [number, number, number] {
  const diagonal: [number, number, number] = [l11, 0, Math.hypot(l21, l22)];
  let [mxx, mxy, myy] = [0, 0, 0];
  let previous = Math.sqrt(t);
  for (let r = 0; r < SHAPE_RAYS; r++) {
    const u = direction(diagonal, (2 * Math.PI * r) / SHAPE_RAYS);
    const end = crossing(radial(scanner, centre, u, t), 0, previous, boxExit(centre, u, box), tolerance);
    if (end === null || Number.isNaN(end)) return diagonal;
    previous = end;
    const [dx, dy] = [end * u[0], end * u[1]];
    [mxx, mxy, myy] = [mxx + dx * dx, mxy + dx * dy, myy + dy * dy];
  }
  const scale = 2 / SHAPE_RAYS / t;
  [mxx, mxy, myy] = [mxx * scale, mxy * scale, myy * scale];
  if (!(mxx > 0 && myy > 0 && mxx * myy - mxy * mxy > 0)) return diagonal;
  const a = Math.sqrt(mxx);
  return [a, mxy / a, Math.sqrt(myy - (mxy / a) ** 2)];
}

function direction([l11, l21, l22]: readonly [number, number, number], angle: number): [number, number] {
  return [l11 * Math.cos(angle), l21 * Math.cos(angle) + l22 * Math.sin(angle)];
}

/** How far along u from `centre` the box's edge lies. */
function boxExit(centre: readonly [number, number], u: readonly [number, number], box: Box): number {
  let s = Infinity;
  for (let a = 0; a < 2; a++) {
    if (u[a] > 0) s = Math.min(s, (box[a][1] - centre[a]) / u[a]);
    else if (u[a] < 0) s = Math.min(s, (box[a][0] - centre[a]) / u[a]);
  }
  return Math.max(s, 0);
}

/** Whether a closed ring holds the point (even–odd rule). */
export function ringContains(ring: Ring, [x, y]: readonly [number, number]): boolean {
  let inside = false;
  for (let a = 0, b = ring.length - 1; a < ring.length; b = a++) {
    const [xa, ya] = ring[a];
    const [xb, yb] = ring[b];
    if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}

/** An n × n grid over the rings, centres and windows, widened by a quarter of their extent on each side and kept inside the box. */
function checkGrid(rings: readonly Ring[], centres: readonly (readonly [number, number])[], windows: readonly (readonly [number, number])[], box: Box, n: number): { x: number[]; y: number[] } {
  const points = [...rings.flat(), ...centres];
  const span = (a: number): [number, number] => {
    const lo = Math.min(windows[a][0], ...points.map((p) => p[a]));
    const hi = Math.max(windows[a][1], ...points.map((p) => p[a]));
    const pad = hi > lo ? 0.25 * (hi - lo) : 0.01 * (box[a][1] - box[a][0]);
    // inside the box by a hair: a point on its edge would sit on a ring that follows the edge, neither in nor out
    const hair = 1e-6 * (box[a][1] - box[a][0]);
    return [Math.max(box[a][0] + hair, lo - pad), Math.min(box[a][1] - hair, hi + pad)];
  };
  const [x, y] = [span(0), span(1)];
  return { x: uniformGrid(x[0], x[1], n), y: uniformGrid(y[0], y[1], n) };
}
