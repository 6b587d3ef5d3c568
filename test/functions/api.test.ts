import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { decodeMessagePack, encodeMessagePack } from '../../models/artifact/codec.js';
import { profileInterval } from '../../models/inference/intervals/profile.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { resolveDataset, eventsDataset } from '../../models/likelihood/datasets.js';
import { toyLogRatio, twoGaussianToy } from '../../models/toys/two-gaussian.js';
import { readArtifactFolder } from '../../scripts/lib/artifact-writer.js';

const app = createApp(fileStore('likelihoods'));
const artifact = await readArtifactFolder('likelihoods/gaussian-toy-truth/1.0.0');
const toy = twoGaussianToy(1.5, 0.7);

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('catalogue and manifests', () => {
  it('lists the published likelihoods', async () => {
    const res = await app.request('/v1/likelihoods');
    expect(res.status).toBe(200);
    const body = await res.json();
    const truth = body.likelihoods.find((l: { id: string }) => l.id === 'gaussian-toy-truth');
    expect(truth.versions).toContain('1.0.0');
    expect(truth.parameters[0]).toMatchObject({ name: 'theta', reference: 0, range: [-2, 2] });
  });

  it('serves the manifest with a strong ETag; a fixed version is immutable and answers 304', async () => {
    const latest = await app.request('/v1/likelihoods/gaussian-toy-truth');
    expect(latest.status).toBe(200);
    expect(latest.headers.get('cache-control')).toBe('public, max-age=60');
    const fixed = await app.request('/v1/likelihoods/gaussian-toy-truth@1.0.0');
    const etag = fixed.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(fixed.headers.get('cache-control')).toContain('immutable');
    expect((await fixed.json()).id).toBe('gaussian-toy-truth');
    const again = await app.request('/v1/likelihoods/gaussian-toy-truth@1.0.0', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('conditional GETs compare ETags weakly (RFC 9110); each representation has its own strong ETag', async () => {
    const path = '/v1/likelihoods/gaussian-toy-truth@1.0.0';
    const etag = (await app.request(path)).headers.get('etag')!;
    const weak = await app.request(path, { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(weak.status).toBe(304);
    expect(weak.headers.get('cache-control')).toContain('immutable');
    expect((await app.request(path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    const msgpack = await app.request(path, { headers: { accept: 'application/msgpack' } });
    expect(msgpack.headers.get('content-type')).toBe('application/msgpack');
    expect(msgpack.headers.get('etag')).not.toBe(etag);
    expect((await app.request(path, { headers: { accept: 'application/msgpack', 'if-none-match': etag } })).status).toBe(200);
  });

  it('a known path with another method is 405 with Allow; an Accept that allows neither JSON nor MessagePack is 406, before any work', async () => {
    const put = await app.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await put.json()).code).toBe('method-not-allowed');
    const del = await app.request('/v1/likelihoods/gaussian-toy-truth', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    const csv = await app.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/csv' }, body: '{"points": "not even valid"}' });
    expect(csv.status).toBe(406);
    expect((await csv.json()).code).toBe('not-acceptable');
    for (const accept of ['*/*', 'application/*', 'text/csv, */*;q=0.1', 'application/json;q=0.5, application/msgpack']) {
      const res = await app.request('/v1/likelihoods', { headers: { accept } });
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('content-type'), accept).toMatch(accept.endsWith('msgpack') ? /msgpack/ : /json/);
    }
  });

  it('an internal failure is a 500 internal-error whose request id is in the body and in the log line, and nothing else of it', async () => {
    const broken = createApp({ ...fileStore('likelihoods'), resolve: () => Promise.reject(new TypeError('secret detail of a defect')) });
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const res = await broken.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"points":[{}]}' });
      const problem = await res.json();
      expect(res.status).toBe(500);
      expect(problem.code).toBe('internal-error');
      expect(problem.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(problem)).not.toContain('secret');
      expect(String(logged[0][0])).toContain(problem.requestId);
    } finally {
      console.error = original;
    }
  });

  it('every documented limit answers with its own code: too-many-events, too-many-points, parameter-out-of-range', async () => {
    const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const events = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{}], data: { events: Array.from({ length: 200_001 }, () => [0.5]) } });
    expect(events.status).toBe(413);
    expect((await events.json()).code).toBe('too-many-events');
    const shaped = await post('/v1/likelihoods/gaussian-toy-truth/ratio', { points: [{}], events: { shape: [200_001, 1], values: Array(200_001).fill(0.5) } });
    expect(shaped.status).toBe(413);
    expect((await shaped.json()).code).toBe('too-many-events');
    const points = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: Array(10_001).fill({}) });
    expect(points.status).toBe(413);
    expect(await points.json()).toMatchObject({ code: 'too-many-points', errors: [{ path: ['points'] }] });
    const range = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{ theta: 7 }] });
    expect(range.status).toBe(422);
    expect(await range.json()).toMatchObject({ code: 'parameter-out-of-range', title: 'A parameter lies outside its allowed range', errors: [{ path: ['points', 0, 'theta'] }] });
  });

  it('answers unknown likelihoods and versions with 404 problems', async () => {
    for (const path of ['/v1/likelihoods/nope', '/v1/likelihoods/gaussian-toy-truth@9.9.9', '/nowhere']) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await res.json()).status).toBe(404);
    }
  });
});

