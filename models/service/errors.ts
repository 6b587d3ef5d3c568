/**
 * The service's failures, as data: a small discriminated union that routes turn into HTTP
 * problem details with one table, and scripts into messages. Every failure that is the
 * client's (bad input, an operation that does not apply) is one of these; anything else that
 * escapes the service is an internal defect, never reported as the client's.
 *
 * - `invalid-input`: the request does not fit the likelihood; `code` says how, `issues` where
 *   (paths into the service request, the same fields as the HTTP API's body);
 * - `too-costly`: the request is over a cost limit (too many points, events, values);
 * - `not-applicable`: the operation does not apply to this likelihood (CLs on a polynomial
 *   parameter, a pyhf workspace of an unbinned likelihood);
 * - `fit-failed`: no fit could even start (the likelihood is not finite anywhere tried), so
 *   there is no number to report;
 * - `deadline`: an accepted request did more work than its estimate allowed and was stopped;
 * - `not-found`: no such published likelihood, no such version of it, or no such component;
 * - `integrity`: a published artifact failed its checks (sha256, schema) and is refused.
 */

export interface FieldIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

export type InvalidInputCode = 'invalid-request' | 'invalid-combination' | 'unknown-parameter' | 'parameter-out-of-range' | 'invalid-dataset' | 'outside-selection' | 'likelihood-undefined' | 'invalid-workspace' | 'patchset-mismatch';
export type NotFoundCode = 'unknown-likelihood' | 'unknown-version' | 'unknown-component';
export type TooCostlyCode = 'too-many-points' | 'too-many-events' | 'too-costly';

export type ServiceFailure =
  | { kind: 'invalid-input'; code: InvalidInputCode; message: string; issues: FieldIssue[] }
  | { kind: 'too-costly'; code: TooCostlyCode; message: string; issues: FieldIssue[] }
  | { kind: 'not-applicable'; message: string; issues: FieldIssue[] }
  | { kind: 'fit-failed'; message: string; issues: FieldIssue[] }
  | { kind: 'deadline'; message: string; issues: FieldIssue[] }
  | { kind: 'not-found'; code: NotFoundCode; message: string; issues: FieldIssue[] }
  | { kind: 'integrity'; message: string; issues: FieldIssue[] };

export class ServiceError extends Error {
  constructor(readonly failure: ServiceFailure) {
    super(failure.message);
    this.name = 'ServiceError';
  }
}

/** The request does not fit; `path` names the offending field (its issue repeats the message). */
export function invalidInput(code: InvalidInputCode, message: string, path?: (string | number)[], issues?: FieldIssue[]): ServiceError {
  return new ServiceError({ kind: 'invalid-input', code, message, issues: issues ?? (path ? [{ path, message }] : []) });
}

export function tooCostly(code: TooCostlyCode, message: string, path: (string | number)[]): ServiceError {
  return new ServiceError({ kind: 'too-costly', code, message, issues: [{ path, message }] });
}

export function notApplicable(message: string, path?: (string | number)[]): ServiceError {
  return new ServiceError({ kind: 'not-applicable', message, issues: path ? [{ path, message }] : [] });
}

export function fitFailed(message: string): ServiceError {
  return new ServiceError({ kind: 'fit-failed', message, issues: [] });
}

export function deadline(message: string): ServiceError {
  return new ServiceError({ kind: 'deadline', message, issues: [] });
}

export function notFound(code: NotFoundCode, message: string): ServiceError {
  return new ServiceError({ kind: 'not-found', code, message, issues: [] });
}

export function integrity(message: string, issues: FieldIssue[] = []): ServiceError {
  return new ServiceError({ kind: 'integrity', message, issues });
}
