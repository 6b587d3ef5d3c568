/**
 * zod schemas of pyhf's JSON formats, schema version 1.0.0 (pyhf `schemas/1.0.0/defs.json`):
 * the workspace (channels, samples, the seven HistFactory modifiers, observations,
 * measurements with their POI and parameter configuration), RFC 6902 JSON Patch documents
 * and patchsets (patches with names and label values, digests of the background-only
 * workspace they were made for).
 *
 * Objects are strict where pyhf's schema says `additionalProperties: false`, so a document
 * pyhf rejects is rejected here too, with zod's issue paths pointing into the document.
 * Beyond the JSON Schema, a refinement checks what pyhf checks when it builds a Workspace
 * and a Model: unique channel, sample, measurement and observation names, an observation
 * of the right length for every channel, modifier data of the sample's length.
 */
import { z } from 'zod';
import { afterStructure } from '../schema-checks.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const numbers = z.array(finite);
const nonEmptyNumbers = numbers.min(1);

export const PyhfHistosysSchema = z.strictObject({
  name: z.string(),
  type: z.literal('histosys'),
  data: z.strictObject({ lo_data: nonEmptyNumbers, hi_data: nonEmptyNumbers }),
});
/** pyhf allows one luminosity modifier name: `lumi` */
export const PyhfLumiSchema = z.strictObject({ name: z.literal('lumi'), type: z.literal('lumi'), data: z.null() });
export const PyhfNormfactorSchema = z.strictObject({ name: z.string(), type: z.literal('normfactor'), data: z.null() });
export const PyhfNormsysSchema = z.strictObject({ name: z.string(), type: z.literal('normsys'), data: z.strictObject({ lo: finite, hi: finite }) });
export const PyhfShapefactorSchema = z.strictObject({ name: z.string(), type: z.literal('shapefactor'), data: z.null() });
export const PyhfShapesysSchema = z.strictObject({ name: z.string(), type: z.literal('shapesys'), data: nonEmptyNumbers });
export const PyhfStaterrorSchema = z.strictObject({ name: z.string(), type: z.literal('staterror'), data: nonEmptyNumbers });

export const PyhfModifierSchema = z.discriminatedUnion('type', [
  PyhfHistosysSchema,
  PyhfLumiSchema,
  PyhfNormfactorSchema,
  PyhfNormsysSchema,
  PyhfShapefactorSchema,
  PyhfShapesysSchema,
  PyhfStaterrorSchema,
]);
export type PyhfModifier = z.infer<typeof PyhfModifierSchema>;

export const PyhfSampleSchema = z.strictObject({ name: z.string(), data: nonEmptyNumbers, modifiers: z.array(PyhfModifierSchema) });
export type PyhfSample = z.infer<typeof PyhfSampleSchema>;

export const PyhfChannelSchema = z.strictObject({ name: z.string(), samples: z.array(PyhfSampleSchema).min(1) });
export type PyhfChannel = z.infer<typeof PyhfChannelSchema>;

/**
 * A measurement's configuration of one parameter set (all its components): lists have one
 * entry per component (`bounds` a [lower, upper] pair per component).
 */
export const PyhfParameterConfigSchema = z.strictObject({
  name: z.string(),
  inits: nonEmptyNumbers.optional(),
  bounds: z.array(z.tuple([finite, finite])).min(1).optional(),
  auxdata: nonEmptyNumbers.optional(),
  factors: nonEmptyNumbers.optional(),
  sigmas: nonEmptyNumbers.optional(),
  fixed: z.boolean().optional(),
});
export type PyhfParameterConfig = z.infer<typeof PyhfParameterConfigSchema>;

export const PyhfMeasurementSchema = z.strictObject({
  name: z.string(),
  config: z.strictObject({ poi: z.string(), parameters: z.array(PyhfParameterConfigSchema) }),
});
export type PyhfMeasurement = z.infer<typeof PyhfMeasurementSchema>;

export const PyhfObservationSchema = z.strictObject({ name: z.string(), data: nonEmptyNumbers });

