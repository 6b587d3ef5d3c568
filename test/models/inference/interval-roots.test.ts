import { describe, expect, it } from 'vitest';
import { chiSquaredThreshold } from '../../../models/numeric/distributions.js';
import { localMinimum } from '../../../models/numeric/local-minimum.js';
import { crossing, profileInterval } from '../../../models/inference/intervals/profile.js';
import { FALLBACK_POINTS, profileContour } from '../../../models/inference/intervals/contour.js';
import { createRandom } from '../../../models/random.js';
import { normalDensity } from '../../../models/toys/two-gaussian.js';
import { createLikelihood } from '../../../models/likelihood/likelihood.js';
import { resolveDataset } from '../../../models/likelihood/datasets.js';
import { createUnbinnedPolynomialTerm } from '../../../models/terms/unbinned-polynomial.js';
import { monomialBasis } from '../../../models/basis/monomial-basis.js';
import { twoGaussianToy } from '../../../models/toys/two-gaussian.js';
import { readPublished } from '../../../scripts/lib/artifact-writer.js';
import { eventData, exactToyCoefficients, interest, toyEvents, toyLikelihood } from '../../helpers/toy-likelihood.js';

const LEVELS = [0.68, 0.95];

/** Every end of two interval results, level by level, segment by segment. */
function ends(result: ReturnType<typeof profileInterval>): number[][] {
  return result.intervals.map((level) => level.segments.flatMap((s) => [s.lower, s.upper]));
}

describe('crossing: the end of a confidence set by Newton steps on √q', () => {
  it('finds where a parabola crosses a threshold from a poor guess, in a few evaluations', () => {
    // q = ((θ − 0.3)/0.02)², t = 3.84: the end is 0.3 + 0.02·√3.84
    const t = chiSquaredThreshold(0.95, 1);
    let calls = 0;
    const h = (v: number) => {
      calls++;
      const q = ((v - 0.3) / 0.02) ** 2;
      return { value: Math.sqrt(q) - Math.sqrt(t), slope: Math.sign(v - 0.3) / 0.02 };
    };
    for (const guess of [0.301, 0.35, 0.9]) {
      calls = 0;
      expect(crossing(h, 0.3, guess, 2, 1e-12)).toBeCloseTo(0.3 + 0.02 * Math.sqrt(t), 11);
      expect(calls).toBeLessThan(12);
    }
    // the lower end, searching downwards
    expect(crossing(h, 0.3, 0.2, -2, 1e-12)).toBeCloseTo(0.3 - 0.02 * Math.sqrt(t), 11);
  });

  it('says the set is open where q stays below the threshold up to the edge, and finds an end next to excluded points', () => {
    const flat = (v: number) => ({ value: -1 + 0 * v, slope: 0 });
    expect(crossing(flat, 0, 0.1, 1, 1e-9)).toBeNull();
    // q = +∞ beyond 0.5 (excluded outright), below the threshold before it: the end is the edge of the finite region
    const wall = (v: number) => ({ value: v > 0.5 ? Infinity : -1, slope: NaN });
    expect(crossing(wall, 0, 0.9, 1, 1e-9)).toBeCloseTo(0.5, 8);
  });
});

describe("Brent's localmin", () => {
  it('finds the minimum of a parabola and of a non-parabolic function', () => {
    expect(localMinimum((x) => (x - 1) ** 2, 0, 3, 1e-9).x).toBeCloseTo(1, 8);
    const m = localMinimum((x) => Math.cosh(x - 0.7) + 0.1 * (x - 0.7) ** 4, -3, 2, 1e-9);
    expect(m.x).toBeCloseTo(0.7, 7);
    expect(m.value).toBeCloseTo(1, 12);
  });
});

