/**
 * Our binned model back to a pyhf workspace (`exportWorkspace`), the inverse of the import
 * (`import.ts`), so that a published binned likelihood can be checked or used with pyhf itself.
 *
 * The export is exact for specs without polynomial parameters: yields at θ are evaluated on the
 * monomial basis, histosys templates keep their absolute shifts, and staterror/shapesys
 * uncertainties are rescaled so that the relative widths (and thus σ_b and τ_b) are those of our
 * term, which fixes them at θ0. A polynomial parameter cannot be a pyhf modifier: its value is
 * frozen at the export point, and a measurement POI naming it is written as "" (pyhf's
 * POI-less model).
 */
import { evaluateMonomials, monomialBasis } from '../basis/monomial-basis.js';
import { compileBinnedModel } from '../terms/binned/term.js';
import { isPerBin, parseBinnedModel, type BinnedModelSpec, type ModifierType, type ParameterSetting } from '../terms/binned/schema.js';
import { parseWorkspace, type PyhfChannel, type PyhfModifier, type PyhfParameterConfig, type PyhfWorkspace, PyhfModelError } from './workspace-schema.js';

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
    throw new PyhfModelError('pyhf workspaces carry no interpolation codes: only the defaults (normsys code4, histosys code4p) can be exported');
  }
  const P = spec.parameters.length;
  const theta = Float64Array.from(spec.reference);
  for (const [name, value] of Object.entries(options.at ?? {})) {
    const i = spec.parameters.indexOf(name);
    if (i < 0) throw new PyhfModelError(`'${name}' is not a polynomial parameter of the model (${spec.parameters.join(', ') || 'it has none'})`);
    if (!Number.isFinite(value)) throw new PyhfModelError(`'${name}' must be finite`);
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
    if (at0 > 0 !== at > 0) throw new PyhfModelError(`${what}: the yield is ${at0} at θ0 and ${at} at the export point, so pyhf would constrain the bin differently from our term`);
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
            if (m.name !== 'lumi') throw new PyhfModelError(`${where}: pyhf names its luminosity modifier 'lumi'`);
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
      if (!flags.every((f) => f === flags[0])) throw new PyhfModelError(`parameter '${name}': pyhf's measurement configuration has one 'fixed' flag per parameter set, but its components differ`);
      config.fixed = flags[0];
    }
    const constraints = components.map((p) => term.constraints.find((c) => c.parameter === p.name));
    if (any('auxdata') && constraints.every((c) => c !== undefined)) config.auxdata = constraints.map((c) => c!.aux);
    if (any('sigmas') && constraints.every((c) => c !== undefined && c.kind === 'normal')) config.sigmas = constraints.map((c) => c!.sigma);
    parameters.push(config);
  }

  const poiName = poi !== null && setTypes.has(poi) ? poi : '';
  if (poi !== null && poiName === '' && !spec.parameters.includes(poi)) throw new PyhfModelError(`the POI '${poi}' is not a parameter of the model`);
  const obs = spec.channels.map((c) => {
    const data = observations[c.name];
    if (!data) throw new PyhfModelError(`no observations for channel '${c.name}'`);
    return { name: c.name, data: [...data] };
  });
  return parseWorkspace({ channels, observations: obs, measurements: [{ name: options.measurement ?? 'measurement', config: { poi: poiName, parameters } }], version: '1.0.0' });
}
