/**
 * One place where an API operation is declared: its method, path, request and response
 * schemas, summary and example become an OpenAPI route (`createRoute`, registered with the
 * app's OpenAPI registry, from which /openapi.json and /docs are generated), and its handler
 * is mounted behind the service's own body handling. zod-openapi's built-in body validator is
 * not used: it reads JSON bodies without a size limit and knows neither gzip nor MessagePack.
 * Here every body is read with the limits of `readBody`, validated with the same schema the
 * document shows, the Accept header is negotiated before any work, and the handler's result
 * is serialised as JSON or MessagePack. A file operation (`fileOperation`: an ONNX model) is
 * declared the same way, with validated query parameters, and answers bytes of its media type.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import { z } from 'zod';
import type { ArtifactStore } from '../models/service/catalogue.js';
import { BODY_LIMIT, JSON_TYPE, MSGPACK, readBody } from './body.js';
import { Problem, problemFromZod, ProblemSchema } from './problem.js';
import { negotiate, respond } from './respond.js';

export type Env = { Variables: { store: ArtifactStore } };
export type App = OpenAPIHono<Env>;

export interface OperationSpec<Req extends z.ZodType | undefined = z.ZodType | undefined, Res extends z.ZodType = z.ZodType> {
  method: 'get' | 'post';
  /** OpenAPI path, parameters in braces: /v1/likelihoods/{id}/nll */
  path: string;
  summary: string;
  description: string;
  request?: Req;
  response: Res;
  /** a request that works, on the published likelihood `likelihood` (documentation): its body, other path parameters, query */
  example?: { likelihood?: string; body?: unknown; params?: Record<string, string>; query?: string };
}

/** A response body with the headers it needs (caching, ETag), for handlers that set some. */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly headers: Record<string, string>,
  ) {}
}

type Input<Req> = Req extends z.ZodType ? { body: z.output<Req>; text: string | null } : Record<string, never>;

/** An operation whose response is a file (an ONNX model, an HTML page), not JSON or MessagePack: a GET with validated query parameters, or a POST with a body. */
export interface FileOperationSpec<Query extends z.ZodObject = z.ZodObject, Req extends z.ZodType = z.ZodType> extends Omit<OperationSpec<undefined>, 'request' | 'response' | 'method'> {
  method?: 'get' | 'post';
  query?: Query;
  request?: Req;
  /** the response's media type, and what it holds */
  produces: { mediaType: string; description: string };
}

/** Every operation the app declares, in order: the docs page and 405 answers read it. */
export type DeclaredOperation = Omit<OperationSpec, 'response'> & { honoPath: string; response?: z.ZodType; query?: z.ZodObject; produces?: FileOperationSpec['produces'] };

const ID = z.string().meta({ description: 'likelihood id, or id@version for a fixed, immutable version' });

function problemContent(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemSchema } } };
}

/** The path parameters in braces: `id` (with its example), and any others as strings. */
function pathParams(spec: Pick<OperationSpec, 'path' | 'example'>) {
  const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (!names.length) return undefined;
  const example = (name: string) => (name === 'id' ? spec.example?.likelihood : spec.example?.params?.[name]);
  return z.object(Object.fromEntries(names.map((name) => {
    const schema = name === 'id' ? ID : z.string();
    return [name, example(name) ? schema.meta({ example: example(name) }) : schema];
  })));
}

type RequestBody = NonNullable<Parameters<typeof createRoute>[0]['request']>['body'];

/** A request body as the OpenAPI document shows it: JSON or MessagePack, gzip allowed, within the body limit. */
function requestBody(schema: z.ZodType, example?: unknown): RequestBody {
  return {
    required: true,
    description: `JSON, or MessagePack (typed arrays for event matrices); gzip-compressed with Content-Encoding: gzip. At most ${BODY_LIMIT} bytes before and after decompression.`,
    content: {
      [JSON_TYPE]: { schema, ...(example ? { example } : {}) },
      [MSGPACK]: { schema },
    },
  };
}

