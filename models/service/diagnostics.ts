/**
 * POST /v1/likelihoods/{id}/diagnostics: pulls, impacts, correlations and pre/post-fit yields of
 * the fit to the request's data (models/inference/diagnostics.ts), priced first: a fit, four
 * refits per impact, the yields' derivatives.
 */
import { fitDiagnostics } from '../inference/diagnostics.js';
import { budgeted, CALIBRATION, fewer } from './cost.js';
import { invalidInput, notApplicable } from './errors.js';
import { baseCost, evaluating, requestData, type ServedLikelihood } from './request-data.js';
import type { DiagnosticsRequest, DiagnosticsResponse } from './schemas.js';

export function diagnostics(artifact: ServedLikelihood, request: DiagnosticsRequest): DiagnosticsResponse {
  const { likelihood } = artifact;
  const poi = request.poi ?? likelihood.names[0];
  if (likelihood.indexOf(poi) < 0) throw invalidInput('unknown-parameter', `unknown parameter '${poi}'; the parameters are ${likelihood.names.slice(0, 8).join(', ')}${likelihood.names.length > 8 ? ', …' : ''}`, ['poi']);
  const nuisances = likelihood.parameters.filter((p) => p.kind === 'nuisance' && !p.fixed).map((p) => p.name);
  if (!nuisances.length) throw notApplicable(`'${artifact.manifest.id}' has no nuisance parameters: its fit has nothing to pull, rank or correlate; use /fit`);
  if (Array.isArray(request.impacts)) {
    const unknown = request.impacts.findIndex((name) => !nuisances.includes(name));
    if (unknown >= 0) throw invalidInput('unknown-parameter', `'${request.impacts[unknown]}' is not a free nuisance parameter of '${artifact.manifest.id}'`, ['impacts', unknown]);
  }
  const count = request.impacts === 'all' ? nuisances.length : request.impacts === 'none' ? 0 : request.impacts.length;
  const data = requestData(likelihood, request);
  // the fit with its covariance, four refits per impact near the best fit, the yields' 2n + 2 evaluations
  const cost = baseCost(likelihood, request)
    .coldFit()
    .fits(4 * count, CALIBRATION.impactIterations)
    .evaluations(2 * likelihood.parameters.length + 2, 0);
  return budgeted(cost, fewer('parameters in impacts', Math.max(1, count)), () => evaluating(() => fitDiagnostics(likelihood, data, poi, { impacts: request.impacts })));
}
