/**
 * The real worker in workerd (wrangler's `unstable_startWorker` on wrangler.toml: the
 * functions/worker.ts entry, the likelihoods folder as the ASSETS binding), queried over
 * HTTP on loopback. Its answers must be the Node app's, number for number: the same code
 * on two runtimes.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { decodeMessagePack, encodeMessagePack } from '../../models/artifact/codec.js';
import { checkResponse } from '../helpers/http-checks.js';

const ID = 'gaussian-toy-truth';
const node = createApp(fileStore('likelihoods'));

type Worker = Awaited<ReturnType<typeof import('wrangler').unstable_startWorker>>;
let worker: Worker | undefined;
let base = '';

beforeAll(async () => {
  // no metrics, no error reports, no Request.cf download, only warnings in the test output;
  // wrangler's own files in a temporary folder
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.WRANGLER_SEND_ERROR_REPORTS = 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_LOG = process.env.WRANGLER_LOG ?? 'warn';
  // kept after the run: wrangler still appends to its log there while it shuts down
  const configHome = join(tmpdir(), 'likelihood-service-wrangler-config');
  mkdirSync(configHome, { recursive: true });
  process.env.XDG_CONFIG_HOME = configHome;
  const started = performance.now();
  const { unstable_startWorker } = await import('wrangler');
  worker = await unstable_startWorker({ config: 'wrangler.toml', dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false } });
  await worker.ready;
  base = String(await worker.url);
  console.log(`workerd: ready on ${base} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
}, 30_000);

const url = (path: string) => new URL(path, base);

function postJson(path: string, body: unknown): [Promise<Response>, Promise<Response>] {
  const init = () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return [fetch(url(path), init()), Promise.resolve(node.request(path, init()))];
}

describe('the worker in workerd', () => {
  it('serves the catalogue', async () => {
    const res = await fetch(url('/v1/likelihoods'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { likelihoods: { id: string; versions: string[]; parameters: unknown[] }[] };
    const truth = body.likelihoods.find((l) => l.id === ID);
    expect(truth?.versions).toContain('1.0.0');
    expect(truth?.parameters[0]).toMatchObject({ name: 'theta', reference: 0, range: [-2, 2] });
    const fromNode = await (await node.request('/v1/likelihoods')).json();
    expect(body).toEqual(fromNode);
  });

  it('serves the manifest with the same strong ETag as Node, and 304 for a matching If-None-Match', async () => {
    const res = await fetch(url(`/v1/likelihoods/${ID}@1.0.0`));
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const manifest = (await res.json()) as { id: string; version: string };
    expect(manifest).toMatchObject({ id: ID, version: '1.0.0' });
    const fromNode = await node.request(`/v1/likelihoods/${ID}@1.0.0`);
    expect(etag).toBe(fromNode.headers.get('etag'));
    const again = await fetch(url(`/v1/likelihoods/${ID}@1.0.0`), { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    const latest = await fetch(url(`/v1/likelihoods/${ID}`));
    expect(latest.headers.get('cache-control')).toBe('public, max-age=60');
    await latest.arrayBuffer();
  });

  it('answers nll with exactly the numbers of the Node app', async () => {
    const bodies = [
      { points: [-1.5, -0.2, 0, 0.4, 1.1].map((theta) => ({ theta })), gradient: true },
      { points: [{ theta: 0.3 }, {}], data: 'asimov', at: { theta: 0.5 }, luminosity: 3000 },
      { points: [{ theta: 0.8 }], data: { events: [[0.1], [1.7], [-0.4]] }, rate: false },
    ];
    for (const body of bodies) {
      const [inWorkerd, inNode] = postJson(`/v1/likelihoods/${ID}/nll`, body);
      const a = await inWorkerd;
      const b = await inNode;
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      const nll = (await a.json()) as { nll: number[] };
      expect(nll).toEqual(await b.json());
      expect(nll.nll.every(Number.isFinite)).toBe(true);
    }
  });

  it('answers fit with exactly the numbers of the Node app', async () => {
    const [inWorkerd, inNode] = postJson(`/v1/likelihoods/${ID}/fit`, {});
    const a = await inWorkerd;
    expect(a.status).toBe(200);
    const fit = (await a.json()) as { converged: boolean };
    expect(fit.converged).toBe(true);
    expect(fit).toEqual(await (await inNode).json());
  });

  it('speaks MessagePack: typed Float32Array events to ratio, a MessagePack answer equal to Node', async () => {
    const values = Float32Array.of(0.1, 1.2, -0.7, 2.5);
    const init = () => ({
      method: 'POST',
      headers: { 'content-type': 'application/msgpack' },
      body: encodeMessagePack({ events: { shape: [values.length, 1], values }, points: [{ theta: 0.9 }, { theta: -0.3 }] }) as Uint8Array<ArrayBuffer>,
    });
    const res = await fetch(url(`/v1/likelihoods/${ID}/ratio`), init());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/msgpack');
    const body = decodeMessagePack(new Uint8Array(await res.arrayBuffer())) as { observables: string[]; logRatio: number[][] };
    expect(body.observables).toEqual(['x']);
    expect(body.logRatio).toHaveLength(2);
    expect(body.logRatio[0]).toHaveLength(values.length);
    const fromNode = await node.request(`/v1/likelihoods/${ID}/ratio`, init());
    expect(body).toEqual(decodeMessagePack(new Uint8Array(await fromNode.arrayBuffer())));
  });

  it('evaluates a published pyhf workspace and an inline gzip-compressed one with the Node app’s numbers', async () => {
    const [published, publishedNode] = postJson('/v1/likelihoods/atlas-sbottom-regiona/upper-limit', {});
    const limit = await published;
    expect(limit.status).toBe(200);
    expect(await limit.json()).toEqual(await (await publishedNode).json());

    const { readFileSync } = await import('node:fs');
    const { gzipSync } = await import('node:zlib');
    const workspace = JSON.parse(readFileSync(join('..', 'shared', 'workspaces', 'pyhf_2bin_1channel_shapesys.json'), 'utf8'));
    const body = gzipSync(JSON.stringify({ workspace, values: [0.5, 1, 2] }));
    const init = () => ({ method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: new Uint8Array(body) });
    const res = await fetch(url('/v1/pyhf/cls'), init());
    expect(res.status).toBe(200);
    const cls = (await res.json()) as { results: { converged: boolean }[] };
    expect(cls.results.every((r) => r.converged)).toBe(true);
    expect(cls).toEqual(await (await node.request('/v1/pyhf/cls', init())).json());
  });

  it('answers a CORS preflight with 204, and a cross-origin JSON POST readable from any origin with the Node app’s numbers', async () => {
    const origin = 'https://notebook.example';
    const path = `/v1/likelihoods/${ID}/nll`;
    const preflight = await fetch(url(path), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(preflight.headers.get('access-control-max-age')).toBe('86400');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await preflight.text()).toBe('');
    const init = () => ({ method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ points: [{ theta: 0.2 }, { theta: 0.5 }] }) });
    const res = await fetch(url(path), init());
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('etag');
    expect(await res.json()).toEqual(await (await node.request(path, init())).json());
    const missing = await fetch(url('/v1/likelihoods/nope'), { headers: { origin } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    await missing.arrayBuffer();
  });

  it('answers bad requests with problem+json 4xx', async () => {
    const cases: [string, RequestInit, number, string][] = [
      [`/v1/likelihoods/${ID}/nll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: [] }) }, 422, 'invalid-request'],
      [`/v1/likelihoods/${ID}/nll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"points": [' }, 400, 'malformed-body'],
      [`/v1/likelihoods/${ID}/nll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points: [{ thetta: 1 }] }) }, 422, 'unknown-parameter'],
      [`/v1/likelihoods/${ID}/ratio`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }, 415, 'unsupported-media-type'],
      ['/v1/likelihoods/nope', {}, 404, 'unknown-likelihood'],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await fetch(url(path), init);
      const checked = await checkResponse(res, { expectMsgpack: false });
      expect(checked.status, path).toBe(status);
      expect(checked.contentType).toBe('application/problem+json');
      expect(checked.body).toMatchObject({ status, code });
    }
  });

  it('does not serve the artifact files around the worker (run_worker_first)', async () => {
    for (const path of ['/index.json', `/${ID}/1.0.0/manifest.json`, `/${ID}/1.0.0/truth-ratio.msgpack`]) {
      const res = await fetch(url(path));
      const checked = await checkResponse(res, { expectMsgpack: false });
      expect(checked.status, path).toBe(404);
      expect(checked.contentType).toBe('application/problem+json');
    }
  });
});
