/**
 * HS3 (the HEP Statistics Serialization Standard, v0.2: what ROOT ≥ 6.30 and pyhs3 read and
 * ATLAS publishes in) for HistFactory models: a pyhf workspace written as HS3 and HS3's
 * HistFactory subset read back as a pyhf workspace, so that an HS3 file is published like any
 * workspace (issue 25 item 4).
 *
 * The mapping, per channel c with samples s:
 * - `histfactory_dist` `model_c` with one axis of the channel's bins and its samples, each with
 *   `data.contents` (and `data.errors`, the staterror's absolute uncertainties, as ROOT writes);
 * - modifiers: normfactor, normsys (`data.{hi, lo}`), histosys (`data.{hi, lo}.contents`),
 *   staterror (`constraint: "Gauss"`), shapesys (`constraint: "Poisson"`, `data.vals` relative
 *   to the nominal, as ROOT's ShapeSys), shapefactor; pyhf's `lumi` is a normfactor of the
 *   parameter `lumi` with a `gaussian_dist` constraint, as ROOT writes the luminosity;
 * - every normsys and histosys parameter α gets `gaussian_dist` `α_constraint` (mean: the global
 *   observable `nom_α`, σ = 1) among the likelihood's `aux_distributions`;
 * - observations as `binned` data `obsData_c`; parameter ranges in the `default_domain`, initial
 *   values and global observables in the `default_values` parameter point; the POI in `analyses`.
 * Per-bin parameters keep pyhf's names, `name[b]`.
 */
import { z } from 'zod';
import type { PyhfModifier, PyhfWorkspace } from './workspace-schema.js';

export const HS3_VERSION = '0.2';

const Axis = z.object({ name: z.string(), min: z.number(), max: z.number(), nbins: z.number().int().positive() });
const Contents = z.object({ contents: z.array(z.number()) });
const Hs3Modifier = z.discriminatedUnion('type', [
  z.object({ type: z.literal('normfactor'), name: z.string(), parameter: z.string() }),
  z.object({ type: z.literal('normsys'), name: z.string(), parameter: z.string(), data: z.object({ hi: z.number(), lo: z.number() }) }),
  z.object({ type: z.literal('histosys'), name: z.string(), parameter: z.string(), data: z.object({ hi: Contents, lo: Contents }) }),
  z.object({ type: z.literal('staterror'), name: z.string(), parameters: z.array(z.string()), constraint: z.literal('Gauss').default('Gauss') }),
  z.object({ type: z.literal('shapesys'), name: z.string(), parameters: z.array(z.string()), constraint: z.literal('Poisson').default('Poisson'), data: z.object({ vals: z.array(z.number()) }) }),
  z.object({ type: z.literal('shapefactor'), name: z.string(), parameters: z.array(z.string()) }),
]);
const HistFactoryDist = z.object({
  type: z.literal('histfactory_dist'),
  name: z.string(),
  axes: z.array(Axis).length(1),
  samples: z.array(z.object({ name: z.string(), data: z.object({ contents: z.array(z.number()), errors: z.array(z.number()).optional() }), modifiers: z.array(Hs3Modifier) })).min(1),
});
const GaussianDist = z.object({ type: z.literal('gaussian_dist'), name: z.string(), x: z.string(), mean: z.union([z.string(), z.number()]), sigma: z.union([z.string(), z.number()]) });

/** The HistFactory subset of HS3 that this service reads (other distribution types are refused by name). */
export const Hs3DocumentSchema = z.object({
  distributions: z.array(z.union([HistFactoryDist, GaussianDist, z.object({ type: z.string(), name: z.string() }).passthrough()])),
  data: z.array(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('binned'), name: z.string(), axes: z.array(Axis), contents: z.array(z.number()) }),
      z.object({ type: z.literal('unbinned'), name: z.string(), axes: z.array(z.object({ name: z.string(), min: z.number().optional(), max: z.number().optional() })), entries: z.array(z.array(z.number())), weights: z.array(z.number()).optional() }),
    ]),
  ),
  likelihoods: z.array(z.object({ name: z.string(), distributions: z.array(z.string()), data: z.array(z.string()), aux_distributions: z.array(z.string()).optional() })).min(1),
  domains: z.array(z.object({ name: z.string(), type: z.literal('product_domain'), axes: z.array(z.object({ name: z.string(), min: z.number().optional(), max: z.number().optional() })) })).default([]),
  parameter_points: z.array(z.object({ name: z.string(), parameters: z.array(z.object({ name: z.string(), value: z.number(), const: z.boolean().optional() })) })).default([]),
  analyses: z.array(z.object({ name: z.string(), likelihood: z.string(), parameters_of_interest: z.array(z.string()).optional(), domains: z.array(z.string()).optional(), init: z.string().optional() })).min(1),
  metadata: z.object({ hs3_version: z.string() }).passthrough(),
});
export type Hs3Document = z.infer<typeof Hs3DocumentSchema>;