/** Registers the OpenAPI route and the declaration; returns the Hono path. */
function declare(app: App, declared: DeclaredOperation[], spec: Omit<DeclaredOperation, 'honoPath'>, success: Record<string, { schema: z.ZodType | { type: 'string'; format: 'binary' } }>, body?: RequestBody): string {
  const params = pathParams(spec);
  const route = createRoute({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
    request: { ...(params ? { params } : {}), ...(spec.query ? { query: spec.query } : {}), ...(body ? { body } : {}) },
    responses: {
      200: { description: spec.produces?.description ?? 'success', content: success },
      ...(spec.request ? { 400: problemContent('the body could not be decoded'), 413: problemContent('the body, or the work it asks for, is over a limit'), 415: problemContent('the body is neither JSON nor MessagePack, or its encoding is not gzip') } : {}),
      404: problemContent(spec.path.includes('{component}') ? 'no such likelihood, version or component' : 'no such likelihood or version'),
      406: problemContent(spec.produces ? `the Accept header does not allow ${spec.produces.mediaType}` : 'the Accept header allows neither JSON nor MessagePack'),
      422: problemContent('the request does not fit the likelihood, or the operation does not apply'),
      503: problemContent('the published artifact failed its integrity checks'),
    },
  });
  app.openAPIRegistry.registerPath(route);
  const honoPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  declared.push({ ...spec, honoPath });
  return honoPath;
}

/**
 * Declares an operation on `app` and mounts `handler`. The handler gets the validated body
 * (and its JSON text, for digests) and returns the response body, or a Reply with headers.
 */
export function operation<Req extends z.ZodType | undefined, Res extends z.ZodType>(
  app: App,
  declared: DeclaredOperation[],
  spec: OperationSpec<Req, Res>,
  handler: (c: Context<Env>, input: Input<Req>) => Promise<z.input<Res> | Reply<z.input<Res>>>,
): void {
  const body = spec.request ? requestBody(spec.request, spec.example?.body) : undefined;
  const honoPath = declare(app, declared, spec as OperationSpec, { [JSON_TYPE]: { schema: spec.response }, [MSGPACK]: { schema: spec.response } }, body);
  app.on(spec.method.toUpperCase(), honoPath, async (c) => {
    const type = negotiate(c);
    const input = (spec.request ? await readBody(c, spec.request) : {}) as Input<Req>;
    const result = await handler(c, input);
    return result instanceof Reply ? respond(type, result.body, result.headers) : respond(type, result);
  });
}

/**
 * Whether the Accept header allows `type`: no header, the type itself, or a wildcard for its
 * family or for any type (hono's `accepts` answers its default for wildcards, as for no match).
 */
function acceptsMedia(c: Context, type: string): boolean {
  const header = c.req.header('accept');
  if (!header) return true;
  if (accepts(c, { header: 'Accept', supports: [type], default: '' })) return true;
  return accepts(c, { header: 'Accept', supports: ['*/*', `${type.split('/')[0]}/*`], default: '' }) !== '';
}

/** Declares an operation that answers a file of `spec.produces.mediaType`: a GET with validated query parameters, or a POST with a body read as every body is. */
export function fileOperation<Query extends z.ZodObject, Req extends z.ZodType>(
  app: App,
  declared: DeclaredOperation[],
  spec: FileOperationSpec<Query, Req>,
  handler: (c: Context<Env>, input: { query: z.output<Query>; body: z.output<Req>; text: string | null }) => Promise<Reply<Uint8Array | string>>,
): void {
  const method = spec.method ?? 'get';
  const honoPath = declare(app, declared, { ...spec, method }, { [spec.produces.mediaType]: { schema: { type: 'string', format: 'binary' } } }, spec.request ? requestBody(spec.request, spec.example?.body) : undefined);
  app.on(method.toUpperCase(), honoPath, async (c) => {
    if (!acceptsMedia(c, spec.produces.mediaType.split(';')[0])) {
      throw new Problem('not-acceptable', `this endpoint answers ${spec.produces.mediaType}; the Accept header '${c.req.header('accept')}' does not allow it`);
    }
    const parsed = (spec.query ?? z.object({}).strict()).safeParse(c.req.query());
    if (!parsed.success) throw problemFromZod(parsed.error, ['query']);
    const { body, text } = spec.request ? await readBody(c, spec.request) : { body: undefined, text: null };
    const reply = await handler(c, { query: parsed.data as z.output<Query>, body: body as z.output<Req>, text });
    return new Response(reply.body as Uint8Array<ArrayBuffer> | string, { status: 200, headers: { 'content-type': spec.produces.mediaType, ...reply.headers } });
  });
}
