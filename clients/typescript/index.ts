/**
 * A TypeScript client for the likelihood service's HTTP API (v1): fetch-based (Node ≥ 18,
 * browsers, Workers), with the request and response types of the service's own zod schemas.
 *
 *     const service = likelihoodService({ base: 'http://localhost:8787' });
 *     const tttt = service.likelihood('tttt-yukawa');
 *     const { nll } = await tttt.nll({ points: [{ Yt: 1 }, { Yt: 1.5 }] });
 *     const { intervals } = await tttt.interval({ parameters: ['Yt'], cl: [0.68, 0.95] });
 *     const both = service.combine({ likelihoods: ['gaussian-toy-truth', 'tttt-yukawa'] });
 *
 * Failures are `ServiceError`s carrying the problem details (status, code, detail, errors);
 * requests that failed for the server's reasons (network errors, 429, 502, 503, 504) are retried
 * with exponential backoff, never those the client must change.
 */
import type { z } from 'zod';
import type {
  ClsRequestSchema,
  ClsResponseSchema,
  CombinationFitRequestSchema,
  CombinationIntervalRequestSchema,
  CombinationNllRequestSchema,
  FitRequestSchema,
  FitResponseSchema,
  IntervalOrContourResponseSchema,
  IntervalRequestSchema,
  NllRequestSchema,
  NllResponseSchema,
  ParametersResponseSchema,
  UpperLimitRequestSchema,
  UpperLimitResponseSchema,
} from '../../models/service/schemas.js';
import type { Manifest } from '../../models/artifact/manifest-schema.js';

type In<S extends z.ZodType> = z.input<S>;
type Out<S extends z.ZodType> = z.output<S>;
type Members = Pick<In<typeof CombinationNllRequestSchema>, 'likelihoods' | 'rename' | 'correlate'>;

export interface ClientOptions {
  /** the service's origin (default http://localhost:8787) */
  base?: string;
  /** retries of a request that failed for the server's reasons (default 3) */
  retries?: number;
  /** the first retry's wait, doubled at each (default 500 ms; a Retry-After header wins) */
  backoffMs?: number;
  fetch?: typeof fetch;
}

/** A problem-details answer (RFC 9457) of the service, or a server that could not be reached (status 0). */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { path: (string | number)[]; message: string }[] = [],
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ServiceError';
  }
}

const RETRY = new Set([429, 502, 503, 504]);

export function likelihoodService(options: ClientOptions = {}) {
  const base = (options.base ?? 'http://localhost:8787').replace(/\/$/, '');
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  const fetchImpl = options.fetch ?? fetch;

  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetchImpl(`${base}${path}`, { method, headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (error) {
        if (attempt < retries) {
          await sleep(backoff * 2 ** attempt);
          continue;
        }
        throw new ServiceError(0, 'unreachable', `${base}${path}: ${(error as Error).message}`);
      }
      if (response.ok) return (await response.json()) as T;
      if (RETRY.has(response.status) && attempt < retries) {
        const after = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? 1000 * after : backoff * 2 ** attempt);
        continue;
      }
      const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string; errors?: ServiceError['errors'] };
      throw new ServiceError(response.status, problem.code ?? 'http-error', problem.detail ?? response.statusText, problem.errors);
    }
  }

  return {
    /** A published likelihood, by id or id@version. */
    likelihood(id: string) {
      const post = <T>(operation: string, body: unknown) => request<T>('POST', `/v1/likelihoods/${id}/${operation}`, body);
      return {
        manifest: () => request<Manifest>('GET', `/v1/likelihoods/${id}`),
        parameters: () => request<Out<typeof ParametersResponseSchema>>('GET', `/v1/likelihoods/${id}/parameters`),
        nll: (body: In<typeof NllRequestSchema>) => post<Out<typeof NllResponseSchema>>('nll', body),
        fit: (body: In<typeof FitRequestSchema> = {}) => post<Out<typeof FitResponseSchema>>('fit', body),
        interval: (body: In<typeof IntervalRequestSchema>) => post<Out<typeof IntervalOrContourResponseSchema>>('interval', body),
        cls: (body: In<typeof ClsRequestSchema>) => post<Out<typeof ClsResponseSchema>>('cls', body),
        upperLimit: (body: In<typeof UpperLimitRequestSchema> = {}) => post<Out<typeof UpperLimitResponseSchema>>('upper-limit', body),
        /** ln L at one point, as a global fit calls it */
        logl: async (point: Record<string, number>) => -(await post<Out<typeof NllResponseSchema>>('nll', { points: [point], memberSpread: false })).nll[0],
      };
    },
    /** A combination of published likelihoods, made by the service at each request. */
    combine(members: Members) {
      const post = <T>(operation: string, body: object) => request<T>('POST', `/v1/combinations/${operation}`, { ...members, ...body });
      return {
        nll: (body: Omit<In<typeof CombinationNllRequestSchema>, keyof Members>) => post<Out<typeof NllResponseSchema>>('nll', body),
        fit: (body: Omit<In<typeof CombinationFitRequestSchema>, keyof Members> = {}) => post<Out<typeof FitResponseSchema>>('fit', body),
        interval: (body: Omit<In<typeof CombinationIntervalRequestSchema>, keyof Members>) => post<Out<typeof IntervalOrContourResponseSchema>>('interval', body),
      };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
