/**
 * Request bodies: JSON or MessagePack (`application/msgpack`, typed arrays kept), possibly
 * gzip-compressed (`Content-Encoding: gzip`). A hard size limit is enforced while reading, on
 * the bytes sent and again on the decompressed bytes, so neither an oversized body nor a
 * decompression bomb ever reaches memory whole.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { decodeMessagePack } from '../models/artifact/codec.js';
import { Problem, problemFromZod } from './problem.js';

export const JSON_TYPE = 'application/json';
export const MSGPACK = 'application/msgpack';

/** Request body, bytes (JSON or MessagePack), before and after gzip is undone. */
export const BODY_LIMIT = 16 * 1024 * 1024;

/**
 * How far gzip may expand a body: JSON workspaces compress 10- to 30-fold, so 250-fold (with
 * at least 1 MiB allowed) is a document no client means to send, and a bomb stops there.
 */
export const GZIP_RATIO_LIMIT = 250;

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
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
      throw new Problem('malformed-body', `the ${what} could not be read: ${(error as Error).message}`);
    }
    if (next.done) break;
    total += next.value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Problem('payload-too-large', `the ${what} exceeds the limit of ${limit} bytes`);
    }
    chunks.push(next.value);
  }
  return concat(chunks, total);
}

/**
 * Compressed bytes written to the decompressor at a time. workerd's DecompressionStream inflates
 * each written chunk whole, into a buffer with no backpressure, whether or not anything reads it:
 * a gzip bomb of about 1 MB written as one chunk grew workerd's RSS by 1.2 GB before the 413
 * (npm run bench:hostile). Deflate expands at most ~1032:1, so a piece this size puts at most
 * ~17 MB into that buffer before the reader has taken what the previous piece gave.
 */
const GZIP_PIECE = 16 * 1024;
const STOP = Symbol('stop');
/** A macrotask: a read whose data is already buffered resolves before it (a ready promise, not a timer). */
const idle = () => new Promise<typeof STOP>((resolve) => setTimeout(() => resolve(STOP), 0));
const never = () => new Promise<typeof STOP>(() => undefined);

/**
 * gzip undone in lockstep: write a piece, reading while the write runs (Node's zlib stops
 * mid-chunk until its output is read), then take all it gave until a read would wait, counting
 * against `limit`; then the next piece. The decompressor's buffer so never holds more than one
 * piece's output, and a bomb stops at the limit, not at its end.
 */
async function gunzipLimited(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const what = 'decompressed body';
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const read = () => {
    const next = reader.read();
    next.catch(() => undefined); // awaited below; an error is not unhandled while a write runs
    return next;
  };
  let pending = read();
  /** takes what comes out until `until()` resolves first, or the output ends */
  const drain = async (until: () => Promise<typeof STOP>) => {
    for (;;) {
      const next = await Promise.race([pending, until()]);
      if (next === STOP || next.done) return;
      total += next.value.length;
      if (total > limit) throw new Problem('payload-too-large', `the ${what} exceeds the limit of ${limit} bytes (${BODY_LIMIT} bytes, and at most ${GZIP_RATIO_LIMIT} times the ${bytes.length} compressed ones)`);
      chunks.push(next.value);
      pending = read();
    }
  };
  const settled = (operation: Promise<void>) => {
    const stop = operation.then((): typeof STOP => STOP);
    return () => stop;
  };
  try {
    for (let at = 0; at < bytes.length; at += GZIP_PIECE) {
      await drain(settled(writer.write(bytes.subarray(at, at + GZIP_PIECE) as Uint8Array<ArrayBuffer>)));
      await drain(idle);
    }
    await drain(settled(writer.close()));
    await drain(never);
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    await writer.abort().catch(() => undefined);
    if (error instanceof Problem) throw error;
    throw new Problem('malformed-body', `the ${what} could not be read: ${(error as Error).message}`);
  }
  return concat(chunks, total);
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new Problem('payload-too-large', `the body has ${declared} bytes; the limit is ${limit}`);
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new Problem('unsupported-media-type', `Content-Encoding '${encoding}' is not supported; send gzip or an uncompressed body`);
  if (!request.body) return new Uint8Array(0);
  const bytes = await readStream(request.body, limit, 'body');
  // a platform that has already decoded the body may leave the header: gzip starts with 1f 8b
  if (encoding !== 'gzip' || !(bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  return gunzipLimited(bytes, Math.min(limit, Math.max(1024 * 1024, GZIP_RATIO_LIMIT * bytes.length)));
}

// A key named __proto__ would be dropped by object schemas without a word; refuse it instead.
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('"__proto__" is not allowed as a key');
  return value;
}

/** The decoded and validated body, with its JSON text (null for MessagePack) for digests of what was sent; every failure is a 4xx problem. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<{ body: z.output<S>; text: string | null }> {
  const type = mediaType(c.req.header('content-type'));
  if (type !== JSON_TYPE && type !== MSGPACK) throw new Problem('unsupported-media-type', `send ${JSON_TYPE} or ${MSGPACK}, not '${type || 'nothing'}'`);
  const bytes = await readLimited(c.req.raw, BODY_LIMIT);
  let value: unknown;
  let text: string | null = null;
  try {
    if (type === MSGPACK) value = decodeMessagePack(bytes);
    else {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      value = JSON.parse(text, refuseProtoKeys);
    }
  } catch (error) {
    throw new Problem('malformed-body', `the body is not valid ${type === MSGPACK ? 'MessagePack' : 'JSON'}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw problemFromZod(parsed.error);
  return { body: parsed.data, text };
}
