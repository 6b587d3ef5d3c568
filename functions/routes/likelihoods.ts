/**
 * The public API, v1 (DESIGN.md "The public HTTP API"), for published likelihoods: each route
 * resolves the artifact, hands the validated body to the service (models/service) and
 * serialises what it returns. Nothing statistical happens here.
 */
import type { Context } from 'hono';
import { ManifestSchema } from '../../models/artifact/manifest-schema.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { listCatalogue } from '../../models/service/catalogue.js';
import { interval, fit } from '../../models/service/fit.js';
import { nll, parameterList, ratio, reweight } from '../../models/service/evaluate.js';
import { cls, upperLimit } from '../../models/service/hypothesis.js';
import { posterior } from '../../models/service/posterior.js';
import { density } from '../../models/service/density.js';
import { diagnostics } from '../../models/service/diagnostics.js';
import { artifactWorkspace, reinterpret } from '../../models/service/pyhf.js';
import {
  CatalogueResponseSchema,
  DensityRequestSchema,
  DensityResponseSchema,
  ClsRequestSchema,
  ClsResponseSchema,
  DiagnosticsRequestSchema,
  DiagnosticsResponseSchema,
  FitRequestSchema,
  FitResponseSchema,
  IntervalOrContourResponseSchema,
  IntervalRequestSchema,
  LIMITS,
  NllRequestSchema,
  NllResponseSchema,
  ParametersResponseSchema,
  PosteriorRequestSchema,
  PosteriorResponseSchema,
  RatioRequestSchema,
  RatioResponseSchema,
  ReinterpretRequestSchema,
  ReinterpretResponseSchema,
  ReweightRequestSchema,
  ReweightResponseSchema,
  UpperLimitRequestSchema,
  UpperLimitResponseSchema,
} from '../../models/service/schemas.js';
import { operation, Reply, type App, type DeclaredOperation, type Env } from '../operation.js';
import { representation } from '../respond.js';

/** Cache headers: a fixed version never changes; "latest" may move. */
export function cacheHeaders(latest: boolean, versioned: boolean): Record<string, string> {
  return { 'cache-control': versioned ? 'public, max-age=31536000, immutable' : latest ? 'public, max-age=60' : 'no-cache' };
}

/** A strong ETag per representation: the JSON and MessagePack bodies of one manifest differ. */
export function representationTag(c: Context<Env>, etag: string): string {
  return representation(c) === 'application/msgpack' ? `${etag.slice(0, -1)}+msgpack"` : etag;
}

async function artifactOf(c: Context<Env>): Promise<LoadedArtifact> {
  const store = c.get('store');
  const { id, version } = await store.resolve(c.req.param('id')!);
  return store.load(id, version);
}

const TOY = 'gaussian-toy-truth';
export const ATLAS = 'atlas-sbottom-regiona';

