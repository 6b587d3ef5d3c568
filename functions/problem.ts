/**
 * RFC 9457 problem details. Every error the service returns is one of these, with a stable
 * `code`, the HTTP status, a human-readable `detail`, and for validation errors the list of
 * offending fields (`errors[].path`), derived from structured issues (as zod does). The
 * service's failures become problems through one table (`problemOf`); an error that is not a
 * service failure is an internal error, never reported as the client's.
 */
import { z } from 'zod';
import type { FieldIssue, ServiceFailure } from '../models/service/errors.js';

/** Every problem code, its HTTP status and its title: the documented list, each raised somewhere. */
export const PROBLEMS = {
  'invalid-request': [422, 'The request does not match the schema'],
  'malformed-body': [400, 'The request body could not be decoded'],
  'unsupported-media-type': [415, 'Unsupported request media type'],
  'not-acceptable': [406, 'No acceptable response media type'],
  'payload-too-large': [413, 'The request body is too large'],
  'too-many-points': [413, 'Too many parameter points in one request'],
  'too-many-events': [413, 'Too many events in one dataset'],
  'too-costly': [422, 'The request would cost more than one request may'],
  'unknown-likelihood': [404, 'No such likelihood'],
  'unknown-version': [404, 'No such version of this likelihood'],
  'unknown-component': [404, 'This likelihood publishes no such component'],
  'unknown-parameter': [422, 'Unknown parameter'],
  'parameter-out-of-range': [422, 'A parameter lies outside its allowed range'],
  'invalid-dataset': [422, 'The dataset does not fit this likelihood'],
  'outside-selection': [422, 'Events lie outside the selection this likelihood describes'],
  'likelihood-undefined': [422, 'The likelihood is undefined at the requested point'],
  'fit-failed': [422, 'No fit could be made'],
  'not-applicable': [422, 'The operation does not apply to this likelihood'],
  'invalid-workspace': [422, 'The pyhf workspace, patchset or patch is invalid'],
  'patchset-mismatch': [422, 'The patchset was not made for this workspace'],
  'invalid-combination': [422, 'The likelihoods cannot be combined as requested'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  'not-implemented': [501, 'Method not implemented'],
  'malformed-request': [400, 'The request is not valid HTTP'],
  'headers-too-large': [431, 'Request header fields too large'],
  'request-timeout': [408, 'The request was not received in time'],
  'artifact-unavailable': [503, 'The published artifact cannot be served'],
  'deadline-exceeded': [503, 'The computation was stopped at its work limit'],
  'internal-error': [500, 'Internal error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemCode = keyof typeof PROBLEMS;

export const ProblemSchema = z.object({
  type: z.string().meta({ description: 'where the code is documented' }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]),
  errors: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string().optional() })).optional().meta({ description: 'the offending fields' }),
  instance: z.string().optional(),
  requestId: z.string().optional().meta({ description: 'for an internal error: the id its log line carries, to quote when reporting it' }),
});

export type ProblemBody = z.infer<typeof ProblemSchema>;

export class Problem extends Error {
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldIssue[],
    /** response headers the problem needs (Allow for a 405) */
    readonly headers: Record<string, string> = {},
    /** an internal error's id in the log */
    readonly requestId?: string,
  ) {
    super(detail);
    this.name = 'Problem';
    this.status = PROBLEMS[code][0];
  }

  body(instance?: string): ProblemBody {
    return {
      type: `/docs#problem-${this.code}`,
      title: PROBLEMS[this.code][1],
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...(instance ? { instance } : {}),
      ...(this.requestId ? { requestId: this.requestId } : {}),
    };
  }
}

/** An internal error: logged with a fresh id, which the problem document carries (nothing else of it reaches the client). */
export function internalError(error: unknown): Problem {
  const requestId = crypto.randomUUID();
  console.error(`internal error ${requestId}:`, error);
  return new Problem('internal-error', `an unexpected error occurred; it has been logged as ${requestId}`, undefined, {}, requestId);
}

/** The service's failure as a problem: the one table from failure to HTTP. */
export function problemOf(failure: ServiceFailure): Problem {
  const issues = failure.issues.length ? failure.issues : undefined;
  switch (failure.kind) {
    case 'invalid-input':
    case 'too-costly':
    case 'not-found':
      return new Problem(failure.code, failure.message, issues);
    case 'not-applicable':
      return new Problem('not-applicable', failure.message, issues);
    case 'fit-failed':
      return new Problem('fit-failed', failure.message, issues);
    case 'deadline':
      return new Problem('deadline-exceeded', failure.message, issues, { 'retry-after': '60' });
    case 'integrity':
      return new Problem('artifact-unavailable', failure.message, issues);
  }
}

/** Lists over a documented count limit have their own code (413): the client sent too much, not something malformed. */
const COUNT_LIMITS: Record<string, ProblemCode> = { points: 'too-many-points', values: 'too-many-points' };

/** A 422 from zod issues, or the count limit's 413; the detail names the first offending field. */
export function problemFromZod(error: z.ZodError, prefix: (string | number)[] = []): Problem {
  const tooMany = error.issues.find((i) => i.code === 'too_big' && i.origin === 'array' && i.path.length === 1 && typeof i.path[0] === 'string' && COUNT_LIMITS[i.path[0]]);
  if (tooMany?.code === 'too_big') {
    const field = tooMany.path[0] as string;
    return new Problem(COUNT_LIMITS[field], `${field}: at most ${tooMany.maximum} per request; split the request`, [{ path: [...prefix, field], message: tooMany.message, code: tooMany.code }]);
  }
  const errors = error.issues.slice(0, 20).map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
    code: issue.code,
  }));
  const first = errors[0];
  const where = first.path.length ? `at ${first.path.join('.')}: ` : '';
  return new Problem('invalid-request', `${where}${first.message}`, errors);
}
