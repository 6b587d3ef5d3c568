import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));

describe('API description', () => {
  it('serves an OpenAPI 3.1 document with every v1 route, generated from the request schemas', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    // every v1 route the app serves is documented, and nothing else
    const served = app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...new Set(served)].sort());
    expect(documented).toContain('post /v1/pyhf/cls');
    const nll = doc.paths['/v1/likelihoods/{id}/nll'].post.requestBody.content['application/json'].schema;
    expect(nll.required).toContain('points');
    expect(nll.properties.points.maxItems).toBe(10_000);
    expect(nll.additionalProperties).toBe(false);
  });

  it('renders /docs with no script, each endpoint and each problem code anchored', async () => {
    const res = await app.request('/docs');
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).not.toMatch(/<script/i);
    for (const path of ['/v1/likelihoods/{id}/nll', '/v1/likelihoods/{id}/interval']) expect(html).toContain(path);
    expect(html).toContain('id="problem-invalid-request"');
    expect(html).toContain('id="problem-not-implemented"');
    // the HS3 extension the learned likelihoods' documents and result pages link to
    expect(html).toContain('id="hs3-onnx"');
    expect(html).toContain('curl -s -o network.onnx');
  });

  it('documents the CORS policy on /docs and in the OpenAPI description, from the settings the app applies', async () => {
    const html = await (await app.request('/docs')).text();
    const cors = html.slice(html.indexOf('<section id="cors">'));
    expect(cors).toContain('Access-Control-Allow-Origin: *');
    expect(cors).toContain('Access-Control-Max-Age: 86400');
    for (const name of ['content-type', 'content-encoding', 'if-none-match', 'etag', 'x-observations', 'OPTIONS']) expect(cors).toContain(`<code>${name}</code>`);
    const preflight = await app.request('/v1/likelihoods/gaussian-toy-truth/nll', { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } });
    expect(cors).toContain(`Access-Control-Max-Age: ${preflight.headers.get('access-control-max-age')}`);
    const description = (await (await app.request('/openapi.json')).json()).info.description as string;
    expect(description).toContain('CORS: any origin, no credentials');
  });

  it('problem types point at their documentation', async () => {
    const res = await app.request('/v1/likelihoods/nope');
    expect((await res.json()).type).toBe('/docs#problem-unknown-likelihood');
  });

  it('publishes the manifest JSON Schema', async () => {
    const schema = await (await app.request('/schema/manifest.json')).json();
    expect(schema.properties.terms).toBeDefined();
  });
});
