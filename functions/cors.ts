/**
 * CORS (Fetch standard): the API is public, needs no credentials and changes nothing on the
 * server (a POST computes, it stores nothing), so a page on any origin — a notebook, a HEPData
 * widget — may call it from a browser. hono's `cors` middleware applies the policy below to
 * every response, errors included (a browser hides an error without these headers, so the
 * client could not read the problem document); it answers every OPTIONS request itself, with
 * 204: a preflight must succeed even where the actual request will be a 404 or a 405, or the
 * browser would report a CORS failure in place of that problem. On a path the API serves an
 * OPTIONS also gets Allow.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

export const CORS_POLICY = {
  /** any origin, and no Access-Control-Allow-Credentials: cookies and HTTP authentication are never used */
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
  /** the request headers the API reads beyond the CORS-safelisted ones (a JSON or MessagePack Content-Type needs a preflight) */
  allowHeaders: ['content-type', 'content-encoding', 'accept', 'if-none-match'],
  /** response headers a client needs beyond the safelisted ones: conditional requests, a 405's Allow, where a workspace's observations come from */
  exposeHeaders: ['etag', 'allow', 'x-observations', 'retry-after'],
  /** seconds a browser may keep a preflight's answer (Chromium caps it at 7200) */
  maxAge: 86_400,
} as const;

/** The response headers that describe CORS, to keep on a 304 (hono's etag keeps only a few). */
export const CORS_RESPONSE_HEADERS = ['access-control-allow-origin', 'access-control-expose-headers'];

/** hono's cors middleware with the policy; `allow(path)` gives a served path's Allow header, null elsewhere. */
export function corsMiddleware(allow: (path: string) => string | null): MiddlewareHandler {
  const policy = cors({ ...CORS_POLICY, allowMethods: [...CORS_POLICY.allowMethods], allowHeaders: [...CORS_POLICY.allowHeaders], exposeHeaders: [...CORS_POLICY.exposeHeaders] });
  return async (c, next) => {
    // hono's cors returns a response only for OPTIONS, which it answers itself
    const answer = await policy(c, next);
    if (!answer) return;
    const allowed = allow(new URL(c.req.url).pathname);
    if (allowed) answer.headers.set('allow', allowed);
    return answer;
  };
}
