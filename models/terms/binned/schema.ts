/**
 * The plain-data specification of a binned template model with HistFactory modifiers
 * (DESIGN.md "polynomial event weights": a bin's yield is a coefficient vector on the
 * monomial basis of Δθ = θ − θ0). Field names follow pyhf's JSON (`channels`, `samples`,
 * `modifiers`, `hi_data`, `lo_data`, ...) so that a pyhf importer is a thin mapping; the
 * nominal `data` of a pyhf sample becomes a coefficient vector per bin (with no
 * parameters of interest, C = 1: the constant yield).
 *
 * The zod schema is the single source of truth: it checks the shapes of every field and,
 * in a refinement, everything that ties fields together (bins consistent within a channel,
 * coefficient length C, data lengths, name reuse as pyhf allows it, parameter settings).
 */
import { z } from 'zod';
import { basisSize } from '../../basis/monomial-basis.js';
import { afterStructure } from '../../schema-checks.js';

const nonEmptyName = z.string().min(1);

export const NormfactorSchema = z.object({ type: z.literal('normfactor'), name: nonEmptyName, data: z.null() });
export const NormsysSchema = z.object({
  type: z.literal('normsys'),
  name: nonEmptyName,
  /** factors relative to the nominal yield at α = +1 and α = −1 */
  data: z.object({ hi: z.number(), lo: z.number() }),
});
export const HistosysSchema = z.object({
  type: z.literal('histosys'),
  name: nonEmptyName,
  /** absolute yields per bin at α = +1 and α = −1, at the reference point θ0 */
  data: z.object({ hi_data: z.array(z.number()), lo_data: z.array(z.number()) }),
});
/** absolute uncertainty per bin (Barlow–Beeston lite, shared by every sample that carries the same name) */
export const StaterrorSchema = z.object({ type: z.literal('staterror'), name: nonEmptyName, data: z.array(z.number()) });
/** absolute uncertainty per bin, Poisson-constrained */
export const ShapesysSchema = z.object({ type: z.literal('shapesys'), name: nonEmptyName, data: z.array(z.number()) });
export const ShapefactorSchema = z.object({ type: z.literal('shapefactor'), name: nonEmptyName, data: z.null() });
export const LumiSchema = z.object({ type: z.literal('lumi'), name: nonEmptyName, data: z.null() });

export const ModifierSchema = z.discriminatedUnion('type', [
  NormfactorSchema,
  NormsysSchema,
  HistosysSchema,
  StaterrorSchema,
  ShapesysSchema,
  ShapefactorSchema,
  LumiSchema,
]);
export type Modifier = z.infer<typeof ModifierSchema>;
export type ModifierType = Modifier['type'];

export const SampleSchema = z.object({
  name: nonEmptyName,
  /** per bin, a coefficient vector of length C = basisSize(P, degree) on the monomial basis of Δθ */
  coefficients: z.array(z.array(z.number())),
  modifiers: z.array(ModifierSchema),
});
export type SampleSpec = z.infer<typeof SampleSchema>;

export const ChannelSchema = z.object({ name: nonEmptyName, samples: z.array(SampleSchema).min(1) });
export type ChannelSpec = z.infer<typeof ChannelSchema>;

/**
 * pyhf's measurement parameter configuration, simplified: `bounds` and `init` apply to
 * every component of the named parameter set (or to one component when named `name[b]`);
 * `auxdata` and `sigmas` have one entry per component addressed. The lumi modifier needs
 * `auxdata` and `sigmas` from here.
 */
export const ParameterSettingSchema = z.object({
  name: nonEmptyName,
  bounds: z.tuple([z.number(), z.number()]).optional(),
  init: z.number().optional(),
  fixed: z.boolean().optional(),
  auxdata: z.array(z.number()).optional(),
  sigmas: z.array(z.number()).optional(),
});
export type ParameterSetting = z.infer<typeof ParameterSettingSchema>;

export const InterpolationSchema = z.object({
  normsys: z.enum(['code1', 'code4']).optional(),
  histosys: z.enum(['code0', 'code4p']).optional(),
});

/** Paramset families: names may be reused only within one family (pyhf's `InvalidNameReuse`). */
export function parameterFamily(type: ModifierType): string {
  return type === 'normsys' || type === 'histosys' ? 'alpha' : type;
}

/** Whether a modifier type has one parameter per bin of its channel (named `name[b]`). */
export function isPerBin(type: ModifierType): boolean {
  return type === 'staterror' || type === 'shapesys' || type === 'shapefactor';
}

