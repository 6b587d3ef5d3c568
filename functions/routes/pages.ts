/**
 * The public pages (DESIGN.md "The public HTTP API": `GET /likelihoods/{id}`): the
 * catalogue at `/`, a result page per likelihood version, and the validation figures the
 * artifact publishes. Server-rendered HTML and SVG, no client-side script, rendered from the
 * service's results. Errors are the app's problem details, except for requests whose Accept
 * prefers text/html (browsers), which get the same status with a short HTML page.
 */
import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { listCatalogue } from '../../models/service/catalogue.js';
import { ServiceError } from '../../models/service/errors.js';
import { LruCache } from '../../models/service/cache.js';
import { analysisOf } from '../../models/service/page-analysis.js';
import type { Env } from '../operation.js';
import { renderCataloguePage } from '../pages/catalogue-page.js';
import { html, layout, PAGE_CSP } from '../pages/html.js';
import { renderResultPage } from '../pages/result-page.js';
import { internalError, Problem, problemOf } from '../problem.js';
import { cacheHeaders } from './likelihoods.js';

export const pages = new Hono<Env>();

/** Rendered result pages, per version and origin: rendered once, then served from here (1.4 MB for 1Lbb, the largest). */
const renderedPages = new LruCache<string, string>(8);

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** The client prefers HTML to JSON problem details (a browser); without an Accept header it does not. */
function prefersHtml(c: Context): boolean {
  return accepts(c, { header: 'Accept', supports: ['text/html', 'application/json', 'application/problem+json'], default: 'application/json' }) === 'text/html';
}

function errorPage(problem: Problem, path: string): Response {
  const body = problem.body(path);
  const page = layout({
    title: body.title,
    body: html`<h1>${body.title}</h1><p>${body.detail}</p><p class="meta">HTTP ${body.status} · <code>${body.code}</code> · <code>${path}</code></p><p><a href="/">Back to the catalogue of published likelihoods</a></p>`,
  });
  return new Response(page, { status: problem.status, headers: { ...PAGE_HEADERS, 'cache-control': 'no-store', vary: 'accept' } });
}

/** Runs a page handler; a problem becomes an HTML page for browsers and is rethrown (to the app's onError) otherwise. */
async function page(c: Context<Env>, handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (!prefersHtml(c)) throw error;
    const problem = error instanceof Problem ? error : error instanceof ServiceError ? problemOf(error.failure) : internalError(error);
    return errorPage(problem, new URL(c.req.url).pathname);
  }
}

pages.get('/', (c) =>
  page(c, async () => {
    const items = await listCatalogue(c.get('store'));
    return new Response(renderCataloguePage(items, new URL(c.req.url).origin), { headers: { ...PAGE_HEADERS, 'cache-control': 'public, max-age=60' } });
  }),
);

pages.get('/likelihoods', (c) => c.redirect('/', 302));

pages.get('/likelihoods/:spec', (c) =>
  page(c, async () => {
    const store = c.get('store');
    const spec = c.req.param('spec');
    const { id, version } = await store.resolve(spec);
    const [{ manifest, etag }, artifact, index] = await Promise.all([store.manifest(id, version), store.load(id, version), store.index()]);
    const entry = index.likelihoods.find((l) => l.id === id)!;
    const { version: latest } = await store.resolve(id);
    const origin = new URL(c.req.url).origin;
    // a version's page changes only with the versions beside it and the origin its examples name
    const key = `${id}@${version} ${etag} ${entry.versions.join(',')} ${origin}`;
    let body = renderedPages.get(key);
    if (body === undefined) {
      const analysis = await analysisOf(`${id}@${version} ${etag}`, artifact);
      body = renderResultPage({ manifest, artifact, analysis, versions: entry.versions, latest, origin, manifestSha256: etag.replaceAll('"', '') });
      renderedPages.set(key, body);
    }
    return new Response(body, { headers: { ...PAGE_HEADERS, 'cache-control': spec.includes('@') ? 'public, max-age=3600' : 'public, max-age=60' } });
  }),
);

pages.get('/likelihoods/:spec/figures/:file', (c) =>
  page(c, async () => {
    const store = c.get('store');
    const spec = c.req.param('spec');
    const file = c.req.param('file');
    const { id, version, latest } = await store.resolve(spec);
    const { manifest } = await store.manifest(id, version);
    const name = /^([a-z][a-z0-9-]{0,63})\.svg$/.exec(file)?.[1];
    const ref = name ? manifest.components[name] : undefined;
    if (!name || !ref || ref.kind !== 'figure' || ref.mediaType !== 'image/svg+xml') {
      throw new Problem('not-found', `${id}@${version} publishes no figure '${file}'`);
    }
    const bytes = await store.component(id, version, name);
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        ...cacheHeaders(latest, spec.includes('@')),
        etag: `"${ref.sha256}"`,
        'content-type': 'image/svg+xml',
        // a figure is shown as an image; should it be opened directly, nothing in it may run
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        'x-content-type-options': 'nosniff',
      },
    });
  }),
);
