/**
 * Binned templates from events (seed 000 sec. 4): each event is assigned a category (from the
 * background-rejection network) and a bin of its category (from the parameter network's
 * output and the category's optimal binning); a template is, per category, bin and process,
 * the sum of the events' weights times their joint coefficients — a polynomial in θ, so the
 * expected yield at any θ is exact for the simulated sample (DESIGN.md "polynomial event
 * weights"). Nuisances: a normalisation uncertainty per background (normsys), the luminosity
 * (lumi), and the Monte Carlo statistical uncertainty per bin (staterror, shared by the
 * processes of a channel as in HistFactory) where it exceeds a threshold (HistFactory's
 * RelErrorThreshold, default 5%: below it the γ is left out).
 */
import type { BinnedModelSpec, Modifier } from '../../models/terms/binned/schema.js';
import { PROCESSES, type FourTopSample, type Process } from '../simulators/four-top.js';
import { categoryCell } from './binning.js';

export interface Assignment {
  /** category per event, −1 when the event is not used */
  category: Int32Array;
  /** bin inside its category */
  bin: Int32Array;
}

export interface TemplateOptions {
  /** parameter names in basis order and θ0 */
  parameters: string[];
  reference: number[];
  /** integrated luminosity of the published templates, fb⁻¹ */
  luminosity: number;
  /** bins per category (0: category unused) */
  binsPerCategory: readonly number[];
  /** relative normalisation uncertainties of the backgrounds */
  normalisation: Readonly<Partial<Record<Process, number>>>;
  /** relative luminosity uncertainty */
  luminosityUncertainty: number;
  /** bins whose relative Monte Carlo uncertainty is below this get no staterror parameter (HistFactory's RelErrorThreshold) */
  mcStatThreshold: number;
  /** false: tt̄H and tt̄ at their SM yields (θ-independent), as seed 000's "not parametrised" */
  parametriseBackgrounds: boolean;
}

export const channelName = (category: number) => {
  const { i, j } = categoryCell(category);
  return `cat_${i}_${j}`;
};

/** The templates as a binned model (channels = non-empty categories). */
export function buildTemplates(samples: readonly FourTopSample[], assignments: readonly Assignment[], options: TemplateOptions): BinnedModelSpec {
  const C = samples[0].basis.size;
  const L = options.luminosity;
  const categories = options.binsPerCategory.flatMap((bins, c) => (bins > 0 ? [c] : []));
  // sums[process][category] = bins × C coefficients; sum of squared SM weights per bin for MC stat
  const sums = new Map<Process, Map<number, Float64Array>>();
  const squares = new Map<number, Float64Array>();
  const totals = new Map<number, Float64Array>();
  for (const c of categories) {
    squares.set(c, new Float64Array(options.binsPerCategory[c]));
    totals.set(c, new Float64Array(options.binsPerCategory[c]));
  }
  samples.forEach((sample, s) => {
    const perCategory = new Map<number, Float64Array>();
    for (const c of categories) perCategory.set(c, new Float64Array(options.binsPerCategory[c] * C));
    const { category, bin } = assignments[s];
    for (let i = 0; i < sample.count; i++) {
      const c = category[i];
      if (c < 0 || !perCategory.has(c)) continue;
      const b = bin[i];
      const target = perCategory.get(c)!;
      const w = sample.weights[i] * L;
      const fixed = !options.parametriseBackgrounds && sample.process !== 'tttt';
      if (fixed) target[b * C] += w * sample.coefficients[i * C];
      else for (let k = 0; k < C; k++) target[b * C + k] += w * sample.coefficients[i * C + k];
      squares.get(c)![b] += w * w;
      totals.get(c)![b] += w;
    }
    sums.set(sample.process, perCategory);
  });

  const lumiModifier: Modifier = { type: 'lumi', name: 'lumi', data: null };
  const channels = categories
    .map((c) => {
      const bins = options.binsPerCategory[c];
      const mcstat = Array.from({ length: bins }, (_, b) => {
        const error = Math.sqrt(squares.get(c)![b]);
        return error > options.mcStatThreshold * totals.get(c)![b] ? error : 0;
      });
      const withMcStat = mcstat.some((e) => e > 0);
      const samplesOfChannel = PROCESSES.filter((p) => sums.has(p)).map((process) => {
        const coefficients = Array.from({ length: bins }, (_, b) => Array.from(sums.get(process)!.get(c)!.subarray(b * C, (b + 1) * C)));
        const modifiers: Modifier[] = [lumiModifier, ...(withMcStat ? [{ type: 'staterror' as const, name: `mcstat_${channelName(c)}`, data: mcstat }] : [])];
        const norm = options.normalisation[process];
        if (norm) modifiers.push({ type: 'normsys', name: `norm_${process}`, data: { hi: 1 + norm, lo: 1 - norm } });
        return { name: process, coefficients, modifiers };
      });
      return { name: channelName(c), samples: samplesOfChannel, total: totals.get(c)!.reduce((a, b) => a + b, 0) };
    })
    // a channel needs a positive expected yield in every bin at θ0 for the Poisson terms
    .filter((ch) => ch.total > 0 && ch.samples.every((s) => s.coefficients.length > 0))
    .map(({ name, samples: s }) => ({ name, samples: s }));

  return {
    parameters: options.parameters,
    degree: samples[0].basis.degree,
    reference: options.reference,
    channels,
    parameterSettings: [{ name: 'lumi', auxdata: [1], sigmas: [options.luminosityUncertainty], init: 1, bounds: [1 - 5 * options.luminosityUncertainty, 1 + 5 * options.luminosityUncertainty] }],
  };
}
