/**
 * pyhf workspaces in and out of our binned template term (`models/terms/binned-template.ts`,
 * which has pyhf's semantics: the same modifiers, interpolation codes, constraint terms and
 * every constant of `model.logpdf`).
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
 *
 * Export (`exportWorkspace`) is the inverse, exact for specs without polynomial parameters:
 * yields at θ are evaluated on the monomial basis, histosys templates keep their absolute
 * shifts, and staterror/shapesys uncertainties are rescaled so that the relative widths (and
 * thus σ_b and τ_b) are those of our term, which fixes them at θ0. A polynomial parameter cannot
 * be a pyhf modifier: its value is frozen at the export point, and a measurement POI naming it
 * is written as "" (pyhf's POI-less model).
 */
import { evaluateMonomials, monomialBasis } from '../basis/monomial-basis.js';
import { sha256Hex } from '../artifact/codec.js';
import { createLikelihood, type Likelihood, type LikelihoodData } from '../likelihood/likelihood.js';
import type { ParameterSpec } from '../likelihood/term.js';
import { compileBinnedModel, isPerBin, parseBinnedModel, type BinnedModelSpec, type BinnedTemplateTerm, type Modifier, type ModifierType, type ParameterSetting } from '../terms/binned-template.js';
import {
  parseJsonPatch,
  parsePatchSet,
  parseWorkspace,
  type JsonPatchOperation,
  type PyhfChannel,
  type PyhfModifier,
  type PyhfParameterConfig,
  type PyhfPatch,
  type PyhfPatchSet,
  type PyhfWorkspace,
} from './workspace-schema.js';

export * from './workspace-schema.js';

// ============================================================================================
// RFC 6902 JSON Patch (with RFC 6901 JSON Pointers)
// ============================================================================================

/** A JSON Patch operation that cannot be applied; `index` is the operation's position. */
export class JsonPatchError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`JSON patch operation ${index}: ${message}`);
    this.name = 'JsonPatchError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`'${pointer}' is not a JSON Pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(v: unknown): v is Json[] | Record<string, Json> {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`'${token}' is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new Error(`index ${i} is out of range (length ${length})`);
  return i;
}

/** JSON equality (RFC 6902 `test`): same type, numbers by value, arrays in order, objects by key set. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isContainer(a) && isContainer(b) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * Applies an RFC 6902 JSON Patch (add, remove, replace, move, copy, test) to a copy of
 * `document` and returns the result; the input is never modified. Operations apply in order
 * and the patch is atomic: any failing operation throws `JsonPatchError` naming it.
 */
export function applyJsonPatch(document: unknown, patch: readonly JsonPatchOperation[] | unknown): unknown {
  const ops = parseJsonPatch(patch);
  let root: unknown = structuredClone(document);

  const resolve = (tokens: string[]): unknown => {
    let node = root;
    for (const t of tokens) {
      if (Array.isArray(node)) node = node[arrayIndex(t, node.length, false)];
      else if (isContainer(node) && Object.prototype.hasOwnProperty.call(node, t)) node = (node as Record<string, Json>)[t];
      else throw new Error(`path does not exist (at '${t}')`);
    }
    return node;
  };
  const parentOf = (tokens: string[]) => {
    const parent = resolve(tokens.slice(0, -1));
    if (!isContainer(parent)) throw new Error('the parent of the target is not an object or array');
    return { parent, key: tokens[tokens.length - 1] };
  };
  const add = (tokens: string[], value: unknown) => {
    if (tokens.length === 0) {
      root = value;
      return;
    }
    const { parent, key } = parentOf(tokens);
    if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value as Json);
    else parent[key] = value as Json;
  };
  const remove = (tokens: string[]): unknown => {
    if (tokens.length === 0) throw new Error('cannot remove the whole document');
    const { parent, key } = parentOf(tokens);
    if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
    if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new Error(`path does not exist (no member '${key}')`);
    const value = parent[key];
    delete parent[key];
    return value;
  };

  ops.forEach((op, i) => {
    try {
      const path = pointerTokens(op.path);
      switch (op.op) {
        case 'add':
          add(path, structuredClone(op.value));
          break;
        case 'remove':
          remove(path);
          break;
        case 'replace':
          resolve(path); // must exist
          if (path.length === 0) root = structuredClone(op.value);
          else {
            remove(path);
            add(path, structuredClone(op.value));
          }
          break;
        case 'move': {
          if (op.path !== op.from && op.path.startsWith(op.from + '/')) throw new Error(`cannot move '${op.from}' into its own child '${op.path}'`);
          if (op.path === op.from) break;
          const value = remove(pointerTokens(op.from));
          add(path, value);
          break;
        }
        case 'copy':
          add(path, structuredClone(resolve(pointerTokens(op.from))));
          break;
        case 'test':
          if (!jsonEqual(resolve(path), op.value)) throw new Error(`test failed: the value at '${op.path}' differs`);
          break;
      }
    } catch (error) {
      if (error instanceof JsonPatchError) throw error;
      throw new JsonPatchError(i, `${op.op} '${op.path}': ${(error as Error).message}`);
    }
  });
  return root;
}

