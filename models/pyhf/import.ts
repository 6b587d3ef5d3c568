/**
 * pyhf workspaces into our binned template term (`models/terms/binned/term.ts`, which has
 * pyhf's semantics: the same modifiers, interpolation codes, constraint terms and every
 * constant of `model.logpdf`). The way back is `export.ts`; the patch semantics are
 * `json-patch.ts`, the patchset digest `python-json.ts`; the documents' schemas are
 * `workspace-schema.ts`.
 *
 * Import (`importWorkspace`): a pyhf workspace (schema 1.0.0), optionally patched by a raw
 * RFC 6902 JSON Patch or by one patch of a patchset (`importFromPatchSet`, which first checks
 * the patchset's sha256 digest of the background-only workspace exactly as pyhf does), becomes
 * a `BinnedModelSpec` with no polynomial parameters (C = 1: each sample's nominal `data` is the
 * constant coefficient) plus the observations, the POI and pyhf's measurement configuration:
 *
 * - order: pyhf sorts channels and samples by name (`_ChannelSummaryMixin`), so the spec lists
 *   channels in sorted order and each channel's samples in sorted order; the concatenated
 *   counts and the order of the per-bin sums are then pyhf's;
 * - modifiers map one to one; modifiers of one name share one parameter, as in pyhf
 *   (normsys and histosys of one name share one α);
 * - interpolation: pyhf's `Model` defaults, normsys `code4` and histosys `code4p`
 *   (`_ModelConfig.default_modifier_settings`), which are also our term's defaults;
 * - the measurement's parameter configuration (inits, bounds, fixed, auxdata, sigmas; one
 *   entry per component in pyhf) becomes `parameterSettings`, one setting per parameter set
 *   and per-component settings `name[b]` where components differ. As in pyhf, configuration
 *   of a name the model does not use is ignored (reported in `warnings`). `factors` (a user
 *   override of shapesys τ) is not supported and is refused.
 *
 * The POI is a normfactor (any scalar modifier parameter, as pyhf's `set_poi` allows): in our
 * term it is a nuisance-kind parameter that multiplies the sample after the histosys deltas,
 * exactly as in pyhf. It cannot be one of the term's polynomial parameters of interest, which
 * scale only the nominal yield. `interest` describes the POI (name, init, bounds): declared a
 * parameter of interest of the likelihood (`createLikelihood` binds a free, unconstrained term
 * nuisance to a parameter of interest of its name), it comes first in the parameter vector,
 * as in a published artifact.
 */
import { createLikelihood, type Likelihood, type LikelihoodData } from '../likelihood/likelihood.js';
import type { ParameterSpec } from '../likelihood/term.js';
import { compileBinnedModel, type BinnedTemplateTerm } from '../terms/binned/term.js';
import { isPerBin, parseBinnedModel, type BinnedModelSpec, type Modifier, type ModifierType, type ParameterSetting } from '../terms/binned/schema.js';
import { applyJsonPatch } from './json-patch.js';
import { compareCodePoints, pyhfDigest } from './python-json.js';
import { parsePatchSet, parseWorkspace, type PyhfChannel, type PyhfModifier, type PyhfParameterConfig, type PyhfPatch, type PyhfPatchSet, type PyhfWorkspace, PyhfModelError } from './workspace-schema.js';

// ============================================================================================
// import
// ============================================================================================

export interface ImportOptions {
  /** the measurement by name or index (default: the first, as pyhf) */
  measurement?: string | number;
  /** an RFC 6902 JSON Patch applied to the workspace first (e.g. one signal hypothesis) */
  jsonPatch?: unknown;
  /** override the measurement's POI; null for a model without POI (e.g. background only) */
  poi?: string | null;
}

export interface ImportedWorkspace {
  /** channels and samples in pyhf's (sorted) order; no polynomial parameters */
  spec: BinnedModelSpec;
  /** observed counts per channel */
  observations: Record<string, number[]>;
  /** the parameter of interest (a normfactor or other scalar modifier parameter), or null */
  poi: string | null;
  /** the POI described as a parameter of interest (name, init, bounds), for a manifest; empty without POI */
  interest: ParameterSpec[];
  /** the measurement used */
  measurement: string;
  /** what was ignored, as pyhf ignores it (configuration of parameters the model does not use) */
  warnings: string[];
}

