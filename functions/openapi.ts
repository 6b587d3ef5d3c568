/**
 * The OpenAPI 3.1 document, generated from the zod schemas of functions/schemas.ts (request
 * and response bodies) and models/artifact/manifest-schema.ts (the manifest).
 */
import { z } from 'zod';
import { ManifestSchema } from '../models/artifact/manifest-schema.js';
import { problemTitles } from './problem.js';
import {
  CatalogueResponseSchema,
  FitRequestSchema,
  FitResponseSchema,
  IntervalRequestSchema,
  IntervalResponseSchema,
  LIMITS,
  NllRequestSchema,
  NllResponseSchema,
  ProblemSchema,
  RatioRequestSchema,
  RatioResponseSchema,
} from './schemas.js';

const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

export interface Operation {
  method: 'get' | 'post';
  path: string;
  summary: string;
  description: string;
  request?: z.ZodType;
  response: z.ZodType;
  example?: unknown;
}

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/v1/likelihoods', summary: 'Catalogue', description: 'Every published likelihood: id, versions, title, parameters, terms.', response: CatalogueResponseSchema },
  {
    method: 'get',
    path: '/v1/likelihoods/{id}',
    summary: 'Manifest',
    description: 'The manifest of the latest version, or of a fixed one with `{id}@{version}` (immutable, strong ETag, cacheable for a year).',
    response: ManifestSchema,
  },
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/nll',
    summary: 'Negative log-likelihood at many points',
    description: `−ln L at up to ${LIMITS.points} points per request, on observed, Asimov or submitted data, optionally profiling nuisances, with the gradient and the ensemble spread.`,
    request: NllRequestSchema,
    response: NllResponseSchema,
    example: { points: [{ theta: 0.2 }, { theta: 0.5 }], data: 'asimov', at: { theta: 0.4 }, luminosity: 300 },
  },
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/ratio',
    summary: 'Per-event likelihood ratios',
    description: 'ln r(x|θ, θ0) for every submitted event at every point, with the ensemble spread.',
    request: RatioRequestSchema,
    response: RatioResponseSchema,
    example: { events: [[0.3], [1.8]], points: [{ theta: 0.5 }] },
  },
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/fit',
    summary: 'Best fit',
    description: 'The maximum-likelihood estimate with covariance and an honest convergence flag; no numbers when it did not converge.',
    request: FitRequestSchema,
    response: FitResponseSchema,
    example: { data: 'observed' },
  },
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/interval',
    summary: 'Confidence intervals and contours',
    description: 'Profile-likelihood intervals for one parameter (possibly disjoint) or 2-D contours for two, at the requested confidence levels, with the scan used.',
    request: IntervalRequestSchema,
    response: IntervalResponseSchema,
    example: { parameters: ['theta'], cl: [0.68, 0.95], data: 'asimov', luminosity: 3000 },
  },
];

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const problem = { description: 'a problem (RFC 9457)', content: { 'application/problem+json': { schema: json(ProblemSchema, 'output') } } };
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      description: op.description,
      parameters: [{ name: 'id', in: 'path', required: op.path.includes('{id}'), schema: { type: 'string' }, description: 'likelihood id, or id@version' }].filter(() => op.path.includes('{id}')),
      ...(op.request
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: json(op.request, 'input'), ...(op.example ? { example: op.example } : {}) },
                'application/msgpack': { schema: json(op.request, 'input') },
              },
            },
          }
        : {}),
      responses: {
        200: { description: 'success', content: { 'application/json': { schema: json(op.response, 'output') }, 'application/msgpack': {} } },
        400: problem,
        404: problem,
        413: problem,
        415: problem,
        422: problem,
        503: problem,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Likelihood service',
      version: '1',
      description:
        'Published particle-physics likelihoods, evaluated on demand. JSON by default; MessagePack when Content-Type or Accept is application/msgpack. ' +
        `Errors are RFC 9457 problem details with codes: ${Object.keys(problemTitles()).join(', ')}. Limits: body ${LIMITS.bodyBytes} bytes, ${LIMITS.points} points, ${LIMITS.events} events.`,
    },
    paths,
    components: { schemas: { Manifest: json(ManifestSchema, 'output'), Problem: json(ProblemSchema, 'output') } },
  };
}