describe('profile intervals by root finding against the dense scan', () => {
  const toy = twoGaussianToy(1.5, 0.7);
  const events = toyEvents(toy, 0.55, 1000, 21);
  const likelihood = toyLikelihood(10, 100);
  const data = eventData(exactToyCoefficients(toy, events), events.length, 100);

  it('finds both disjoint segments of the θ² toy (the second from the fit\'s other start) with the scan\'s ends, from fewer fits', () => {
    const scan = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'scan' });
    const roots = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'roots' });
    expect(roots.converged).toBe(true);
    expect(roots.intervals[0].segments).toHaveLength(2);
    const [a, b] = [ends(scan), ends(roots)];
    expect(b.map((l) => l.length)).toEqual(a.map((l) => l.length));
    a.forEach((level, k) => level.forEach((e, j) => expect(Math.abs(b[k][j] - e)).toBeLessThan(1e-6)));
    expect(roots.scan.length).toBeLessThan(scan.scan.length / 3);
    // the scan it reports holds θ̂ with q = 0, sorted
    expect(Math.min(...roots.scan.map((p) => p.q))).toBeCloseTo(0, 9);
    expect(roots.scan.map((p) => p.value)).toEqual([...roots.scan.map((p) => p.value)].sort((x, y) => x - y));
  });

  it('marks a segment open at the edge of a given range, at every larger level too', () => {
    const roots = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'roots', range: [0, 0.4] });
    const scan = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'scan', range: [0, 0.4] });
    expect(roots.intervals.map((l) => l.segments.map((s) => [s.lowerOpen, s.upperOpen]))).toEqual(scan.intervals.map((l) => l.segments.map((s) => [s.lowerOpen, s.upperOpen])));
    expect(roots.intervals[1].segments.at(-1)!.upper).toBe(0.4);
  });

  it('with `points`, also scans the range coarsely for minima no start leads to: the same ends, the grid in the scan', () => {
    const plain = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'roots' });
    const coarse = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'roots', points: 21 });
    expect(ends(coarse)).toEqual(ends(plain));
    const values = coarse.scan.map((p) => p.value);
    for (let k = 0; k <= 20; k++) expect(values).toContain(-2 + (4 * k) / 20);
  });

  it('a member guided by the estimate finds its own ends: those it finds alone', async () => {
    const { likelihood: learned } = await readPublished('likelihoods', 'gaussian-toy-a1.5');
    const observed = resolveDataset(learned, { kind: 'observed' });
    const estimate = profileInterval(learned, observed, 'theta', LEVELS, { method: 'roots' });
    for (let k = 1; k < learned.variants; k++) {
      const guided = profileInterval(learned, observed, 'theta', LEVELS, { method: 'roots', variant: k, guide: estimate });
      const alone = profileInterval(learned, observed, 'theta', LEVELS, { method: 'scan', variant: k });
      const [a, b] = [ends(alone), ends(guided)];
      expect(b.map((l) => l.length)).toEqual(a.map((l) => l.length));
      a.forEach((level, i) => level.forEach((e, j) => expect(Math.abs(b[i][j] - e)).toBeLessThan(1e-6)));
      expect(guided.scan.length).toBeLessThan(estimate.scan.length);
    }
  });

  it("follows the lower branch of the profiled parameters (tttt-cp: b_t = ±0.35 below a_t ≈ 0.95, where b_t = 0 is still a local minimum)", async () => {
    const artifact = await readPublished('likelihoods', 'tttt-cp');
    const asimov = resolveDataset(artifact.likelihood, { kind: 'asimov' });
    const scan = profileInterval(artifact.likelihood, asimov, 'at', LEVELS, { method: 'scan' });
    const roots = profileInterval(artifact.likelihood, asimov, 'at', LEVELS, { method: 'roots' });
    const [a, b] = [ends(scan), ends(roots)];
    a.forEach((level, k) => level.forEach((e, j) => expect(Math.abs(b[k][j] - e)).toBeLessThan(1e-6)));
    // at the lower 68% end the profile sits on the branch b_t ≠ 0
    const end = roots.intervals[0].segments[0].lower;
    const fit = roots.scan.find((p) => p.value === end);
    expect(end).toBeCloseTo(0.92168, 4);
    expect(fit === undefined || fit.q < 1).toBe(true);
  });
});

