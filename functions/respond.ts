/**
 * Responses: JSON by default, MessagePack when the client asks for it (hono's `accepts`
 * negotiates), RFC 9457 problem details for errors. A request whose Accept header allows
 * neither JSON nor MessagePack gets 406 before any work is done.
 */
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { encodeMessagePack } from '../models/artifact/codec.js';
import { JSON_TYPE, mediaType, MSGPACK } from './body.js';
import { Problem } from './problem.js';

export type Representation = typeof JSON_TYPE | typeof MSGPACK;

const NOT_ACCEPTABLE = 'not-acceptable';

/**
 * The representation the client accepts: the one its Accept header prefers, or, when it names
 * neither (no header, or only wildcards), MessagePack for a MessagePack request and JSON
 * otherwise; null when Accept excludes both.
 */
export function representation(c: Context): Representation | null {
  const fallback = mediaType(c.req.header('content-type')) === MSGPACK ? MSGPACK : JSON_TYPE;
  if (!c.req.header('accept')) return fallback;
  const named = accepts(c, { header: 'Accept', supports: [JSON_TYPE, MSGPACK], default: NOT_ACCEPTABLE });
  if (named !== NOT_ACCEPTABLE) return named as Representation;
  // accepts answers its default both for a bare wildcard and for no match: tell them apart
  return accepts(c, { header: 'Accept', supports: ['*/*', '*'], default: NOT_ACCEPTABLE }) === NOT_ACCEPTABLE ? null : fallback;
}

/** The negotiated representation, or a 406 problem. */
export function negotiate(c: Context): Representation {
  const type = representation(c);
  if (!type) throw new Problem('not-acceptable', `this endpoint answers ${JSON_TYPE} or ${MSGPACK}; the Accept header '${c.req.header('accept')}' allows neither`);
  return type;
}

/** A body in the negotiated representation (Vary: Accept, as the representation depends on it). */
export function respond(type: Representation, value: unknown, headers: Record<string, string> = {}): Response {
  const body = type === MSGPACK ? (encodeMessagePack(value) as Uint8Array<ArrayBuffer>) : JSON.stringify(value);
  return new Response(body, { status: 200, headers: { 'content-type': type === MSGPACK ? MSGPACK : `${JSON_TYPE}; charset=utf-8`, vary: 'accept', ...headers } });
}

/** A problem document, as MessagePack for clients that take MessagePack. */
export function problemResponse(c: Context, problem: Problem): Response {
  const body = problem.body(new URL(c.req.url).pathname);
  const headers = { ...problem.headers, vary: 'accept' };
  if (representation(c) === MSGPACK) return new Response(encodeMessagePack(body) as Uint8Array<ArrayBuffer>, { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+msgpack' } });
  return new Response(JSON.stringify(body), { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+json' } });
}
