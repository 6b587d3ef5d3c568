/**
 * The service as one Hono app on web-standard Request/Response. Runtime details (how
 * artifact files are read) come in through the store; functions/worker.ts and
 * functions/node.ts are the adapters.
 */
import { Hono } from 'hono';
import { encodeMessagePack } from '../models/artifact/codec.js';
import { wantsMessagePack } from './body.js';
import { Problem } from './problem.js';
import { pages } from './routes/pages.js';
import { pyhf } from './routes/pyhf.js';
import { docs } from './routes/docs.js';
import { v1, type Env } from './routes/v1.js';
import type { ArtifactStore } from './store.js';

export function createApp(store: ArtifactStore): Hono<Env> {
  const app = new Hono<Env>();
  app.use('*', async (c, next) => {
    c.set('store', store);
    await next();
  });
  app.route('/v1/pyhf', pyhf);
  app.route('/v1', v1);
  app.route('/', docs);
  app.route('/', pages);

  app.notFound((c) => problemResponse(c.req.raw, new Problem(404, 'not-found', `nothing at ${c.req.method} ${new URL(c.req.url).pathname}`), wantsMessagePack(c)));
  app.onError((error, c) => {
    const problem = error instanceof Problem ? error : new Problem(500, 'internal-error', 'an unexpected error occurred; it has been logged');
    if (!(error instanceof Problem)) console.error(error);
    return problemResponse(c.req.raw, problem, wantsMessagePack(c));
  });
  return app;
}

function problemResponse(request: Request, problem: Problem, msgpack: boolean): Response {
  const body = problem.body(new URL(request.url).pathname);
  const headers: Record<string, string> = {};
  if (problem.status === 405) headers.allow = 'GET, POST';
  if (msgpack) return new Response(encodeMessagePack(body) as Uint8Array<ArrayBuffer>, { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+msgpack' } });
  return new Response(JSON.stringify(body), { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+json' } });
}
