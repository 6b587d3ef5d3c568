/**
 * GET /v1/likelihoods/{id}/onnx/{component} (issue 25 item 5): every network component of every
 * published version, run by onnxruntime-node, equals the frozen runtime to 1e-6 on random
 * inputs; the log-ratio model of dy-smeft-run3 reproduces `/ratio` away from θ0; headers,
 * caching and every refusal are checked. The HS3 document of a learned likelihood, with its
 * ONNX model, is enough to compute the likelihood outside the service.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { evaluateMonomials, monomialBasis } from '../../models/basis/monomial-basis.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { evaluateEnsemble, mlpOnly, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { Hs3DocumentSchema, type Hs3Document } from '../../models/pyhf/hs3.js';
import { createRandom, type Random } from '../../models/random.js';
import { maxDifference, runOnnx } from '../helpers/onnx.js';

const store = fileStore('likelihoods');
const app = createApp(store);
const index = JSON.parse(readFileSync('likelihoods/index.json', 'utf8')) as { likelihoods: { id: string; versions: string[] }[] };

function uniformInputs(random: Random, net: FrozenNetwork, n: number): Float64Array {
  const x = new Float64Array(n * net.inputs);
  for (let e = 0; e < n; e++) for (let i = 0; i < net.inputs; i++) x[e * net.inputs + i] = net.inputScaling.mean[i] + 2 * net.inputScaling.std[i] * (2 * random.uniform() - 1);
  return x;
}

async function onnx(path: string, headers: Record<string, string> = {}): Promise<{ res: Response; bytes: Uint8Array }> {
  const res = await app.request(path, { headers });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('ONNX export of published networks', () => {
  it('every network component of every published version equals the frozen runtime to 1e-6 under onnxruntime-node', async () => {
    const random = createRandom(2501);
    let checked = 0;
    for (const { id, versions } of index.likelihoods) {
      for (const version of versions) {
        const { manifest } = await store.manifest(id, version);
        for (const [component, ref] of Object.entries(manifest.components)) {
          if (ref.kind !== 'network') continue;
          const { network: stored } = await store.payload(id, version, component, 'network');
          const { res, bytes } = await onnx(`/v1/likelihoods/${id}@${version}/onnx/${component}`);
          if (stored.format !== 'frozen-mlp/1') {
            // an L-GATr has no ONNX export: refused as not applicable, never a 500
            expect(res.status, `${id}@${version} ${component}`).toBe(422);
            continue;
          }
          const network = stored;
          expect(res.status, `${id}@${version} ${component}`).toBe(200);
          const n = 64;
          const x = uniformInputs(random, network, n);
          const out = await runOnnx(bytes, { x: { data: x, dims: [n, network.inputs] } });
          const expected = evaluateEnsemble(network, x, n);
          expect(maxDifference(out.mean.data, expected.mean), `${id}@${version} ${component}`).toBeLessThan(1e-6);
          for (let m = 0; m < network.members.length; m++) expect(maxDifference(out.members.data.subarray(m * expected.mean.length, (m + 1) * expected.mean.length), expected.members[m])).toBeLessThan(1e-6);
          checked++;
        }
      }
    }
    // the toys' estimators, the Drell–Yan ratio networks and their signal fractions
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('output=log-ratio of dy-smeft-run3 reproduces /ratio away from θ0: ln r = ln R̂ − ln(σ(θ)/σ0)', async () => {
    const spec = 'dy-smeft-run3@1.1.0';
    const { manifest } = await store.manifest('dy-smeft-run3', '1.1.0');
    const term = manifest.terms[0] as Extract<Manifest['terms'][number], { kind: 'unbinned-polynomial' }>;
    // events inside the published selection, near the bulk of the reference sample
    const random = createRandom(2502);
    const network = mlpOnly((await store.payload('dy-smeft-run3', '1.1.0', 'network', 'network')).network, 'dy-smeft-run3');
    const selection = manifest.observables.map((o) => o.selection ?? {});
    const events: number[][] = [];
    while (events.length < 40) {
      const row = Array.from({ length: network.inputs }, (_, i) => network.inputScaling.mean[i] + network.inputScaling.std[i] * (random.uniform() - 0.5));
      if (row.every((v, i) => (selection[i].min === undefined || v >= selection[i].min) && (selection[i].max === undefined || v <= selection[i].max))) events.push(row);
    }
    const points = [{ C_lq1: 0.4, C_lq3: -0.3, C_eu: 0.2 }, { C_lq1: -1.5, C_lq3: 0, C_eu: 1.2 }];
    const ratioRes = await app.request(`/v1/likelihoods/${spec}/ratio`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events, points }) });
    expect(ratioRes.status).toBe(200);
    const { logRatio } = (await ratioRes.json()) as { logRatio: number[][] };

    const { res, bytes } = await onnx(`/v1/likelihoods/${spec}/onnx/network?output=log-ratio`);
    expect(res.status).toBe(200);
    const basis = monomialBasis(3, term.degree);
    for (let p = 0; p < points.length; p++) {
      const theta = term.parameters.map((name) => points[p][name as keyof (typeof points)[number]]);
      const out = await runOnnx(bytes, { x: { data: Float64Array.from(events.flat()), dims: [events.length, network.inputs] }, theta: { data: Float64Array.from(theta), dims: [1, 3] } });
      const m = evaluateMonomials(basis, theta);
      const sigmaRatio = term.crossSection.coefficients.reduce((s, c, k) => s + c * m[k], 0);
      const normalised = Array.from(out.log_ratio.data, (v) => v - Math.log(sigmaRatio));
      expect(maxDifference(normalised, logRatio[p]), `point ${p}`).toBeLessThan(1e-6);
      // away from θ0: the ratios are far from 1, so the check is not of ln 1 = 0
      expect(Math.max(...logRatio[p].map(Math.abs))).toBeGreaterThan(0.01);
    }
  });

  it('serves a file: media type, file name, metadata, immutable caching, 304, and float32 on request', async () => {
    const { res, bytes } = await onnx('/v1/likelihoods/gaussian-toy-a3-carl@1.0.0/onnx/network');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="gaussian-toy-a3-carl@1.0.0-network.onnx"');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const text = new TextDecoder().decode(bytes);
    // metadata_props and the doc string: what the inputs are, where the model came from
    for (const s of ['gaussian-toy-a3-carl@1.0.0', 'component_sha256', 'x,theta', 'likelihood-service']) expect(text).toContain(s);
    // curl's and fetch's default Accept, and a family wildcard, are answered as no header is
    for (const accept of ['*/*', 'application/*', 'application/json, */*;q=0.1']) expect((await app.request('/v1/likelihoods/gaussian-toy-a3-carl@1.0.0/onnx/network', { headers: { accept } })).status, accept).toBe(200);
    const again = await app.request('/v1/likelihoods/gaussian-toy-a3-carl@1.0.0/onnx/network', { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const f32 = await onnx('/v1/likelihoods/gaussian-toy-a3-carl@1.0.0/onnx/network?precision=float32');
    expect(f32.res.headers.get('etag')).not.toBe(res.headers.get('etag'));
    expect(f32.bytes.length).toBeLessThan(bytes.length); // float32 weights: half the bytes
    const out = await runOnnx(f32.bytes, { x: { data: Float64Array.of(0.5, 0.3), dims: [1, 2] } }, 'float32');
    expect(out.mean.dims).toEqual([1, 1]);
  });

  it('target=roofit: float32, one event, one scalar output, as RooONNXFunction takes it; equal to the float64 model to float32 rounding', async () => {
    const { res, bytes } = await onnx('/v1/likelihoods/dy-smeft-run3@1.1.0/onnx/network?output=log-ratio&target=roofit');
    expect(res.headers.get('content-disposition')).toContain('network-log-ratio-roofit.onnx');
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    expect(session.outputNames).toEqual(['log_ratio']);
    const network = mlpOnly((await store.payload('dy-smeft-run3', '1.1.0', 'network', 'network')).network, 'dy-smeft-run3');
    const event = Array.from(network.inputScaling.mean);
    const theta = [0.4, -0.3, 0.2];
    const single = await runOnnx(bytes, { x: { data: Float64Array.from(event), dims: [1, 10] }, theta: { data: Float64Array.from(theta), dims: [1, 3] } }, 'float32');
    expect(single.log_ratio.dims).toEqual([1]);
    const full = await runOnnx((await onnx('/v1/likelihoods/dy-smeft-run3@1.1.0/onnx/network?output=log-ratio')).bytes, { x: { data: Float64Array.from(event), dims: [1, 10] }, theta: { data: Float64Array.from(theta), dims: [1, 3] } });
    expect(Math.abs(single.log_ratio.data[0] - full.log_ratio.data[0])).toBeLessThan(1e-5 * Math.max(1, Math.abs(full.log_ratio.data[0])));
    // a two-input classifier with one output: its head as is
    const carl = await ort.InferenceSession.create((await onnx('/v1/likelihoods/gaussian-toy-a3-carl/onnx/network?target=roofit')).bytes);
    expect(carl.outputNames).toEqual(['mean']);
  });

  it('refuses with problem documents: unknown component, not a network, log-ratio where it does not apply, bad query, Accept', async () => {
    const cases: [string, Record<string, string>, number, string, RegExp][] = [
      ['/v1/likelihoods/dy-smeft-run3/onnx/nope', {}, 404, 'unknown-component', /its networks are network, signal-fraction/],
      ['/v1/likelihoods/atlas-sbottom-regiona/onnx/model', {}, 422, 'not-applicable', /binned-model, not a network/],
      ['/v1/likelihoods/atlas-sbottom-regiona/onnx/nope', {}, 404, 'unknown-component', /networks are none/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/reference-sample', {}, 422, 'not-applicable', /coefficient-sample/],
      ['/v1/likelihoods/gaussian-toy-a3-carl/onnx/network?output=log-ratio', {}, 422, 'not-applicable', /already is ln r̂/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/signal-fraction?output=log-ratio', {}, 422, 'not-applicable', /signal-fraction classifier/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/network?output=ratio', {}, 422, 'invalid-request', /query\.output/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/network?precision=float16', {}, 422, 'invalid-request', /query\.precision/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/network?members=2', {}, 422, 'invalid-request', /members/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/network?target=roofit', {}, 422, 'not-applicable', /gives 10: ask for output=log-ratio/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/network?output=log-ratio&target=roofit&precision=float64', {}, 422, 'not-applicable', /float32 only/],
      ['/v1/likelihoods/dy-smeft-run3/onnx/network', { accept: 'application/json' }, 406, 'not-acceptable', /application\/octet-stream/],
      ['/v1/likelihoods/nope/onnx/network', {}, 404, 'unknown-likelihood', /nope/],
    ];
    for (const [path, headers, status, code, detail] of cases) {
      const res = await app.request(path, { headers });
      const body = (await res.json()) as { code: string; detail: string };
      expect(res.status, path).toBe(status);
      expect(body.code, path).toBe(code);
      expect(body.detail, path).toMatch(detail);
    }
  });
});

