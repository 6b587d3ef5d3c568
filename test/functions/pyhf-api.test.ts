/**
 * The pyhf endpoints over HTTP, against pyhf's own numbers (test/fixtures/pyhf/reference/):
 * workspaces sent inline (with a patchset whose digest is checked, gzip and MessagePack
 * bodies), a workspace published with the `import` command, reinterpretation, export, and
 * every kind of bad input answered with a 4xx problem.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { decodeMessagePack, encodeMessagePack } from '../../models/artifact/codec.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import { importWorkspace, pyhfLikelihood } from '../../models/pyhf/import.js';
import { readArtifactFolder } from '../../scripts/lib/artifact-writer.js';
import { importAndPublish } from '../../scripts/pyhf/import-workspace.js';
import { normalCdf } from '../../models/numeric/distributions.js';
import { qtildeTeststat, seriesLogNormalCdf } from '../helpers/normal-tail.js';
import { patchSetOf, reference, SHARED_WORKSPACES, workspaceText, type Reference } from '../models/pyhf/fixtures.js';

const app = createApp(fileStore('likelihoods'));
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body) });

const sbottom = reference('sbottom_1300_205_60') as Reference;
const toy = reference('shapesys_2bin') as Reference;
const sbottomWorkspace = JSON.parse(workspaceText('atlas_sbottom_RegionA.json'));
const toyWorkspace = JSON.parse(workspaceText('pyhf_2bin_1channel_shapesys.json'));
const patchset = patchSetOf('atlas_sbottom_RegionA', 'sbottom_1300_205_60');
/** The request body as JSON text whose `workspace` member is the published file's own text (so pyhf's digest applies). */
const inlineBody = (fields: Record<string, unknown>) => `{"workspace":${workspaceText('atlas_sbottom_RegionA.json')},${JSON.stringify({ patchset, patch: 'sbottom_1300_205_60', ...fields }).slice(1)}`;

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function expectHypotest(result: { cls: number; expected: number[] }, theirs: { cls: number; expected: number[] }) {
  expect(Math.abs(result.cls - theirs.cls)).toBeLessThan(1e-4);
  result.expected.forEach((e, k) => expect(Math.abs(e - theirs.expected[k])).toBeLessThan(1e-4));
}

function expectLimit(limit: { observed: number; expected: number[]; converged: boolean }, theirs: { observed: number; expected: number[] }) {
  expect(limit.converged).toBe(true);
  expect(relative(limit.observed, theirs.observed)).toBeLessThan(1e-3);
  limit.expected.forEach((e, k) => expect(relative(e, theirs.expected[k])).toBeLessThan(1e-3));
}

