/**
 * Reinterpretation: a workspace's signal sample replaced by new per-bin yields (a new model
 * point of the user's own generator), everything else — backgrounds, their systematics, the
 * data and the measurement's configuration — as published. This is what a HEPData signal
 * patch does, written for the common case of "here are my yields".
 *
 * Per channel of `yields`:
 * - where the channel has the sample, its nominal `data` become the new yields and its
 *   modifiers are kept; those given in absolute units follow the yields with the same
 *   relative size (histosys hi/lo = y·hi₀/y₀, shapesys and staterror uncertainty = u₀·y/y₀),
 *   the others (normfactor, normsys, lumi, shapefactor) are relative already. A bin where the
 *   published yield y₀ was 0 carries no variation of the new yield (reported in `warnings`);
 * - where it does not, the sample is added with the POI's normfactor, and the luminosity
 *   modifier when the channel's other samples carry one.
 * Every channel where the sample is published needs yields (zeros remove its contribution),
 * and the sample must carry the POI as a normfactor (added where missing, with a warning), so
 * that μ scales the new signal and μ = 0 stays background only.
 */
import { parseWorkspace, type PyhfModifier, type PyhfSample, type PyhfWorkspace } from './workspace-schema.js';

export interface SignalYields {
  /** the signal sample's name */
  sample: string;
  /** new nominal yields per channel name */
  yields: Readonly<Record<string, readonly number[]>>;
  /** the normfactor that scales the signal */
  poi: string;
}

/** The yields do not fit the workspace; `path` points into the request's `signal`. */
export class ReinterpretationError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'ReinterpretationError';
  }
}

function scaled(values: readonly number[], from: readonly number[], to: readonly number[]): number[] {
  return values.map((v, b) => (from[b] > 0 ? (v * to[b]) / from[b] : 0));
}

function replaceYields(sample: PyhfSample, yields: readonly number[], channel: string, warnings: string[]): PyhfSample {
  const y0 = sample.data;
  const unknown = yields.flatMap((y, b) => (y0[b] === 0 && y !== 0 ? [b] : []));
  if (unknown.length) warnings.push(`channel '${channel}': the published '${sample.name}' yield is 0 in bin${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, so the new yield there has no systematic or statistical variation`);
  const modifiers = sample.modifiers.map((m): PyhfModifier => {
    switch (m.type) {
      case 'histosys':
        return {
          ...m,
          data: {
            hi_data: yields.map((y, b) => (y0[b] > 0 ? (y * m.data.hi_data[b]) / y0[b] : y)),
            lo_data: yields.map((y, b) => (y0[b] > 0 ? (y * m.data.lo_data[b]) / y0[b] : y)),
          },
        };
      case 'shapesys':
      case 'staterror':
        return { ...m, data: scaled(m.data, y0, yields) };
      default:
        return m;
    }
  });
  return { name: sample.name, data: [...yields], modifiers };
}

/**
 * The workspace with the signal sample's yields replaced (see the module comment); throws
 * `ReinterpretationError` for yields that do not fit it.
 */
export function reinterpretWorkspace(input: PyhfWorkspace, signal: SignalYields): { workspace: PyhfWorkspace; warnings: string[] } {
  const workspace = parseWorkspace(input);
  const warnings: string[] = [];
  const channels = new Map(workspace.channels.map((c) => [c.name, c]));
  for (const [name, yields] of Object.entries(signal.yields)) {
    const channel = channels.get(name);
    if (!channel) throw new ReinterpretationError(['yields', name], `unknown channel '${name}'; the workspace has ${[...channels.keys()].join(', ')}`);
    const bins = channel.samples[0].data.length;
    if (yields.length !== bins) throw new ReinterpretationError(['yields', name], `channel '${name}' has ${bins} bins, got ${yields.length} yields`);
    yields.forEach((y, b) => {
      if (!(Number.isFinite(y) && y >= 0)) throw new ReinterpretationError(['yields', name, b], 'yields must be finite and non-negative');
    });
  }
  const carriers = workspace.channels.filter((c) => c.samples.some((s) => s.name === signal.sample)).map((c) => c.name);
  for (const name of carriers) {
    if (!(name in signal.yields)) throw new ReinterpretationError(['yields'], `the workspace has sample '${signal.sample}' in channel '${name}': give its yields there too (zeros remove it)`);
  }
  if (Object.keys(signal.yields).length === 0) throw new ReinterpretationError(['yields'], 'give the signal yields of at least one channel');

  const out: PyhfWorkspace = {
    ...workspace,
    channels: workspace.channels.map((channel) => {
      const yields = signal.yields[channel.name];
      if (!yields) return channel;
      const existing = channel.samples.find((s) => s.name === signal.sample);
      let sample: PyhfSample;
      if (existing) {
        sample = replaceYields(existing, yields, channel.name, warnings);
        if (!sample.modifiers.some((m) => m.name === signal.poi && m.type === 'normfactor')) {
          if (sample.modifiers.some((m) => m.name === signal.poi)) throw new ReinterpretationError(['poi'], `'${signal.poi}' is a ${sample.modifiers.find((m) => m.name === signal.poi)!.type} of sample '${signal.sample}', not a normfactor`);
          warnings.push(`channel '${channel.name}': sample '${signal.sample}' had no normfactor '${signal.poi}'; added, so that it scales the signal`);
          sample = { ...sample, modifiers: [...sample.modifiers, { type: 'normfactor', name: signal.poi, data: null }] };
        }
      } else {
        const lumi = channel.samples.some((s) => s.modifiers.some((m) => m.type === 'lumi'));
        sample = { name: signal.sample, data: [...yields], modifiers: [{ type: 'normfactor', name: signal.poi, data: null }, ...(lumi ? [{ type: 'lumi', name: 'lumi', data: null } as const] : [])] };
      }
      return { ...channel, samples: existing ? channel.samples.map((s) => (s === existing ? sample : s)) : [...channel.samples, sample] };
    }),
  };
  return { workspace: parseWorkspace(out), warnings };
}