const byName = <T extends { name: string }>(a: T, b: T) => compareCodePoints(a.name, b.name);

/** Number of components of each modifier parameter set, and its type (first use). */
function modifierSets(channels: readonly PyhfChannel[]): Map<string, { type: PyhfModifier['type']; components: number }> {
  const sets = new Map<string, { type: PyhfModifier['type']; components: number }>();
  for (const channel of channels) {
    for (const sample of channel.samples) {
      for (const m of sample.modifiers) {
        if (sets.has(m.name)) continue;
        sets.set(m.name, { type: m.type, components: isPerBin(m.type) ? sample.data.length : 1 });
      }
    }
  }
  return sets;
}

/** Which configuration keys a modifier type's parameter set takes (pyhf `required_parset`). */
function allowedKeys(type: ModifierType): Set<keyof PyhfParameterConfig> {
  switch (type) {
    case 'normfactor':
    case 'shapefactor':
      return new Set(['inits', 'bounds', 'fixed']);
    case 'normsys':
    case 'histosys':
      return new Set(['inits', 'bounds', 'fixed', 'auxdata']);
    case 'staterror':
    case 'lumi':
      return new Set(['inits', 'bounds', 'fixed', 'auxdata', 'sigmas']);
    case 'shapesys':
      return new Set(['inits', 'bounds', 'fixed', 'auxdata', 'factors']);
  }
}

function parameterSettings(config: readonly PyhfParameterConfig[], sets: ReturnType<typeof modifierSets>, warnings: string[]): ParameterSetting[] {
  const settings: ParameterSetting[] = [];
  for (const p of config) {
    const set = sets.get(p.name);
    if (!set) {
      warnings.push(`the measurement configures '${p.name}', which no modifier of the model uses: ignored (as pyhf)`);
      continue;
    }
    const allowed = allowedKeys(set.type);
    for (const key of ['inits', 'bounds', 'auxdata', 'factors', 'sigmas', 'fixed'] as const) {
      if (p[key] !== undefined && !allowed.has(key)) throw new PyhfModelError(`measurement parameter '${p.name}': a ${set.type} parameter does not use the ${key} attribute (pyhf refuses it too)`);
    }
    if (p.factors !== undefined) throw new PyhfModelError(`measurement parameter '${p.name}': user-configured shapesys factors are not supported`);
    const n = set.components;
    for (const key of ['inits', 'bounds', 'auxdata', 'sigmas'] as const) {
      const v = p[key];
      if (v !== undefined && v.length !== n) throw new PyhfModelError(`measurement parameter '${p.name}': ${key} has ${v.length} values, expected ${n} (one per component, as pyhf)`);
    }
    const setting: ParameterSetting = { name: p.name };
    if (p.fixed !== undefined) setting.fixed = p.fixed;
    if (p.auxdata) setting.auxdata = [...p.auxdata];
    if (p.sigmas) setting.sigmas = [...p.sigmas];
    const uniform = <T>(v: readonly T[], eq: (a: T, b: T) => boolean) => v.every((x) => eq(x, v[0]));
    const sameInits = !p.inits || uniform(p.inits, (a, b) => a === b);
    const sameBounds = !p.bounds || uniform(p.bounds, (a, b) => a[0] === b[0] && a[1] === b[1]);
    if (p.inits && sameInits) setting.init = p.inits[0];
    if (p.bounds && sameBounds) setting.bounds = [p.bounds[0][0], p.bounds[0][1]];
    settings.push(setting);
    if (!sameInits || !sameBounds) {
      for (let b = 0; b < n; b++) {
        const component: ParameterSetting = { name: `${p.name}[${b}]` };
        if (p.inits && !sameInits) component.init = p.inits[b];
        if (p.bounds && !sameBounds) component.bounds = [p.bounds[b][0], p.bounds[b][1]];
        settings.push(component);
      }
    }
  }
  return settings;
}

