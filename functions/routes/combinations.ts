/**
 * Combinations of published likelihoods (issue 25): the members are combined for the request
 * (models/service/combination.ts) and served by the operations of a single likelihood.
 */
import type { Context } from 'hono';
import { combination } from '../../models/service/combination.js';
import type { ServedLikelihood } from '../../models/service/request-data.js';
import { nll } from '../../models/service/evaluate.js';
import { fit, interval } from '../../models/service/fit.js';
import {
  CombinationFitRequestSchema,
  CombinationIntervalRequestSchema,
  CombinationNllRequestSchema,
  FitResponseSchema,
  IntervalOrContourResponseSchema,
  LIMITS,
  NllResponseSchema,
  type CombinationFields,
} from '../../models/service/schemas.js';
import { operation, type App, type DeclaredOperation, type Env } from '../operation.js';

const MEMBERS = { likelihoods: ['atlas-sbottom-regiona', 'pyhf-2bin-shapesys'], rename: { 'pyhf-2bin-shapesys': { mu: 'mu_SIG' } } };

const HOW = `Parameters of interest with the same name (after \`rename\`) are one parameter; nuisance parameters are each member's own, named \`<id>/<name>\`, unless \`correlate\` names them (their constraint then counted once). Each member's data as for the member alone; at most ${LIMITS.members} members.`;

/** The combination a request names, and the request as the operation on one likelihood takes it (its dataset is the combination's to resolve). */
async function combined<T extends CombinationFields>(c: Context<Env>, body: T): Promise<[ServedLikelihood, Omit<T, 'likelihoods' | 'rename' | 'correlate' | 'data'>]> {
  const { likelihoods, rename, correlate, data, ...request } = body;
  return [await combination(c.get('store'), body), request];
}

export function combinationRoutes(app: App, declared: DeclaredOperation[]): void {
  operation(app, declared, {
    method: 'post',
    path: '/v1/combinations/nll',
    summary: 'Combined negative log-likelihood',
    description: `−ln L of a combination of published likelihoods at up to ${LIMITS.points} points: the sum of the members' −ln L, with gradients and Hessians over the combined parameters. ${HOW}`,
    request: CombinationNllRequestSchema,
    response: NllResponseSchema,
    example: { body: { ...MEMBERS, points: [{ mu_SIG: 0.5 }, { mu_SIG: 1 }], profile: true } },
  }, async (c, { body }) => nll(...(await combined(c, body))));

  operation(app, declared, {
    method: 'post',
    path: '/v1/combinations/fit',
    summary: 'Combined best fit',
    description: `The maximum-likelihood estimate of a combination of published likelihoods, with covariance and an honest convergence flag. ${HOW}`,
    request: CombinationFitRequestSchema,
    response: FitResponseSchema,
    example: { body: MEMBERS },
  }, async (c, { body }) => fit(...(await combined(c, body))));

  operation(app, declared, {
    method: 'post',
    path: '/v1/combinations/interval',
    summary: 'Combined confidence intervals and contours',
    description: `Profile-likelihood intervals or 2-D contours of a combination of published likelihoods. ${HOW}`,
    request: CombinationIntervalRequestSchema,
    response: IntervalOrContourResponseSchema,
    example: { body: { ...MEMBERS, parameters: ['mu_SIG'], cl: [0.68, 0.95] } },
  }, async (c, { body }) => interval(...(await combined(c, body))));
}
