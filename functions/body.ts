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
    value = type === MSGPACK ? decodeMessagePack(bytes) : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes), refuseProtoKeys);
  } catch (error) {
    throw new Problem(400, 'malformed-body', `the body is not valid ${type === MSGPACK ? 'MessagePack' : 'JSON'}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw problemFromZod(parsed.error);
  return parsed.data;
}

// A key named __proto__ would be dropped by object schemas without a word; refuse it instead.
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('"__proto__" is not allowed as a key');
  return value;
}

/** The q-value (RFC 9110) the Accept header gives a media type; undefined when it is not named. */
function acceptQuality(accept: string, type: string): number | undefined {
  for (const part of accept.split(',')) {
    const [media, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (media !== type) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    return Number.isFinite(value) ? value : 0;
  }
  return undefined;
}

/** MessagePack when Accept prefers it, or by the request's Content-Type when Accept names neither. */
export function wantsMessagePack(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  const msgpack = acceptQuality(accept, MSGPACK);
  const json = acceptQuality(accept, 'application/json');
  if (msgpack !== undefined && msgpack > 0 && (json === undefined || msgpack >= json)) return true;
  if (json !== undefined || msgpack !== undefined) return false;
  return mediaType(c.req.header('content-type')) === MSGPACK;
}

export function respond(c: Context, value: unknown, status: 200 | 201 = 200, headers: Record<string, string> = {}): Response {
  if (wantsMessagePack(c)) {
    return new Response(encodeMessagePack(value) as Uint8Array<ArrayBuffer>, { status, headers: { 'content-type': MSGPACK, ...headers } });
  }
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}