/** A path into the specification, as zod reports it. */
type IssuePath = (string | number)[];
/** Reports one problem; the checks below report every problem, they never stop at the first. */
type Report = (message: string, path: IssuePath) => void;

/** What the channel checks learn about modifier names, for the checks on names and settings after them. */
interface ModifierNames {
  /** the parameters of interest */
  readonly theta: Set<string>;
  /** modifier name → its paramset family and where it first appears */
  readonly family: Map<string, { family: string; path: IssuePath }>;
  /** per-bin modifier name → its uses, for pyhf's name-reuse rules */
  readonly perBin: Map<string, { type: ModifierType; channels: Set<number>; bins: number; uses: number }>;
}

/** Where a modifier sits: its channel and that channel's bins, and the sample's modifiers seen so far. */
interface ModifierSite {
  readonly channel: number;
  readonly bins: number;
  readonly seen: Set<string>;
  readonly path: IssuePath;
  /** the modifier, named for messages */
  readonly where: string;
}

const BinnedModelShape = z.object({
  /** names of the parameters of interest θ on which the polynomial yields depend (may be empty) */
  parameters: z.array(nonEmptyName),
  /** polynomial degree of the yields in θ */
  degree: z.number().int().min(0).max(8),
  /** θ0, same length as `parameters` */
  reference: z.array(z.number()),
  channels: z.array(ChannelSchema).min(1),
  parameterSettings: z.array(ParameterSettingSchema).optional(),
  /** defaults as pyhf's Model: normsys 'code4', histosys 'code4p' */
  interpolation: InterpolationSchema.optional(),
});
type Shape = z.infer<typeof BinnedModelShape>;

/** θ: one reference value per parameter, no name listed twice. Returns the names. */
function checkParametersOfInterest(spec: Shape, report: Report): Set<string> {
  const P = spec.parameters.length;
  if (spec.reference.length !== P) report(`reference has ${spec.reference.length} values but there are ${P} parameters`, ['reference']);
  const thetaNames = new Set<string>();
  spec.parameters.forEach((name, i) => {
    if (thetaNames.has(name)) report(`parameter '${name}' is listed twice`, ['parameters', i]);
    thetaNames.add(name);
  });
  return thetaNames;
}

/** Channels and samples: unique names, one number of bins per channel, coefficient vectors of length C; then every modifier. */
function checkChannels(spec: Shape, thetaNames: Set<string>, report: Report): ModifierNames {
  const P = spec.parameters.length;
  const C = basisSize(P, spec.degree);
  const names: ModifierNames = { theta: thetaNames, family: new Map(), perBin: new Map() };
  const channelNames = new Set<string>();
  spec.channels.forEach((channel, c) => {
    const cpath = ['channels', c];
    if (channelNames.has(channel.name)) report(`channel '${channel.name}' is defined twice`, [...cpath, 'name']);
    channelNames.add(channel.name);
    if (channel.samples.length === 0) return; // reported by the schema's min(1)
    const bins = channel.samples[0].coefficients.length;
    if (bins === 0) report(`channel '${channel.name}' has no bins (sample '${channel.samples[0].name}' has no coefficient vectors)`, [...cpath, 'samples', 0, 'coefficients']);
    const sampleNames = new Set<string>();
    channel.samples.forEach((sample, s) => {
      const spath = [...cpath, 'samples', s];
      const where = `channel '${channel.name}', sample '${sample.name}'`;
      if (sampleNames.has(sample.name)) report(`${where}: sample name used twice in the channel`, [...spath, 'name']);
      sampleNames.add(sample.name);
      if (sample.coefficients.length !== bins) {
        report(`${where}: has ${sample.coefficients.length} bins but the channel's first sample has ${bins}`, [...spath, 'coefficients']);
      }
      sample.coefficients.forEach((vector, b) => {
        if (vector.length !== C) {
          report(`${where}, bin ${b}: coefficient vector has length ${vector.length}, expected C = ${C} (P = ${P} parameters, degree ${spec.degree})`, [...spath, 'coefficients', b]);
        }
      });
      const seen = new Set<string>();
      sample.modifiers.forEach((m, k) => {
        checkModifier(m, { channel: c, bins, seen, path: [...spath, 'modifiers', k], where: `${where}, ${m.type} modifier '${m.name}'` }, names, report);
      });
    });
  });
  return names;
}