function modifierLengthIssues(sample: PyhfSample): { message: string; path: (string | number)[] }[] {
  const issues: { message: string; path: (string | number)[] }[] = [];
  const bins = sample.data.length;
  sample.modifiers.forEach((m, k) => {
    const at = (field: string, n: number) => {
      if (n !== bins) issues.push({ message: `${m.type} modifier '${m.name}': ${field} has ${n} values but sample '${sample.name}' has ${bins} bins`, path: ['modifiers', k, 'data', ...(field === 'data' ? [] : [field])] });
    };
    if (m.type === 'histosys') {
      at('hi_data', m.data.hi_data.length);
      at('lo_data', m.data.lo_data.length);
    } else if (m.type === 'shapesys' || m.type === 'staterror') at('data', m.data.length);
  });
  return issues;
}

export const PyhfWorkspaceSchema = z
  .strictObject({
    channels: z.array(PyhfChannelSchema).min(1),
    measurements: z.array(PyhfMeasurementSchema).min(1),
    observations: z.array(PyhfObservationSchema).min(1),
    version: z.literal('1.0.0'),
  })
  .superRefine((ws, ctx) => {
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
    const channels = new Map<string, number>();
    ws.channels.forEach((channel, c) => {
      if (channels.has(channel.name)) issue(`channel '${channel.name}' is defined twice`, ['channels', c, 'name']);
      const bins = channel.samples[0].data.length;
      channels.set(channel.name, bins);
      const samples = new Set<string>();
      channel.samples.forEach((sample, s) => {
        const path = ['channels', c, 'samples', s];
        if (samples.has(sample.name)) issue(`channel '${channel.name}': sample '${sample.name}' is defined twice`, [...path, 'name']);
        samples.add(sample.name);
        if (sample.data.length !== bins) issue(`channel '${channel.name}': sample '${sample.name}' has ${sample.data.length} bins, the channel's first sample ${bins}`, [...path, 'data']);
        for (const { message, path: p } of modifierLengthIssues(sample)) issue(`channel '${channel.name}', ${message}`, [...path, ...p]);
      });
    });
    const observed = new Set<string>();
    ws.observations.forEach((obs, o) => {
      if (observed.has(obs.name)) issue(`observation '${obs.name}' is given twice`, ['observations', o, 'name']);
      observed.add(obs.name);
      const bins = channels.get(obs.name);
      // an observation of no channel is allowed, as in pyhf (a patch may remove a channel)
      if (bins !== undefined && obs.data.length !== bins) issue(`observation '${obs.name}' has ${obs.data.length} counts but the channel has ${bins} bins`, ['observations', o, 'data']);
    });
    for (const name of channels.keys()) if (!observed.has(name)) issue(`channel '${name}' has no observation`, ['observations']);
    const measurements = new Set<string>();
    ws.measurements.forEach((m, i) => {
      if (measurements.has(m.name)) issue(`measurement '${m.name}' is defined twice`, ['measurements', i, 'name']);
      measurements.add(m.name);
      const configured = new Set<string>();
      m.config.parameters.forEach((p, j) => {
        if (configured.has(p.name)) issue(`measurement '${m.name}': parameter '${p.name}' is configured twice`, ['measurements', i, 'config', 'parameters', j, 'name']);
        configured.add(p.name);
      });
    });
  }, afterStructure);
export type PyhfWorkspace = z.infer<typeof PyhfWorkspaceSchema>;

// ---- RFC 6902 JSON Patch ----

const pointer = z.string().refine((p) => p === '' || p.startsWith('/'), 'a JSON Pointer is empty or starts with "/"');
export const JsonPatchOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: pointer, value: z.unknown() }),
  z.object({ op: z.literal('remove'), path: pointer }),
  z.object({ op: z.literal('replace'), path: pointer, value: z.unknown() }),
  z.object({ op: z.literal('move'), path: pointer, from: pointer }),
  z.object({ op: z.literal('copy'), path: pointer, from: pointer }),
  z.object({ op: z.literal('test'), path: pointer, value: z.unknown() }),
]);
export type JsonPatchOperation = z.infer<typeof JsonPatchOperationSchema>;
/** `value` is required for add, replace and test (z.unknown() alone accepts a missing key) */
export const JsonPatchSchema = z.array(JsonPatchOperationSchema).superRefine((ops, ctx) => {
  ops.forEach((op, i) => {
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needsValue && !Object.prototype.hasOwnProperty.call(op, 'value')) ctx.addIssue({ code: 'custom', message: `'${op.op}' needs a value`, path: [i, 'value'] });
  });
}, afterStructure);