function toSpecModifier(m: PyhfModifier): Modifier {
  switch (m.type) {
    case 'histosys':
      return { type: 'histosys', name: m.name, data: { hi_data: [...m.data.hi_data], lo_data: [...m.data.lo_data] } };
    case 'normsys':
      return { type: 'normsys', name: m.name, data: { hi: m.data.hi, lo: m.data.lo } };
    case 'shapesys':
    case 'staterror':
      return { type: m.type, name: m.name, data: [...m.data] };
    default:
      return { type: m.type, name: m.name, data: null };
  }
}

/**
 * Imports a pyhf workspace (a parsed JSON object) into our binned model, with pyhf's
 * semantics (see the module comment). Throws `InvalidPyhfDocumentError` for a document pyhf's
 * schema rejects, `JsonPatchError` for a patch that does not apply, `InvalidBinnedModelError`
 * for a model pyhf would refuse too (name reuse across kinds, non-positive normsys factors, …)
 * and `PyhfModelError` for an unknown measurement or POI.
 */
export function importWorkspace(input: unknown, options: ImportOptions = {}): ImportedWorkspace {
  let workspace = parseWorkspace(input);
  if (options.jsonPatch !== undefined) workspace = parseWorkspace(applyJsonPatch(workspace, options.jsonPatch));

  const measurement = selectMeasurement(workspace, options.measurement);
  const channels = [...workspace.channels].sort(byName).map((c) => ({ ...c, samples: [...c.samples].sort(byName) }));
  const sets = modifierSets(channels);
  const warnings: string[] = [];
  const settings = parameterSettings(measurement.config.parameters, sets, warnings);

  const spec = parseBinnedModel({
    parameters: [],
    degree: 0,
    reference: [],
    channels: channels.map((c) => ({
      name: c.name,
      samples: c.samples.map((s) => ({ name: s.name, coefficients: s.data.map((v) => [v]), modifiers: s.modifiers.map(toSpecModifier) })),
    })),
    parameterSettings: settings,
  });
  const term = compileBinnedModel('pyhf', spec); // validates everything the schema ties together

  const observations: Record<string, number[]> = {};
  for (const c of channels) observations[c.name] = [...workspace.observations.find((o) => o.name === c.name)!.data];

  const requested = options.poi !== undefined ? options.poi : measurement.config.poi;
  const poi = requested === '' ? null : requested;
  const interest: ParameterSpec[] = [];
  if (poi !== null) {
    const set = sets.get(poi);
    if (!set) throw new PyhfModelError(`the parameter of interest '${poi}' is not a parameter of the model (pyhf: it cannot be fit as it is not declared in the model specification)`);
    if (set.components !== 1) throw new PyhfModelError(`the parameter of interest '${poi}' has ${set.components} components; pyhf supports only scalar POIs`);
    const p = term.parameters.find((q) => q.name === poi)!;
    interest.push({ name: poi, init: p.init, bounds: [p.bounds[0], p.bounds[1]], kind: 'interest', fixed: p.fixed, constraint: p.constraint });
  }
  return { spec, observations, poi, interest, measurement: measurement.name, warnings };
}

function selectMeasurement(workspace: PyhfWorkspace, which: string | number | undefined) {
  if (which === undefined) return workspace.measurements[0];
  const m = typeof which === 'number' ? workspace.measurements[which] : workspace.measurements.find((x) => x.name === which);
  if (!m) throw new PyhfModelError(`no measurement ${JSON.stringify(which)} in the workspace (it has: ${workspace.measurements.map((x) => x.name).join(', ')})`);
  return m;
}

/**
 * Applies one patch of a patchset to a background-only workspace given as JSON text and
 * imports the result, after checking the patchset's digest of that text as pyhf does
 * (`PatchSet.apply` verifies before applying). `verify: false` skips the check.
 */