describe('evaluation endpoints return what models/ computes', () => {
  const observed = resolveDataset(artifact.likelihood, { kind: 'observed' });

  it('nll at many points, with gradient', async () => {
    const thetas = [-1.5, -0.2, 0, 0.4, 1.1];
    const res = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: thetas.map((theta) => ({ theta })), gradient: true });
    expect(res.status).toBe(200);
    const body = await res.json();
    thetas.forEach((t, k) => {
      const g = new Float64Array(1);
      const direct = artifact.likelihood.nll(Float64Array.of(t), observed, 0, { gradient: g });
      expect(body.nll[k]).toBe(direct);
      expect(body.gradient[k][0]).toBe(g[0]);
    });
    expect(body.parameters).toEqual(['theta']);
    expect(body.converged).toEqual([true, true, true, true, true]);
  });

  it('nll on Asimov data at any point and luminosity, and on submitted events', async () => {
    const res = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{ theta: 0.3 }, {}], data: 'asimov', at: { theta: 0.5 }, luminosity: 3000 });
    const asimov = resolveDataset(artifact.likelihood, { kind: 'asimov', at: { theta: 0.5 } }, { luminosity: 3000 });
    const body = await res.json();
    expect(body.nll[0]).toBe(artifact.likelihood.nll(Float64Array.of(0.3), asimov));
    expect(body.nll[1]).toBe(artifact.likelihood.nll(Float64Array.of(0), asimov));
    const events = [[0.1], [1.7], [-0.4]];
    const res2 = await post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{ theta: 0.8 }], data: { events }, rate: false });
    const shape = resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, [0.1, 1.7, -0.4], 3), { rate: false });
    expect((await res2.json()).nll[0]).toBe(artifact.likelihood.nll(Float64Array.of(0.8), shape));
  });

  it('ratio gives per-event ln r(x|θ, θ0) equal to the closed form', async () => {
    const xs = [-2, 0.3, 1.5, 3];
    const res = await post('/v1/likelihoods/gaussian-toy-truth/ratio', { events: { shape: [4, 1], values: xs }, points: [{ theta: 0.5 }, { theta: -1.2 }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    [0.5, -1.2].forEach((t, k) => xs.forEach((x, i) => expect(body.logRatio[k][i]).toBeCloseTo(toyLogRatio(toy, x, t), 12)));
  });

  it('fit returns the MLE, its uncertainty and convergence', async () => {
    const res = await post('/v1/likelihoods/gaussian-toy-truth/fit', {});
    const body = await res.json();
    const direct = maximumLikelihood(artifact.likelihood, observed);
    expect(body.converged).toBe(true);
    expect(body.parameters.theta).toBe(direct.parameters[0]);
    expect(body.nll).toBe(direct.nll);
    expect(body.uncertainties.theta).toBeGreaterThan(0);
    expect(body.covariance.matrix[0][0]).toBeCloseTo(body.uncertainties.theta ** 2, 12);
  });

  it('interval returns the same possibly disjoint intervals as profileInterval, by either method', async () => {
    for (const method of ['roots', 'scan'] as const) {
      const res = await post('/v1/likelihoods/gaussian-toy-truth/interval', { parameters: ['theta'], cl: [0.68, 0.95], ...(method === 'scan' ? { method } : {}) });
      const body = await res.json();
      const direct = profileInterval(artifact.likelihood, observed, 'theta', [0.68, 0.95], { method });
      expect(body.converged).toBe(true);
      expect(body.intervals).toEqual(JSON.parse(JSON.stringify(direct.intervals)));
      expect(body.intervals[0].segments).toHaveLength(2); // θ and −θ: the toy sees θ² only
      expect(body.scan.length).toBe(direct.scan.length);
    }
  });

  it('intervals and contours with default arguments where the likelihood is zero at part of the range (tttt: Y_t = 0 expects no events where data exist)', async () => {
    const yukawa = await (await post('/v1/likelihoods/tttt-yukawa/interval', { parameters: ['Yt'], method: 'scan' })).json();
    expect(yukawa.converged).toBe(true);
    // excluded outright: q = +∞, written null, with a converged scan
    expect(yukawa.scan[0]).toEqual({ value: 0, q: null, converged: true });
    const [i68, i95] = yukawa.intervals;
    expect(i95.segments).toHaveLength(1);
    expect(i95.segments[0].lower).toBeGreaterThan(0.8);
    expect(i95.segments[0].lower).toBeLessThan(i68.segments[0].lower);
    // the scan resolves the interval: many of its points lie inside
    expect(yukawa.scan.filter((p: { value: number }) => p.value > i95.segments[0].lower && p.value < i95.segments[0].upper).length).toBeGreaterThan(20);
    // root finding (the default) gives the same ends from a few fits
    const roots = await (await post('/v1/likelihoods/tttt-yukawa/interval', { parameters: ['Yt'] })).json();
    expect(roots.converged).toBe(true);
    expect(roots.scan.length).toBeLessThan(20);
    roots.intervals.forEach((level: { segments: { lower: number; upper: number }[] }, k: number) => {
      expect(level.segments).toHaveLength(1);
      expect(level.segments[0].lower).toBeCloseTo(yukawa.intervals[k].segments[0].lower, 5);
      expect(level.segments[0].upper).toBeCloseTo(yukawa.intervals[k].segments[0].upper, 5);
    });

    const cp = await (await post('/v1/likelihoods/tttt-cp/interval', { parameters: ['at', 'bt'], points: 15, method: 'scan' })).json();
    expect(cp.converged).toBe(true);
    expect(cp.contours[1].polygons.length).toBeGreaterThan(0);
    expect(cp.notes).toEqual([]);
    // b_t enters the rate at second order: rays from the minimum would not see the whole crescent, and the default traces it on a grid
    const cpDefault = await (await post('/v1/likelihoods/tttt-cp/interval', { parameters: ['at', 'bt'] })).json();
    expect(cpDefault.converged).toBe(true);
    expect(cpDefault.notes).toEqual([expect.stringMatching(/^the fit's curvature does not describe the regions .*: traced on a 31 × 31 grid instead$/)]);
  });

  it('a contour grid follows the likelihood\'s own scale, takes a range per axis, and says where a region leaves the grid', async () => {
    const body = { parameters: ['C_lq1', 'C_lq3'], points: 11 };
    const auto = await (await post('/v1/likelihoods/dy-smeft-run3-mll/interval', body)).json();
    expect(auto.converged).toBe(true);
    // the 95% region spans about ±0.01: the grid spans a few times that, not the allowed [−2, 2]
    expect(auto.grid.x[10] - auto.grid.x[0]).toBeLessThan(0.2);
    expect(auto.grid.q.filter((q: number) => q < 5.99).length).toBeGreaterThan(8);
    const narrow = await (await post('/v1/likelihoods/dy-smeft-run3-mll/interval', { ...body, method: 'scan', range: [[-0.005, 0.005], [-0.005, 0.005]] })).json();
    expect(narrow.grid.x[0]).toBe(-0.005);
    expect(narrow.notes.some((n: string) => /0\.95 region reaches the grid's edge/.test(n))).toBe(true);
    // by rays (the default) on dy-smeft-run3, whose curvature describes its regions: they follow the ranges' edges
    const rays = await (await post('/v1/likelihoods/dy-smeft-run3/interval', { parameters: ['C_lq1', 'C_lq3'], data: 'asimov', points: 5, range: [[-0.004, 0.004], [-0.004, 0.004]] })).json();
    expect(rays.converged).toBe(true);
    expect(rays.grid.x[0]).toBeCloseTo(-0.004, 7); // the check grid, inside the ranges by a hair
    expect(rays.notes).toEqual(['the 0.68 region reaches the edge of the requested ranges: it continues beyond; ask with wider ranges', 'the 0.95 region reaches the edge of the requested ranges: it continues beyond; ask with wider ranges']);
    for (const level of rays.contours) for (const [x, y] of level.polygons[0][0]) expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(0.004 + 1e-12);
    const wide = await post('/v1/likelihoods/dy-smeft-run3-mll/interval', { ...body, range: [-1, 1] });
    expect(wide.status).toBe(422);
    expect((await wide.json()).errors[0].path).toEqual(['range']);
  });

  it('an interval warns where the likelihood\'s own validation says its regions under-cover, and only there', async () => {
    const a4 = await (await post('/v1/likelihoods/gaussian-toy-a4-smeared@1.0.0/interval', { parameters: ['theta'], points: 11 })).json();
    expect(a4.warnings).toHaveLength(2);
    expect(a4.warnings[0]).toMatch(/validation measured 0\.0% coverage for the nominal 68\.27% \(300 toys at theta = 0\.5\): its 68\.27% regions claim more than they hold/);
    // 1.1.0, retrained with the relative loss weighting, covers more but still less than nominal
    const latest = await (await post('/v1/likelihoods/gaussian-toy-a4-smeared/interval', { parameters: ['theta'], points: 11 })).json();
    expect(latest.warnings.map((w: string) => w.match(/measured ([0-9.]+)% coverage/)?.[1])).toEqual(['35.7', '72.3']);
    for (const id of ['gaussian-toy-truth', 'gaussian-toy-a3', 'dy-smeft-run3-mll']) {
      const body = await (await post(`/v1/likelihoods/${id}/interval`, { parameters: [id.startsWith('dy') ? 'C_lq1' : 'theta'], points: 11 })).json();
      expect(body.warnings, id).toEqual([]);
    }
  });

  it('a fit warns where its covariance is no 68% half-width (q at θ̂ ± σ̂ far from 1), and only there', async () => {
    const mll = await (await post('/v1/likelihoods/dy-smeft-run3-mll/fit', {})).json();
    const warned = mll.warnings.filter((w: string) => /misdescribes/.test(w));
    expect(warned).toHaveLength(3);
    expect(warned[0]).toMatch(/'C_lq1'.*q at C_lq1 = θ̂ ∓ σ̂ is [0-9.e+]+ and [0-9.e+]+, where a parabolic −ln L gives 1/);
    const sbottom = await (await post('/v1/likelihoods/atlas-sbottom-regiona/fit', {})).json();
    expect(sbottom.warnings.filter((w: string) => /misdescribes/.test(w))).toEqual([]);
  });

  it('speaks MessagePack both ways, with typed arrays for events', async () => {
    const values = Float32Array.of(0.1, 1.2, -0.7);
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth/ratio', {
      method: 'POST',
      headers: { 'content-type': 'application/msgpack' },
      body: encodeMessagePack({ events: { shape: [3, 1], values }, points: [{ theta: 0.9 }] }) as Uint8Array<ArrayBuffer>,
    });
    expect(res.headers.get('content-type')).toBe('application/msgpack');
    const body = decodeMessagePack(new Uint8Array(await res.arrayBuffer())) as { logRatio: number[][] };
    Array.from(values).forEach((x, i) => expect(body.logRatio[0][i]).toBeCloseTo(toyLogRatio(toy, x, 0.9), 12));
  });
});

describe('bad input gets a clear 4xx problem', () => {
  const cases: [string, () => Response | Promise<Response>, number, string][] = [
    ['malformed JSON', () => post('/v1/likelihoods/gaussian-toy-truth/nll', '{"points": [', {}), 400, 'malformed-body'],
    ['NaN literal', () => post('/v1/likelihoods/gaussian-toy-truth/nll', '{"points": [{"theta": NaN}]}'), 400, 'malformed-body'],
    ['wrong media type', () => post('/v1/likelihoods/gaussian-toy-truth/nll', '{}', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
    ['no points', () => post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [] }), 422, 'invalid-request'],
    ['unknown field', () => post('/v1/likelihoods/gaussian-toy-truth/nll', { point: [{ theta: 1 }] }), 422, 'invalid-request'],
    ['unknown parameter', () => post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{ thetta: 1 }] }), 422, 'unknown-parameter'],
    ['out of range', () => post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{ theta: 1e300 }] }), 422, 'parameter-out-of-range'],
    ['wrong event width', () => post('/v1/likelihoods/gaussian-toy-truth/nll', { points: [{}], data: { events: [[1, 2]] } }), 422, 'invalid-dataset'],
    ['ragged events', () => post('/v1/likelihoods/gaussian-toy-truth/ratio', { points: [{}], events: [[1], [1, 2]] }), 422, 'invalid-dataset'],
    ['unknown interval parameter', () => post('/v1/likelihoods/gaussian-toy-truth/interval', { parameters: ['phi'] }), 422, 'unknown-parameter'],
    ['oversized body', () => post('/v1/likelihoods/gaussian-toy-truth/nll', '{"points":[' + '{"theta":0.1},'.repeat(1_300_000) + '{}]}'), 413, 'payload-too-large'],
    ['truncated MessagePack', () => app.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body: encodeMessagePack({ points: [{ theta: 1 }] }).subarray(0, 5) as Uint8Array<ArrayBuffer> }), 400, 'malformed-body'],
  ];
  for (const [name, send, status, code] of cases) {
    it(name, async () => {
      const res = await send();
      expect(res.status).toBe(status);
      const type = res.headers.get('content-type');
      expect(type).toMatch(/^application\/problem\+(json|msgpack)$/);
      const body = type === 'application/problem+json' ? await res.json() : (decodeMessagePack(new Uint8Array(await res.arrayBuffer())) as { status: number; detail: string });
      expect(body).toMatchObject({ status, code });
      expect(body.detail.length).toBeGreaterThan(5);
    });
  }
});