/** A valid HS3 document outside the HistFactory subset pyhf can express. */
export class Hs3ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Hs3ModelError';
  }
}

const componentNames = (name: string, bins: number) => Array.from({ length: bins }, (_, b) => `${name}[${b}]`);

/** A pyhf workspace (its first measurement) as an HS3 document named `name`. */
export function workspaceToHs3(workspace: PyhfWorkspace, name: string, producer: { name: string; version: string }): Hs3Document {
  const measurement = workspace.measurements[0];
  const config = new Map(measurement.config.parameters.map((p) => [p.name, p]));
  const constraints = new Map<string, z.infer<typeof GaussianDist>>();
  const globals = new Map<string, number>();
  const ranges = new Map<string, [number, number]>();
  const inits = new Map<string, number>();
  const fixed = new Set<string>();
  // a parameter set's configuration, per component
  const configure = (set: string, components: string[], init: number, range: [number, number]) => {
    const c = config.get(set);
    components.forEach((component, b) => {
      inits.set(component, c?.inits?.[b] ?? init);
      ranges.set(component, (c?.bounds?.[b] as [number, number] | undefined) ?? range);
      if (c?.fixed) fixed.add(component);
    });
  };
  const alpha = (parameter: string) => {
    if (constraints.has(parameter)) return;
    constraints.set(parameter, { type: 'gaussian_dist', name: `${parameter}_constraint`, x: parameter, mean: `nom_${parameter}`, sigma: 1 });
    globals.set(`nom_${parameter}`, 0);
    configure(parameter, [parameter], 0, [-5, 5]);
  };
  const distributions = workspace.channels.map((channel) => {
    const bins = channel.samples[0].data.length;
    return {
      type: 'histfactory_dist' as const,
      name: `model_${channel.name}`,
      axes: [{ name: `obs_x_${channel.name}`, min: 0, max: bins, nbins: bins }],
      samples: channel.samples.map((sample) => {
        const errors = sample.modifiers.find((m) => m.type === 'staterror')?.data as number[] | undefined;
        return {
          name: sample.name,
          data: { contents: [...sample.data], ...(errors ? { errors: [...errors] } : {}) },
          modifiers: sample.modifiers.map((m): z.infer<typeof Hs3Modifier> => {
            switch (m.type) {
              case 'normfactor':
                configure(m.name, [m.name], 1, [0, 10]);
                return { type: 'normfactor', name: m.name, parameter: m.name };
              case 'lumi': {
                const c = config.get('lumi');
                constraints.set('lumi', { type: 'gaussian_dist', name: 'lumi_constraint', x: 'lumi', mean: 'nominal_lumi', sigma: c?.sigmas?.[0] ?? NaN });
                globals.set('nominal_lumi', c?.auxdata?.[0] ?? NaN);
                configure('lumi', ['lumi'], c?.auxdata?.[0] ?? 1, [0, 10]);
                return { type: 'normfactor', name: 'lumi', parameter: 'lumi' };
              }
              case 'normsys':
                alpha(m.name);
                return { type: 'normsys', name: m.name, parameter: m.name, data: { hi: m.data.hi, lo: m.data.lo } };
              case 'histosys':
                alpha(m.name);
                return { type: 'histosys', name: m.name, parameter: m.name, data: { hi: { contents: [...m.data.hi_data] }, lo: { contents: [...m.data.lo_data] } } };
              case 'staterror':
                configure(m.name, componentNames(m.name, bins), 1, [1e-10, 10]);
                return { type: 'staterror', name: m.name, parameters: componentNames(m.name, bins), constraint: 'Gauss' };
              case 'shapesys':
                configure(m.name, componentNames(m.name, bins), 1, [1e-10, 10]);
                return { type: 'shapesys', name: m.name, parameters: componentNames(m.name, bins), constraint: 'Poisson', data: { vals: m.data.map((v, b) => (sample.data[b] === 0 ? 0 : v / sample.data[b])) } };
              case 'shapefactor':
                configure(m.name, componentNames(m.name, bins), 1, [0, 10]);
                return { type: 'shapefactor', name: m.name, parameters: componentNames(m.name, bins) };
            }
          }),
        };
      }),
    };
  });
  const observations = new Map(workspace.observations.map((o) => [o.name, o.data]));
  const data = workspace.channels.map((channel) => ({ type: 'binned' as const, name: `obsData_${channel.name}`, axes: distributions.find((d) => d.name === `model_${channel.name}`)!.axes, contents: [...(observations.get(channel.name) ?? [])] }));
  return {
    distributions: [...distributions, ...constraints.values()],
    data,
    likelihoods: [{ name, distributions: distributions.map((d) => d.name), data: data.map((d) => d.name), aux_distributions: [...constraints.values()].map((c) => c.name) }],
    domains: [{ name: 'default_domain', type: 'product_domain', axes: [...ranges].map(([parameter, [min, max]]) => ({ name: parameter, min, max })) }],
    parameter_points: [
      {
        name: 'default_values',
        parameters: [...[...inits].map(([parameter, value]) => ({ name: parameter, value, ...(fixed.has(parameter) ? { const: true } : {}) })), ...[...globals].map(([parameter, value]) => ({ name: parameter, value, const: true }))],
      },
    ],
    analyses: [{ name, likelihood: name, parameters_of_interest: [measurement.config.poi], domains: ['default_domain'], init: 'default_values' }],
    metadata: { hs3_version: HS3_VERSION, packages: [producer] },
  };
}