describe('HS3 of a learned likelihood: the onnx_ratio_dist extension', () => {
  /** −ln L(θ) from the HS3 document and its ONNX model alone, up to a θ-independent constant, as an outside tool would compute it. */
  async function nllFromHs3(doc: Hs3Document, theta: number[]): Promise<number> {
    const dist = doc.distributions[0] as unknown as {
      term: string;
      onnx: { href: string; inputs: { x: string[]; theta?: string[] }; output: string };
      reference: number[];
      cross_section: { value: number; degree: number; coefficients: number[] };
      luminosity: { value: number };
      normalisation?: string;
    };
    const data = doc.data[0] as { entries: number[][]; weights?: number[] };
    const { bytes } = await onnx(dist.onnx.href);
    const n = data.entries.length;
    const polynomial = dist.term === 'unbinned-polynomial';
    const x = polynomial ? data.entries.flat() : data.entries.flatMap((row) => [...row, ...theta]);
    const feeds: Record<string, { data: Float64Array; dims: number[] }> = { x: { data: Float64Array.from(x), dims: [n, dist.onnx.inputs.x.length] } };
    if (polynomial) feeds.theta = { data: Float64Array.from(theta), dims: [1, theta.length] };
    const logRatio = (await runOnnx(bytes, feeds))[dist.onnx.output].data;
    const basis = monomialBasis(theta.length, dist.cross_section.degree);
    const m = evaluateMonomials(basis, theta.map((t, i) => t - dist.reference[i]));
    const sigmaRatio = dist.cross_section.coefficients.reduce((s, c, k) => s + c * m[k], 0);
    const w = (e: number) => data.weights?.[e] ?? 1;
    let sum = 0;
    let W = 0;
    for (let e = 0; e < n; e++) {
      sum += w(e) * logRatio[e];
      W += w(e);
    }
    const expected = dist.luminosity.value * dist.cross_section.value * sigmaRatio;
    return polynomial ? expected - sum : expected - W * Math.log(sigmaRatio) - sum;
  }

  for (const id of ['gaussian-toy-a3', 'gaussian-toy-a3-alice']) {
    it(`${id}: the document and its ONNX model alone give the service's ΔNLL on the observed events (1e-6)`, async () => {
      const res = await app.request(`/v1/likelihoods/${id}/hs3`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-observations')).toBe('published');
      const doc = Hs3DocumentSchema.parse(await res.json());
      expect(doc.distributions[0].type).toBe('onnx_ratio_dist');
      expect(doc.data[0].type).toBe('unbinned');
      const thetas = [0.3, 1.2, -0.8];
      const service = await app.request(`/v1/likelihoods/${id}/nll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: thetas.map((theta) => ({ theta })), data: 'observed' }) });
      const { nll } = (await service.json()) as { nll: number[] };
      const outside = await Promise.all(thetas.map((t) => nllFromHs3(doc, [t])));
      for (let k = 1; k < thetas.length; k++) {
        const delta = nll[k] - nll[0];
        expect(Math.abs(delta)).toBeGreaterThan(0.1); // a real difference, not 0 = 0
        expect(Math.abs(outside[k] - outside[0] - delta) / Math.max(1, Math.abs(delta)), `θ = ${thetas[k]}`).toBeLessThan(1e-6);
      }
    });
  }

  it('dy-smeft-run3 publishes no events: no data, said in the header and the metadata; a binned likelihood stays HistFactory', async () => {
    const res = await app.request('/v1/likelihoods/dy-smeft-run3/hs3');
    expect(res.headers.get('x-observations')).toBe('none');
    const doc = Hs3DocumentSchema.parse(await res.json());
    expect(doc.data).toEqual([]);
    expect(doc.metadata.observations).toMatch(/Asimov/);
    const dist = doc.distributions[0] as unknown as { onnx: { href: string; inputs: { theta: string[] } }; cross_section: { monomials: string[] } };
    expect(dist.onnx.href).toBe('/v1/likelihoods/dy-smeft-run3@1.1.0/onnx/network?output=log-ratio');
    expect(dist.onnx.inputs.theta).toEqual(['C_lq1', 'C_lq3', 'C_eu']);
    expect(dist.cross_section.monomials.slice(0, 5)).toEqual(['1', 'C_lq1', 'C_lq3', 'C_eu', 'C_lq1^2']);
    const analytic = await app.request('/v1/likelihoods/gaussian-toy-truth/hs3');
    expect(analytic.status).toBe(422);
    expect(((await analytic.json()) as { detail: string }).detail).toMatch(/analytic-ratio, which has no ONNX form/);
    const binned = Hs3DocumentSchema.parse(await (await app.request('/v1/likelihoods/atlas-sbottom-regiona/hs3')).json());
    expect(binned.distributions.some((d) => d.type === 'histfactory_dist')).toBe(true);
  });

  it('every learned likelihood’s result page links its ONNX models and HS3 document, and every such link answers 200', async () => {
    let links = 0;
    for (const id of ['dy-smeft-run3', 'dy-smeft-run3-morphing', 'gaussian-toy-a3', 'gaussian-toy-a3-carl']) {
      const page = await (await app.request(`/likelihoods/${id}`)).text();
      expect(page, id).toContain('onnx_ratio_dist');
      const hrefs = [...page.matchAll(/href="(\/v1\/likelihoods\/[^"]+\/(?:onnx\/[^"]+|hs3))"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
      expect(hrefs.some((h) => h.includes('/onnx/')), id).toBe(true);
      for (const href of hrefs) {
        expect((await app.request(href)).status, href).toBe(200);
        links++;
      }
    }
    expect(links).toBeGreaterThanOrEqual(12);
  });
});