describe('inline workspaces: /v1/pyhf/*', () => {
  it('CLs at μ = 1 (observed and band) equals pyhf on the sbottom workspace with its signal patch, digest verified', async () => {
    const res = await post('/v1/pyhf/cls', inlineBody({ values: [1] }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model).toMatchObject({ measurement: 'NormalMeasurement', poi: 'mu_SIG', patch: { name: 'sbottom_1300_205_60' }, parameters: sbottom.par_names.length });
    expect(body.results[0].converged).toBe(true);
    expectHypotest(body.results[0], sbottom.hypotests!.find((h) => h.mu === 1)!);
  });

  it('the 95% CLs upper limit, from a gzip-compressed body, equals pyhf’s', async () => {
    const res = await post('/v1/pyhf/upper-limit', gzipSync(inlineBody({})), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expectLimit(await res.json(), sbottom.upper_limit!);
  });

  it('the MLE fit equals pyhf’s tight fit; NLL at the initial point equals pyhf’s −logpdf', async () => {
    const fit = await (await post('/v1/pyhf/fit', inlineBody({}))).json();
    expect(fit.converged).toBe(true);
    expect(relative(fit.nll, sbottom.mle.tight.nll)).toBeLessThan(1e-6);
    for (const [name, value] of Object.entries(sbottom.mle.tight.pars)) {
      const ours = name in fit.parameters ? fit.parameters[name] : fit.nuisances[name];
      expect(Math.abs(ours - value), name).toBeLessThan(1e-3 * Math.max(1, Math.abs(value)));
    }
    const init = sbottom.nll_points.find((p) => p.label === 'init')!;
    const nll = await (await post('/v1/pyhf/nll', inlineBody({ points: [{ mu_SIG: init.pars.mu_SIG }] }))).json();
    expect(relative(nll.nll[0], init.nll)).toBeLessThan(1e-9);
  });

  it('a two-sided profile interval for a nuisance parameter (mu_ttbar) equals pyhf’s scan', async () => {
    const theirs = sbottom.intervals.find((i) => i.parameter === 'mu_ttbar')!;
    const wide = theirs.intervals[1];
    const width = wide.upper! - wide.lower!;
    const res = await post('/v1/pyhf/interval', inlineBody({ parameters: ['mu_ttbar'], cl: theirs.intervals.map((i) => i.cl), points: 21, range: [wide.lower! - width, wide.upper! + width] }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.converged).toBe(true);
    theirs.intervals.forEach((t, k) => {
      const [segment] = body.intervals[k].segments;
      expect(Math.abs(segment.lower - t.lower!)).toBeLessThan(1e-4);
      expect(Math.abs(segment.upper - t.upper!)).toBeLessThan(1e-4);
    });
  });

  it('MessagePack bodies: the same numbers with verify: false; the digest cannot be checked without the JSON text', async () => {
    const msgpack = { 'content-type': 'application/msgpack', accept: 'application/json' };
    const fields = { workspace: sbottomWorkspace, patchset, patch: 'sbottom_1300_205_60', values: [1] };
    const refused = await post('/v1/pyhf/cls', encodeMessagePack(fields), msgpack);
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors[0].path).toEqual(['verify']);
    const res = await post('/v1/pyhf/cls', encodeMessagePack({ ...fields, verify: false }), { 'content-type': 'application/msgpack' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/msgpack');
    expectHypotest((decodeMessagePack(new Uint8Array(await res.arrayBuffer())) as { results: { cls: number; expected: number[] }[] }).results[0], sbottom.hypotests!.find((h) => h.mu === 1)!);
  });

  it('a model built for one request serves the next identical one; any change to the workspace builds a new one', async () => {
    const ask = async (ws: unknown) => (await (await post('/v1/pyhf/cls', { workspace: ws, values: [1] })).json()).results[0].cls as number;
    const first = await ask(toyWorkspace);
    expect(await ask(toyWorkspace)).toBe(first);
    const changed = structuredClone(toyWorkspace);
    changed.observations[0].data[0] += 10;
    const other = await ask(changed);
    expect(Math.abs(other - first)).toBeGreaterThan(1e-3);
    expect(await ask(toyWorkspace)).toBe(first);
  });

  it('a raw JSON Patch in place of a patchset gives the same model', async () => {
    const jsonPatch = JSON.parse(workspaceText('atlas_sbottom_RegionA.patch.json'));
    const body = await (await post('/v1/pyhf/cls', { workspace: sbottomWorkspace, jsonPatch, values: [1] })).json();
    expectHypotest(body.results[0], sbottom.hypotests!.find((h) => h.mu === 1)!);
  });
});

describe('reinterpretation', () => {
  it('doubling a signal that only a normfactor modifies halves the limit and moves CLs(μ) to CLs(2μ) exactly (pyhf 2-bin example)', async () => {
    const signal = toyWorkspace.channels[0].samples.find((s: { name: string }) => s.name === 'signal');
    const original = await (await post('/v1/pyhf/cls', { workspace: toyWorkspace, values: [1, 2] })).json();
    const limit = await (await post('/v1/pyhf/upper-limit', { workspace: toyWorkspace })).json();
    expectLimit(limit, toy.upper_limit!);
    const res = await post('/v1/pyhf/reinterpret', { workspace: toyWorkspace, signal: { yields: { singlechannel: signal.data.map((y: number) => 2 * y) } }, values: [0.5, 1] });
    expect(res.status).toBe(200);
    const doubled = await res.json();
    expect(doubled.sample).toBe('signal');
    doubled.cls.results.forEach((r: { cls: number; expected: number[] }, k: number) => {
      expect(Math.abs(r.cls - original.results[k].cls)).toBeLessThan(1e-6);
      r.expected.forEach((e, j) => expect(Math.abs(e - original.results[k].expected[j])).toBeLessThan(1e-6));
    });
    expect(relative(doubled.upperLimit.observed, limit.observed / 2)).toBeLessThan(1e-5);
    doubled.upperLimit.expected.forEach((e: number, j: number) => expect(relative(e, limit.expected[j] / 2)).toBeLessThan(1e-5));
  });

  it('the published yields of the sbottom signal reproduce pyhf’s CLs and limit; new yields move them', async () => {
    const patched = JSON.parse(workspaceText('atlas_sbottom_RegionA.patch.json')) as { op: string; path: string; value?: { name: string; data: number[] } }[];
    const yields = { SR_meff: patched[0].value!.data, CRtt_meff: patched[1].value!.data };
    const same = await (await post('/v1/pyhf/reinterpret', inlineBody({ signal: { yields } }))).json();
    expect(same.sample).toBe('sbottom_1300_205_60');
    expectHypotest(same.cls.results[0], sbottom.hypotests!.find((h) => h.mu === 1)!);
    expectLimit(same.upperLimit, sbottom.upper_limit!);
    const tripled = await (await post('/v1/pyhf/reinterpret', inlineBody({ signal: { yields: { SR_meff: yields.SR_meff.map((y) => 3 * y), CRtt_meff: yields.CRtt_meff.map((y) => 3 * y) } } }))).json();
    expect(tripled.upperLimit.observed).toBeLessThan(same.upperLimit.observed / 2);
    expect(tripled.cls.results[0].cls).toBeLessThan(same.cls.results[0].cls);
  });

  it('refuses yields that do not fit the workspace, naming the field', async () => {
    const cases: [unknown, (string | number)[]][] = [
      [{ yields: { nope: [1, 2] } }, ['signal', 'yields', 'nope']],
      [{ yields: { singlechannel: [1] } }, ['signal', 'yields', 'singlechannel']],
      [{ yields: { singlechannel: [1, -2] } }, ['signal', 'yields', 'singlechannel', 1]],
      [{ sample: 'background', yields: {} }, ['signal', 'yields']],
    ];
    for (const [signal, path] of cases) {
      const res = await post('/v1/pyhf/reinterpret', { workspace: toyWorkspace, signal });
      expect(res.status, JSON.stringify(signal)).toBe(422);
      expect((await res.json()).errors[0].path).toEqual(path);
    }
  });
});

describe('bad pyhf input is a 4xx problem, never a 500', () => {
  it('digests: a patchset for another workspace, or with md5 only, is refused', async () => {
    const wrong = { ...patchset, metadata: { ...patchset.metadata, digests: { sha256: '0'.repeat(64) } } };
    const res = await post('/v1/pyhf/cls', `{"workspace":${workspaceText('atlas_sbottom_RegionA.json')},${JSON.stringify({ patchset: wrong, patch: 'sbottom_1300_205_60', values: [1] }).slice(1)}`);
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('patchset-mismatch');
    const md5 = { ...patchset, metadata: { ...patchset.metadata, digests: { md5: '0'.repeat(32) } } };
    const res2 = await post('/v1/pyhf/cls', { workspace: sbottomWorkspace, patchset: md5, patch: 'sbottom_1300_205_60', values: [1] });
    expect(res2.status).toBe(422);
    expect((await res2.json()).detail).toMatch(/md5/);
  });

  it('invalid documents and combinations name the offending field', async () => {
    const badModifier = structuredClone(toyWorkspace);
    badModifier.channels[0].samples[0].modifiers[0].type = 'magic';
    const cases: [unknown, string, (string | number)[]][] = [
      [{ workspace: badModifier }, 'invalid-workspace', ['workspace', 'channels', 0, 'samples', 0, 'modifiers', 0]],
      [{ workspace: toyWorkspace, jsonPatch: [{ op: 'remove', path: '/channels/7' }] }, 'invalid-workspace', ['jsonPatch', 0]],
      // 40 copies of a copy would double the workspace 40 times: refused at the copy that passes the budget
      [{ workspace: toyWorkspace, jsonPatch: Array.from({ length: 40 }, () => ({ op: 'copy', from: '/channels', path: '/channels/-' })) }, 'invalid-workspace', ['jsonPatch']],
      [{ workspace: toyWorkspace, patchset, patch: 'nope', verify: false }, 'invalid-workspace', ['patch']],
      [{ workspace: toyWorkspace, patchset }, 'invalid-request', ['patch']],
      [{ workspace: toyWorkspace, patchset, patch: 'x', jsonPatch: [] }, 'invalid-request', ['jsonPatch']],
      [{ workspace: toyWorkspace, poi: 'nope' }, 'invalid-workspace', ['workspace']],
      [{ workspace: toyWorkspace, measurement: 'nope' }, 'invalid-workspace', ['workspace']],
      [{ workspace: toyWorkspace, values: [11] }, 'invalid-request', ['values', 0]],
      [{ workspace: toyWorkspace, values: [1], poi: 'uncorr_bkguncrt' }, 'invalid-workspace', ['workspace']],
    ];
    for (const [body, code, path] of cases) {
      const res = await post('/v1/pyhf/cls', { values: [1], ...(body as object) });
      const problem = await res.json();
      expect(res.status, JSON.stringify(problem)).toBe(422);
      expect(problem.code).toBe(code);
      expect(problem.errors[0].path.slice(0, path.length)).toEqual(path);
    }
  });

  it('compression: unknown encodings 415, corrupt gzip 400, a decompression bomb 413', async () => {
    expect((await post('/v1/pyhf/fit', gzipSync('{}'), { 'content-encoding': 'br' })).status).toBe(415);
    const corrupt = gzipSync(JSON.stringify({ workspace: toyWorkspace }));
    corrupt[corrupt.length - 6] ^= 0xff; // the CRC
    const res = await post('/v1/pyhf/fit', corrupt, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(100_000);
    const exploded = await post('/v1/pyhf/fit', bomb, { 'content-encoding': 'gzip' });
    expect(exploded.status).toBe(413);
    // under the size limit, but expanding a thousandfold: refused at 250 times its compressed size
    const padded = gzipSync(`{"workspace":${JSON.stringify(toyWorkspace)}${' '.repeat(8 * 1024 * 1024)}}`);
    const ratio = await post('/v1/pyhf/nll', padded, { 'content-encoding': 'gzip' });
    expect(ratio.status).toBe(413);
    expect((await ratio.json()).detail).toMatch(/at most 250 times the [0-9]+ compressed ones/);
    // a document that compresses as JSON does is read whole
    const ordinary = await post('/v1/pyhf/nll', gzipSync(JSON.stringify({ workspace: toyWorkspace, points: [{ mu: 1 }] })), { 'content-encoding': 'gzip' });
    expect(ordinary.status).toBe(200);
  });

  it('a likelihood undefined at every starting point (observed events in a bin that expects none) is 422 fit-failed, naming the bin', async () => {
    const workspace = {
      channels: [{ name: 'sr', samples: [{ name: 'signal', data: [0, 1], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] }] }],
      observations: [{ name: 'sr', data: [2, 1] }],
      measurements: [{ name: 'm', config: { poi: 'mu', parameters: [] } }],
      version: '1.0.0',
    };
    for (const [op, fields] of [['fit', {}], ['cls', { values: [1] }], ['upper-limit', {}], ['interval', { parameters: ['mu'] }]] as const) {
      const res = await post(`/v1/pyhf/${op}`, { workspace, ...fields });
      const problem = await res.json();
      expect(res.status, op).toBe(422);
      expect(problem.code, op).toBe('fit-failed');
      expect(problem.detail, op).toMatch(/not finite at any starting point.*channel 'sr' bin 0/);
    }
  });

  it('a channel without samples is an invalid workspace naming the field, not a 500 from a check that read what is not there', async () => {
    const workspace = { ...toyWorkspace, channels: [{ name: 'singlechannel', samples: [] }] };
    const res = await post('/v1/pyhf/nll', { workspace, points: [{ mu: 1 }] });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0].path).toEqual(['workspace', 'channels', 0, 'samples']);
  });

  it('CLs of a likelihood without a normfactor POI is 422 not-applicable', async () => {
    const res = await post('/v1/likelihoods/gaussian-toy-truth/cls', { values: [1] });
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('not-applicable');
  });
});

describe('a workspace published with `import`', () => {
  let root: string;
  let served: ReturnType<typeof createApp>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pyhf-import-'));
    const patchsetFile = join(root, 'patchset.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(patchsetFile, JSON.stringify(patchset));
    await importAndPublish({
      workspace: join(SHARED_WORKSPACES, 'atlas_sbottom_RegionA.json'),
      patchset: patchsetFile,
      patch: 'sbottom_1300_205_60',
      verify: true,
      id: 'sbottom-test',
      version: '1.0.0',
      citation: [],
      luminosityUnit: 'fb^-1',
      out: join(root, 'likelihoods'),
      command: 'test',
    });
    served = createApp(fileStore(join(root, 'likelihoods')));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  const call = (path: string, body: unknown) => served.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('serves CLs and the upper limit with pyhf’s numbers', async () => {
    const cls = await (await call('/v1/likelihoods/sbottom-test/cls', { values: [1] })).json();
    expectHypotest(cls.results[0], sbottom.hypotests!.find((h) => h.mu === 1)!);
    expectLimit(await (await call('/v1/likelihoods/sbottom-test/upper-limit', {})).json(), sbottom.upper_limit!);
  });

  it('exports its workspace, which imports back to the same likelihood', async () => {
    const res = await served.request('/v1/likelihoods/sbottom-test@1.0.0/workspace');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const exported = await res.json();
    const a = pyhfLikelihood(importWorkspace(exported));
    const b = pyhfLikelihood(importWorkspace(sbottomWorkspace, { jsonPatch: JSON.parse(workspaceText('atlas_sbottom_RegionA.patch.json')) }));
    expect(a.likelihood.names).toEqual(b.likelihood.names);
    const point = b.likelihood.initial().map((v, i) => v + 0.01 * ((i % 5) - 2));
    expect(relative(a.likelihood.nll(point, a.data), b.likelihood.nll(point, b.data))).toBeLessThan(1e-12);
  });

  it('reinterprets new yields on the published artifact as on the inline workspace', async () => {
    const yields = { SR_meff: [0.1, 0.4, 2.5], CRtt_meff: [0.1, 0.5, 1.0] };
    const published = await (await call('/v1/likelihoods/sbottom-test/reinterpret', { signal: { yields }, values: [1] })).json();
    const inline = await (await post('/v1/pyhf/reinterpret', inlineBody({ signal: { yields }, values: [1] }))).json();
    expect(Math.abs(published.cls.results[0].cls - inline.cls.results[0].cls)).toBeLessThan(1e-8);
    expect(relative(published.upperLimit.observed, inline.upperLimit.observed)).toBeLessThan(1e-6);
  });

  it('a binned likelihood without observed counts exports with its Asimov expectation at θ0, and says so', async () => {
    const res = await app.request('/v1/likelihoods/tttt-yukawa-np/workspace');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-observations')).toBe('asimov-at-reference');
    const exported = pyhfLikelihood(importWorkspace(await res.json(), { poi: null }));
    const artifact = await readArtifactFolder('likelihoods/tttt-yukawa-np/1.0.0');
    const data = resolveDataset(artifact.likelihood, { kind: 'asimov' });
    const ours = artifact.likelihood;
    const toExported = (p: Float64Array) => Float64Array.from(exported.likelihood.names, (n) => p[ours.indexOf(n)]);
    const base = ours.initial();
    const shifted = base.map((v, i) => (i === 0 ? v : v + 0.02 * ((i % 3) - 1)));
    const dOurs = ours.nll(shifted, data) - ours.nll(base, data);
    const dExported = exported.likelihood.nll(toExported(shifted), exported.data) - exported.likelihood.nll(toExported(base), exported.data);
    expect(Math.abs(dOurs - dExported)).toBeLessThan(1e-9);
  });

  it('the workspace of an unbinned likelihood is 422 not-applicable', async () => {
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth/workspace');
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('not-applicable');
  });
});

describe('numbers far in the tails: every number given, or why not (pyhf-2bin-shapesys)', () => {
  const toyCls = async (fields: object) => (await (await post('/v1/likelihoods/pyhf-2bin-shapesys/cls', fields)).json()).results[0];

  it('at luminosity 1e6 (the largest a request may ask, × the published) CL_s+b underflows: ln CLs is the asymptotic value, CLs = exp(ln CLs)', async () => {
    const r = await toyCls({ values: [1], luminosity: 1e6 });
    expect(r.converged).toBe(true);
    expect(r.clsb).toBe(0);
    const t = qtildeTeststat(r.qmu, r.qmuA);
    const s = Math.sqrt(r.qmuA);
    expect(t + s).toBeGreaterThan(40);
    // ln CLs = ln Φ(−(t + √q_μ,A)) − ln Φ(−t): the first by the asymptotic series (about −q_μ/2 = −1.5e7), the second an ordinary Φ
    expect(Math.abs(r.logCls / (seriesLogNormalCdf(-(t + s)) - Math.log(normalCdf(-t))) - 1)).toBeLessThan(1e-12);
    expect(r.cls).toBe(Math.exp(r.logCls));
    expect(Number.isFinite(r.cls)).toBe(true);
    [2, 1, 0, -1, -2].forEach((n, k) => {
      expect(Math.abs(r.logExpected[k] / (seriesLogNormalCdf(-(n + s)) - Math.log(normalCdf(-n))) - 1)).toBeLessThan(1e-12);
      expect(r.expected[k]).toBe(Math.exp(r.logExpected[k]));
    });
  });

  it('at luminosity 100 CL_s+b = CL_b = 0 while CLs is an ordinary number, equal to the asymptotic formula', async () => {
    const r = await toyCls({ values: [0.01], luminosity: 100 });
    expect(r.converged).toBe(true);
    expect([r.clsb, r.clb]).toEqual([0, 0]);
    const t = qtildeTeststat(r.qmu, r.qmuA);
    const reference = Math.exp(seriesLogNormalCdf(-(t + Math.sqrt(r.qmuA))) - seriesLogNormalCdf(-t));
    expect(r.cls).toBeGreaterThan(1e-4);
    expect(Math.abs(r.cls / reference - 1)).toBeLessThan(1e-10);
  });

  it('where the data exclude μ = 0 outright (the exported four-top patchsets: bins with only signal), CLs says so and points to /interval', async () => {
    const workspace = readFileSync('exports/tttt-yukawa/BkgOnly.json', 'utf8');
    const patchset = readFileSync('exports/tttt-yukawa/patchset.json', 'utf8');
    const res = await app.request('/v1/pyhf/cls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"workspace":${workspace},"patchset":${patchset},"patch":"Yt_1","values":[1]}` });
    expect(res.status).toBe(200);
    const [r] = (await res.json()).results;
    expect(r).toMatchObject({ converged: false, cls: null });
    expect(r.message).toMatch(/^no fit at mu_SIG = 0 can start \(.*expected count in channel '[^']+' bin \d+ is 0, not positive.*\), and CLs needs mu_SIG = 0 as its background-only hypothesis; .*the data exclude mu_SIG = 0 outright: use \/interval/);
  });

  it('where the fit at μ = 0 fails (sbottom at 1e6 × its luminosity) CLs and the limit say so, no 500; beyond 1e6 the luminosity is refused', async () => {
    const cls = await post('/v1/likelihoods/atlas-sbottom-regiona/cls', { values: [1], luminosity: 1.39e8 });
    expect(cls.status).toBe(200);
    const [r] = (await cls.json()).results;
    expect(r).toMatchObject({ converged: false, cls: null, logCls: null });
    expect(r.message).toMatch(/^the fit at mu_SIG = 0 that generates the Asimov data did not converge: /);
    const refused = await post('/v1/likelihoods/atlas-sbottom-regiona/cls', { values: [1], luminosity: 1e20 });
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors[0].path).toEqual(['luminosity']);
    const limit = await post('/v1/likelihoods/atlas-sbottom-regiona/upper-limit', { luminosity: 1.39e8 });
    expect(limit.status).toBe(200);
    const ul = await limit.json();
    expect(ul).toMatchObject({ converged: false, observed: null });
    expect(ul.messages.join(' ')).toMatch(/did not converge/);
    for (const e of ul.scan) expect(e.message).toMatch(/did not converge/);
  });

  it('upper limits at level 1e-12 are finite and lie beyond those at 1e-6 and 0.05; a null CLs in the scan says why', async () => {
    type Limit = { converged: boolean; observed: number; expected: number[]; scan: { cls: number | null; expected: number[]; converged: boolean; message?: string }[] };
    const limits: Limit[] = [];
    for (const level of [0.05, 1e-6, 1e-12]) {
      const res = await post('/v1/likelihoods/pyhf-2bin-shapesys/upper-limit', { level });
      expect(res.status).toBe(200);
      limits.push(await res.json());
    }
    for (const ul of limits) {
      expect(ul.converged).toBe(true);
      for (const l of [ul.observed, ...ul.expected]) expect(Number.isFinite(l)).toBe(true);
      for (const e of ul.scan) {
        expect(e.converged).toBe(true);
        expect(e.expected.every(Number.isFinite)).toBe(true);
        if (e.cls === null) expect(e.message).toMatch(/not evaluated: only the expected band was needed/);
        else expect(e.message).toBeUndefined();
      }
    }
    for (let i = 1; i < limits.length; i++) {
      expect(limits[i].observed).toBeGreaterThan(limits[i - 1].observed);
      limits[i].expected.forEach((e, k) => expect(e).toBeGreaterThan(limits[i - 1].expected[k]));
    }
  });

  it('a fit whose uncertainties cannot all be given says why: at a bound (luminosity 1e-6), fixed', async () => {
    const tiny = await (await post('/v1/likelihoods/pyhf-2bin-shapesys/fit', { luminosity: 1e-6 })).json();
    expect(tiny.converged).toBe(true);
    expect(tiny.uncertainties.mu).toBeNull();
    expect(tiny.warnings).toEqual([expect.stringMatching(/^no uncertainty at a bound of the allowed range.*: mu = 10 \(its upper bound\)$/)]);
    const fixed = await (await post('/v1/likelihoods/pyhf-2bin-shapesys/fit', { fixed: { mu: 1 } })).json();
    expect(fixed.uncertainties.mu).toBeNull();
    expect(fixed.warnings).toEqual(['no uncertainty for fixed parameters: mu']);
    const free = await (await post('/v1/likelihoods/pyhf-2bin-shapesys/fit', {})).json();
    expect(Object.values(free.uncertainties).every((u) => typeof u === 'number')).toBe(true);
    expect(free.warnings).toEqual([]);
  });
});
