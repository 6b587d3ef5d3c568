/**
 * The costly cases of issue 24: requests that, before the cost model, the limits and the
 * boundary checks, took minutes, gigabytes or a 500 from `wrangler dev` — each with what it is
 * and what a safe service answers. `npm run bench:hostile` sends every one alone and then a
 * normal request; test/workerd/worker.test.ts sends small versions of a few (the builders
 * below take their sizes). Re-exported by scripts/bench/hostile-requests.ts.
 *
 * Bodies are built when a case is sent (`build`), not when this module loads: the list holds
 * several megabytes of bodies, and the gzip bomb is made by streaming zeros through gzip so
 * that its 1 GB is never in memory.
 */
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { encodeMessagePack } from '../../models/artifact/codec.js';
import { LIMITS } from '../../models/service/schemas.js';
import type { HostileRequest } from './hostile-requests.js';

/** What a case should get: a status, any 4xx, 200 (`ok`), or either 200 or a 4xx (`answered`: a request at a limit, which the cost model may accept or refuse). */
export type CostlyExpectation = number | '4xx' | 'ok' | 'answered';

export interface CostlyRequest {
  name: string;
  /** why the case is here: what it did before issue 24 */
  what: string;
  expect: CostlyExpectation;
  /**
   * answered by workerd before the worker runs (a method its parser refuses, CONNECT, more
   * headers than it reads): the status is the runtime's, not the app's
   */
  runtime?: boolean;
  build(): HostileRequest | Promise<HostileRequest>;
}

const json = (path: string, body: unknown, headers: Record<string, string> = {}): HostileRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json', ...headers },
  body: new TextEncoder().encode(JSON.stringify(body)),
});
const msgpack = (path: string, body: unknown): HostileRequest => ({ method: 'POST', path, headers: { 'content-type': 'application/msgpack' }, body: encodeMessagePack(body) });
const bare = (method: string, path: string, headers: Record<string, string> = {}): HostileRequest => ({ method, path, headers });

/** n values evenly spread over [lo, hi] */
const spread = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / Math.max(1, n - 1));

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32): the same bodies on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** pyhf's two-bin example: the smallest valid workspace, for patches and number tricks. */
export function toyWorkspace(observations: unknown[] = [50, 60], shapesys: unknown[] = [5, 12]): Record<string, unknown> {
  return {
    channels: [{ name: 'singlechannel', samples: [
      { name: 'signal', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'background', data: [50, 60], modifiers: [{ name: 'uncorr_bkguncrt', type: 'shapesys', data: shapesys }] },
    ] }],
    observations: [{ name: 'singlechannel', data: observations }],
    measurements: [{ name: 'Measurement', config: { poi: 'mu', parameters: [] } }],
    version: '1.0.0',
  };
}

/**
 * One channel of `bins` bins, a signal and a background with `staterror` in every bin: one
 * nuisance parameter per bin, so a fit's Hessian is bins² (10⁴ bins: 800 MB per copy), from a
 * request of a few hundred kilobytes (10⁴ bins: about 210 KB, the size of the one issue 24 found).
 */
export function staterrorWorkspace(bins: number): Record<string, unknown> {
  const next = random(24);
  const background = Array.from({ length: bins }, () => Math.round(20_000 + 80_000 * next()) / 1_000);
  const signal = Array.from({ length: bins }, () => Math.round(100 + 400 * next()) / 100);
  return {
    channels: [{ name: 'sr', samples: [
      { name: 'signal', data: signal, modifiers: [{ name: 'mu', type: 'normfactor', data: null }] },
      { name: 'background', data: background, modifiers: [{ name: 'staterror_sr', type: 'staterror', data: background.map((b) => Math.round(1_000 * Math.sqrt(b)) / 1_000) }] },
    ] }],
    observations: [{ name: 'sr', data: background.map(Math.round) }],
    measurements: [{ name: 'Measurement', config: { poi: 'mu', parameters: [] } }],
    version: '1.0.0',
  };
}

/** A JSON Patch whose `copies` copy operations each copy the growing array into itself: the document doubles per operation. */
export function doublingPatch(copies: number): unknown[] {
  return [{ op: 'add', path: '/x', value: [0] }, ...Array.from({ length: copies }, () => ({ op: 'copy', from: '/x', path: '/x/-' }))];
}

