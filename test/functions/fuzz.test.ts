/**
 * Fuzzing the public HTTP API (DESIGN.md "The public HTTP API"): thousands of malformed and
 * adversarial requests through `app.request()`. Whatever the request, the service
 *
 * - never answers 5xx (bad input is a 4xx, never a 500), and never hangs; the one 5xx is 501
 *   for a method no HTTP standard defines (PROPFIND, FOO), as RFC 9110 §9.1 asks;
 * - answers every error with an RFC 9457 problem: `application/problem+json`, or
 *   `application/problem+msgpack` when MessagePack was negotiated, whose `status` equals
 *   the HTTP status, with a string `code`, `title` and `detail`;
 * - never returns a successful evaluation with a NaN- or overflow-derived `null` in `nll`
 *   (or `logRatio`).
 *
 * Seeded: set FUZZ_SEED to explore other sequences; a failure prints the seed and path to
 * replay it (fast-check's `seed` and `path`). FUZZ_STATS=1 prints the responses by endpoint,
 * status and problem code (to check that the fuzz reaches past validation). The request
 * generators live in scripts/bench/hostile-requests.ts, which `npm run bench:hostile` sends
 * to the real worker.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { LIMITS } from '../../models/service/schemas.js';
import { encodeMessagePack } from '../../models/artifact/codec.js';
import { checkResponse, mediaType, preview, type CheckedResponse } from '../helpers/http-checks.js';
import { BODY_LIMIT } from '../../functions/body.js';
import { densityBody, fitBody, FUZZ_ID, inlinePyhfRequest, intervalBody, methodRequest, nllBody, postRequest, posteriorBody, publishedPyhfRequest, ratioBody, rawBodyRequest, utf8, type HostileRequest } from '../../scripts/bench/hostile-requests.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
fc.configureGlobal({ seed: SEED });

const app = createApp(fileStore('likelihoods'));
const ID = FUZZ_ID;
const REQUEST_TIMEOUT_MS = 20_000;
/** methods outside RFC 9110 and RFC 5789, which the server answers with 501 not-implemented */
const EXTENSION_METHODS = new Set(['PROPFIND', 'FOO']);

// ---------------------------------------------------------------------------------------
// sending and checking

type Sent = HostileRequest;