describe('a Gaussian likelihood: the interval is exactly θ̂ ± σ √t', () => {
  // R(x|θ) = exp(θx − θ²/2) for x ~ N(0, 1) is not polynomial; a polynomial stand-in with an exactly
  // parabolic −ln L: one event class whose ratio is 1 + 2θ + θ² = (1 + θ)² and σ(θ) = σ0 (1 + θ)²
  // gives −ln L = σ0 L (1 + θ)² − n ln (1 + θ)², minimised at (1 + θ)² = n/(σ0 L); its q is not
  // parabolic, so the test compares with a fine bisection of the closed form instead.
  const n = 400;
  const sigma0L = 300;
  const nll = (t: number) => sigma0L * (1 + t) ** 2 - n * Math.log((1 + t) ** 2);
  const best = Math.sqrt(n / sigma0L) - 1;
  const term = createUnbinnedPolynomialTerm({ name: 'toy', parameters: [interest('theta', [-0.9, 2])], degree: 2, basis: monomialBasis(1, 2), sigma0: 1, crossSection: [Float64Array.of(1, 2, 1)] });
  const likelihood = createLikelihood([interest('theta', [-0.9, 2])], [term], sigma0L);
  const coefficients = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) coefficients.set([1, 2, 1], i * 3);
  const data = eventData(coefficients, n, sigma0L);

  it('equals the closed form to 1e-7 at both levels', () => {
    const roots = profileInterval(likelihood, data, 'theta', LEVELS, { method: 'roots' });
    LEVELS.forEach((cl, k) => {
      const t = chiSquaredThreshold(cl, 1);
      const q = (v: number) => 2 * (nll(v) - nll(best)) - t;
      const bisect = (a: number, b: number) => {
        for (let i = 0; i < 200; i++) {
          const m = 0.5 * (a + b);
          if (q(a) * q(m) <= 0) b = m;
          else a = m;
        }
        return 0.5 * (a + b);
      };
      const [segment] = roots.intervals[k].segments;
      expect(segment.lower).toBeCloseTo(bisect(-0.9, best), 7);
      expect(segment.upper).toBeCloseTo(bisect(best, 2), 7);
    });
  });
});

describe('2-D regions by rays: where the rays cannot describe a region, the grid does', () => {
  // R = 1 + (a² + b²) k(x): the likelihood sees a² + b² only, so its regions are annuli around the
  // origin, which no point of the region sees whole along rays.
  const k = (x: number) => normalDensity(x, 1.5, 0.1) / normalDensity(x, 0, 1);
  const random = createRandom(5);
  const rho2 = 0.5;
  const n = random.poisson(100 * 10 * (1 + rho2));
  const coefficients = new Float64Array(n * 6);
  for (let i = 0; i < n; i++) {
    const z = random.uniform() * (1 + rho2) < 1 ? random.normal() : 1.5 + 0.1 * random.normal();
    coefficients.set([1, 0, 0, k(z + 0.7 * random.normal()), 0, 0], i * 6);
    coefficients[i * 6 + 5] = coefficients[i * 6 + 3];
  }
  const params = [interest('a', [-1.5, 1.5]), interest('b', [-1.5, 1.5])];
  const term = createUnbinnedPolynomialTerm({ name: 'toy', parameters: params, degree: 2, basis: monomialBasis(2, 2), sigma0: 10, crossSection: [Float64Array.of(1, 0, 0, 1, 0, 1)] });
  const likelihood = createLikelihood(params, [term], 100);
  const data = eventData(coefficients, n, 100);

  it('an annulus: the check grid disagrees with the rays, and the regions are traced on a grid, with a note', () => {
    const rays = profileContour(likelihood, data, ['a', 'b'], [0.68], { method: 'roots' });
    // at each minimum on the ring the fit's uncertainty along it is large: the flat direction
    expect(rays.notes[0]).toMatch(/the fit's curvature does not describe the regions .*: traced on a 31 × 31 grid instead/);
    expect(rays.grid.x).toHaveLength(FALLBACK_POINTS);
    // where the request's budget leaves no grid, no region is given, and the answer says why and what to ask
    const unbudgeted = profileContour(likelihood, data, ['a', 'b'], [0.68], { method: 'roots', fallbackPoints: 0 });
    expect(unbudgeted.converged).toBe(false);
    expect(unbudgeted.contours).toEqual([]);
    expect(unbudgeted.notes[0]).toMatch(/a grid to trace them does not fit this request's budget: ask with method "scan" and fewer points, or narrower ranges$/);
    // the grid's pieces of the thin ring lie all around the origin
    const quadrants = new Set(rays.contours[0].polygons.flatMap((polygon) => polygon[0].map(([x, y]) => Math.floor((Math.atan2(y, x) + Math.PI) / (Math.PI / 2)) % 4)));
    expect(quadrants.size).toBe(4);
  });
});
