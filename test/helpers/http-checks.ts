/**
 * Checks shared by the HTTP-level tests (fuzz, tampered artifacts, workerd): decoding a
 * response by its content type, and the invariants every response of the public API keeps
 * (DESIGN.md "The public HTTP API"): never a 5xx for client input, every error an RFC 9457
 * problem (`application/problem+json`, or `application/problem+msgpack` when MessagePack
 * was negotiated) whose `status` equals the HTTP status, every `nll` a finite number, and
 * every response readable from any origin (`Access-Control-Allow-Origin: *`, functions/cors.ts).
 */
import { decodeMessagePack } from '../../models/artifact/codec.js';

export const PROBLEM_JSON = 'application/problem+json';
export const PROBLEM_MSGPACK = 'application/problem+msgpack';

export interface ProblemLike {
  type?: unknown;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: unknown;
  instance?: unknown;
}

export function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** The body decoded by the response's content type: JSON, MessagePack, or text. */
export function decodeBytes(contentType: string | null, bytes: Uint8Array): unknown {
  const type = mediaType(contentType);
  if (type.includes('msgpack')) return decodeMessagePack(bytes);
  const text = new TextDecoder().decode(bytes);
  if (type.includes('json')) return JSON.parse(text);
  return text;
}

export async function decodeResponse(res: Response): Promise<unknown> {
  return decodeBytes(res.headers.get('content-type'), new Uint8Array(await res.arrayBuffer()));
}

/** A short readable rendering of any value (typed arrays, NaN, long strings shortened). */
export function preview(value: unknown, max = 400): string {
  let text: string;
  if (value instanceof Uint8Array) {
    const head = Array.from(value.subarray(0, 64), (b) => b.toString(16).padStart(2, '0')).join(' ');
    text = `<${value.length} bytes: ${head}${value.length > 64 ? ' …' : ''}>`;
  } else if (typeof value === 'string') {
    text = JSON.stringify(value.length > max ? value.slice(0, max) + '…' : value);
  } else {
    try {
      text = JSON.stringify(value, (_k, v) => {
        if (typeof v === 'number' && !Number.isFinite(v)) return `<${v}>`;
        if (typeof v === 'number' && Object.is(v, -0)) return '<-0>';
        if (ArrayBuffer.isView(v)) return `<${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length}) ${Array.from(v as unknown as ArrayLike<number>).slice(0, 8).map(String).join(',')}>`;
        if (typeof v === 'bigint') return `<${v}n>`;
        if (typeof v === 'string' && v.length > 80) return v.slice(0, 80) + `…(${v.length} chars)`;
        return v;
      });
    } catch (error) {
      text = `<unprintable: ${(error as Error).message}>`;
    }
    text ??= String(value);
  }
  return text.length > max ? text.slice(0, max) + '…' : text;
}

/** Throws unless `body` is a problem document for `status`. */
export function assertProblemBody(body: unknown, status: number): asserts body is ProblemLike {
  if (typeof body !== 'object' || body === null) throw new Error(`problem body is not an object: ${preview(body)}`);
  const p = body as Record<string, unknown>;
  if (typeof p.status !== 'number' || p.status !== status) throw new Error(`problem status ${preview(p.status)} differs from HTTP status ${status}`);
  for (const key of ['code', 'title', 'detail'] as const) {
    if (typeof p[key] !== 'string' || (p[key] as string).length === 0) throw new Error(`problem field '${key}' is not a non-empty string: ${preview(p[key])}`);
  }
}

function allFiniteNumbers(value: unknown, path: string): string | null {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return `${path} is not an array`;
  const items = Array.from(value as ArrayLike<unknown>);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (Array.isArray(v)) {
      const inner = allFiniteNumbers(v, `${path}[${i}]`);
      if (inner) return inner;
    } else if (typeof v !== 'number' || !Number.isFinite(v)) return `${path}[${i}] is ${preview(v)}, not a finite number`;
  }
  return null;
}

/** For a successful evaluation body: `nll` (and `logRatio`) hold finite numbers only, never NaN-derived nulls. */
export function assertFiniteEvaluation(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const b = body as Record<string, unknown>;
  if ('nll' in b && Array.isArray(b.nll)) {
    const problem = allFiniteNumbers(b.nll, 'nll');
    if (problem) throw new Error(`2xx body with a non-finite NLL: ${problem}`);
  }
  if ('logRatio' in b) {
    const problem = allFiniteNumbers(b.logRatio, 'logRatio');
    if (problem) throw new Error(`2xx body with a non-finite log ratio: ${problem}`);
  }
}

export interface CheckedResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * The invariants of every response. `expectMsgpack` is true/false where the request's
 * headers negotiate one unambiguously, undefined where either is acceptable; `head` skips
 * body decoding (HEAD responses have none); `htmlErrors` lets an error be an HTML page (the
 * public pages answer browsers, whose Accept prefers text/html, that way); `serverStatuses`
 * lists the 5xx statuses expected here (503 for an artifact refused as tampered).
 */
export async function checkResponse(res: Response, options: { expectMsgpack?: boolean; ifNoneMatch?: boolean; head?: boolean; htmlErrors?: boolean; serverStatuses?: number[] } = {}): Promise<CheckedResponse> {
  const status = res.status;
  const contentType = res.headers.get('content-type') ?? '';
  const bytes = new Uint8Array(await res.arrayBuffer());
  let body: unknown = null;
  let decoded = false;
  const fail = (why: string): never => {
    const shown = decoded ? preview(body, 600) : preview(new TextDecoder().decode(bytes.subarray(0, 600)));
    throw new Error(`${why} (HTTP ${status}, content-type '${contentType}', body ${shown})`);
  };
  if (status >= 500 && !options.serverStatuses?.includes(status)) fail('server error');
  if (res.headers.get('access-control-allow-origin') !== '*') fail('no Access-Control-Allow-Origin: * (a browser would hide this response from a page on another origin)');
  if (status === 304) {
    if (!options.ifNoneMatch) fail('304 without If-None-Match');
    return { status, contentType, body: null };
  }
  if (status >= 300 && status < 400) {
    if (!res.headers.get('location')) fail('redirect without Location');
    return { status, contentType, body: null };
  }
  if (!options.head && bytes.length > 0) {
    try {
      body = decodeBytes(contentType, bytes);
      decoded = true;
    } catch (error) {
      fail(`the body does not decode as its content type says: ${(error as Error).message}`);
    }
  }
  if (status >= 200 && status < 300) {
    try {
      assertFiniteEvaluation(body);
    } catch (error) {
      fail((error as Error).message);
    }
    return { status, contentType, body };
  }
  const type = mediaType(contentType);
  if (options.htmlErrors && type === 'text/html') return { status, contentType, body };
  if (type !== PROBLEM_JSON && type !== PROBLEM_MSGPACK) fail(`error response is not a problem document`);
  if (options.expectMsgpack === true && type !== PROBLEM_MSGPACK) fail('MessagePack was negotiated but the problem is JSON');
  if (options.expectMsgpack === false && type !== PROBLEM_JSON) fail('JSON was negotiated but the problem is MessagePack');
  if (!options.head) {
    try {
      assertProblemBody(body, status);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  return { status, contentType, body };
}