export function likelihoodRoutes(app: App, declared: DeclaredOperation[]): void {
  operation(app, declared, { method: 'get', path: '/v1/likelihoods', summary: 'Catalogue', description: 'Every published likelihood: id, versions, title, parameters, observables, terms, luminosity and links; a broken one is listed as unavailable, with why.', response: CatalogueResponseSchema }, async (c) => {
    const items = await listCatalogue(c.get('store'));
    return { likelihoods: items.map((item) => ('entry' in item ? item.entry : { id: item.unavailable.id, latest: item.unavailable.latest, versions: item.unavailable.versions, unavailable: item.unavailable.message })) };
  });

  operation(app, declared, { method: 'get', path: '/v1/likelihoods/{id}', summary: 'Manifest', description: 'The manifest of the latest version, or of a fixed one with `{id}@{version}` (immutable, strong ETag, cacheable for a year).', response: ManifestSchema, example: { likelihood: TOY } }, async (c) => {
    const store = c.get('store');
    const spec = c.req.param('id')!;
    const { id, version, latest } = await store.resolve(spec);
    const { manifest, etag } = await store.manifest(id, version);
    return new Reply(manifest, { ...cacheHeaders(latest, spec.includes('@')), etag: representationTag(c, etag) });
  });

  operation(app, declared, {
    method: 'get',
    path: '/v1/likelihoods/{id}/parameters',
    summary: 'Every parameter',
    description: 'Every parameter in the order of the full vector (the parameters of interest, then the nuisance parameters) with its nominal value, allowed range, and constraint: the names `nll` points may set.',
    response: ParametersResponseSchema,
    example: { likelihood: ATLAS },
  }, async (c) => parameterList(await artifactOf(c)));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/nll',
    summary: 'Negative log-likelihood at many points',
    description: `−ln L at up to ${LIMITS.points} points per request, on observed, Asimov or submitted data, optionally profiling nuisances, with the gradient and the ensemble spread.`,
    request: NllRequestSchema,
    response: NllResponseSchema,
    example: { likelihood: TOY, body: { points: [{ theta: 0.2 }, { theta: 0.5 }], data: 'asimov', at: { theta: 0.4 }, luminosity: 300 } },
  }, async (c, { body }) => nll(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/ratio',
    summary: 'Per-event likelihood ratios',
    description: 'ln r(x|θ, θ0) for every submitted event at every point, with the ensemble spread.',
    request: RatioRequestSchema,
    response: RatioResponseSchema,
    example: { likelihood: TOY, body: { events: [[0.3], [1.8]], points: [{ theta: 0.5 }] } },
  }, async (c, { body }) => ratio(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/reweight',
    summary: 'Per-event weights to another θ',
    description: 'w(x|θ) = p(x|θ)/p(x|θ0) for every submitted event at every point, normalised so that the published reference sample at θ0 has mean weight 1, with the spread of the members’ weights: reweights a sample simulated at θ0 to θ (seed 004, DCTR).',
    request: ReweightRequestSchema,
    response: ReweightResponseSchema,
    example: { likelihood: TOY, body: { events: [[0.3], [1.8]], points: [{ theta: 0.5 }] } },
  }, async (c, { body }) => reweight(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/posterior',
    summary: 'Posterior of one parameter',
    description: 'p(θ | data) ∝ L(θ) with a uniform prior on a range (default the allowed range), on a grid, with its mode and highest-posterior-density regions, disjoint where the posterior is multimodal (seed 002). For likelihoods of one free parameter.',
    request: PosteriorRequestSchema,
    response: PosteriorResponseSchema,
    example: { likelihood: TOY, body: { points: 201, cl: [0.68, 0.95] } },
  }, async (c, { body }) => posterior(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/density',
    summary: 'A published density at points',
    description: 'The density a likelihood publishes beside its terms (eeec-top-mass: the EEEC surrogate of seed 002, a density of (ζ1, ζ2, ζ3) at m_t) at submitted points, per unit of each variable; points outside its region are refused.',
    request: DensityRequestSchema,
    response: DensityResponseSchema,
    example: { likelihood: 'eeec-top-mass', body: { points: [{ zeta1: 0.015, zeta2: 0.02, zeta3: 0.03, mt: 172.5 }] } },
  }, async (c, { body }) => density(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/fit',
    summary: 'Best fit',
    description: 'The maximum-likelihood estimate with covariance and an honest convergence flag; no numbers when it did not converge.',
    request: FitRequestSchema,
    response: FitResponseSchema,
    example: { likelihood: TOY, body: { data: 'observed' } },
  }, async (c, { body }) => fit(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/diagnostics',
    summary: 'Fit diagnostics',
    description: 'Pulls and constraints of the nuisance parameters, their impacts on the parameter of interest (pre- and post-fit ±1σ, refitted, ranked as cabinetry and CMS Combine do), the correlation matrix, and the yields per binned channel before and after the fit with their 1σ bands, from the fit to the data.',
    request: DiagnosticsRequestSchema,
    response: DiagnosticsResponseSchema,
    example: { likelihood: ATLAS, body: { impacts: ['lumi', 'mu_ttbar', 'ttbar_Gen'] } },
  }, async (c, { body }) => diagnostics(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/interval',
    summary: 'Confidence intervals and contours',
    description: 'Profile-likelihood intervals for one parameter (possibly disjoint) or 2-D contours for two, at the requested confidence levels, with the scan used.',
    request: IntervalRequestSchema,
    response: IntervalOrContourResponseSchema,
    example: { likelihood: TOY, body: { parameters: ['theta'], cl: [0.68, 0.95], data: 'asimov', luminosity: 3000 } },
  }, async (c, { body }) => interval(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/cls',
    summary: 'CLs at POI values',
    description:
      'Asymptotic CLs (Cowan, Cranmer, Gross, Vitells 2011) for a signal strength — a normfactor of a binned likelihood, μ = 0 background only — with the expected ±1σ/±2σ band, for q̃_μ (default, as pyhf) or q_μ. A result whose fits did not converge carries no numbers.',
    request: ClsRequestSchema,
    response: ClsResponseSchema,
    example: { likelihood: ATLAS, body: { values: [0.5, 1, 2] } },
  }, async (c, { body }) => cls(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/upper-limit',
    summary: 'CLs upper limit',
    description: "The observed and expected (±1σ/±2σ) upper limits on the signal strength at the CLs level (default 0.05: 95% CL), found by root finding within the POI's bounds, with every evaluation made on the way.",
    request: UpperLimitRequestSchema,
    response: UpperLimitResponseSchema,
    example: { likelihood: ATLAS, body: { level: 0.05 } },
  }, async (c, { body }) => upperLimit(await artifactOf(c), body));

  operation(app, declared, {
    method: 'post',
    path: '/v1/likelihoods/{id}/reinterpret',
    summary: 'Reinterpret a signal',
    description: 'New per-bin yields for the signal sample of a binned likelihood (absolute uncertainties of the sample follow the yields, relative ones stay); returns CLs at the requested POI values and the CLs upper limit.',
    request: ReinterpretRequestSchema,
    response: ReinterpretResponseSchema,
    example: { likelihood: ATLAS, body: { signal: { yields: { SR_meff: [0.1, 0.4, 2.5], CRtt_meff: [0.1, 0.5, 1.0] } }, values: [1] } },
  }, async (c, { body }) => reinterpret(artifactWorkspace(await artifactOf(c)).workspace, body));
}
