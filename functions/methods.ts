/**
 * Request methods (RFC 9110 §9.1): an origin server answers a method it does not recognise, or
 * implements nowhere, with 501 (Not Implemented, "for any resource"), and a method it
 * recognises but the target resource does not allow with 405 (Method Not Allowed) and Allow.
 *
 * The line drawn here: the methods HTTP itself defines (RFC 9110's eight, and PATCH from
 * RFC 5789) are recognised, so PUT, DELETE, PATCH, TRACE or CONNECT on a path the API serves
 * is a 405 whose Allow tells the client what it can do there (and a 404 elsewhere). Extension
 * methods (WebDAV's PROPFIND, a made-up FOO) are 501 wherever they are sent: nothing in this
 * server knows them. workerd's HTTP parser refuses methods it does not know with its own 501
 * before the worker sees them, so the two layers agree on the status.
 */
import type { MiddlewareHandler } from 'hono';
import type { App } from './operation.js';
import { Problem } from './problem.js';

const RECOGNISED = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** 501 `not-implemented` for a method no HTTP standard defines, before any routing. */
export const refuseUnrecognisedMethods: MiddlewareHandler = async (c, next) => {
  const method = c.req.method;
  if (!RECOGNISED.has(method)) throw new Problem('not-implemented', `${method.slice(0, 40)} is not a method this server implements; the API uses GET, HEAD and POST`);
  await next();
};

/** The methods some route serves at `path` (GET implies HEAD); none for a path the app does not serve. */
export function routeMethods(app: App, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const pattern = new RegExp(`^${route.path.replace(/:\w+/g, '[^/]+')}$`);
    if (pattern.test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}


/** The Allow header of a path the app serves: its routes' methods, and OPTIONS, which the CORS middleware answers on every path. */
export function allowHeader(methods: readonly string[]): string {
  return [...methods, 'OPTIONS'].join(', ');
}
