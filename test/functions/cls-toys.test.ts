/**
 * POST /v1/likelihoods/{id}/cls with calculator "toys" (issue 21 item 1): CLs with Monte Carlo
 * errors within one request's CPU budget, the same numbers for the same seed, and a request
 * over the budget refused by the cost model, saying how many toys would fit.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
const post = async (path: string, body: unknown) => {
  const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('toy-based CLs at the edge', () => {
  it('answers CLs from toys with their errors, reproducibly, beside the asymptotic answer', async () => {
    const request = { values: [1], calculator: 'toys', toys: 400, seed: 3 };
    const a = await post('/v1/likelihoods/pyhf-2bin-shapesys/cls', request);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ calculator: 'toys', toys: 400 });
    const [result] = a.body.results as { cls: number; clsError: number; qmuA: null; failedToys: number; expected: number[] }[];
    expect(result.qmuA).toBeNull();
    expect(result.failedToys).toBe(0);
    expect(result.clsError).toBeGreaterThan(0);
    expect(result.expected).toHaveLength(5);
    const again = await post('/v1/likelihoods/pyhf-2bin-shapesys/cls', request);
    expect(again.body).toEqual(a.body);
    const asymptotic = await post('/v1/likelihoods/pyhf-2bin-shapesys/cls', { values: [1] });
    const [expected] = asymptotic.body.results as { cls: number }[];
    expect(asymptotic.body.calculator).toBe('asymptotic');
    expect(Math.abs(result.cls - expected.cls)).toBeLessThan(4 * result.clsError);
  });

  it('refuses toys beyond the CPU budget at once, with how many would fit; and a polynomial POI as for asymptotics', async () => {
    const costly = await post('/v1/likelihoods/atlas-1lbb/cls', { values: [1], calculator: 'toys', toys: 5000 });
    expect(costly.status).toBe(422);
    expect(costly.body.code).toBe('too-costly');
    expect(costly.body.detail).toMatch(/ask for fewer toys: about \d+ of the 5000 would fit/);
    const polynomial = await post('/v1/likelihoods/gaussian-toy-truth/cls', { values: [1], calculator: 'toys', toys: 100 });
    expect(polynomial.status).toBe(422);
    expect(polynomial.body.detail).toMatch(/polynomial parameter of interest/);
    const bad = await post('/v1/likelihoods/pyhf-2bin-shapesys/cls', { values: [1], calculator: 'toys', toys: 5 });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('invalid-request');
  });
});