let sent = 0;
let failed = false;
/** responses by endpoint, status and problem code: to see that the fuzz reaches past validation */
const outcomes = new Map<string, number>();
function tally(s: Sent, res: CheckedResponse): void {
  const endpoint = s.method === 'POST' ? `${s.path.startsWith('/v1/pyhf/') ? 'pyhf ' : ''}${s.path.match(/\/(nll|ratio|fit|interval|cls|upper-limit|reinterpret)$/)?.[1] ?? 'other'}` : s.method;
  const code = res.status >= 400 ? ` ${(res.body as { code?: string } | null)?.code ?? ''}` : '';
  const key = `${endpoint} ${res.status}${code}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}
const started = performance.now();

function describeRequest(s: Sent): string {
  const body = s.body instanceof Uint8Array ? (mediaType(s.headers['content-type'] ?? null).includes('msgpack') ? preview(s.body) : preview(new TextDecoder().decode(s.body.subarray(0, 600)))) : s.body ? '<stream>' : '<none>';
  return `${s.method} ${preview(s.path, 200)} headers ${preview(s.headers)} body ${body}${s.about !== undefined ? ` (before encoding: ${preview(s.about)})` : ''}`;
}

/** The negotiated response format where the headers leave no doubt; undefined where either is fine. */
function negotiatedMsgpack(headers: Record<string, string>): boolean | undefined {
  const accept = headers.accept;
  if (accept === undefined) return mediaType(headers['content-type'] ?? null) === 'application/msgpack';
  if (accept === 'application/json') return false;
  if (accept === 'application/msgpack') return true;
  return undefined;
}

async function send(s: Sent): Promise<CheckedResponse> {
  sent++;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms (hang)`)), REQUEST_TIMEOUT_MS);
  });
  try {
    const init: RequestInit & { duplex?: 'half' } = { method: s.method, headers: s.headers };
    if (s.body !== undefined) {
      init.body = s.body as BodyInit;
      if (s.body instanceof ReadableStream) init.duplex = 'half';
    }
    const res = await Promise.race([Promise.resolve(app.request(s.path, init)), timeout]);
    const checked = await checkResponse(res, { expectMsgpack: negotiatedMsgpack(s.headers), ifNoneMatch: 'if-none-match' in s.headers, head: s.method === 'HEAD', serverStatuses: EXTENSION_METHODS.has(s.method) ? [501] : [], htmlErrors: !s.path.startsWith('/v1') && /html/i.test(s.headers.accept ?? '') });
    tally(s, checked);
    return checked;
  } catch (error) {
    failed = true;
    throw new Error(`${describeRequest(s)}\n  → ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------

async function runProperty(arbitrary: fc.Arbitrary<Sent>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (s) => {
      await send(s);
    }),
    { numRuns, seed: SEED },
  );
}

let etag = '';

afterAll(() => {
  console.log(`fuzz: ${sent} requests in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
  if (process.env.FUZZ_STATS) console.log([...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
});

describe('fuzzing the HTTP API: zero 5xx, every error a problem document, no NaN in nll', () => {
  it('POST nll with adversarial bodies (JSON with NaN as strings, literals or null; MessagePack)', async () => {
    await runProperty(postRequest('nll', nllBody), 1_500);
  }, 120_000);

  it('POST ratio with ragged, mis-shaped, non-finite and wrongly typed events', async () => {
    await runProperty(postRequest('ratio', ratioBody), 1_000);
  }, 120_000);

  it('POST reweight with the same events and points (it shares ratio’s checks)', async () => {
    await runProperty(postRequest('reweight', ratioBody), 400);
  }, 120_000);

  it('POST posterior with priors inside, across and outside the allowed range, and the fit’s junk', async () => {
    await runProperty(postRequest('posterior', posteriorBody), 300);
  }, 120_000);

  it('POST density to eeec-top-mass with points inside, across and outside its region (NaN and ±∞ included), names missing or extra', async () => {
    await runProperty(postRequest('density', densityBody, 'eeec-top-mass'), 300);
  }, 120_000);

  it('POST fit with adversarial datasets, luminosities and fixed parameters', async () => {
    await runProperty(postRequest('fit', fitBody), 600);
  }, 120_000);

  it('POST interval with adversarial parameters, confidence levels and small scans', async () => {
    await runProperty(postRequest('interval', intervalBody), 400);
  }, 120_000);

  it('truncated, bit-flipped and random bodies under every content type', async () => {
    await runProperty(rawBodyRequest, 800);
  }, 120_000);

  it('GET and unusual methods on every path, odd ids and Accept headers', async () => {
    const manifest = await app.request(`/v1/likelihoods/${ID}`);
    etag = manifest.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    await runProperty(methodRequest(etag), 700);
  }, 120_000);
});

// pyhf: workspaces mutated at random leaves and keys, sent inline; published binned likelihoods
// asked for CLs, limits and reinterpretations with adversarial fields

describe('fuzzing the pyhf endpoints: zero 5xx, every error a problem document', () => {
  it('inline workspaces mutated at random, with adversarial fields, in JSON, gzip and MessagePack', async () => {
    await runProperty(inlinePyhfRequest, 400);
  }, 180_000);

  it('CLs, limits, intervals and reinterpretation of a published workspace with adversarial fields', async () => {
    await runProperty(publishedPyhfRequest, 300);
  }, 180_000);
});

describe('known adversarial requests', () => {
  const json = (path: string, body: string | unknown, headers: Record<string, string> = {}): Sent => ({
    method: 'POST',
    path: `/v1/likelihoods/${ID}/${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: utf8(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const msgpack = (path: string, body: unknown, headers: Record<string, string> = {}): Sent => ({
    method: 'POST',
    path: `/v1/likelihoods/${ID}/${path}`,
    headers: { 'content-type': 'application/msgpack', ...headers },
    body: encodeMessagePack(body),
    about: body,
  });
  /** expected: a status, 'ok' (200), '4xx', or 'any' (only the invariants: no 5xx, problems, finite nll) */
  const cases: [string, Sent, number | 'ok' | '4xx' | 'any'][] = [
    // overflow: a finite request whose NLL overflows must not answer 200 with nll: [null]
    // (JSON) or NaN/Infinity (MessagePack); either a finite NLL or a 4xx problem
    ['a luminosity of 1e308 (the NLL overflows)', json('nll', { points: [{}], luminosity: 1e308 }), 'any'],
    ['a luminosity of 1e308 on Asimov data', json('nll', { points: [{ theta: 1 }], data: 'asimov', luminosity: 1e308 }), 'any'],
    ['a luminosity of MAX_VALUE on Asimov data, shape only, in MessagePack', msgpack('nll', { points: [{ theta: 0.5 }], data: 'asimov', luminosity: Number.MAX_VALUE, rate: false }), 'any'],
    ['a luminosity of 1e307 with profiling, θ at the edge of its range', json('nll', { points: [{}, { theta: -2 }], luminosity: 1e307, profile: true }), 'any'],
    ['event weights of 1e308', json('nll', { points: [{ theta: 1 }], data: { events: [[1], [2]], weights: [1e308, 1e308] } }), 'any'],
    ['event weights of 1e308 with gradient and profile', json('nll', { points: [{ theta: 1 }], data: { events: [[1], [2]], weights: [1e308, 1e308] }, gradient: true, profile: true }), 'any'],
    ['Float64Array weights of MAX_VALUE in MessagePack', msgpack('nll', { points: [{ theta: 0.3 }], data: { events: { shape: [2, 1], values: Float64Array.of(0.1, 0.2) }, weights: Float64Array.of(Number.MAX_VALUE, Number.MAX_VALUE) } }), 'any'],
    // '__proto__' is as unknown a parameter as any other name (zod's record drops the key silently)
    ['a parameter named __proto__', json('nll', '{"points":[{"__proto__": 1}]}'), '4xx'],
    ['a fixed parameter named __proto__', json('fit', '{"fixed":{"__proto__": 1}}'), '4xx'],
    ['a parameter named __proto__ in MessagePack', { method: 'POST', path: `/v1/likelihoods/${ID}/nll`, headers: { 'content-type': 'application/msgpack' }, body: Uint8Array.of(0x81, 0xa6, ...utf8('points'), 0x91, 0x81, 0xa9, ...utf8('__proto__'), 0x01) }, '4xx'],
    // non-finite numbers in every disguise
    ['NaN in MessagePack points', msgpack('nll', { points: [{ theta: NaN }] }), 422],
    ['-Infinity luminosity in MessagePack', msgpack('nll', { points: [{}], luminosity: -Infinity }), 422],
    ['1e999 in JSON (parses to Infinity)', json('nll', '{"points":[{"theta":1e999}]}'), 422],
    ['NaN in Float32Array events', msgpack('ratio', { events: { shape: [2, 1], values: Float32Array.of(0.5, NaN) }, points: [{}] }), 422],
    ['Infinity in Float64Array events of a dataset', msgpack('nll', { points: [{}], data: { events: { shape: [1, 1], values: Float64Array.of(Infinity) } } }), 422],
    ['-0 everywhere', msgpack('nll', { points: [{ theta: -0 }], data: { events: { shape: [1, 1], values: Float64Array.of(-0) }, weights: Float64Array.of(-0) }, luminosity: 1 }), 'ok'],
    ['events at ±1e308', json('ratio', { events: [[1e308], [-1e308]], points: [{ theta: 1 }] }), '4xx'],
    ['Int8Array events', msgpack('ratio', { events: { shape: [2, 1], values: Int8Array.of(1, 2) }, points: [{}] }), 422],
    ['Uint8Array events', msgpack('ratio', { events: { shape: [2, 1], values: Uint8Array.of(1, 2) }, points: [{}] }), 422],
    ['shape and values disagree', msgpack('ratio', { events: { shape: [3, 1], values: Float32Array.of(1, 2) }, points: [{}] }), 422],
    ['a shape beyond the event limit', msgpack('ratio', { events: { shape: [LIMITS.events + 1, 1], values: new Float32Array(LIMITS.events + 1) }, points: [{}] }), 413],
    ['more event × point values than a ratio response may hold', msgpack('ratio', { events: { shape: [LIMITS.events, 1], values: new Float32Array(LIMITS.events) }, points: Array.from({ length: LIMITS.ratioValues / LIMITS.events + 1 }, () => ({})) }), 413],
    ['too many points', json('nll', { points: Array.from({ length: LIMITS.points + 1 }, () => ({})) }), 413],
    ['wrong event width', json('ratio', { events: [[1, 2]], points: [{}] }), 422],
    ['ragged rows', json('nll', { points: [{}], data: { events: [[1], [1, 2]] } }), 422],
    ['an empty body', { method: 'POST', path: `/v1/likelihoods/${ID}/fit`, headers: { 'content-type': 'application/json' } }, 400],
    ['an empty MessagePack body', { method: 'POST', path: `/v1/likelihoods/${ID}/fit`, headers: { 'content-type': 'application/msgpack' } }, 400],
    ['no content type', { method: 'POST', path: `/v1/likelihoods/${ID}/nll`, headers: {}, body: utf8('{"points":[{}]}') }, 415],
    ['100 000 nested arrays in MessagePack', { method: 'POST', path: `/v1/likelihoods/${ID}/nll`, headers: { 'content-type': 'application/msgpack' }, body: new Uint8Array(100_000).fill(0x91) }, 400],
    ['100 000 nested arrays in JSON', json('nll', '{"points":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'), '4xx'],
    ['a 1 MB parameter name', json('nll', { points: [{ ['t'.repeat(1_000_000)]: 1 }] }), 422],
    ['a declared Content-Length beyond the limit', json('nll', { points: [{}] }, { 'content-length': String(BODY_LIMIT + 1) }), 413],
    ['PUT on an evaluation endpoint', { method: 'PUT', path: `/v1/likelihoods/${ID}/nll`, headers: {} }, '4xx'],
    ['DELETE on a manifest, MessagePack accepted', { method: 'DELETE', path: `/v1/likelihoods/${ID}`, headers: { accept: 'application/msgpack' } }, '4xx'],
    ['PATCH on the catalogue', { method: 'PATCH', path: '/v1/likelihoods', headers: { 'content-type': 'application/json' }, body: utf8('{}') }, '4xx'],
    ['a path climbing out of the likelihoods folder', { method: 'GET', path: '/v1/likelihoods/..%2F..%2Fpackage.json', headers: {} }, 404],
    ['a NUL in the id', { method: 'GET', path: '/v1/likelihoods/%00', headers: {} }, 404],
    ['two @ in the id', { method: 'GET', path: '/v1/likelihoods/a@b@c', headers: {} }, 404],
    ['a 20 000-character id', { method: 'GET', path: `/v1/likelihoods/${'a'.repeat(20_000)}`, headers: {} }, 404],
  ];
  for (const [name, request, expected] of cases) {
    it(name, async () => {
      const res = await send(request);
      if (expected === 'any') return;
      if (expected === 'ok') expect(res.status).toBe(200);
      else if (expected === '4xx') expect(res.status, preview(res.body)).toBeGreaterThanOrEqual(400);
      else expect(res.status, preview(res.body)).toBe(expected);
    });
  }
});

describe('oversized bodies are refused with 413 while reading, never buffered whole', () => {
  it('an 18 MB JSON body', async () => {
    const body = utf8('{"points":[' + '{"theta":0.1},'.repeat(1_300_000) + '{}]}');
    const res = await send({ method: 'POST', path: `/v1/likelihoods/${ID}/nll`, headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'payload-too-large' });
  });

  it('a 17 MB MessagePack body of typed events, problem in MessagePack', async () => {
    const values = new Float64Array(2_200_000);
    const res = await send({ method: 'POST', path: `/v1/likelihoods/${ID}/ratio`, headers: { 'content-type': 'application/msgpack' }, body: encodeMessagePack({ events: { shape: [values.length, 1], values }, points: [{}] }) });
    expect(res.status).toBe(413);
    expect(res.contentType).toBe('application/problem+msgpack');
  });

  it('a streamed body with no Content-Length', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await send({ method: 'POST', path: `/v1/likelihoods/${ID}/fit`, headers: { 'content-type': 'application/json' }, body: stream });
    expect(res.status).toBe(413);
    expect(n).toBeLessThan(20);
  });

  it('a body of exactly the limit is read and answered', async () => {
    const json = '{"points":[{"theta":0.25}]}';
    const body = new Uint8Array(BODY_LIMIT).fill(0x20);
    body.set(utf8(json), 0);
    const res = await send({ method: 'POST', path: `/v1/likelihoods/${ID}/nll`, headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
  });
});

describe('the fuzz ran at scale', () => {
  it('sent at least 2 000 requests', (context) => {
    if (failed) context.skip();
    expect(sent).toBeGreaterThanOrEqual(2_000);
  });
});
