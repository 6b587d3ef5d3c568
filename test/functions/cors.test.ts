/**
 * The CORS policy (functions/cors.ts) through app.request: preflights answered 204 with the
 * policy's headers and Access-Control-Max-Age; every response, errors included, readable from
 * any origin; no credentials; the bodies the same as without an Origin.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { BODY_LIMIT } from '../../functions/body.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
const ORIGIN = 'https://notebook.example';
const NLL = '/v1/likelihoods/gaussian-toy-truth/nll';

function preflight(path: string, method: string, headers = 'content-type'): Promise<Response> {
  return Promise.resolve(app.request(path, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers } }));
}

/** The headers every response carries for a cross-origin caller. */
function expectReadable(res: Response, what: string): void {
  expect(res.headers.get('access-control-allow-origin'), what).toBe('*');
  expect(res.headers.get('access-control-expose-headers'), what).toBe('etag,allow,x-observations,retry-after');
  expect(res.headers.get('access-control-allow-credentials'), what).toBeNull();
}

describe('CORS preflight', () => {
  it('answers a preflight for a JSON POST with 204, the methods and headers the API uses and a max age of a day', async () => {
    const res = await preflight(NLL, 'POST', 'content-type, content-encoding');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,content-encoding,accept,if-none-match');
    expect(res.headers.get('access-control-max-age')).toBe('86400');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    expect(res.headers.get('content-type')).toBeNull();
  });

  it('answers a preflight for a path the API does not serve with 204 too, so that the browser shows the client the 404 that follows', async () => {
    const res = await preflight('/v1/nothing', 'GET', 'if-none-match');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('allow')).toBeNull();
  });

  it('answers a plain OPTIONS (no CORS request headers) with 204 and Allow on a served path', async () => {
    const res = await app.request('/v1/likelihoods/gaussian-toy-truth', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('CORS on actual requests', () => {
  it('a GET and a JSON POST from another origin are readable, with the same bodies as without an Origin', async () => {
    const get = await app.request('/v1/likelihoods/gaussian-toy-truth@1.0.0', { headers: { origin: ORIGIN } });
    expect(get.status).toBe(200);
    expectReadable(get, 'GET manifest');
    expect(get.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    // the answer does not depend on the origin: no Vary: Origin, shared caches may keep one copy
    expect(get.headers.get('vary')).toBe('accept');
    const body = JSON.stringify({ points: [{ theta: 0.2 }, { theta: 0.5 }], gradient: true });
    const post = await app.request(NLL, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body });
    expect(post.status).toBe(200);
    expectReadable(post, 'POST nll');
    const direct = await app.request(NLL, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await post.text()).toBe(await direct.text());
  });

  it('a 304, a HEAD and the workspace’s X-Observations are readable', async () => {
    const path = '/v1/likelihoods/gaussian-toy-truth@1.0.0';
    const etag = (await app.request(path)).headers.get('etag')!;
    const notModified = await app.request(path, { headers: { origin: ORIGIN, 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expectReadable(notModified, '304');
    expect(notModified.headers.get('etag')).toBe(etag);
    expectReadable(await app.request(path, { method: 'HEAD', headers: { origin: ORIGIN } }), 'HEAD');
    const workspace = await app.request('/v1/likelihoods/atlas-sbottom-regiona/workspace', { headers: { origin: ORIGIN } });
    expectReadable(workspace, 'workspace');
    expect(workspace.headers.get('x-observations')).toBe('published');
  });

  it('every error is readable too: 400, 404, 405, 406, 413, 415, 422, 501 problems and HTML error pages', async () => {
    const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) => app.request(path, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers }, body });
    const cases: [string, Response | Promise<Response>, number][] = [
      ['malformed', post(NLL, '{"points":'), 400],
      ['unknown likelihood', app.request('/v1/likelihoods/nope', { headers: { origin: ORIGIN } }), 404],
      ['unknown path', app.request('/nowhere', { headers: { origin: ORIGIN } }), 404],
      ['wrong method', app.request(NLL, { method: 'PUT', headers: { origin: ORIGIN } }), 405],
      ['unmeetable Accept', post(NLL, '{}', { accept: 'text/csv' }), 406],
      ['too large', post(NLL, new Uint8Array(BODY_LIMIT + 1)), 413],
      ['wrong media type', post(NLL, '{}', { 'content-type': 'text/plain' }), 415],
      ['invalid', post(NLL, '{"points":[{"thetta":1}]}'), 422],
      ['unknown method', app.request(NLL, { method: 'PROPFIND', headers: { origin: ORIGIN } }), 501],
      ['HTML error page', app.request('/likelihoods/nope', { headers: { origin: ORIGIN, accept: 'text/html' } }), 404],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect(res.headers.get('content-type'), what).toMatch(what.startsWith('HTML') ? /^text\/html/ : /^application\/problem\+json/);
      expectReadable(res, what);
    }
  });
});
