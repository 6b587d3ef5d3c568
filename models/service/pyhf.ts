/**
 * pyhf workspaces in the service: a workspace sent with a request (optionally patched by one
 * patch of a patchset, its sha256 digest checked first as pyhf does, or by a raw JSON Patch)
 * built into the same artifact `import` publishes, in memory, and kept for the next requests
 * with the same model; a published binned artifact exported back to a workspace; and the
 * reinterpretation of a workspace's signal with new yields. Every failure of the documents is
 * invalid input naming the offending field.
 */
import { sha256Hex } from '../artifact/codec.js';
import { ArtifactError, type LoadedArtifact } from '../artifact/load.js';
import { loadWorkspaceArtifact } from '../pyhf/artifact.js';
import { applyJsonPatch, JsonPatchError } from '../pyhf/json-patch.js';
import { checkPatchSetDigest, findPatch, importWorkspace, PatchSetVerificationError, type ImportedWorkspace } from '../pyhf/import.js';
import { exportWorkspace } from '../pyhf/export.js';
import { InvalidPyhfDocumentError, parsePatchSet, PyhfModelError, parseWorkspace, type PyhfPatchSet, type PyhfWorkspace } from '../pyhf/workspace-schema.js';
import { pyhfDigest, pyhfDigestOfMember } from '../pyhf/python-json.js';
import { reinterpretWorkspace, ReinterpretationError } from '../pyhf/reinterpret.js';
import { InvalidBinnedModelError } from '../terms/binned/schema.js';
import { binnedTerms } from '../terms/binned/term.js';
import { countsByChannel } from '../terms/binned/data.js';
import { LruCache } from './cache.js';
import { withinBudget } from './cost.js';
import { analyse, type Analysis } from './page-analysis.js';
import { invalidInput, notApplicable, tooCostly } from './errors.js';
import { cls, upperLimit } from './hypothesis.js';
import { ClsRequestSchema, LIMITS, type InlineModel, type ReinterpretRequest, type ReinterpretResponse, type WorkspaceSource } from './schemas.js';

type Patch = { name: string; values: (number | string)[] } | null;

/**
 * The JSON text a workspace came in, for pyhf's digest (which tells 1.0 from 1, so it needs the
 * text itself): the whole text, or the member `workspace` of a request's body. Null for a
 * workspace that came without its text (MessagePack).
 */
export type WorkspaceText = { text: string; member?: 'workspace' } | null;

/** A failure of a pyhf document as invalid input; `at` is the request field the document came from. */
function documentError(error: unknown, at: string): unknown {
  if (error instanceof InvalidPyhfDocumentError) {
    const field = error.document === 'patchset' ? 'patchset' : at;
    const issues = error.issues.slice(0, 20).map((i) => ({ path: [field, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message, code: i.code }));
    return invalidInput('invalid-workspace', `invalid pyhf ${error.document}: ${issues[0] ? `at ${issues[0].path.join('.')}: ${issues[0].message}` : ''}`, undefined, issues);
  }
  if (error instanceof JsonPatchError) return invalidInput('invalid-workspace', error.message, [at === 'workspace' ? 'jsonPatch' : at, error.index]);
  if (error instanceof PatchSetVerificationError) return invalidInput('patchset-mismatch', error.message, ['patchset', 'metadata', 'digests']);
  if (error instanceof InvalidBinnedModelError) return invalidInput('invalid-workspace', error.message.replace(/\n/g, ' '), undefined, error.issues.slice(0, 20).map((i) => ({ path: [at], message: i.message })));
  if (error instanceof ReinterpretationError) return invalidInput('invalid-request', error.message, ['signal', ...error.path]);
  if (error instanceof ArtifactError) return invalidInput('invalid-workspace', `the workspace cannot be served: ${error.message}`, undefined, error.issues.map((i) => ({ path: [at, ...i.path], message: i.message })));
  if (error instanceof PyhfModelError) return invalidInput('invalid-workspace', error.message, [at]);
  return error;
}

/** Runs one step on a pyhf document; its failures are the document's, at request field `at`. */
function onDocument<T>(at: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw documentError(error, at);
  }
}

/** Checks the patchset's digest of the request's workspace, unless `verify: false`. */
async function verifyDigest(patchset: PyhfPatchSet, source: WorkspaceSource, text: WorkspaceText): Promise<void> {
  if (!source.verify) return;
  if (text === null) {
    throw invalidInput('invalid-request', "the patchset's digest can be checked only for a JSON body (MessagePack loses the int/float distinction pyhf's digest depends on): send JSON, or verify: false", undefined, [{ path: ['verify'], message: 'needs a JSON body' }]);
  }
  const digest = text.member ? await pyhfDigestOfMember(text.text, text.member) : await pyhfDigest(text.text);
  onDocument('patchset', () => checkPatchSetDigest(digest, patchset));
}

