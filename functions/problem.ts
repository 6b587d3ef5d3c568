/**
 * RFC 9457 problem details. Every error the service returns is one of these, with a
 * stable `code`, the HTTP status, a human-readable `detail`, and for validation errors the
 * list of offending fields (`errors[].path`), derived from structured issues (as zod does).
 */
import type { z } from 'zod';

export type ProblemCode =
  | 'invalid-request'
  | 'malformed-body'
  | 'unsupported-media-type'
  | 'not-acceptable'
  | 'payload-too-large'
  | 'too-many-points'
  | 'too-many-events'
  | 'unknown-likelihood'
  | 'unknown-version'
  | 'unknown-parameter'
  | 'invalid-dataset'
  | 'likelihood-undefined'
  | 'fit-failed'
  | 'not-applicable'
  | 'invalid-workspace'
  | 'patchset-mismatch'
  | 'not-found'
  | 'method-not-allowed'
  | 'artifact-unavailable'
  | 'internal-error';

const TITLES: Record<ProblemCode, string> = {
  'invalid-request': 'The request does not match the schema',
  'malformed-body': 'The request body could not be decoded',
  'unsupported-media-type': 'Unsupported request media type',
  'not-acceptable': 'No acceptable response media type',
  'payload-too-large': 'The request body is too large',
  'too-many-points': 'Too many parameter points in one request',
  'too-many-events': 'Too many events in one dataset',
  'unknown-likelihood': 'No such likelihood',
  'unknown-version': 'No such version of this likelihood',
  'unknown-parameter': 'Unknown parameter',
  'invalid-dataset': 'The dataset does not fit this likelihood',
  'likelihood-undefined': 'The likelihood is undefined at the requested point',
  'fit-failed': 'The fit did not converge',
  'not-applicable': 'The operation does not apply to this likelihood',
  'invalid-workspace': 'The pyhf workspace, patchset or patch is invalid',
  'patchset-mismatch': 'The patchset was not made for this workspace',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'artifact-unavailable': 'The published artifact cannot be served',
  'internal-error': 'Internal error',
};

export interface ProblemField {
  path: (string | number)[];
  message: string;
  code?: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: ProblemField[];
  instance?: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: ProblemField[],
  ) {
    super(detail);
    this.name = 'Problem';
  }

  body(instance?: string): ProblemBody {
    return {
      type: `/docs#problem-${this.code}`,
      title: TITLES[this.code],
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...(instance ? { instance } : {}),
    };
  }
}

/** A 422 from zod issues; the detail names the first offending field. */
export function problemFromZod(error: z.ZodError, prefix: (string | number)[] = []): Problem {
  const errors = error.issues.slice(0, 20).map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
    code: issue.code,
  }));
  const first = errors[0];
  const where = first.path.length ? `at ${first.path.join('.')}: ` : '';
  return new Problem(422, 'invalid-request', `${where}${first.message}`, errors);
}

export function problemTitles(): Readonly<Record<ProblemCode, string>> {
  return TITLES;
}
