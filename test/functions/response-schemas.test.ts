/**
 * Real responses against the schemas the OpenAPI document publishes: every declared route is
 * called with its documented example (on the likelihood the document names) and with further
 * requests covering each response shape (ensembles, contours, unconverged fits, inline
 * workspaces, MessagePack), and each body must parse with the route's response schema; every
 * error must parse as a problem document. A field the code returns but the schema lacks, or a
 * null where the schema promises a number, fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { ProblemSchema } from '../../functions/problem.js';
import { decodeMessagePack } from '../../models/artifact/codec.js';

const app = createApp(fileStore('likelihoods'));
const workspaces = '../shared/workspaces';

interface Route {
  method: string;
  path: string;
  request?: { params?: z.ZodObject; body?: { content: Record<string, { schema: z.ZodType; example?: unknown }> } };
  responses: Record<number, { content?: Record<string, { schema: z.ZodType }> }>;
}
const routes = app.openAPIRegistry.definitions.filter((d) => d.type === 'route').map((d) => (d as unknown as { route: Route }).route);

function routeFor(method: string, path: string): Route {
  const route = routes.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
  if (!route) throw new Error(`no declared route for ${method} ${path}`);
  return route;
}

/** Paths of object keys in `sent` that the parsed value `kept` no longer has. */
function undeclared(sent: unknown, kept: unknown, path = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) return sent.flatMap((v, i) => undeclared(v, kept[i], `${path}[${i}]`));
  if (typeof sent !== 'object' || sent === null || ArrayBuffer.isView(sent) || typeof kept !== 'object' || kept === null) return [];
  return Object.entries(sent).flatMap(([k, v]) => (k in kept ? undeclared(v, (kept as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}.${k}`]));
}

/** Sends the request and checks the body against the declared schema of its status. */
async function check(method: 'get' | 'post', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const route = routeFor(method, path);
  const init: RequestInit = { method: method.toUpperCase(), headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await app.request(path, init);
  const type = res.headers.get('content-type') ?? '';
  const parsed = type.includes('msgpack') ? decodeMessagePack(new Uint8Array(await res.arrayBuffer())) : await res.json();
  if (res.status === 200) {
    const schema = route.responses[200].content![type.includes('msgpack') ? 'application/msgpack' : 'application/json'].schema;
    const result = schema.safeParse(parsed);
    expect(result.success, `${method} ${path}: ${result.success ? '' : JSON.stringify(result.error.issues.slice(0, 3))}`).toBe(true);
    // zod drops what a schema does not declare: anything dropped is a field the document lacks
    expect(undeclared(parsed, result.data), `${method} ${path}: fields missing from the response schema`).toEqual([]);
  } else {
    expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
    expect(res.status, `${method} ${path}: ${JSON.stringify(parsed)}`).toBeLessThan(500);
    expect(route.responses[res.status], `${method} ${path}: status ${res.status} is not documented`).toBeDefined();
    const result = ProblemSchema.safeParse(parsed);
    expect(result.success, `${method} ${path}: problem ${JSON.stringify(parsed)}`).toBe(true);
  }
  return { status: res.status, body: parsed };
}

describe('responses match the response schemas the OpenAPI document publishes', () => {
  it('every declared route answers its documented example with a body of its schema', async () => {
    for (const route of routes) {
      const id = (route.request?.params?.shape.id as z.ZodType | undefined)?.meta()?.example as string | undefined;
      if (route.path.includes('{id}')) expect(id, `${route.method} ${route.path} names no example likelihood`).toBeDefined();
      if (route.path.startsWith('/v1/pyhf/')) continue; // inline: a workspace is needed, below
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const example = (route.request?.params?.shape[name] as z.ZodType | undefined)?.meta()?.example as string | undefined;
        expect(example, `${route.method} ${route.path} names no example ${name}`).toBeDefined();
        return example!;
      });
      const file = Object.keys(route.responses[200].content ?? {}).find((type) => !type.includes('json') && !type.includes('msgpack'));
      if (file) {
        // a file (an ONNX model): its declared media type, and bytes
        const res = await app.request(path);
        expect(res.status, `${route.method} ${route.path}`).toBe(200);
        expect(res.headers.get('content-type')).toBe(file);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
        continue;
      }
      const example = route.request?.body?.content['application/json'].example;
      const { status } = await check(route.method as 'get' | 'post', path, route.method === 'post' ? (example ?? {}) : undefined);
      expect(status, `${route.method} ${route.path}`).toBe(200);
    }
  });

  it('every published likelihood: catalogue, manifest, NLL (gradient, profile, events), fit, interval, contour, ratio', async () => {
    const catalogue = (await check('get', '/v1/likelihoods')).body as { likelihoods: { id: string; parameters: { name: string }[]; observables: string[]; terms: { kind: string }[] }[] };
    // the learned Drell–Yan and W±Z likelihoods hold reference samples of 5·10⁴–6·10⁴ events in 3–4 variants:
    // their profile scans take seconds each, so their intervals are checked in their own tests; with 36
    // likelihoods the rest takes about a minute on two shared cores
    const large = (id: string) => id.startsWith('dy-smeft-run3') || id === 'wz-smeft-run3' || id === 'wz-smeft-run3-lgatr';
    for (const { id, parameters, observables, terms } of catalogue.likelihoods) {
      const names = parameters.map((p) => p.name);
      await check('get', `/v1/likelihoods/${id}`);
      await check('get', `/v1/likelihoods/${id}`, undefined, { accept: 'application/msgpack' });
      await check('post', `/v1/likelihoods/${id}/nll`, { points: [{}], gradient: true, profile: terms.some((t) => t.kind === 'binned-template') });
      await check('post', `/v1/likelihoods/${id}/fit`, { data: 'asimov' });
      if (!large(id)) await check('post', `/v1/likelihoods/${id}/interval`, { parameters: [names[0]], points: 11 });
      if (names.length > 1 && !large(id)) await check('post', `/v1/likelihoods/${id}/interval`, { parameters: names.slice(0, 2), points: 5 });
      if (observables.length) await check('post', `/v1/likelihoods/${id}/ratio`, { events: [Array(observables.length).fill(0.5)], points: [{}] });
    }
  }, 180_000);

  it('results that did not converge or do not apply still match (null numbers, problem documents)', async () => {
    // counts no background model can produce: every fit fails, and every number is null
    const impossible = { binned: { SR_meff: [0, 0, 0], CRtt_meff: [1e9, 0, 0] } };
    const failed = (await check('post', '/v1/likelihoods/atlas-sbottom-regiona/fit', { data: impossible })).body as { converged: boolean; nll: unknown };
    expect(failed).toMatchObject({ converged: false, nll: null });
    const cls = (await check('post', '/v1/likelihoods/atlas-sbottom-regiona/cls', { values: [0.5, 1], data: impossible })).body as { results: { cls: unknown }[] };
    expect(cls.results[0].cls).toBeNull();
    const scan = (await check('post', '/v1/likelihoods/atlas-sbottom-regiona/interval', { parameters: ['mu_SIG'], points: 5, data: impossible })).body as { converged: boolean };
    expect(scan.converged).toBe(false);
    await check('post', '/v1/likelihoods/atlas-sbottom-regiona/upper-limit', { data: impossible });
    await check('post', '/v1/likelihoods/gaussian-toy-truth/fit', { data: 'asimov', luminosity: 1e6, fixed: { theta: 2 } });
    await check('post', '/v1/likelihoods/atlas-sbottom-regiona/cls', { values: [0, 0.5, 10] });
    await check('post', '/v1/likelihoods/tttt-yukawa/cls', { values: [1] });
    await check('post', '/v1/likelihoods/pyhf-2bin-shapesys/cls', { values: [0.5, 1], calculator: 'toys', toys: 50 });
    await check('post', '/v1/likelihoods/tttt-yukawa/nll', { points: [{ Yt: 9 }] });
    await check('get', '/v1/likelihoods/gaussian-toy-truth/workspace');
    await check('get', '/v1/likelihoods/tttt-yukawa/workspace');
    await check('post', '/v1/likelihoods/gaussian-toy-a1.5/interval', { parameters: ['theta'], points: 11 });
    await check('post', '/v1/likelihoods/gaussian-toy-a1.5/fit', {});
  });

  it('numbers far in the tails: CLs where CL_s+b and CL_b underflow, limits at a tiny level, uncertainties that cannot be given', async () => {
    const cls = (await check('post', '/v1/likelihoods/pyhf-2bin-shapesys/cls', { values: [0.01, 1], luminosity: 1e6 })).body as { results: { converged: boolean; logCls: number }[] };
    expect(cls.results.every((r) => r.converged && Number.isFinite(r.logCls))).toBe(true);
    const limit = (await check('post', '/v1/likelihoods/pyhf-2bin-shapesys/upper-limit', { level: 1e-12 })).body as { scan: { message?: string }[] };
    expect(limit.scan.some((e) => e.message)).toBe(true);
    const fit = (await check('post', '/v1/likelihoods/pyhf-2bin-shapesys/fit', { luminosity: 1e-6 })).body as { warnings: string[] };
    expect(fit.warnings).toHaveLength(1);
    await check('post', '/v1/likelihoods/tttt-yukawa/fit', { fixed: { Yt: 1 } });
  });

  it('the inline pyhf routes, with the model they built', async () => {
    const workspace = readFileSync(`${workspaces}/atlas_sbottom_RegionA.json`, 'utf8');
    const patch = readFileSync(`${workspaces}/atlas_sbottom_RegionA.patch.json`, 'utf8');
    const source = `"workspace":${workspace},"jsonPatch":${patch}`;
    for (const [op, fields] of [['nll', '"points":[{"mu_SIG":1}]'], ['fit', '"data":"observed"'], ['interval', '"parameters":["mu_SIG"],"points":7'], ['cls', '"values":[1]'], ['upper-limit', '"level":0.05']]) {
      const { status } = await check('post', `/v1/pyhf/${op}`, `{${source},${fields}}`);
      expect(status, op).toBe(200);
    }
    const { status } = await check('post', '/v1/pyhf/reinterpret', `{${source},"signal":{"yields":{"SR_meff":[0.1,0.4,2.5],"CRtt_meff":[0.1,0.5,1.0]}}}`);
    expect(status).toBe(200);
    expect((await check('post', '/v1/pyhf/nll', `{"workspace":{"channels":1},"points":[{}]}`)).status).toBe(422);
  });
});
