/**
 * HTTP semantics beyond the operations (RFC 9110): HEAD on every GET route answers the GET's
 * status and headers with no body; a method no HTTP standard defines is a 501 problem wherever
 * it is sent; a method HTTP defines but the path does not allow is a 405 problem with Allow.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { checkResponse } from '../helpers/http-checks.js';

const app = createApp(fileStore('likelihoods'));

/** A URL for each GET route of the app (a route missing here fails the first test). */
const GET_ROUTES: Record<string, string> = {
  '/v1/likelihoods': '/v1/likelihoods',
  '/v1/likelihoods/:id': '/v1/likelihoods/gaussian-toy-truth@1.0.0',
  '/v1/likelihoods/:id/workspace': '/v1/likelihoods/atlas-sbottom-regiona/workspace',
  '/v1/likelihoods/:id/parameters': '/v1/likelihoods/atlas-sbottom-regiona/parameters',
  '/v1/likelihoods/:id/hs3': '/v1/likelihoods/atlas-sbottom-regiona/hs3',
  '/v1/likelihoods/:id/onnx/:component': '/v1/likelihoods/gaussian-toy-a3-carl/onnx/network',
  '/openapi.json': '/openapi.json',
  '/schema/manifest.json': '/schema/manifest.json',
  '/docs': '/docs',
  '/': '/',
  '/likelihoods': '/likelihoods',
  '/likelihoods/:spec': '/likelihoods/gaussian-toy-truth',
  '/likelihoods/:spec/figures/:file': '/likelihoods/dy-smeft-run3@1.0.0/figures/scan-c-lq1.svg',
};

function headersOf(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  return headers;
}

/** A Request with a method Node's fetch refuses to construct (CONNECT, TRACE), as a runtime could hand it over. */
function requestWithMethod(path: string, method: string): Request {
  const request = new Request(`http://localhost${path}`);
  Object.defineProperty(request, 'method', { value: method });
  return request;
}

describe('HEAD', () => {
  it('answers every GET route with the GET’s status and headers and no body', async () => {
    const routes = [...new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path))];
    expect(Object.keys(GET_ROUTES).sort()).toEqual(routes.sort());
    for (const path of Object.values(GET_ROUTES)) {
      const get = await app.request(path);
      const head = await app.request(path, { method: 'HEAD' });
      expect(head.status, path).toBe(get.status);
      expect(headersOf(head), path).toEqual(headersOf(get));
      expect(head.body, path).toBeNull();
      expect(get.status === 302 || (await get.arrayBuffer()).byteLength > 0, path).toBe(true);
    }
  });

  it('answers a conditional HEAD with 304, and a HEAD of nothing with the GET’s 404 problem headers', async () => {
    const path = GET_ROUTES['/v1/likelihoods/:id'];
    const etag = (await app.request(path)).headers.get('etag')!;
    expect((await app.request(path, { method: 'HEAD', headers: { 'if-none-match': etag } })).status).toBe(304);
    const missing = await app.request('/v1/likelihoods/nope', { method: 'HEAD' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.body).toBeNull();
  });
});

describe('methods', () => {
  it('a method no HTTP standard defines is 501 not-implemented, as a problem, on any path', async () => {
    for (const method of ['PROPFIND', 'FOO', 'MKCOL', 'QUERY']) {
      for (const path of ['/v1/likelihoods', '/v1/likelihoods/gaussian-toy-truth/nll', '/nowhere']) {
        const res = await app.request(path, { method });
        const checked = await checkResponse(res, { expectMsgpack: false, serverStatuses: [501] });
        expect(checked.status, `${method} ${path}`).toBe(501);
        expect(checked.contentType).toBe('application/problem+json');
        expect(checked.body).toMatchObject({ code: 'not-implemented', status: 501 });
        expect(res.headers.get('allow')).toBeNull();
      }
    }
  });

  it('a method HTTP defines is 405 with Allow on a path the API serves, and 404 elsewhere: never a 500 or text/plain', async () => {
    const cases: [string, string, number, string | null][] = [
      ['PUT', '/v1/likelihoods', 405, 'GET, HEAD, OPTIONS'],
      ['DELETE', '/v1/likelihoods/gaussian-toy-truth', 405, 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v1/likelihoods/gaussian-toy-truth/nll', 405, 'POST, OPTIONS'],
      ['GET', '/v1/pyhf/fit', 405, 'POST, OPTIONS'],
      ['CONNECT', '/v1/likelihoods', 405, 'GET, HEAD, OPTIONS'],
      ['TRACE', '/docs', 405, 'GET, HEAD, OPTIONS'],
      ['PUT', '/nowhere', 404, null],
      ['CONNECT', '/nowhere', 404, null],
    ];
    for (const [method, path, status, allow] of cases) {
      const res = method === 'CONNECT' || method === 'TRACE' ? await app.fetch(requestWithMethod(path, method)) : await app.request(path, { method });
      const checked = await checkResponse(res, { expectMsgpack: false });
      expect(checked.status, `${method} ${path}`).toBe(status);
      expect(checked.contentType).toBe('application/problem+json');
      expect(checked.body).toMatchObject({ code: status === 405 ? 'method-not-allowed' : 'not-found' });
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
  });
});
