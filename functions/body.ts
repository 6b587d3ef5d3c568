/**
 * Request and response bodies: JSON by default, MessagePack (`application/msgpack`, typed
 * arrays kept) when the request's Content-Type or Accept says so; gzip-compressed bodies
 * (`Content-Encoding: gzip`) are decompressed here. A hard size limit is enforced while
 * reading, on the bytes sent and again on the decompressed bytes, so neither an oversized
 * body nor a decompression bomb ever reaches memory whole.
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

async function readStream(stream: ReadableStream<Uint8Array>, limit: number, what: string): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      throw new Problem(400, 'malformed-body', `the ${what} could not be read: ${(error as Error).message}`);
    }
    if (next.done) break;
    total += next.value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Problem(413, 'payload-too-large', `the ${what} exceeds the limit of ${limit} bytes`);
    }
    chunks.push(next.value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new Problem(413, 'payload-too-large', `the body has ${declared} bytes; the limit is ${limit}`);
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new Problem(415, 'unsupported-media-type', `Content-Encoding '${encoding}' is not supported; send gzip or an uncompressed body`);
  if (!request.body) return new Uint8Array(0);
  const bytes = await readStream(request.body, limit, 'body');
  // a platform that has already decoded the body may leave the header: gzip starts with 1f 8b
  if (encoding !== 'gzip' || !(bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  const inflated = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return readStream(inflated, limit, 'decompressed body');
}

/** Decodes the body (JSON or MessagePack); `text` is the JSON text, null for MessagePack. */
async function decodeBody(c: Context): Promise<{ value: unknown; text: string | null }> {
  const type = mediaType(c.req.header('content-type'));
  if (type !== 'application/json' && type !== MSGPACK) {
    throw new Problem(415, 'unsupported-media-type', `send application/json or ${MSGPACK}, not '${type || 'nothing'}'`);
  }
  const bytes = await readLimited(c.req.raw, LIMITS.bodyBytes);
  try {
    if (type === MSGPACK) return { value: decodeMessagePack(bytes), text: null };
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { value: JSON.parse(text, refuseProtoKeys), text };
  } catch (error) {
    throw new Problem(400, 'malformed-body', `the body is not valid ${type === MSGPACK ? 'MessagePack' : 'JSON'}: ${(error as Error).message}`);
  }
}

function validated<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw problemFromZod(parsed.error);
  return parsed.data;
}

/** Decodes and validates the body; every failure is a 4xx problem. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return validated(schema, (await decodeBody(c)).value);
}

/** As `readBody`, with the body's JSON text (null for MessagePack), for digests of what was sent. */
export async function readBodyWithText<S extends z.ZodType>(c: Context, schema: S): Promise<{ request: z.infer<S>; text: string | null }> {
  const { value, text } = await decodeBody(c);
  return { request: validated(schema, value), text };
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
