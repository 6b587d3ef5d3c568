/**
 * The OpenAPI 3.1 document, generated from the zod schemas of functions/schemas.ts (request
 * and response bodies) and models/artifact/manifest-schema.ts (the manifest).
 */
import { z } from 'zod';
import { ManifestSchema } from '../models/artifact/manifest-schema.js';
import { PyhfWorkspaceSchema } from '../models/pyhf/workspace-schema.js';
import { problemTitles } from './problem.js';
import {
  CatalogueResponseSchema,
  ClsRequestSchema,
  ClsResponseSchema,
  FitRequestSchema,
  FitResponseSchema,
  InlineClsRequestSchema,
  InlineFitRequestSchema,
  InlineIntervalRequestSchema,
  InlineModelSchema,
  InlineNllRequestSchema,
  InlineReinterpretRequestSchema,
  InlineUpperLimitRequestSchema,
  IntervalRequestSchema,
  IntervalResponseSchema,
  LIMITS,
  NllRequestSchema,
  NllResponseSchema,
  ProblemSchema,
  RatioRequestSchema,
  RatioResponseSchema,
  ReinterpretRequestSchema,
  ReinterpretResponseSchema,
  UpperLimitRequestSchema,
  UpperLimitResponseSchema,
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
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/cls',
    summary: 'CLs at POI values',
    description:
      'Asymptotic CLs (Cowan, Cranmer, Gross, Vitells 2011) for a signal strength — a normfactor of a binned likelihood, μ = 0 background only — with the expected ±1σ/±2σ band, for q̃_μ (default, as pyhf) or q_μ. A result whose fits did not converge carries no numbers.',
    request: ClsRequestSchema,
    response: ClsResponseSchema,
    example: { values: [0.5, 1, 2] },
  },
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/upper-limit',
    summary: 'CLs upper limit',
    description: "The observed and expected (±1σ/±2σ) upper limits on the signal strength at the CLs level (default 0.05: 95% CL), found by root finding within the POI's bounds, with every evaluation made on the way.",
    request: UpperLimitRequestSchema,
    response: UpperLimitResponseSchema,
    example: { level: 0.05 },
  },
  {
    method: 'post',
    path: '/v1/likelihoods/{id}/reinterpret',
    summary: 'Reinterpret a signal',
    description: "New per-bin yields for the signal sample of a binned likelihood (absolute uncertainties of the sample follow the yields, relative ones stay); returns CLs at the requested POI values and the CLs upper limit.",
    request: ReinterpretRequestSchema,
    response: ReinterpretResponseSchema,
    example: { signal: { yields: { SR_meff: [0.1, 0.4, 2.5], CRtt_meff: [0.1, 0.5, 1.0] } }, values: [1] },
  },
  {
    method: 'get',
    path: '/v1/likelihoods/{id}/workspace',
    summary: 'pyhf workspace',
    description:
      'A binned likelihood as a pyhf workspace (schema 1.0.0): exact for models without polynomial parameters, else at the reference point θ0. A likelihood that publishes no observed counts gets the Asimov expectation at θ0 as its observations; the `X-Observations` header says which (`published` or `asimov-at-reference`).',
    response: PyhfWorkspaceSchema,
  },
  ...(
    [
      ['nll', 'Negative log-likelihood of a workspace', InlineNllRequestSchema, NllResponseSchema],
      ['fit', 'Best fit of a workspace', InlineFitRequestSchema, FitResponseSchema],
      ['interval', 'Two-sided profile-likelihood intervals of a workspace', InlineIntervalRequestSchema, IntervalResponseSchema],
      ['cls', 'CLs of a workspace', InlineClsRequestSchema, ClsResponseSchema],
      ['upper-limit', 'CLs upper limit of a workspace', InlineUpperLimitRequestSchema, UpperLimitResponseSchema],
    ] as const
  ).map(
    ([name, summary, request, response]): Operation => ({
      method: 'post',
      path: `/v1/pyhf/${name}`,
      summary,
      description: `As \`/v1/likelihoods/{id}/${name}\`, for a pyhf workspace sent in the body (optionally with a patchset and the patch to apply, its sha256 digest checked as pyhf does, or a JSON Patch); the response adds \`model\`, what was built. Gzip-compressed bodies (Content-Encoding: gzip) are accepted; the limit of ${LIMITS.bodyBytes} bytes applies before and after decompression.`,
      request,
      response: z.object({ ...(response as z.ZodObject).shape, model: InlineModelSchema }),
    }),
  ),
  {
    method: 'post',
    path: '/v1/pyhf/reinterpret',
    summary: 'Reinterpret a signal on a workspace',
    description: 'As `/v1/likelihoods/{id}/reinterpret`, for a pyhf workspace sent in the body: a HEPData background-only workspace gets the signal sample added (with the POI normfactor and the luminosity modifier), a patched one has it replaced.',
    request: InlineReinterpretRequestSchema,
    response: ReinterpretResponseSchema,
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
        `Errors are RFC 9457 problem details with codes: ${Object.keys(problemTitles()).join(', ')}. Bodies may be gzip-compressed (Content-Encoding: gzip). Limits: body ${LIMITS.bodyBytes} bytes (after decompression), ${LIMITS.points} points, ${LIMITS.events} events.`,
    },
    paths,
    components: { schemas: { Manifest: json(ManifestSchema, 'output'), Problem: json(ProblemSchema, 'output') } },
  };
}