// ============================================================================================
// pyhf's digest: sha256 of json.dumps(obj, sort_keys=True, ensure_ascii=False), UTF-8
// ============================================================================================

type RawJson = { t: 'object'; entries: [string, RawJson][] } | { t: 'array'; items: RawJson[] } | { t: 'string'; v: string } | { t: 'number'; raw: string } | { t: 'literal'; v: 'true' | 'false' | 'null' };

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** A JSON parser that keeps each number's literal text (Python tells ints from floats by it). */
function parseRawJson(text: string): RawJson {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`invalid JSON at position ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const stringToken = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): RawJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, RawJson][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = stringToken();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([key, value()]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return { t: 'object', entries };
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: RawJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return { t: 'array', items };
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { t: 'string', v: stringToken() };
    for (const lit of ['true', 'false', 'null'] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return { t: 'literal', v: lit };
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('unexpected character');
    i += m![0].length;
    return { t: 'number', raw: m![0] };
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}

/** Python's repr of a float (the 'r' format: shortest round-trip digits, exponent if decpt ≤ −4 or > 16). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    // both print the shortest round-trip digits in fixed notation here; JavaScript omits ".0"
    const js = String(abs);
    return sign + (js.includes('.') ? js : `${js}.0`);
  }
  const [mantissa, exp] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt < digits.length) return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
}

function pythonString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const ch = s[k];
    const code = s.charCodeAt(k);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * Python compares str by code point; JavaScript's < compares UTF-16 code units, which differs
 * only where a surrogate pair (a code point above U+FFFF) meets a code unit in U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1; // a surrogate (code point ≥ U+10000) sorts after any other code unit that differs
  }
  return a.length - b.length;
}

function pythonDumps(node: RawJson): string {
  switch (node.t) {
    case 'literal':
      return node.v;
    case 'string':
      return pythonString(node.v);
    case 'number': {
      if (/[.eE]/.test(node.raw)) return pythonFloatRepr(Number(node.raw));
      return node.raw === '-0' ? '0' : node.raw; // a Python int
    }
    case 'array':
      return `[${node.items.map(pythonDumps).join(', ')}]`;
    case 'object': {
      const last = new Map<string, RawJson>(); // json.loads keeps the last of duplicate keys
      for (const [k, v] of node.entries) last.set(k, v);
      const keys = [...last.keys()].sort(compareCodePoints);
      return `{${keys.map((k) => `${pythonString(k)}: ${pythonDumps(last.get(k)!)}`).join(', ')}}`;
    }
  }
}

/**
 * `json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)` as Python writes it
 * (separators ', ' and ': ', ints as written, floats by Python's repr). The JSON *text* is
 * needed: after JSON.parse, 1.0 and 1 are the same number, but not for Python.
 */
export function pythonCanonicalJson(text: string): string {
  return pythonDumps(parseRawJson(text));
}

/** pyhf's `utils.digest(workspace, 'sha256')` of a JSON text. */
export async function pyhfDigest(text: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(pythonCanonicalJson(text)));
}

/** The patchset was not made for this background-only workspace (pyhf's PatchSetVerificationError). */
export class PatchSetVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchSetVerificationError';
  }
}

/**
 * pyhf's digest of one member of a JSON object text (e.g. the `workspace` of a request body),
 * computed from the member's own text so that Python's ints and floats are told apart.
 */
export async function pyhfDigestOfMember(text: string, member: string): Promise<string> {
  const root = parseRawJson(text);
  const node = root.t === 'object' ? root.entries.filter(([k]) => k === member).pop()?.[1] : undefined;
  if (!node) throw new SyntaxError(`the JSON text has no member '${member}'`);
  return sha256Hex(new TextEncoder().encode(pythonDumps(node)));
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
    throw new RangeError(`no patch ${JSON.stringify(key)} in the patchset (it has ${known.length}: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})`);
  }
  return patch;
}

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
      if (p[key] !== undefined && !allowed.has(key)) throw new RangeError(`measurement parameter '${p.name}': a ${set.type} parameter does not use the ${key} attribute (pyhf refuses it too)`);
    }
    if (p.factors !== undefined) throw new RangeError(`measurement parameter '${p.name}': user-configured shapesys factors are not supported`);
    const n = set.components;
    for (const key of ['inits', 'bounds', 'auxdata', 'sigmas'] as const) {
      const v = p[key];
      if (v !== undefined && v.length !== n) throw new RangeError(`measurement parameter '${p.name}': ${key} has ${v.length} values, expected ${n} (one per component, as pyhf)`);
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
 * and `RangeError` for an unknown measurement or POI.
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
    if (!set) throw new RangeError(`the parameter of interest '${poi}' is not a parameter of the model (pyhf: it cannot be fit as it is not declared in the model specification)`);
    if (set.components !== 1) throw new RangeError(`the parameter of interest '${poi}' has ${set.components} components; pyhf supports only scalar POIs`);
    const p = term.parameters.find((q) => q.name === poi)!;
    interest.push({ name: poi, init: p.init, bounds: [p.bounds[0], p.bounds[1]], kind: 'interest', fixed: p.fixed, constraint: p.constraint });
  }
  return { spec, observations, poi, interest, measurement: measurement.name, warnings };
}

function selectMeasurement(workspace: PyhfWorkspace, which: string | number | undefined) {
  if (which === undefined) return workspace.measurements[0];
  const m = typeof which === 'number' ? workspace.measurements[which] : workspace.measurements.find((x) => x.name === which);
  if (!m) throw new RangeError(`no measurement ${JSON.stringify(which)} in the workspace (it has: ${workspace.measurements.map((x) => x.name).join(', ')})`);
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
    if (!observed || observed.length !== channel.bins) throw new RangeError(`observations of channel '${channel.name}' need ${channel.bins} counts`);
    counts.set(observed, channel.offset);
  }
  const data: LikelihoodData = { luminosity: 1, rate: true, terms: { [name]: { counts, aux: term.nominalAux() } } };
  return { term, likelihood, data, poiIndex: imported.poi === null ? -1 : likelihood.indexOf(imported.poi) };
}

// ============================================================================================
// export
// ============================================================================================

export interface ExportOptions {
  /** values of the polynomial parameters at which yields are frozen (default: the reference θ0) */
  at?: Readonly<Record<string, number>>;
  /** the measurement's name (default 'measurement') */
  measurement?: string;
}

/**
 * Our binned model as a pyhf workspace (schema 1.0.0) with one measurement.
 *
 * Exact (the same −logpdf for every parameter point, with the measurement's configuration)
 * for a spec without polynomial parameters. With polynomial parameters, the yields are those
 * at `at` (default θ0): the workspace is our model at that point, with the polynomial
 * parameters frozen there; pyhf has no modifier for a polynomial yield. A `poi` naming a
 * scalar modifier parameter (a normfactor) is written as the measurement's POI; a polynomial
 * parameter or null is written as "" (pyhf's POI-less model). Throws for what pyhf cannot
 * express: non-default interpolation codes, a lumi modifier not named 'lumi', different
 * `fixed` flags within one parameter set, or rescaled uncertainties of a bin whose frozen
 * yield is not positive.
 */
export function exportWorkspace(input: BinnedModelSpec, observations: Readonly<Record<string, readonly number[]>>, poi: string | null, options: ExportOptions = {}): PyhfWorkspace {
  const spec = parseBinnedModel(input);
  if ((spec.interpolation?.normsys ?? 'code4') !== 'code4' || (spec.interpolation?.histosys ?? 'code4p') !== 'code4p') {
    throw new RangeError('pyhf workspaces carry no interpolation codes: only the defaults (normsys code4, histosys code4p) can be exported');
  }
  const P = spec.parameters.length;
  const theta = Float64Array.from(spec.reference);
  for (const [name, value] of Object.entries(options.at ?? {})) {
    const i = spec.parameters.indexOf(name);
    if (i < 0) throw new RangeError(`'${name}' is not a polynomial parameter of the model (${spec.parameters.join(', ') || 'it has none'})`);
    if (!Number.isFinite(value)) throw new RangeError(`'${name}' must be finite`);
    theta[i] = value;
  }
  const mono = P > 0 ? evaluateMonomials(monomialBasis(P, spec.degree), theta.map((t, i) => t - spec.reference[i])) : Float64Array.of(1);
  const yieldAt = (c: readonly number[]) => {
    let s = 0;
    for (let k = 0; k < c.length; k++) s += c[k] * mono[k];
    return s;
  };
  const term = compileBinnedModel('export', spec);
  const configured = new Set((spec.parameterSettings ?? []).map((s) => s.name.replace(/\[\d+\]$/, '')));

  // staterror: per set and bin, Σ nominal over the samples carrying it, at θ0 and at θ
  const staterrorScale = new Map<string, { at0: number[]; at: number[] }>();
  for (const channel of spec.channels) {
    for (const sample of channel.samples) {
      for (const m of sample.modifiers) {
        if (m.type !== 'staterror') continue;
        const s = staterrorScale.get(m.name) ?? { at0: new Array(sample.coefficients.length).fill(0), at: new Array(sample.coefficients.length).fill(0) };
        sample.coefficients.forEach((c, b) => {
          s.at0[b] += c[0];
          s.at[b] += yieldAt(c);
        });
        staterrorScale.set(m.name, s);
      }
    }
  }
  // our term fixes σ_b and τ_b from the yields at θ0; pyhf computes them from the exported
  // yields, so the uncertainties are rescaled by yield(θ)/yield(θ0) (a bin is "valid" in both or neither)
  const rescale = (what: string, unc: number, at0: number, at: number) => {
    if (P === 0 || unc <= 0) return unc;
    if (at0 > 0 !== at > 0) throw new RangeError(`${what}: the yield is ${at0} at θ0 and ${at} at the export point, so pyhf would constrain the bin differently from our term`);
    return at0 > 0 ? (unc * at) / at0 : unc;
  };

  const channels: PyhfChannel[] = spec.channels.map((channel) => ({
    name: channel.name,
    samples: channel.samples.map((sample) => {
      const nominal = sample.coefficients.map(yieldAt);
      const modifiers: PyhfModifier[] = sample.modifiers.map((m): PyhfModifier => {
        const where = `channel '${channel.name}', sample '${sample.name}', ${m.type} '${m.name}'`;
        switch (m.type) {
          case 'normfactor':
          case 'shapefactor':
            return { type: m.type, name: m.name, data: null };
          case 'lumi':
            if (m.name !== 'lumi') throw new RangeError(`${where}: pyhf names its luminosity modifier 'lumi'`);
            return { type: 'lumi', name: 'lumi', data: null };
          case 'normsys':
            return { type: 'normsys', name: m.name, data: { hi: m.data.hi, lo: m.data.lo } };
          case 'histosys':
            return {
              type: 'histosys',
              name: m.name,
              data: {
                hi_data: nominal.map((v, b) => v + (m.data.hi_data[b] - sample.coefficients[b][0])),
                lo_data: nominal.map((v, b) => v - (sample.coefficients[b][0] - m.data.lo_data[b])),
              },
            };
          case 'shapesys':
            return { type: 'shapesys', name: m.name, data: m.data.map((u, b) => rescale(`${where}, bin ${b}`, u, sample.coefficients[b][0], nominal[b])) };
          case 'staterror': {
            const s = staterrorScale.get(m.name)!;
            return { type: 'staterror', name: m.name, data: m.data.map((u, b) => rescale(`${where}, bin ${b}`, u, s.at0[b], s.at[b])) };
          }
        }
      });
      return { name: sample.name, data: nominal, modifiers };
    }),
  }));

  // measurement configuration: every configured set, and lumi (pyhf needs its full configuration)
  const parameters: PyhfParameterConfig[] = [];
  const setTypes = new Map<string, ModifierType>();
  for (const channel of spec.channels) for (const sample of channel.samples) for (const m of sample.modifiers) if (!setTypes.has(m.name)) setTypes.set(m.name, m.type);
  for (const [name, type] of setTypes) {
    if (!configured.has(name) && type !== 'lumi') continue;
    const components = term.parameters.filter((p) => (isPerBin(type) ? p.name.startsWith(`${name}[`) && /^\[\d+\]$/.test(p.name.slice(name.length)) : p.name === name));
    const settings = (spec.parameterSettings ?? []).filter((s) => s.name === name || (s.name.startsWith(`${name}[`) && /^\[\d+\]$/.test(s.name.slice(name.length))));
    const config: PyhfParameterConfig = { name };
    const any = (key: keyof ParameterSetting) => type === 'lumi' || settings.some((s) => s[key] !== undefined);
    if (any('init')) config.inits = components.map((p) => p.init);
    if (any('bounds')) config.bounds = components.map((p) => [p.bounds[0], p.bounds[1]] as [number, number]);
    if (settings.some((s) => s.fixed !== undefined)) {
      const flags = components.map((p) => p.fixed);
      if (!flags.every((f) => f === flags[0])) throw new RangeError(`parameter '${name}': pyhf's measurement configuration has one 'fixed' flag per parameter set, but its components differ`);
      config.fixed = flags[0];
    }
    const constraints = components.map((p) => term.constraints.find((c) => c.parameter === p.name));
    if (any('auxdata') && constraints.every((c) => c !== undefined)) config.auxdata = constraints.map((c) => c!.aux);
    if (any('sigmas') && constraints.every((c) => c !== undefined && c.kind === 'normal')) config.sigmas = constraints.map((c) => c!.sigma);
    parameters.push(config);
  }

  const poiName = poi !== null && setTypes.has(poi) ? poi : '';
  if (poi !== null && poiName === '' && !spec.parameters.includes(poi)) throw new RangeError(`the POI '${poi}' is not a parameter of the model`);
  const obs = spec.channels.map((c) => {
    const data = observations[c.name];
    if (!data) throw new RangeError(`no observations for channel '${c.name}'`);
    return { name: c.name, data: [...data] };
  });
  return parseWorkspace({ channels, observations: obs, measurements: [{ name: options.measurement ?? 'measurement', config: { poi: poiName, parameters } }], version: '1.0.0' });
}