/** The HistFactory subset of an HS3 document (its first analysis) as a pyhf workspace; `Hs3ModelError` for what pyhf cannot express. */
export function hs3ToWorkspace(input: unknown): PyhfWorkspace {
  const doc = Hs3DocumentSchema.parse(input);
  const analysis = doc.analyses[0];
  const likelihood = doc.likelihoods.find((l) => l.name === analysis.likelihood);
  if (!likelihood) throw new Hs3ModelError(`the analysis '${analysis.name}' names the likelihood '${analysis.likelihood}', which the document does not hold`);
  const byName = new Map(doc.distributions.map((d) => [d.name, d]));
  const point = new Map((doc.parameter_points.find((p) => p.name === analysis.init) ?? doc.parameter_points[0])?.parameters.map((p) => [p.name, p]) ?? []);
  const domain = new Map((doc.domains.find((d) => d.name === analysis.domains?.[0]) ?? doc.domains[0])?.axes.map((a) => [a.name, a]) ?? []);
  const constraints = new Map<string, z.infer<typeof GaussianDist>>();
  for (const name of likelihood.aux_distributions ?? []) {
    const d = byName.get(name);
    const parsed = GaussianDist.safeParse(d);
    if (!parsed.success) throw new Hs3ModelError(`the constraint '${name}' is ${d ? `a ${d.type}` : 'missing'}; this service reads gaussian_dist constraints`);
    constraints.set(parsed.data.x, parsed.data);
  }
  const value = (v: string | number) => (typeof v === 'number' ? v : point.get(v)?.value ?? NaN);
  const configs = new Map<string, { name: string; inits: number[]; bounds: [number, number][]; fixed: boolean; auxdata?: number[]; sigmas?: number[] }>();
  const configure = (set: string, components: string[]) => {
    if (configs.has(set)) return;
    const known = components.filter((c) => point.has(c) || domain.has(c));
    if (!known.length) return;
    configs.set(set, {
      name: set,
      inits: components.map((c) => point.get(c)?.value ?? NaN),
      bounds: components.map((c) => [domain.get(c)?.min ?? -Infinity, domain.get(c)?.max ?? Infinity]),
      fixed: components.every((c) => point.get(c)?.const === true),
    });
  };
  const channels = likelihood.distributions.map((name, k) => {
    const parsed = HistFactoryDist.safeParse(byName.get(name));
    if (!parsed.success) throw new Hs3ModelError(`the distribution '${name}' is not a histfactory_dist this service reads: ${parsed.error.issues[0]?.message ?? ''}`);
    const dist = parsed.data;
    const observed = doc.data.find((d) => d.name === likelihood.data[k]);
    if (!observed) throw new Hs3ModelError(`the likelihood '${likelihood.name}' names the data '${likelihood.data[k]}', which the document does not hold`);
    if (observed.type !== 'binned') throw new Hs3ModelError(`the data '${observed.name}' are ${observed.type}; a HistFactory channel needs binned data`);
    const channel = dist.name.replace(/^model_/, '');
    const samples = dist.samples.map((sample) => ({
      name: sample.name,
      data: sample.data.contents,
      modifiers: sample.modifiers.map((m): PyhfModifier => {
        switch (m.type) {
          case 'normfactor': {
            const constraint = constraints.get(m.parameter);
            if (m.parameter === 'lumi' && constraint) {
              configs.set('lumi', { name: 'lumi', inits: [point.get('lumi')?.value ?? value(constraint.mean)], bounds: [[domain.get('lumi')?.min ?? 0, domain.get('lumi')?.max ?? 10]], fixed: point.get('lumi')?.const === true, auxdata: [value(constraint.mean)], sigmas: [value(constraint.sigma)] });
              return { name: 'lumi', type: 'lumi', data: null };
            }
            if (constraint) throw new Hs3ModelError(`the normfactor '${m.parameter}' has a Gaussian constraint; pyhf constrains only the luminosity, 'lumi'`);
            configure(m.parameter, [m.parameter]);
            return { name: m.parameter, type: 'normfactor', data: null };
          }
          case 'normsys':
          case 'histosys': {
            const constraint = constraints.get(m.parameter);
            if (!constraint || value(constraint.sigma) !== 1 || value(constraint.mean) !== 0) throw new Hs3ModelError(`the ${m.type} parameter '${m.parameter}' needs a unit gaussian_dist constraint around 0 among the aux_distributions (pyhf's)`);
            configure(m.parameter, [m.parameter]);
            return m.type === 'normsys' ? { name: m.parameter, type: 'normsys', data: { hi: m.data.hi, lo: m.data.lo } } : { name: m.parameter, type: 'histosys', data: { hi_data: m.data.hi.contents, lo_data: m.data.lo.contents } };
          }
          case 'staterror':
            if (!sample.data.errors) throw new Hs3ModelError(`sample '${sample.name}' of '${dist.name}' has a staterror but no data.errors`);
            configure(m.name, m.parameters);
            return { name: m.name, type: 'staterror', data: sample.data.errors };
          case 'shapesys':
            configure(m.name, m.parameters);
            return { name: m.name, type: 'shapesys', data: m.data.vals.map((v, b) => v * sample.data.contents[b]) };
          case 'shapefactor':
            configure(m.name, m.parameters);
            return { name: m.name, type: 'shapefactor', data: null };
        }
      }),
    }));
    return { channel: { name: channel, samples }, observation: { name: channel, data: observed.contents } };
  });
  const poi = analysis.parameters_of_interest?.[0];
  if (!poi) throw new Hs3ModelError(`the analysis '${analysis.name}' names no parameter of interest`);
  // only what differs from pyhf's defaults is configured, as pyhf writes workspaces
  const parameters = [...configs.values()].map(({ name, inits, bounds, fixed, auxdata, sigmas }) => ({
    name,
    ...(inits.every(Number.isFinite) ? { inits } : {}),
    ...(bounds.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi)) ? { bounds } : {}),
    ...(fixed ? { fixed } : {}),
    ...(auxdata ? { auxdata } : {}),
    ...(sigmas ? { sigmas } : {}),
  }));
  return {
    channels: channels.map((c) => c.channel),
    observations: channels.map((c) => c.observation),
    measurements: [{ name: analysis.name, config: { poi, parameters } }],
    version: '1.0.0',
  } as PyhfWorkspace;
}