/**
 * The request's workspace with its patch applied: one patch of `patchset` (named by `patch`,
 * the patchset's digest of the workspace checked first unless `verify: false`) or a raw
 * `jsonPatch`.
 */
export async function requestWorkspace(source: WorkspaceSource, text: WorkspaceText): Promise<{ workspace: PyhfWorkspace; patch: Patch }> {
  if (source.patchset !== undefined && source.jsonPatch !== undefined) throw invalidInput('invalid-request', 'give a patchset and a patch name, or a JSON Patch, not both', undefined, [{ path: ['jsonPatch'], message: 'conflicts with patchset' }]);
  if ((source.patchset === undefined) !== (source.patch === undefined)) {
    throw invalidInput('invalid-request', 'a patchset needs the name (or label values) of the patch to apply, and a patch name needs its patchset', undefined, [{ path: [source.patchset === undefined ? 'patchset' : 'patch'], message: 'missing' }]);
  }
  const workspace = onDocument('workspace', () => parseWorkspace(source.workspace));
  if (source.jsonPatch !== undefined) return { workspace: onDocument('jsonPatch', () => parseWorkspace(applyJsonPatch(workspace, source.jsonPatch))), patch: null };
  if (source.patchset === undefined) return { workspace, patch: null };

  const patchset = onDocument('patchset', () => parsePatchSet(source.patchset));
  await verifyDigest(patchset, source, text);
  const patch = onDocument('patch', () => findPatch(patchset, source.patch!));
  const patched = onDocument('patchset', () => parseWorkspace(applyJsonPatch(workspace, patch.patch)));
  return { workspace: patched, patch: { name: patch.metadata.name, values: [...patch.metadata.values] } };
}

export interface InlineLikelihood {
  artifact: LoadedArtifact;
  /** what the response says about the model built */
  model: InlineModel;
}

// Global fits send the same workspace again and again with different points: the artifacts
// built last are kept per isolate, keyed by the sha256 of everything that determines them.
const inline = new LruCache<string, Promise<InlineLikelihood>>(4);

/**
 * The artifact of the request's workspace (patched as `requestWorkspace` says; the patchset's
 * digest is checked on every request), from the per-isolate cache when the same model was
 * built recently.
 */
export async function inlineLikelihood(source: WorkspaceSource & { poi?: string }, text: WorkspaceText): Promise<InlineLikelihood> {
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify([source.workspace, source.patchset ?? null, source.patch ?? null, source.jsonPatch ?? null, source.measurement ?? null, source.poi ?? null])));
  const hit = inline.get(key);
  if (hit) {
    if (source.patchset !== undefined) await verifyDigest(onDocument('patchset', () => parsePatchSet(source.patchset)), source, text); // the check stands
    return hit;
  }
  return inline.getOrSet(key, () => requestWorkspace(source, text).then(({ workspace, patch }) => workspaceLikelihood(workspace, { measurement: source.measurement, poi: source.poi, patch })));
}

/**
 * What a result page of a workspace sent with the request shows (POST /v1/pyhf/page): the
 * artifact, its page analysis within one request's budget, and the digest of what was sent.
 */
export async function inlinePage(source: WorkspaceSource & { poi?: string }, text: WorkspaceText): Promise<{ artifact: LoadedArtifact; analysis: Analysis; workspaceSha256: string }> {
  const { artifact } = await inlineLikelihood(source, text);
  const analysis = withinBudget('the page of the workspace', () => analyse(artifact));
  const workspaceSha256 = await sha256Hex(new TextEncoder().encode(text?.text ?? JSON.stringify(source.workspace)));
  return { artifact, analysis, workspaceSha256 };
}

/** The artifact of a workspace, assembled in memory and loaded as a published one is. */
export async function workspaceLikelihood(workspace: PyhfWorkspace, options: { measurement?: string | number; poi?: string; patch?: Patch }): Promise<InlineLikelihood> {
  const imported = onDocument('workspace', () => importWorkspace(workspace, { measurement: options.measurement, ...(options.poi !== undefined ? { poi: options.poi } : {}) }));
  if (imported.poi === null) throw invalidInput('invalid-workspace', "the workspace's measurement has no POI: name the signal strength with `poi`", ['poi'], [{ path: ['poi'], message: 'missing' }]);
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
    throw documentError(error, 'workspace');
  }
  const model = modelSummary(imported, artifact, options.patch ?? null);
  if (model.bins > LIMITS.workspaceBins || model.parameters > LIMITS.workspaceParameters) {
    throw tooCostly('too-costly', `the workspace has ${model.bins} bins in ${model.channels} channels and ${model.parameters} parameters; the limits are ${LIMITS.workspaceBins} bins and ${LIMITS.workspaceParameters} parameters (every fit holds an n × n Hessian)`, ['workspace']);
  }
  return { artifact, model };
}