export async function importFromPatchSet(
  workspaceText: string,
  patchsetInput: unknown,
  key: string | readonly (number | string)[],
  options: Omit<ImportOptions, 'jsonPatch'> & { verify?: boolean } = {},
): Promise<ImportedWorkspace & { patch: { name: string; values: (number | string)[] } }> {
  const patchset = parsePatchSet(patchsetInput);
  if (options.verify ?? true) await verifyPatchSet(workspaceText, patchset);
  const patch = findPatch(patchset, key);
  const imported = importWorkspace(JSON.parse(workspaceText), { ...options, jsonPatch: patch.patch });
  return { ...imported, patch: { name: patch.metadata.name, values: [...patch.metadata.values] } };
}

// ============================================================================================
// patchsets
// ============================================================================================

/** The patchset was not made for this background-only workspace (pyhf's PatchSetVerificationError). */
export class PatchSetVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchSetVerificationError';
  }
}

/** Checks a patchset's sha256 digest against the background-only workspace's digest (pyhf's `PatchSet.verify`). */
export function checkPatchSetDigest(actual: string, patchset: PyhfPatchSet): void {
  const expected = patchset.metadata.digests.sha256;
  if (expected === undefined) throw new PatchSetVerificationError('the patchset has only an md5 digest, which cannot be checked here (Web Crypto has no md5); pass verify: false to apply it unchecked');
  if (actual !== expected.toLowerCase()) {
    throw new PatchSetVerificationError(`the digest verification failed for hash algorithm 'sha256': the patchset expects ${expected.toLowerCase()}, the workspace has ${actual}`);
  }
}

/**
 * Checks the patchset's digest against the background-only workspace's JSON text, as pyhf's
 * `PatchSet.verify`. Only sha256 can be computed here (Web Crypto has no md5): a patchset
 * with an md5 digest alone is refused.
 */
export async function verifyPatchSet(workspaceText: string, patchset: PyhfPatchSet): Promise<void> {
  if (patchset.metadata.digests.sha256 === undefined) return checkPatchSetDigest('', patchset);
  checkPatchSetDigest(await pyhfDigest(workspaceText), patchset);
}

/** A patch of a patchset by name or by its label values (as pyhf's `PatchSet.__getitem__`). */
export function findPatch(patchset: PyhfPatchSet, key: string | readonly (number | string)[]): PyhfPatch {
  const patch =
    typeof key === 'string'
      ? patchset.patches.find((p) => p.metadata.name === key)
      : patchset.patches.find((p) => p.metadata.values.length === key.length && p.metadata.values.every((v, i) => v === key[i]));
  if (!patch) {
    const known = patchset.patches.map((p) => p.metadata.name);
    throw new PyhfModelError(`no patch ${JSON.stringify(key)} in the patchset (it has ${known.length}: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})`);
  }
  return patch;
}

// ============================================================================================
// evaluation helpers
// ============================================================================================

export interface PyhfLikelihood {
  term: BinnedTemplateTerm;
  /** the POI (a normfactor of the term) is the parameter of interest, first; no polynomial parameters */
  likelihood: Likelihood;
  /** the observed data with the nominal auxiliary data (pyhf's `workspace.data(model)`) */
  data: LikelihoodData;
  /** the POI's global index, or −1 without POI */
  poiIndex: number;
}

/** The likelihood of an imported workspace, its observed data, and where the POI is. */
export function pyhfLikelihood(imported: ImportedWorkspace, name = 'pyhf'): PyhfLikelihood {
  const term = compileBinnedModel(name, imported.spec);
  const likelihood = createLikelihood(imported.interest, [term], 1);
  const counts = new Float64Array(term.totalBins);
  for (const channel of term.channels) {
    const observed = imported.observations[channel.name];
    if (!observed || observed.length !== channel.bins) throw new PyhfModelError(`observations of channel '${channel.name}' need ${channel.bins} counts`);
    counts.set(observed, channel.offset);
  }
  const data: LikelihoodData = { luminosity: 1, rate: true, terms: { [name]: { counts, aux: term.nominalAux() } } };
  return { term, likelihood, data, poiIndex: imported.poi === null ? -1 : likelihood.indexOf(imported.poi) };
}