/** One modifier: carried once by its sample, not named like a θ, its name in one paramset family, its data, its per-bin reuse. */
function checkModifier(m: Modifier, site: ModifierSite, names: ModifierNames, report: Report): void {
  const { path: mpath, where: mwhere } = site;
  const key = `${m.type}/${m.name}`;
  if (site.seen.has(key)) report(`${mwhere}: the sample carries this modifier twice`, mpath);
  site.seen.add(key);
  if (names.theta.has(m.name)) report(`${mwhere}: the name is that of a parameter of interest`, [...mpath, 'name']);
  const fam = parameterFamily(m.type);
  const known = names.family.get(m.name);
  if (known && known.family !== fam) {
    report(`${mwhere}: the name is already used by a modifier of another kind (${known.family}); pyhf shares a name only between modifiers of one kind (normsys and histosys share)`, [...mpath, 'name']);
  } else if (!known) names.family.set(m.name, { family: fam, path: mpath });
  checkModifierData(m, site.bins, mwhere, mpath, report);
  if (isPerBin(m.type)) checkPerBinReuse(m, site, names.perBin, report);
}

/** A modifier's data against its channel: positive normsys factors, one entry per bin, non-negative uncertainties. */
function checkModifierData(m: Modifier, bins: number, mwhere: string, mpath: IssuePath, report: Report): void {
  switch (m.type) {
    case 'normsys':
      if (!(m.data.hi > 0) || !(m.data.lo > 0)) report(`${mwhere}: hi and lo must be positive factors, got hi = ${m.data.hi}, lo = ${m.data.lo}`, [...mpath, 'data']);
      break;
    case 'histosys':
      if (m.data.hi_data.length !== bins) report(`${mwhere}: hi_data has length ${m.data.hi_data.length}, expected ${bins} bins`, [...mpath, 'data', 'hi_data']);
      if (m.data.lo_data.length !== bins) report(`${mwhere}: lo_data has length ${m.data.lo_data.length}, expected ${bins} bins`, [...mpath, 'data', 'lo_data']);
      break;
    case 'staterror':
    case 'shapesys':
      if (m.data.length !== bins) report(`${mwhere}: data has length ${m.data.length}, expected ${bins} bins`, [...mpath, 'data']);
      m.data.forEach((u, b) => {
        if (u < 0) report(`${mwhere}: uncertainty in bin ${b} is negative (${u})`, [...mpath, 'data', b]);
      });
      break;
    default:
      break;
  }
}

/** pyhf's reuse rules for per-bin names: a shared shapefactor keeps its bins, a shapesys has one sample, a staterror one channel. */
function checkPerBinReuse(m: Modifier, site: ModifierSite, perBin: ModifierNames['perBin'], report: Report): void {
  const { bins, path: mpath, where: mwhere } = site;
  const use = perBin.get(m.name) ?? { type: m.type, channels: new Set<number>(), bins, uses: 0 };
  use.channels.add(site.channel);
  use.uses++;
  if (use.bins !== bins && m.type === 'shapefactor') {
    report(`${mwhere}: a shapefactor shared across channels needs the same number of bins in each (${use.bins} and ${bins})`, [...mpath, 'name']);
  }
  perBin.set(m.name, use);
  if (m.type === 'shapesys' && use.uses > 1) {
    report(`${mwhere}: a shapesys name may be used by one sample only (pyhf does not share shapesys parameters)`, [...mpath, 'name']);
  }
  if (m.type === 'staterror' && use.channels.size > 1) {
    report(`${mwhere}: a staterror name may be used in one channel only (one parameter per bin of its channel)`, [...mpath, 'name']);
  }
}

/**
 * The final parameter names (θ, scalar modifiers, name[b] for per-bin ones) must be unique.
 * Returns per-bin set name → number of components.
 */
function checkParameterNames(names: ModifierNames, report: Report): Map<string, number> {
  const components = new Map<string, number>();
  const scalar = new Set<string>();
  for (const [name, f] of names.family) {
    const use = names.perBin.get(name);
    if (use) components.set(name, use.bins);
    else if (f.family !== 'staterror' && f.family !== 'shapesys' && f.family !== 'shapefactor') scalar.add(name);
  }
  const allNames = new Set<string>(names.theta);
  for (const name of scalar) allNames.add(name);
  for (const [name, n] of components) {
    for (let b = 0; b < n; b++) {
      const full = `${name}[${b}]`;
      if (allNames.has(full)) report(`the per-bin parameter '${full}' collides with another parameter of that name`, names.family.get(name)!.path);
      allNames.add(full);
    }
  }
  return components;
}

/** The paramset family a setting addresses ('interest' for θ) and its number of components, or undefined for an unknown name. */
function settingTarget(name: string, names: ModifierNames, components: Map<string, number>): { fam: string; count: number } | undefined {
  if (names.theta.has(name)) return { fam: 'interest', count: 1 };
  if (names.family.has(name)) return { fam: names.family.get(name)!.family, count: components.get(name) ?? 1 };
  const match = /^(.*)\[(\d+)\]$/.exec(name);
  if (match && components.has(match[1]) && Number(match[2]) < components.get(match[1])!) return { fam: names.family.get(match[1])!.family, count: 1 };
  return undefined;
}

