/**
 * pyhf workspaces in requests: the inline endpoints' workspace (optionally patched by one
 * patch of a patchset, its digest checked first, or by a raw JSON Patch) built into an
 * artifact in memory; a published binned artifact exported back to a workspace; and the
 * reinterpretation of a workspace's signal. Every failure of the documents is a 422 problem
 * with the offending field's path.
 */
import { sha256Hex } from '../models/artifact/codec.js';
import { ArtifactError, type LoadedArtifact } from '../models/artifact/load.js';
import { loadWorkspaceArtifact } from '../models/pyhf/artifact.js';
import { exportWorkspace } from '../models/pyhf/export.js';
import { checkPatchSetDigest, findPatch, importWorkspace, PatchSetVerificationError, type ImportedWorkspace } from '../models/pyhf/import.js';
import { applyJsonPatch, JsonPatchError } from '../models/pyhf/json-patch.js';
import { pyhfDigestOfMember } from '../models/pyhf/python-json.js';
import { reinterpretWorkspace, ReinterpretationError } from '../models/pyhf/reinterpret.js';
import { InvalidPyhfDocumentError, parsePatchSet, parseWorkspace, type PyhfPatchSet, type PyhfWorkspace } from '../models/pyhf/workspace-schema.js';
import { InvalidBinnedModelError } from '../models/terms/binned-model-schema.js';
import { countsByChannel, binnedTerms } from '../models/terms/binned-template.js';
import { clsOperation, upperLimitOperation } from './operations.js';
import { Problem } from './problem.js';
import type { ReinterpretRequest, WorkspaceSource } from './schemas.js';

type Patch = { name: string; values: (number | string)[] } | null;

/** A failure of a pyhf document as a 422 problem; `at` is the request field the document came from. */
function pyhfProblem(error: unknown, at: string): unknown {
  if (error instanceof InvalidPyhfDocumentError) {
    const field = error.document === 'patchset' ? 'patchset' : at;
    const errors = error.issues.slice(0, 20).map((i) => ({ path: [field, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message, code: i.code }));
    return new Problem(422, 'invalid-workspace', `invalid pyhf ${error.document}: ${errors[0] ? `at ${errors[0].path.join('.')}: ${errors[0].message}` : ''}`, errors);
  }
  if (error instanceof JsonPatchError) return new Problem(422, 'invalid-workspace', error.message, [{ path: [at === 'workspace' ? 'jsonPatch' : at, error.index], message: error.message }]);
  if (error instanceof PatchSetVerificationError) return new Problem(422, 'patchset-mismatch', error.message, [{ path: ['patchset', 'metadata', 'digests'], message: error.message }]);
  if (error instanceof InvalidBinnedModelError) return new Problem(422, 'invalid-workspace', error.message.replace(/\n/g, ' '), error.issues.slice(0, 20).map((i) => ({ path: [at], message: i.message })));
  if (error instanceof ReinterpretationError) return new Problem(422, 'invalid-request', error.message, [{ path: ['signal', ...error.path], message: error.message }]);
  if (error instanceof ArtifactError) return new Problem(422, 'invalid-workspace', `the workspace cannot be served: ${error.message}`, error.issues.map((i) => ({ path: [at, ...i.path], message: i.message })));
  if (error instanceof RangeError) return new Problem(422, 'invalid-workspace', error.message, [{ path: [at], message: error.message }]);
  return error;
}

function guarded<T>(at: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw pyhfProblem(error, at);
  }
}

/** Checks the patchset's digest of the request's workspace, unless `verify: false`. */
async function verifyDigest(patchset: PyhfPatchSet, source: WorkspaceSource, text: string | null): Promise<void> {
  if (!source.verify) return;
  if (text === null) {
    throw new Problem(422, 'invalid-request', "the patchset's digest can be checked only for a JSON body (MessagePack loses the int/float distinction pyhf's digest depends on): send JSON, or verify: false", [{ path: ['verify'], message: 'needs a JSON body' }]);
  }
  const digest = await pyhfDigestOfMember(text, 'workspace');
  guarded('patchset', () => checkPatchSetDigest(digest, patchset));
}

/**
 * The request's workspace with its patch applied: one patch of `patchset` (named by `patch`,
 * the patchset's digest of the workspace checked first unless `verify: false`) or a raw
 * `jsonPatch`. `text` is the request's JSON text (null for MessagePack), for the digest.
 */
