/**
 * The API called from a page on another origin, in Chromium (Debian's, driven by playwright-core
 * as in result-page.test.ts): the app on one loopback port (@hono/node-server), a page on
 * another port (a second origin) whose script fetches the catalogue, POSTs JSON to nll (a
 * non-safelisted Content-Type: the browser preflights it), reads an error and a 304 it asked for
 * with If-None-Match. Every call must succeed with the numbers of a direct app.request; a route
 * without CORS headers on the same server is the control that the browser does enforce CORS.
 *
 * Without /usr/bin/chromium the tests are skipped with a message, except in CI (CI set),
 * where they fail: .ci/run installs Chromium.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { launchChromium, skipBrowser } from '../helpers/chromium.js';


const NLL = '/v1/likelihoods/gaussian-toy-truth/nll';
const MANIFEST = '/v1/likelihoods/gaussian-toy-truth@1.0.0';
const NLL_BODY = { points: [{ theta: -0.3 }, { theta: 0.2 }, { theta: 0.5 }], gradient: true };

/** The client page: its script calls the API named in ?api= and leaves what it got in window.results. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>a client on another origin</title></head><body><pre id="out">running</pre>
<script type="module">
const api = new URLSearchParams(location.search).get('api');
async function call(path, init) {
  try {
    const res = await fetch(api + path, init);
    const text = await res.text();
    return { ok: true, status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : null };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
const results = {};
results.catalogue = await call('/v1/likelihoods');
results.nll = await call('${NLL}', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(${JSON.stringify(NLL_BODY)}) });
results.error = await call('/v1/likelihoods/nope');
results.manifest = await call('${MANIFEST}');
results.notModified = await call('${MANIFEST}', { headers: { 'if-none-match': results.manifest.etag }, cache: 'no-store' });
results.control = await call('/no-cors');
document.getElementById('out').textContent = JSON.stringify(results, null, 1);
window.results = results;
</script></body></html>`;

interface CallResult {
  ok: boolean;
  status?: number;
  etag?: string | null;
  body?: unknown;
  error?: string;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe.skipIf(skipBrowser)('the API from a page on another origin, in Chromium', () => {
  const app = createApp(fileStore('likelihoods'));
  /** what the API server received: method, path and the CORS request headers */
  const received: { method: string; path: string; headers: Headers }[] = [];
  let api: ServerType;
  let site: Server;
  let browser: Browser;
  let apiOrigin: string;
  let siteOrigin: string;

  beforeAll(async () => {
    const apiPort = new Promise<number>((resolve) => {
      api = serve({
        fetch: (request) => {
          const { pathname } = new URL(request.url);
          received.push({ method: request.method, path: pathname, headers: request.headers });
          // the control route answers without CORS headers, as a server without a policy would
          return pathname === '/no-cors' ? Response.json({ readable: false }) : app.fetch(request);
        },
        port: 0,
        hostname: '127.0.0.1',
      }, (info: AddressInfo) => resolve(info.port));
    });
    apiOrigin = `http://127.0.0.1:${await apiPort}`;
    site = createServer((req, res) => {
      if (req.url?.startsWith('/?')) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      else res.writeHead(404).end();
    });
    siteOrigin = `http://127.0.0.1:${await listen(site)}`;
    expect(siteOrigin).not.toBe(apiOrigin);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([api, site].map((server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))));
  });

  it('GETs the catalogue, POSTs JSON to nll after a preflight, and reads an error and a 304, with the numbers of a direct request', async () => {
    const page = await browser.newPage();
    const corsErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /CORS policy/.test(message.text())) corsErrors.push(message.text());
    });
    const apiResponses: { url: string; status: number; allowOrigin: string | undefined }[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(apiOrigin)) apiResponses.push({ url: response.url(), status: response.status(), allowOrigin: response.headers()['access-control-allow-origin'] });
    });
    await page.goto(`${siteOrigin}/?api=${encodeURIComponent(apiOrigin)}`);
    expect(await page.evaluate(() => location.origin)).toBe(siteOrigin);
    await page.waitForFunction(() => 'results' in window, undefined, { timeout: 30_000 });
    const results = (await page.evaluate(() => (window as unknown as { results: unknown }).results)) as Record<string, CallResult>;

    const catalogue = await (await app.request('/v1/likelihoods')).json();
    expect(results.catalogue).toMatchObject({ ok: true, status: 200 });
    expect(results.catalogue.body).toEqual(catalogue);

    const direct = await (await app.request(NLL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(NLL_BODY) })).json();
    expect(results.nll).toMatchObject({ ok: true, status: 200 });
    expect(results.nll.body).toEqual(direct);
    expect((results.nll.body as { nll: number[] }).nll).toHaveLength(3);

    // an error is readable: the script sees the status and the problem document
    expect(results.error).toMatchObject({ ok: true, status: 404, body: { code: 'unknown-likelihood', status: 404 } });
    // the exposed ETag is readable, and a conditional request the script makes itself gets its 304
    expect(results.manifest.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(results.notModified).toMatchObject({ ok: true, status: 304, etag: results.manifest.etag });

    // the control: the same server's route without CORS headers is blocked by the browser
    expect(results.control.ok).toBe(false);
    expect(results.control.error).toMatch(/TypeError/);
    expect(corsErrors).toHaveLength(1);
    expect(corsErrors[0]).toContain('/no-cors');

    // the JSON POST (and the If-None-Match GET) were preflighted, by the origin of the page
    const preflights = received.filter((r) => r.method === 'OPTIONS');
    expect(preflights.map((r) => r.path)).toEqual(expect.arrayContaining([NLL, MANIFEST]));
    const nllPreflight = preflights.find((r) => r.path === NLL)!;
    expect(nllPreflight.headers.get('origin')).toBe(siteOrigin);
    expect(nllPreflight.headers.get('access-control-request-method')).toBe('POST');
    expect(nllPreflight.headers.get('access-control-request-headers')).toBe('content-type');
    for (const response of apiResponses.filter((r) => !r.url.endsWith('/no-cors'))) expect(response.allowOrigin, response.url).toBe('*');
    await page.close();
  }, 60_000);
});