/** One parameter setting: a known name, ordered bounds, auxdata and sigmas only where the constraint uses them. Returns its family. */
function checkSetting(setting: ParameterSetting, path: IssuePath, names: ModifierNames, components: Map<string, number>, report: Report): string | undefined {
  const where = `parameter setting '${setting.name}'`;
  const target = settingTarget(setting.name, names, components);
  if (target === undefined) {
    report(`${where}: no parameter of this model has that name`, [...path, 'name']);
    return undefined;
  }
  const { fam, count } = target;
  if (setting.bounds && !(setting.bounds[0] <= setting.bounds[1])) report(`${where}: bounds [${setting.bounds}] are not ordered`, [...path, 'bounds']);
  const normal = fam === 'alpha' || fam === 'lumi' || fam === 'staterror';
  const constrained = normal || fam === 'shapesys';
  if (setting.auxdata) {
    if (!constrained) report(`${where}: the parameter has no constraint, so no auxdata`, [...path, 'auxdata']);
    else if (setting.auxdata.length !== count) report(`${where}: auxdata has ${setting.auxdata.length} values, expected ${count}`, [...path, 'auxdata']);
    else if (fam === 'shapesys' && setting.auxdata.some((a) => a < 0)) report(`${where}: Poisson auxdata must be non-negative`, [...path, 'auxdata']);
  }
  if (setting.sigmas) {
    if (!normal) report(`${where}: only normal-constrained parameters (normsys, histosys, lumi, staterror) take sigmas`, [...path, 'sigmas']);
    else if (setting.sigmas.length !== count) report(`${where}: sigmas has ${setting.sigmas.length} values, expected ${count}`, [...path, 'sigmas']);
    else if (setting.sigmas.some((s) => !(s > 0))) report(`${where}: sigmas must be positive`, [...path, 'sigmas']);
  }
  return fam;
}

/** Parameter settings: each checked, none given twice; every lumi modifier needs one with auxdata and sigmas. */
function checkParameterSettings(settings: readonly ParameterSetting[], names: ModifierNames, components: Map<string, number>, report: Report): void {
  const settingNames = new Set<string>();
  const lumiSettings = new Map<string, { auxdata: boolean; sigmas: boolean }>();
  settings.forEach((setting, i) => {
    const path = ['parameterSettings', i];
    if (settingNames.has(setting.name)) report(`parameter setting '${setting.name}': given twice`, [...path, 'name']);
    settingNames.add(setting.name);
    const fam = checkSetting(setting, path, names, components, report);
    if (fam === 'lumi') lumiSettings.set(setting.name, { auxdata: !!setting.auxdata, sigmas: !!setting.sigmas });
  });
  for (const [name, f] of names.family) {
    if (f.family !== 'lumi') continue;
    const s = lumiSettings.get(name);
    if (!s || !s.auxdata || !s.sigmas) {
      report(`lumi modifier '${name}' needs a parameter setting with auxdata [luminosity] and sigmas [its uncertainty] (pyhf's measurement config)`, f.path);
    }
  }
}

/** The whole specification; the refinement checks what ties its fields together, in the order of the fields. */
export const BinnedModelSchema = BinnedModelShape.superRefine((spec, ctx) => {
  const report: Report = (message, path) => ctx.addIssue({ code: 'custom', message, path });
  const thetaNames = checkParametersOfInterest(spec, report);
  const names = checkChannels(spec, thetaNames, report);
  const components = checkParameterNames(names, report);
  checkParameterSettings(spec.parameterSettings ?? [], names, components, report);
}, afterStructure);

export type BinnedModelSpec = z.infer<typeof BinnedModelSchema>;

/** A specification that failed validation; `issues` are zod's, with paths into the spec. */
export class InvalidBinnedModelError extends Error {
  constructor(readonly issues: z.ZodError["issues"]) {
    super(`invalid binned model:\n${z.prettifyError(new z.ZodError(issues))}`);
    this.name = 'InvalidBinnedModelError';
  }
}

/** Parses and validates a specification, throwing `InvalidBinnedModelError` with every problem found. */
export function parseBinnedModel(spec: unknown): BinnedModelSpec {
  const parsed = BinnedModelSchema.safeParse(spec);
  if (!parsed.success) throw new InvalidBinnedModelError(parsed.error.issues);
  return parsed.data;
}