function modelSummary(imported: ImportedWorkspace, artifact: LoadedArtifact, patch: Patch): InlineModel {
  const [term] = binnedTerms(artifact.likelihood);
  return { measurement: imported.measurement, poi: imported.poi!, patch, channels: term.channels.length, bins: term.totalBins, parameters: artifact.likelihood.parameters.length, warnings: imported.warnings };
}

/**
 * A published binned artifact as a pyhf workspace (exact where the model has no polynomial
 * parameters; else at the reference point θ0), with its measurement's POI and observations.
 * An artifact that publishes no observed counts is written, with `asimov`, with the Asimov
 * expectation at θ0 as its observations (`observations` says which); without, it is refused.
 */
export function artifactWorkspace(artifact: LoadedArtifact, options: { asimov?: boolean } = {}): { workspace: PyhfWorkspace; observations: 'published' | 'asimov-at-reference' } {
  const binned = binnedTerms(artifact.likelihood);
  const unbinned = artifact.likelihood.terms.length - binned.length;
  if (unbinned || binned.length !== 1) throw notApplicable(`only a likelihood of one binned term can be written as a pyhf workspace; '${artifact.manifest.id}' has ${unbinned} unbinned and ${binned.length} binned terms`);
  const [term] = binned;
  let counts = term.observations;
  if (!counts) {
    if (!options.asimov) throw notApplicable(`'${artifact.manifest.id}' publishes no observed counts, which this operation needs`);
    counts = countsByChannel(term.channels, term.expected(artifact.likelihood.initial(), artifact.likelihood.termIndex(term)));
  }
  const workspace = onDocument('workspace', () => exportWorkspace(term.spec, counts!, artifact.manifest.parameters[0].name));
  return { workspace, observations: term.observations ? 'published' : 'asimov-at-reference' };
}

/** The signal sample a reinterpretation replaces: the one named, or the one sample the POI scales. */
function signalSample(workspace: PyhfWorkspace, poi: string, sample: string | undefined): string {
  if (sample !== undefined) return sample;
  const carriers = new Set(workspace.channels.flatMap((c) => c.samples.filter((s) => s.modifiers.some((m) => m.type === 'normfactor' && m.name === poi)).map((s) => s.name)));
  if (carriers.size !== 1) {
    throw invalidInput('invalid-request', `name the signal sample: ${carriers.size ? `the POI '${poi}' scales ${[...carriers].join(', ')}` : `no sample carries the POI '${poi}' yet`}`, undefined, [{ path: ['signal', 'sample'], message: 'missing' }]);
  }
  return [...carriers][0];
}

/**
 * Reinterpretation (`models/pyhf/reinterpret.ts`): the signal sample's yields replaced, then
 * CLs at the requested POI values and the CLs upper limit, on the workspace's observed data.
 */
export async function reinterpret(workspace: PyhfWorkspace, request: ReinterpretRequest & { measurement?: string | number }): Promise<ReinterpretResponse> {
  const measurement = onDocument('workspace', () => importWorkspace(workspace, { measurement: request.measurement, poi: null })).measurement;
  const poi = request.poi ?? workspace.measurements.find((m) => m.name === measurement)!.config.poi;
  if (!poi) throw invalidInput('invalid-request', "the measurement has no POI: name the signal's normfactor with `poi`", undefined, [{ path: ['poi'], message: 'missing' }]);
  const sample = signalSample(workspace, poi, request.signal.sample);
  const { workspace: reinterpreted, warnings } = onDocument('workspace', () => reinterpretWorkspace(workspace, { sample, yields: request.signal.yields, poi }));
  const { artifact, model } = await workspaceLikelihood(reinterpreted, { measurement, poi });
  const common = { poi, testStatistic: request.testStatistic };
  return {
    poi,
    sample,
    warnings: [...model.warnings, ...warnings],
    cls: cls(artifact, ClsRequestSchema.parse({ ...common, values: request.values })),
    upperLimit: upperLimit(artifact, { ...common, level: request.level }),
  };
}

