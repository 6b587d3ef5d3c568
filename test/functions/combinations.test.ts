/**
 * `POST /v1/combinations/{nll,fit,interval}` (issue 25 item 1) through the app: a combination's
 * NLL is the sum of what its members' own `nll` routes answer, each with its own data and
 * luminosity; bad combinations get 4xx problem details.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
const post = async (path: string, body: unknown) => {
  const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};

const BINNED = { likelihoods: ['atlas-sbottom-regiona', 'pyhf-2bin-shapesys'], rename: { 'pyhf-2bin-shapesys': { mu: 'mu_SIG' } } };

describe('combinations', () => {
  it('binned: the NLL and its gradient are exactly the sums of the members’ (observed data, nuisances at nominal)', async () => {
    const points = [{ mu_SIG: 0.3 }, { mu_SIG: 1 }, { mu_SIG: 2.5 }];
    const combined = await post('/v1/combinations/nll', { ...BINNED, points, gradient: true });
    expect(combined.status).toBe(200);
    expect(combined.body.parameters).toEqual(['mu_SIG']);
    const sbottom = await post('/v1/likelihoods/atlas-sbottom-regiona/nll', { points, gradient: true });
    const shapesys = await post('/v1/likelihoods/pyhf-2bin-shapesys/nll', { points: points.map((p) => ({ mu: p.mu_SIG })), gradient: true });
    points.forEach((_, k) => {
      expect(combined.body.nll[k]).toBe(sbottom.body.nll[k] + shapesys.body.nll[k]);
      expect(combined.body.gradient[k][0]).toBe(sbottom.body.gradient[k][0] + shapesys.body.gradient[k][0]);
    });
  });

  it('binned and unbinned, each member with its own default data and luminosity: sums of the members’, and a luminosity factor scales every member', async () => {
    const body = { likelihoods: ['gaussian-toy-truth', 'tttt-yukawa'], points: [{ theta: 0.4, Yt: 1.2 }, { theta: -0.1, Yt: 0.9 }] };
    const combined = await post('/v1/combinations/nll', body);
    expect(combined.status).toBe(200);
    expect(combined.body.parameters).toEqual(['theta', 'Yt']);
    const toy = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: body.points.map((p) => ({ theta: p.theta })) });
    const tttt = await post('/v1/likelihoods/tttt-yukawa/nll', { points: body.points.map((p) => ({ Yt: p.Yt })) });
    body.points.forEach((_, k) => expect(combined.body.nll[k]).toBe(toy.body.nll[k] + tttt.body.nll[k]));
    // twice every member's published luminosity: 200 fb⁻¹ for the toy, 276 fb⁻¹ for tttt
    const doubled = await post('/v1/combinations/nll', { ...body, data: 'asimov', luminosity: 2 });
    const toy2 = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: body.points.map((p) => ({ theta: p.theta })), data: 'asimov', luminosity: 200 });
    const tttt2 = await post('/v1/likelihoods/tttt-yukawa/nll', { points: body.points.map((p) => ({ Yt: p.Yt })), data: 'asimov', luminosity: 276 });
    body.points.forEach((_, k) => expect(doubled.body.nll[k]).toBe(toy2.body.nll[k] + tttt2.body.nll[k]));
    // Asimov at a point of the combination: each member's at its own parameters
    const at = await post('/v1/combinations/nll', { ...body, data: 'asimov', at: { theta: 0.5, Yt: 1.5 } });
    const toyAt = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: body.points.map((p) => ({ theta: p.theta })), data: 'asimov', at: { theta: 0.5 } });
    const ttttAt = await post('/v1/likelihoods/tttt-yukawa/nll', { points: body.points.map((p) => ({ Yt: p.Yt })), data: 'asimov', at: { Yt: 1.5 } });
    body.points.forEach((_, k) => expect(at.body.nll[k]).toBe(toyAt.body.nll[k] + ttttAt.body.nll[k]));
  });

  it('fit and interval on Asimov data: the combined best fit is the minimum of the combined NLL, and its interval is narrower than either member’s', async () => {
    const asimov = { ...BINNED, data: 'asimov' };
    const fit = await post('/v1/combinations/fit', asimov);
    expect(fit.status).toBe(200);
    expect(fit.body.converged).toBe(true);
    const best = fit.body.parameters.mu_SIG;
    expect(best).toBeCloseTo(1, 4);
    const around = await post('/v1/combinations/nll', { ...asimov, points: [{ mu_SIG: best - 0.05 }, { mu_SIG: best }, { mu_SIG: best + 0.05 }], profile: true });
    expect(around.body.nll[1]).toBeLessThan(around.body.nll[0]);
    expect(around.body.nll[1]).toBeLessThan(around.body.nll[2]);
    const width = (body: { intervals: { segments: { lower: number; upper: number }[] }[] }) => body.intervals[0].segments[0].upper - body.intervals[0].segments[0].lower;
    const combined = await post('/v1/combinations/interval', { ...asimov, parameters: ['mu_SIG'], cl: [0.68] });
    expect(combined.status).toBe(200);
    const sbottom = await post('/v1/likelihoods/atlas-sbottom-regiona/interval', { parameters: ['mu_SIG'], cl: [0.68], data: 'asimov' });
    const shapesys = await post('/v1/likelihoods/pyhf-2bin-shapesys/interval', { parameters: ['mu'], cl: [0.68], data: 'asimov' });
    expect(width(combined.body)).toBeLessThan(Math.min(width(sbottom.body), width(shapesys.body)));
  });

  it('per-member data: submitted counts for one member, the other’s default', async () => {
    const counts = { singlechannel: [60, 55] };
    const points = [{ mu_SIG: 0.8 }];
    const combined = await post('/v1/combinations/nll', { ...BINNED, points, data: { 'pyhf-2bin-shapesys': { binned: counts } } });
    expect(combined.status).toBe(200);
    const sbottom = await post('/v1/likelihoods/atlas-sbottom-regiona/nll', { points });
    const shapesys = await post('/v1/likelihoods/pyhf-2bin-shapesys/nll', { points: [{ mu: 0.8 }], data: { binned: counts } });
    expect(combined.body.nll[0]).toBe(sbottom.body.nll[0] + shapesys.body.nll[0]);
  });

  it('refuses bad combinations with problem details', async () => {
    const unknown = await post('/v1/combinations/nll', { likelihoods: ['atlas-sbottom-regiona', 'no-such-likelihood'], points: [{ mu_SIG: 1 }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown-likelihood');
    const tooMany = await post('/v1/combinations/fit', { likelihoods: Array.from({ length: 9 }, () => 'gaussian-toy-truth') });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(tooMany.body)).toMatch(/likelihoods/);
    const twice = await post('/v1/combinations/fit', { likelihoods: ['gaussian-toy-truth', 'gaussian-toy-truth@1.0.0'] });
    expect(twice.status).toBe(422);
    expect(twice.body.code).toBe('invalid-combination');
    // tttt's Yt renamed onto the toy's theta: reference 1 against 0
    const conflicting = await post('/v1/combinations/fit', { likelihoods: ['gaussian-toy-truth', 'tttt-yukawa'], rename: { 'tttt-yukawa': { Yt: 'theta' } } });
    expect(conflicting.status).toBe(422);
    expect(conflicting.body.detail).toMatch(/conflicting reference values: 'theta' in 'tttt-yukawa'/);
    const notMember = await post('/v1/combinations/nll', { ...BINNED, points: [{ mu_SIG: 1 }], data: { 'tttt-yukawa': 'asimov' } });
    expect(notMember.status).toBe(422);
    expect(notMember.body.errors[0].path).toEqual(['data', 'tttt-yukawa']);
    const badCounts = await post('/v1/combinations/nll', { ...BINNED, points: [{ mu_SIG: 1 }], data: { 'pyhf-2bin-shapesys': { binned: { singlechannel: [1] } } } });
    expect(badCounts.status).toBe(422);
    expect(badCounts.body.detail).toMatch(/^member 'pyhf-2bin-shapesys': /);
    const unknownAt = await post('/v1/combinations/nll', { ...BINNED, points: [{ mu_SIG: 1 }], data: 'asimov', at: { mu: 1 } });
    expect(unknownAt.status).toBe(422);
    expect(unknownAt.body.code).toBe('unknown-parameter');
    const hostile = await post('/v1/combinations/nll', { ...BINNED, rename: JSON.parse('{"__proto__": {"mu": "x"}}'), points: [{ mu_SIG: 1 }] });
    expect(hostile.status).toBe(400);
    expect(hostile.body.detail).toMatch(/"__proto__" is not allowed as a key/);
    const constructorAt = await post('/v1/combinations/nll', { ...BINNED, points: [{ mu_SIG: 1 }], data: 'asimov', at: { constructor: 1 } });
    expect(constructorAt.status).toBe(422);
    expect(constructorAt.body.code).toBe('unknown-parameter');
    const nan = await app.request('/v1/combinations/nll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"likelihoods":["gaussian-toy-truth"],"points":[{"theta":NaN}]}` });
    expect(nan.status).toBe(400);
    const correlateOne = await post('/v1/combinations/fit', { ...BINNED, correlate: ['lumi'] });
    expect(correlateOne.status).toBe(422);
    expect(correlateOne.body.detail).toMatch(/'lumi' is a nuisance parameter of 'atlas-sbottom-regiona' only/);
  });
});
