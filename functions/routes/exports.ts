/**
 * The public API, v1: a published likelihood in the formats other tools read — the pyhf
 * workspace, HS3 (binned, or learned with the onnx_ratio_dist extension) and ONNX models of its
 * networks. Each route resolves the artifact and serialises what models/ writes.
 */
import type { Context } from 'hono';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { Hs3DocumentSchema, workspaceToHs3 } from '../../models/pyhf/hs3.js';
import { PyhfWorkspaceSchema, type PyhfWorkspace } from '../../models/pyhf/workspace-schema.js';
import { isLearned, learnedHs3, networkOnnx } from '../../models/service/onnx.js';
import { artifactWorkspace } from '../../models/service/pyhf.js';
import { OnnxQuerySchema } from '../../models/service/schemas.js';
import { fileOperation, operation, Reply, type App, type DeclaredOperation, type Env } from '../operation.js';
import { ATLAS, cacheHeaders, representationTag } from './likelihoods.js';

/** The requested version and what a document made from it carries: the manifest's caching, and its ETag marked with the document's `variant`. */
async function requestedVersion(c: Context<Env>, variant: string | null) {
  const store = c.get('store');
  const spec = c.req.param('id')!;
  const { id, version, latest } = await store.resolve(spec);
  const { manifest, etag } = await store.manifest(id, version);
  return { id, version, manifest, caching: cacheHeaders(latest, spec.includes('@')), etag: variant ? etag.replace(/"$/, `+${variant}"`) : etag };
}

type RequestedVersion = Awaited<ReturnType<typeof requestedVersion>>;

/**
 * A binned likelihood written as a document, from its pyhf workspace (the workspace itself, or HS3
 * made from it): cached as the manifest is, its ETag the manifest's (with the variant for another
 * format), and `X-Observations` saying whether the observations are the published ones.
 */
async function workspaceDocument<T>(c: Context<Env>, requested: RequestedVersion, write: (workspace: PyhfWorkspace, artifact: LoadedArtifact, spec: string) => T): Promise<Reply<T>> {
  const { id, version } = requested;
  const artifact = await c.get('store').load(id, version);
  const { workspace, observations } = artifactWorkspace(artifact, { asimov: true });
  return new Reply(write(workspace, artifact, `${id}@${version}`), { ...requested.caching, etag: representationTag(c, requested.etag), 'x-observations': observations });
}

/** ONNX has no registered media type: a model is served as bytes, with a .onnx file name. */
const ONNX_MEDIA_TYPE = 'application/octet-stream';

export function exportRoutes(app: App, declared: DeclaredOperation[]): void {
  operation(app, declared, {
    method: 'get',
    path: '/v1/likelihoods/{id}/hs3',
    summary: 'HS3 document',
    description:
      'A likelihood as HS3 (the HEP Statistics Serialization Standard, v0.2, as ROOT and pyhs3 read it). Binned: one histfactory_dist per channel, Gaussian constraints for normsys and histosys parameters and the luminosity, observations, ranges and initial values; exact for models without polynomial parameters, else at θ0, as the pyhf workspace. Learned (unbinned): one `onnx_ratio_dist` per term, an extension of HS3 (see #hs3-onnx below) that points at the ONNX model of its network and carries θ0, σ(θ) and the luminosity, with the observed events as `unbinned` data where published (`X-Observations`: `published` or `none`).',
    response: Hs3DocumentSchema,
    example: { likelihood: ATLAS },
  }, async (c) => {
    const requested = await requestedVersion(c, 'hs3');
    if (!isLearned(requested.manifest)) return workspaceDocument(c, requested, (workspace, artifact, name) => workspaceToHs3(workspace, name, { name: 'likelihood-service', version: artifact.manifest.provenance.producer.version }));
    const { document, observations } = await learnedHs3(c.get('store'), requested.id, requested.version);
    return new Reply(document, { ...requested.caching, etag: representationTag(c, requested.etag), 'x-observations': observations });
  });

  fileOperation(app, declared, {
    path: '/v1/likelihoods/{id}/onnx/{component}',
    summary: 'A network as ONNX',
    description:
      "A frozen network component (the manifest's `components` of kind `network`) as a standard ONNX model, opset 17, for ROOT's RooONNXFunction (SOFIE), SModelS or any onnxruntime: the input scaling, every ensemble member's layers and head, the members on a leading axis and their mean. `output=log-ratio` gives a polynomial term's per-event ln R̂(x|θ, θ0) instead (signal fraction included); `target=roofit` a float32, one-event, one-output model for ROOT's RooONNXFunction. Its metadata names the likelihood, component, sha256 and input order.",
    query: OnnxQuerySchema,
    produces: { mediaType: ONNX_MEDIA_TYPE, description: 'the ONNX model (protobuf)' },
    example: { likelihood: 'dy-smeft-run3', params: { component: 'network' }, query: 'output=log-ratio' },
  }, async (c, { query }) => {
    const component = c.req.param('component')!;
    const requested = await requestedVersion(c, `onnx-${component}-${query.output}-${query.target}-${query.precision ?? 'default'}`);
    const { bytes, filename } = await networkOnnx(c.get('store'), requested.id, requested.version, component, query);
    return new Reply(bytes, { ...requested.caching, etag: requested.etag, 'content-disposition': `attachment; filename="${filename}"` });
  });

  operation(app, declared, {
    method: 'get',
    path: '/v1/likelihoods/{id}/workspace',
    summary: 'pyhf workspace',
    description:
      'A binned likelihood as a pyhf workspace (schema 1.0.0): exact for models without polynomial parameters, else at the reference point θ0. A likelihood that publishes no observed counts gets the Asimov expectation at θ0 as its observations; the `X-Observations` header says which (`published` or `asimov-at-reference`).',
    response: PyhfWorkspaceSchema,
    example: { likelihood: ATLAS },
  }, async (c) => workspaceDocument(c, await requestedVersion(c, null), (workspace) => workspace));
}
