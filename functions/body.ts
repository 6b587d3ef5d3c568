/**
 * Request and response bodies: JSON by default, MessagePack (`application/msgpack`, typed
 * arrays kept) when the request's Content-Type or Accept says so; a hard size limit
 * enforced while reading, so an oversized body never reaches memory whole.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { decodeMessagePack, encodeMessagePack } from '../models/artifact/codec.js';
import { LIMITS } from './schemas.js';
import { Problem, problemFromZod } from './problem.js';

export const MSGPACK = 'application/msgpack';

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new Problem(413, 'payload-too-large', `the body has ${declared} bytes; the limit is ${limit}`);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new Problem(413, 'payload-too-large', `the body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Decodes and validates the body; every failure is a 4xx problem. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = mediaType(c.req.header('content-type'));
  if (type !== 'application/json' && type !== MSGPACK) {
    throw new Problem(415, 'unsupported-media-type', `send application/json or ${MSGPACK}, not '${type || 'nothing'}'`);
  }
  const bytes = await readLimited(c.req.raw, LIMITS.bodyBytes);
  let value: unknown;
  try {
    value = type === MSGPACK ? decodeMessagePack(bytes) : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Problem(400, 'malformed-body', `the body is not valid ${type === MSGPACK ? 'MessagePack' : 'JSON'}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw problemFromZod(parsed.error);
  return parsed.data;
}

/** MessagePack when asked for by Accept, or by the request's Content-Type when Accept names neither. */
export function wantsMessagePack(c: Context): boolean {
  const accept = (c.req.header('accept') ?? '').toLowerCase();
  if (accept.includes(MSGPACK)) return true;
  if (accept.includes('application/json')) return false;
  return mediaType(c.req.header('content-type')) === MSGPACK;
}

export function respond(c: Context, value: unknown, status: 200 | 201 = 200, headers: Record<string, string> = {}): Response {
  if (wantsMessagePack(c)) {
    return new Response(encodeMessagePack(value) as Uint8Array<ArrayBuffer>, { status, headers: { 'content-type': MSGPACK, ...headers } });
  }
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}
