/**
 * POST /v1/likelihoods/{id}/posterior (issue 19): the posterior of a one-parameter likelihood
 * with a uniform prior, its mode and HPD regions. On the exact two-Gaussian toy the likelihood
 * has two symmetric, nearly Gaussian peaks in θ (σ(θ) and r depend on θ²): the HPD regions are
 * then two intervals whose ends equal the profile-likelihood interval's, which root finding on
 * q(θ) gives independently (for a Gaussian peak both are μ ± zσ with the same z).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
const post = async (id: string, route: string, body: unknown) => {
  const res = await app.request(`/v1/likelihoods/${id}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
};
const trapezoid = (x: number[], y: number[]) => y.slice(1).reduce((sum, v, k) => sum + 0.5 * (v + y[k]) * (x[k + 1] - x[k]), 0);

describe('the posterior of a one-parameter likelihood', () => {
  it('gaussian-toy-truth: a normalised density whose HPD regions are two intervals at the profile interval’s ends', async () => {
    const [posterior, interval] = await Promise.all([post('gaussian-toy-truth', 'posterior', { points: 2001 }), post('gaussian-toy-truth', 'interval', { parameters: ['theta'] })]);
    expect(posterior.status).toBe(200);
    const p = posterior.body;
    expect(p).toMatchObject({ parameter: 'theta', prior: { kind: 'uniform', range: [-2, 2] }, tabulated: [-2, 2] });
    expect(trapezoid(p.grid, p.density)).toBeCloseTo(1, 9);
    expect(Math.abs(p.mode)).toBeCloseTo(Math.abs(interval.body.best), 3);
    for (const [k, cl] of [0.68, 0.95].entries()) {
      const hpd = p.hpd[k];
      expect(hpd.cl).toBe(cl);
      expect(hpd.mass).toBeCloseTo(cl, 9);
      const segments = interval.body.intervals[k].segments as { lower: number; upper: number }[];
      expect(hpd.intervals).toHaveLength(2);
      expect(segments).toHaveLength(2);
      hpd.intervals.forEach(([lower, upper]: [number, number], s: number) => {
        expect(lower).toBeCloseTo(segments[s].lower, 3);
        expect(upper).toBeCloseTo(segments[s].upper, 3);
      });
    }
  });

  it('a prior on θ > 0 keeps one peak; a posterior far narrower than the prior is tabulated again where it lives', async () => {
    const { body } = await post('gaussian-toy-truth', 'posterior', { prior: [0, 2] });
    expect(body.hpd[0].intervals).toHaveLength(1);
    expect(body.tabulated[0]).toBeGreaterThan(0.05);
    expect(body.tabulated[1]).toBeLessThan(0.7);
    // the second grid's spacing resolves the 68% region with 15 points or more, the first's with 6
    const [[lower, upper]] = body.hpd[0].intervals;
    expect((upper - lower) / (body.grid[1] - body.grid[0])).toBeGreaterThan(15);
    expect(trapezoid(body.grid, body.density)).toBeCloseTo(1, 6);
  });

  it('refuses what it cannot answer with problem documents: several parameters, a prior outside the range or too narrow, too many points, an unknown parameter, jets for a likelihood whose events are not made from jets', async () => {
    const cases: [string, unknown, number, string][] = [
      ['dy-smeft-run3', {}, 422, 'not-applicable'],
      ['gaussian-toy-truth', { prior: [0, 9] }, 422, 'parameter-out-of-range'],
      ['gaussian-toy-truth', { prior: [1, 1] }, 422, 'parameter-out-of-range'],
      ['gaussian-toy-truth', { prior: [0.1, 0.1000000000000001] }, 422, 'invalid-request'],
      ['gaussian-toy-truth', { points: 5000 }, 422, 'invalid-request'],
      ['gaussian-toy-truth', { parameter: 'mu' }, 422, 'unknown-parameter'],
      ['gaussian-toy-truth', { jets: [[[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]]] }, 422, 'not-applicable'],
    ];
    for (const [id, request, status, code] of cases) {
      const res = await post(id, 'posterior', request);
      expect(res.status, JSON.stringify(request)).toBe(status);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.code, JSON.stringify(res.body)).toBe(code);
    }
  });
});

describe('a published density (POST …/density)', () => {
  it('eeec-top-mass serves its EEEC surrogate, positive inside its region; a likelihood without a density says so', async () => {
    const served = await post('eeec-top-mass', 'density', { points: [{ zeta1: 0.015, zeta2: 0.02, zeta3: 0.03, mt: 172.5 }, { zeta1: 0.015, zeta2: 0.02, zeta3: 0.03, mt: 178 }] });
    expect(served.status).toBe(200);
    expect(served.body.variables).toEqual(['zeta1', 'zeta2', 'zeta3']);
    for (const v of served.body.values) expect(v).toBeGreaterThan(0);
    const none = await post('gaussian-toy-truth', 'density', { points: [{ theta: 0 }] });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('not-applicable');
  });
});
