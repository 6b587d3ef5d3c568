/**
 * One place where an API operation is declared: its method, path, request and response
 * schemas, summary and example become an OpenAPI route (`createRoute`, registered with the
 * app's OpenAPI registry, from which /openapi.json and /docs are generated), and its handler
 * is mounted behind the service's own body handling. zod-openapi's built-in body validator is
 * not used: it reads JSON bodies without a size limit and knows neither gzip nor MessagePack.
 * Here every body is read with the limits of `readBody`, validated with the same schema the
 * document shows, the Accept header is negotiated before any work, and the handler's result
 * is serialised as JSON or MessagePack.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import type { ArtifactStore } from '../models/service/catalogue.js';
import { BODY_LIMIT, JSON_TYPE, MSGPACK, readBody } from './body.js';
import { ProblemSchema } from './problem.js';
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
  /** a request that works, on the published likelihood `likelihood` (documentation) */
  example?: { likelihood?: string; body?: unknown };
}

/** A response body with the headers it needs (caching, ETag), for handlers that set some. */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly headers: Record<string, string>,
  ) {}
}

type Input<Req> = Req extends z.ZodType ? { body: z.output<Req>; text: string | null } : Record<string, never>;

/** Every operation the app declares, in order: the docs page and 405 answers read it. */
export type DeclaredOperation = OperationSpec & { honoPath: string };

const ID = z.string().meta({ description: 'likelihood id, or id@version for a fixed, immutable version' });

function problemContent(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemSchema } } };
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
  const params = spec.path.includes('{id}') ? z.object({ id: spec.example?.likelihood ? ID.meta({ example: spec.example.likelihood }) : ID }) : undefined;
  const body = spec.request
    ? {
        required: true,
        description: `JSON, or MessagePack (typed arrays for event matrices); gzip-compressed with Content-Encoding: gzip. At most ${BODY_LIMIT} bytes before and after decompression.`,
        content: {
          [JSON_TYPE]: { schema: spec.request, ...(spec.example?.body ? { example: spec.example.body } : {}) },
          [MSGPACK]: { schema: spec.request },
        },
      }
    : undefined;
  const route = createRoute({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
    request: { ...(params ? { params } : {}), ...(body ? { body } : {}) },
    responses: {
      200: { description: 'success', content: { [JSON_TYPE]: { schema: spec.response }, [MSGPACK]: { schema: spec.response } } },
      ...(spec.request ? { 400: problemContent('the body could not be decoded'), 413: problemContent('the body, or the work it asks for, is over a limit'), 415: problemContent('the body is neither JSON nor MessagePack, or its encoding is not gzip') } : {}),
      404: problemContent('no such likelihood or version'),
      406: problemContent('the Accept header allows neither JSON nor MessagePack'),
      422: problemContent('the request does not fit the likelihood, or the operation does not apply'),
      503: problemContent('the published artifact failed its integrity checks'),
    },
  });
  app.openAPIRegistry.registerPath(route);
  const honoPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  declared.push({ ...(spec as OperationSpec), honoPath });
  app.on(spec.method.toUpperCase(), honoPath, async (c) => {
    const type = negotiate(c);
    const input = (spec.request ? await readBody(c, spec.request) : {}) as Input<Req>;
    const result = await handler(c, input);
    return result instanceof Reply ? respond(type, result.body, result.headers) : respond(type, result);
  });
}