export async function requestWorkspace(source: WorkspaceSource, text: string | null): Promise<{ workspace: PyhfWorkspace; patch: Patch }> {
  if (source.patchset !== undefined && source.jsonPatch !== undefined) throw new Problem(422, 'invalid-request', 'give a patchset and a patch name, or a JSON Patch, not both', [{ path: ['jsonPatch'], message: 'conflicts with patchset' }]);
  if ((source.patchset === undefined) !== (source.patch === undefined)) {
    throw new Problem(422, 'invalid-request', 'a patchset needs the name (or label values) of the patch to apply, and a patch name needs its patchset', [{ path: [source.patchset === undefined ? 'patchset' : 'patch'], message: 'missing' }]);
  }
  const workspace = guarded('workspace', () => parseWorkspace(source.workspace));
  if (source.jsonPatch !== undefined) return { workspace: guarded('jsonPatch', () => parseWorkspace(applyJsonPatch(workspace, source.jsonPatch))), patch: null };
  if (source.patchset === undefined) return { workspace, patch: null };

  const patchset = guarded('patchset', () => parsePatchSet(source.patchset));
  await verifyDigest(patchset, source, text);
  const patch = guarded('patch', () => findPatch(patchset, source.patch!));
  const patched = guarded('patchset', () => parseWorkspace(applyJsonPatch(workspace, patch.patch)));
  return { workspace: patched, patch: { name: patch.metadata.name, values: [...patch.metadata.values] } };
}

// Global fits send the same workspace again and again with different points: the artifacts
// built last are kept per isolate, keyed by the sha256 of everything that determines them.
const INLINE_CACHE_SIZE = 4;
const inlineCache = new Map<string, Promise<{ artifact: LoadedArtifact; model: ReturnType<typeof modelSummary> }>>();

/**
 * The artifact of the request's workspace (patched as `requestWorkspace` says; the patchset's
 * digest is checked on every request), from the per-isolate cache when the same model was
 * built recently.
 */
export async function requestArtifact(source: WorkspaceSource & { poi?: string }, text: string | null): Promise<{ artifact: LoadedArtifact; model: ReturnType<typeof modelSummary> }> {
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify([source.workspace, source.patchset ?? null, source.patch ?? null, source.jsonPatch ?? null, source.measurement ?? null, source.poi ?? null])));
  const hit = inlineCache.get(key);
  if (hit && source.patchset !== undefined) await verifyDigest(guarded('patchset', () => parsePatchSet(source.patchset)), source, text); // the check stands
  if (hit) {
    inlineCache.delete(key);
    inlineCache.set(key, hit);
    return hit;
  }
  const built = requestWorkspace(source, text).then(({ workspace, patch }) => inlineArtifact(workspace, { measurement: source.measurement, poi: source.poi, patch }));
  inlineCache.set(key, built);
  built.catch(() => inlineCache.delete(key));
  while (inlineCache.size > INLINE_CACHE_SIZE) inlineCache.delete(inlineCache.keys().next().value!);
  return built;
}

/** The artifact of a workspace sent with a request, and what the response says about it. */
export async function inlineArtifact(workspace: PyhfWorkspace, options: { measurement?: string | number; poi?: string; patch?: Patch }): Promise<{ artifact: LoadedArtifact; model: ReturnType<typeof modelSummary> }> {
  const imported = guarded('workspace', () => importWorkspace(workspace, { measurement: options.measurement, ...(options.poi !== undefined ? { poi: options.poi } : {}) }));
  if (imported.poi === null) throw new Problem(422, 'invalid-workspace', "the workspace's measurement has no POI: name the signal strength with `poi`", [{ path: ['poi'], message: 'missing' }]);
  let artifact: LoadedArtifact;
  try {
    artifact = await loadWorkspaceArtifact(imported, {
      id: 'inline',
      version: '0.0.0',
      title: 'pyhf workspace sent with the request',
      description: '',
      provenance: { createdAt: new Date().toISOString(), producer: { name: 'likelihood-service', version: 'inline' }, versions: {} },
    });
  } catch (error) {
    throw pyhfProblem(error, 'workspace');
  }
  return { artifact, model: modelSummary(imported, artifact, options.patch ?? null) };
}

