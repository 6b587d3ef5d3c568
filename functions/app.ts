/**
 * The service as one Hono app on web-standard Request/Response. Runtime details (how artifact
 * files are read) come in through the store; functions/worker.ts and functions/node.ts are
 * the adapters. A request flows: route (validate the body, negotiate the representation) →
 * models/service (the use case) → serialise; every failure becomes a problem document here.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import type { ArtifactStore } from '../models/service/catalogue.js';
import { ServiceError } from '../models/service/errors.js';
import { corsMiddleware, CORS_RESPONSE_HEADERS } from './cors.js';
import { allowHeader, refuseUnrecognisedMethods, routeMethods } from './methods.js';
import type { DeclaredOperation, Env } from './operation.js';
import { internalError, Problem, problemOf } from './problem.js';
import { problemResponse } from './respond.js';
import { combinationRoutes } from './routes/combinations.js';
import { docsRoutes } from './routes/docs.js';
import { exportRoutes } from './routes/exports.js';
import { likelihoodRoutes } from './routes/likelihoods.js';
import { pages } from './routes/pages.js';
import { pyhfRoutes } from './routes/pyhf.js';

export function createApp(store: ArtifactStore): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>();
  // first, so that every response carries the CORS headers, problems included (functions/cors.ts)
  app.use('*', corsMiddleware((path) => {
    const methods = routeMethods(app, path);
    return methods.length ? allowHeader(methods) : null;
  }));
  app.use('*', refuseUnrecognisedMethods);
  app.use('*', async (c, next) => {
    c.set('store', store);
    await next();
  });
  // conditional GETs: a route's own strong ETag (manifests, figures), else a digest of the body
  // a 304 keeps the CORS headers: a client that sends If-None-Match itself must be able to read it
  app.use('*', etag({ retainedHeaders: [...RETAINED_304_HEADERS, ...CORS_RESPONSE_HEADERS] }));
  const declared: DeclaredOperation[] = [];
  likelihoodRoutes(app, declared);
  exportRoutes(app, declared);
  combinationRoutes(app, declared);
  pyhfRoutes(app, declared);
  app.route('/', docsRoutes(app, declared));
  app.route('/', pages);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = routeMethods(app, path);
    if (allowed.length) return problemResponse(c, new Problem('method-not-allowed', `${c.req.method} is not allowed on ${path}; use ${allowed.join(' or ')}`, undefined, { allow: allowHeader(allowed) }));
    return problemResponse(c, new Problem('not-found', `nothing at ${c.req.method} ${path}`));
  });
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    if (error instanceof ServiceError) return problemResponse(c, problemOf(error.failure));
    return problemResponse(c, internalError(error));
  });
  return app;
}