// ---- patchsets ----

const label = z.string().regex(/^[a-zA-Z0-9_]+$/, 'letters, digits and underscores only');
export const PyhfPatchSchema = z.strictObject({
  metadata: z.looseObject({ name: label, values: z.array(z.union([finite, z.string()])) }),
  patch: JsonPatchSchema,
});
export type PyhfPatch = z.infer<typeof PyhfPatchSchema>;

export const PyhfPatchSetSchema = z
  .strictObject({
    metadata: z.looseObject({
      description: z.string(),
      digests: z
        .strictObject({
          md5: z.string().regex(/^[a-f0-9]{32}$/, '32 lower-case hex digits').optional(),
          sha256: z.string().regex(/^[a-fA-F0-9]{64}$/, '64 hex digits').optional(),
        })
        .refine((d) => d.md5 !== undefined || d.sha256 !== undefined, 'at least one digest (sha256 or md5)'),
      labels: z.array(label).min(1),
      references: z.strictObject({ hepdata: z.string().regex(/^ins[0-9]{7}$/, "an INSPIRE id 'ins' + 7 digits") }),
    }),
    patches: z.array(PyhfPatchSchema).min(1),
    version: z.literal('1.0.0'),
  })
  .superRefine((ps, ctx) => {
    const names = new Set<string>();
    const values = new Set<string>();
    ps.patches.forEach((p, i) => {
      const path = ['patches', i, 'metadata'];
      if (names.has(p.metadata.name)) ctx.addIssue({ code: 'custom', message: `patch name '${p.metadata.name}' is used twice`, path: [...path, 'name'] });
      names.add(p.metadata.name);
      const key = JSON.stringify(p.metadata.values);
      if (values.has(key)) ctx.addIssue({ code: 'custom', message: `patch values ${key} are used twice`, path: [...path, 'values'] });
      values.add(key);
      if (p.metadata.values.length !== ps.metadata.labels.length) {
        ctx.addIssue({ code: 'custom', message: `patch '${p.metadata.name}' has ${p.metadata.values.length} values but the patchset has ${ps.metadata.labels.length} labels`, path: [...path, 'values'] });
      }
    });
  }, afterStructure);
export type PyhfPatchSet = z.infer<typeof PyhfPatchSetSchema>;

/** A pyhf document that failed validation; `issues` are zod's, with paths into the document. */
export class InvalidPyhfDocumentError extends Error {
  constructor(
    readonly document: 'workspace' | 'patchset' | 'JSON patch',
    readonly issues: z.ZodError['issues'],
  ) {
    super(`invalid pyhf ${document}:\n${z.prettifyError(new z.ZodError(issues))}`);
    this.name = 'InvalidPyhfDocumentError';
  }
}

/** A valid document that asks for what cannot be done (an unknown measurement or POI, a configuration pyhf refuses too, a model pyhf cannot express). */
export class PyhfModelError extends Error {
  override readonly name = 'PyhfModelError';
}

export function parseWorkspace(input: unknown): PyhfWorkspace {
  const parsed = PyhfWorkspaceSchema.safeParse(input);
  if (!parsed.success) throw new InvalidPyhfDocumentError('workspace', parsed.error.issues);
  return parsed.data;
}

export function parsePatchSet(input: unknown): PyhfPatchSet {
  const parsed = PyhfPatchSetSchema.safeParse(input);
  if (!parsed.success) throw new InvalidPyhfDocumentError('patchset', parsed.error.issues);
  return parsed.data;
}

export function parseJsonPatch(input: unknown): JsonPatchOperation[] {
  const parsed = JsonPatchSchema.safeParse(input);
  if (!parsed.success) throw new InvalidPyhfDocumentError('JSON patch', parsed.error.issues);
  return parsed.data;
}