function modelSummary(imported: ImportedWorkspace, artifact: LoadedArtifact, patch: Patch) {
  const [term] = binnedTerms(artifact.likelihood);
  return { measurement: imported.measurement, poi: imported.poi!, patch, channels: term.channels.length, bins: term.totalBins, parameters: artifact.likelihood.parameters.length, warnings: imported.warnings };
}

/**
 * A published binned artifact as a pyhf workspace (exact where the model has no polynomial
 * parameters; else at the reference point θ0), with its measurement's POI and observations.
 * An artifact that publishes no observed counts is written, with `asimov`, with the Asimov
 * expectation at θ0 as its observations (`observations` says which); without, it is refused.
 */
export function artifactWorkspace(artifact: LoadedArtifact, options: { asimov?: boolean } = {}): PyhfWorkspace {
  return artifactWorkspaceWithSource(artifact, options).workspace;
}

export function artifactWorkspaceWithSource(artifact: LoadedArtifact, options: { asimov?: boolean } = {}): { workspace: PyhfWorkspace; observations: 'published' | 'asimov-at-reference' } {
  const binned = binnedTerms(artifact.likelihood);
  const unbinned = artifact.likelihood.terms.length - binned.length;
  if (unbinned || binned.length !== 1) throw new Problem(422, 'not-applicable', `only a likelihood of one binned term can be written as a pyhf workspace; '${artifact.manifest.id}' has ${unbinned} unbinned and ${binned.length} binned terms`);
  const [term] = binned;
  const { spec: model, observations } = term;
  let counts = observations;
  if (!counts) {
    if (!options.asimov) throw new Problem(422, 'not-applicable', `'${artifact.manifest.id}' publishes no observed counts, which this operation needs`);
    const expected = term.expected(artifact.likelihood.initial(), artifact.likelihood.termIndex(term));
    counts = countsByChannel(term.channels, expected);
  }
  const workspace = guarded('workspace', () => exportWorkspace(model, counts!, artifact.manifest.parameters[0].name));
  return { workspace, observations: observations ? 'published' : 'asimov-at-reference' };
}

/** The POI a reinterpretation scales the signal with, and the signal sample it names or implies. */
function signalSample(workspace: PyhfWorkspace, poi: string, sample: string | undefined): string {
  if (sample !== undefined) return sample;
  const carriers = new Set(workspace.channels.flatMap((c) => c.samples.filter((s) => s.modifiers.some((m) => m.type === 'normfactor' && m.name === poi)).map((s) => s.name)));
  if (carriers.size !== 1) {
    throw new Problem(422, 'invalid-request', `name the signal sample: ${carriers.size ? `the POI '${poi}' scales ${[...carriers].join(', ')}` : `no sample carries the POI '${poi}' yet`}`, [{ path: ['signal', 'sample'], message: 'missing' }]);
  }
  return [...carriers][0];
}

/**
 * Reinterpretation (`models/pyhf/reinterpret.ts`): the signal sample's yields replaced, then
 * CLs at the requested POI values and the CLs upper limit, on the workspace's observed data.
 */
export async function reinterpretOperation(workspace: PyhfWorkspace, request: ReinterpretRequest & { measurement?: string | number }) {
  const measurement = guarded('workspace', () => importWorkspace(workspace, { measurement: request.measurement, poi: null })).measurement;
  const poi = request.poi ?? workspace.measurements.find((m) => m.name === measurement)!.config.poi;
  if (!poi) throw new Problem(422, 'invalid-request', "the measurement has no POI: name the signal's normfactor with `poi`", [{ path: ['poi'], message: 'missing' }]);
  const sample = signalSample(workspace, poi, request.signal.sample);
  const { workspace: reinterpreted, warnings } = guarded('workspace', () => reinterpretWorkspace(workspace, { sample, yields: request.signal.yields, poi }));
  const { artifact, model } = await inlineArtifact(reinterpreted, { measurement, poi });
  const common = { poi, testStatistic: request.testStatistic };
  return {
    poi,
    sample,
    warnings: [...model.warnings, ...warnings],
    cls: clsOperation(artifact, { ...common, values: request.values }),
    upperLimit: upperLimitOperation(artifact, { ...common, level: request.level }),
  };
}
