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
import { nll, parameterList, ratio } from '../../models/service/evaluate.js';
import { cls, upperLimit } from '../../models/service/hypothesis.js';
import { isLearned, learnedHs3, networkOnnx } from '../../models/service/onnx.js';
import { artifactWorkspace, reinterpret } from '../../models/service/pyhf.js';
import {
  CatalogueResponseSchema,
  ClsRequestSchema,
  ClsResponseSchema,
  FitRequestSchema,
  FitResponseSchema,
  IntervalOrContourResponseSchema,
  IntervalRequestSchema,
  LIMITS,
  NllRequestSchema,
  NllResponseSchema,
  OnnxQuerySchema,
  ParametersResponseSchema,
  RatioRequestSchema,
  RatioResponseSchema,
  ReinterpretRequestSchema,
  ReinterpretResponseSchema,
  UpperLimitRequestSchema,
  UpperLimitResponseSchema,
} from '../../models/service/schemas.js';
import { PyhfWorkspaceSchema, type PyhfWorkspace } from '../../models/pyhf/workspace-schema.js';
import { Hs3DocumentSchema, workspaceToHs3 } from '../../models/pyhf/hs3.js';
import { fileOperation, operation, Reply, type App, type DeclaredOperation, type Env } from '../operation.js';
import { representation } from '../respond.js';

/** Cache headers: a fixed version never changes; "latest" may move. */
export function cacheHeaders(latest: boolean, versioned: boolean): Record<string, string> {
  return { 'cache-control': versioned ? 'public, max-age=31536000, immutable' : latest ? 'public, max-age=60' : 'no-cache' };
}

/** A strong ETag per representation: the JSON and MessagePack bodies of one manifest differ. */
function representationTag(c: Context<Env>, etag: string): string {
  return representation(c) === 'application/msgpack' ? `${etag.slice(0, -1)}+msgpack"` : etag;
}

async function artifactOf(c: Context<Env>): Promise<LoadedArtifact> {
  const store = c.get('store');
  const { id, version } = await store.resolve(c.req.param('id')!);
  return store.load(id, version);
}

/**
 * A binned likelihood written as a document, from its pyhf workspace (the workspace itself, or HS3
 * made from it): cached as the manifest is, its ETag the manifest's (with `variant` for another
 * format), and `X-Observations` saying whether the observations are the published ones.
 */
async function workspaceDocument<T>(c: Context<Env>, write: (workspace: PyhfWorkspace, artifact: LoadedArtifact, spec: string) => T, variant?: string): Promise<Reply<T>> {
  const store = c.get('store');
  const spec = c.req.param('id')!;
  const { id, version, latest } = await store.resolve(spec);
  const [{ etag }, artifact] = await Promise.all([store.manifest(id, version), store.load(id, version)]);
  const { workspace, observations } = artifactWorkspace(artifact, { asimov: true });
  const tag = variant ? etag.replace(/"$/, `+${variant}"`) : etag;
  return new Reply(write(workspace, artifact, `${id}@${version}`), { ...cacheHeaders(latest, spec.includes('@')), etag: representationTag(c, tag), 'x-observations': observations });
}

/** ONNX has no registered media type: a model is served as bytes, with a .onnx file name. */
const ONNX_MEDIA_TYPE = 'application/octet-stream';

const TOY = 'gaussian-toy-truth';
const ATLAS = 'atlas-sbottom-regiona';

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
    path: '/v1/likelihoods/{id}/hs3',
    summary: 'HS3 document',
    description:
      'A likelihood as HS3 (the HEP Statistics Serialization Standard, v0.2, as ROOT and pyhs3 read it). Binned: one histfactory_dist per channel, Gaussian constraints for normsys and histosys parameters and the luminosity, observations, ranges and initial values; exact for models without polynomial parameters, else at θ0, as the pyhf workspace. Learned (unbinned): one `onnx_ratio_dist` per term, an extension of HS3 (see #hs3-onnx below) that points at the ONNX model of its network and carries θ0, σ(θ) and the luminosity, with the observed events as `unbinned` data where published (`X-Observations`: `published` or `none`).',
    response: Hs3DocumentSchema,
    example: { likelihood: ATLAS },
  }, async (c) => {
    const store = c.get('store');
    const spec = c.req.param('id')!;
    const { id, version, latest } = await store.resolve(spec);
    const { manifest, etag } = await store.manifest(id, version);
    if (!isLearned(manifest)) return workspaceDocument(c, (workspace, artifact, name) => workspaceToHs3(workspace, name, { name: 'likelihood-service', version: artifact.manifest.provenance.producer.version }), 'hs3');
    const { document, observations } = await learnedHs3(store, id, version);
    return new Reply(document, { ...cacheHeaders(latest, spec.includes('@')), etag: representationTag(c, etag.replace(/"$/, '+hs3"')), 'x-observations': observations });
  });

  fileOperation(app, declared, {
    path: '/v1/likelihoods/{id}/onnx/{component}',
    summary: 'A network as ONNX',
    description:
      "A frozen network component (the manifest's `components` of kind `network`) as a standard ONNX model, opset 17, for ROOT's RooONNXFunction (SOFIE), SModelS or any onnxruntime: the input scaling, every ensemble member's layers and head, the members on a leading axis and their mean. `output=log-ratio` gives a polynomial term's per-event ln R̂(x|θ, θ0) instead (signal fraction included); `target=roofit` a float32, one-event, one-output model for ROOT's RooONNXFunction. Its metadata names the likelihood, component, sha256 and input order.",
    query: OnnxQuerySchema,
    produces: { mediaType: ONNX_MEDIA_TYPE, description: 'the ONNX model (protobuf)' },
    example: { likelihood: 'dy-smeft-run3', params: { component: 'network' }, query: 'output=log-ratio' },
  }, async (c, query) => {
    const store = c.get('store');
    const spec = c.req.param('id')!;
    const component = c.req.param('component')!;
    const { id, version, latest } = await store.resolve(spec);
    const { etag } = await store.manifest(id, version);
    const { bytes, filename } = await networkOnnx(store, id, version, component, query);
    const variant = `onnx-${component}-${query.output}-${query.target}-${query.precision ?? 'default'}`;
    return new Reply(bytes, { ...cacheHeaders(latest, spec.includes('@')), etag: etag.replace(/"$/, `+${variant}"`), 'content-disposition': `attachment; filename="${filename}"` });
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
    path: '/v1/likelihoods/{id}/fit',
    summary: 'Best fit',
    description: 'The maximum-likelihood estimate with covariance and an honest convergence flag; no numbers when it did not converge.',
    request: FitRequestSchema,
    response: FitResponseSchema,
    example: { likelihood: TOY, body: { data: 'observed' } },
  }, async (c, { body }) => fit(await artifactOf(c), body));

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

  operation(app, declared, {
    method: 'get',
    path: '/v1/likelihoods/{id}/workspace',
    summary: 'pyhf workspace',
    description:
      'A binned likelihood as a pyhf workspace (schema 1.0.0): exact for models without polynomial parameters, else at the reference point θ0. A likelihood that publishes no observed counts gets the Asimov expectation at θ0 as its observations; the `X-Observations` header says which (`published` or `asimov-at-reference`).',
    response: PyhfWorkspaceSchema,
    example: { likelihood: ATLAS },
  }, async (c) => workspaceDocument(c, (workspace) => workspace));
}