/** gzip of `bytes` zeros, compressed as a stream (1 MiB at a time): the expanded body is never held. */
export async function gzipBomb(bytes: number): Promise<Uint8Array> {
  const chunk = new Uint8Array(1 << 20);
  let left = bytes;
  const zeros = Readable.from((function* () {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
    }
  })());
  const parts: Buffer[] = [];
  for await (const part of zeros.pipe(createGzip({ level: 9 }))) parts.push(part as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * A MessagePack inline workspace whose observations hold integers beyond 2⁵³ (uint64 and
 * int64, which a decoder may turn into BigInt) or whose shapesys data hold ±Infinity and NaN
 * (which JSON cannot carry), to `/v1/pyhf/{endpoint}`.
 */
export function msgpackNumbersWorkspace(kind: 'bigint' | 'infinity', endpoint = 'fit'): HostileRequest {
  const workspace = kind === 'bigint' ? toyWorkspace([2n ** 60n + 1n, -(2n ** 62n)]) : toyWorkspace([50, 60], [Infinity, NaN]);
  return msgpack(`/v1/pyhf/${endpoint}`, { workspace });
}

/** Events for a ratio request at the events × points limit: `observables` per event, MessagePack Float32Array. */
function ratioAtLimit(id: string, observables: number, scale: number[], points: Record<string, number>[]): HostileRequest {
  const events = LIMITS.ratioValues / points.length;
  const next = random(7);
  const values = new Float32Array(events * observables);
  for (let i = 0; i < values.length; i++) values[i] = scale[i % observables] * (0.5 + next());
  return msgpack(`/v1/likelihoods/${id}/ratio`, { events: { shape: [events, observables], values }, points });
}

const TOY = '/v1/likelihoods/gaussian-toy-truth';
const DY = '/v1/likelihoods/dy-smeft-run3';
const DY_PARAMETERS = ['C_lq1', 'C_lq3', 'C_eu'];
/** dy-smeft-run3's ten reco-level observables at their typical sizes: lepton pT, η, φ (×2), m_ℓℓ, cos θ_CS, y, pT of the pair */
const DY_SCALE = [300, 1, 2, 300, 1, 2, 500, 0.5, 1, 50];
/** the binned likelihoods published from templates, with the parameter the limit cases use */
const TEMPLATES = ['atlas-sbottom-regiona', 'atlas-1lbb', 'pyhf-2bin-shapesys', 'tttt-yukawa', 'dy-smeft-run3-mll'];

function dyBatch(seed: number): unknown {
  const next = random(seed);
  return { points: Array.from({ length: 1_000 }, () => Object.fromEntries(DY_PARAMETERS.map((p) => [p, 0.2 * (next() - 0.5)]))), gradient: true };
}

export const COSTLY_REQUESTS: CostlyRequest[] = [
  { name: 'atlas-1lbb: 10⁴ profiled NLL points', what: 'took about 95 s before the cost model', expect: '4xx', build: () => json('/v1/likelihoods/atlas-1lbb/nll', { points: spread(LIMITS.points, 0, 5).map((mu_SIG) => ({ mu_SIG })), profile: true }) },
  { name: 'dy-smeft-run3: 41×41 contour', what: 'took about 160 s', expect: '4xx', build: () => json(`${DY}/interval`, { parameters: ['C_lq1', 'C_lq3'], points: 41 }) },
  { name: 'dy-smeft-run3: 81×81 contour', what: 'the largest grid the schema allows: 4× the 41×41', expect: '4xx', build: () => json(`${DY}/interval`, { parameters: ['C_lq1', 'C_lq3'], points: LIMITS.contourPoints }) },
  ...DY_PARAMETERS.map((p): CostlyRequest => ({ name: `dy-smeft-run3: ${p} interval, ${LIMITS.scanPoints} points`, what: 'a DY interval took 10-12 s with 61 points and restarted the worker mid-request', expect: '4xx', build: () => json(`${DY}/interval`, { parameters: [p], points: LIMITS.scanPoints }) })),
  ...[1, 2, 3].map((k): CostlyRequest => ({ name: `dy-smeft-run3: 1 000-point NLL batch with gradients #${k}`, what: 'restarted the worker mid-request (503) once or twice per session', expect: 'ok', build: () => json(`${DY}/nll`, dyBatch(k)) })),
  { name: 'inline workspace, 10⁴ bins of staterror, /v1/pyhf/fit', what: 'no answer in 120 s, workerd at 3.3 GB, the next request unanswered 7 minutes later', expect: 422, build: () => json('/v1/pyhf/fit', { workspace: staterrorWorkspace(10_000) }) },
  { name: 'JSON Patch of 40 doubling copy operations', what: 'k = 24 took 13 s and 1.4 GB; k = 40 would exhaust memory', expect: 422, build: () => json('/v1/pyhf/nll', { workspace: toyWorkspace(), jsonPatch: doublingPatch(40), points: [{ mu: 1 }] }) },
  { name: 'gzip bomb: about 1 MB expanding to 1 GB of zeros', what: 'refused with 413, but only after RSS grew by 1.2 GB', expect: 413, build: async () => ({ method: 'POST', path: `${TOY}/nll`, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: await gzipBomb(2 ** 30) }) },
  ...TEMPLATES.flatMap((id) => [1e308, 5e-324].map((luminosity): CostlyRequest => ({ name: `${id}: nll at luminosity ${luminosity}`, what: 'a RangeError deep in the model became a 500', expect: 422, build: () => json(`/v1/likelihoods/${id}/nll`, { points: [{}], luminosity }) }))),
  ...[1e308, 5e-324].map((luminosity): CostlyRequest => ({ name: `atlas-sbottom-regiona: Asimov fit at luminosity ${luminosity}`, what: 'a RangeError became a 500', expect: 422, build: () => json('/v1/likelihoods/atlas-sbottom-regiona/fit', { data: 'asimov', luminosity }) })),
  { name: 'MessagePack integers beyond 2⁵³ in an inline workspace', what: "decoded as BigInt, the cache key's JSON.stringify threw: 500", expect: '4xx', build: () => msgpackNumbersWorkspace('bigint') },
  { name: 'MessagePack ±Infinity and NaN in shapesys data', what: 'a 500', expect: '4xx', build: () => msgpackNumbersWorkspace('infinity') },
  { name: 'inline workspace whose channel has no samples', what: 'found by the fuzz (npm run bench:hostile -- --scale=4): a TypeError in the workspace schema, 500', expect: 422, build: () => json('/v1/pyhf/nll', { workspace: { ...toyWorkspace(), channels: [{ name: 'singlechannel', samples: [] }] }, points: [{ mu: 1 }] }) },
  { name: 'atlas-sbottom-regiona: upper limit at level 1e-12', what: 'null CLs values in the scan beside converged: true', expect: 'ok', build: () => json('/v1/likelihoods/atlas-sbottom-regiona/upper-limit', { level: 1e-12 }) },
  { name: 'atlas-sbottom-regiona: CLs at luminosity 1e6 × published (Asimov)', what: 'cls: null with CLs+b = CLb = 0 (underflow) beside converged: true', expect: 'ok', build: () => json('/v1/likelihoods/atlas-sbottom-regiona/cls', { values: [0.5, 1, 2], data: 'asimov', luminosity: 139e6 }) },
  { name: 'atlas-1lbb: 200 CLs values', what: 'the most values one CLs request may have, on the largest published workspace', expect: 'ok', build: () => json('/v1/likelihoods/atlas-1lbb/cls', { values: spread(LIMITS.clsValues, 0, 5) }) },
  { name: 'gaussian-toy-truth: ratio at the events × points limit', what: `${LIMITS.ratioValues} values in one response`, expect: 'answered', build: () => ratioAtLimit('gaussian-toy-truth', 1, [2], spread(10, -1, 1).map((theta) => ({ theta }))) },
  { name: 'dy-smeft-run3: ratio at the events × points limit', what: 'the networks on 200 000 events, 10 points', expect: 'answered', build: () => ratioAtLimit('dy-smeft-run3', 10, DY_SCALE, spread(10, -0.1, 0.1).map((c) => ({ C_lq1: c, C_lq3: -c, C_eu: c / 2 }))) },
  { name: 'PUT on an evaluation endpoint', what: 'was 404', expect: 405, build: () => bare('PUT', `${TOY}/nll`) },
  { name: 'DELETE on a manifest', what: 'was 404', expect: 405, build: () => bare('DELETE', TOY) },
  { name: 'PATCH on the catalogue', what: 'was 404', expect: 405, build: () => ({ ...json('/v1/likelihoods', {}), method: 'PATCH' }) },
  { name: 'OPTIONS preflight', what: 'was 404, no CORS', expect: 204, build: () => bare('OPTIONS', `${TOY}/nll`, { origin: 'https://notebook.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }) },
  { name: 'TRACE on an evaluation endpoint', what: 'a method HTTP defines that the API serves nowhere', expect: '4xx', build: () => bare('TRACE', `${TOY}/nll`) },
  { name: 'PROPFIND (WebDAV) on the catalogue', what: 'an extension method: 501 not-implemented (RFC 9110 §9.1)', expect: 501, build: () => bare('PROPFIND', '/v1/likelihoods') },
  { name: 'CONNECT', what: "workerd answers 500 'Incoming CONNECT on a worker not supported' before the worker runs", expect: 500, runtime: true, build: () => bare('CONNECT', '127.0.0.1:443') },
  { name: 'an unknown method (FOO)', what: "workerd's parser answers 501 text/plain before the worker runs", expect: 501, runtime: true, build: () => bare('FOO', `${TOY}/nll`) },
  { name: 'an Accept header that cannot be met', what: 'was JSON 200 instead of 406', expect: 406, build: () => json(`${TOY}/nll`, { points: [{ theta: 0.3 }] }, { accept: 'image/png' }) },
  { name: 'a 100 KiB header (under the runtime limit)', what: 'the app must answer it normally', expect: 'ok', build: () => json(`${TOY}/nll`, { points: [{ theta: 0.3 }] }, { 'x-padding': 'x'.repeat(100 * 1024) }) },
  { name: 'a 200 KiB header', what: 'workerd answers 431 text/plain over about 128 KiB of headers', expect: 431, runtime: true, build: () => json(`${TOY}/nll`, { points: [{ theta: 0.3 }] }, { 'x-padding': 'x'.repeat(200 * 1024) }) },
  { name: '2 000 headers of 100 bytes', what: 'many headers instead of one long one', expect: 431, runtime: true, build: () => json(`${TOY}/nll`, { points: [{ theta: 0.3 }] }, Object.fromEntries(Array.from({ length: 2_000 }, (_, k) => [`x-h${k}`, 'y'.repeat(90)]))) },
];
