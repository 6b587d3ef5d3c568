/**
 * Issue 25, item 2: `nll` for global fitters. Any parameter is addressable by name (the full
 * vector, as pyhf's logpdf takes it), the analytic gradient and Hessian cover the parameters of
 * interest or all of them, unnamed nuisances may be profiled, and an offset keeps values small.
 * Checked against central finite differences, against the profiled NLL, and through the app.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
const post = async (id: string, body: unknown) => {
  const res = await app.request(`/v1/likelihoods/${id}/nll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};

/** A full point: every parameter of `names` at `values`. */
const pointOf = (names: readonly string[], values: readonly number[]) => Object.fromEntries(names.map((name, i) => [name, values[i]]));

describe('nll over every parameter', () => {
  it('a binned likelihood: the full vector is addressable, and at the profiled nuisances the NLL equals the profiled NLL with a vanishing nuisance gradient', async () => {
    const id = 'atlas-sbottom-regiona';
    const profiled = await post(id, { points: [{ mu_SIG: 0.7 }], profile: true });
    expect(profiled.status).toBe(200);
    const names: string[] = ['mu_SIG', ...profiled.body.nuisances.parameters];
    expect(names.length).toBeGreaterThan(5);
    const full = pointOf(names, [0.7, ...profiled.body.nuisances.values[0]]);
    const direct = await post(id, { points: [full], gradient: true, hessian: true, derivatives: 'all' });
    expect(direct.status).toBe(200);
    expect(direct.body.parameters).toEqual(names);
    expect(direct.body.nll[0]).toBeCloseTo(profiled.body.nll[0], 9);
    // g_i / √H_ii: how many of its own standard deviations each nuisance lies from the minimum (the fit stops within 1e-6 of it)
    for (let i = 1; i < names.length; i++) {
      const curvature = direct.body.hessian[0][i][i];
      if (curvature > 0) expect(Math.abs(direct.body.gradient[0][i]) / Math.sqrt(curvature)).toBeLessThan(1e-6);
    }
    // and away from them it does not vanish: a nuisance moved by 0.3 has a gradient
    const jet = names.indexOf('JET_GroupedNP_1');
    const moved = await post(id, { points: [{ ...full, JET_GroupedNP_1: full.JET_GroupedNP_1 + 0.3 }], gradient: true, derivatives: 'all' });
    expect(Math.abs(moved.body.gradient[0][jet])).toBeGreaterThan(0.1);
  });

  it('the analytic gradient and Hessian over all parameters equal central differences, binned and learned', async () => {
    for (const [id, poi] of [
      ['atlas-sbottom-regiona', { mu_SIG: 0.8 }],
      ['gaussian-toy-truth', { theta: 0.4 }],
    ] as const) {
      // a full point: the nuisances where the profile fit puts them (none for the toy)
      const profiled = await post(id, { points: [poi], profile: true });
      const names: string[] = [...Object.keys(poi), ...(profiled.body.nuisances?.parameters ?? [])];
      const values: number[] = [...Object.values(poi), ...(profiled.body.nuisances?.values[0] ?? [])].map((v, i) => (i === 1 ? v + 0.05 : v));
      const at = await post(id, { points: [pointOf(names, values)], gradient: true, hessian: true, derivatives: 'all' });
      expect(at.status).toBe(200);
      expect(at.body.parameters).toEqual(names);
      const H: number[][] = at.body.hessian[0];
      expect(H.length).toBe(names.length);
      const h = 1e-5;
      for (let i = 0; i < Math.min(names.length, 6); i++) {
        const plus = values.slice();
        const minus = values.slice();
        plus[i] += h;
        minus[i] -= h;
        const pair = await post(id, { points: [pointOf(names, plus), pointOf(names, minus)], gradient: true, derivatives: 'all' });
        const numericGradient = (pair.body.nll[0] - pair.body.nll[1]) / (2 * h);
        expect(Math.abs(at.body.gradient[0][i] - numericGradient)).toBeLessThan(1e-5 * Math.max(1, Math.abs(numericGradient)));
        for (let j = 0; j < names.length; j++) {
          const numeric = (pair.body.gradient[0][j] - pair.body.gradient[1][j]) / (2 * h);
          expect(Math.abs(H[i][j] - numeric)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
          expect(H[i][j]).toBeCloseTo(H[j][i], 8);
        }
      }
      // by default the derivatives cover the parameters of interest only
      const interest = await post(id, { points: [pointOf(names, values)], gradient: true, hessian: true });
      expect(interest.body.parameters).toEqual(Object.keys(poi));
      expect(interest.body.hessian[0]).toEqual([[H[0][0]]]);
    }
  });

  it('an offset: at the best fit the values are −ln L differences, never below 0; at a point, that point reads 0', async () => {
    const id = 'gaussian-toy-truth';
    const best = await post(id, { points: [{ theta: 0.1 }, { theta: 0.5 }], offset: 'best-fit' });
    expect(best.status).toBe(200);
    const raw = await post(id, { points: [{ theta: 0.1 }, { theta: 0.5 }] });
    best.body.nll.forEach((v: number, k: number) => {
      expect(v).toBeGreaterThanOrEqual(-1e-9);
      expect(v).toBeCloseTo(raw.body.nll[k] - best.body.offset.nll, 9);
    });
    const fit = await (await app.request(`/v1/likelihoods/${id}/fit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
    expect(best.body.offset.parameters.theta).toBeCloseTo(fit.parameters.theta, 5);
    const atPoint = await post(id, { points: [{ theta: 0.5 }], offset: { theta: 0.5 } });
    expect(atPoint.body.nll[0]).toBe(0);
  });

  it('profiling with nuisances set holds those and profiles the rest; points that set different ones are refused, as are unknown names', async () => {
    const id = 'atlas-sbottom-regiona';
    const profiled = await post(id, { points: [{ mu_SIG: 0.7 }], profile: true });
    const [first, second] = ['JET_GroupedNP_1', 'JET_GroupedNP_2'];
    const index = (profiled.body.nuisances.parameters as string[]).indexOf(first);
    expect(index).toBeGreaterThanOrEqual(0);
    const held = await post(id, { points: [{ mu_SIG: 0.7, [first]: 0.2 }, { mu_SIG: 0.9, [first]: 0.2 }], profile: true });
    expect(held.status).toBe(200);
    expect(held.body.nuisances.values[0][index]).toBe(0.2);
    expect(held.body.nll[0]).toBeGreaterThanOrEqual(profiled.body.nll[0] - 1e-9);
    const mixed = await post(id, { points: [{ mu_SIG: 0.7, [first]: 0.2 }, { mu_SIG: 0.7, [second]: 0.2 }], profile: true });
    expect(mixed.status).toBe(422);
    expect(mixed.body.code).toBe('invalid-request');
    expect(mixed.body.errors[0].path).toEqual(['points', 1]);
    const unknown = await post(id, { points: [{ mu_SIG: 0.7, nope: 1 }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown-parameter');
  });

  it('memberSpread: false evaluates the ensemble mean only: the same values, no spread', async () => {
    const id = 'gaussian-toy-a1.5';
    const points = [{ theta: 0.2 }, { theta: -0.4 }];
    const full = await post(id, { points, gradient: true });
    const lean = await post(id, { points, gradient: true, memberSpread: false });
    expect(full.body.memberSpread).toHaveLength(2);
    expect(lean.body.memberSpread).toBeUndefined();
    expect(lean.body.nll).toEqual(full.body.nll);
    expect(lean.body.gradient).toEqual(full.body.gradient);
  });
});
